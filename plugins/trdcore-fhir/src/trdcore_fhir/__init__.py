"""HL7 FHIR R4 (4.0.1) for trdcore: the catalog out, patient data in, results out.

A trdcore plugin. It adds:

- the exporter ``fhir``: ``trdcore export fhir --out DIR`` writes the catalog as CPG-on-FHIR
  resources, one transaction Bundle (``bundle.json``) and NDJSON per resource type
  (``ndjson/<Type>.ndjson``);
- the importer ``fhir``: ``trdcore import fhir PATH`` reads a Bundle, NDJSON of resources or
  NDJSON of Bundles (MedicationStatement, MedicationRequest, MedicationDispense, Observation,
  Condition, Patient) into treatment histories, reporting whatever it cannot map;
- the command ``trdcore fhir-evaluate PATH``: import, evaluate and write the results as FHIR
  (an inferred Observation, an optional provisional Condition, a Provenance, wrapped in a
  GuidanceResponse), one result Bundle per patient and definition;
- the functions behind them: :func:`catalog_resources`, :func:`read_fhir`,
  :func:`read_fhir_bundle`, :func:`evaluate_fhir`, :func:`history_resources` and
  :func:`result_resources`, and for many patients the objects that own a run's state,
  :class:`FhirReader` and :class:`ResultWriter`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trdcore import hookimpl

if TYPE_CHECKING:
    from trdcore.extensions import ExportContext, Exporter, ExportResult, Importer, ImportResult
    from trdcore_fhir.bulk import evaluate_fhir
    from trdcore_fhir.catalog_export import catalog_resources
    from trdcore_fhir.history_export import history_resources
    from trdcore_fhir.history_import import (
        FhirImport,
        FhirReader,
        ImportedHistory,
        read_fhir,
        read_fhir_bundle,
    )
    from trdcore_fhir.results import ResultWriter, result_bundle, result_resources

# Public names and the module that defines each: imported on first use, so that loading the
# plugin (which every trdcore command does) costs nothing until FHIR is actually used.
_LAZY = {
    "evaluate_fhir": "trdcore_fhir.bulk",
    "catalog_resources": "trdcore_fhir.catalog_export",
    "history_resources": "trdcore_fhir.history_export",
    "FhirImport": "trdcore_fhir.history_import",
    "FhirReader": "trdcore_fhir.history_import",
    "ImportedHistory": "trdcore_fhir.history_import",
    "read_fhir": "trdcore_fhir.history_import",
    "read_fhir_bundle": "trdcore_fhir.history_import",
    "ResultWriter": "trdcore_fhir.results",
    "result_bundle": "trdcore_fhir.results",
    "result_resources": "trdcore_fhir.results",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'trdcore_fhir' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "FHIR_VERSION",
    "FhirExporter",
    "FhirImport",
    "FhirImporter",
    "FhirReader",
    "ImportedHistory",
    "ResultWriter",
    "catalog_resources",
    "evaluate_fhir",
    "history_resources",
    "read_fhir",
    "read_fhir_bundle",
    "result_bundle",
    "result_resources",
    "trdcore_register_commands",
    "trdcore_register_exporters",
    "trdcore_register_importers",
]

#: The FHIR release every resource follows.
FHIR_VERSION = "4.0.1"


class FhirExporter:
    """Writes the catalog as FHIR R4: ``bundle.json`` (a transaction of PUTs, so posting it
    again changes nothing) and ``ndjson/<ResourceType>.ndjson``."""

    name = "fhir"
    description = "The catalog as HL7 FHIR R4 (CPG-on-FHIR): transaction Bundle and NDJSON"
    options = ()

    def export(self, context: ExportContext) -> ExportResult:
        from trdcore import __version__
        from trdcore.extensions import ExportResult
        from trdcore_fhir.catalog_export import catalog_resources
        from trdcore_fhir.serialize import dumps, ndjson_by_type, transaction_bundle

        resources, skipped = catalog_resources(context.catalog, version=__version__)
        bundle = transaction_bundle(resources, bundle_id=f"trdcore-catalog-{__version__}")
        files: dict[str, bytes | str] = {"bundle.json": dumps(bundle, indent=True) + b"\n"}
        for name, content in ndjson_by_type(resources).items():
            files[f"ndjson/{name}"] = content
        counts: dict[str, int] = {}
        for resource in resources:
            counts[resource["resourceType"]] = counts.get(resource["resourceType"], 0) + 1
        return ExportResult(
            files=files,
            metadata={"fhirVersion": FHIR_VERSION, "resources": counts, "not_exported": skipped},
        )


class FhirImporter:
    """Reads FHIR R4 patient data (a Bundle, NDJSON of resources or of Bundles) into
    treatment histories, one per patient; everything not used is a warning."""

    name = "fhir"
    description = "FHIR R4 Bundle or NDJSON (medications, PHQ-9, depression) to histories"

    def read(self, path: Path, options: Mapping[str, str]) -> ImportResult:
        from trdcore.exceptions import UsageError
        from trdcore.extensions import ImportResult
        from trdcore_fhir.history_import import ScoreWindows, read_fhir

        windows = ScoreWindows()
        if "score-windows" in options:
            try:
                windows = ScoreWindows.parse(options["score-windows"])
            except ValueError as error:
                raise UsageError(f"{path}: option {error}") from None
        gap = options.get("renewal-gap-days", "120")
        if not gap.isdigit():
            raise UsageError(
                f"{path}: option renewal-gap-days must be a whole number of days, not {gap!r}"
            )
        imported = read_fhir(
            path, as_of=options.get("as-of"), score_windows=windows, renewal_gap_days=int(gap)
        )
        return ImportResult(
            documents=tuple(history.document for history in imported.histories),
            warnings=imported.warnings,
        )


@hookimpl
def trdcore_register_exporters(register: Callable[[Exporter], None]) -> None:
    register(FhirExporter())


@hookimpl
def trdcore_register_importers(register: Callable[[Importer], None]) -> None:
    register(FhirImporter())


@hookimpl
def trdcore_register_commands(cli: Any) -> None:
    from trdcore_fhir.commands import fhir_evaluate

    cli.add_command(fhir_evaluate)
