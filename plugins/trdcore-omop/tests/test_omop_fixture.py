"""The test CDM's builder uses only concept ids its vocabulary files hold (read, not typed in)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path
from types import ModuleType

BUILD = Path(__file__).resolve().parents[3] / "scripts" / "build-omop-fixture"


def builder() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("build_omop_fixture", str(BUILD))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_every_concept_id_the_builder_names_is_a_row_of_its_vocabulary_files() -> None:
    build = builder()
    concepts, _, _ = build.vocabulary()
    known = {int(row["concept_id"]): row for row in concepts}
    named = {
        name: value
        for name, value in vars(build).items()
        if name.isupper()
        and isinstance(value, int)
        and name not in ("NO_CONCEPT", "UNKNOWN_CONCEPT")
    }
    assert len(named) >= 15
    missing = {name: value for name, value in named.items() if value not in known}
    assert missing == {}
    for concept in build.ANTIDEPRESSANT_CONCEPTS:
        assert known[concept]["domain_id"] == "Drug"
    assert known[build.PHQ9]["concept_code"] == "44261-6"
    assert known[build.MDD]["concept_code"] == "370143000"
    assert build.UNKNOWN_CONCEPT not in known  # the designed "missing from concept" case
