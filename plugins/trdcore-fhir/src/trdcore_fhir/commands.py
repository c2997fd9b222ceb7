"""``trdcore fhir-evaluate``: FHIR patient data in, FHIR results out."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

import click
import orjson

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
def fhir_evaluate(
    path: Path,
    definitions: tuple[str, ...],
    as_of: datetime.datetime,
    condition: bool,
    bundle_type: str,
    out: Path | None,
) -> None:
    """Import FHIR R4 patient data at PATH, evaluate it, and write FHIR results.

    PATH is what `trdcore import fhir` reads (a Bundle, NDJSON of resources or of
    Bundles). Writes NDJSON: one result Bundle per patient and definition (inferred
    Observation, Provenance, GuidanceResponse ...). What the import could not use is
    printed on standard error. Exit 1 if a history could not be evaluated.
    """
    from trdcore.catalog import load_catalog
    from trdcore.evaluation import evaluation_document
    from trdcore.exceptions import TrdcoreError
    from trdcore.validation import issues
    from trdcore_fhir.history_import import read_fhir
    from trdcore_fhir.results import result_bundle

    catalog = load_catalog()
    active = [e.ref for e in catalog.items("trd-definition") if e.model.status == "active"]
    chosen = []
    for reference in definitions:
        entry = catalog.get("trd-definition", reference)
        if entry is None:
            raise click.BadParameter(
                f"no definition {reference!r}; available: {', '.join(active) or 'none'}",
                param_hint="--definition",
            )
        chosen.append(entry.ref)
    chosen = chosen or sorted(active)
    day = as_of.date()
    imported = read_fhir(path, as_of=day, catalog=catalog)
    for warning in imported.warnings:
        click.echo(f"warning: {warning}", err=True)
    failures = 0
    stream: Any = out.open("wb") if out else sys.stdout.buffer
    try:
        for history in imported.histories:
            found = issues(history.document, "treatment-history")
            if found:
                failures += 1
                details = "; ".join(issue.describe() for issue in found)
                click.echo(f"invalid: {path} {history.patient}: {details}", err=True)
                continue
            for definition in chosen:
                try:
                    result = evaluation_document(
                        history.document, definition, as_of=day, catalog=catalog
                    )
                except TrdcoreError as error:
                    failures += 1
                    click.echo(f"✗ {path} {history.patient}: {error}", err=True)
                    continue
                bundle = result_bundle(
                    result,
                    subject=history.patient,
                    sources=history.sources,
                    condition=condition,
                    bundle_type="transaction" if bundle_type == "transaction" else "collection",
                )
                stream.write(orjson.dumps(bundle, option=orjson.OPT_SORT_KEYS) + b"\n")
    finally:
        if out:
            stream.close()
        else:
            stream.flush()
    if failures:
        sys.exit(1)
