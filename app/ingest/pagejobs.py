"""Reading a file's pages (text, Bates candidates, redaction analysis) under a per-page budget.

The parent (the ingest pipeline, ``vaughn analyze``) sends one :class:`PageJob` a page to a
child process of :mod:`app.pagework`; the child opens the file (keeping the last one open),
reads the page with :func:`app.ingest.pdf.extract_page` and sends the :class:`PageRecord` back.
Before the analysis it sends what it already knows (size, rotation, Bates candidates), so that
a page stopped over its budget still gets its Bates number; it gets no text (text under a bad
redaction would otherwise be indexed) and a :attr:`PageRecord.stopped` note for a human look.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from app.errors import IngestError
from app.ingest.pdf import PageRecord, Word, extract_page, open_document
from app.pagework import Died, Done, Stopped, shared_pool
from app.progress import CancelToken

#: Child processes that read one file's pages at once (2 cores: both).
READERS = 2


@dataclass(frozen=True)
class PageJob:
    """One page to read in a child process."""

    path: str
    kind: str  # "pdf" | "image"
    index: int
    password: str | None = None
    analyze: bool = True
    ocr_words: tuple[Word, ...] | None = None  # stored OCR words, for re-analysis of OCRed pages


@dataclass(frozen=True)
class PageFailure:
    """The page could not be read (a damaged page): the file fails with ``reason``."""

    reason: str


# -- in the child ---------------------------------------------------------------------------

_open: dict[str, Any] = {}


def _document(job: PageJob) -> Any:
    doc = _open.get(job.path)
    if doc is None:
        for old in _open.values():
            old.close()
        _open.clear()
        doc = _open[job.path] = open_document(Path(job.path), job.kind, job.password)
    return doc


def _analyzer(job: PageJob) -> Any:
    if not job.analyze:
        return None
    from app.redactions import analyze_page

    if job.ocr_words:
        words = list(job.ocr_words)
        return lambda page, _words, _image_only: analyze_page(page, _words, image_only=True,
                                                              ocr_words=words)
    return lambda page, words, image_only: analyze_page(page, words, image_only=image_only)


def run_page_job(job: PageJob, emit: Callable[[Any], None]) -> PageRecord | PageFailure:
    """Read one page (in the child); a damaged page is a :class:`PageFailure`."""
    try:
        page = _document(job).load_page(job.index)
        return extract_page(page, _analyzer(job), preview=emit)
    except IngestError as exc:
        return PageFailure(exc.reason)
    except Exception as exc:  # MuPDF's errors on a broken page
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return PageFailure(f"damaged at page {job.index + 1} ({text[:160]})")


# -- in the parent --------------------------------------------------------------------------


def stopped_note(seconds: float) -> str:
    """What a page stopped over its analysis budget is marked with."""
    return f"analysis stopped after {seconds:g} s"


def read_pages_budgeted(path: Path, kind: str, indices: Sequence[int], *, budget: float,
                        password: str | None = None, analyze: bool = True,
                        ocr_words: dict[int, tuple[Word, ...]] | None = None,
                        cancel: CancelToken | None = None) -> Iterator[PageRecord]:
    """A PageRecord for each page index of ``path``, in order, each read under ``budget``.

    Raises IngestError when a page is damaged (as reading in this process would); a page over
    its budget, or whose reader crashed, comes back with ``stopped`` set and no text.
    """
    indices = list(indices)
    workers = min(READERS, len(indices)) or 1
    pool = shared_pool(run_page_job, workers=workers, name="vaughn-page")
    jobs = ((i, PageJob(str(path), kind, i, password, analyze, (ocr_words or {}).get(i)))
            for i in indices)
    waiting: dict[int, PageRecord] = {}  # pages finished ahead of their turn
    order = iter(indices)
    turn = next(order, None)
    with closing(pool.run(jobs, budget=budget, cancel=cancel)) as events:
        for event in events:
            key = cast(int, event.key)  # the page indices given as keys above
            if isinstance(event, Done):
                if isinstance(event.value, PageFailure):
                    raise IngestError(str(path), event.value.reason)
                waiting[key] = event.value
            elif isinstance(event, Stopped):
                waiting[key] = _stopped_record(path, kind, password, key,
                                                     event.partial, stopped_note(event.seconds))
            elif isinstance(event, Died):
                waiting[key] = _stopped_record(path, kind, password, key,
                                                     event.partial,
                                                     f"analysis stopped: {event.reason}")
            while turn is not None and turn in waiting:
                yield waiting.pop(turn)
                turn = next(order, None)


def _stopped_record(path: Path, kind: str, password: str | None, index: Any, partial: Any,
                    note: str) -> PageRecord:
    """The record of a page whose analysis did not finish: no text, a note for a human."""
    if isinstance(partial, PageRecord):
        record = partial
    else:  # stopped before it even had its size: take that here
        record = PageRecord(index, 612.0, 792.0, 0, "", False, False, [])
        try:
            doc = open_document(path, kind, password)
            try:
                rect = doc.load_page(index).rect
                record.width, record.height = round(rect.width, 2), round(rect.height, 2)
            finally:
                doc.close()
        except Exception:  # the page is broken in the parent too: keep Letter size
            pass
    record.text = ""
    record.redactions = []
    record.analyzed = False
    record.stopped = note
    return record
