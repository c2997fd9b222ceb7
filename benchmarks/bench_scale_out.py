"""Benchmark: the same histories evaluated native, on Spark local[2] and on Dask (2 workers).

Targets (issue 18): one run evaluates the same N histories (default 1,000,000) with
`trdcore evaluate --all --format ndjson --jobs 2` on each engine and reports histories/s and
CPU µs per history. Goals: Spark at most 1.3x and Dask at most 1.1x the native CPU per
history, after start-up; start-up reported separately.

- native: `--jobs 2` (the CLI and a pool of 2 worker processes), output on standard output,
  redirected to a file (the native engine takes no `--out`);
- spark: `--engine spark --jobs 2` (master `local[2]`), `--out FILE`;
- dask: `--engine dask --jobs 2` (a LocalCluster of 2 worker processes, one thread each),
  `--out FILE`;
- with `--parquet`, also spark and dask with `--format parquet --out FOLDER` (extra rows,
  not compared with the goals: the output is a different format).

Every engine runs as a subprocess, with its output written to a file in a temporary folder,
one engine after the other and interleaved (native, spark, dask, native, ...) for `--rounds`
rounds, so a slow minute on this noisy machine hits them alike. The summary takes the best
(lowest) wall and the best CPU of the rounds, each on its own; every run is printed too.

Start-up: each engine also runs on the first `--tiny` histories (default 1,000) of the same
file. "After start-up" is (CPU on N - CPU on tiny) / (N - tiny), and the same for the wall.

CPU is the user + system time of every process the command starts, its descendants included:
the CLI, the native worker pool, Spark's JVM and its Python workers (`pyspark.daemon`), Dask's
worker processes. A process's rusage only includes the children that it waited for, and the
CLI does not wait for Spark's JVM: the JVM outlives the Python driver and is reparented, so
`RUSAGE_CHILDREN` of the CLI missed 94% of Spark's CPU in a trial run (1.1 s of 18.2 s, 20,000
histories). This benchmark therefore makes itself a child subreaper (Linux
`prctl(PR_SET_CHILD_SUBREAPER)`): orphaned descendants are reparented to it, and it reaps each
of them with `os.wait4`, summing the rusage of every process it reaps, after the CLI has
exited. As a check, a thread samples the cpu_times of every descendant with psutil each 0.2 s;
the `sampled` column is that sum over the rusage sum (a little under 1.00 when nothing is
missed, since the last 0.2 s of each process escapes the sampling; above 1.00 would mean
CPU escaped the rusage). The sampling also splits the CPU by kind of process (`--breakdown`).

Run from the repository root (Linux, Java 17 for Spark, the [spark] and [dask] extras):
    .venv/bin/python benchmarks/bench_scale_out.py [--histories N] [--tiny T] [--rounds R]
        [--jobs J] [--partitions P] [--parquet]
1,000,000 histories write a 545 MB input file and about 1.1 GB per engine's output to a
temporary folder (each output deleted after it is counted; the folder afterwards).
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import psutil

sys.path.insert(0, str(Path(__file__).parent))
from bench_validate import history

TRDCORE = str(Path(sys.executable).parent / "trdcore")
AS_OF = "2026-11-27"
PR_SET_CHILD_SUBREAPER = 36
# Goals of issue 18: CPU per history after start-up, relative to native.
GOALS = {"spark": 1.3, "dask": 1.1}


def become_subreaper() -> None:
    """Orphaned descendants are reparented to this process, so their rusage reaches it."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def kind(command: list[str]) -> str:
    """Which part of an engine a process is, from its command line."""
    text = " ".join(command)
    if "pyspark.daemon" in text:
        return "spark python workers"
    if command and command[0].endswith("java") and "SparkSubmit" in text:
        return "spark JVM"
    if "spark-class" in text or "org.apache.spark.launcher" in text:
        return "spark launcher"
    if "multiprocessing.spawn" in text or "multiprocessing.forkserver" in text:
        return "worker processes"
    if "resource_tracker" in text:
        return "resource tracker"
    if "trdcore" in text and "evaluate" in text:
        return "CLI"
    return "other"


