"""Every Python example in the README and the docs runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
EXAMPLES = [
    pytest.param(code, id=f"{page.relative_to(ROOT)}#{number}")
    for page in PAGES
    for number, code in enumerate(BLOCK.findall(page.read_text()))
]


def test_there_are_examples_to_run() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("code", EXAMPLES)
def test_example_runs(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(code, "<example>", "exec"), {})
    printed = capsys.readouterr().out
    for expected in re.findall(r"print\(.*?\)\s*# (.+)$", code, re.MULTILINE):
        hint = expected.split(",")[0].split(" ...")[0].strip()
        assert hint.split()[0] in printed
