"""Built-in exporter ``schemas``: every packaged JSON Schema, for validators outside Python."""

from __future__ import annotations

import json
from typing import Any

from trdcore.extensions import ExportContext, ExportResult
from trdcore.hookspecs import hookimpl


class SchemasExporter:
    """Writes ``<name>/<version>.schema.json`` for every schema version trdcore ships.

    Integrators load these into their own validators (any JSON Schema 2020-12
    implementation); the ``$id`` values are identifiers, never fetched.
    """

    name = "schemas"
    description = "The versioned JSON Schemas, as files for other validators"
    publishes_content = False  # no patient or clinician text: not gated by content rules

    def export(self, context: ExportContext) -> ExportResult:
        from trdcore.schemas import SchemaRef, available_schemas, load_schema

        files: dict[str, bytes | str] = {}
        for name, versions in available_schemas(include_fragments=True).items():
            for version in versions:
                schema = load_schema(SchemaRef(name, version))
                text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
                files[f"{name}/{version}.schema.json"] = text
        metadata: dict[str, Any] = {"schemas": sorted(files)}
        return ExportResult(files=files, metadata=metadata)


@hookimpl
def trdcore_register_exporters(register: Any) -> None:
    register(SchemasExporter())
