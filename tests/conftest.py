"""Fixtures shared across trdcore's own tests (plugin authors get theirs from trdcore.testing)."""

from __future__ import annotations

import pytest

from trdcore import Engine, load_catalog
from trdcore.catalog import Catalog
from trdcore.plugins import get_plugin_manager


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The built-in catalog only: no installed plugins, no environment variables."""
    return load_catalog(get_plugin_manager(load_entry_points=False, environ={}))


@pytest.fixture(scope="session")
def engine(catalog: Catalog) -> Engine:
    """An engine for the built-in catalog, shared by the tests that only read from it."""
    return Engine.for_catalog(catalog)
