"""The engine: compiled state owned by an object, a frozen catalog, one path for every verdict."""

from __future__ import annotations

import copy
import datetime
import itertools
import pickle
import re
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trdcore
from trdcore import Engine, Kernel, Status, TrdcoreError, UnknownTargetError
from trdcore.batch import evaluate_to_ndjson
from trdcore.catalog import Catalog
from trdcore.documents import RawLine
from trdcore.exceptions import VersionMismatchError
from trdcore.release import VERSION
from trdcore.rules.criteria import decision_key

AS_OF = datetime.date(2026, 11, 27)


def trial(drug: str, dose: float, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {
        "drug": {"name": drug},
        "daily_dose": {"value": dose, "unit": "mg"},
        "start_date": start,
        "end_date": end,
        "adherence": "full",
        "outcome": "non-response",
        **extra,
    }


def history(*trials: dict[str, Any], id: str = "h") -> dict[str, Any]:
    return {
        "schema": "treatment-history@1.0.0",
        "id": id,
        "episode": {"start_date": "2024-01-01"},
        "trials": list(trials),
    }


# Two SSRIs for 7 and 8 weeks: met under two-trials-gaynes-2020, not under different-classes.
TWO_SSRIS = history(
    trial("sertraline", 150, "2024-01-10", "2024-02-28"),
    trial("escitalopram", 20, "2024-03-05", "2024-04-30"),
)


def lines(count: int) -> list[tuple[str, RawLine]]:
    documents = [dict(TWO_SSRIS, id=f"h{number}") for number in range(count)]
    return [
        ("mem", RawLine(number, number + 1, orjson.dumps(document)))
        for number, document in enumerate(documents)
    ]


def test_two_batches_interleaved_in_one_process_keep_their_own_definitions(
    engine: Engine,
) -> None:
    """The bug this design fixes: a second run's settings leaked into the first one's."""
    first = evaluate_to_ndjson(
        lines(40), Kernel.of(engine, ["different-classes"], as_of=AS_OF), jobs=1, chunk_size=5
    )
    second = evaluate_to_ndjson(
        lines(40),
        Kernel.of(Engine.for_catalog(engine.catalog), ["two-trials-gaynes-2020"], as_of=AS_OF),
        jobs=1,
        chunk_size=5,
    )
    seen: dict[str, list[dict[str, Any]]] = {"first": [], "second": []}
    for one, two in itertools.zip_longest(first, second):
        seen["first"] += [orjson.loads(line) for line in one.output.splitlines()]
        seen["second"] += [orjson.loads(line) for line in two.output.splitlines()]
    assert {r["definition"] for s in seen["first"] for r in s["results"]} == {
        "different-classes@2.0.0"
    }
    assert {r["status"] for s in seen["first"] for r in s["results"]} == {"not_met"}
    assert {r["status"] for s in seen["second"] for r in s["results"]} == {"met"}


def test_evaluate_many_generators_interleave_with_correct_results(engine: Engine) -> None:
    histories = [dict(TWO_SSRIS, id=f"h{number}") for number in range(12)]
    classes = trdcore.evaluate_many(histories, ["different-classes"], as_of=AS_OF, engine=engine)
    trials = trdcore.evaluate_many(
        histories, ["two-trials-gaynes-2020"], as_of="2026-11-27", engine=engine
    )
    for one, two in zip(classes, trials, strict=True):
        assert [(r.definition, r.status) for r in one.results] == [
            ("different-classes@2.0.0", "not_met")
        ]
        assert [(r.definition, r.status) for r in two.results] == [
            ("two-trials-gaynes-2020@2.0.0", "met")
        ]
        assert one.history_id == two.history_id


@pytest.mark.slow
def test_evaluate_many_in_worker_processes_matches_one_process(engine: Engine) -> None:
    histories = [dict(TWO_SSRIS, id=f"h{number}") for number in range(1200)]
    histories[7] = {"schema": "treatment-history@1.0.0", "trials": []}  # invalid: no episode
    here = list(trdcore.evaluate_many(histories, as_of=AS_OF, engine=engine, jobs=1))
    there = list(trdcore.evaluate_many(histories, as_of=AS_OF, engine=engine, jobs=2))
    assert here == there
    assert here[7].problem is not None
    assert "episode" in here[7].problem
    assert len(here) == 1200


def test_an_engine_pickles_as_its_catalog_documents_and_rebuilds(engine: Engine) -> None:
    engine.evaluator("different-classes").verdict(TWO_SSRIS, as_of=AS_OF)  # compile something
    copied = pickle.loads(pickle.dumps(engine))
    assert copied.fingerprint == engine.fingerprint
    assert copied.catalog == engine.catalog
    verdict = copied.evaluator("different-classes").verdict(TWO_SSRIS, as_of=AS_OF)
    assert verdict == engine.evaluator("different-classes").verdict(TWO_SSRIS, as_of=AS_OF)
    # Nothing compiled travels: the state is the catalog's documents, fingerprint and version.
    assert set(engine.__getstate__()) == {"documents", "fingerprint", "version"}


def test_an_engine_from_another_trdcore_version_is_refused_naming_both(engine: Engine) -> None:
    state = dict(engine.__getstate__(), version="0.0.1")
    refused = Engine.__new__(Engine)
    with pytest.raises(
        VersionMismatchError,
        match=rf"prepared by trdcore 0\.0\.1, but this process runs trdcore {re.escape(VERSION)}",
    ):
        refused.__setstate__(state)


def test_a_catalog_stays_the_same_value_after_use(catalog: Catalog) -> None:
    before = pickle.dumps(catalog)
    engine = Engine.for_catalog(catalog)
    trdcore.evaluate_all(TWO_SSRIS, as_of=AS_OF, engine=engine)
    trdcore.stage_all(TWO_SSRIS, as_of=AS_OF, engine=engine)
    assert pickle.dumps(catalog) == before
    assert pickle.loads(before) == catalog


@pytest.mark.parametrize(
    ("given", "expected"),
    [(AS_OF, AS_OF), ("2026-11-27", AS_OF), (" 2026-11-27 ", AS_OF)],
)
def test_as_of_is_a_date_or_an_iso_string(engine: Engine, given: Any, expected: Any) -> None:
    result = trdcore.evaluate(TWO_SSRIS, "different-classes", as_of=given, engine=engine)
    assert result.as_of == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (datetime.datetime(2026, 11, 27, 9, 30), "not a datetime"),
        ("27/11/2026", "ISO date"),
        (20261127, "not int"),
        (None, "not NoneType"),
    ],
)
def test_any_other_as_of_is_a_clear_error(engine: Engine, given: Any, message: str) -> None:
    with pytest.raises(TrdcoreError, match=message):
        trdcore.evaluate(TWO_SSRIS, "different-classes", as_of=given, engine=engine)


