"""The audit log of review writes: one row per database row an operation touched.

An operation (app/review/ops.py, app/documents/edit.py) takes :func:`begin` for its reviewer and
op id, opens one ``matter.write()`` transaction and hands every row it writes to a
:class:`Recorder`, which writes the audit row (reviewer, time, action, target, before/after
JSON) and collects the :class:`Changes` the operation returns. Undo and redo replay these rows.
It sits in the matter layer so that every layer above it (documents, review) writes audited
changes the same way without importing one another.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.errors import ReviewError
from app.matter.store import Matter, now_iso

Target = tuple[str, int]

KINDS = ("claims", "challenges", "tags", "exhibits", "notes", "documents")

# entity (table) -> the kind of change it is; only these tables are ever written or restored.
ENTITY_KIND = {
    "redactions": "claims",
    "pages": "claims",
    "challenges": "challenges",
    "tags": "tags",
    "tag_links": "tags",
    "exhibits": "exhibits",
    "notes": "notes",
    "documents": "documents",
}
# A page's record (its document and the reviewer's boundary decision) is a documents change.
DOCUMENT_COLUMNS = frozenset({"document_id", "doc_break"})


@dataclass(frozen=True)
class Changes:
    """What one operation changed.

    ``redactions``/``pages``/``documents``: ids of the targets whose review state changed.
    ``kinds``: a subset of :data:`KINDS` (a page disposition counts as ``claims``).
    ``challenge_ids``/``tag_ids``/``exhibit_ids``/``note_ids``: rows created, changed or deleted.
    """

    op_id: str = ""
    redactions: frozenset[int] = frozenset()
    pages: frozenset[int] = frozenset()
    documents: frozenset[int] = frozenset()
    kinds: frozenset[str] = frozenset()
    challenge_ids: frozenset[int] = frozenset()
    tag_ids: frozenset[int] = frozenset()
    exhibit_ids: frozenset[int] = frozenset()
    note_ids: frozenset[int] = frozenset()

    @property
    def empty(self) -> bool:
        """True when nothing was written."""
        return not self.kinds

    def touches(self, kind: str, target_id: int) -> bool:
        """Whether the target (``"redaction"``, ``"page"``, ``"document"``) changed."""
        return target_id in {"redaction": self.redactions, "page": self.pages,
                             "document": self.documents}[kind]

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            op_id=self.op_id or other.op_id,
            redactions=self.redactions | other.redactions,
            pages=self.pages | other.pages,
            documents=self.documents | other.documents,
            kinds=self.kinds | other.kinds,
            challenge_ids=self.challenge_ids | other.challenge_ids,
            tag_ids=self.tag_ids | other.tag_ids,
            exhibit_ids=self.exhibit_ids | other.exhibit_ids,
            note_ids=self.note_ids | other.note_ids,
        )


@dataclass
class Recorder:
    """Collects audit rows and the Changes of one operation inside its transaction."""

    conn: sqlite3.Connection
    reviewer: str
    action: str
    op_id: str
    at: str = field(default_factory=now_iso)
    # ``matter.lock_clause()``: what locks the target rows read inside the write (a server's
    # FOR UPDATE); ``expect``: the target versions the reviewer saw (app/review/versions.py).
    lock: str = ""
    expect: Mapping[Target, int] | None = None
    targets: dict[str, set[int]] = field(
        default_factory=lambda: {"redaction": set(), "page": set(), "document": set()})
    kinds: set[str] = field(default_factory=set)
    rows: dict[str, set[int]] = field(default_factory=lambda: {
        "challenges": set(), "tags": set(), "exhibits": set(), "notes": set()})

    def snapshot(self, entity: str, entity_id: int, columns: Sequence[str] | None = None
                 ) -> dict[str, Any] | None:
        cols = ", ".join(columns) if columns else "*"
        cur = self.conn.execute(f"SELECT {cols} FROM {entity} WHERE id = ?", (entity_id,))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row, strict=True))

    def record(self, target: Target | None, entity: str, entity_id: int,
               before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        if before == after:
            return
        self.conn.execute(
            "INSERT INTO audit_log(op_id, at, reviewer, action, target_kind, target_id, entity, "
            "entity_id, before, after) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (self.op_id, self.at, self.reviewer, self.action,
             target[0] if target else None, target[1] if target else None, entity, entity_id,
             None if before is None else json.dumps(before),
             None if after is None else json.dumps(after)),
        )
        self.note(target, entity, entity_id, set(before or {}) | set(after or {}))

    def note(self, target: Target | None, entity: str, entity_id: int,
             columns: set[str] | None = None) -> None:
        if target is not None:
            self.targets[target[0]].add(target[1])
        self.kinds.add("documents" if entity == "pages" and columns
                       and columns <= DOCUMENT_COLUMNS else ENTITY_KIND[entity])
        if entity in self.rows:
            self.rows[entity].add(entity_id)

    def changes(self) -> Changes:
        if not self.kinds:
            return Changes(op_id=self.op_id)
        return Changes(
            op_id=self.op_id,
            redactions=frozenset(self.targets["redaction"]),
            pages=frozenset(self.targets["page"]),
            documents=frozenset(self.targets["document"]),
            kinds=frozenset(self.kinds),
            challenge_ids=frozenset(self.rows["challenges"]),
            tag_ids=frozenset(self.rows["tags"]),
            exhibit_ids=frozenset(self.rows["exhibits"]),
            note_ids=frozenset(self.rows["notes"]),
        )


def begin(matter: Matter, reviewer: str, action: str, op_id: str | None) -> tuple[str, str]:
    """The reviewer's name, checked, and the op id (``op_id``, or a new one)."""
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise ReviewError("a reviewer name is needed for every review action")
    return reviewer, op_id or uuid.uuid4().hex
