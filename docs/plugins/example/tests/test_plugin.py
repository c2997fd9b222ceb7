"""Tests for trdcore-plaintext, written with trdcore's plugin test kit (trdcore.testing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import trdcore_plaintext

from trdcore import hookimpl
from trdcore.plugins import (
    TrdcorePluginManager,
    content_documents,
    get_plugin_manager,
    plugins,
)
from trdcore.testing import assert_valid, run_export, valid_document

#: The type of the kit's ``register_plugin`` fixture.
RegisterPlugin = Callable[..., str]


def test_plugin_is_installed() -> None:
    installed = {info.distribution: info for info in plugins(get_plugin_manager(environ={}))}
    assert installed["trdcore-plaintext"].status == "ok"


def test_hook_trdcore_register_content(
    trdcore_pm: TrdcorePluginManager, register_plugin: RegisterPlugin
) -> None:
    register_plugin(trdcore_plaintext)
    [(plugin, document)] = content_documents(trdcore_pm)
    assert plugin == "trdcore_plaintext"
    assert_valid(document)


def test_hook_trdcore_register_exporters(
    trdcore_pm: TrdcorePluginManager, register_plugin: RegisterPlugin
) -> None:
    register_plugin(trdcore_plaintext)
    outcome = run_export("plain-text", pm=trdcore_pm)
    outcome.assert_ok()
    assert outcome.text("catalog.txt") == (
        "trdcore catalog\n"
        "===============\n"
        "\n"
        "Sources (1)\n"
        "  gaynes-2020-defining-trd@1.0.0  Defining treatment-resistant depression\n"
    )
    assert outcome.metadata["entries"] == 1


class MoreContent:
    """A second plugin, so the catalog has more than one kind to list."""

    @hookimpl
    def trdcore_register_content(self, register: Any) -> None:
        register(valid_document("drug"))
        register(valid_document("trd-definition"))


def test_entries_are_grouped_by_kind_in_catalog_order(
    trdcore_pm: TrdcorePluginManager, register_plugin: RegisterPlugin
) -> None:
    register_plugin(trdcore_plaintext)
    register_plugin(MoreContent(), "more-content")
    outcome = run_export("plain-text", pm=trdcore_pm)
    outcome.assert_ok()
    headings = [line for line in outcome.text("catalog.txt").splitlines() if line.endswith(")")]
    assert headings == ["Definitions (1)", "Drugs (1)", "Sources (1)"]
    assert "  example-drug@1.0.0  exampline" in outcome.text("catalog.txt")


def test_option_kinds_limits_the_listing(
    trdcore_pm: TrdcorePluginManager, register_plugin: RegisterPlugin
) -> None:
    register_plugin(trdcore_plaintext)
    register_plugin(MoreContent(), "more-content")
    outcome = run_export("plain-text", pm=trdcore_pm, options={"kinds": "drug"})
    outcome.assert_ok()
    assert "Drugs (1)" in outcome.text("catalog.txt")
    assert "Sources" not in outcome.text("catalog.txt")
    assert outcome.metadata == {"entries": 1, "kinds": ["drug"]}


def test_an_unknown_kind_is_an_error_that_lists_the_choices(
    trdcore_pm: TrdcorePluginManager, register_plugin: RegisterPlugin
) -> None:
    register_plugin(trdcore_plaintext)
    outcome = run_export("plain-text", pm=trdcore_pm, options={"kinds": "drugs"})
    assert not outcome.ok
    assert "unknown kind drugs" in str(outcome.error)
    assert "choose from trd-definition, staging-model, drug" in str(outcome.error)


def test_an_empty_catalog_says_so(
    trdcore_pm: TrdcorePluginManager, register_plugin: RegisterPlugin
) -> None:
    register_plugin(trdcore_plaintext)
    outcome = run_export("plain-text", pm=trdcore_pm, options={"kinds": "treatment"})
    outcome.assert_ok()
    assert outcome.text("catalog.txt").endswith("\n(nothing to list)\n")