def test_unknown_names_get_a_suggestion(engine: Engine) -> None:
    with pytest.raises(UnknownTargetError, match="did you mean 'different-classes'"):
        engine.evaluator("diferent-classes")
    with pytest.raises(UnknownTargetError, match="did you mean 'maudsley'"):
        trdcore.stage(TWO_SSRIS, "maudslay", as_of=AS_OF, engine=engine)
    typo = history(trial("sertralin", 150, "2024-01-10", "2024-02-28"))
    [warning] = engine.facts(typo, as_of=AS_OF).warnings
    assert "did you mean 'sertraline'?" in warning["message"]


def test_statuses_are_an_enum_that_serialises_as_before(engine: Engine) -> None:
    verdict = engine.evaluator("different-classes").verdict(TWO_SSRIS, as_of=AS_OF)
    assert verdict.status is Status.NOT_MET
    assert verdict.status == "not_met"
    assert orjson.dumps(verdict.summary())[:80].count(b'"status":"not_met"') == 1


def test_evaluate_all_returns_results_and_differences_by_name(engine: Engine) -> None:
    found = trdcore.evaluate_all(TWO_SSRIS, as_of=AS_OF, engine=engine)
    assert found["two-trials-gaynes-2020"].status == "met"
    assert found.statuses()["different-classes@2.0.0"] is Status.NOT_MET
    assert any("different-classes@2.0.0" in sentence for sentence in found.differences)


def test_the_public_namespace_is_curated() -> None:
    assert dir(trdcore) == sorted(trdcore.__all__)
    for leaked in ("Any", "TYPE_CHECKING", "annotations", "import_module"):
        assert not hasattr(trdcore, leaked)
    for name in trdcore.__all__:
        assert getattr(trdcore, name) is not None


# --- definitions that differ are never merged, on any path --------------------------------------


def _variant(catalog: Catalog, base: str, new_id: str, change: Any) -> Catalog:
    """The catalog plus a copy of definition ``base`` under ``new_id``, changed by ``change``."""
    [document] = [
        document
        for _, document in catalog.documents
        if document.get("schema", "").startswith("trd-definition") and document["id"] == base
    ]
    variant = copy.deepcopy(dict(document))
    variant["id"] = new_id
    change(variant["parameters"])
    return Catalog.from_documents([*catalog.documents, ("test", variant)])


def _set(path: tuple[str, ...], value: Any) -> Any:
    def change(parameters: dict[str, Any]) -> None:
        target = parameters
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


