"""Reading RxNorm normalized drug names: ingredients, strengths, dose form, brand, packs.

EHRs, pharmacies and generators send a drug as an RxNorm clinical drug (SCD),
branded drug (SBD) or pack (GPCK, BPCK), often with only its name in
``coding.display`` or ``CodeableConcept.text``. RxNorm builds those names by a
fixed pattern (RxNorm Technical Documentation, "Normalized Names"):

- SCD: ``[qualifier] ingredient strength unit [/ ingredient strength unit ...] dose form``,
  e.g. ``24 HR venlafaxine 150 MG Extended Release Oral Capsule``,
  ``olanzapine 6 MG / fluoxetine 25 MG Oral Capsule``;
- SBD: the SCD name followed by ``[Brand]``: ``sertraline 50 MG Oral Tablet [Zoloft]``;
- packs: ``{count (SCD) / count (SCD) } Pack [Brand]``.

The qualifier is a release duration (``12 HR``, ``24 HR``) or a word RxNorm
uses to tell otherwise identical products apart (``PMDD``, ``Sprinkle``).
Names arrive in any letter case, including the "tall man" lettering some
systems print (``buPROPion``); ingredients may carry their salt
(``bupropion hydrochloride``): :attr:`Component.base_name` drops it.

The parser knows the pattern, not the drugs: :class:`trdcore.catalog.Catalog`
decides whether a parsed ingredient is one it knows.
"""

from __future__ import annotations

import re

import attrs

__all__ = [
    "ClinicalDrugName",
    "Component",
    "Strength",
    "parse_clinical_drug_name",
    "parse_ingredient_strength_name",
]

# Units RxNorm writes after a strength: amounts, concentrations and delivery rates.
_UNIT = r"(?:MG|MCG|G|MEQ|UNT|ML|%)(?:/(?:ML|HR|ACTUAT|MG|G|L))?"
_NUMBER = r"\d+(?:\.\d+)?"
_COMPONENT = re.compile(
    rf"^(?P<name>(?:\d+-)?[A-Za-z][A-Za-z0-9,'\-]*(?: [A-Za-z][A-Za-z0-9,'\-]*)*?) "
    rf"(?P<value>{_NUMBER}) (?P<unit>{_UNIT})$",
    re.IGNORECASE,
)
_RELEASE = re.compile(r"^(?P<hours>\d+) HR ", re.IGNORECASE)
# A quantity factor: the volume or actuations of one unit ("1.5 ML aripiprazole 200 MG/ML ...").
_QUANTITY = re.compile(rf"^(?P<value>{_NUMBER}) (?P<unit>ML|ACTUAT) ", re.IGNORECASE)
_BRAND = re.compile(r"\s*\[(?P<brand>[^\[\]]+)\]\s*$")
_PACK = re.compile(r"^\{(?P<inner>.+)\}\s*Pack$", re.IGNORECASE)
_PACK_PART = re.compile(r"^\s*(?P<count>\d+) \((?P<drug>.+)\)\s*$")
# Dose-form words: the name's tail after the last strength is its dose form.
_STRENGTH_END = re.compile(rf" {_NUMBER} {_UNIT}(?= )", re.IGNORECASE)
#: Words RxNorm puts before the ingredient to tell products apart (not part of its name).
QUALIFIERS = ("smoking cessation", "abuse-deterrent", "pmdd", "sprinkle", "sensor")
#: Salt and ester words an ingredient name may end with; the active moiety is the rest.
SALTS = frozenset(
    {
        "hydrochloride",
        "hcl",
        "hydrobromide",
        "mesylate",
        "maleate",
        "fumarate",
        "hemifumarate",
        "succinate",
        "tartrate",
        "citrate",
        "oxalate",
        "besylate",
        "sulfate",
        "pamoate",
        "sodium",
        "potassium",
        "carbonate",
        "monohydrate",
        "dihydrate",
        "anhydrous",
    }
)


@attrs.frozen
class Strength:
    """The amount of one ingredient in one unit of the drug: ``150 MG``, ``0.375 MG/HR``."""

    value: float
    unit: str

    @property
    def per_unit_of_form(self) -> bool:
        """True for an amount per tablet or capsule (MG, MCG, G); false for a rate or a
        concentration (MG/HR, MG/ML)."""
        return "/" not in self.unit and self.unit in ("MG", "MCG", "G")


@attrs.frozen
class Component:
    """One ingredient of a clinical drug name, as written, with its strength."""

    name: str
    strength: Strength

    @property
    def base_name(self) -> str:
        """The ingredient without its salt words, in lower case (``buPROPion HCl``: bupropion)."""
        words = self.name.casefold().split()
        while len(words) > 1 and words[-1] in SALTS:
            words.pop()
        return " ".join(words)


