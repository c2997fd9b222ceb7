"""The worker processes of ``trdcore fhir-evaluate``: what each one runs first, and per chunk.

:func:`trdcore.batch.run_in_workers` starts each worker process with an initializer, and a
process pool's initializer has no way to hand what it builds to the work the process runs
later. So the :class:`~trdcore_fhir.bulk.EvaluationRun` a worker process builds when it starts
is kept in the one slot below. That slot is the worker process's own state: it is set once, in
a worker process, and never in the process that starts the workers, which evaluates with the
run it made itself (held by its :class:`LinesWork`) when the input is too small for workers.
"""

from __future__ import annotations

import datetime
import gc
import pickle
from typing import Any, Literal

import attrs

from trdcore_fhir.bulk import EvaluationRun, ResultPart

__all__ = ["LinesWork", "start_worker_process"]

#: This worker process's run (set by :func:`start_worker_process`; None in any other process).
_this_worker_process_run: EvaluationRun | None = None


def start_worker_process(
    definitions: tuple[str, ...],
    as_of: datetime.date,
    condition: bool,
    bundle_type: Literal["collection", "transaction"],
    catalog: bytes | None,
) -> None:
    """Start a worker process: load its catalog and compile the run it evaluates with.

    ``catalog`` is the starting process's catalog, pickled (unpickling it is much cheaper
    than loading one), or None for the installed catalog.
    """
    global _this_worker_process_run
    from trdcore import load_catalog

    loaded = load_catalog() if catalog is None else pickle.loads(catalog)
    # The catalog lives as long as the worker: keep the cyclic collector from rescanning it.
    gc.freeze()
    _this_worker_process_run = EvaluationRun.start(
        definitions, as_of, condition, bundle_type, loaded
    )


@attrs.define(eq=False)
class LinesWork:
    """The work :func:`~trdcore.batch.run_in_workers` does on a chunk of numbered lines.

    In the calling process (an input too small for workers) it evaluates with the run given
    to :meth:`run_here`; sent to a worker process, with that process's own run. Only
    ``source`` is ever sent: never the run of the process that sends it.
    """

    source: str
    _here: EvaluationRun | None = attrs.field(default=None, init=False)

    def run_here(self, run: EvaluationRun) -> None:
        """Evaluate every chunk in this process, with ``run``."""
        self._here = run

    def __call__(self, chunk: list[tuple[int, bytes]]) -> ResultPart:
        run = self._here if self._here is not None else _this_worker_process_run
        if run is None:
            raise RuntimeError(
                "LinesWork called with no run: call run_here() first, or run it in a worker "
                "process started by start_worker_process()"
            )
        return run.evaluate_lines(self.source, chunk)

    def __reduce__(self) -> tuple[Any, ...]:
        # What a worker process receives: the source only.
        return (LinesWork, (self.source,))
