"""Work on every core, in input order, in bounded memory, with no state outside the run.

:func:`run_in_workers` applies ``work(state, chunk)`` to every chunk. The
state (a compiled engine, say) is made once per worker process by
``start()`` and lives in that worker's own loop: nothing is kept in a
module, so two runs, interleaved in one process or not, can never see each
other's state. With one job, or too few chunks to be worth starting
processes, everything runs in the calling process with one state made there.

Worker processes are spawned (not forked), so they start clean whatever the
caller has loaded; ``start`` and ``work`` must be picklable (module-level
functions, or :func:`functools.partial` of them). At most a few chunks per
worker are in flight, so memory stays flat whatever the number of chunks.
An exception raised by ``work`` in a worker is raised again in the caller.
"""

from __future__ import annotations

import collections
import itertools
import os
import queue
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from trdcore.exceptions import TrdcoreError

__all__ = ["IN_FLIGHT_PER_WORKER", "default_jobs", "run_in_workers"]

S = TypeVar("S")
C = TypeVar("C")
R = TypeVar("R")

#: Chunks in flight per worker: enough to keep every worker busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 3
#: Seconds between checks that the workers are still alive while waiting for a result.
_POLL = 1.0


def default_jobs() -> int:
    """The cores this process may use (all of them, unless restricted by affinity)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def _worker(
    start: Callable[[], Any],
    work: Callable[[Any, Any], Any],
    inbox: Any,
    outbox: Any,
    freeze: bool,
) -> None:
    """A worker process's loop: make the state once, then work until told to stop."""
    try:
        state = start()
    except BaseException as error:  # reported to the caller, which stops the run
        outbox.put((-1, False, _portable(error)))
        return
    if freeze:
        # The state lives as long as this process: keep the cyclic collector from rescanning
        # it each time short-lived results fill a generation. Only on the command line's
        # request, and only in the worker process it spawned.
        import gc

        gc.collect()
        gc.freeze()
    while True:
        item = inbox.get()
        if item is None:
            return
        number, chunk = item
        try:
            outbox.put((number, True, work(state, chunk)))
        except BaseException as error:
            outbox.put((number, False, _portable(error)))


def _portable(error: BaseException) -> BaseException:
    """The error itself if it can be sent back to the caller, else a TrdcoreError saying it."""
    import pickle

    try:
        pickle.dumps(error)
    except Exception:
        return TrdcoreError(f"a worker failed: {type(error).__name__}: {error}")
    return error


def run_in_workers(
    start: Callable[[], S],
    work: Callable[[S, C], R],
    chunks: Iterable[C],
    *,
    jobs: int,
    min_chunks: int = 2,
    freeze_workers: bool = False,
) -> Iterator[R]:
    """``work(state, chunk)`` for every chunk, in input order, on ``jobs`` worker processes.

    See the module docstring. ``freeze_workers`` (for command lines, whose workers live as
    long as the run) moves each worker's state out of its cyclic collector's reach
    (``gc.freeze()`` in the worker process; never in the caller's). Plugins with batch work
    of their own (trdcore-fhir's ``fhir-evaluate``) use this too.
    """
    iterator = iter(chunks)
    first = list(itertools.islice(iterator, max(jobs, min_chunks)))
    if jobs <= 1 or len(first) < min_chunks:
        state = start()
        for chunk in itertools.chain(first, iterator):
            yield work(state, chunk)
        return
    yield from _in_processes(start, work, itertools.chain(first, iterator), jobs, freeze_workers)


def _in_processes(
    start: Callable[[], S], work: Callable[[S, C], R], chunks: Iterator[C], jobs: int, freeze: bool
) -> Iterator[R]:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    inbox = context.Queue()
    outbox = context.Queue()
    workers = [
        context.Process(target=_worker, args=(start, work, inbox, outbox, freeze), daemon=True)
        for _ in range(jobs)
    ]
    for process in workers:
        process.start()
    done: dict[int, Any] = {}
    pending: collections.deque[int] = collections.deque()

    def receive() -> None:
        while True:
            try:
                number, ok, value = outbox.get(timeout=_POLL)
            except queue.Empty:
                if any(process.exitcode not in (None, 0) for process in workers):
                    raise TrdcoreError("a worker process stopped unexpectedly") from None
                continue
            if not ok:
                raise value
            done[number] = value
            return

    def next_result() -> R:
        number = pending.popleft()
        while number not in done:
            receive()
        result: R = done.pop(number)
        return result

    try:
        for number, chunk in enumerate(chunks):
            inbox.put((number, chunk))
            pending.append(number)
            if len(pending) >= jobs * IN_FLIGHT_PER_WORKER:
                yield next_result()
        while pending:
            yield next_result()
        for _ in workers:
            inbox.put(None)
        for process in workers:
            process.join()
    finally:
        for process in workers:
            if process.is_alive():
                process.terminate()
        for process in workers:
            process.join()
        inbox.close()
        outbox.close()
