"""Evaluating treatment histories on Apache Spark: classic Spark, Databricks and Spark Connect.

:func:`evaluate` adds the evaluation to a DataFrame plan with ``mapInArrow``
(Arrow batches in and out, no pandas in the path). Everything the workers need
travels inside the function: a :class:`~trdcore.snapshot.KernelRecipe` with the
catalog's documents, fingerprint and trdcore version, so the same call works on
Spark Connect, which has no SparkContext to broadcast with. Each Python worker
builds the engine once per catalog (:data:`~trdcore.snapshot.WORKER_CACHE`).

Install with ``pip install 'trdcore[spark]'``; a Spark cluster needs trdcore, of
the same version, on every worker. Output columns: :data:`OUTPUT_SCHEMA`
(docs/scale-out.md).
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from trdcore.exceptions import MissingDependencyError

try:
    import pyarrow  # noqa: F401  (pyspark imports it only when a plan uses Arrow)
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema
    from pyspark.sql.types import StructType
except ImportError as error:  # pragma: no cover - exercised by the missing-extra test
    raise MissingDependencyError(
        f"trdcore.spark needs PySpark and PyArrow ({error.name} is missing): "
        "pip install 'trdcore[spark]'"
    ) from None

from trdcore.arrow_batches import (
    NDJSON_SCHEMA,
    BatchLayout,
    evaluate_batches,
    ndjson_batches,
    output_schema,
)
from trdcore.rules.inference import SwitchInference
from trdcore.snapshot import KernelRecipe

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from trdcore.catalog import Catalog

__all__ = [
    "OUTPUT_SCHEMA",
    "evaluate",
    "evaluate_recipe",
    "explode_results",
    "ndjson_chunks",
    "session",
]

#: The columns :func:`evaluate` adds after the kept ones (``typed=False`` leaves out
#: ``results`` and ``warnings``), as a Spark schema.
OUTPUT_SCHEMA: StructType = from_arrow_schema(output_schema(), prefer_timestamp_ntz=False)


def evaluate(
    df: DataFrame,
    history: str = "history",
    definitions: Iterable[str] | None = None,
    *,
    as_of: Any,
    keep: Sequence[str] = (),
    stages: bool = False,
    typed: bool = True,
    dose_scheme: str | None = None,
    infer_outcomes: SwitchInference | None = None,
    catalog: Catalog | None = None,
) -> DataFrame:
    """The DataFrame of ``df``'s histories evaluated, one row per input row.

    ``history`` names a column of JSON text (string or binary) or a struct in the
    treatment-history shape; ``keep`` names input columns to carry through (an id to
    join back on). ``definitions`` defaults to every active one; ``catalog`` to the
    installed one with its plugins' content. Unknown definitions and missing columns
    raise here, on the driver; invalid histories never fail the job: their rows have
    ``problem`` set. Lazy, like every DataFrame transformation.
    """
    if catalog is None:
        from trdcore.app import load_catalog

        catalog = load_catalog()
    recipe = KernelRecipe.prepare(
        catalog,
        definitions,
        as_of=as_of,
        stages=stages,
        dose_scheme=dose_scheme,
        infer_outcomes=infer_outcomes,
    )
    return evaluate_recipe(df, recipe, history, keep=keep, typed=typed)


def evaluate_recipe(
    df: DataFrame,
    recipe: KernelRecipe,
    history: str = "history",
    *,
    keep: Sequence[str] = (),
    typed: bool = True,
) -> DataFrame:
    """:func:`evaluate` with the evaluation already prepared as a recipe
    (:meth:`KernelRecipe.prepare <trdcore.snapshot.KernelRecipe.prepare>`: what
    :func:`evaluate` ships to the workers; one recipe can serve many tables)."""
    keep = tuple(dict.fromkeys(keep))
    layout = BatchLayout.of(to_arrow_schema(df.schema), history, keep, typed=typed)
    selected = df.select(*dict.fromkeys((history, *keep)))
    fields = [selected.schema[name] for name in keep]
    fields += [field for field in OUTPUT_SCHEMA.fields if typed or field.name in _UNTYPED]
    work = functools.partial(evaluate_batches, recipe, layout)
    return selected.mapInArrow(work, StructType(fields))


_UNTYPED = frozenset(OUTPUT_SCHEMA.fieldNames()) - {"results", "warnings"}


def ndjson_chunks(df: DataFrame, recipe: KernelRecipe, history: str = "history") -> DataFrame:
    """``df``'s summary lines as NDJSON chunks: one row per Arrow batch, with ``lines``
    (binary: the batch's summary lines in input order) and ``problems`` (``history_id``,
    ``problem``). Read in order with ``toLocalIterator``, they are the native engine's
    output; what ``trdcore evaluate --engine spark --format ndjson`` writes."""
    layout = BatchLayout.of(to_arrow_schema(df.schema), history, typed=False)
    work = functools.partial(ndjson_batches, recipe, layout)
    return df.select(history).mapInArrow(work, from_arrow_schema(NDJSON_SCHEMA))


def explode_results(df: DataFrame) -> DataFrame:
    """One row per history and definition: the ``results`` items' fields as columns,
    beside the other columns but ``summary`` and ``warnings``. A history that could not
    be evaluated keeps one row, with ``problem`` set and the result fields null."""
    others = [name for name in df.columns if name not in {"results", "summary", "warnings"}]
    exploded = df.select(*others, F.explode_outer("results").alias("_result"))
    return exploded.select(*others, "_result.*")


def session(
    *, master: str | None = None, remote: str | None = None, app_name: str = "trdcore"
) -> SparkSession:
    """A Spark session for the command line: ``remote`` (``sc://host:port``) for Spark
    Connect, else ``master`` (default ``local[*]``). A local master needs Java: without
    it, :class:`~trdcore.exceptions.MissingDependencyError` says what to install. The
    local workers run this Python (``PYSPARK_PYTHON``, unless set)."""
    from pyspark.sql import SparkSession

    if remote is not None and not remote.startswith("sc://"):
        _need_java()
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        return SparkSession.builder.appName(app_name).remote(remote).getOrCreate()
    if remote is not None:
        return SparkSession.builder.appName(app_name).remote(remote).getOrCreate()
    master = master or "local[*]"
    builder = (
        SparkSession.builder.appName(app_name)
        .master(master)
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master.startswith("local"):
        _need_java()
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
        )
    return builder.getOrCreate()


def _need_java() -> None:
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return
    if shutil.which("java") is None:
        raise MissingDependencyError(
            "Spark runs on Java, and no java was found (JAVA_HOME unset, no java on PATH): "
            "install Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless)"
        )
