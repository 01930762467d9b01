"""Per-page work in child processes, each page under a time budget.

Nothing a page holds may stop a production from going in: a drawing list of a million paths,
a library stuck in a loop, a pattern that backtracks. So the per-page steps (text and redaction
analysis at ingest, OCR) run in spawned child processes that take one page at a time. The
parent waits for each page at most its budget; a page past it is *stopped*: its child is ended
and replaced, the page is reported so that it is recorded for a human look, and the next page
goes on. A child that dies on a page (a crash inside MuPDF) is reported the same way.

:class:`PagePool` is the mechanism; the budgets a matter uses (its settings, else the defaults
chosen from the benchmarks) are :func:`budget_for` / :func:`set_budget`. A job's function runs
in the child as ``target(job, emit)``: ``emit(value)`` sends an interim result (what was known
before the slow part: the ingest sends the page's size and Bates candidates before its analysis)
that the parent keeps if the page is stopped.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Generator, Hashable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from app.progress import CancelToken

#: A job's function, run in the child as ``target(job, emit)``; what it returns is the result.
JobTarget = Callable[[Any, Callable[[Any], None]], Any]

#: The steps that have a budget, with their defaults in seconds (benchmarks/page_times.py,
#: benchmarks/ocr.py, benchmarks/hostile.py on this 2-core machine). Analysis: p99 65 ms and
#: slowest 0.7 s over 856 real PDF pages; 10x that is 7 s, but a page of a million drawings
#: takes 11-18 s and is a real page, and a reviewer's laptop may be several times slower, so
#: 30 s. OCR: 3-14 s a page (a dithered 150 dpi TIFF page the slowest), so 180 s.
DEFAULT_BUDGETS = {"analysis": 30.0, "ocr": 180.0}
#: An idle child waits this long for its next page, then ends (a later run starts another).
IDLE_SECONDS = 30.0
_SETTING = "budget.{step}_seconds"


def budget_for(matter: Any, step: str) -> float:
    """The per-page budget in seconds of ``step`` ("analysis" or "ocr") for a matter."""
    value = matter.get_setting(_SETTING.format(step=step)) if matter is not None else None
    if isinstance(value, (int, float)) and value > 0:
        return float(value)
    return DEFAULT_BUDGETS[step]


def set_budget(matter: Any, step: str, seconds: float) -> None:
    """Remember a per-page budget for ``step`` in the matter's settings."""
    if step not in DEFAULT_BUDGETS:
        raise ValueError(f"no budget for {step!r} (one of {', '.join(DEFAULT_BUDGETS)})")
    if not seconds > 0:
        raise ValueError("a budget is a number of seconds above 0")
    matter.set_setting(_SETTING.format(step=step), float(seconds))


# -- what a run reports -------------------------------------------------------------------


@dataclass(frozen=True)
class Done:
    """A page's work finished: ``value`` is what the target returned."""

    key: Hashable
    value: Any
    seconds: float


@dataclass(frozen=True)
class Stopped:
    """A page ran past its budget and was stopped; ``partial`` is its last interim value."""

    key: Hashable
    seconds: float
    partial: Any


@dataclass(frozen=True)
class Died:
    """The child process ended on this page (``reason`` says how); ``partial`` as above."""

    key: Hashable
    reason: str
    partial: Any


Event = Done | Stopped | Died


# -- the child ------------------------------------------------------------------------------


def _child_main(conn: Connection, target: JobTarget,
                initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    """Run jobs from ``conn`` until it closes (the parent ended or dropped this child)."""
    try:
        if initializer is not None:
            initializer(*initargs)
        while True:
            if not conn.poll(IDLE_SECONDS):
                return  # idle: free the memory; the parent starts a new child when needed
            msg = conn.recv()
            if msg is None:
                return
            key, job = msg

            def emit(value: Any, key: Hashable = key) -> None:
                conn.send(("partial", key, value))

            conn.send(("start", key, None))
            try:
                value = target(job, emit)
            except Exception as exc:  # the target's own bug: report it, keep the child
                detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
                conn.send(("error", key, detail[:300]))
                continue
            conn.send(("done", key, value))
    except (EOFError, OSError, KeyboardInterrupt):
        return  # the parent is gone: nothing to report to


class _Child:
    """One child process and the job it holds."""

    def __init__(self, ctx: Any, target: JobTarget, initializer: Callable[..., None] | None,
                 initargs: tuple[Any, ...], name: str) -> None:
        self.conn, child_end = ctx.Pipe()
        self.proc = ctx.Process(target=_child_main, name=name, daemon=True,
                                args=(child_end, target, initializer, initargs))
        self.proc.start()
        child_end.close()
        self.key: Hashable | None = None
        self.started: float | None = None  # when the child began the job
        self.partial: Any = None

    @property
    def busy(self) -> bool:
        return self.key is not None

    def give(self, key: Hashable, job: Any) -> None:
        self.key, self.started, self.partial = key, None, None
        self.conn.send((key, job))

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=5)
        self.conn.close()

    def close(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=5)
        self.conn.close()


