"""RxNorm normalized names are read into ingredients, strengths, dose form, brand and packs.

The examples are names as RxNorm writes them (issue 16 quotes them from Synthea and HL7 data;
the eCQM "Antidepressant Medication" value set lists the rest).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trdcore.catalog import Catalog
from trdcore.rxnorm_names import (
    Strength,
    parse_clinical_drug_name,
    parse_ingredient_strength_name,
)


def test_a_clinical_drug_gives_its_ingredient_strength_and_dose_form() -> None:
    name = parse_clinical_drug_name("Sertraline 100 MG Oral Tablet")
    assert name is not None
    assert name.ingredients == ("sertraline",)
    assert name.components[0].strength == Strength(100, "MG")
    assert name.dose_form == "Oral Tablet"
    assert name.brand is None


def test_an_extended_release_product_keeps_its_release_duration() -> None:
    name = parse_clinical_drug_name("24 HR venlafaxine 150 MG Extended Release Oral Capsule")
    assert name is not None
    assert name.release_hours == 24
    assert name.ingredients == ("venlafaxine",)
    assert name.dose_form == "Extended Release Oral Capsule"


def test_a_branded_drug_gives_its_brand() -> None:
    name = parse_clinical_drug_name("sertraline 50 MG Oral Tablet [Zoloft]")
    assert name is not None
    assert (name.ingredients, name.brand) == (("sertraline",), "Zoloft")


def test_a_combination_gives_each_ingredient_with_its_own_strength() -> None:
    name = parse_clinical_drug_name("olanzapine 6 MG / fluoxetine 25 MG Oral Capsule")
    assert name is not None
    assert name.ingredients == ("olanzapine", "fluoxetine")
    assert [c.strength.value for c in name.components] == [6, 25]


def test_tall_man_lettering_and_salts_give_the_active_moiety() -> None:
    name = parse_clinical_drug_name(
        "24 HR buPROPion hydrochloride 300 MG Extended Release Oral Tablet"
    )
    assert name is not None
    assert name.components[0].name == "buPROPion hydrochloride"
    assert name.ingredients == ("bupropion",)


@pytest.mark.parametrize(
    ("text", "qualifier", "hours"),
    [
        ("PMDD fluoxetine 10 MG Oral Tablet", "PMDD", None),
        ("Sprinkle duloxetine 30 MG Delayed Release Oral Capsule", "Sprinkle", None),
        (
            "Smoking Cessation 12 HR bupropion hydrochloride 150 MG Extended Release Oral Tablet",
            "Smoking Cessation",
            12,
        ),
    ],
)
def test_qualifiers_that_tell_products_apart_are_not_part_of_the_ingredient(
    text: str, qualifier: str, hours: int | None
) -> None:
    name = parse_clinical_drug_name(text)
    assert name is not None
    assert (name.qualifier, name.release_hours) == (qualifier, hours)
    assert len(name.ingredients) == 1
    assert " " not in name.ingredients[0]


def test_a_patch_strength_is_a_delivery_rate() -> None:
    name = parse_clinical_drug_name("24 HR selegiline 0.25 MG/HR Transdermal System")
    assert name is not None
    strength = name.components[0].strength
    assert strength == Strength(0.25, "MG/HR")
    assert not strength.per_unit_of_form


def test_an_injection_keeps_its_quantity_factor() -> None:
    name = parse_clinical_drug_name("1.5 ML aripiprazole 200 MG/ML Prefilled Syringe")
    assert name is not None
    assert name.quantity == Strength(1.5, "ML")
    assert name.components[0].strength == Strength(200, "MG/ML")


def test_a_pack_lists_each_product_with_its_count() -> None:
    name = parse_clinical_drug_name(
        "{2 (24 HR levomilnacipran 20 MG Extended Release Oral Capsule) / "
        "26 (24 HR levomilnacipran 40 MG Extended Release Oral Capsule) } Pack [Fetzima]"
    )
    assert name is not None
    assert name.brand == "Fetzima"
    assert [count for count, _ in name.pack] == [2, 26]
    assert name.ingredients == ("levomilnacipran",)
    assert name.pack[1][1].components[0].strength == Strength(40, "MG")


@pytest.mark.parametrize(
    "text",
    ["sertraline", "Zoloft", "sertraline 50mg daily", "", "   ", "50 MG Oral Tablet", "{} Pack"],
)
def test_text_that_is_not_a_normalized_name_gives_none(text: str) -> None:
    assert parse_clinical_drug_name(text) is None


def test_an_ingredient_at_a_strength_without_a_dose_form_is_not_a_clinical_drug_name() -> None:
    """The parser's contract: a clinical drug name has a dose form (HL7's US Behavioral Health
    example display for RxNorm 993532 has none)."""
    assert parse_clinical_drug_name("bupropion hydrochloride 200 MG") is None


def test_an_ingredient_at_a_strength_reads_as_its_ingredient_and_strength() -> None:
    name = parse_ingredient_strength_name("bupropion hydrochloride 200 MG")
    assert name is not None
    assert name.ingredients == ("bupropion",)
    assert name.components[0].strength == Strength(200, "MG")
    assert name.dose_form is None
    assert (name.brand, name.release_hours, name.qualifier, name.pack) == (None, None, None, ())


def test_ingredients_at_strengths_without_a_dose_form_are_not_a_clinical_drug_name() -> None:
    """The last ingredient is not the first one's dose form: the name has none."""
    assert parse_clinical_drug_name("fluoxetine 25 MG / olanzapine 6 MG") is None