class Sampler(threading.Thread):
    """The last seen own user + system time of every descendant of this process."""

    def __init__(self, period: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.period = period
        self.seen: dict[int, tuple[str, float]] = {}
        self.done = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self.done.is_set():
            for process in me.children(recursive=True):
                try:
                    with process.oneshot():
                        times = process.cpu_times()
                        name = self.seen.get(process.pid, (None,))[0] or kind(process.cmdline())
                    self.seen[process.pid] = (name, times.user + times.system)
                except psutil.Error:
                    pass
            self.done.wait(self.period)

    def stop(self) -> tuple[float, dict[str, float]]:
        self.done.set()
        self.join()
        parts: dict[str, float] = collections.defaultdict(float)
        for name, seconds in self.seen.values():
            parts[name] += seconds
        return sum(parts.values()), dict(parts)


def run_measured(command: list[str], stdout: Path, stderr: Path, cwd: str) -> dict[str, Any]:
    """Run a command; wall time to its exit, CPU and peak RSS of it and every descendant."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    sampler = Sampler()
    sampler.start()
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    # Reap what the command left behind (Spark's JVM, and what the JVM did not wait for).
    deadline, tail = time.monotonic() + 120, time.perf_counter()
    reaped = 0
    while True:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            if time.monotonic() > deadline:
                for child in psutil.Process().children(recursive=True):
                    print(f"  killing leftover process {child.pid} {child.cmdline()[:3]}")
                    child.send_signal(signal.SIGKILL)
                deadline = float("inf")
            time.sleep(0.02)
            continue
        reaped += 1
        cpu += usage.ru_utime + usage.ru_stime
        peak = max(peak, usage.ru_maxrss)
    tail = time.perf_counter() - tail
    sampled, parts = sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    delta = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if abs(delta - cpu) > 0.05 + 0.001 * cpu:
        print(f"  note: wait4 sum {cpu:.2f} s, RUSAGE_CHILDREN delta {delta:.2f} s")
    return {
        "rc": process.returncode,
        "wall": wall,
        "cpu": cpu,
        "sampled": sampled,
        "parts": parts,
        "orphans": reaped,
        "tail": tail,
        "peak_mb": peak / 1024,
    }


def write_input(path: Path, tiny_path: Path, count: int, tiny: int) -> float:
    """The histories (the first `tiny` of them also in their own file); mean bytes a line."""
    rng = random.Random(11)
    size = 0
    with path.open("wb") as out, tiny_path.open("wb") as small:
        for number in range(count):
            line = orjson.dumps(history(rng, number)) + b"\n"
            size += len(line)
            out.write(line)
            if number < tiny:
                small.write(line)
    return size / count


def count_rows(path: Path, output_format: str) -> int:
    if output_format == "parquet":
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(part).metadata.num_rows for part in path.glob("*.parquet"))
    lines = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 24):
            lines += block.count(b"\n")
    return lines


def first_line(path: Path) -> dict[str, Any]:
    """The first output line without the native engine's source and line."""
    with path.open("rb") as stream:
        document = orjson.loads(stream.readline())
    document.pop("source", None)
    document.pop("line", None)
    return document


ENGINES: dict[str, tuple[str, str]] = {
    # name: (engine, output format)
    "native": ("native", "ndjson"),
    "spark": ("spark", "ndjson"),
    "dask": ("dask", "ndjson"),
    "spark parquet": ("spark", "parquet"),
    "dask parquet": ("dask", "parquet"),
}


def command_for(name: str, source: Path, out: Path, jobs: int, partitions: int | None) -> list:
    engine, output_format = ENGINES[name]
    command = [TRDCORE, "evaluate", str(source), "--all", "--format", output_format]
    command += ["--as-of", AS_OF, "--jobs", str(jobs)]
    if engine != "native":
        command += ["--engine", engine, "--out", str(out)]
        if partitions:
            command += ["--partitions", str(partitions)]
    return command


def run_engine(
    name: str, source: Path, expected: int, folder: Path, jobs: int, partitions: int | None
) -> dict[str, Any]:
    engine, output_format = ENGINES[name]
    out = folder / ("out.parquet" if output_format == "parquet" else "out.ndjson")
    stdout, stderr = folder / "stdout", folder / "stderr"
    command = command_for(name, source, out, jobs, partitions)
    load = os.getloadavg()[0]
    result = run_measured(command, stdout, stderr, str(folder))
    written = out if engine != "native" else stdout
    if result["rc"] != 0:
        tail = stderr.read_text(errors="replace").splitlines()[-15:]
        raise SystemExit(
            f"{name} failed (exit {result['rc']}): {' '.join(command)}\n" + "\n".join(tail)
        )
    result["rows"] = count_rows(written, output_format)
    result["first"] = first_line(written) if output_format == "ndjson" else None
    result["load"] = load
    if result["rows"] != expected:
        raise SystemExit(f"{name}: {result['rows']:,} output rows for {expected:,} histories")
    for path in (out, stdout, stderr):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, default=1_000_000)
    parser.add_argument("--tiny", type=int, default=1_000, help="histories of the start-up run")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds per engine")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=None, help="spark/dask --partitions")
    parser.add_argument("--parquet", action="store_true", help="also spark/dask --format parquet")
    parser.add_argument("--breakdown", action="store_true", help="print CPU by kind of process")
    args = parser.parse_args()
    if not 0 < args.tiny < args.histories:
        parser.error("--tiny must be between 0 and --histories")
    become_subreaper()
    names = ["native", "spark", "dask"] + (
        ["spark parquet", "dask parquet"] if args.parquet else []
    )
    with tempfile.TemporaryDirectory(prefix="bench-scale-out-") as temporary:
        folder = Path(temporary)
        big, small = folder / "in.ndjson", folder / "tiny.ndjson"
        start = time.perf_counter()
        mean = write_input(big, small, args.histories, args.tiny)
        print(
            f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
            f"{args.histories:,} histories ({big.stat().st_size / 1e6:,.0f} MB, {mean:.0f} bytes "
            f"each, written in {time.perf_counter() - start:.0f} s); start-up run: the first "
            f"{args.tiny:,}; --jobs {args.jobs}"
            + (f" --partitions {args.partitions}" if args.partitions else "")
        )
        print(
            f"{'round':>5} {'engine':<14} {'histories':>9} {'wall s':>7} {'hist/s':>8} "
            f"{'CPU s':>7} {'µs/hist':>8} {'sampled':>7} {'orphans':>7} {'RSS MB':>6} "
            f"{'rows':>9} {'load':>5}"
        )
        runs: dict[tuple[str, int], list[dict[str, Any]]] = collections.defaultdict(list)
        for round_ in range(1, args.rounds + 1):
            for name in names:
                for count, source in ((args.tiny, small), (args.histories, big)):
                    result = run_engine(name, source, count, folder, args.jobs, args.partitions)
                    runs[name, count].append(result)
                    print(
                        f"{round_:>5} {name:<14} {count:>9,} {result['wall']:>7.2f} "
                        f"{count / result['wall']:>8,.0f} {result['cpu']:>7.2f} "
                        f"{result['cpu'] / count * 1e6:>8.1f} "
                        f"{result['sampled'] / result['cpu']:>7.2f} {result['orphans']:>7} "
                        f"{result['peak_mb']:>6.0f} {result['rows']:>9,} {result['load']:>5.2f}",
                        flush=True,
                    )
                    if args.breakdown:
                        parts = sorted(result["parts"].items(), key=lambda item: -item[1])
                        print(
                            "      sampled CPU s: "
                            + ", ".join(f"{part} {seconds:.2f}" for part, seconds in parts)
                        )
        summarise(names, runs, args.histories, args.tiny, args.rounds)


