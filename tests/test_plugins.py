"""The plugin host: every hook works, and a broken plugin never takes the host down."""

from __future__ import annotations

import json
import sys
import textwrap
from importlib import metadata
from pathlib import Path
from typing import Any

import click
import pytest

from trdcore import hookimpl
from trdcore.catalog import Catalog
from trdcore.exceptions import PluginError, PluginWarning
from trdcore.extensions import ExportContext, ExportResult, ImportResult, PluginOption
from trdcore.plugins import (
    TrdcorePluginManager,
    content_documents,
    exporters,
    get_plugin_manager,
    importers,
    plugins,
    register_commands,
    rules,
)
from trdcore.testing import assert_valid, run_export, run_import, valid_document


class TextExporter:
    name = "text"
    description = "Plain text listing of the catalog"

    def export(self, context: ExportContext) -> ExportResult:
        lines = [entry.ref for entry in context.catalog.entries] or ["empty"]
        return ExportResult(files={"catalog.txt": "\n".join(lines) + "\n"})


class ExporterPlugin:
    @hookimpl
    def trdcore_register_exporters(self, register: Any) -> None:
        register(TextExporter())


# --- each hook ------------------------------------------------------------------------------


def test_hook_trdcore_register_exporters(
    trdcore_pm: TrdcorePluginManager, register_plugin: Any
) -> None:
    register_plugin(ExporterPlugin(), "text-plugin")
    assert set(exporters(trdcore_pm)) == {"schemas", "text"}
    outcome = run_export("text", pm=trdcore_pm)
    outcome.assert_ok()
    assert outcome.text("catalog.txt") == "empty\n"


class ListImporter:
    name = "list"
    description = "One history per line of drug names"

    def read(self, path: Path, options: Any) -> ImportResult:
        documents, warnings = [], []
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if not line.strip():
                warnings.append(f"line {number}: empty, skipped")
                continue
            trials = [{"drug": {"name": name.strip()}} for name in line.split(",")]
            documents.append({"episode": {"start_date": "unknown"}, "trials": trials})
        return ImportResult(documents=tuple(documents), warnings=tuple(warnings))


def test_hook_trdcore_register_importers(
    trdcore_pm: TrdcorePluginManager, register_plugin: Any, tmp_path: Path
) -> None:
    class Plugin:
        @hookimpl
        def trdcore_register_importers(self, register: Any) -> None:
            register(ListImporter())

    register_plugin(Plugin(), "list-plugin")
    assert set(importers(trdcore_pm)) == {"list"}
    source = tmp_path / "drugs.txt"
    source.write_text("sertraline, escitalopram\n\nbupropion\n")
    run = run_import("list", source, pm=trdcore_pm)
    run.assert_ok()
    assert len(run.documents) == 2
    assert run.warnings == ("line 2: empty, skipped",)
    for document in run.documents:
        assert_valid(document, "treatment-history")


def test_an_invalid_imported_history_is_named_by_its_id_not_only_its_position(
    trdcore_pm: TrdcorePluginManager, register_plugin: Any, tmp_path: Path
) -> None:
    """Issue 16: a patient's history over the trial limit was reported as "document 0"."""

    class TooMany:
        name = "too-many"
        description = "A history with 201 trials"

        def read(self, path: Path, options: Any) -> ImportResult:
            trials = [{"drug": {"name": "sertraline"}}] * 201
            history = {"id": "Patient/42", "episode": {"start_date": "unknown"}, "trials": trials}
            return ImportResult(documents=(history,), warnings=())

    class Plugin:
        @hookimpl
        def trdcore_register_importers(self, register: Any) -> None:
            register(TooMany())

    register_plugin(Plugin(), "too-many-plugin")
    source = tmp_path / "in.txt"
    source.write_text("x")
    run = run_import("too-many", source, pm=trdcore_pm)
    [problem] = run.invalid
    assert problem.startswith(f"{source} history 'Patient/42' (document 0): ")
    assert "/trials" in problem


