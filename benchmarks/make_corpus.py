"""Write the output-equivalence corpus: benchmark histories plus hypothesis-drawn ones.

Usage: .venv/bin/python benchmarks/make_corpus.py OUT.ndjson [COUNT_DRAWN]

20,000 histories from the evaluation benchmark's generator (about 2% of them invalid),
then COUNT_DRAWN (default 8,000) drawn by hypothesis: schema-derived treatment histories
(every optional field, courses, augmentation) and the evaluation tests' vignettes with
and without gaps. The drawn part is random; write the corpus once and give the same file
to both sides of a comparison (benchmarks/compare_outputs.py).
"""

from __future__ import annotations

import random
import sys
import warnings
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT / "tests")]

from bench_validate import history  # noqa: E402


def drawn(count: int) -> list[dict[str, object]]:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from strategies import documents
    from test_evaluation import gappy_vignettes, vignettes

    def wrap(trials: list[dict[str, object]]) -> dict[str, object]:
        return {
            "schema": "treatment-history@1.0.0",
            "episode": {"start_date": "2023-01-01"},
            "trials": trials,
        }

    found: list[dict[str, object]] = []
    strategy = st.one_of(
        documents("treatment-history"),
        vignettes().map(wrap),
        gappy_vignettes().map(wrap),
    )

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(document: dict[str, object]) -> None:
        found.append(document)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        collect()
    return found


def main() -> None:
    path = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 8000
    rng = random.Random(28)
    with path.open("wb") as out:
        for number in range(20_000):
            document = history(rng, number)
            if rng.random() < 0.02:
                document["episode"] = {"start_date": "2024-02-30"}
            out.write(orjson.dumps(document) + b"\n")
        for document in drawn(count):
            out.write(orjson.dumps(document) + b"\n")


if __name__ == "__main__":
    main()
