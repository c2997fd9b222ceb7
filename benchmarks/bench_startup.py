"""Benchmark: command-line start-up with the installed plugins.

Target (issue 3): with every first-party plugin installed, `trdcore --help`
and `trdcore plugins` start in under 300 ms, and loading plugins adds under
100 ms. Wall-clock time of whole processes, best of N runs.

Run:  make bench   (or: .venv/bin/python benchmarks/bench_startup.py [--runs N])
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def best(command: list[str], runs: int, environ: dict[str, str] | None = None) -> float:
    env = dict(os.environ, **(environ or {}))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    trdcore = str(BIN / "trdcore")
    from trdcore.plugins import get_plugin_manager, plugins

    installed = [info.name for info in plugins(get_plugin_manager()) if not info.builtin]
    rows = [
        ("python -c pass (interpreter alone)", best([sys.executable, "-c", "pass"], args.runs)),
        ("python -c 'import trdcore'", best([sys.executable, "-c", "import trdcore"], args.runs)),
        ("trdcore --help", best([trdcore, "--help"], args.runs)),
        (
            "trdcore --help, no installed plugins (TRDCORE_PLUGINS=)",
            best([trdcore, "--help"], args.runs, {"TRDCORE_PLUGINS": ""}),
        ),
        ("trdcore plugins", best([trdcore, "plugins"], args.runs)),
    ]
    print(f"installed plugins: {', '.join(installed) or 'none'}; best of {args.runs} runs")
    print()
    print("| command | ms |")
    print("|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value:.0f} |")
    loading = rows[2][1] - rows[3][1]
    print()
    print(
        f"plugin loading adds {loading:.0f} ms (target < 100); "
        f"--help {rows[2][1]:.0f} ms and plugins {rows[4][1]:.0f} ms (target < 300)"
    )


if __name__ == "__main__":
    main()