@attrs.frozen
class ClinicalDrugName:
    """A parsed RxNorm normalized name (SCD, SBD or pack)."""

    text: str
    components: tuple[Component, ...]
    #: None only for a name read by :func:`parse_ingredient_strength_name` (no dose form).
    dose_form: str | None
    brand: str | None = None
    #: The release duration in hours for ``12 HR`` / ``24 HR`` products, else None.
    release_hours: int | None = None
    qualifier: str | None = None
    #: The quantity factor of an injection, gel or inhaler (``1.5 ML``, ``1 ACTUAT``), else None.
    quantity: Strength | None = None
    #: For a pack: each product in it with its count; ``components`` is then empty.
    pack: tuple[tuple[int, ClinicalDrugName], ...] = ()

    @property
    def ingredients(self) -> tuple[str, ...]:
        """The base names of every ingredient, in the order written (packs: all products')."""
        if self.pack:
            names = [name for _, drug in self.pack for name in drug.ingredients]
            return tuple(dict.fromkeys(names))
        return tuple(component.base_name for component in self.components)


def parse_clinical_drug_name(text: str) -> ClinicalDrugName | None:
    """``text`` read as an RxNorm normalized name, or None when it does not follow the pattern.

    None is the answer for an ingredient alone (``sertraline``), a brand alone
    (``Zoloft``), free text (``sertraline 50mg daily``) and anything else that
    names no strength and dose form; callers look those up as names.
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    brand = None
    found = _BRAND.search(cleaned)
    if found:
        brand = found.group("brand").strip()
        cleaned = cleaned[: found.start()].strip()
    pack = _PACK.match(cleaned)
    if pack:
        return _pack(text, pack.group("inner"), brand)
    parsed = _single(cleaned)
    if parsed is None:
        return None
    return attrs.evolve(parsed, text=text, brand=brand)


def parse_ingredient_strength_name(text: str) -> ClinicalDrugName | None:
    """``text`` read as ingredients with their strengths and nothing else, or None.

    ``bupropion hydrochloride 200 MG`` and ``olanzapine 6 MG / fluoxetine 25 MG`` name an
    ingredient at a strength but no product: no dose form, so the result's ``dose_form`` is
    None (and it has no brand, qualifier, release duration or pack). Records carry such
    names: HL7's US Behavioral Health Profiles example codes a bupropion order as RxNorm
    993532 with the display ``bupropion hydrochloride 200 MG``. This is a function of its own,
    not a looser :func:`parse_clinical_drug_name`, because callers of that function rely on a
    parsed name having a dose form (a dose counted in tablets is turned into mg only for a
    tablet); a caller that only needs to know which drug a name is may try this one too.
    Free text (``sertraline 50mg daily``) is still None: every part must be an ingredient
    followed by a number and an RxNorm unit.
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    components = []
    for chunk in cleaned.split(" / "):
        match = _COMPONENT.match(chunk.strip())
        if match is None:
            return None
        strength = Strength(float(match.group("value")), match.group("unit").upper())
        components.append(Component(match.group("name"), strength))
    return ClinicalDrugName(text=text, components=tuple(components), dose_form=None)


def _pack(text: str, inner: str, brand: str | None) -> ClinicalDrugName | None:
    parts = []
    for part in _split_top_level(inner):
        match = _PACK_PART.match(part)
        if match is None:
            return None
        drug = _single(" ".join(match.group("drug").split()))
        if drug is None:
            return None
        parts.append((int(match.group("count")), drug))
    if not parts:
        return None
    return ClinicalDrugName(
        text=text, components=(), dose_form="Pack", brand=brand, pack=tuple(parts)
    )


def _split_top_level(inner: str) -> list[str]:
    """Pack parts are separated by ``/`` outside parentheses (inside, ``/`` joins ingredients)."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for character in inner:
        if character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        if character == "/" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


def _single(name: str) -> ClinicalDrugName | None:
    """One SCD/SBD name without its brand: qualifier, components and dose form."""
    release_hours = None
    qualifier = None
    quantity = None
    found = _QUANTITY.match(name)
    if found:
        quantity = Strength(float(found.group("value")), found.group("unit").upper())
        name = name[found.end() :]
    while True:  # "Smoking Cessation 12 HR bupropion ...", "24 HR venlafaxine ..."
        release = _RELEASE.match(name)
        if release and release_hours is None:
            release_hours = int(release.group("hours"))
            name = name[release.end() :]
            continue
        lowered = name.casefold()
        word = next((q for q in QUALIFIERS if lowered.startswith(q + " ")), None)
        if word is not None and qualifier is None:
            qualifier, name = name[: len(word)], name[len(word) + 1 :]
            continue
        break
    ends = list(_STRENGTH_END.finditer(name))
    if not ends:
        return None
    last = ends[-1]
    dose_form = name[last.end() :].strip() or None
    if dose_form is None or dose_form.startswith("/"):
        # "/ fluoxetine 25 MG" is one more ingredient, not a dose form: the name has none.
        return None
    components = []
    for chunk in name[: last.end()].split(" / "):
        match = _COMPONENT.match(chunk.strip())
        if match is None:
            return None
        strength = Strength(float(match.group("value")), match.group("unit").upper())
        components.append(Component(match.group("name"), strength))
    return ClinicalDrugName(
        text=name,
        components=tuple(components),
        dose_form=dose_form,
        release_hours=release_hours,
        qualifier=qualifier,
        quantity=quantity,
    )
