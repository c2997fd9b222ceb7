"""trdcore lint on the command line, the built-in catalog lints clean, and the export gate."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from trdcore import load_catalog
from trdcore.catalog import Catalog
from trdcore.cli import build_cli
from trdcore.engine import Engine
from trdcore.exporting import MANIFEST, write_export
from trdcore.extensions import ExportContext, ExportResult
from trdcore.hookspecs import hookimpl
from trdcore.lint import lint_catalog
from trdcore.lint.builtin_rules import BUILTIN_RULES
from trdcore.lint.wording_rules import SafeMessaging
from trdcore.plugins import TrdcorePluginManager, get_plugin_manager, rules
from trdcore.testing import run_export, valid_document

AS_OF = "2026-12-01"


def lint(*args: str) -> Any:
    return CliRunner().invoke(build_cli(load_entry_points=False), ["lint", *args])


def unsafe_page(source: str = "example-source", **overrides: Any) -> dict[str, Any]:
    """An active patient page that breaks two block rules: unsafe wording and no 988."""
    page = valid_document(
        "content-module",
        status="active",
        sources=[source],
        sections=[
            {
                "id": "intro",
                "heading": "About",
                "body": "Her son committed suicide. We miss him. Talk to a doctor. Ask for help.",
                "sources": [source],
            }
        ],
    )
    page.update(overrides)
    return page


def test_the_builtin_catalog_lints_clean() -> None:
    manager = get_plugin_manager(load_entry_points=False)
    catalog = load_catalog(manager)
    report = lint_catalog(catalog, rules(manager), as_of=datetime.date.fromisoformat(AS_OF))
    assert report.items == len(catalog.entries) > 200
    assert report.blocking == (), "\n".join(f.describe() for f in report.blocking)


def test_trdcore_lint_of_the_builtin_catalog_exits_0() -> None:
    result = lint("--as-of", AS_OF, "--quiet")
    assert result.exit_code == 0, result.output
    assert "0 blocking" in result.output
    assert "suppressed crisis-resources-patient@1.0.0 /sections/4" in result.output


def test_a_blocking_file_exits_1_naming_item_pointer_and_rule(tmp_path: Path) -> None:
    path = tmp_path / "page.yaml"
    path.write_text(yaml.safe_dump(unsafe_page("cdcr-988-2022")))
    result = lint(str(path), "--as-of", AS_OF)
    assert result.exit_code == 1
    assert (
        "BLOCK  example-module@1.0.0 /sections/0/body: unsafe suicide wording: "
        "'committed suicide' [safe-messaging]" in result.output
    )
    assert "fix: Write 'died by suicide'" in result.output
    assert "[crisis-resource]" in result.output


def test_json_output_lists_findings_rules_and_versions(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_text(json.dumps(unsafe_page("cdcr-988-2022")))  # a built-in source
    result = lint(str(path), "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["blocked"] is True
    assert data["as_of"] == AS_OF
    assert {"id": "safe-messaging", "version": SafeMessaging.version}.items() <= next(
        rule for rule in data["rules"] if rule["id"] == "safe-messaging"
    ).items()
    assert {(f["rule"], f["pointer"]) for f in data["findings"] if f["severity"] == "block"} == {
        ("safe-messaging", "/sections/0/body"),
        ("crisis-resource", "/sections"),
    }


def test_an_invalid_or_non_content_file_is_reported_with_its_location(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema: content-module@1.0.0\nid: Bad Id\n")
    history = tmp_path / "history.json"
    history.write_text(json.dumps(valid_document("treatment-history")))
    result = lint(str(broken), str(history), "--as-of", AS_OF)
    assert result.exit_code == 1
    assert f"invalid: {broken}:2: /id:" in result.output
    assert f"invalid: {history}: not a content document" in result.output


def test_a_bad_as_of_date_is_a_usage_error() -> None:
    assert lint("--as-of", "yesterday").exit_code == 2


def test_list_rules_shows_every_builtin_rule_with_version_and_source() -> None:
    result = lint("--list-rules")
    assert result.exit_code == 0
    for rule in BUILTIN_RULES:
        assert f"{rule.id} {rule.version} [" in result.output


# --- the export gate --------------------------------------------------------------------------


class PageExporter:
    name = "pages"
    description = "Every content module title"

    def export(self, context: ExportContext) -> ExportResult:
        titles = [entry.model.title for entry in context.catalog.items("content-module")]
        return ExportResult(files={"titles.txt": "\n".join(titles) + "\n"})


class ExportPlugin:
    @hookimpl
    def trdcore_register_exporters(self, register: Any) -> None:
        register(PageExporter())


def _catalog(*pages: dict[str, Any]) -> Catalog:
    return Catalog.from_documents(
        [("test", valid_document("source")), *(("test", page) for page in pages)]
    )


def test_an_export_with_a_blocking_finding_is_refused(
    trdcore_pm: TrdcorePluginManager, register_plugin: Any
) -> None:
    register_plugin(ExportPlugin(), "pages")
    outcome = run_export("pages", pm=trdcore_pm, catalog=_catalog(unsafe_page()))
    assert not outcome.ok
    message = str(outcome.error)
    assert message.startswith("export 'pages' refused: 2 content findings block publishing:")
    assert "example-module@1.0.0 /sections/0/body: unsafe suicide wording" in message
    assert "[safe-messaging]" in message
    assert "--force" in message


def test_force_exports_anyway_and_the_manifest_records_the_lint_result(
    trdcore_pm: TrdcorePluginManager, register_plugin: Any, tmp_path: Path
) -> None:
    from trdcore.exporting import run_export as export

    register_plugin(ExportPlugin(), "pages")
    catalog = _catalog(unsafe_page())
    result = export(
        "pages",
        manager=trdcore_pm,
        catalog=catalog,
        force=True,
        as_of=datetime.date.fromisoformat(AS_OF),
    )
    write_export(result, tmp_path, target="pages")
    lint_record = json.loads((tmp_path / MANIFEST).read_text())["lint"]
    assert lint_record["checked"] is True
    assert lint_record["forced"] is True
    assert lint_record["blocked"] is True
    assert lint_record["as_of"] == AS_OF
    assert lint_record["rules"]["safe-messaging"] == SafeMessaging.version
    assert lint_record["counts"]["block"] == 2
    assert {f["rule"] for f in lint_record["findings"] if f["severity"] == "block"} == {
        "safe-messaging",
        "crisis-resource",
    }


def test_a_clean_export_records_an_unforced_lint_result(
    trdcore_pm: TrdcorePluginManager, register_plugin: Any
) -> None:
    register_plugin(ExportPlugin(), "pages")
    page = unsafe_page()
    page["sections"][0]["body"] = "Talk to your doctor. If you are in crisis, call or text 988."
    outcome = run_export("pages", pm=trdcore_pm, catalog=_catalog(page))
    outcome.assert_ok()
    assert outcome.lint is not None
    assert (outcome.lint["blocked"], outcome.lint["forced"]) == (False, False)
    assert outcome.lint["as_of"] is None  # no date given: freshness not judged


def test_draft_content_does_not_gate_an_export(
    trdcore_pm: TrdcorePluginManager, register_plugin: Any
) -> None:
    register_plugin(ExportPlugin(), "pages")
    outcome = run_export("pages", pm=trdcore_pm, catalog=_catalog(unsafe_page(status="draft")))
    outcome.assert_ok()
    assert outcome.lint is not None
    assert outcome.lint["drafts_not_checked"] == 1


def test_the_schemas_exporter_publishes_no_content_so_it_is_not_gated(
    trdcore_pm: TrdcorePluginManager,
) -> None:
    outcome = run_export("schemas", pm=trdcore_pm, catalog=_catalog(unsafe_page()))
    outcome.assert_ok()
    assert outcome.lint == {
        "checked": False,
        "reason": "exporter 'schemas' publishes no catalog content",
    }


@pytest.mark.parametrize(("force", "exit_code"), [(False, 1), (True, 0)])
def test_trdcore_export_force_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, force: bool, exit_code: int
) -> None:
    from trdcore import plugins

    site = tmp_path / "content"
    site.mkdir()

    class UnsafeContent:
        @hookimpl
        def trdcore_register_content(self, register: Any) -> None:
            register(valid_document("source"))
            register(unsafe_page())

    manager = get_plugin_manager(load_entry_points=False)
    manager.add(UnsafeContent(), "unsafe-content")
    manager.add(ExportPlugin(), "pages")
    monkeypatch.setattr(plugins, "plugin_manager", lambda: manager)
    out = tmp_path / "out"
    arguments = ["export", "pages", "--out", str(out), "--as-of", AS_OF]
    from trdcore.cli import main

    try:
        main([*arguments, *(["--force"] if force else [])])
        code: object = 0
    except SystemExit as done:
        code = done.code
    assert code == exit_code
    if force:
        manifest = json.loads((out / MANIFEST).read_text())
        assert manifest["lint"]["forced"] is True
    else:
        assert not (out / MANIFEST).exists()


# --- the lint report is cached per catalog, date and rule set ---------------------------------


def counting_rule(calls: list[str]) -> Any:
    """A plugin rule class that records the items it checked in ``calls``.

    It blocks content modules whose title holds its ``marker`` (its one
    setting, an instance attribute, as a configurable rule would have).
    """

    class CountingRule:
        id = "counting"
        severity = "block"
        audiences = ("patient", "clinician")
        description = "records its calls"
        source = "test"
        kinds = ("content-module",)

        def __init__(self, marker: str = "BAD") -> None:
            self.marker = marker

        def check(self, item: Any) -> list[Any]:
            from trdcore.extensions import Finding

            calls.append(item.id)
            if self.marker in item.title:
                return [Finding(self.id, f"{item.id}@{item.version}", "/title", "bad title")]
            return []

    return CountingRule


def test_lint_reports_are_kept_by_the_engine_per_date_and_rule_set() -> None:
    catalog = _catalog(unsafe_page())
    engine = Engine.for_catalog(catalog)
    calls: list[str] = []
    rule = counting_rule(calls)
    rule_set = {"counting": rule()}
    day = datetime.date.fromisoformat(AS_OF)
    first = lint_catalog(catalog, rule_set, as_of=day, engine=engine)
    assert lint_catalog(catalog, {"counting": rule()}, as_of=day, engine=engine) is first
    assert calls == ["example-module"]
    later = day + datetime.timedelta(days=1)
    assert lint_catalog(catalog, rule_set, as_of=later, engine=engine) is not first
    assert lint_catalog(catalog, rule_set, as_of=day, drafts=False, engine=engine) is not first
    # Another engine (or none) keeps nothing from this one; the catalog itself keeps nothing.
    other = Engine.for_catalog(catalog)
    assert lint_catalog(catalog, rule_set, as_of=day, engine=other) is not first
    assert lint_catalog(catalog, rule_set, as_of=day) is not first
    assert len(calls) == 5
    # A rule configured differently is another rule set: its findings are not taken from the cache.
    catalog = _catalog(unsafe_page(title="A BAD page"))
    engine = Engine.for_catalog(catalog)
    assert not lint_catalog(catalog, {"counting": rule("GOOD")}, engine=engine).findings
    [found] = lint_catalog(catalog, {"counting": rule()}, engine=engine).findings
    assert found.message == "bad title"


def test_exports_of_one_catalog_lint_it_once_and_a_new_plugin_rule_still_gates(
    trdcore_pm: TrdcorePluginManager, register_plugin: Any
) -> None:
    from trdcore.exporting import run_export as export

    calls: list[str] = []
    rule = counting_rule(calls)

    class CountingRules:
        @hookimpl
        def trdcore_register_rules(self, register: Any) -> None:
            register(rule())

    register_plugin(ExportPlugin(), "pages")
    page = unsafe_page(title="A BAD page")
    page["sections"][0]["body"] = "Talk to your doctor. If you are in crisis, call or text 988."
    engine = Engine.for_catalog(_catalog(page))
    for _ in range(3):
        export("pages", manager=trdcore_pm, engine=engine)
    register_plugin(CountingRules(), "counting-rules")
    outcome = run_export("pages", pm=trdcore_pm, engine=engine)
    assert not outcome.ok
    assert "/title: bad title [counting]" in str(outcome.error)
    export("pages", manager=trdcore_pm, engine=engine, force=True)
    assert calls == ["example-module"]  # the plugin's rule ran once for the new rule set
