"""What a Spark or Dask worker needs to evaluate histories, in one small picklable value.

Distributed engines ship the function they run to every task. Spark Connect has no
SparkContext (no broadcast, no ``addPyFile``), so whatever the workers need must
travel inside that function. A :class:`KernelRecipe` is that payload: a
:class:`CatalogSnapshot` (the catalog's documents as one JSON text, their
fingerprint and the trdcore version that made them, plugins' content included)
and the evaluation settings of a :class:`~trdcore.batch.Kernel`.

A worker process turns a recipe into a kernel with :meth:`KernelRecipe.kernel`:
it checks the trdcore version first (another version could judge the same data
differently: :class:`~trdcore.exceptions.VersionMismatchError` names both), then
builds the engine once per catalog fingerprint and the kernel once per recipe, and
keeps them in :data:`WORKER_CACHE`. That cache is the one piece of process-wide
state in trdcore, on purpose: a Spark Python worker or a Dask worker process runs
many tasks, and rebuilding a catalog for each would cost more than evaluating a
small partition. It holds a few entries and never changes what an evaluation gives.
"""

from __future__ import annotations

import datetime
import zlib
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import attrs
import orjson

from trdcore.batch import Kernel
from trdcore.catalog import Catalog
from trdcore.dates import as_date
from trdcore.engine import Engine
from trdcore.exceptions import VersionMismatchError
from trdcore.release import VERSION
from trdcore.rules.inference import SwitchInference

__all__ = ["WORKER_CACHE", "CatalogSnapshot", "KernelRecipe", "WorkerCache"]


@attrs.frozen
class CatalogSnapshot:
    """A catalog as data: its ``(plugin, document)`` pairs as JSON (compressed: it travels
    with every task), fingerprint and version.

    Compared by fingerprint and version only: the documents are what the fingerprint
    is a hash of.
    """

    fingerprint: str
    version: str
    documents_json: bytes = attrs.field(eq=False, repr=False)

    @classmethod
    def of(cls, catalog: Catalog) -> CatalogSnapshot:
        """The snapshot of a loaded catalog (built-in and plugins' content alike)."""
        documents = [[plugin, document] for plugin, document in catalog.documents]
        return cls(catalog.fingerprint, VERSION, zlib.compress(orjson.dumps(documents), 6))

    def catalog(self) -> Catalog:
        """The catalog rebuilt from the snapshot's documents (each checked again)."""
        pairs = orjson.loads(zlib.decompress(self.documents_json))
        return Catalog.from_documents((plugin, document) for plugin, document in pairs)

    def check_version(self, *, where: str = "this worker") -> None:
        """Raise :class:`~trdcore.exceptions.VersionMismatchError` unless this process runs
        the trdcore version that made the snapshot."""
        if self.version != VERSION:
            raise VersionMismatchError(made_by=self.version, running=VERSION, where=where)


@attrs.frozen
class KernelRecipe:
    """A :class:`~trdcore.batch.Kernel`'s settings and catalog, as a value to ship to workers."""

    snapshot: CatalogSnapshot
    definitions: tuple[str, ...]
    as_of: datetime.date = attrs.field(converter=as_date)
    stages: bool = False
    dose_scheme: str | None = None
    infer_outcomes: SwitchInference | None = None

    @classmethod
    def of(cls, kernel: Kernel) -> KernelRecipe:
        """The recipe of a kernel made on the driver (its definitions already resolved)."""
        return cls(
            CatalogSnapshot.of(kernel.engine.catalog),
            kernel.definitions,
            kernel.as_of,
            kernel.stages,
            kernel.dose_scheme,
            kernel.infer_outcomes,
        )

    @classmethod
    def prepare(
        cls,
        catalog: Catalog,
        definitions: Iterable[str] | None = None,
        *,
        as_of: Any,
        stages: bool = False,
        dose_scheme: str | None = None,
        infer_outcomes: SwitchInference | None = None,
    ) -> KernelRecipe:
        """The recipe of an evaluation set up on the driver: the arguments are
        :meth:`Kernel.of`'s, and unknown definitions or dose schemes raise here, before
        any task is sent."""
        kernel = Kernel.of(
            Engine.for_catalog(catalog),
            definitions,
            as_of=as_of,
            stages=stages,
            dose_scheme=dose_scheme,
            infer_outcomes=infer_outcomes,
        )
        return cls.of(kernel)

    def kernel(self, cache: WorkerCache | None = None) -> Kernel:
        """The kernel in this process: version checked, engine and kernel built once (by
        default kept in :data:`WORKER_CACHE`)."""
        self.snapshot.check_version()
        return (WORKER_CACHE if cache is None else cache).kernel(self)


@attrs.define(eq=False)
class WorkerCache:
    """Engines by catalog fingerprint and kernels by recipe, the few most recent of each."""

    size: int = 4
    _engines: OrderedDict[str, Engine] = attrs.field(factory=OrderedDict, init=False)
    _kernels: OrderedDict[KernelRecipe, Kernel] = attrs.field(factory=OrderedDict, init=False)

    def engine(self, snapshot: CatalogSnapshot) -> Engine:
        """The engine of a snapshot's catalog, built on first use in this process."""
        found = self._engines.get(snapshot.fingerprint)
        if found is None:
            found = Engine.for_catalog(snapshot.catalog())
            self._remember(self._engines, snapshot.fingerprint, found)
        return found

    def kernel(self, recipe: KernelRecipe) -> Kernel:
        """The kernel of a recipe, built on first use in this process."""
        found = self._kernels.get(recipe)
        if found is None:
            found = Kernel.of(
                self.engine(recipe.snapshot),
                recipe.definitions,
                as_of=recipe.as_of,
                stages=recipe.stages,
                dose_scheme=recipe.dose_scheme,
                infer_outcomes=recipe.infer_outcomes,
            )
            self._remember(self._kernels, recipe, found)
        return found

    def _remember(self, table: OrderedDict[Any, Any], key: Any, value: Any) -> None:
        table[key] = value
        while len(table) > self.size:
            table.popitem(last=False)


#: The worker process's cache (see the module docstring for why it is process-wide).
WORKER_CACHE = WorkerCache()
