"""The two exporters, ``handout-pdf`` and ``handout-html``, and the options they share."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from trdcore.extensions import ExportContext, ExportResult, PluginOption
from trdcore_print.handouts import AUDIENCES, Handout, HandoutSet, Settings, build_handouts

__all__ = ["OPTIONS", "HandoutHtmlExporter", "HandoutPdfExporter"]

#: The command-line options both exporters declare (``trdcore export handout-pdf --help``).
OPTIONS = (
    PluginOption(
        "large-print",
        "Large print: body text 18 pt or larger, wider margins, one column.",
        kind="flag",
    ),
    PluginOption(
        "audience",
        "Who the handouts are for: plain-language patient text or clinician text.",
        choices=AUDIENCES,
        default="patient",
    ),
    PluginOption(
        "treatment",
        "Print the handout of this treatment only (an id from `trdcore treatments`); "
        "repeat for more. Default: every active treatment.",
        kind="multiple",
        metavar="ID",
    ),
)


def _version() -> str:
    try:
        return metadata.version("trdcore-print")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def _handouts(context: ExportContext) -> HandoutSet:
    return build_handouts(context.catalog, Settings.from_options(context.options, context.locale))


def _metadata(handouts: HandoutSet, files: dict[str, Any], extension: str) -> dict[str, Any]:
    """What the manifest records: the settings, each handout's content, review and sources."""
    from trdcore_print.rendering import FONT_FAMILY

    settings = handouts.settings
    return {
        "audience": settings.audience,
        "large_print": settings.large_print,
        "language": settings.language,
        "font": f"{FONT_FAMILY} (SIL Open Font License 1.1)",
        "handouts": [
            {
                "file": f"{handout.slug}.{extension}",
                "title": handout.title,
                "content": handout.content,
                "last_reviewed": handout.reviewed.isoformat(),
                "sources": [citation.id for citation in handout.citations],
                **files.get(handout.slug, {}),
            }
            for handout in handouts.handouts
        ],
        "skipped": list(handouts.skipped),
        "plugin": f"trdcore-print {_version()}",
    }


class HandoutPdfExporter:
    """Tagged PDF/UA-1 handouts rendered by WeasyPrint with an embedded OFL font.

    Files: ``trd-and-options.pdf``, ``treatment-<id>.pdf`` and
    ``questions-for-your-psychiatrist.pdf``. The manifest records each
    handout's content version, review date, sources and page count.
    """

    name = "handout-pdf"
    description = "Accessible PDF handouts (PDF/UA-1): TRD and its options, treatments, questions"
    options = OPTIONS

    def export(self, context: ExportContext) -> ExportResult:
        from trdcore_print.rendering import PDF_VARIANT, handout_html, pdf_from_html

        handouts = _handouts(context)
        large_print = handouts.settings.large_print
        files: dict[str, bytes | str] = {}
        details: dict[str, Any] = {}
        for handout in handouts.handouts:
            html = handout_html(handout, large_print=large_print, fonts="files")
            rendered = pdf_from_html(
                html,
                name=f"{handout.slug}.pdf",
                identity=_identity(handout, large_print),
                created=handout.reviewed,
            )
            files[f"{handout.slug}.pdf"] = rendered.data
            details[handout.slug] = {
                "pages": rendered.pages,
                "render_warnings": list(rendered.warnings),
            }
        metadata = _metadata(handouts, details, "pdf")
        metadata["pdf_variant"] = PDF_VARIANT
        return ExportResult(files=files, metadata=metadata)


class HandoutHtmlExporter:
    """The same handouts as HTML for printing from a browser, with the font files beside them.

    Files: one ``<handout>.html`` each (stylesheet inlined), ``fonts/*.ttf``
    and ``fonts/OFL.txt``, the font's licence, which must travel with it.
    """

    name = "handout-html"
    description = "Printable HTML handouts (print from a browser), with the font and its licence"
    options = OPTIONS

    def export(self, context: ExportContext) -> ExportResult:
        from trdcore_print.rendering import FONT_FILES, font_licence, font_path, handout_html

        handouts = _handouts(context)
        files: dict[str, bytes | str] = {
            f"{handout.slug}.html": handout_html(
                handout, large_print=handouts.settings.large_print, fonts="relative"
            )
            for handout in handouts.handouts
        }
        for name, _weight, _style in FONT_FILES:
            files[f"fonts/{name}"] = font_path(name).read_bytes()
        files["fonts/OFL.txt"] = font_licence()
        return ExportResult(files=files, metadata=_metadata(handouts, {}, "html"))


def _identity(handout: Handout, large_print: bool) -> str:
    """What makes a PDF what it is (hashed into its file identifier): content and settings."""
    return f"{handout.slug}|{handout.content}|{handout.audience}|{handout.language}|{large_print}"
