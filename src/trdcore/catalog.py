"""The catalog: every content document contributed by built-in content and plugins.

A :class:`Catalog` is a frozen value: the documents it was built from, their
models by kind and ``id@version``, and the problems found while loading them.
Its lookup tables are worked out when it is made, never later, so a catalog
can be shared between threads, pickled and compared at any time. Compiled
forms (definitions ready to judge trials, staging tables, lint reports) are
not kept here: they belong to the :class:`~trdcore.engine.Engine` made from it.

A document that is invalid, or that repeats an ``id@version`` another plugin
already gave, is not silently dropped: it becomes a
:class:`~trdcore.exceptions.PluginError` in :attr:`Catalog.problems`, naming
the plugin (and, for a duplicate, both plugins). Loading the catalog from the
installed plugins is the application's job (:func:`trdcore.app.load_catalog`).
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import orjson

from trdcore.exceptions import (
    PluginError,
    SchemaValidationError,
    UnknownSchemaError,
    UnknownTargetError,
)
from trdcore.models.clinical_drug_list import ClinicalDrug
from trdcore.models.code_list import CodeList
from trdcore.models.evaluation import RecognisedBy
from trdcore.rxnorm_names import (
    ClinicalDrugName,
    parse_clinical_drug_name,
    parse_ingredient_strength_name,
)
from trdcore.validation import validate
from trdcore.versions import Version

__all__ = [
    "CONTENT_SCHEMAS",
    "Catalog",
    "CatalogEntry",
    "ClinicalDrugMatch",
    "DrugRecognition",
    "normalised_name",
]

#: The document kinds a plugin may contribute as content.
CONTENT_SCHEMAS = frozenset(
    {
        "drug",
        "clinical-drug-list",
        "code-list",
        "dose-scheme",
        "trd-definition",
        "staging-model",
        "treatment",
        "source",
        "content-module",
    }
)
#: What a catalog kind is called in messages ("no definition 'x'").
_KIND_NAMES = {
    "trd-definition": "definition",
    "staging-model": "staging model",
    "drug": "drug",
    "clinical-drug-list": "clinical drug list",
    "code-list": "code list",
    "dose-scheme": "dose scheme",
    "treatment": "treatment",
    "source": "source",
    "content-module": "content module",
}


def normalised_name(text: str) -> str:
    """A name as drugs are matched: surrounding and repeated spaces and letter case ignored."""
    return " ".join(text.split()).casefold()


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

    @property
    def semantic_version(self) -> Version:
        """:attr:`version` as a :class:`~trdcore.versions.Version`, for ordering."""
        return Version.parse(self.version)

    @property
    def active(self) -> bool:
        """Whether the item is in use (status ``active``; items without a status always are)."""
        return getattr(self.model, "status", "active") == "active"


@attrs.frozen
class ClinicalDrugMatch:
    """A clinical drug code of a catalog list and the catalog drug it is."""

    drug: CatalogEntry
    clinical: ClinicalDrug
    #: ``id@version`` of the clinical drug list the code is in.
    listing: str


@attrs.frozen
class DrugRecognition:
    """Which catalog drug input names, and how it was recognised."""

    drug: CatalogEntry
    how: RecognisedBy
    #: The list entry, for a clinical drug code (its strength and dose form).
    clinical: ClinicalDrugMatch | None = None
    #: The parsed name, for an RxNorm normalized name matched by its ingredients.
    parsed: ClinicalDrugName | None = None


def _by_kind(catalog: Catalog) -> Mapping[str, tuple[CatalogEntry, ...]]:
    found: dict[str, list[CatalogEntry]] = {}
    for entry in catalog.entries:
        found.setdefault(entry.kind, []).append(entry)
    return {kind: tuple(entries) for kind, entries in found.items()}


def _latest(catalog: Catalog) -> Mapping[tuple[str, str], CatalogEntry]:
    newest: dict[tuple[str, str], CatalogEntry] = {}
    for entry in catalog.entries:
        key = (entry.kind, entry.id)
        known = newest.get(key)
        if known is None or entry.semantic_version > known.semantic_version:
            newest[key] = entry
    return newest


def _drug_names(catalog: Catalog) -> Mapping[str, CatalogEntry]:
    names: dict[str, CatalogEntry] = {}
    for entry in catalog.items("drug"):
        drug = entry.model
        keys = [entry.id, drug.name, *(drug.synonyms or ())]
        keys += [brand.name for brand in drug.brands or ()]
        keys += [coding.code for coding in drug.codings or ()]
        for key in keys:
            names.setdefault(normalised_name(key), entry)
    return names


def _clinical_drugs(catalog: Catalog) -> Mapping[str, ClinicalDrugMatch]:
    """Every code of the active clinical drug lists, with the one catalog drug it is.

    A code whose product names more than one catalog drug and no combination
    entry (none in the built-in lists) is left out: it is not one drug.
    """
    found: dict[str, ClinicalDrugMatch] = {}
    for listing in catalog.newest_active("clinical-drug-list"):
        for clinical in listing.model.drugs:
            drugs = clinical.drugs
            if len(drugs) != 1 or clinical.code in found:
                continue
            entry = catalog.latest("drug", drugs[0])
            if entry is not None:
                found[clinical.code] = ClinicalDrugMatch(entry, clinical, listing.ref)
    return found


def _fingerprint(catalog: Catalog) -> str:
    digest = hashlib.sha256()
    for plugin, document in catalog.documents:
        digest.update(orjson.dumps([plugin, document], option=orjson.OPT_SORT_KEYS))
        digest.update(b"\n")
    return digest.hexdigest()


def _derived(function: Any) -> Any:
    """A field worked out from the others when the catalog is made (not an input, not compared)."""
    return attrs.field(
        init=False, eq=False, repr=False, default=attrs.Factory(function, takes_self=True)
    )


@attrs.frozen
class Catalog:
    """Validated content, by kind and ``id@version``; the problems found while loading it."""

    entries: tuple[CatalogEntry, ...] = ()
    problems: tuple[PluginError, ...] = ()
    #: The ``(plugin, document)`` pairs the catalog was built from, in order: what a copy of
    #: it sent to another process or machine is rebuilt from (:meth:`from_documents`).
    documents: tuple[tuple[str, Mapping[str, Any]], ...] = attrs.field(default=(), eq=False)
    _kinds: Mapping[str, tuple[CatalogEntry, ...]] = _derived(_by_kind)
    _newest: Mapping[tuple[str, str], CatalogEntry] = _derived(_latest)
    _drug_index: Mapping[str, CatalogEntry] = _derived(_drug_names)
    _clinical_index: Mapping[str, ClinicalDrugMatch] = _derived(_clinical_drugs)
    #: A SHA-256 of :attr:`documents`: two catalogs with the same fingerprint hold the same
    #: content, whichever process or machine built them.
    fingerprint: str = _derived(_fingerprint)

    @classmethod
    def from_documents(cls, documents: Iterable[tuple[str, Mapping[str, Any]]]) -> Catalog:
        """Build a catalog from ``(plugin name, document)`` pairs, checking each document."""
        given = tuple(documents)
        entries: dict[tuple[str, str, str], CatalogEntry] = {}
        problems: list[PluginError] = []
        for plugin, document in given:
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
        return cls(tuple(entries.values()), tuple(problems), given)

    # --- queries -------------------------------------------------------------------------------

    def items(self, kind: str) -> tuple[CatalogEntry, ...]:
        """Every entry of one kind (``"drug"``, ``"trd-definition"`` ...), in load order."""
        return self._kinds.get(kind, ())

    def active(self, kind: str) -> tuple[CatalogEntry, ...]:
        """The entries of one kind that are in use (status ``active``)."""
        return tuple(entry for entry in self.items(kind) if entry.active)

    def newest_active(self, kind: str) -> tuple[CatalogEntry, ...]:
        """The newest active version of each item of one kind, sorted by id (what is published)."""
        newest: dict[str, CatalogEntry] = {}
        for entry in self.active(kind):
            known = newest.get(entry.id)
            if known is None or entry.semantic_version > known.semantic_version:
                newest[entry.id] = entry
        return tuple(sorted(newest.values(), key=lambda entry: entry.id))

    def latest(self, kind: str, identifier: str) -> CatalogEntry | None:
        """The newest version of an item by its id."""
        return self._newest.get((kind, identifier))

    def get(self, kind: str, reference: str) -> CatalogEntry | None:
        """An entry by ``id@version``, or by ``id`` alone (then the newest version)."""
        identifier, at, version = reference.partition("@")
        if not at:
            return self._newest.get((kind, identifier))
        for entry in self.items(kind):
            if entry.id == identifier and entry.version == version:
                return entry
        return None

    def resolve(self, kind: str, reference: str) -> CatalogEntry:
        """:meth:`get`, or an :class:`~trdcore.exceptions.UnknownTargetError` that lists what
        exists and suggests the closest id ("did you mean ...?")."""
        entry = self.get(kind, reference) if isinstance(reference, str) else None
        if entry is not None:
            return entry
        known = [item.ref for item in self.items(kind)]
        asked = reference if isinstance(reference, str) else repr(reference)
        ids = sorted({item.id for item in self.items(kind)})
        close = difflib.get_close_matches(asked.partition("@")[0], ids)
        raise UnknownTargetError(_KIND_NAMES.get(kind, kind), asked, known, close[:1])

    def code_list(self, reference: str) -> CodeList:
        """The code list ``reference`` names (``id``, the newest version, or ``id@version``),
        or an :class:`~trdcore.exceptions.UnknownTargetError` saying which lists exist."""
        model: CodeList = self.resolve("code-list", reference).model
        return model

    def code_lists(self, concept: str) -> tuple[CodeList, ...]:
        """The newest active version of each code list standing for ``concept``
        (``"major-depression"``, ``"bipolar-disorder"`` ...), sorted by id; empty if none."""
        return tuple(
            entry.model
            for entry in self.newest_active("code-list")
            if entry.model.concept == concept
        )

    @property
    def drug_names(self) -> Mapping[str, CatalogEntry]:
        """Every drug by each of its names, synonyms, brands and codes, normalised
        (:func:`normalised_name`); :meth:`find_drug` is the lookup to use for input text."""
        return self._drug_index

    def find_drug(self, text: str) -> CatalogEntry | None:
        """The drug a name, synonym, brand, RxCUI or clinical drug refers to.

        ``"Zoloft"``, ``"sertraline"``, ``"36437"`` (the ingredient), ``"312938"`` (an
        RxNorm clinical drug in a catalog list) and ``"Sertraline 100 MG Oral Tablet"``
        (an RxNorm normalized name) all find sertraline. :meth:`recognise_drug` says which
        of these ways matched, and with what strength.
        """
        index = self._drug_index
        found = index.get(text)  # most names arrive already in their indexed form
        if found is not None:
            return found
        recognised = self.recognise_drug(text)
        return recognised.drug if recognised is not None else None

    def recognise_drug(self, text: str) -> DrugRecognition | None:
        """How ``text`` names a catalog drug, or None if it names none.

        Tried in order: a name, synonym or brand (``how="name"``); an ingredient code
        (``"ingredient code"``); a code of an active clinical drug list
        (``"clinical drug code"``, with the product); an RxNorm normalized name whose
        ingredients are one catalog drug (``"parsed name"``, with the parsed name), or,
        failing that, ingredients with strengths and no dose form
        (``bupropion hydrochloride 200 MG``, also ``"parsed name"``, its ``dose_form`` None):
        such a name says which drug it is as plainly, so it is recognised, while a dose
        cannot be worked out from it without a dose form.
        Letter case and surrounding spaces are ignored; salts are dropped only from a
        parsed name's ingredients.
        """
        key = normalised_name(text)
        entry = self._drug_index.get(key)
        if entry is not None:
            how: RecognisedBy = "ingredient code" if key.isdigit() else "name"
            return DrugRecognition(entry, how)
        clinical = self._clinical_index.get(key)
        if clinical is not None:
            return DrugRecognition(clinical.drug, "clinical drug code", clinical=clinical)
        parsed = parse_clinical_drug_name(text) or parse_ingredient_strength_name(text)
        if parsed is None:
            return None
        entry = self._product(parsed)
        if entry is None:
            return None
        return DrugRecognition(entry, "parsed name", parsed=parsed)

    def _product(self, parsed: ClinicalDrugName) -> CatalogEntry | None:
        """The one catalog drug a parsed name is: its combination entry, or its one ingredient."""
        products = [drug for _, drug in parsed.pack] if parsed.pack else [parsed]
        names = [component.name for component in products[0].components]
        bases = [component.base_name for component in products[0].components]
        if len(bases) > 1:
            for order in itertools.permutations(bases):
                for joint in (" and ", "/", " / ", "-"):
                    entry = self._drug_index.get(joint.join(order))
                    if entry is not None:
                        return entry
        found = {
            entry.id: entry
            for name, base in zip(names, bases, strict=True)
            if (entry := self._drug_index.get(normalised_name(name)) or self._drug_index.get(base))
        }
        if parsed.pack:
            found |= {
                entry.id: entry
                for drug in products[1:]
                for component in drug.components
                if (entry := self._drug_index.get(component.base_name))
            }
        return next(iter(found.values())) if len(found) == 1 else None

    def similar_drug_names(self, text: str) -> list[str]:
        """Drug names (ids, names, synonyms, brands) close to ``text``, closest first."""
        names = [name for name in self._drug_index if not name.isdigit()]
        return difflib.get_close_matches(normalised_name(text), names, n=3, cutoff=0.8)