def test_ingredients_at_strengths_read_as_each_ingredient() -> None:
    name = parse_ingredient_strength_name("olanzapine 6 MG / fluoxetine 25 MG")
    assert name is not None
    assert name.ingredients == ("olanzapine", "fluoxetine")


@pytest.mark.parametrize(
    "text",
    [
        "sertraline",
        "sertraline 50mg daily",
        "sertraline 50 MG daily",
        "sertraline 50 MG Oral Tablet",
        "12 HR bupropion hydrochloride 200 MG",
        "sertraline 50 MG [Zoloft]",
        "50 MG",
        "",
    ],
)
def test_anything_but_ingredients_at_strengths_gives_no_ingredient_strength_name(
    text: str,
) -> None:
    assert parse_ingredient_strength_name(text) is None


@pytest.mark.parametrize(
    ("text", "drug"),
    [
        ("bupropion hydrochloride 200 MG", "bupropion"),
        ("SERTRALINE 50 MG", "sertraline"),
        ("olanzapine 6 MG / fluoxetine 25 MG", "olanzapine-fluoxetine"),
        # Not fluoxetine alone: the combination is a drug of its own.
        ("fluoxetine 25 MG / olanzapine 6 MG", "olanzapine-fluoxetine"),
    ],
)
def test_the_catalog_recognises_a_drug_named_by_ingredient_and_strength(
    catalog: Catalog, text: str, drug: str
) -> None:
    """Recognised as "parsed name" with no dose form, so no product strength per tablet is
    claimed for it (a dose in tablets cannot be turned into mg from such a name)."""
    recognised = catalog.recognise_drug(text)
    assert recognised is not None
    assert (recognised.drug.id, recognised.how) == (drug, "parsed name")
    assert recognised.parsed is not None
    assert recognised.parsed.dose_form is None
    assert catalog.find_drug(text) == recognised.drug


def test_an_ingredient_at_a_strength_that_is_no_catalog_drug_is_not_recognised(
    catalog: Catalog,
) -> None:
    assert catalog.recognise_drug("lorazepam 0.5 MG") is None


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=12).filter(
    lambda word: word not in ("pmdd", "sprinkle", "smoking")
)
salts = st.sampled_from(["", " hydrochloride", " mesylate", " succinate", " hydrobromide"])
values = st.one_of(
    st.integers(min_value=1, max_value=900).map(str),
    # Plain notation: Decimal("10.00").normalize() prints as "1E+1".
    st.decimals(min_value="0.05", max_value="99.9", places=2).map(
        lambda d: format(d.normalize(), "f")
    ),
)
forms = st.sampled_from(
    ["Oral Tablet", "Oral Capsule", "Extended Release Oral Tablet", "Disintegrating Oral Tablet"]
)


@given(
    st.lists(st.tuples(words, salts, values), min_size=1, max_size=3),
    forms,
    st.one_of(st.none(), st.sampled_from([12, 24])),
    st.one_of(st.none(), st.sampled_from(["Zoloft", "Wellbutrin XL", "Trintellix"])),
    st.sampled_from([str.lower, str.upper, str.title, lambda text: text]),
)
def test_any_name_built_by_the_pattern_reads_back_to_its_parts(
    parts: list[tuple[str, str, str]],
    form: str,
    hours: int | None,
    brand: str | None,
    case: object,
) -> None:
    components = " / ".join(f"{case(word)}{salt} {value} MG" for word, salt, value in parts)  # type: ignore[operator]
    text = f"{hours} HR {components} {form}" if hours else f"{components} {form}"
    if brand:
        text += f" [{brand}]"
    name = parse_clinical_drug_name(text)
    assert name is not None, text
    assert name.ingredients == tuple(word for word, _, _ in parts)
    assert [c.strength.value for c in name.components] == [float(v) for _, _, v in parts]
    assert name.dose_form == form
    assert name.release_hours == hours
    assert name.brand == brand
