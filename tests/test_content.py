"""The built-in catalog: complete, valid, sourced, and honest about what is unverified."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from trdcore.catalog import Catalog
from trdcore.default_plugins.content import content_files
from trdcore.documents import read_documents

REFERENCE = Path(__file__).parent.parent.parent / "shared" / "reference"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"


def ids(catalog: Catalog, kind: str) -> set[str]:
    return {entry.id for entry in catalog.items(kind)}


def test_every_content_file_reads_and_every_document_validates(catalog: Catalog) -> None:
    files = list(content_files())
    assert files, "no built-in content found"
    for path in files:
        for document in read_documents(path):
            assert document.error is None, document.error
    assert catalog.problems == ()


def test_the_catalog_holds_what_issue_4_lists(catalog: Catalog) -> None:
    drugs = ids(catalog, "drug")
    augmentation = {
        "aripiprazole",
        "brexpiprazole",
        "quetiapine",
        "cariprazine",
        "olanzapine-fluoxetine",
        "lithium",
        "liothyronine",
        "esketamine",
        "ketamine",
    }
    assert augmentation <= drugs
    # esketamine is one of the 37 antidepressants as well as a rapid-acting agent
    assert len(drugs) >= 37 + len(augmentation - {"esketamine"})
    assert {
        "two-trials-gaynes-2020",
        "different-classes",
        "sforzini-2022",
        "canadian-consensus-2021",
        "esketamine-trials",
    } <= ids(catalog, "trd-definition")
    assert {"thase-rush", "european-staging", "mgh-s", "maudsley"} <= ids(catalog, "staging-model")


def test_all_37_antidepressants_of_the_reference_table_are_drugs(catalog: Catalog) -> None:
    path = REFERENCE / "antidepressants.csv"
    if not path.exists():
        pytest.skip("the shared reference folder is not beside this checkout")
    with path.open() as table:
        names = {row["generic_name"].strip().lower() for row in csv.DictReader(table)}
    assert len(names) == 37
    drug_names = {entry.model.name.lower() for entry in catalog.items("drug")} | ids(
        catalog, "drug"
    )
    assert names <= drug_names, sorted(names - drug_names)


def referenced_sources(node: Any) -> set[str]:
    """Every source id a document refers to, wherever it sits."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources" and isinstance(value, list):
                found.update(value)
            else:
                found |= referenced_sources(value)
    elif isinstance(node, list):
        for value in node:
            found |= referenced_sources(value)
    return found


def test_every_source_id_referred_to_exists(catalog: Catalog) -> None:
    known = ids(catalog, "source")
    for entry in catalog.entries:
        missing = referenced_sources(entry.model.to_json()) - known
        assert not missing, f"{entry.kind} {entry.ref} cites unknown sources {sorted(missing)}"


def test_every_item_except_sources_cites_a_source(catalog: Catalog) -> None:
    for entry in catalog.entries:
        if entry.kind != "source":
            assert referenced_sources(entry.model.to_json()), f"{entry.ref} cites nothing"


def test_no_source_is_entered_twice(catalog: Catalog) -> None:
    keys: Counter[str] = Counter()
    for entry in catalog.items("source"):
        source = entry.model
        for key in (
            source.doi and f"doi:{source.doi.lower()}",
            source.pmid and f"pmid:{source.pmid}",
        ):
            if key:
                keys[key] += 1
    assert [key for key, count in keys.items() if count > 1] == []


def codes(catalog: Catalog, system: str) -> list[tuple[str, str]]:
    return [
        (entry.id, coding.code)
        for entry in catalog.items("drug")
        for coding in entry.model.codings or ()
        if coding.system == system
    ]


def test_rxcuis_and_atc_codes_are_well_formed_and_unique(catalog: Catalog) -> None:
    rxcuis = codes(catalog, RXNORM)
    atcs = codes(catalog, ATC)
    assert rxcuis
    assert atcs
    for drug, code in rxcuis:
        assert re.fullmatch(r"[1-9][0-9]{0,9}", code), (drug, code)
    for drug, code in atcs:
        assert re.fullmatch(r"[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}", code), (drug, code)
    for found in (rxcuis, atcs):
        repeated = [code for code, count in Counter(code for _, code in found).items() if count > 1]
        assert repeated == []