class PagePool:
    """Child processes that run page jobs one at a time each, every job under ``budget``.

    ``run()`` yields a :class:`Done`, :class:`Stopped` or :class:`Died` for every job given.
    Idle children are kept between runs (their start-up, about half a second, is paid once);
    :meth:`close` ends them. One run at a time per pool.
    """

    def __init__(self, target: JobTarget, *,
                 workers: int = 1, initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = (), name: str = "vaughn-page") -> None:
        self.target = target
        self.workers = max(1, workers)
        self.initializer = initializer
        self.initargs = initargs
        self.name = name
        self._ctx = multiprocessing.get_context("spawn")
        # Each child is one page at a time on one core: numpy's BLAS threads would only fight
        # the other children (small products on a loaded machine ran 5x slower). Children
        # take the environment when spawned; this process's BLAS is already loaded.
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")
        self._idle: list[_Child] = []
        self._lock = threading.Lock()

    def _child(self) -> _Child:
        while self._idle:
            child = self._idle.pop()
            if child.proc.is_alive():
                return child
            child.kill()  # it ended on its own after idling
        return _Child(self._ctx, self.target, self.initializer, self.initargs, self.name)

    def run(self, jobs: Iterable[tuple[Hashable, Any]], *, budget: float,
            cancel: CancelToken | None = None,
            paused: Callable[[], bool] | None = None,
            idle: Callable[[], None] | None = None) -> Generator[Event, None, None]:
        """Run ``(key, job)`` pairs; a job not finished ``budget`` s after it began is stopped.

        Raises Cancelled (from ``cancel.check``) with the children in flight ended; while
        ``paused()`` is true no new job starts, and ``idle()`` is called once each time the
        pool is left holding (paused, jobs left, none in flight).
        """
        with self._lock:
            yield from self._run(iter(jobs), budget, cancel, paused, idle)

    def _run(self, jobs: Iterator[tuple[Hashable, Any]], budget: float,
             cancel: CancelToken | None, paused: Callable[[], bool] | None,
             idle: Callable[[], None] | None) -> Iterator[Event]:
        busy: list[_Child] = []
        more = True
        holding = False
        try:
            while True:
                if cancel is not None:
                    cancel.check()
                while more and len(busy) < self.workers and not (paused and paused()):
                    item = next(jobs, None)
                    if item is None:
                        more = False
                        break
                    child = self._child()
                    child.give(*item)
                    busy.append(child)
                    holding = False
                if not busy:
                    if not more:
                        return
                    if not holding and idle is not None:
                        idle()
                    holding = True
                    time.sleep(0.05)  # paused with nothing in flight
                    continue
                yield from self._wait(busy, budget)
        finally:
            for child in busy:  # cancelled or abandoned mid-run: their pages are not finished
                child.kill()

    def _wait(self, busy: list[_Child], budget: float) -> Iterator[Event]:
        now = time.monotonic()
        timeout = 0.2
        for child in busy:
            if child.started is not None:
                timeout = min(timeout, max(0.0, child.started + budget - now))
        ready = wait([c.conn for c in busy] + [c.proc.sentinel for c in busy], timeout)
        for child in list(busy):
            event = self._read(child, ready)
            if event is None and child.started is not None and (
                    time.monotonic() - child.started > budget):
                event = Stopped(child.key, round(time.monotonic() - child.started, 2),
                                child.partial)
                child.kill()
                busy.remove(child)
            elif event is not None:
                busy.remove(child)
                if isinstance(event, Died):
                    child.kill()
                else:
                    child.key = None
                    self._idle.append(child)
            if event is not None:
                yield event

    def _read(self, child: _Child, ready: list[Connection | socket.socket | int]) -> Event | None:
        """Drain the child's messages; the job's final event, if it came."""
        if child.conn in ready or child.proc.sentinel in ready:
            try:
                while child.conn.poll():
                    kind, key, value = child.conn.recv()
                    if kind == "start":
                        child.started = time.monotonic()
                    elif kind == "partial":
                        child.partial = value
                    elif kind == "done":
                        took = time.monotonic() - (child.started or time.monotonic())
                        return Done(key, value, round(took, 3))
                    elif kind == "error":
                        return Died(key, value, child.partial)
            except (EOFError, OSError):
                pass
            if not child.proc.is_alive():
                code = child.proc.exitcode
                return Died(child.key, f"the process ended (exit code {code})", child.partial)
        return None

    def close(self) -> None:
        """End the idle children."""
        with self._lock:
            for child in self._idle:
                child.close()
            self._idle.clear()


_shared: dict[tuple[JobTarget, int, Callable[..., None] | None, tuple[Any, ...]], PagePool] = {}
_shared_lock = threading.Lock()


def shared_pool(target: JobTarget, *, workers: int = 1,
                initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = (),
                name: str = "vaughn-page") -> PagePool:
    """A pool kept for the life of this process (one per target and set-up), or a new one
    when that pool is in use by another thread."""
    key = (target, workers, initializer, initargs)
    with _shared_lock:
        pool = _shared.get(key)
        if pool is None:
            pool = _shared[key] = PagePool(target, workers=workers, initializer=initializer,
                                           initargs=initargs, name=name)
        if pool._lock.locked():
            return PagePool(target, workers=workers, initializer=initializer,
                            initargs=initargs, name=name)
        return pool


__all__ = [
    "DEFAULT_BUDGETS",
    "Died",
    "Done",
    "Event",
    "PagePool",
    "Stopped",
    "budget_for",
    "set_budget",
    "shared_pool",
]
