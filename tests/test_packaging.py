"""What a user gets from the wheel: every schema inside it, a light import, a curated API."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import trdcore

ROOT = Path(__file__).parent.parent


def test_public_api_is_curated() -> None:
    for name in trdcore.__all__:
        assert getattr(trdcore, name) is not None
    with pytest.raises(AttributeError):
        trdcore.no_such_thing  # noqa: B018


def test_import_loads_nothing_heavy() -> None:
    """`import trdcore` stays fast because validators, YAML, click and rich load on first use."""
    heavy = [
        "jsonschema",
        "jsonschema_rs",
        "referencing",
        "yaml",
        "click",
        "rich",
        "attrs",
        "orjson",
    ]
    code = f"import sys, trdcore; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""


@pytest.mark.slow
def test_the_wheel_ships_every_schema_and_loads_them_in_a_clean_venv(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", tmp_path, ROOT],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("trdcore-*.whl")
    packaged = {name for name in zipfile.ZipFile(wheel).namelist() if name.endswith(".schema.json")}
    expected = {
        f"trdcore/schemas/{path.parent.name}/{path.name}"
        for path in (ROOT / "schemas").glob("*/*.schema.json")
    }
    assert packaged == expected
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel],
        check=True,
        capture_output=True,
    )
    script = (
        "import trdcore, trdcore.schemas as s\n"
        "assert 'site-packages' in trdcore.__file__, trdcore.__file__\n"
        "for name, versions in s.available_schemas(include_fragments=True).items():\n"
        "    for version in versions:\n"
        "        s.load_schema(s.SchemaRef(name, version))\n"
        "        if name != 'common':\n"
        "            s.check({}, f'{name}@{version}')\n"
        "print(sum(len(v) for v in s.available_schemas(include_fragments=True).values()))\n"
    )
    result = subprocess.run(
        [python, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert int(result.stdout) == len(expected)
