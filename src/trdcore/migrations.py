"""Carrying documents forward from older schema versions to newer ones.

A migration is a pure function ``document -> document`` registered for one
schema and one step (``from_version`` to ``to_version``). :func:`migrate`
follows the chain from the version a document declares to the version asked
for (the newest by default), then re-validates the result against the target
schema, so a faulty migration can never hand on an invalid document.

Every step registered so far only adds optional fields (``additive``), so
the steps return the document unchanged and batch readers can carry an older
document forward by renaming its version (see docs/schemas/versioning.md);
the mechanism for rewriting steps is tested with a registry of its own.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from trdcore.exceptions import Issue, MigrationError, SchemaValidationError

__all__ = ["Migration", "MigrationRegistry", "default_registry", "migrate"]

Upgrade = Callable[[dict[str, Any]], dict[str, Any]]
Checker = Callable[[object, str], list[Issue]]


@attrs.frozen
class Migration:
    """One step for one schema: ``upgrade`` turns a from_version document into a to_version one."""

    schema: str
    from_version: str
    to_version: str
    upgrade: Upgrade = attrs.field(eq=False, repr=False)
    description: str = ""
    #: The step only adds optional fields: every valid from_version document is a valid
    #: to_version document once its ``schema`` field names the new version.
    additive: bool = False


def _default_checker(document: object, schema: str) -> list[Issue]:
    from trdcore.schemas import check

    return check(document, schema)


def _default_latest(schema: str) -> str:
    from trdcore.schemas import latest_version

    return latest_version(schema)


@attrs.define
class MigrationRegistry:
    """Registered migration steps, at most one step out of each (schema, version)."""

    check: Checker = _default_checker
    latest: Callable[[str], str] = _default_latest
    _steps: dict[tuple[str, str], Migration] = attrs.field(factory=dict, init=False)

    def register(
        self,
        schema: str,
        from_version: str,
        to_version: str,
        *,
        description: str = "",
        additive: bool = False,
    ) -> Callable[[Upgrade], Upgrade]:
        """Decorator that registers ``upgrade`` as the step out of ``schema@from_version``
        (``additive``: the new version only adds optional fields; :attr:`Migration.additive`)."""

        def decorator(upgrade: Upgrade) -> Upgrade:
            key = (schema, from_version)
            if key in self._steps:
                existing = self._steps[key]
                raise ValueError(
                    f"a migration out of {schema}@{from_version} already exists "
                    f"(to {existing.to_version}: {existing.upgrade.__name__})"
                )
            self._steps[key] = Migration(
                schema,
                from_version,
                to_version,
                upgrade,
                description or (upgrade.__doc__ or ""),
                additive,
            )
            return upgrade

        return decorator

    def steps(self, schema: str, from_version: str, to_version: str) -> list[Migration]:
        """The chain of steps from one version to another; raises MigrationError if broken."""
        chain: list[Migration] = []
        version = from_version
        while version != to_version:
            step = self._steps.get((schema, version))
            if step is None:
                raise MigrationError(
                    f"no migration out of version {version}",
                    schema=schema,
                    from_version=from_version,
                    to_version=to_version,
                )
            chain.append(step)
            version = step.to_version
            if len(chain) > len(self._steps):
                raise MigrationError(
                    "the migrations form a cycle",
                    schema=schema,
                    from_version=from_version,
                    to_version=to_version,
                )
        return chain

    def additive(self, schema: str, from_version: str, to_version: str) -> bool:
        """Whether every step between two versions only adds optional fields (then a document
        valid under the older version is carried forward by renaming its version alone)."""
        try:
            return all(step.additive for step in self.steps(schema, from_version, to_version))
        except MigrationError:
            return False

    def migrate(
        self,
        document: Mapping[str, Any],
        *,
        schema: str | None = None,
        to: str | None = None,
    ) -> dict[str, Any]:
        """A copy of ``document`` carried to ``to`` (default: newest) and re-validated.

        The source version comes from the document's ``schema`` field
        (``name@version``), or from ``schema`` given as ``name@version``. The
        input is never modified. Raises :class:`MigrationError` when no path
        exists and :class:`SchemaValidationError` when the result is invalid.
        """
        declared = schema or document.get("schema")
        if not isinstance(declared, str) or "@" not in declared:
            raise MigrationError(
                "the document does not say which schema version it follows; "
                "add a 'schema' field such as 'treatment-history@1.0.0'",
                schema=str(declared),
                from_version="?",
                to_version=str(to),
            )
        name, from_version = declared.split("@", 1)
        target = to or self.latest(name)
        result = copy.deepcopy(dict(document))
        for step in self.steps(name, from_version, target):
            try:
                result = step.upgrade(result)
            except Exception as error:
                raise MigrationError(
                    f"step {step.upgrade.__name__} failed: {error}",
                    schema=name,
                    from_version=step.from_version,
                    to_version=step.to_version,
                ) from error
            if "schema" in result or "schema" in document:
                result["schema"] = f"{name}@{step.to_version}"
        issues = self.check(result, f"{name}@{target}")
        if issues:
            raise SchemaValidationError(
                f"{name}@{target}", issues, source=f"migrated from {name}@{from_version}"
            )
        return result


#: The registry trdcore's own migrations are registered in.
default_registry = MigrationRegistry()


def migrate(
    document: Mapping[str, Any], *, schema: str | None = None, to: str | None = None
) -> dict[str, Any]:
    """Carry ``document`` forward with trdcore's own migrations; see MigrationRegistry.migrate."""
    return default_registry.migrate(document, schema=schema, to=to)


#: trdcore's own steps. Each only adds optional fields (``additive``): the document is
#: unchanged but for its ``schema`` field, which :meth:`MigrationRegistry.migrate` sets.
_ADDITIVE_STEPS = (
    ("trd-definition", "1.0.0", "1.1.0", "1.1.0 adds the lookback-days episode scope"),
    (
        "trd-definition",
        "1.1.0",
        "1.2.0",
        "1.2.0 adds exclusions, required_condition, trial_drugs, the not-checked dose method "
        "and the next-treatment non-response method",
    ),
    (
        "evaluation-summary",
        "1.0.0",
        "1.1.0",
        "1.1.0 adds dose_scheme (one scheme for every definition)",
    ),
    (
        "evaluation-summary",
        "1.1.0",
        "1.2.0",
        "1.2.0 adds infer_outcomes, and excluded_by and inferred on results",
    ),
    ("evaluation-result", "1.0.0", "1.1.0", "1.1.0 adds recognised_by on trial assessments"),
    (
        "evaluation-result",
        "1.1.0",
        "1.2.0",
        "1.2.0 adds exclusion, index, inferred and outcome_inferred",
    ),
    ("source", "1.0.0", "1.1.0", "1.1.0 adds the optional publisher block"),
    (
        "dispensing-events",
        "1.0.0",
        "1.1.0",
        "1.1.0 lets a fill lack strength, quantity or days_supply and adds end_date",
    ),
    (
        "treatment-history",
        "1.0.0",
        "1.1.0",
        "1.1.0 adds dated conditions and outcome_inferred on trials",
    ),
)


def _unchanged(document: dict[str, Any]) -> dict[str, Any]:
    """An additive step: the older document means the same under the newer version."""
    return document


def _register_additive(registry: MigrationRegistry) -> None:
    for schema, from_version, to_version, what in _ADDITIVE_STEPS:
        registry.register(
            schema,
            from_version,
            to_version,
            description=f"{what}; a {from_version} document means the same.",
            additive=True,
        )(_unchanged)


_register_additive(default_registry)
