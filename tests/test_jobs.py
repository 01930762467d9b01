"""The one job model: child-process and thread jobs report the same typed events, and the
window's runner polls them, hands them on and refuses a second job of a kind."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading

import pytest

from app.errors import Cancelled
from app.session.jobs import ChildJob, Finished, Notice, Progress, ThreadJob, event_of


def test_child_messages_become_events() -> None:
    assert event_of(("progress", 3, 10, "a.pdf")) == Progress(3, 10, "a.pdf")
    assert event_of(("start", 5, 2)) == Notice("start", (5, 2))
    assert event_of(("holding",)) == Notice("holding")
    assert event_of(("done", {"n": 1})) == Finished("done", {"n": 1})
    assert event_of(("cancelled", "by the user")) == Finished("cancelled", None, "by the user")
    assert event_of(("error", "disk full")) == Finished("failed", None, "disk full")
    assert event_of(("unavailable", "no tessdata")) == Finished("unavailable", None,
                                                                "no tessdata")


class _Exits(ChildJob):
    """A child that exits with code 3 and never says a word."""

    kind = "test"
    what = "test"

    def __init__(self) -> None:
        ctx = mp.get_context("spawn")
        self.queue = ctx.Queue()
        self.cancel_event = ctx.Event()
        self.process = ctx.Process(target=os._exit, args=(3,))
        self.finished = False


def test_a_child_that_dies_silently_ends_its_job_as_failed() -> None:
    job = _Exits()
    job.start()
    job.process.join(30)
    events = job.events()
    assert job.finished
    assert len(events) == 1 and events[0].outcome == "failed"
    assert "test process ended unexpectedly (exit code 3)" in events[0].message


def _count(job: ThreadJob) -> None:
    """Work on another thread: three units, then done (or cancelled if asked)."""

    def work() -> None:
        try:
            for i in range(1, 4):
                job.progress(i, 3, f"item {i}")
            job.token.check()
        except Cancelled as exc:
            job.finish("cancelled", message=str(exc))
        else:
            job.finish("done", 42)

    t = threading.Thread(target=work)
    t.start()
    t.join()


def test_a_thread_job_reports_progress_then_its_end_and_can_be_cancelled() -> None:
    job = ThreadJob("count")
    _count(job)
    assert job.events() == [Progress(1, 3, "item 1"), Progress(2, 3, "item 2"),
                            Progress(3, 3, "item 3"), Finished("done", 42)]
    assert job.finished and job.events() == []
    stopped = ThreadJob("count")
    stopped.cancel()
    _count(stopped)
    assert stopped.events()[-1] == Finished("cancelled", None, "cancelled by the user")


def test_the_runner_hands_on_events_and_runs_one_job_of_a_kind(qtbot) -> None:
    pytest.importorskip("PySide6.QtWidgets")
    from ui.jobs import JobRunner

    runner = JobRunner()
    seen: list = []
    first, second = ThreadJob("match"), ThreadJob("match")
    assert runner.start(first, seen.append)
    assert not runner.start(second, seen.append)  # one of a kind: refused, not started
    assert runner.running("match") is first
    first.progress(1, 2, "half")
    with qtbot.waitSignal(runner.ended, timeout=5000) as ended:
        first.finish("done", "result")
    assert ended.args == ["match", "done"]
    assert seen == [Progress(1, 2, "half"), Finished("done", "result")]
    assert runner.running("match") is None
    assert runner.start(second, seen.append)  # the kind is free again
    runner.forget("match")
    assert runner.running("match") is None
