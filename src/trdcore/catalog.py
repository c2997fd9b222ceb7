"""The catalog: every content document contributed by built-in content and plugins.

Documents arrive through the ``trdcore_register_content`` hook, are
validated against the schema they name, and are indexed by kind and
``id@version``. A document that is invalid, or that repeats an ``id@version``
another plugin already gave, is not silently dropped: it becomes a
:class:`~trdcore.exceptions.PluginError` in :attr:`Catalog.problems`, naming
the plugin (and, for a duplicate, both plugins).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from trdcore.exceptions import PluginError

__all__ = ["CONTENT_SCHEMAS", "Catalog", "CatalogEntry", "load_catalog"]

#: The document kinds a plugin may contribute as content.
CONTENT_SCHEMAS = frozenset(
    {"drug", "trd-definition", "staging-model", "treatment", "source", "content-module"}
)


@attrs.frozen
class CatalogEntry:
    """One content document as a model, with the plugin that contributed it."""

    kind: str
    id: str
    version: str
    model: Any
    plugin: str
    #: ``id@version``, the reference that names this entry everywhere.
    ref: str = attrs.field(
        init=False,
        eq=False,
        repr=False,
        default=attrs.Factory(lambda self: f"{self.id}@{self.version}", takes_self=True),
    )


@attrs.frozen
class Catalog:
    """Validated content, by kind and ``id@version``; the problems found while loading it."""

    entries: tuple[CatalogEntry, ...] = ()
    problems: tuple[PluginError, ...] = ()
    # Lookup table filled on first use; the catalog itself never changes.
    _drug_names: dict[str, CatalogEntry] = attrs.field(
        factory=dict, init=False, eq=False, repr=False, hash=False
    )
    #: Compiled forms of entries (an evaluator per definition), made on first use by the
    #: modules that compile them; they depend only on this catalog, which never changes.
    compiled: dict[Any, Any] = attrs.field(
        factory=dict, init=False, eq=False, repr=False, hash=False
    )

    @classmethod
    def from_documents(cls, documents: Iterable[tuple[str, Mapping[str, Any]]]) -> Catalog:
        """Build a catalog from ``(plugin name, document)`` pairs."""
        from trdcore.exceptions import SchemaValidationError, UnknownSchemaError
        from trdcore.validation import validate

        entries: dict[tuple[str, str, str], CatalogEntry] = {}
        problems: list[PluginError] = []
        for plugin, document in documents:
            declared = document.get("schema") if isinstance(document, Mapping) else None
            kind = declared.split("@", 1)[0] if isinstance(declared, str) else None
            if kind not in CONTENT_SCHEMAS:
                problems.append(
                    PluginError(
                        f"registered content must name one of the content schemas "
                        f"({', '.join(sorted(CONTENT_SCHEMAS))}) in its 'schema' field; "
                        f"got {declared!r}",
                        plugin=plugin,
                    )
                )
                continue
            try:
                model = validate(document, source=f"content from plugin {plugin!r}")
            except (SchemaValidationError, UnknownSchemaError) as error:
                problems.append(PluginError(str(error), plugin=plugin))
                continue
            key = (kind, model.id, model.version)
            if key in entries:
                first = entries[key].plugin
                problems.append(
                    PluginError(
                        f"{kind} {model.id}@{model.version} is already provided by plugin "
                        f"{first!r}",
                        plugin=plugin,
                    )
                )
                continue
            entries[key] = CatalogEntry(kind, model.id, model.version, model, plugin)
        return cls(tuple(entries.values()), tuple(problems))

    def find_drug(self, text: str) -> CatalogEntry | None:
        """The drug a name, synonym, brand or RxCUI refers to, matched case-insensitively.

        ``"Zoloft"``, ``"sertraline"`` and ``"36437"`` all find sertraline.
        Surrounding spaces and letter case are ignored; nothing else is guessed.
        """
        index = self._drug_names or self._drug_index()
        found = index.get(text)  # most names arrive already in their indexed form
        if found is None:
            found = index.get(" ".join(text.split()).casefold())
        return found

    def _drug_index(self) -> dict[str, CatalogEntry]:
        names = self._drug_names
        if not names:
            for entry in self.items("drug"):
                drug = entry.model
                keys = [entry.id, drug.name, *(drug.synonyms or ())]
                keys += [brand.name for brand in drug.brands or ()]
                keys += [coding.code for coding in drug.codings or ()]
                for key in keys:
                    names.setdefault(" ".join(key.split()).casefold(), entry)
        return names

    def items(self, kind: str) -> tuple[CatalogEntry, ...]:
        """Every entry of one kind (``"drug"``, ``"trd-definition"`` ...)."""
        return tuple(entry for entry in self.entries if entry.kind == kind)

    def get(self, kind: str, ref: str) -> CatalogEntry | None:
        """An entry by ``id@version``, or by ``id`` alone (then the highest version)."""
        identifier, _, version = ref.partition("@")
        found = [
            entry
            for entry in self.entries
            if entry.kind == kind
            and entry.id == identifier
            and (not version or entry.version == version)
        ]
        if not found:
            return None
        return max(found, key=lambda entry: tuple(int(part) for part in entry.version.split(".")))


def load_catalog(manager: Any = None) -> Catalog:
    """The catalog from every plugin's content (built-in content included).

    Problems are recorded against their plugins (raised in strict mode) and
    kept in :attr:`Catalog.problems` for callers to show.
    """
    from trdcore.plugins import content_documents, plugin_manager

    manager = manager or plugin_manager()
    catalog = Catalog.from_documents(content_documents(manager))
    for problem in catalog.problems:
        manager.fail(problem)
    return catalog
