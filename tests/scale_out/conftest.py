"""Real Spark and Dask peers for the scale-out tests (issue 18), and a corpus to compare on.

One Spark local[2] session and one Dask LocalCluster of two worker processes serve every test
of the session. The corpus mixes histories none of these tests wrote by hand: the OMOP
CDM fixture's persons as ``trdcore import omop`` reads them (conditions, augmentation agents,
dispensing gaps), the benchmark generator's histories, the examples, and rows that cannot be
evaluated (malformed JSON, a JSON null, a history that breaks its schema, blank lines).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from engine_answers import TRDCORE, native

ROOT = Path(__file__).resolve().parents[2]

#: Rows that cannot be evaluated, each for another reason, and lines NDJSON readers skip.
BAD_LINES = [
    b'{"schema": "treatment-history@1.1.0", "id": "broken", "episode": ',
    b"null",
    b'{"schema": "treatment-history@1.1.0", "id": "no-episode", "trials": []}',
    b'{"schema": "treatment-history@1.1.0", "id": "bad-date", "episode": '
    b'{"start_date": "2024-13-40"}, "trials": []}',
    b"[1, 2]",
]


def _omop_histories(folder: Path) -> list[bytes]:
    database = folder / "cdm.duckdb"
    out = folder / "omop.ndjson"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "build-omop-fixture"),
            str(database),
            "--persons",
            "120",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*TRDCORE, "import", "omop", str(database), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return out.read_bytes().splitlines()


def _generated(count: int) -> list[bytes]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import random

        from bench_validate import history  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    rng = random.Random(18)
    return [orjson.dumps(history(rng, number)) for number in range(count)]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NDJSON file of real-shaped histories with bad and blank lines among them."""
    folder = tmp_path_factory.mktemp("scale-out")
    good = _omop_histories(folder) + _generated(200)
    good += (ROOT / "examples" / "histories" / "batch.ndjson").read_bytes().splitlines()
    lines: list[bytes] = []
    for number, line in enumerate(good):
        lines.append(line)
        if number % 60 == 5:
            lines.append(BAD_LINES[(number // 60) % len(BAD_LINES)])
        if number % 97 == 3:
            lines.append(b"   " if number % 2 else b"")
    path = folder / "corpus.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.fixture(scope="session")
def native_answers(corpus: Path) -> dict[int, tuple[str, Any]]:
    """The native engine's answers for the corpus, by line number."""
    return native(corpus)


@pytest.fixture(scope="session")
def java() -> None:
    """Spark needs Java: `make setup` installs it (scripts/install-system-deps)."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if os.environ.get("TRDCORE_REQUIRE_PEERS") == "1":
            pytest.fail("Java is not installed: run scripts/install-system-deps")
        pytest.skip("Java is not installed")


@pytest.fixture(scope="session")
def spark(java: None) -> Iterator[Any]:
    """A classic Spark session, local[2]: UI off, 2 shuffle partitions, loopback only."""
    from trdcore.spark import session

    session_ = session(master="local[2]")
    session_.conf.set("spark.sql.shuffle.partitions", "2")
    session_.sparkContext.setLogLevel("ERROR")
    yield session_
    session_.stop()


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    """A Dask LocalCluster of two worker processes, one thread each, no dashboard, loopback only."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()
