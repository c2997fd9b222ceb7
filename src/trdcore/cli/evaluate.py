"""``trdcore evaluate``: evaluate treatment histories against TRD definitions."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from trdcore.cli.exit_codes import EXIT_INVALID
from trdcore.cli.inputs import load_catalog_with_warnings
from trdcore.cli.options import as_of_option, format_option, jobs_option
from trdcore.cli.output import emit_json, with_progress
from trdcore.cli.scale_out import ScaleOut, scale_out_options
from trdcore.exceptions import UnknownTargetError, UsageError

if TYPE_CHECKING:
    from trdcore.batch import Kernel

__all__ = ["evaluate_command"]

_MARKS = {True: "✓", False: "✗", None: "?"}


@click.command("evaluate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--definition",
    "definitions_",
    multiple=True,
    metavar="ID[@VERSION]",
    help="A definition to apply; may be repeated. Default: all (as --all).",
)
@click.option("--all", "all_definitions", is_flag=True, help="Apply every active definition.")
@as_of_option(
    "The date to evaluate as of (ongoing trials run to it). Default: today.", metavar=None
)
@format_option(
    ("text", "json", "ndjson", "parquet"),
    help="text for people; json: a list of evaluation-result documents; ndjson (the default "
    "with --engine): one evaluation-summary line per history (with --explain: one "
    "evaluation-result line per history and definition); parquet (with --engine): a Parquet "
    "folder.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="With --format ndjson: write the full evaluation-result documents (criteria, "
    "thresholds, sources, missing data) instead of one summary line per history.",
)
@click.option(
    "--stages/--no-stages",
    default=None,
    help="Compute the staging models. Default: on, except for NDJSON summaries.",
)
@click.option(
    "--dose-scheme",
    metavar="ID",
    help="Judge every definition's doses by this dose scheme (for example us-label-minimum) "
    "instead of its own; `trdcore definitions show ID` names each definition's scheme.",
)
@click.option(
    "--infer-outcomes",
    type=click.Choice(["switch"]),
    help="Infer the outcomes that are not recorded from what followed (claims-style, off by "
    "default): a trial counts as a non-response when another antidepressant or an "
    "augmentation agent started no more than --switch-days days after it ended. Every "
    "inferred outcome is labelled in the results.",
)
@click.option(
    "--switch-days",
    type=click.IntRange(0, 3660),
    metavar="DAYS",
    help="With --infer-outcomes switch: the window in days after a trial's end (required; "
    "published studies use 42 to 365, see docs/plugins/omop.md).",
)
@jobs_option("Worker processes. Default: every core for --format ndjson, else 1.")
@scale_out_options
def evaluate_command(
    path: Path,
    definitions_: tuple[str, ...],
    all_definitions: bool,
    as_of: Any,
    output_format: str,
    explain: bool,
    stages: bool | None,
    dose_scheme: str | None,
    infer_outcomes: str | None,
    switch_days: int | None,
    jobs: int | None,
    scale_out: ScaleOut,
) -> None:
    """Evaluate treatment histories (JSON, YAML or NDJSON) against TRD definitions.

    Prints, per history and definition, whether the definition is met, not
    met or indeterminate, and each trial's verdict with the reason, and the
    stages. NDJSON output streams in constant memory on every core, or on a
    Spark or Dask cluster with --engine (docs/scale-out.md). Exit code 1 if any
    history could not be evaluated (each is named on standard error; the
    others are still evaluated).
    """
    import datetime

    source = click.get_current_context().get_parameter_source("output_format")
    if scale_out.engine != "native" and source is click.core.ParameterSource.DEFAULT:
        output_format = "ndjson"  # a cluster writes summaries: text is for a few histories
    scale_out.check(output_format, explain)
    if scale_out.engine == "native" and path.is_dir():
        raise UsageError(f"{path} is a folder: the native engine reads one file")
    catalog = load_catalog_with_warnings()
    active = [e.ref for e in catalog.items("trd-definition") if e.model.status == "active"]
    chosen: list[str] = []
    for reference in definitions_:
        entry = catalog.get("trd-definition", reference)
        if entry is None:
            raise click.BadParameter(
                f"no definition {reference!r}; available: {', '.join(active) or 'none'}",
                param_hint="--definition",
            )
        chosen.append(entry.ref)
    if all_definitions or not chosen:
        chosen = sorted(set(chosen) | set(active))
    if explain and output_format != "ndjson":
        raise click.BadParameter(
            "--explain applies to --format ndjson (text and json always explain)",
            param_hint="--explain",
        )
    from trdcore.rules.inference import switch_inference

    inference = switch_inference(infer_outcomes, switch_days)
    from trdcore.batch import Kernel
    from trdcore.engine import Engine

    day = as_of.date() if as_of is not None else datetime.date.today()
    engine = Engine.for_catalog(catalog)
    if dose_scheme is not None:
        try:
            dose_scheme = catalog.resolve("dose-scheme", dose_scheme).id
        except UnknownTargetError as error:
            raise click.BadParameter(str(error), param_hint="--dose-scheme") from None
    summaries = output_format in ("ndjson", "parquet")
    with_stages = (bool(explain) if stages is None else stages) if summaries else True
    kernel = Kernel.of(
        engine,
        chosen,
        as_of=day,
        stages=with_stages,
        explain=explain,
        dose_scheme=dose_scheme,
        infer_outcomes=inference,
    )
    if scale_out.engine != "native":
        from trdcore.cli.scale_out import run_scale_out

        failures = run_scale_out(path, kernel, scale_out, output_format, jobs)
    elif output_format == "ndjson":
        failures = _evaluate_ndjson(path, kernel, jobs)
    else:
        failures = _evaluate_documents(path, kernel, jobs or 1, output_format)
    if failures:
        sys.exit(EXIT_INVALID)


def _evaluate_ndjson(path: Path, kernel: Kernel, jobs: int | None) -> int:
    """Stream NDJSON evaluations to standard output; return how many histories failed."""
    from trdcore.batch import CHUNK, evaluate_to_ndjson
    from trdcore.documents import (
        detect_format,
        has_content,
        read_documents,
        read_ndjson_blocks,
        without_line_map,
    )

    source = str(path)
    records: Iterable[tuple[str, Any]]
    if detect_format(path) == "ndjson":
        # Blocks of whole lines go to the workers unsplit: about 1 MB (some 1,800 histories)
        # for summaries; smaller when each history's output is much larger, so that the
        # blocks in flight stay small in memory.
        stream = path.open("rb")
        if not has_content(stream):
            stream.close()
            click.echo(f"✗ {source}: the file is empty", err=True)
            return 1
        block_bytes = 1 << 16 if kernel.explain else 1 << 18 if kernel.stages else 1 << 20
        records = ((source, block) for block in read_ndjson_blocks(stream, block_bytes=block_bytes))
        chunk = 1
    else:
        stream = None
        records = (
            (document.source, without_line_map(document)) for document in read_documents(path)
        )
        chunk = CHUNK
    parts = evaluate_to_ndjson(records, kernel, jobs=jobs, chunk_size=chunk, freeze_workers=True)
    if sys.stderr.isatty():
        parts = with_progress(parts, lambda part: part.histories)
    failures = 0
    out = sys.stdout.buffer
    try:
        for part in parts:
            out.write(part.output)
            for where, problem in part.problems:
                failures += 1
                click.echo(f"✗ {where}: {problem}", err=True)
        out.flush()
    finally:
        if stream is not None:
            stream.close()
    return failures


def _evaluate_documents(path: Path, kernel: Kernel, jobs: int, output_format: str) -> int:
    """Print explained evaluations as text or one JSON list; return how many histories failed."""
    from trdcore.batch import evaluate_documents
    from trdcore.documents import read_documents

    failures = 0
    collected: list[dict[str, Any]] = []
    for outcome in evaluate_documents(read_documents(path), kernel, jobs=jobs, freeze_workers=True):
        if outcome.problem is not None:
            failures += 1
            where = f"{outcome.source}:{outcome.line}" if outcome.line else outcome.source
            click.echo(f"✗ {where}: {outcome.problem}", err=True)
            continue
        if output_format == "json":
            collected.extend(outcome.results)
        else:
            _print_outcome(outcome)
    if output_format == "json":
        emit_json(collected)
    return failures


def _print_outcome(outcome: Any) -> None:
    title = outcome.history_id or f"{outcome.source}" + (f":{outcome.line}" if outcome.line else "")
    click.secho(f"History {title}", bold=True)
    labels = {
        "met": ("MET", "green"),
        "not_met": ("NOT MET", "red"),
        "indeterminate": ("INDETERMINATE", "yellow"),
    }
    for number, result in enumerate(outcome.results, start=1):
        label, colour = labels[result["status"]]
        click.echo(
            f"  {number} {result['definition']:<34} "
            + click.style(label, fg=colour, bold=True)
            + f"  {result.get('explanation', '')}"
        )
    if outcome.results:
        columns = " ".join(str(number) for number in range(1, len(outcome.results) + 1))
        click.echo(f"  {'Trials (✓ counts, ✗ does not, ? cannot tell)':<46} {columns}")
        if not outcome.results[0]["trials"]:
            click.echo("    (none recorded)")
        for index, trial in enumerate(outcome.results[0]["trials"]):
            name = trial.get("drug_input") or trial["kind"]
            judged = [result["trials"][index] for result in outcome.results]
            marks = " ".join(_MARKS[item["counted"]] for item in judged)
            click.echo(f"    {trial['pointer']:<13} {name[:30]:<30} {marks}")
            reasons: dict[str, list[str]] = {}
            for number, item in enumerate(judged, start=1):
                reasons.setdefault(item["reason"], []).append(str(number))
            for reason, numbers in reasons.items():
                which = "" if len(reasons) == 1 else f"({', '.join(numbers)}) "
                click.echo(f"        {which}{reason}")
        for missing in outcome.results[0]["missing"]:
            click.echo(f"    missing: {missing['pointer']} {missing['what']}")
        warnings = {
            (w["code"], w.get("pointer"), w["message"])
            for r in outcome.results
            for w in r["warnings"]
        }
        for _, pointer, message in sorted(warnings, key=str):
            click.echo(f"    warning: {pointer or ''} {message}")
    for sentence in outcome.differences:
        click.echo(f"  - {sentence}")
    if outcome.results and outcome.results[0].get("stages"):
        click.echo("  Stages:")
        for staged in outcome.results[0]["stages"]:
            if staged["status"] == "staged":
                label = staged.get("stage")
                parts = [f"stage {label}" if label and len(label) <= 4 else label] if label else []
                if "score" in staged:
                    parts.append(f"score {staged['score']:g}")
                click.echo(f"    {staged['model']:<28} {', '.join(parts)}")
            else:
                missing = "; ".join(staged.get("missing", ())) or "missing data"
                click.echo(f"    {staged['model']:<28} indeterminate: {missing}")
    click.echo()
