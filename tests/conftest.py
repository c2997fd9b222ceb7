"""Fixtures shared across trdcore's own tests (plugin authors get theirs from trdcore.testing)."""

from __future__ import annotations

import pytest

from trdcore.catalog import Catalog, load_catalog
from trdcore.plugins import get_plugin_manager


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The built-in catalog only: no installed plugins, no environment variables."""
    return load_catalog(get_plugin_manager(load_entry_points=False, environ={}))
