"""Many patients: NDJSON of Bundles read a line at a time, on worker processes, in order."""

from __future__ import annotations

import datetime
import json
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fhir_fixtures import bundle, patient, run_cli, statement, two_trial_bundle, write_json
from trdcore_fhir import evaluate_fhir, read_fhir, read_fhir_bundle
from trdcore_fhir.bulk import WORKER_CHUNKS

from trdcore.testing import builtin_catalog

AS_OF = datetime.date(2024, 8, 1)
DEFINITION = "two-trials-gaynes-2020@2.0.0"


def patient_line(number: int, trials: int) -> bytes:
    """One patient's Bundle as an NDJSON line: ``trials`` sertraline trials of 8+ weeks."""
    ident = f"p{number}"
    resources: list[dict[str, Any]] = [patient(ident, mrn=f"MRN-{number}")]
    for trial in range(trials):
        start = datetime.date(2023, 1, 2) + datetime.timedelta(weeks=12 * trial)
        end = start + datetime.timedelta(weeks=10)
        resources.append(
            statement(
                f"s{number}-{trial}",
                "36437",
                "sertraline",
                start.isoformat(),
                end.isoformat(),
                dose=150,
                subject=f"Patient/{ident}",
            )
        )
    return json.dumps(bundle(*resources)).encode() + b"\n"


def ndjson(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(lines))
    return path


def test_one_bundle_line_reads_as_a_file_holding_only_it(tmp_path: Path) -> None:
    line = json.dumps(two_trial_bundle()).encode()
    alone = write_json(tmp_path / "one.json", two_trial_bundle())
    expected = read_fhir(alone, as_of=AS_OF)
    found = read_fhir_bundle(line, source=str(alone), as_of=AS_OF)
    assert found == expected


def test_workers_give_what_one_process_gives_in_input_order(tmp_path: Path) -> None:
    # Patients in descending order, with 0-2 trials each: input order is not sorted order.
    lines = [patient_line(number, number % 3) for number in reversed(range(WORKER_CHUNKS + 2))]
    path = ndjson(tmp_path / "many.ndjson", lines)

    def run(jobs: int) -> list[Any]:
        return list(
            evaluate_fhir(path, [DEFINITION], as_of=AS_OF, jobs=jobs, chunk_size=1, condition=True)
        )

    alone, shared = run(1), run(2)
    assert [part.output for part in shared] == [part.output for part in alone]
    assert [part.messages for part in shared] == [part.messages for part in alone]
    # The Device comes first in each result; read the Observation's subject instead.
    subjects = [
        next(
            entry["resource"]["subject"]["reference"]
            for entry in json.loads(line)["entry"]
            if entry["resource"]["resourceType"] == "Observation"
        )
        for part in shared
        for line in part.output.splitlines()
    ]
    # Patients without a trial (every third) get no history, and a warning saying so.
    expected = [f"Patient/p{n}" for n in reversed(range(WORKER_CHUNKS + 2)) if n % 3]
    assert subjects == expected
    warnings = [message for part in shared for message in part.messages]
    assert sum("no history written" in warning for warning in warnings) == 6


def test_a_patient_split_over_two_lines_fails_loudly(tmp_path: Path, capfdbinary: Any) -> None:
    path = ndjson(tmp_path / "split.ndjson", [patient_line(1, 1), patient_line(1, 1)])
    code, out, err = run_cli(
        capfdbinary, "fhir-evaluate", str(path), "--as-of", "2024-08-01", "--jobs", "1"
    )
    assert code == 1
    assert f"✗ {path}:2 Patient/p1: also in {path}:1" in err
    assert len(out.splitlines()) == 2 * 5  # both lines evaluated, by the 5 active definitions


def test_a_line_that_is_not_a_bundle_is_named_and_the_rest_evaluated(
    tmp_path: Path, capfdbinary: Any
) -> None:
    lines = [patient_line(1, 2), b'{"resourceType": "Patient", "id": "x"}\n', b"{not json\n"]
    path = ndjson(tmp_path / "mixed.ndjson", [*lines, patient_line(2, 2)])
    code, out, err = run_cli(
        capfdbinary,
        "fhir-evaluate",
        str(path),
        "--as-of",
        "2024-08-01",
        "--definition",
        "two-trials-gaynes-2020",
    )
    assert code == 1
    assert f"✗ {path}:2: not a Bundle" in err
    assert f"✗ {path}:3: line is not JSON" in err
    assert len(out.splitlines()) == 2


def test_two_runs_drained_in_turn_each_keep_their_own_settings(tmp_path: Path) -> None:
    # Few lines, so both runs evaluate in this process, a line (chunk) per part.
    path = ndjson(tmp_path / "few.ndjson", [patient_line(number, 2) for number in range(4)])

    def met_with_conditions() -> Iterator[Any]:
        return evaluate_fhir(path, [DEFINITION], as_of=AS_OF, jobs=1, chunk_size=1, condition=True)

    def other_definition_later() -> Iterator[Any]:
        return evaluate_fhir(
            path,
            ["different-classes@2.0.0"],
            as_of=datetime.date(2025, 3, 1),
            jobs=1,
            chunk_size=1,
            bundle_type="transaction",
        )

    alone = (list(met_with_conditions()), list(other_definition_later()))
    assert alone[0] != alone[1]
    in_turn: tuple[list[Any], list[Any]] = ([], [])
    for first, second in zip(met_with_conditions(), other_definition_later(), strict=True):
        in_turn[0].append(first)
        in_turn[1].append(second)
    assert in_turn == alone


def test_what_is_sent_to_a_worker_is_the_settings_and_the_engine_as_documents() -> None:
    from trdcore_fhir.bulk import _RunStart

    from trdcore import Engine

    engine = Engine.for_catalog(builtin_catalog())
    start = _RunStart(((DEFINITION,), AS_OF, False, "collection"), engine)
    sent = pickle.loads(pickle.dumps(start))
    assert sent.engine is not engine
    assert sent.engine.fingerprint == engine.fingerprint
    line = [(1, patient_line(1, 2))]
    assert sent().evaluate_lines("in.ndjson", line) == start().evaluate_lines("in.ndjson", line)
