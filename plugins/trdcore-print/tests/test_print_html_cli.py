"""The printable HTML handouts, and both exporters driven from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from print_fixtures import export

from trdcore.cli import main

FONTS = {
    "fonts/AtkinsonHyperlegible-Regular.ttf",
    "fonts/AtkinsonHyperlegible-Bold.ttf",
    "fonts/AtkinsonHyperlegible-Italic.ttf",
    "fonts/AtkinsonHyperlegible-BoldItalic.ttf",
    "fonts/OFL.txt",
}


def trdcore(*arguments: str) -> int:
    """Run the ``trdcore`` command in-process; its exit code."""
    try:
        main(list(arguments))
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def test_html_export_ships_handouts_fonts_and_the_font_licence() -> None:
    result = export("handout-html", treatment=("ect",))
    assert set(result.files) == FONTS | {
        "trd-and-options.html",
        "treatment-ect.html",
        "questions-for-your-psychiatrist.html",
    }
    assert "SIL OPEN FONT LICENSE Version 1.1" in str(result.files["fonts/OFL.txt"])
    assert bytes(result.files["fonts/AtkinsonHyperlegible-Regular.ttf"])[:4] == b"\x00\x01\x00\x00"


def test_html_handout_is_self_contained_and_labelled() -> None:
    html = str(export("handout-html", treatment=("ect",)).files["treatment-ect.html"])
    assert html.startswith("<!DOCTYPE html>\n")
    assert '<html lang="en">' in html
    assert "<title>Electroconvulsive therapy (ECT)</title>" in html
    assert '<meta name="dcterms.modified" content="2026-11-27">' in html
    assert 'src: url("fonts/AtkinsonHyperlegible-Regular.ttf")' in html
    # No path of the machine it was made on, and nothing loaded from elsewhere.
    assert "file:" not in html
    assert "<link" not in html
    assert "<script" not in html
    assert "call or text <strong>988</strong>" in html
    assert "Content ect@1.0.0. Reviewed November 27, 2026" in html
    assert 'class="standard-print audience-patient"' in html


def test_large_print_and_audience_reach_the_html() -> None:
    files = export("handout-html", large_print=True, audience="clinician", treatment=("ect",)).files
    html = str(files["treatment-ect.html"])
    assert 'class="large-print audience-clinician"' in html
    assert '<p class="kicker">For clinicians</p>' in html


def test_command_line_export_writes_handouts_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "handouts"
    code = trdcore(
        "export", "handout-html", "--out", str(out), "--large-print", "--treatment", "cbt"
    )
    assert code == 0
    manifest = json.loads((out / "trdcore-export.json").read_text("utf-8"))
    assert manifest["target"] == "handout-html"
    assert manifest["metadata"]["large_print"] is True
    assert [entry["file"] for entry in manifest["metadata"]["handouts"]] == [
        "trd-and-options.html",
        "treatment-cbt.html",
        "questions-for-your-psychiatrist.html",
    ]
    assert manifest["lint"]["blocked"] is False
    assert (out / "treatment-cbt.html").read_text("utf-8").count("988") >= 1


def test_command_line_usage_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert trdcore("export", "handout-pdf", "--out", str(tmp_path), "--audience", "nurse") == 2
    assert trdcore("export", "handout-pdf", "--out", str(tmp_path), "--treatment", "nope") == 2
    error = capsys.readouterr().err
    assert "unknown treatment 'nope'; available:" in error
    assert "Traceback" not in error
    assert not list(tmp_path.iterdir()), "nothing is written when the options are wrong"


def test_command_line_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert trdcore("export", "handout-pdf", "--help") == 0
    shown = capsys.readouterr().out
    for option in ("--large-print", "--audience [patient|clinician]", "--treatment ID"):
        assert option in shown
