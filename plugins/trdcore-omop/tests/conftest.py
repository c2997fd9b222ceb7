"""Test CDMs built by scripts/build-omop-fixture, in DuckDB and in a real PostgreSQL server.

The PostgreSQL server is Debian's (`make setup` installs the postgresql package): each test
session makes its own cluster in a temporary folder with initdb, starts it on a Unix socket
only, and stops it at the end, so nothing outside the session is touched.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from trdcore.testing import needs_peer

ROOT = Path(__file__).resolve().parents[3]
BUILD = ROOT / "scripts" / "build-omop-fixture"


def build_cdm(location: str, *arguments: str) -> None:
    """Run the project's fixture builder; its own failure is the test's failure."""
    done = subprocess.run(
        [sys.executable, str(BUILD), location, *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="session")
def cdm54(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The designed persons and 300 seeded random ones, CDM 5.4, in DuckDB."""
    path = tmp_path_factory.mktemp("cdm") / "cdm54.duckdb"
    build_cdm(str(path), "--version", "5.4")
    return path


@pytest.fixture(scope="session")
def cdm53(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same persons as :func:`cdm54`, in a CDM 5.3 DuckDB."""
    path = tmp_path_factory.mktemp("cdm") / "cdm53.duckdb"
    build_cdm(str(path), "--version", "5.3")
    return path


def _postgres_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(candidates[-1]).parent if candidates else None


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A running PostgreSQL server of this session; yields the URL of its ``postgres`` database."""
    binaries = _postgres_bin()
    needs_peer(binaries is not None, "PostgreSQL server (Debian postgresql)")
    assert binaries is not None
    folder = Path(tempfile.mkdtemp(prefix="trdcore-pg-"))
    data = folder / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        # initdb refuses to run as root; Debian's package makes the postgres user for it.
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    user = "postgres" if as_user else os.environ.get("USER", "postgres")
    subprocess.run(
        [
            *as_user,
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            user,
            "--auth=trust",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses='' -k {folder} -c fsync=off -c full_page_writes=off"
    subprocess.run(
        [
            *as_user,
            str(binaries / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-w",
            "-l",
            str(folder / "log"),
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://{user}@/postgres?host={folder}"
    finally:
        subprocess.run(
            [*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def cdm54_postgres(postgres: str) -> str:
    """The same persons as :func:`cdm54`, CDM 5.4, in schema ``cdm`` of the PostgreSQL server."""
    build_cdm(postgres, "--version", "5.4", "--schema", "cdm")
    return postgres
