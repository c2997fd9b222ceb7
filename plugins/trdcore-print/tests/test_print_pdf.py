"""The PDF handouts, checked with tools that are not WeasyPrint: poppler, qpdf, pypdf, pdfplumber.

Each kind of export is rendered once per run (see print_fixtures); its PDFs
and PNG pages are kept under test-artifacts/print/ for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pypdf
import pytest
import trdcore_print
from print_fixtures import (
    PICTURED,
    active_treatments,
    builtin_catalog,
    clinician_set,
    export,
    large_print_set,
    patient_set,
    tool,
)

from trdcore.plugins import get_plugin_manager, plugins


def pdfs(folder: Path) -> list[Path]:
    found = sorted(folder.glob("*.pdf"))
    assert found, f"no PDF in {folder}"
    return found


def pdfinfo(path: Path) -> dict[str, str]:
    lines = tool("pdfinfo", path).splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}


def pdf_text(path: Path) -> str:
    """The text pdftotext reads, with line breaks (and the hyphens they split words at) removed."""
    text = tool("pdftotext", "-raw", path, "-")
    return " ".join(text.replace("-\n", "-").replace("/\n", "/").split())


def smallest_text(path: Path) -> float:
    """The smallest font size (pt) of any character on any page, as pdfplumber measures it."""
    with pdfplumber.open(path) as pdf:
        sizes = [char["size"] for page in pdf.pages for char in page.chars if char["text"].strip()]
    assert sizes, f"{path.name} has no text"
    return min(sizes)


def test_plugin_is_installed() -> None:
    manager = get_plugin_manager(environ={})
    found = {info.name: info for info in plugins(manager)}
    assert "print" in found, f"no entry point 'print' in group 'trdcore'; found {sorted(found)}"
    info = found["print"]
    assert info.status == "ok", info.reason
    assert info.distribution == "trdcore-print"
    assert info.hooks == ("trdcore_register_exporters",)


def test_exporters_declare_their_options() -> None:
    options = {option.name: option for option in trdcore_print.OPTIONS}
    assert options["large-print"].kind == "flag"
    assert options["audience"].choices == ("patient", "clinician")
    assert options["audience"].default == "patient"
    assert options["treatment"].kind == "multiple"
    assert trdcore_print.HandoutPdfExporter.options == trdcore_print.HandoutHtmlExporter.options


def test_default_export_prints_overview_every_active_treatment_and_questions() -> None:
    result, _ = patient_set()
    expected = {"trd-and-options.pdf", "questions-for-your-psychiatrist.pdf"}
    expected |= {f"treatment-{identifier}.pdf" for identifier in active_treatments()}
    assert set(result.files) == expected
    assert len(expected) > 10
    assert result.metadata["skipped"] == []
    assert result.metadata["audience"] == "patient"
    assert result.metadata["large_print"] is False


def test_pdfs_are_tagged_pdf_ua_with_title_language_and_review_dates() -> None:
    result, folder = patient_set()
    titles = {entry["file"]: entry["title"] for entry in result.metadata["handouts"]}
    for path in pdfs(folder):
        info = pdfinfo(path)
        assert info["Tagged"] == "yes", path.name
        assert info["Title"] == titles[path.name]
        assert info["Page size"].startswith("612 x 792"), "US Letter"
        # The review date of the content, never the clock.
        assert info["CreationDate"].startswith("Fri Nov 27 00:00:00 2026"), info["CreationDate"]
        reader = pypdf.PdfReader(path)
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "en"
        assert bool(root["/MarkInfo"]["/Marked"])
        assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
        assert "/StructTreeRoot" in root
        assert 'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data().decode("utf-8")
        assert reader.metadata is not None
        assert reader.metadata["/CreationDate"].startswith("D:20261127")


def test_structure_tree_has_a_title_heading_sections_and_lists() -> None:
    _, folder = patient_set()
    reader = pypdf.PdfReader(folder / "questions-for-your-psychiatrist.pdf")
    roles: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, pypdf.generic.DictionaryObject):
            if "/S" in node:
                roles.append(str(node["/S"]))
            walk(node.get("/K"))
        elif isinstance(node, pypdf.generic.ArrayObject):
            for child in node:
                walk(child)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert roles.count("/H1") == 1
    assert {"/H2", "/P", "/L", "/LI"} <= set(roles)


def test_every_font_is_the_packaged_font_embedded() -> None:
    for folder in (patient_set()[1], large_print_set()[1], clinician_set()[1]):
        for path in pdfs(folder):
            rows = tool("pdffonts", path).splitlines()[2:]
            assert rows, f"{path.name} lists no fonts"
            for row in rows:
                assert "Atkinson-Hyperlegible" in row, f"{path.name}: not the packaged font: {row}"
                # Columns: name type encoding emb sub uni object ID.
                assert row.split()[-5] == "yes", f"{path.name}: font not embedded: {row}"


def test_text_has_title_crisis_line_review_date_and_content_version() -> None:
    result, folder = patient_set()
    for entry in result.metadata["handouts"]:
        text = pdf_text(folder / entry["file"])
        assert entry["title"] in text
        assert re.search(r"\bcall or text 988\b", text), entry["file"]
        assert "Reviewed November 27, 2026" in text
        assert entry["content"] in text
        assert "Sources" in text or "Key sources" in text
        assert "Page 1 of" in text


def test_overview_lists_the_treatment_options() -> None:
    _, folder = patient_set()
    text = pdf_text(folder / "trd-and-options.pdf")
    for entry in builtin_catalog().items("treatment"):
        assert entry.model.name in text
    assert "Brain stimulation:" in text
    assert "Talk therapy:" in text


def test_standard_print_text_is_at_least_12_pt() -> None:
    # Sizes come from the one stylesheet, not from the content, so the handouts that use every
    # part of it are measured (pdfplumber is slow): overview (options, glossary, sources),
    # questions (lists), a treatment, and the clinician set (a table).
    folder = patient_set()[1]
    measured = [folder / f"{stem}.pdf" for stem in PICTURED] + pdfs(clinician_set()[1])
    for path in measured:
        assert smallest_text(path) >= 11.99, path.name


def test_large_print_text_is_at_least_18_pt() -> None:
    result, folder = large_print_set()
    assert result.metadata["large_print"] is True
    for path in pdfs(folder):
        assert smallest_text(path) >= 17.99, path.name


def test_standard_patient_handouts_fit_on_two_pages() -> None:
    result, folder = patient_set()
    pages = {entry["file"]: entry["pages"] for entry in result.metadata["handouts"]}
    for path in pdfs(folder):
        counted = len(pypdf.PdfReader(path).pages)
        assert counted == pages[path.name], "the manifest's page count is the PDF's"
        assert counted <= 2, f"{path.name} has {counted} pages; a standard handout has at most 2"


def test_qpdf_finds_no_syntax_errors() -> None:
    for folder in (patient_set()[1], large_print_set()[1], clinician_set()[1]):
        for path in pdfs(folder):
            assert "No syntax or stream encoding errors found" in tool("qpdf", "--check", path)


def test_pages_are_rendered_to_png_for_people_to_look_at() -> None:
    _, folder = patient_set()
    tool("pdftoppm", "-v")
    pages = sorted((folder / "png").glob("*.png"))
    assert any(page.name.startswith("trd-and-options-1") for page in pages)
    assert all(page.read_bytes().startswith(b"\x89PNG") for page in pages)


def test_rendering_logged_no_warnings() -> None:
    for result, _ in (patient_set(), large_print_set(), clinician_set()):
        for entry in result.metadata["handouts"]:
            assert entry["render_warnings"] == [], entry["file"]


def test_clinician_handouts_use_clinician_text_and_keep_the_crisis_block() -> None:
    result, folder = clinician_set()
    assert result.metadata["audience"] == "clinician"
    assert {entry["content"] for entry in result.metadata["handouts"]} == {
        "what-is-trd-clinician@1.0.0",
        "ect@1.0.0",
        "questions-for-your-psychiatrist-clinician@1.0.0",
    }
    text = pdf_text(folder / "treatment-ect.pdf")
    assert "For clinicians" in text
    assert "83 FR 66103" in text
    assert "988" in text


def test_same_content_gives_byte_identical_pdfs() -> None:
    # A second, separate export with a different selection: the shared handouts are identical.
    again = export("handout-pdf", treatment=("ect",))
    first, _ = patient_set()
    assert set(again.files) == {
        "trd-and-options.pdf",
        "treatment-ect.pdf",
        "questions-for-your-psychiatrist.pdf",
    }
    for name, data in again.files.items():
        assert data == first.files[name], f"{name} differs between two exports"


@pytest.mark.parametrize("name", ["trd-and-options.pdf", "treatment-ect.pdf"])
def test_manifest_records_content_review_and_sources(name: str) -> None:
    result, _ = patient_set()
    entry = next(entry for entry in result.metadata["handouts"] if entry["file"] == name)
    assert entry["last_reviewed"] == "2026-11-27"
    assert entry["sources"], "every handout lists its sources"
    catalog_sources = {source.id for source in builtin_catalog().items("source")}
    assert set(entry["sources"]) <= catalog_sources
    assert result.metadata["pdf_variant"] == "pdf/ua-1"


def test_source_links_are_tagged_annotations_with_a_description() -> None:
    _, folder = patient_set()
    reader = pypdf.PdfReader(folder / "trd-and-options.pdf")
    links = [
        annotation.get_object()
        for page in reader.pages
        for annotation in page.get("/Annots") or ()
        if annotation.get_object()["/Subtype"] == "/Link"
    ]
    assert links, "sources link to their DOI or web page"
    for link in links:
        uri = str(link["/A"]["/URI"])
        assert uri.startswith("https://")
        assert str(link["/Contents"]), "PDF/UA: a link annotation needs a description"
        assert "/StructParent" in link, "PDF/UA: a link annotation belongs to the structure tree"
