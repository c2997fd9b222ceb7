"""Hold two trdcore trees to the same output on one corpus, command shape by command shape.

Usage:
  .venv/bin/python benchmarks/compare_outputs.py CORPUS.ndjson BASELINE_TREE [--jobs N]

BASELINE_TREE is a checkout of the revision to compare with (``git worktree add
/tmp/trd-baseline <rev>``); its ``src`` and plugin ``src`` folders go first on
PYTHONPATH, so both sides run in this venv with their own code. Each shape's standard
output and standard error and its exit code must be byte-identical; the first difference
is printed. Make the corpus with benchmarks/make_corpus.py.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-27"
SHAPES = {
    "summaries": ["--all", "--format", "ndjson"],
    "summaries --stages": ["--all", "--format", "ndjson", "--stages"],
    "explain": ["--all", "--format", "ndjson", "--explain"],
    "json": ["--all", "--format", "json"],
    "text": ["--all", "--format", "text"],
}


def run(tree: Path, corpus: Path, arguments: list[str], out: Path) -> tuple[int, float]:
    paths = [tree / "src", *sorted((tree / "plugins").glob("*/src"))]
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(map(str, paths)))
    command = [
        sys.executable,
        "-c",
        "import sys; from trdcore.cli import main; sys.argv[0] = 'trdcore'; main()",
        "evaluate",
        str(corpus),
        "--as-of",
        AS_OF,
        *arguments,
    ]
    started = time.perf_counter()
    with out.with_suffix(".out").open("wb") as stdout, out.with_suffix(".err").open("wb") as err:
        code = subprocess.call(command, stdout=stdout, stderr=err, env=environment, cwd=tree)
    return code, time.perf_counter() - started


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def first_difference(left: Path, right: Path) -> str:
    with left.open("rb") as a, right.open("rb") as b:
        for number, (x, y) in enumerate(zip(a, b, strict=False), 1):
            if x != y:
                return f"line {number}:\n  baseline {x[:400]!r}\n  current  {y[:400]!r}"
    return "one output is a prefix of the other"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("baseline", type=Path)
    parser.add_argument("--jobs", default="2")
    parser.add_argument("--shape", action="append", choices=sorted(SHAPES))
    options = parser.parse_args()
    corpus = options.corpus.resolve()
    same = True
    with tempfile.TemporaryDirectory() as folder:
        for name in options.shape or SHAPES:
            arguments = [*SHAPES[name], "--jobs", options.jobs]
            base = Path(folder) / f"{name.replace(' ', '_')}-baseline"
            here = Path(folder) / f"{name.replace(' ', '_')}-current"
            base_code, base_time = run(options.baseline.resolve(), corpus, arguments, base)
            code, seconds = run(ROOT, corpus, arguments, here)
            problems = []
            if base_code != code:
                problems.append(f"exit code {base_code} != {code}")
            for suffix in (".out", ".err"):
                a, b = base.with_suffix(suffix), here.with_suffix(suffix)
                if a.read_bytes() != b.read_bytes():
                    problems.append(f"{suffix[1:]} differs at {first_difference(a, b)}")
            status = "identical" if not problems else "DIFFERENT"
            print(
                f"{name:<20} {status:<10} exit {code}  {digest(here.with_suffix('.out'))}  "
                f"baseline {base_time:6.1f} s  current {seconds:6.1f} s"
            )
            for problem in problems:
                print("   ", problem)
            same = same and not problems
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