def test_hook_trdcore_register_content(
    trdcore_pm: TrdcorePluginManager, register_plugin: Any
) -> None:
    class Plugin:
        @hookimpl
        def trdcore_register_content(self, register: Any) -> None:
            register(valid_document("source"))
            register(valid_document("drug"))

    register_plugin(Plugin(), "content-plugin")
    catalog = Catalog.from_documents(content_documents(trdcore_pm))
    assert catalog.problems == ()
    assert [entry.ref for entry in catalog.items("drug")] == ["example-drug@1.0.0"]
    assert catalog.get("drug", "example-drug").plugin == "content-plugin"  # type: ignore[union-attr]
    outcome = run_export("schemas", pm=trdcore_pm, catalog=catalog)
    outcome.assert_ok()


def test_hook_trdcore_register_rules(
    trdcore_pm: TrdcorePluginManager, register_plugin: Any
) -> None:
    class NoShouting:
        id = "no-shouting"
        severity = "warn"
        audiences = ("patient",)
        description = "Headings are not written in capitals."
        source = "house style"

        def check(self, item: Any) -> list[Any]:
            return []

    class Plugin:
        @hookimpl
        def trdcore_register_rules(self, register: Any) -> None:
            register(NoShouting())

    register_plugin(Plugin(), "rules-plugin")
    assert rules(trdcore_pm)["no-shouting"].severity == "warn"  # beside the built-in rules


def test_hook_trdcore_register_commands(
    trdcore_pm: TrdcorePluginManager, register_plugin: Any
) -> None:
    from click.testing import CliRunner

    from trdcore.cli import new_root_group

    class Plugin:
        @hookimpl
        def trdcore_register_commands(self, cli: Any) -> None:
            @cli.command()
            def hello() -> None:
                """Say hello."""
                click.echo("hello from a plugin")

    register_plugin(Plugin(), "command-plugin")
    group = new_root_group()
    register_commands(group, trdcore_pm)
    assert {"validate", "schemas", "plugins", "export", "import", "hello"} <= set(group.commands)
    assert CliRunner().invoke(group, ["hello"]).output == "hello from a plugin\n"


# --- bad plugins ----------------------------------------------------------------------------


def test_a_taken_exporter_name_is_refused_naming_both_plugins() -> None:
    manager = get_plugin_manager(load_entry_points=False, environ={})
    manager.add(ExporterPlugin(), "first")
    manager.add(ExporterPlugin(), "second")
    assert set(exporters(manager)) == {"schemas", "text"}
    error = manager.broken["second"]
    assert "exporter 'text' is already registered by plugin 'first'" in str(error)
    info = {item.name: item for item in plugins(manager)}
    assert info["first"].status == "ok"
    assert info["second"].status == "broken"


def test_a_plugin_cannot_take_over_a_built_in_name() -> None:
    class Impostor:
        name = "schemas"
        description = "pretends to be the built-in"

        def export(self, context: ExportContext) -> ExportResult:
            return ExportResult(files={})

    class Plugin:
        @hookimpl
        def trdcore_register_exporters(self, register: Any) -> None:
            register(Impostor())

    manager = get_plugin_manager(load_entry_points=False, environ={})
    manager.add(Plugin(), "impostor")
    assert type(exporters(manager)["schemas"]).__name__ == "SchemasExporter"
    assert "already registered by plugin 'trdcore-exporters'" in str(manager.broken["impostor"])


def test_registering_something_that_is_not_an_exporter_is_refused() -> None:
    class Plugin:
        @hookimpl
        def trdcore_register_exporters(self, register: Any) -> None:
            register("text")

    manager = get_plugin_manager(load_entry_points=False, environ={})
    manager.add(Plugin(), "confused")
    assert set(exporters(manager)) == {"schemas"}
    assert "registered 'str' as exporter, but it is not one" in manager.broken["confused"].reason


