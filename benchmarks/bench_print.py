"""Benchmark: rendering patient handouts to PDF/UA-1 with trdcore-print.

Targets (issue 9): one 2-page handout renders in under 2 s; the full set
(the TRD overview, every active treatment, the questions sheet) in under 20 s.

Measured in-process, best of N runs, on the built-in catalog (loaded once):

- "one handout": the 2-page treatment-ect.pdf alone, template to PDF bytes
  (``handout_html`` + ``pdf_from_html``), as the exporter renders each file;
- "full set": ``run_export("handout-pdf")`` as ``trdcore export handout-pdf``
  runs it (the content-rules gate lints the catalog, then every handout is
  rendered) plus writing the files; also in large print.

Run:  .venv/bin/python benchmarks/bench_print.py [--runs N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ONE_HANDOUT_SECONDS = 2.0
FULL_SET_SECONDS = 20.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from trdcore_print.handouts import Settings, build_handouts
    from trdcore_print.rendering import handout_html, pdf_from_html

    from trdcore import load_catalog
    from trdcore.exporting import run_export, write_export
    from trdcore.plugins import get_plugin_manager

    manager = get_plugin_manager(environ={})
    catalog = load_catalog(manager)

    handouts = build_handouts(catalog, Settings(treatments=("ect",))).handouts
    ect = next(handout for handout in handouts if handout.slug == "treatment-ect")
    one = []
    pages = 0
    for _ in range(args.runs):
        start = time.perf_counter()
        html = handout_html(ect, large_print=False, fonts="files")
        rendered = pdf_from_html(
            html, name="treatment-ect.pdf", identity="bench", created=ect.reviewed
        )
        one.append(time.perf_counter() - start)
        pages = rendered.pages

    def full_set(options: dict[str, bool]) -> tuple[float, int, int]:
        best = float("inf")
        count = total_pages = 0
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as folder:
                start = time.perf_counter()
                result = run_export(
                    "handout-pdf", manager=manager, catalog=catalog, options=options
                )
                write_export(result, Path(folder), target="handout-pdf")
                best = min(best, time.perf_counter() - start)
            count = len(result.files)
            total_pages = sum(entry["pages"] for entry in result.metadata["handouts"])
        return best, count, total_pages

    standard, files, standard_pages = full_set({})
    large, _, large_pages = full_set({"large-print": True})

    print(f"best of {args.runs} runs")
    print(
        f"one handout (treatment-ect.pdf, {pages} pages): {min(one):.2f} s "
        f"(target < {ONE_HANDOUT_SECONDS:g} s)"
    )
    print(
        f"full set, standard print ({files} PDFs, {standard_pages} pages): {standard:.2f} s "
        f"(target < {FULL_SET_SECONDS:g} s)"
    )
    print(f"full set, large print ({files} PDFs, {large_pages} pages): {large:.2f} s")
    met = min(one) < ONE_HANDOUT_SECONDS and standard < FULL_SET_SECONDS
    print("targets met" if met else "TARGETS NOT MET")


if __name__ == "__main__":
    main()
