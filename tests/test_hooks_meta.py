"""Every plugin hook has a test, a section in docs/plugins/hooks.md and a working example there.

datasette's meta-tests, for trdcore: adding a hook to ``trdcore/hookspecs.py``
without its ``test_hook_<name>`` test, without a heading in the hooks page that
is its exact signature, or with an example that no longer runs, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trdcore import hookspecs
from trdcore.plugins import get_plugin_manager

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
HOOKS_PAGE = ROOT / "docs" / "plugins" / "hooks.md"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _signatures() -> dict[str, str]:
    """Each hook's documented signature, ``name(arg, ...)``, from the spec the manager holds."""
    manager = get_plugin_manager(load_entry_points=False, environ={})
    names = [name for name in hookspecs.__all__ if name.startswith("trdcore_")]
    return {
        name: f"{name}({', '.join(getattr(manager.hook, name).spec.argnames)})" for name in names
    }


def _sections(markdown: str) -> dict[str, str]:
    """The text under each level-two heading, by heading (headings in code blocks ignored)."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    in_code = False
    for line in markdown.splitlines(keepends=True):
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith("## "):
            current = sections.setdefault(line[3:].rstrip("\n"), [])
            continue
        current.append(line)
    return {heading: "".join(lines) for heading, lines in sections.items()}


SIGNATURES = _signatures()
HOOKS = sorted(SIGNATURES)
SECTIONS = _sections(HOOKS_PAGE.read_text("utf-8"))


def test_the_hooks_listed_in_hookspecs_are_the_hooks_in_the_manager() -> None:
    manager = get_plugin_manager(load_entry_points=False, environ={})
    in_manager = {name for name in dir(manager.hook) if name.startswith("trdcore_")}
    assert in_manager == set(HOOKS), "list every hook in trdcore.hookspecs.__all__"


@pytest.mark.parametrize("hook", HOOKS)
def test_each_hook_has_a_heading_that_is_its_signature(hook: str) -> None:
    assert SIGNATURES[hook] in SECTIONS, (
        f"docs/plugins/hooks.md needs the heading '## {SIGNATURES[hook]}'"
    )


def test_every_hook_heading_names_a_hook_with_its_current_signature() -> None:
    documented = {heading for heading in SECTIONS if heading.startswith("trdcore_")}
    assert documented <= set(SIGNATURES.values()), "a stale or misspelled hook heading"


@pytest.mark.parametrize("hook", HOOKS)
def test_each_hook_has_a_test(hook: str) -> None:
    definition = re.compile(rf"^\s*def test_hook_{hook}\(", re.MULTILINE)
    found = [
        path.relative_to(ROOT)
        for path in sorted(TESTS.rglob("test_*.py"))
        if definition.search(path.read_text("utf-8"))
    ]
    assert found, f"write a test named test_hook_{hook} under tests/"


@pytest.mark.parametrize("hook", HOOKS)
def test_each_hook_example_implements_the_hook_and_runs(
    hook: str, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = PYTHON_BLOCK.findall(SECTIONS.get(SIGNATURES[hook], ""))
    assert examples, f"add a ```python example under '## {SIGNATURES[hook]}'"
    assert any(f"def {hook}(" in code for code in examples), "the example must implement it"
    for code in examples:
        exec(compile(code, f"docs/plugins/hooks.md, {hook}", "exec"), {})
    assert capsys.readouterr().out, "the example should print what the host sees"