def test_agomelatine_has_no_rxcui(catalog: Catalog) -> None:
    entry = catalog.get("drug", "agomelatine")
    assert entry is not None
    assert all(coding.system != RXNORM for coding in entry.model.codings or ())


def test_every_drug_named_by_a_treatment_exists(catalog: Catalog) -> None:
    drugs = ids(catalog, "drug")
    for entry in catalog.items("treatment"):
        missing = set(entry.model.drugs or ()) - drugs
        assert not missing, f"{entry.ref} names unknown drugs {sorted(missing)}"


def test_doses_from_the_single_study_form_are_provisional(catalog: Catalog) -> None:
    for entry in catalog.items("drug"):
        for dose in entry.model.adequate_doses or ():
            if dose.scheme == "mgh-atrq" and entry.id != "venlafaxine":
                assert dose.verification in {"provisional", "unverified"}, entry.ref


def test_brand_names_match_input_case_insensitively(catalog: Catalog) -> None:
    brands = {
        brand.name.lower(): entry.id
        for entry in catalog.items("drug")
        for brand in entry.model.brands or ()
    }
    assert brands["zoloft"] == "sertraline"
    assert brands["lexapro"] == "escitalopram"


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:\.\d+)?", text))


def patient_texts(catalog: Catalog) -> list[tuple[str, str]]:
    texts = [(entry.ref, entry.model.text.patient.text) for entry in catalog.items("treatment")]
    texts += [
        (entry.ref, "\n".join(section.body for section in entry.model.sections))
        for entry in catalog.items("content-module")
        if entry.model.audience == "patient"
    ]
    return texts


def test_every_patient_text_points_to_the_988_crisis_line(catalog: Catalog) -> None:
    for ref, text in patient_texts(catalog):
        assert "988" in text, ref


def test_patient_text_is_person_first_and_follows_safe_messaging(catalog: Catalog) -> None:
    banned = re.compile(
        r"committed suicide|successful suicide|failed suicide|suffers? from|"
        r"\bdepressives?\b|the mentally ill",
        re.IGNORECASE,
    )
    for ref, text in patient_texts(catalog):
        assert not banned.search(text), (ref, banned.search(text))


def test_patient_sections_stating_numbers_cite_sources(catalog: Catalog) -> None:
    for entry in catalog.items("content-module"):
        for section in entry.model.sections:
            numbers = _numbers(section.body) - {"988"}
            if numbers:
                assert section.sources, f"{entry.ref} section {section.id} states {sorted(numbers)}"


def test_nothing_is_presented_as_the_ema_or_fda_definition(catalog: Catalog) -> None:
    for entry in catalog.items("trd-definition"):
        title = entry.model.title.lower()
        assert "ema definition" not in title
        assert "fda definition" not in title
        assert "label definition" not in title


@pytest.mark.parametrize(
    ("text", "drug"),
    [
        ("Zoloft", "sertraline"),
        ("  zoloft ", "sertraline"),
        ("LEXAPRO", "escitalopram"),
        ("36437", "sertraline"),
        ("Spravato", "esketamine"),
        ("Sertraline", "sertraline"),
    ],
)
def test_input_names_brands_and_rxcuis_find_their_drug(
    catalog: Catalog, text: str, drug: str
) -> None:
    found = catalog.find_drug(text)
    assert found is not None
    assert found.id == drug


def test_an_unknown_drug_name_finds_nothing(catalog: Catalog) -> None:
    assert catalog.find_drug("sertralin") is None


def test_no_two_drugs_share_a_name_synonym_or_brand(catalog: Catalog) -> None:
    owners: dict[str, set[str]] = {}
    for entry in catalog.items("drug"):
        drug = entry.model
        for key in [drug.name, *(drug.synonyms or ()), *(b.name for b in drug.brands or ())]:
            owners.setdefault(key.casefold(), set()).add(entry.id)
    assert {key: ids for key, ids in owners.items() if len(ids) > 1} == {}


def test_every_dose_scheme_a_definition_names_is_in_the_drug_catalog(catalog: Catalog) -> None:
    schemes = {
        dose.scheme for entry in catalog.items("drug") for dose in entry.model.adequate_doses or ()
    }
    for entry in catalog.items("trd-definition"):
        rule = entry.model.parameters.adequate_dose
        if rule.method == "dose-scheme":
            assert rule.scheme in schemes, entry.ref