def summarise(
    names: list[str],
    runs: dict[tuple[str, int], list[dict[str, Any]]],
    n: int,
    tiny: int,
    rounds: int,
) -> None:
    native_first = runs["native", n][0]["first"]
    for name in names:
        first = runs[name, n][0]["first"]
        if first is not None and first != native_first:
            print(f"warning: {name}'s first line differs from native's: {first} / {native_first}")
    best = "best" if rounds > 1 else "one run"
    print(
        f"\nsummary ({best} of {rounds} round{'s' * (rounds > 1)} per figure); "
        f"after start-up = (N run - {tiny:,}-history run) / {n - tiny:,} histories"
    )
    print(
        f"{'engine':<14} {'wall s':>7} {'hist/s':>8} {'CPU s':>7} {'µs/hist':>8} "
        f"{'start wall':>10} {'start CPU':>9} {'hist/s*':>8} {'µs/hist*':>8} {'x native*':>9} "
        f"{'goal':>6}"
    )
    summary: dict[str, dict[str, float]] = {}
    for name in names:
        wall = min(run["wall"] for run in runs[name, n])
        cpu = min(run["cpu"] for run in runs[name, n])
        start_wall = min(run["wall"] for run in runs[name, tiny])
        start_cpu = min(run["cpu"] for run in runs[name, tiny])
        summary[name] = {
            "wall": wall,
            "cpu": cpu,
            "rate": (n - tiny) / (wall - start_wall),
            "after": (cpu - start_cpu) / (n - tiny) * 1e6,
        }
        ratio = summary[name]["after"] / summary["native"]["after"]
        goal = GOALS.get(name)
        verdict = "" if goal is None else f"≤{goal}x {'met' if ratio <= goal else 'NOT met'}"
        print(
            f"{name:<14} {wall:>7.2f} {n / wall:>8,.0f} {cpu:>7.2f} {cpu / n * 1e6:>8.1f} "
            f"{start_wall:>10.2f} {start_cpu:>9.2f} {summary[name]['rate']:>8,.0f} "
            f"{summary[name]['after']:>8.1f} {ratio:>9.2f} {verdict}"
        )
    if rounds > 1:
        spread = {name: statistics.median(run["cpu"] for run in runs[name, n]) for name in names}
        print(
            "median CPU s of the N runs: "
            + ", ".join(f"{name} {seconds:.2f}" for name, seconds in spread.items())
        )
    print("* after start-up; µs/hist is CPU µs per history, every process of the command")


if __name__ == "__main__":
    main()
