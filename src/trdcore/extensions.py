"""What plugins contribute: exporters, importers and content rules.

Each is a small protocol, so a plugin can use a plain class with the right
attributes. The host checks the shape when a plugin registers one and turns
a mistake into a :class:`~trdcore.exceptions.PluginError` that names the
plugin. Results are values: an exporter returns the files it would write and
never prints or writes itself, so it can be tested without touching disk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import attrs

if TYPE_CHECKING:
    from trdcore.catalog import Catalog

__all__ = [
    "ContentRule",
    "ExportContext",
    "ExportResult",
    "Exporter",
    "Finding",
    "ImportResult",
    "Importer",
    "OptionValue",
    "PluginOption",
    "Severity",
    "check_name",
]

_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
Severity = Literal["block", "warn", "review"]


def check_name(name: object) -> str | None:
    """Why ``name`` is not a valid extension name (lower-case slug), or None if it is."""
    if not isinstance(name, str) or not _NAME.match(name):
        return f"name {name!r} must be a lower-case slug such as 'handout-pdf'"
    return None


#: What an exporter finds in ``ExportContext.options``: a string for ``--option KEY=VALUE``
#: and value options, a bool for flags, a tuple of strings for repeatable options.
OptionValue = str | bool | tuple[str, ...]


@attrs.frozen
class PluginOption:
    """A command-line option an exporter or importer declares (``trdcore export TARGET
    --NAME``, ``trdcore import SOURCE --NAME``).

    Exporters and importers list these in an optional ``options`` attribute; the CLI
    turns each into a real option of the plugin's subcommand with its own help, so a
    typo is a usage error (exit 2) rather than a setting silently ignored. ``kind`` is
    ``"flag"`` (present or not: a bool), ``"value"`` (one string) or ``"multiple"``
    (may be repeated: a tuple of strings). The value reaches an exporter in
    ``ExportContext.options[name]`` and an importer in the ``options`` mapping of
    ``read``, absent when not given and no ``default`` is set.
    """

    name: str = attrs.field()
    help: str
    kind: Literal["flag", "value", "multiple"] = "value"
    choices: tuple[str, ...] | None = None
    default: str | None = None
    metavar: str | None = None

    @name.validator
    def _slug(self, _attribute: object, value: str) -> None:
        problem = check_name(value)
        if problem:
            raise ValueError(f"plugin option {problem}")


@attrs.frozen
class ExportContext:
    """Everything an exporter may use: the catalog, the user's options and the locale."""

    catalog: Catalog
    options: Mapping[str, OptionValue] = attrs.field(factory=dict)
    locale: str | None = None


@attrs.frozen
class ExportResult:
    """Files an exporter produced, by relative POSIX path, plus metadata to record.

    Paths may not be absolute or climb out of the output folder (``..``);
    the host refuses such a result rather than write outside ``--out``.
    """

    files: Mapping[str, bytes | str]
    metadata: Mapping[str, Any] = attrs.field(factory=dict)
    #: The content-rules result the host recorded for this export (set by
    #: ``trdcore.exporting.run_export``; exporters leave it None).
    lint: Mapping[str, Any] | None = None

    def problems(self) -> list[str]:
        """What is wrong with this result (empty when it can be written)."""
        import orjson

        found = []
        try:
            orjson.dumps(self.metadata)
        except TypeError as error:
            found.append(f"metadata is not JSON: {error}")
        for name, content in self.files.items():
            if name == "trdcore-export.json":
                found.append(f"{name!r} is reserved for the manifest trdcore writes")
            path = PurePosixPath(name)
            if not name or path.is_absolute() or ".." in path.parts or "\\" in name:
                found.append(f"unsafe output path {name!r}")
            if not isinstance(content, bytes | str):
                found.append(
                    f"{name!r}: content must be bytes or str, not {type(content).__name__}"
                )
        return found


@runtime_checkable
class Exporter(Protocol):
    """Turns the catalog into files for a target (FHIR, Hugo, PDF ...).

    ``name`` is the CLI target (``trdcore export NAME``); ``description`` one
    line for ``trdcore plugins`` and help texts. An exporter may also have an
    ``options`` attribute, a sequence of :class:`PluginOption`, for settings
    of its own (``trdcore export handout-pdf --large-print``), and a
    ``publishes_content`` attribute set to False when it writes no catalog
    text (then the content rules do not gate it).
    """

    name: str
    description: str

    def export(self, context: ExportContext) -> ExportResult: ...


@attrs.frozen
class ImportResult:
    """Treatment-history documents read from a source, and what could not be mapped.

    Nothing is silently dropped: every record or code the importer could not
    use is described in ``warnings``. ``documents`` may be a lazy iterable (a
    generator) so that an importer reading a large database streams person by
    person; the host drains it once, in order, and reads ``warnings`` only
    after that, so a streaming importer may add to a list it returned here
    while its documents are read.
    """

    documents: Iterable[Mapping[str, Any]]
    warnings: Iterable[str] = ()


@runtime_checkable
class Importer(Protocol):
    """Reads an outside format (a FHIR Bundle, a claims extract ...) into treatment histories.

    Two optional attributes: ``options``, a sequence of :class:`PluginOption` that
    become options of ``trdcore import NAME`` (their values reach ``read`` in
    ``options``); and ``accepts_urls``: when true, ``read`` gets the location as the
    user wrote it (a database URL or a file name, a ``str``), and the importer says
    itself when it cannot be opened; otherwise the host checks that the file exists
    and passes a :class:`~pathlib.Path`.
    """

    name: str
    description: str

    def read(self, path: Path, options: Mapping[str, Any]) -> ImportResult: ...


@attrs.frozen
class Finding:
    """One problem a content rule found: which item, where in it, what, and how to fix it.

    ``severity`` is set when this finding is less (or more) serious than its
    rule's own ``severity`` (a reading grade above 6 warns, above 8 blocks);
    None means the rule's severity.
    """

    rule: str
    item: str
    pointer: str
    message: str
    suggestion: str | None = None
    severity: Severity | None = None


@runtime_checkable
class ContentRule(Protocol):
    """A check over one content item (see ``trdcore lint``).

    ``id`` is a slug; ``severity`` says whether a finding blocks publishing;
    ``audiences`` which texts it applies to; ``source`` where its threshold
    or list comes from. Optional attributes the lint engine reads when
    present: ``version`` (recorded with every lint result), ``kinds`` (the
    content schemas it checks, such as ``("content-module",)``; default all)
    and ``suppressible`` (False: a suppression cannot switch it off). A
    ``check`` that also accepts a ``context`` keyword gets a
    :class:`trdcore.lint.LintContext` (lint date, catalog, text fields, pages).
    """

    id: str
    severity: Severity
    audiences: tuple[str, ...]
    description: str
    source: str

    def check(self, item: Any) -> Iterable[Finding]: ...
