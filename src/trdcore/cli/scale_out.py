"""``trdcore evaluate --engine spark|dask``: the same evaluation on a Spark or Dask cluster.

The input is an NDJSON file (one history per non-blank line, as for the native
engine) or Parquet (a file or a folder, the history in ``--history-column``). With
``--format ndjson`` the output lines are the native engine's summary lines without
``source`` and ``line``, in input order; with ``--format parquet`` the engine writes
a Parquet folder with the documented columns (docs/scale-out.md). Histories that
cannot be evaluated are named on standard error, by history id where they have one
(a distributed reader knows no line numbers); the exit code is then 1.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click

from trdcore.exceptions import ClusterError, TrdcoreError, UsageError

__all__ = ["ScaleOut", "run_scale_out", "scale_out_options"]

Decorated = TypeVar("Decorated", bound=Callable[..., Any])

_NAMES = ("engine", "master", "remote", "scheduler", "out", "history_column", "keep", "partitions")


@attrs.frozen
class ScaleOut:
    """Where and how ``trdcore evaluate`` runs: the native engine or a cluster's."""

    engine: str = "native"
    master: str | None = None
    remote: str | None = None
    scheduler: str | None = None
    out: Path | None = None
    history_column: str = "history"
    keep: tuple[str, ...] = ()
    partitions: int | None = None

    def check(self, output_format: str, explain: bool) -> None:
        """Usage errors for options that do not go together."""
        if self.engine == "native":
            named = [f"--{n.replace('_', '-')}" for n in _NAMES[1:] if _given(self, n)]
            if output_format == "parquet":
                named.insert(0, "--format parquet")
            if named:
                raise UsageError(f"{named[0]} needs --engine spark or --engine dask")
            return
        if output_format not in ("ndjson", "parquet"):
            raise UsageError(f"--engine {self.engine} writes --format ndjson or --format parquet")
        if explain:
            raise UsageError(f"--explain is not available with --engine {self.engine}")
        if self.engine == "dask" and (self.master or self.remote):
            raise UsageError("--master and --remote are Spark's; Dask takes --scheduler")
        if self.engine == "spark" and self.scheduler:
            raise UsageError("--scheduler is Dask's; Spark takes --master or --remote")
        if self.master and self.remote:
            raise UsageError("give --master or --remote, not both")
        if output_format == "parquet" and self.out is None:
            raise UsageError("--format parquet needs --out FOLDER")
        if self.out is not None and self.out.exists():
            raise UsageError(f"{self.out} already exists: choose a new --out")


def _given(settings: ScaleOut, name: str) -> bool:
    value = getattr(settings, name)
    return value not in (None, (), "history")


def scale_out_options(command: Decorated) -> Decorated:
    """The ``--engine`` options, passed to the command as one :class:`ScaleOut` (``scale_out``)."""

    @functools.wraps(command)
    def wrapper(**options: Any) -> Any:
        given = {name: options.pop(name) for name in _NAMES}
        given["keep"] = tuple(given["keep"])
        return command(scale_out=ScaleOut(**given), **options)

    decorators = [
        click.option(
            "--engine",
            type=click.Choice(["native", "spark", "dask"]),
            default="native",
            show_default=True,
            help="Where to evaluate: this machine's cores, or an Apache Spark or Dask cluster "
            "(extras trdcore[spark] and trdcore[dask]).",
        ),
        click.option("--master", metavar="URL", help="Spark master (default local[*])."),
        click.option(
            "--remote", metavar="sc://HOST:PORT", help="Spark Connect server (or local[N])."
        ),
        click.option(
            "--scheduler", metavar="tcp://HOST:PORT", help="Dask scheduler (default: local)."
        ),
        click.option(
            "--out",
            type=click.Path(path_type=Path),
            help="With --engine: the output file (ndjson; default standard output) or the "
            "new Parquet folder (parquet).",
        ),
        click.option(
            "--history-column",
            default="history",
            metavar="NAME",
            help="Parquet input: the column holding the history (JSON text or struct).",
        ),
        click.option(
            "--keep",
            multiple=True,
            metavar="COLUMN",
            help="Parquet input: a column to carry through.",
        ),
        click.option(
            "--partitions",
            type=click.IntRange(1, 1_000_000),
            help="Split the input into at least this many partitions (default: the engine's).",
        ),
    ]
    for decorator in reversed(decorators):
        wrapper = decorator(wrapper)
    return wrapper  # type: ignore[return-value]


def run_scale_out(
    path: Path, kernel: Any, settings: ScaleOut, output_format: str, jobs: int | None
) -> int:
    """Evaluate ``path`` on the chosen engine; return how many histories could not be evaluated."""
    from trdcore.snapshot import KernelRecipe

    recipe = KernelRecipe.of(kernel)
    parquet_in = path.is_dir() or path.suffix.lower() == ".parquet"
    if not parquet_in and (settings.keep or settings.history_column != "history"):
        raise UsageError("--history-column and --keep apply to Parquet input")
    from trdcore.cli import engines

    run = engines.run_spark if settings.engine == "spark" else engines.run_dask
    try:
        return run(path, recipe, settings, output_format, parquet_in, jobs)
    except (UsageError, ClusterError):
        raise
    except Exception as error:
        raise ClusterError(_cause(error, settings.engine)) from None


def _cause(error: BaseException, engine: str) -> str:
    """The line of an engine's error that says what went wrong (a worker's trdcore error first)."""
    if isinstance(error, TrdcoreError):
        return f"{engine}: {error}"
    text = str(error)
    for line in text.splitlines():
        if "trdcore.exceptions." in line:
            return f"{engine}: " + line.split("trdcore.exceptions.", 1)[1]
    first = next((line for line in text.splitlines() if line.strip()), type(error).__name__)
    return f"{engine} job failed: {first[:500]}"
