"""Every public error trdcore raises, in one module.

Each class says in its docstring who sees it. Messages are written for that
person: what was wrong, where (file, line, JSON pointer) and what to do.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import attrs

__all__ = [
    "ClusterError",
    "DatabaseError",
    "DocumentError",
    "ExportError",
    "Issue",
    "MigrationError",
    "MissingDependencyError",
    "PluginError",
    "PluginWarning",
    "SchemaValidationError",
    "TrdcoreError",
    "UnknownSchemaError",
    "UnknownTargetError",
    "UsageError",
    "VersionMismatchError",
]


class TrdcoreError(Exception):
    """Base of every trdcore error; callers catch this to handle them all."""


@attrs.frozen
class Issue:
    """One problem in a document, precise enough to find and fix it.

    ``pointer`` is an RFC 6901 JSON pointer into the document ("" is the
    whole document); ``keyword`` is the schema keyword or cross-check that
    failed (``required``, ``format``, ``date-order`` ...); ``schema_path`` is
    where in the schema the rule lives; ``line`` is set when the document's
    text position is known (YAML files, NDJSON lines).
    """

    pointer: str
    keyword: str
    message: str
    schema_path: str = ""
    line: int | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "pointer": self.pointer,
            "keyword": self.keyword,
            "message": self.message,
        }
        if self.schema_path:
            data["schema_path"] = self.schema_path
        if self.line is not None:
            data["line"] = self.line
        return data

    def describe(self) -> str:
        where = self.pointer or "(document)"
        if self.line is not None:
            where = f"line {self.line}, {where}"
        return f"{where}: {self.message} [{self.keyword}]"


class SchemaValidationError(TrdcoreError, ValueError):
    """Raised to API callers and shown by the CLI when a document breaks its schema.

    ``issues`` lists every problem found, most relevant first (jsonschema's
    ``best_match``); ``best`` is that first issue.
    """

    def __init__(self, schema: str, issues: Sequence[Issue], *, source: str | None = None) -> None:
        if not issues:
            raise ValueError("SchemaValidationError needs at least one issue")
        self.schema = schema
        self.issues: tuple[Issue, ...] = tuple(issues)
        self.source = source
        super().__init__(self._summary())

    @property
    def best(self) -> Issue:
        return self.issues[0]

    def _summary(self) -> str:
        where = f"{self.source}: " if self.source else ""
        count = len(self.issues)
        more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
        return f"{where}not a valid {self.schema} document: {self.best.describe()}{more}"

    def to_json(self) -> dict[str, object]:
        return {
            "schema": self.schema,
            "source": self.source,
            "issues": [issue.to_json() for issue in self.issues],
        }


class DocumentError(TrdcoreError, ValueError):
    """Shown to whoever supplied a file that cannot be read as a document at all.

    Malformed JSON or YAML, an empty or binary file, nesting too deep, YAML
    aliases, duplicate keys. ``line`` and ``column`` are 1-based when known.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.reason = message
        self.source = source
        self.line = line
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        where = self.source or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.reason}"

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "message": self.reason,
        }


class UnknownSchemaError(TrdcoreError, LookupError):
    """Shown to a user or caller who named a schema or schema version that does not exist.

    ``available`` maps every schema name to its versions, so the message can
    say what exists.
    """

    def __init__(self, requested: str, available: dict[str, tuple[str, ...]]) -> None:
        self.requested = requested
        self.available = available
        listing = ", ".join(
            f"{name} ({', '.join(versions)})" for name, versions in sorted(available.items())
        )
        super().__init__(f"unknown schema {requested!r}; available: {listing}")


class MigrationError(TrdcoreError):
    """Shown when a document cannot be carried forward to a newer schema version.

    Names the step that failed so the data owner can fix the document or the
    migration author the step.
    """

    def __init__(self, message: str, *, schema: str, from_version: str, to_version: str) -> None:
        self.schema = schema
        self.from_version = from_version
        self.to_version = to_version
        super().__init__(f"{schema}@{from_version} -> {to_version}: {message}")


