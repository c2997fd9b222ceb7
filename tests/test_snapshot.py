"""What a Spark or Dask task carries: the catalog as a snapshot, and the kernel's settings.

These need neither Spark nor Dask: the recipe is a plain picklable value, and the
worker side (:meth:`KernelRecipe.kernel`) is ordinary code run in this process.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import attrs
import pytest

from trdcore.batch import Kernel
from trdcore.catalog import Catalog
from trdcore.engine import Engine
from trdcore.exceptions import VersionMismatchError
from trdcore.plugins import content_documents
from trdcore.release import VERSION
from trdcore.rules.inference import switch_inference
from trdcore.snapshot import CatalogSnapshot, KernelRecipe, WorkerCache
from trdcore.testing import valid_document

ROOT = Path(__file__).resolve().parents[1]
HISTORIES = (ROOT / "examples" / "histories" / "batch.ndjson").read_bytes().splitlines()


def _recipe(engine: Engine, *definitions: str, **settings: Any) -> KernelRecipe:
    return KernelRecipe.of(Kernel.of(engine, definitions or None, as_of="2026-11-27", **settings))


def test_a_recipe_pickled_to_a_worker_gives_the_drivers_answers(engine: Engine) -> None:
    driver = Kernel.of(
        engine,
        ["ohdsi-phenotype-1009", "different-classes"],
        as_of="2026-11-27",
        stages=True,
        infer_outcomes=switch_inference("switch", 98),
    )
    shipped = pickle.loads(pickle.dumps(KernelRecipe.of(driver)))
    worker = shipped.kernel(WorkerCache())
    assert worker.definitions == driver.definitions
    assert worker.infer_outcomes == driver.infer_outcomes
    for line in HISTORIES:
        assert worker.summarise(line) == driver.summarise(line)


def test_the_snapshot_is_compressed_and_compared_by_fingerprint(catalog: Catalog) -> None:
    snapshot = CatalogSnapshot.of(catalog)
    assert snapshot.fingerprint == catalog.fingerprint
    assert snapshot.version == VERSION
    assert len(pickle.dumps(snapshot)) < len(str(catalog.documents)) / 3
    again = CatalogSnapshot.of(Catalog.from_documents(catalog.documents))
    assert again == snapshot
    assert hash(again) == hash(snapshot)
    assert snapshot.catalog().fingerprint == catalog.fingerprint


def test_a_plugins_content_travels_in_the_snapshot(
    trdcore_pm: Any, register_plugin: Any, catalog: Catalog
) -> None:
    class Plugin:
        from trdcore.hookspecs import hookimpl

        @hookimpl
        def trdcore_register_content(self, register: Any) -> None:
            register(valid_document("source"))
            register(valid_document("drug"))

    register_plugin(Plugin(), "content-plugin")
    extended = Catalog.from_documents([*catalog.documents, *content_documents(trdcore_pm)])
    assert extended.fingerprint != catalog.fingerprint
    rebuilt = pickle.loads(pickle.dumps(CatalogSnapshot.of(extended))).catalog()
    assert rebuilt.fingerprint == extended.fingerprint
    drug = rebuilt.get("drug", "example-drug")
    assert drug is not None
    assert drug.plugin == "content-plugin"


def test_a_worker_with_another_version_refuses_naming_both(engine: Engine) -> None:
    recipe = _recipe(engine, "different-classes")
    elsewhere = attrs.evolve(recipe, snapshot=attrs.evolve(recipe.snapshot, version="0.0.1"))
    shipped = pickle.loads(pickle.dumps(elsewhere))
    with pytest.raises(VersionMismatchError) as raised:
        shipped.kernel(WorkerCache())
    message = str(raised.value)
    assert "prepared by trdcore 0.0.1" in message
    assert f"this worker runs trdcore {VERSION}" in message
    # The error crosses back to the driver intact (a worker's exception is pickled).
    back = pickle.loads(pickle.dumps(raised.value))
    assert (back.made_by, back.running, str(back)) == ("0.0.1", VERSION, message)


def test_a_worker_builds_each_engine_once_and_keeps_a_few(engine: Engine) -> None:
    cache = WorkerCache(size=2)
    first = _recipe(engine, "different-classes")
    second = _recipe(engine, "two-trials-gaynes-2020")
    kernel = pickle.loads(pickle.dumps(first)).kernel(cache)
    assert pickle.loads(pickle.dumps(first)).kernel(cache) is kernel, "one kernel per recipe"
    other = pickle.loads(pickle.dumps(second)).kernel(cache)
    assert other is not kernel
    assert other.engine is kernel.engine, "one engine per catalog fingerprint"
    assert other.engine is not engine, "the worker's engine is rebuilt from the snapshot"
    _recipe(engine, "different-classes", stages=True).kernel(cache)
    assert first.kernel(cache) is not kernel, "beyond its size, the least recent kernel goes"


def test_a_recipe_is_prepared_on_the_driver_where_mistakes_raise(catalog: Catalog) -> None:
    from trdcore.exceptions import UnknownTargetError

    recipe = KernelRecipe.prepare(catalog, ["different-classes"], as_of="2026-11-27")
    assert recipe.definitions == (catalog.resolve("trd-definition", "different-classes").ref,)
    assert recipe.snapshot.fingerprint == catalog.fingerprint
    with pytest.raises(UnknownTargetError, match="did you mean 'different-classes'"):
        KernelRecipe.prepare(catalog, ["diferent-classes"], as_of="2026-11-27")
    with pytest.raises(UnknownTargetError, match="no-such-scheme"):
        KernelRecipe.prepare(catalog, None, as_of="2026-11-27", dose_scheme="no-such-scheme")
