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

Spark and Dask get `--partitions P`, by default one partition per 25,000 histories (40 for
1,000,000; `--partitions 0` runs the engines' defaults). When the command fetched Spark's
NDJSON rows with `toLocalIterator`, the driver's 1 GB JVM heap ran out after some 400,000 to
630,000 lines of 1,000,000 (and at 200,000 with Spark's default 128 MB splits); the command
now streams a local session's output through a scratch Parquet folder and finishes within
the default heap. `--spark-driver-memory` remains for trying other heaps.

Every engine runs as a subprocess, with its output written to a file in a temporary folder
and counted (rows must equal histories; the engines' first lines are compared, source and
line aside), one engine after the other and interleaved (native, spark, dask,
native, ...) for `--rounds` rounds, so a slow minute on this noisy machine hits them alike.
The summary takes the best (lowest) wall and the best CPU of the rounds, each on its own;
every run is printed too. A command still running after `--timeout` seconds is killed and
its engine reported as failed.

Start-up: each engine also runs on the first `--tiny` histories (default 1,000) of the same
file. "After start-up" is (CPU on N - CPU on tiny) / (N - tiny), and the same for the wall.

CPU is the user + system time of every process the command starts: the CLI, the native worker
pool, Spark's JVM and its Python workers, Dask's worker processes. A process's rusage only
includes the children it waited for, and two kinds of CPU escape the usual measure:

1. The CLI does not wait for Spark's JVM, which outlives the Python driver and is reparented:
   `RUSAGE_CHILDREN` (or `os.wait4` of the CLI) missed 94% of Spark's CPU in a trial run
   (1.1 s of 18.2 s, 20,000 histories). So this benchmark makes itself a child subreaper
   (Linux `prctl(PR_SET_CHILD_SUBREAPER)`): orphaned descendants are reparented to it, and it
   reaps each of them with `os.wait4`, summing the rusage of every process it reaps.
2. `pyspark.daemon` sets SIGCHLD to SIG_IGN, so the kernel reaps the Python workers it forks
   and adds their CPU to no one's rusage. A thread samples the user + system time of every
   descendant with psutil every 0.2 s; the last sample of each process whose parent ignores
   SIGCHLD is added (column `unreaped`). The workers are long-lived (Spark reuses them) and
   idle at the end, so the last 0.2 s that the sampling misses costs next to nothing.

As a check, `sampled` is the sampled CPU of all descendants over the total: a little under
1.00 when nothing escapes (each process's last 0.2 s escapes the sampling; short runs lower),
above 1.00 when some CPU escaped the measure. The sampled CPU by kind of process (CLI, JVM,
Python workers) is printed under each run. Peak RSS is that of the largest process.

Run from the repository root (Linux, Java 17 for Spark, the [spark] and [dask] extras):
    .venv/bin/python benchmarks/bench_scale_out.py [--histories N] [--tiny T] [--rounds R]
        [--jobs J] [--partitions P] [--parquet] [--timeout S] [--spark-driver-memory 3g]
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


def ignores_sigchld(pid: int) -> bool:
    """Whether a process ignores SIGCHLD: then the kernel reaps its children at once and adds
    their CPU to no one's rusage."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("SigIgn:"):
                    return bool(int(line.split()[1], 16) >> (signal.SIGCHLD - 1) & 1)
    except OSError:
        pass
    return False


class Sampler(threading.Thread):
    """The last seen own user + system time of every descendant of this process, and whether
    its parent ignores SIGCHLD (its CPU then reaches no rusage)."""

    def __init__(self, period: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.period = period
        self.seen: dict[int, tuple[str, float, bool]] = {}
        self.done = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self.done.is_set():
            for process in me.children(recursive=True):
                try:
                    with process.oneshot():
                        times = process.cpu_times()
                        parent = process.ppid()
                        command = process.cmdline()
                    # A process that has exited (a zombie) shows no command line.
                    name = kind(command) if command else self.seen.get(process.pid, ("other",))[0]
                    lost = parent != me.pid and ignores_sigchld(parent)
                    self.seen[process.pid] = (name, times.user + times.system, lost)
                except psutil.Error:
                    pass
            self.done.wait(self.period)

    def stop(self, reaped: set[int]) -> tuple[float, float, dict[str, float]]:
        """Sampled CPU in all; of it, that of processes no rusage counts; CPU by kind."""
        self.done.set()
        self.join()
        parts: dict[str, float] = collections.defaultdict(float)
        for name, seconds, _ in self.seen.values():
            parts[name] += seconds
        lost = sum(
            seconds
            for pid, (_, seconds, unreaped) in self.seen.items()
            if unreaped and pid not in reaped
        )
        return sum(parts.values()), lost, dict(parts)


def kill_descendants() -> None:
    """SIGKILL every process this benchmark started that is still running (by pid)."""
    for child in psutil.Process().children(recursive=True):
        try:
            print(f"  killing process {child.pid} {' '.join(child.cmdline()[:3])}", flush=True)
            child.send_signal(signal.SIGKILL)
        except psutil.Error:
            pass


def run_measured(
    command: list[str], stdout: Path, stderr: Path, cwd: str, timeout: float, env: dict[str, str]
) -> dict[str, Any]:
    """Run a command; wall time to its exit, CPU and peak RSS of it and every descendant."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    sampler = Sampler()
    sampler.start()
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=cwd, env=env)
        # A job can hang (Spark's driver out of heap): then stop the whole tree.
        fired = threading.Event()
        timer = threading.Timer(timeout, lambda: (fired.set(), kill_descendants()))
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    # Reap what the command left behind (Spark's JVM, and what the JVM did not wait for).
    deadline, tail = time.monotonic() + 120, time.perf_counter()
    reaped: set[int] = set()
    while True:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            if time.monotonic() > deadline:
                print("  processes left running 120 s after the command exited:")
                kill_descendants()
                deadline = float("inf")
            time.sleep(0.02)
            continue
        reaped.add(pid)
        cpu += usage.ru_utime + usage.ru_stime
        peak = max(peak, usage.ru_maxrss)
    tail = time.perf_counter() - tail
    sampled, lost, parts = sampler.stop(reaped)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    delta = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if abs(delta - cpu) > 0.05 + 0.001 * cpu:
        print(f"  note: wait4 sum {cpu:.2f} s, RUSAGE_CHILDREN delta {delta:.2f} s")
    return {
        "rc": f"timed out after {timeout:.0f} s" if fired.is_set() else process.returncode,
        "wall": wall,
        "cpu": cpu + lost,
        "rusage": cpu,
        "lost": lost,
        "sampled": sampled,
        "parts": parts,
        "orphans": len(reaped),
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
    name: str,
    source: Path,
    expected: int,
    folder: Path,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """One measured run; "error" says why it failed (exit code, timeout, wrong row count)."""
    engine, output_format = ENGINES[name]
    out = folder / ("out.parquet" if output_format == "parquet" else "out.ndjson")
    stdout, stderr = folder / "stdout", folder / "stderr"
    command = command_for(name, source, out, args.jobs, args.partitions)
    env = dict(os.environ)
    if engine == "spark" and args.spark_driver_memory:
        # Read by pyspark when it starts the JVM (a local master's driver is its executor).
        env["PYSPARK_SUBMIT_ARGS"] = f"--driver-memory {args.spark_driver_memory} pyspark-shell"
    load = os.getloadavg()[0]
    result = run_measured(command, stdout, stderr, str(folder), args.timeout, env)
    result["load"] = load
    written = out if engine != "native" else stdout
    if result["rc"] != 0:
        lines = stderr.read_text(errors="replace").splitlines()
        # The first lines naming an error (a JVM's cause), then the CLI's own last line.
        causes = [line for line in lines if "Error" in line or "Exception" in line]
        shown = list(dict.fromkeys([*causes[:6], *lines[-1:]]))
        result["error"] = f"exit {result['rc']}: {' '.join(command)}\n" + "\n".join(shown)
    else:
        result["rows"] = count_rows(written, output_format)
        result["first"] = first_line(written) if output_format == "ndjson" else None
        if result["rows"] != expected:
            result["error"] = f"{result['rows']:,} output rows for {expected:,} histories"
    for path in (out, stdout, stderr):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    return result


def print_run(round_: int, name: str, count: int, result: dict[str, Any]) -> None:
    head = f"{round_:>5} {name:<14} {count:>9,} {result['wall']:>7.2f}"
    if "error" in result:
        print(f"{head}  FAILED after {result['cpu']:.2f} s CPU: {result['error']}", flush=True)
        return
    print(
        f"{head} {count / result['wall']:>8,.0f} {result['cpu']:>7.2f} {result['lost']:>8.2f} "
        f"{result['cpu'] / count * 1e6:>8.1f} {result['sampled'] / result['cpu']:>7.2f} "
        f"{result['orphans']:>7} {result['peak_mb']:>6.0f} {result['rows']:>9,} "
        f"{result['load']:>5.2f}"
    )
    parts = sorted(result["parts"].items(), key=lambda item: -item[1])
    print(
        "      sampled CPU s: "
        + ", ".join(f"{part} {seconds:.2f}" for part, seconds in parts if seconds >= 0.005)
        + f"; last process reaped {result['tail']:.2f} s after the command exited",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, default=1_000_000)
    parser.add_argument("--tiny", type=int, default=1_000, help="histories of the start-up run")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds per engine")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--partitions",
        type=int,
        default=None,
        help="spark/dask --partitions (default: one per 25,000 histories, at least 2 x jobs; "
        "0: the engine's own default)",
    )
    parser.add_argument("--parquet", action="store_true", help="also spark/dask --format parquet")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per command")
    parser.add_argument(
        "--spark-driver-memory",
        metavar="SIZE",
        help="Spark's driver heap, e.g. 3g (PYSPARK_SUBMIT_ARGS; default: Spark's own, 1g)",
    )
    args = parser.parse_args()
    if not 0 < args.tiny < args.histories:
        parser.error("--tiny must be between 0 and --histories")
    if args.partitions is None:
        args.partitions = max(2 * args.jobs, -(-args.histories // 25_000))
    become_subreaper()
    names = ["native", "spark", "dask"] + (["spark parquet", "dask parquet"] * args.parquet)
    with tempfile.TemporaryDirectory(prefix="bench-scale-out-") as temporary:
        folder = Path(temporary)
        big, small = folder / "in.ndjson", folder / "tiny.ndjson"
        start = time.perf_counter()
        mean = write_input(big, small, args.histories, args.tiny)
        print(
            f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
            f"{args.histories:,} histories ({big.stat().st_size / 1e6:,.0f} MB, {mean:.0f} bytes "
            f"each, written in {time.perf_counter() - start:.0f} s); start-up run: the first "
            f"{args.tiny:,}; --jobs {args.jobs}, spark/dask --partitions "
            f"{args.partitions or 'default'}; spark driver memory "
            f"{args.spark_driver_memory or 'default (1g)'}"
        )
        print(
            f"{'round':>5} {'engine':<14} {'histories':>9} {'wall s':>7} {'hist/s':>8} "
            f"{'CPU s':>7} {'unreaped':>8} {'µs/hist':>8} {'sampled':>7} {'orphans':>7} "
            f"{'RSS MB':>6} {'rows':>9} {'load':>5}"
        )
        runs: dict[tuple[str, int], list[dict[str, Any]]] = collections.defaultdict(list)
        for round_ in range(1, args.rounds + 1):
            for name in names:
                for count, source in ((args.tiny, small), (args.histories, big)):
                    result = run_engine(name, source, count, folder, args)
                    runs[name, count].append(result)
                    print_run(round_, name, count, result)
        summarise(names, runs, args.histories, args.tiny, args.rounds)


def summarise(
    names: list[str],
    runs: dict[tuple[str, int], list[dict[str, Any]]],
    n: int,
    tiny: int,
    rounds: int,
) -> None:
    good = {key: [run for run in value if "error" not in run] for key, value in runs.items()}
    firsts = [run["first"] for name in names for run in good[name, n] if run["first"]]
    if any(first != firsts[0] for first in firsts):
        print("warning: the engines' first output lines differ (source and line aside)")
    elif firsts:
        print(f"\nthe first output line is the same for every engine ({len(firsts)} runs)")
    which = f"best of {rounds} rounds, for each figure on its own" if rounds > 1 else "1 round"
    print(
        f"summary ({which}); * after start-up: (N run - {tiny:,}-history run) / {n - tiny:,} "
        "histories; CPU: every process of the command"
    )
    print(
        f"{'engine':<14} {'wall s':>7} {'hist/s':>8} {'CPU s':>7} {'µs/hist':>8} "
        f"{'start wall':>10} {'start CPU':>9} {'hist/s*':>8} {'µs/hist*':>8} {'x native*':>9} "
        f"{'goal':>6}"
    )
    after: dict[str, float] = {}
    for name in names:
        if not good[name, n] or not good[name, tiny]:
            print(f"{name:<14} failed: no successful run on both inputs")
            continue
        wall = min(run["wall"] for run in good[name, n])
        cpu = min(run["cpu"] for run in good[name, n])
        start_wall = min(run["wall"] for run in good[name, tiny])
        start_cpu = min(run["cpu"] for run in good[name, tiny])
        after[name] = (cpu - start_cpu) / (n - tiny) * 1e6
        base = after.get("native", 0.0)
        ratio = after[name] / base if base > 0 and after[name] > 0 else float("nan")
        rate = f"{(n - tiny) / (wall - start_wall):>8,.0f}" if wall > start_wall else f"{'-':>8}"
        goal = GOALS.get(name)
        verdict = "" if goal is None else f"≤{goal}x {'met' if ratio <= goal else 'NOT met'}"
        if goal is not None and ratio != ratio:  # NaN: start-up noise outweighs the N run
            verdict = "n/a: too few histories"
        print(
            f"{name:<14} {wall:>7.2f} {n / wall:>8,.0f} {cpu:>7.2f} {cpu / n * 1e6:>8.1f} "
            f"{start_wall:>10.2f} {start_cpu:>9.2f} {rate} {after[name]:>8.1f} {ratio:>9.2f} "
            f"{verdict}"
        )
    if rounds > 1:
        medians = [
            f"{name} {statistics.median(run['cpu'] for run in good[name, n]):.2f}"
            for name in names
            if good[name, n]
        ]
        print("median CPU s of the N runs: " + ", ".join(medians))


if __name__ == "__main__":
    main()
