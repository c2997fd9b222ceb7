"""The hugo exporter: pages, front matter, crisis block, translations, profiles, determinism."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cms_fixtures import (
    builtin_catalog,
    catalog_with,
    export,
    front_matter,
    module,
    spanish_documents,
)

from trdcore.catalog import Catalog
from trdcore.exceptions import ExportError
from trdcore.plugins import get_plugin_manager, plugins
from trdcore.testing import run_export

REQUIRED_PARAMS = {
    "audience",
    "content_id",
    "content_version",
    "last_reviewed",
    "next_review",
    "reviewed_by",
    "sources",
    "sources_cited",
    "jsonld",
}


@pytest.fixture(scope="module")
def hugo_files() -> dict[str, str]:
    return export("hugo")


def pages_of(files: dict[str, str]) -> dict[str, tuple[dict, str]]:
    return {
        name: front_matter(text)
        for name, text in files.items()
        if name.startswith("content/") and "/_index" not in name
    }


def test_plugin_is_installed() -> None:
    manager = get_plugin_manager(environ={})
    found = {info.name: info for info in plugins(manager)}
    assert "cms" in found, sorted(found)
    info = found["cms"]
    assert info.status == "ok", info.reason
    assert info.distribution == "trdcore-cms"
    assert info.hooks == ("trdcore_register_exporters",)


def test_hook_registers_hugo_and_wordpress(trdcore_pm, register_plugin) -> None:
    import trdcore_cms

    register_plugin(trdcore_cms)
    for target in ("hugo", "wordpress"):
        outcome = run_export(target, pm=trdcore_pm, catalog=builtin_catalog())
        outcome.assert_ok()


def test_every_page_is_a_leaf_bundle(hugo_files: dict[str, str]) -> None:
    names = set(hugo_files)
    assert "content/patients/what-is-trd/index.md" in names
    assert "content/patients/comparing-treatment-options/index.md" in names
    assert "content/patients/crisis-resources/index.md" in names
    assert "content/clinicians/comparing-treatment-options/index.md" in names
    for entry in builtin_catalog().items("treatment"):
        assert f"content/treatments/{entry.id}/index.md" in names
        assert f"content/clinician-treatments/{entry.id}/index.md" in names
    for entry in builtin_catalog().items("content-module"):
        section = "patients" if entry.model.audience == "patient" else "clinicians"
        slug = entry.id.removesuffix(f"-{entry.model.audience}")
        assert f"content/{section}/{slug}/index.md" in names
    assert {"hugo.toml", "layouts/single.html", "layouts/baseof.html"} <= names


def test_front_matter_carries_review_metadata_and_sources(hugo_files: dict[str, str]) -> None:
    pages = pages_of(hugo_files)
    assert len(pages) == 2 * len(builtin_catalog().items("treatment")) + 2 + len(
        builtin_catalog().items("content-module")
    )
    for name, (matter, _body) in pages.items():
        assert matter["title"], name
        assert matter["description"], name
        params = matter["params"]
        assert set(params) == REQUIRED_PARAMS, name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", params["last_reviewed"]), name
        assert params["audience"] in ("patient", "clinician")
        assert params["sources"], f"{name} cites no source"
        assert all(source["id"] and source["title"] for source in params["sources"])
    rtms = pages["content/treatments/rtms/index.md"][0]
    assert rtms["params"]["content_id"] == "rtms@1.0.0"
    assert rtms["params"]["last_reviewed"] == "2026-11-27"
    shown = {source["id"] for source in rtms["params"]["sources"]}
    assert len(shown) <= 6 < rtms["params"]["sources_cited"]
    clinician = pages["content/clinician-treatments/rtms/index.md"][0]
    listed = {source["id"] for source in clinician["params"]["sources"]}
    assert "papakostas-2024-ascertain-trd" in listed
    assert shown - {"cdcr-988-2022", "webmd-988-2022"} <= listed
    assert len(listed) == clinician["params"]["sources_cited"]


def test_patient_pages_show_at_most_six_key_sources_and_clinician_pages_all(
    hugo_files: dict[str, str],
) -> None:
    """Issue 15: a patient page lists its key sources (primary first, the 988 source kept);
    the page for clinicians lists every source its content cites."""
    cut = 0
    for name, (matter, _body) in pages_of(hugo_files).items():
        params = matter["params"]
        shown = params["sources"]
        if params["audience"] == "patient":
            assert len(shown) <= 6, name
            if params["sources_cited"] > len(shown):
                cut += 1
        else:
            assert len(shown) == params["sources_cited"], name
    assert cut, "no built-in patient page cites more than six sources any more"


def test_patient_pages_end_with_the_988_crisis_block(hugo_files: dict[str, str]) -> None:
    for name, (matter, body) in pages_of(hugo_files).items():
        marked = re.findall(r"^## .+ \{#crisis-help\}$", body, flags=re.MULTILINE)
        if matter["params"]["audience"] == "patient":
            assert len(marked) == 1, name
            block = body[body.index(marked[0]) :]
            assert "988" in block, name
            assert "cdcr-988-2022" in {source["id"] for source in matter["params"]["sources"]}
        else:
            assert not marked, name


def test_jsonld_name_is_the_page_title(hugo_files: dict[str, str]) -> None:
    for name, (matter, _body) in pages_of(hugo_files).items():
        data = json.loads(matter["params"]["jsonld"])
        assert data["@type"] == "MedicalWebPage"
        assert data["name"] == matter["title"], name
        assert data["lastReviewed"] == matter["params"]["last_reviewed"]
        assert data["reviewedBy"]["name"] == matter["params"]["reviewed_by"]
        assert data["about"]["@type"] == "MedicalCondition"
        assert data["about"]["possibleTreatment"], name


def test_treatment_pages_type_their_treatment(hugo_files: dict[str, str]) -> None:
    def jsonld(path: str) -> dict:
        return json.loads(front_matter(hugo_files[path])[0]["params"]["jsonld"])

    assert jsonld("content/treatments/ect/index.md")["mainEntity"]["@type"] == (
        "TherapeuticProcedure"
    )
    assert jsonld("content/treatments/cbt/index.md")["mainEntity"]["@type"] == (
        "PsychologicalTreatment"
    )
    esketamine = jsonld("content/treatments/esketamine-nasal-spray/index.md")["mainEntity"]
    assert esketamine["@type"] == "MedicalTherapy"
    assert esketamine["drug"] == [{"@type": "Drug", "name": "esketamine"}]
    clinician = jsonld("content/clinician-treatments/ect/index.md")
    assert clinician["medicalAudience"] == {"@id": "https://schema.org/Clinician"}


def test_comparison_lists_every_treatment(hugo_files: dict[str, str]) -> None:
    _matter, patient = front_matter(
        hugo_files["content/patients/comparing-treatment-options/index.md"]
    )
    _matter, clinician = front_matter(
        hugo_files["content/clinicians/comparing-treatment-options/index.md"]
    )
    for entry in builtin_catalog().items("treatment"):
        assert f"(/treatments/{entry.id}/)" in patient
        assert f"(/clinician-treatments/{entry.id}/)" in clinician
    first = builtin_catalog().get("treatment", "esketamine-nasal-spray").model.regulatory[0]
    expected = f"FDA approved, {first.date.isoformat()} ({first.verification})"
    assert expected in clinician


def test_export_is_byte_identical_and_independent_of_content_order() -> None:
    first = export("hugo")
    again = export("hugo")
    reversed_order = export("hugo", force=True, catalog=catalog_with(reverse=True))
    assert first == again == reversed_order
    assert export("wordpress") == export(
        "wordpress", force=True, catalog=catalog_with(reverse=True)
    )


def test_translation_is_index_lang_md_in_the_same_bundle() -> None:
    files = export("hugo", force=True, catalog=catalog_with(*spanish_documents()))
    spanish, body = front_matter(files["content/patients/what-is-trd/index.es.md"])
    english, _ = front_matter(files["content/patients/what-is-trd/index.md"])
    assert spanish["translationKey"] == english["translationKey"] == "patients/what-is-trd"
    assert spanish["title"] == "¿Qué es la depresión resistente al tratamiento?"
    assert "## Si necesita ayuda ahora {#crisis-help}" in body
    assert json.loads(spanish["params"]["jsonld"])["inLanguage"] == "es"
    assert '[languages."es"]' in files["hugo.toml"]
    assert "content/patients/crisis-resources/index.es.md" in files


def test_translation_without_a_local_crisis_block_is_refused() -> None:
    page = spanish_documents()[1]
    with pytest.raises(ExportError, match=r"language 'es' need the crisis block"):
        export("hugo", force=True, catalog=catalog_with(page))


def test_locale_keeps_one_language() -> None:
    files = export("hugo", force=True, catalog=catalog_with(*spanish_documents()), locale="es")
    pages = [name for name in files if name.startswith("content/") and "_index" not in name]
    assert sorted(pages) == [
        "content/patients/crisis-resources/index.md",
        "content/patients/what-is-trd/index.md",
    ]
    assert 'defaultContentLanguage = "es"' in files["hugo.toml"]
    with pytest.raises(ExportError, match="no active content in locale 'fr'"):
        export("hugo", locale="fr")


def test_missing_source_is_an_error_naming_the_item() -> None:
    broken = module("test-missing-source-patient", sources=["no-such-source"])
    with pytest.raises(ExportError, match=r"test-missing-source-patient@1.0.0.*'no-such-source'"):
        export("hugo", force=True, catalog=catalog_with(broken))


def test_drafts_are_not_published_but_reported() -> None:
    draft = module("test-draft-patient", status="draft")
    result_files = export("hugo", force=True, catalog=catalog_with(draft))
    assert not any("test-draft" in name for name in result_files)
    from cms_fixtures import manager

    from trdcore.exporting import run_export as run

    result = run("hugo", manager=manager(), catalog=catalog_with(draft), force=True)
    assert result.metadata["skipped"] == [
        {"item": "content-module test-draft-patient@1.0.0", "reason": "status is 'draft'"}
    ]


def test_empty_catalog_is_refused_with_a_reason() -> None:
    with pytest.raises(ExportError, match=r"no active content|crisis block"):
        export(
            "hugo",
            force=True,
            catalog=Catalog.from_documents([("tests", module("lonely-patient"))]),
        )


def test_jekyll_profile_writes_collections() -> None:
    files = export("hugo", profile="jekyll")
    matter, body = front_matter(files["_treatments/rtms.md"])
    assert matter["layout"] == "page"
    assert matter["render_with_liquid"] is False
    assert matter["permalink"] == "/treatments/rtms/"
    assert "{#crisis-help}" in body
    config = yaml.safe_load(files["_config.yml"])
    assert set(config["collections"]) == {
        "patients",
        "treatments",
        "clinicians",
        "clinician-treatments",
    }
    assert "_layouts/page.html" in files
    assert not any(name.startswith("content/") for name in files)


def test_astro_profile_front_matter_matches_its_schema() -> None:
    files = export("hugo", profile="astro")
    config = files["src/content.config.ts"]
    declared = set(re.findall(r"^\s{6}(\w+): z\.", config, flags=re.MULTILINE))
    for name, text in files.items():
        if name.endswith(".md"):
            matter, body = front_matter(text)
            assert set(matter) == declared, name
            assert "{#" not in body
    assert "src/content/treatments/en/rtms.md" in files
    assert "'clinician-treatments': page(\"clinician-treatments\")" in config


def test_decap_profile_fields_match_the_front_matter() -> None:
    files = export("hugo", profile="decap")
    config = yaml.safe_load(files["static/admin/config.yml"])
    for collection in config["collections"]:
        fields = {field["name"]: field for field in collection["fields"]}
        assert "title" in fields  # Decap needs it (or an identifier_field)
        bundle = next(
            name
            for name in files
            if name.startswith(collection["folder"] + "/") and name.endswith("/index.md")
        )
        matter, _ = front_matter(files[bundle])
        assert set(matter) | {"body"} == set(fields)
        assert set(matter["params"]) == {field["name"] for field in fields["params"]["fields"]}


def test_command_line_writes_the_site_and_a_manifest(tmp_path) -> None:
    trdcore = str(Path(sys.executable).parent / "trdcore")
    out = tmp_path / "site"
    command = [trdcore, "export", "hugo", "--out", str(out), "--profile", "jekyll"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert (out / "_treatments" / "ect.md").exists()
    manifest = json.loads((out / "trdcore-export.json").read_text())
    assert manifest["metadata"]["profile"] == "jekyll"
    assert manifest["metadata"]["pages"] > 50
    command[-1] = "gatsby"
    bad = subprocess.run(command, capture_output=True, text=True, check=False)
    assert bad.returncode == 2, bad.stderr
    assert "gatsby" in bad.stderr


def test_content_with_a_blocking_finding_is_refused_unless_forced() -> None:
    from cms_fixtures import manager

    from trdcore.exporting import run_export as run

    no_crisis = module("test-no-crisis-patient")  # never points the reader to 988
    for target in ("hugo", "wordpress"):
        with pytest.raises(ExportError, match=r"refused(.|\n)*test-no-crisis-patient"):
            export(target, catalog=catalog_with(no_crisis))
    result = run("hugo", manager=manager(), catalog=catalog_with(no_crisis), force=True)
    assert result.lint["forced"] is True
    assert any(
        finding["item"].startswith("test-no-crisis-patient") for finding in result.lint["findings"]
    )
    # The exporter still ends the page with the crisis block from the crisis module.
    assert "{#crisis-help}" in result.files["content/patients/test-no-crisis/index.md"]


def test_treatment_without_review_is_refused() -> None:
    treatment = {
        **{key: value for key, value in _valid("treatment").items() if key != "review"},
        "id": "test-unreviewed",
        "status": "active",
        "sources": ["cdcr-988-2022"],
    }
    with pytest.raises(ExportError, match=r"treatment test-unreviewed@1.0.0 has no review"):
        export("hugo", force=True, catalog=catalog_with(treatment))


def test_control_characters_stop_the_wordpress_export() -> None:
    page = module(
        "test-bell-patient",
        sections=[{"id": "x", "heading": "Bell", "body": "A bell \x07 here."}],
    )
    with pytest.raises(ExportError, match=r"test-bell-patient@1.0.0.*U\+0007"):
        export("wordpress", force=True, catalog=catalog_with(page))


def _valid(schema: str) -> dict:
    from trdcore.testing import valid_document

    return valid_document(schema)
