"""{{ cookiecutter.distribution }}, tested with trdcore's plugin test kit (``trdcore.testing``).

The kit's fixtures (``trdcore_pm``, ``register_plugin``) come with trdcore
itself: pytest loads them through trdcore's ``pytest11`` entry point.
"""

from __future__ import annotations

from collections.abc import Callable

from trdcore.catalog import Catalog
from trdcore.plugins import TrdcorePluginManager, get_plugin_manager, plugins
from trdcore.testing import run_export, valid_document

import {{ cookiecutter.module }}

PLUGIN = "{{ cookiecutter.plugin_name }}"
TARGET = "{{ cookiecutter.plugin_name }}-text"
CONTENT = ("treatment", "source", "drug")


def catalog_of(kinds: tuple[str, ...]) -> Catalog:
    """A catalog holding the test kit's example document of each kind, in the order given."""
    catalog = Catalog.from_documents(("tests", valid_document(kind)) for kind in kinds)
    assert catalog.problems == ()
    return catalog


def test_plugin_is_installed() -> None:
    # environ={}: TRDCORE_PLUGINS or TRDCORE_BLOCK_PLUGINS in the shell must not hide the plugin.
    manager = get_plugin_manager(environ={})
    found = {info.name: info for info in plugins(manager)}
    assert PLUGIN in found, f"no entry point {PLUGIN!r} in group 'trdcore'; found {sorted(found)}"
    info = found[PLUGIN]
    assert info.status == "ok", info.reason
    assert info.distribution == "{{ cookiecutter.distribution }}"
    assert info.hooks == ("trdcore_register_exporters",)
    assert info.warnings == ()


def test_hook_trdcore_register_exporters(
    trdcore_pm: TrdcorePluginManager, register_plugin: Callable[..., str]
) -> None:
    register_plugin({{ cookiecutter.module }})
    outcome = run_export(TARGET, pm=trdcore_pm)
    outcome.assert_ok()
    assert set(outcome.files) == {"catalog.txt"}
    assert outcome.text("catalog.txt") == "The catalog is empty.\n"
    assert outcome.metadata == {"entries": 0}


def test_export_lists_every_catalog_entry(
    trdcore_pm: TrdcorePluginManager, register_plugin: Callable[..., str]
) -> None:
    register_plugin({{ cookiecutter.module }})
    outcome = run_export(TARGET, pm=trdcore_pm, catalog=catalog_of(CONTENT))
    outcome.assert_ok()
    expected = [
        "drug example-drug@1.0.0",
        "source example-source@1.0.0",
        "treatment example-treatment@1.0.0",
    ]
    assert outcome.text("catalog.txt") == "\n".join(expected) + "\n"
    assert outcome.metadata == {"entries": 3}


def test_export_does_not_depend_on_content_order(
    trdcore_pm: TrdcorePluginManager, register_plugin: Callable[..., str]
) -> None:
    register_plugin({{ cookiecutter.module }})
    forwards = run_export(TARGET, pm=trdcore_pm, catalog=catalog_of(CONTENT))
    backwards = run_export(TARGET, pm=trdcore_pm, catalog=catalog_of(CONTENT[::-1]))
    assert forwards.files == backwards.files
