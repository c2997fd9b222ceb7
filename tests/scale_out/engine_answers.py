"""The native engine's answers, to compare the Spark and Dask engines' with (issue 18)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson

AS_OF = "2026-11-27"
TRDCORE = [sys.executable, "-c", "from trdcore.cli import main; main()"]


def native(path: Path, *extra: str) -> dict[int, tuple[str, Any]]:
    """What ``trdcore evaluate --format ndjson`` (the native engine) gives, by line:
    ``("summary", document without source and line)`` or ``("problem", message)``."""
    run = subprocess.run(
        [*TRDCORE, "evaluate", str(path), "--format", "ndjson", "--as-of", AS_OF, *extra],
        capture_output=True,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr.decode()
    found: dict[int, tuple[str, Any]] = {}
    for line in run.stdout.splitlines():
        document = orjson.loads(line)
        document.pop("source")
        found[document.pop("line")] = ("summary", document)
    prefix = f"✗ {path}:"
    for line in run.stderr.decode().splitlines():
        if line.startswith(prefix):
            number, problem = line[len(prefix) :].split(": ", 1)
            found[int(number)] = ("problem", problem)
    return found


def lines_of(path: Path) -> list[bytes]:
    """The file's lines, numbered from 1 by their position (blank ones included)."""
    return path.read_bytes().split(b"\n")[:-1]
