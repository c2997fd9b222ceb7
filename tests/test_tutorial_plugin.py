"""The tutorial's plugin (docs/plugins/example) works, and the docs show it as it is.

The example is a distribution of its own, ``trdcore-plaintext``, with its own
tests written with the plugin test kit. Here those tests run in-process: the
example is put on ``sys.path`` and given installed metadata built from its
``pyproject.toml``, so nothing needs to be pip-installed. The tutorial quotes
the example's files and shows what trdcore prints; both must be the real thing.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
import sys
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from trdcore import plugins as host
from trdcore.cli import build_cli
from trdcore.plugins import TrdcorePluginManager, content_documents, get_plugin_manager
from trdcore.testing import assert_valid, run_export

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "plugins" / "example"
EXAMPLE_TESTS = EXAMPLE / "tests" / "test_plugin.py"
TUTORIAL = ROOT / "docs" / "plugins" / "tutorial.md"
INSTALLING = ROOT / "docs" / "plugins" / "installing.md"
MODULE = "trdcore_plaintext"
QUOTED_FILE = re.compile(r"^<!-- example: (\S+) -->\n```\w*\n(.*?)^```", re.DOTALL | re.MULTILINE)

#: Two made-up plugins, broken on purpose, as listed in docs/plugins/installing.md.
BROKEN = {
    "trdcore-claims": "raise ModuleNotFoundError(\"No module named 'pandas'\", name='pandas')\n",
    "trdcore-wiki": (
        "from trdcore import hookimpl\n\n@hookimpl\ndef trdcore_register_exporter(register):\n"
        "    pass\n"
    ),
}

RegisterPlugin = Callable[..., str]


def _project() -> dict[str, Any]:
    """The ``[project]`` table of the example's pyproject.toml."""
    project: dict[str, Any] = tomllib.loads((EXAMPLE / "pyproject.toml").read_text("utf-8"))
    return project["project"]  # type: ignore[no-any-return]


def _write_metadata(
    site: Path, distribution: str, version: str, entry_points: Mapping[str, str]
) -> None:
    """A dist-info folder, as pip writes it, declaring ``entry_points`` in the trdcore group."""
    info = site / f"{distribution.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n"
    )
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[trdcore]\n{lines}")


def _test_names(path: Path) -> list[str]:
    """The test functions defined in ``path``, read without importing it."""
    tree = ast.parse(path.read_text("utf-8"))
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    ]


def _trdcore_plugins_output(manager: TrdcorePluginManager, monkeypatch: pytest.MonkeyPatch) -> str:
    """What ``trdcore plugins`` prints when the command line uses ``manager``."""
    monkeypatch.setattr(host, "plugin_manager", lambda: manager)
    result = CliRunner().invoke(build_cli(), ["plugins"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on ``sys.path`` standing in for site-packages; its modules are forgotten after."""
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for distribution in BROKEN:
        sys.modules.pop(distribution.replace("-", "_"), None)


@pytest.fixture
def installed(site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The example as pip would install it: importable, with its entry point in a dist-info."""
    project = _project()
    _write_metadata(site, project["name"], project["version"], project["entry-points"]["trdcore"])
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    sys.modules.pop(MODULE, None)
    try:
        yield importlib.import_module(MODULE)
    finally:
        sys.modules.pop(MODULE, None)


@pytest.mark.parametrize("name", _test_names(EXAMPLE_TESTS))
def test_the_example_plugin_passes_its_own_tests(
    name: str, installed: ModuleType, request: pytest.FixtureRequest
) -> None:
    spec = importlib.util.spec_from_file_location("trdcore_plaintext_example_tests", EXAMPLE_TESTS)
    assert spec is not None
    assert spec.loader is not None
    tests = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tests)
    function = getattr(tests, name)
    fixtures = {
        parameter: request.getfixturevalue(parameter)
        for parameter in inspect.signature(function).parameters
    }
    function(**fixtures)


def test_the_entry_point_names_the_plugin_module() -> None:
    project = _project()
    assert project["name"] == "trdcore-plaintext"
    assert project["entry-points"] == {"trdcore": {"plaintext": MODULE}}


def test_the_registered_citation_is_valid_and_can_be_looked_up(
    installed: ModuleType, trdcore_pm: TrdcorePluginManager, register_plugin: RegisterPlugin
) -> None:
    register_plugin(installed)
    [(_, document)] = content_documents(trdcore_pm)
    assert_valid(document, "source@1.0.0")
    assert (document["doi"], document["pmid"], document["year"]) == (
        "10.1002/da.22968",
        "31638723",
        2020,
    )
    assert (document["kind"], document["reliability"]) == ("review", "secondary")


def test_the_export_in_the_tutorial_is_what_the_plugin_writes(
    installed: ModuleType, trdcore_pm: TrdcorePluginManager, register_plugin: RegisterPlugin
) -> None:
    register_plugin(installed)
    outcome = run_export("plain-text", pm=trdcore_pm)
    outcome.assert_ok()
    tutorial = TUTORIAL.read_text("utf-8")
    assert f"$ cat build/catalog/catalog.txt\n{outcome.text('catalog.txt')}$ " in tutorial
    refused = run_export("plain-text", pm=trdcore_pm, options={"kinds": "drugs"})
    assert f"\nError: {refused.error}\n" in tutorial


def test_the_trdcore_plugins_listings_in_the_docs_are_what_it_prints(
    installed: ModuleType, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = _trdcore_plugins_output(
        get_plugin_manager(environ={"TRDCORE_PLUGINS": "plaintext"}), monkeypatch
    )
    for page in (TUTORIAL, INSTALLING):
        assert f"$ trdcore plugins\n{listing}```" in page.read_text("utf-8"), page.name
    for distribution, source in BROKEN.items():
        module = distribution.replace("-", "_")
        (site / f"{module}.py").write_text(source)
        _write_metadata(site, distribution, "1.0.0", {distribution.split("-", 1)[1]: module})
    with_broken = _trdcore_plugins_output(
        get_plugin_manager(environ={"TRDCORE_PLUGINS": "claims,plaintext,wiki"}), monkeypatch
    )
    assert f"$ trdcore plugins\n{with_broken}```" in INSTALLING.read_text("utf-8")


def test_the_tutorial_quotes_every_example_file_exactly() -> None:
    quoted = dict(QUOTED_FILE.findall(TUTORIAL.read_text("utf-8")))
    files = {
        path.relative_to(EXAMPLE).as_posix()
        for path in EXAMPLE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert set(quoted) == files
    for name, text in quoted.items():
        assert text == (EXAMPLE / name).read_text("utf-8"), f"tutorial.md is out of date: {name}"