class PluginError(TrdcoreError):
    """Shown to users and plugin authors when a plugin is broken: it failed to import,
    raised inside a hook, misspelled a hook, or registered something invalid or taken.

    ``plugin`` and ``distribution`` say whose fault it is. Without
    ``TRDCORE_STRICT_PLUGINS=1`` the host reports it and carries on.
    """

    def __init__(self, message: str, *, plugin: str, distribution: str | None = None) -> None:
        self.plugin = plugin
        self.distribution = distribution
        self.reason = message
        owner = f"plugin {plugin!r}" + (f" (distribution {distribution})" if distribution else "")
        super().__init__(f"{owner}: {message}")


class PluginWarning(UserWarning):
    """Shown to plugin authors for a mistake that does not break the plugin yet
    (for example a hook parameter with a default value, which pluggy never passes)."""


class UnknownTargetError(TrdcoreError, LookupError):
    """Shown to users who name something that does not exist (an exporter, importer,
    definition, staging model...); the message lists what exists and suggests the closest."""

    def __init__(
        self,
        kind: str,
        requested: str,
        available: list[str],
        suggestions: list[str] | None = None,
    ) -> None:
        self.kind = kind
        self.requested = requested
        self.available = available
        self.suggestions = list(suggestions or ())
        listing = ", ".join(sorted(available)) or "none installed"
        hint = f" (did you mean {self.suggestions[0]!r}?)" if self.suggestions else ""
        super().__init__(f"unknown {kind} {requested!r}{hint}; available: {listing}")


class ExportError(TrdcoreError):
    """Shown to users when an export cannot be done (unsafe output, unwritable folder)."""


class UsageError(TrdcoreError, ValueError):
    """Shown to a user who asked for something in a form that cannot work: an importer
    option with a malformed value, a database location that is neither a file nor a URL
    trdcore can open. The command line exits 2 for it, as for its own usage errors."""


class DatabaseError(TrdcoreError):
    """Shown to whoever pointed trdcore at a database it cannot read as expected: the
    server cannot be reached, a table or column is missing, the data model version is
    one trdcore does not know. Names the database and, when it is about one, the table
    and column, so the data owner knows what to fix."""

    def __init__(
        self,
        message: str,
        *,
        database: str,
        table: str | None = None,
        column: str | None = None,
    ) -> None:
        self.reason = message
        self.database = database
        self.table = table
        self.column = column
        where = database
        if table is not None:
            where += f", table {table}" + (f", column {column}" if column is not None else "")
        super().__init__(f"{where}: {message}")


class VersionMismatchError(TrdcoreError):
    """Shown to whoever runs trdcore on a cluster whose workers have another trdcore
    version than the driver: the same catalog could judge differently there, so the
    work stops instead. Names both versions."""

    def __init__(self, *, made_by: str, running: str, where: str = "this worker") -> None:
        self.made_by = made_by
        self.running = running
        self.where = where
        super().__init__(
            f"the evaluation was prepared by trdcore {made_by}, but {where} runs trdcore "
            f"{running}: install the same trdcore version on the driver and every worker"
        )

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        # Raised in a worker process and re-raised where the job was started: keep the fields.
        return functools.partial(
            VersionMismatchError, made_by=self.made_by, running=self.running, where=self.where
        ), ()


class MissingDependencyError(UsageError):
    """Shown to a user who asked for something this installation cannot do yet: an
    engine whose extra is not installed (``pip install 'trdcore[spark]'``), or Spark
    without Java. Says what to install. The command line exits 2."""


class ClusterError(TrdcoreError):
    """Shown when a Spark or Dask job fails as a whole (a worker lost, a version
    mismatch, a cluster that cannot be reached); the message is the engine's, with the
    part that names the cause first. Invalid histories never cause it: they come back
    as rows with ``problem`` set."""
