"""``trdcore fhir-evaluate``: FHIR patient data in, FHIR results out."""

from __future__ import annotations

import datetime
import gc
import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["fhir_evaluate"]


@click.command("fhir-evaluate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--definition",
    "definitions",
    multiple=True,
    metavar="ID[@VERSION]",
    help="A definition to apply; may be repeated. Default: every active definition.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    required=True,
    help="The date to evaluate as of (results are dated by it; no clock is read).",
)
@click.option(
    "--condition",
    is_flag=True,
    help="Add a provisional Condition to each result where the definition is met.",
)
@click.option(
    "--bundle-type",
    type=click.Choice(["collection", "transaction"]),
    default="collection",
    show_default=True,
    help="collection to read; transaction (PUTs) to POST to a FHIR server.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="NDJSON file to write (default: standard output).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes for NDJSON of Bundles (default: every core; small inputs use one).",
)
def fhir_evaluate(
    path: Path,
    definitions: tuple[str, ...],
    as_of: datetime.datetime,
    condition: bool,
    bundle_type: str,
    out: Path | None,
    jobs: int | None,
) -> None:
    """Import FHIR R4 patient data at PATH, evaluate it, and write FHIR results.

    PATH is what `trdcore import fhir` reads (a Bundle, NDJSON of resources or of
    Bundles). Writes NDJSON: one result Bundle per patient and definition (inferred
    Observation, Provenance, GuidanceResponse ...), in input order. NDJSON of Bundles is
    read a line (one patient's Bundle) at a time on every core. What the import could not
    use is printed on standard error. Exit 1 if a history could not be evaluated.
    """
    from trdcore import Engine, UnknownTargetError, load_catalog
    from trdcore.workers import default_jobs
    from trdcore_fhir.bulk import evaluate_fhir

    engine = Engine.for_catalog(load_catalog())
    # The catalog lives as long as the command: keep the cyclic collector from rescanning it.
    gc.freeze()
    try:
        chosen = [evaluator.entry.ref for evaluator in engine.evaluators(definitions)]
    except UnknownTargetError as error:
        raise click.BadParameter(str(error), param_hint="--definition") from None
    if not chosen:
        chosen = sorted(e.ref for e in engine.catalog.active("trd-definition"))
    failures = 0
    seen: dict[str, str] = {}
    stream: Any = out.open("wb") if out else sys.stdout.buffer
    try:
        for part in evaluate_fhir(
            path,
            chosen,
            as_of=as_of.date(),
            condition=condition,
            bundle_type="transaction" if bundle_type == "transaction" else "collection",
            jobs=jobs or default_jobs(),
            engine=engine,
            freeze_workers=True,
        ):
            stream.write(part.output)
            if part.messages:
                # One write for the part's lines (as many lines as echoing each one).
                click.echo("\n".join(part.messages), err=True)
            failures += part.failures
            for patient, where in part.patients:
                earlier = seen.setdefault(patient, where)
                if earlier != where:
                    failures += 1
                    click.echo(
                        f"✗ {where} {patient}: also in {earlier}; each line is evaluated on "
                        "its own, so both results miss the other line's records (put each "
                        "patient's records in one Bundle)",
                        err=True,
                    )
    finally:
        if out:
            stream.close()
        else:
            stream.flush()
    if failures:
        sys.exit(1)