def test_an_exporter_returning_the_wrong_type_is_reported_against_its_plugin(
    trdcore_pm: TrdcorePluginManager, register_plugin: Any
) -> None:
    class Sloppy:
        name = "sloppy"
        description = "returns a dict"

        def export(self, context: ExportContext) -> Any:
            return {"catalog.txt": "oops"}

    class Plugin:
        @hookimpl
        def trdcore_register_exporters(self, register: Any) -> None:
            register(Sloppy())

    register_plugin(Plugin(), "sloppy-plugin")
    outcome = run_export("sloppy", pm=trdcore_pm)
    assert isinstance(outcome.error, PluginError)
    assert outcome.error.plugin == "sloppy-plugin"
    assert "returned dict, not an ExportResult" in str(outcome.error)


def test_an_export_may_not_write_outside_its_folder(
    trdcore_pm: TrdcorePluginManager, register_plugin: Any
) -> None:
    class Escaping:
        name = "escaping"
        description = "tries to write elsewhere"

        def export(self, context: ExportContext) -> ExportResult:
            return ExportResult(files={"../../etc/cron.d/x": "boom", "/abs": "boom"})

    class Plugin:
        @hookimpl
        def trdcore_register_exporters(self, register: Any) -> None:
            register(Escaping())

    register_plugin(Plugin(), "escaping-plugin")
    outcome = run_export("escaping", pm=trdcore_pm)
    assert outcome.error is not None
    assert "unsafe output path '../../etc/cron.d/x'" in str(outcome.error)


def test_a_misspelled_hook_fails_at_start_up_naming_plugin_and_hook() -> None:
    class Plugin:
        @hookimpl
        def trdcore_register_exporter(self, register: Any) -> None:
            raise AssertionError("never called")

    manager = get_plugin_manager(load_entry_points=False, environ={})
    assert not manager.add(Plugin(), "typo")
    reason = manager.broken["typo"].reason
    assert "unknown hook 'trdcore_register_exporter'" in reason
    assert "did you mean trdcore_register_exporters?" in reason
    strict = get_plugin_manager(load_entry_points=False, environ={"TRDCORE_STRICT_PLUGINS": "1"})
    with pytest.raises(PluginError, match="typo"):
        strict.add(Plugin(), "typo")


def test_a_hook_parameter_with_a_default_is_warned_about() -> None:
    class Plugin:
        @hookimpl
        def trdcore_register_exporters(self, register: Any, extra: int = 3) -> None:
            register(TextExporter())

    manager = get_plugin_manager(load_entry_points=False, environ={})
    with pytest.warns(PluginWarning, match="parameter 'extra' has a default value"):
        manager.add(Plugin(), "defaulted")
    [info] = [item for item in plugins(manager) if item.name == "defaulted"]
    assert info.status == "ok"
    assert info.warnings


def test_a_hook_that_raises_breaks_only_its_plugin() -> None:
    class Broken:
        @hookimpl
        def trdcore_register_exporters(self, register: Any) -> None:
            raise RuntimeError("disk on fire")

    manager = get_plugin_manager(load_entry_points=False, environ={})
    manager.add(Broken(), "broken-one")
    manager.add(ExporterPlugin(), "fine-one")
    assert set(exporters(manager)) == {"schemas", "text"}
    assert "raised RuntimeError in trdcore_register_exporters: disk on fire" in str(
        manager.broken["broken-one"]
    )


def test_invalid_or_duplicate_content_is_reported_not_dropped(
    trdcore_pm: TrdcorePluginManager, register_plugin: Any
) -> None:
    class First:
        @hookimpl
        def trdcore_register_content(self, register: Any) -> None:
            register(valid_document("source"))

    class Second:
        @hookimpl
        def trdcore_register_content(self, register: Any) -> None:
            register(valid_document("drug", version="1.0"))
            register(valid_document("drug"))
            register({"schema": "treatment-history@1.0.0"})

    register_plugin(First(), "first")
    register_plugin(Second(), "second")
    catalog = Catalog.from_documents(content_documents(trdcore_pm))
    assert [entry.ref for entry in catalog.entries] == [
        "example-source@1.0.0",
        "example-drug@1.0.0",
    ]
    messages = [str(problem) for problem in catalog.problems]
    assert len(messages) == 2
    assert "plugin 'second'" in messages[0]
    assert "/version" in messages[0]
    assert "must name one of the content schemas" in messages[1]


