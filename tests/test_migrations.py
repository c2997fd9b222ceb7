"""Migrations carry a document forward step by step and re-validate the result."""

from __future__ import annotations

from typing import Any

import pytest

from trdcore.exceptions import MigrationError, SchemaValidationError
from trdcore.migrations import MigrationRegistry, default_registry, migrate

CURRENT = {"schema": "treatment-history@1.1.0", "episode": {"start_date": "unknown"}, "trials": []}


def legacy_registry() -> MigrationRegistry:
    """A registry with an invented pre-1.0 history format (medications instead of trials),
    whose newest version is 1.0.0."""
    registry = MigrationRegistry(latest=lambda name: "1.0.0")

    @registry.register("treatment-history", "0.8.0", "0.9.0")
    def m001_rename_medications(document: dict[str, Any]) -> dict[str, Any]:
        """0.9.0 renamed medications to trials."""
        document["trials"] = document.pop("medications")
        return document

    @registry.register("treatment-history", "0.9.0", "1.0.0")
    def m002_episode_object(document: dict[str, Any]) -> dict[str, Any]:
        """1.0.0 moved episode_start into an episode object."""
        document["episode"] = {"start_date": document.pop("episode_start")}
        return document

    return registry


def test_a_current_document_is_returned_unchanged() -> None:
    assert migrate(CURRENT) == CURRENT
    assert migrate(CURRENT) is not CURRENT


def test_steps_are_applied_in_order_and_the_schema_field_follows() -> None:
    old = {"schema": "treatment-history@0.8.0", "episode_start": "2024-01-01", "medications": []}
    upgraded = legacy_registry().migrate(old)
    assert upgraded == {
        "schema": "treatment-history@1.0.0",
        "episode": {"start_date": "2024-01-01"},
        "trials": [],
    }
    assert "medications" in old, "the input is never modified"


def test_the_result_is_validated_against_the_target_schema() -> None:
    old = {"schema": "treatment-history@0.9.0", "episode_start": "2024-02-30", "trials": []}
    with pytest.raises(SchemaValidationError) as caught:
        legacy_registry().migrate(old)
    assert caught.value.best.pointer == "/episode/start_date"
    assert "migrated from treatment-history@0.9.0" in str(caught.value)


def test_a_gap_in_the_chain_names_the_missing_step() -> None:
    with pytest.raises(MigrationError, match=r"no migration out of version 0\.7\.0"):
        legacy_registry().migrate({"schema": "treatment-history@0.7.0"})


def test_a_failing_step_is_named() -> None:
    with pytest.raises(MigrationError, match="m001_rename_medications failed"):
        legacy_registry().migrate({"schema": "treatment-history@0.8.0", "episode_start": "x"})


def test_a_1_0_0_history_is_carried_to_1_1_0_unchanged_but_for_its_version() -> None:
    old = {**CURRENT, "schema": "treatment-history@1.0.0"}
    assert migrate(old) == CURRENT
    assert default_registry.additive("treatment-history", "1.0.0", "1.1.0")


def test_a_document_without_a_version_cannot_be_migrated() -> None:
    with pytest.raises(MigrationError, match="add a 'schema' field"):
        migrate({"episode": {"start_date": "unknown"}, "trials": []})


def test_only_one_step_may_leave_a_version() -> None:
    registry = legacy_registry()
    with pytest.raises(ValueError, match="already exists"):
        registry.register("treatment-history", "0.8.0", "1.0.0")(lambda document: document)


def test_trdcore_ships_no_migrations_until_a_schema_has_a_second_version() -> None:
    assert default_registry.steps("treatment-history", "1.0.0", "1.0.0") == []
