"""The session API: the one way a front end (the review window) reads and changes a matter.

``ui/`` imports nothing from ``app`` but this package and :mod:`app.errors` (an import contract
in pyproject.toml, checked by ``make lint``). A :class:`Session` is one open matter; its facets
read (pages, search, OCR, Vaughn index, compare) and its :class:`Writer` changes, each change
returning the :class:`Changes` it made. The child-process jobs (ingest, OCR) are
:class:`IngestProcess` and :class:`OcrProcess`; the vocabulary of exemptions, grounds and
statuses is :mod:`app.vocabulary`, re-exported as ``vocab``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below, imported on first use (the window starts fast)
    from app import vocabulary as vocab
    from app.compare.diff import Change
    from app.compare.listing import Finding, PairChanges, PairSummary
    from app.compare.match import DocPair, MatchResult
    from app.ingest.pipeline import IngestReport
    from app.matter.audit import Changes
    from app.matter.secrets import store as remember_password
    from app.matter.server import display_url, is_server_url
    from app.ocr.queue import OcrControl
    from app.paths import data_dir, logs_dir
    from app.progress import CancelToken
    from app.review.batches import BatchProgress
    from app.review.state import Tree, TreeRow, display_box
    from app.review.versions import Versions
    from app.review.versions import describe as describe_conflict
    from app.review.views import Challenge, Exhibit, Note, PageData, RedactionData, Review
    from app.sample import make_sample_matter
    from app.search.index import Results
    from app.search.saved import SavedSearch
    from app.session.batching import Batches
    from app.session.comparing import Compare
    from app.session.core import Session
    from app.session.ingest_job import IngestProcess
    from app.session.jobs import ChildJob, Event, Finished, Job, Notice, Progress, ThreadJob
    from app.session.ocr import Ocr, OcrState, engine_missing, wants_ocr
    from app.session.ocr_job import OcrProcess
    from app.session.pages import Pages
    from app.session.searching import Box, Search
    from app.session.types import (
        ChallengeFields,
        DocumentId,
        FindingId,
        PageId,
        RedactionId,
        ReviewStatus,
        Target,
        TargetKind,
    )
    from app.session.vaughn import VaughnIndex, read_index_table
    from app.session.writer import Writer
    from app.vaughn_index.imports import ImportResult
    from app.vaughn_index.parse import Table

_WHERE: dict[str, tuple[str, str | None]] = {
    'BatchProgress': ('app.review.batches', 'BatchProgress'),
    'Batches': ('app.session.batching', 'Batches'),
    'Box': ('app.session.searching', 'Box'),
    'CancelToken': ('app.progress', 'CancelToken'),
    'Challenge': ('app.review.views', 'Challenge'),
    'ChallengeFields': ('app.session.types', 'ChallengeFields'),
    'Change': ('app.compare.diff', 'Change'),
    'Changes': ('app.matter.audit', 'Changes'),
    'ChildJob': ('app.session.jobs', 'ChildJob'),
    'Compare': ('app.session.comparing', 'Compare'),
    'data_dir': ('app.paths', 'data_dir'),
    'describe_conflict': ('app.review.versions', 'describe'),
    'display_box': ('app.review.state', 'display_box'),
    'DocPair': ('app.compare.match', 'DocPair'),
    'DocumentId': ('app.session.types', 'DocumentId'),
    'engine_missing': ('app.session.ocr', 'engine_missing'),
    'Event': ('app.session.jobs', 'Event'),
    'Exhibit': ('app.review.views', 'Exhibit'),
    'Finding': ('app.compare.listing', 'Finding'),
    'FindingId': ('app.session.types', 'FindingId'),
    'Finished': ('app.session.jobs', 'Finished'),
    'ImportResult': ('app.vaughn_index.imports', 'ImportResult'),
    'IngestProcess': ('app.session.ingest_job', 'IngestProcess'),
    'IngestReport': ('app.ingest.pipeline', 'IngestReport'),
    'is_server_url': ('app.matter.server', 'is_server_url'),
    'display_url': ('app.matter.server', 'display_url'),
    'Job': ('app.session.jobs', 'Job'),
    'logs_dir': ('app.paths', 'logs_dir'),
    'make_sample_matter': ('app.sample', 'make_sample_matter'),
    'MatchResult': ('app.compare.match', 'MatchResult'),
    'Note': ('app.review.views', 'Note'),
    'Notice': ('app.session.jobs', 'Notice'),
    'Ocr': ('app.session.ocr', 'Ocr'),
    'OcrControl': ('app.ocr.queue', 'OcrControl'),
    'OcrProcess': ('app.session.ocr_job', 'OcrProcess'),
    'OcrState': ('app.session.ocr', 'OcrState'),
    'PageData': ('app.review.views', 'PageData'),
    'PageId': ('app.session.types', 'PageId'),
    'Pages': ('app.session.pages', 'Pages'),
    'PairChanges': ('app.compare.listing', 'PairChanges'),
    'PairSummary': ('app.compare.listing', 'PairSummary'),
    'Progress': ('app.session.jobs', 'Progress'),
    'read_index_table': ('app.session.vaughn', 'read_index_table'),
    'remember_password': ('app.matter.secrets', 'store'),
    'RedactionData': ('app.review.views', 'RedactionData'),
    'RedactionId': ('app.session.types', 'RedactionId'),
    'Results': ('app.search.index', 'Results'),
    'Review': ('app.review.views', 'Review'),
    'ReviewStatus': ('app.session.types', 'ReviewStatus'),
    'SavedSearch': ('app.search.saved', 'SavedSearch'),
    'Search': ('app.session.searching', 'Search'),
    'Session': ('app.session.core', 'Session'),
    'Table': ('app.vaughn_index.parse', 'Table'),
    'Target': ('app.session.types', 'Target'),
    'TargetKind': ('app.session.types', 'TargetKind'),
    'ThreadJob': ('app.session.jobs', 'ThreadJob'),
    'Tree': ('app.review.state', 'Tree'),
    'TreeRow': ('app.review.state', 'TreeRow'),
    'VaughnIndex': ('app.session.vaughn', 'VaughnIndex'),
    'Versions': ('app.review.versions', 'Versions'),
    'vocab': ('app.vocabulary', None),
    'wants_ocr': ('app.session.ocr', 'wants_ocr'),
    'Writer': ('app.session.writer', 'Writer'),
}


def __getattr__(name: str) -> Any:
    """Import a name of the API when it is first asked for (PEP 562)."""
    try:
        module, attr = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = importlib.import_module(module)
    if attr is not None:
        value = getattr(value, attr)
    globals()[name] = value
    return value


__all__ = [
    "BatchProgress", "Batches", "Box", "CancelToken", "Challenge", "ChallengeFields", "Change", "Changes", "ChildJob",
    "Compare", "DocPair", "DocumentId", "Event", "Exhibit", "Finding", "FindingId", "Finished",
    "ImportResult", "IngestProcess", "IngestReport", "Job", "MatchResult", "Note", "Notice", "Ocr",
    "OcrControl", "OcrProcess", "OcrState", "PageData", "PageId", "Pages", "PairChanges",
    "PairSummary", "Progress", "RedactionData", "RedactionId", "Results", "Review", "ReviewStatus",
    "SavedSearch", "Search", "Session", "Table", "Target", "TargetKind", "ThreadJob", "Tree",
    "TreeRow", "VaughnIndex", "Versions", "Writer", "data_dir", "describe_conflict", "display_box", "display_url",
    "engine_missing", "is_server_url", "logs_dir", "make_sample_matter", "read_index_table", "remember_password",
    "vocab", "wants_ocr",
]