# --- discovery through entry points -----------------------------------------------------------


def make_distribution(site: Path, name: str, module: str, source: str) -> None:
    """A real installed distribution (dist-info with an entry point) and its module."""
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{name.replace('-', '_')}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text(
        f"[trdcore]\n{name.removeprefix('trdcore-')} = {module}\n"
    )


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for module in [name for name in sys.modules if name.startswith("trdcore_fake")]:
        del sys.modules[module]


GOOD = """
    from trdcore import hookimpl
    from trdcore.extensions import ExportResult

    class Exporter:
        name = "fake-text"
        description = "fake"
        def export(self, context):
            return ExportResult(files={"a.txt": "a"})

    @hookimpl
    def trdcore_register_exporters(register):
        register(Exporter())
"""


def test_installed_plugins_are_found_with_distribution_and_version(site: Path) -> None:
    make_distribution(site, "trdcore-fakegood", "trdcore_fakegood", GOOD)
    manager = get_plugin_manager(environ={})
    [info] = [item for item in plugins(manager) if item.name == "fakegood"]
    assert (info.distribution, info.version, info.status) == ("trdcore-fakegood", "1.2.3", "ok")
    assert info.hooks == ("trdcore_register_exporters",)
    assert "fake-text" in exporters(manager)


def test_a_plugin_that_fails_to_import_is_reported_and_the_host_works(site: Path) -> None:
    make_distribution(
        site, "trdcore-fakebad", "trdcore_fakebad", "raise ImportError('no numpy here')\n"
    )
    make_distribution(site, "trdcore-fakegood", "trdcore_fakegood", GOOD)
    manager = get_plugin_manager(environ={})
    info = {item.name: item for item in plugins(manager)}
    assert info["fakebad"].status == "broken"
    assert info["fakebad"].distribution == "trdcore-fakebad"
    assert "failed to import trdcore_fakebad: ImportError: no numpy here" in str(
        info["fakebad"].reason
    )
    assert info["fakegood"].status == "ok"
    with pytest.raises(PluginError, match="trdcore-fakebad"):
        get_plugin_manager(environ={"TRDCORE_STRICT_PLUGINS": "1"})


def test_allow_and_block_lists(site: Path) -> None:
    make_distribution(site, "trdcore-fakegood", "trdcore_fakegood", GOOD)
    names = lambda environ: {item.name for item in plugins(get_plugin_manager(environ=environ))}  # noqa: E731
    assert "fakegood" in names({})
    assert "fakegood" not in names({"TRDCORE_PLUGINS": ""})
    assert "fakegood" in names({"TRDCORE_PLUGINS": "fakegood"})
    assert "fakegood" not in names({"TRDCORE_BLOCK_PLUGINS": "other,fakegood"})


def test_duplicate_entry_points_from_editable_installs_load_once(site: Path) -> None:
    make_distribution(site, "trdcore-fakegood", "trdcore_fakegood", GOOD)
    entry_point = metadata.EntryPoint("fakegood", "trdcore_fakegood", "trdcore")
    from trdcore import plugins as host

    found = host._entry_points()
    assert [item.name for item in found].count("fakegood") == 1
    manager = get_plugin_manager(entry_points=[entry_point, entry_point], environ={})
    assert [name for name, _ in manager.list_name_plugin()].count("fakegood") == 1