# Each a parameter of two-trials-gaynes-2020 changed so that TWO_SSRIS (or a variant history)
# is judged differently; if grouping ever missed one, the batch path would copy the verdict.
CHANGES = [
    (("min_trial_weeks", "value"), 10),
    (("min_failed_trials", "value"), 3),
    (("adherence_required", "value"), False),
    (("counts_as_trial", "antidepressant"), False),
    (
        ("distinct_classes",),
        {
            "required": True,
            "taxonomy": "pharmacological",
            "min_classes": 2,
            "sources": ["gaynes-2020"],
            "verification": "unverified",
        },
    ),
    (("intolerance_counts_as_failure", "value"), True),
    (("missing_data",), "not-counted"),
]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.sampled_from(CHANGES),
    st.sampled_from(["non-response", "intolerance", "unknown"]),
    st.sampled_from(["full", "partial", "unknown"]),
)
def test_a_parameter_that_differs_is_never_merged_on_any_path(
    catalog: Catalog, change: Any, outcome: str, adherence: str
) -> None:
    path, value = change
    varied = _variant(catalog, "two-trials-gaynes-2020", "variant-of-gaynes", _set(path, value))
    engine = Engine.for_catalog(varied)
    document = history(
        trial("sertraline", 150, "2024-01-10", "2024-02-28", outcome=outcome, adherence=adherence),
        trial("escitalopram", 20, "2024-03-05", "2024-04-30"),
    )
    names = ("two-trials-gaynes-2020", "variant-of-gaynes")
    evaluators = engine.evaluators(names)
    own = [evaluator.verdict(document, as_of=AS_OF).summary() for evaluator in evaluators]
    explained = [evaluator.document(document, as_of=AS_OF) for evaluator in evaluators]
    facts = engine.facts(document, as_of=AS_OF)
    summary = engine.panel(evaluators).document(facts)
    kernel = Kernel.of(engine, names, as_of=AS_OF).summarise(orjson.dumps(document))
    assert summary["results"] == own
    assert orjson.loads(kernel.summary or b"{}")["results"] == orjson.loads(orjson.dumps(own))
    for verdict, document_result in zip(own, explained, strict=True):
        assert verdict["status"] == document_result["status"]
        assert verdict["counts"] == document_result["counts"]
    # The change decides something, so the two compiled definitions must not share a key.
    first, second = evaluators
    assert [decision_key(c) for c in first.rules.deciding] + [decision_key(first.counting)] != [
        decision_key(c) for c in second.rules.deciding
    ] + [decision_key(second.counting)]


def test_definitions_that_differ_only_in_their_sources_share_their_criteria(
    catalog: Catalog,
) -> None:
    def cite_another(parameters: dict[str, Any]) -> None:
        parameters["min_trial_weeks"]["sources"] = ["gaynes-2020"]

    engine = Engine.for_catalog(_variant(catalog, "two-trials-gaynes-2020", "cited", cite_another))
    first, second = engine.evaluators(["two-trials-gaynes-2020", "cited"])
    assert [decision_key(c) for c in first.rules.deciding] == [
        decision_key(c) for c in second.rules.deciding
    ]
    # ...while each explanation still cites its own sources.
    weeks = [
        next(
            t
            for t in e.document(TWO_SSRIS, as_of=AS_OF)["thresholds"]
            if "duration" in t["parameter"]
        )["sources"]
        for e in (first, second)
    ]
    assert weeks[0] != weeks[1] == ["gaynes-2020"]


def test_the_cli_ndjson_line_is_the_kernel_output_plus_source_and_line(engine: Engine) -> None:
    import subprocess
    import sys
    from pathlib import Path

    examples = Path(__file__).resolve().parents[1] / "examples" / "histories" / "batch.ndjson"
    kernel = Kernel.of(engine, None, as_of=AS_OF)
    expected = []
    for number, text in enumerate(examples.read_bytes().splitlines(), start=1):
        result = kernel.summarise(text)
        assert result.problem is None
        summary = orjson.loads(result.summary or b"{}")
        expected.append({**summary, "source": str(examples), "line": number})
    written = subprocess.run(
        [
            sys.executable,
            "-c",
            "from trdcore.cli import main; main()",
            "evaluate",
            str(examples),
            "--all",
            "--format",
            "ndjson",
            "--as-of",
            "2026-11-27",
        ],
        check=True,
        capture_output=True,
    ).stdout.splitlines()
    assert [orjson.loads(line) for line in written] == expected


def test_the_kernel_reports_bad_input_without_raising(engine: Engine) -> None:
    kernel = Kernel.of(engine, ["different-classes"], as_of=AS_OF)
    assert kernel.summarise(b"{not json").problem
    invalid = kernel.summarise(orjson.dumps({"id": "x", "trials": []}))
    assert invalid.history_id == "x"
    assert invalid.summary is None
    assert invalid.problem is not None
    assert "episode" in invalid.problem