def test_tracing_prints_hook_calls(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_distribution(site, "trdcore-fakegood", "trdcore_fakegood", GOOD)
    manager = get_plugin_manager(environ={"TRDCORE_TRACE_PLUGINS": "1"})
    exporters(manager)
    trace = capsys.readouterr().err
    assert "trdcore_register_exporters(register) in plugin 'fakegood'" in trace
    assert "trdcore_register_exporters(register) in plugin 'trdcore-exporters'" in trace


def test_hook_options_trdcore_ignores_are_warned_about() -> None:
    class Plugin:
        @hookimpl(tryfirst=True)
        def trdcore_register_exporters(self, register: Any) -> None:
            register(TextExporter())

    manager = get_plugin_manager(load_entry_points=False, environ={})
    with pytest.warns(PluginWarning, match=r"tryfirst=True\), which trdcore ignores"):
        manager.add(Plugin(), "eager")


def test_a_taken_command_name_names_the_plugin_that_has_it() -> None:
    from trdcore.cli import new_root_group

    class Plugin:
        @hookimpl
        def trdcore_register_commands(self, cli: Any) -> None:
            @cli.command()
            def validate() -> None:
                """A second validate."""

    manager = get_plugin_manager(load_entry_points=False, environ={})
    manager.add(Plugin(), "rival")
    register_commands(new_root_group(), manager)
    assert "command 'validate' is already registered by plugin 'trdcore-commands'" in str(
        manager.broken["rival"]
    )


def test_trdcore_plugins_command_shows_broken_plugins(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    make_distribution(site, "trdcore-fakebad", "trdcore_fakebad", "1/0\n")
    environment = {"PYTHONPATH": str(site), "PATH": str(Path(sys.executable).parent)}
    trdcore = str(Path(sys.executable).parent / "trdcore")
    result = subprocess.run(
        [trdcore, "plugins", "--format", "json"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    listing = {item["name"]: item for item in json.loads(result.stdout)}
    assert listing["fakebad"]["status"] == "broken"
    assert "ZeroDivisionError" in listing["fakebad"]["reason"]
    assert listing["trdcore-commands"]["builtin"] is True
    text = subprocess.run(
        [trdcore, "plugins"], capture_output=True, text=True, env=environment, check=False
    )
    assert "fakebad" in text.stdout
    assert "broken" in text.stdout
    assert "Traceback" not in text.stderr


def test_a_plugin_with_invalid_content_is_listed_as_broken() -> None:
    class Plugin:
        @hookimpl
        def trdcore_register_content(self, register: Any) -> None:
            register(valid_document("drug", roles=[]))

    manager = get_plugin_manager(load_entry_points=False, environ={})
    manager.add(Plugin(), "bad-content")
    [info] = [item for item in plugins(manager) if item.name == "bad-content"]
    assert info.status == "broken"
    assert "/roles" in str(info.reason)


def test_a_second_plugin_with_a_taken_name_is_refused_and_the_first_keeps_working(
    site: Path,
) -> None:
    make_distribution(site, "trdcore-fakegood", "trdcore_fakegood", GOOD)
    clash = metadata.EntryPoint("trdcore-exporters", "trdcore_fakegood", "trdcore")
    manager = get_plugin_manager(entry_points=[clash], environ={})
    assert type(exporters(manager)["schemas"]).__name__ == "SchemasExporter"
    [refused] = manager.broken.values()
    assert "the plugin name 'trdcore-exporters' is already used by trdcore" in str(refused)
    statuses = {info.name: info.status for info in plugins(manager)}
    assert statuses["trdcore-exporters"] == "ok"


def test_export_metadata_must_be_json_and_the_manifest_name_is_reserved() -> None:
    result = ExportResult(files={"trdcore-export.json": "{}"}, metadata={"tags": {1, 2}})
    problems = result.problems()
    assert any("metadata is not JSON" in problem for problem in problems)
    assert any("reserved for the manifest" in problem for problem in problems)


# --- exporter options on the command line ---------------------------------------------------


class _OptionsExporter:
    """Echoes the options it received, so the test sees what the CLI passed."""

    name = "echo-options"
    description = "Writes its options as JSON"

    def __init__(self, options: tuple[Any, ...]) -> None:
        self.options = options

    def export(self, context: ExportContext) -> ExportResult:
        return ExportResult(files={"options.json": json.dumps(dict(context.options))})


def _options_plugin(options: tuple[Any, ...]) -> object:
    class Plugin:
        @hookimpl
        def trdcore_register_exporters(self, register: Any) -> None:
            register(_OptionsExporter(options))

    return Plugin()


def _export_cli(trdcore_pm: Any, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> Any:
    from click.testing import CliRunner

    import trdcore.plugins
    from trdcore.cli import build_cli

    monkeypatch.setattr(trdcore.plugins, "plugin_manager", lambda: trdcore_pm)
    return CliRunner().invoke(build_cli(load_entry_points=False), ["export", *args])


def test_declared_exporter_options_become_real_command_line_options(
    trdcore_pm: Any, register_plugin: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    register_plugin(
        _options_plugin(
            (
                PluginOption("large-print", "Bigger type", kind="flag"),
                PluginOption("treatment", "One treatment", kind="multiple"),
                PluginOption(
                    "audience", "Who reads it", choices=("patient", "clinician"), default="patient"
                ),
            )
        )
    )
    out = tmp_path / "out"
    args = [
        "echo-options",
        "--out",
        str(out),
        "--large-print",
        "--treatment",
        "ect",
        "--treatment",
        "rtms",
        "--option",
        "extra=1",
    ]
    result = _export_cli(trdcore_pm, monkeypatch, args)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "options.json").read_text()) == {
        "large-print": True,
        "treatment": ["ect", "rtms"],
        "audience": "patient",
        "extra": "1",
    }
    helped = _export_cli(trdcore_pm, monkeypatch, ["echo-options", "--help"])
    assert "--large-print" in helped.output
    assert "Bigger type" in helped.output


def test_a_misspelt_or_out_of_range_exporter_option_is_a_usage_error(
    trdcore_pm: Any, register_plugin: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    register_plugin(
        _options_plugin((PluginOption("audience", "Who", choices=("patient", "clinician")),))
    )
    out = str(tmp_path / "out")
    typo = _export_cli(trdcore_pm, monkeypatch, ["echo-options", "--out", out, "--audiance", "x"])
    assert typo.exit_code == 2
    wrong = _export_cli(trdcore_pm, monkeypatch, ["echo-options", "--out", out, "--audience", "x"])
    assert wrong.exit_code == 2
    unknown = _export_cli(trdcore_pm, monkeypatch, ["no-such-target", "--out", out])
    assert unknown.exit_code == 2
    assert "available: echo-options" in unknown.output
    assert not (tmp_path / "out").exists()


def test_an_exporter_that_declares_a_reserved_option_is_blamed(
    trdcore_pm: Any, register_plugin: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from trdcore.exporting import declared_options

    with pytest.raises(PluginError, match="--out is reserved"):
        declared_options(
            _OptionsExporter((PluginOption("out", "x"),)), kind="exporter", name="echo-options"
        )
    with pytest.raises(PluginError, match="not a PluginOption"):
        declared_options(_OptionsExporter(("large-print",)), kind="exporter", name="echo-options")
    with pytest.raises(ValueError, match="lower-case slug"):
        PluginOption("Large Print", "x")


def test_the_kit_builds_catalogs_with_extra_changed_or_dropped_content() -> None:
    from trdcore.testing import builtin_catalog, catalog_with

    base = builtin_catalog()
    assert base is builtin_catalog()  # loaded once
    source = valid_document("source", id="kit-example-source")
    added = catalog_with(source)
    assert added.get("source", "kit-example-source") is not None
    assert base.get("source", "kit-example-source") is None
    dropped = catalog_with(drop=("sertraline",))
    assert dropped.find_drug("sertraline") is None

    def rename(document: dict[str, Any]) -> None:
        if document.get("id") == "sertraline":
            document["name"] = "Sertraline (renamed)"

    changed = catalog_with(change=rename)
    renamed = changed.get("drug", "sertraline")
    assert renamed is not None
    assert renamed.model.name == "Sertraline (renamed)"
    assert base.get("drug", "sertraline").model.name != "Sertraline (renamed)"  # type: ignore[union-attr]
