"""Tagging from the command line: pick targets by Bates, range, search or redaction id, then
apply tags, an exhibit, a challenge, a disposition and a note as ONE transaction.

Every op of one :func:`apply` call runs inside a single ``matter.write()`` (the review ops nest
in it as savepoints) and shares one ``op_id``, so the command is all-or-nothing and one undo
reverts all of it. Vocabulary words (grounds, statuses, priorities, dispositions) are resolved
up front with :func:`app.vocabulary.resolve`, before anything is written.
"""

from __future__ import annotations

import getpass
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app import vocabulary as vocab
from app.errors import VaughnError
from app.matter.audit import Changes
from app.matter.store import Matter
from app.review import ops


class TagError(VaughnError):
    """A tag command names no target, an unknown target, or nothing to do."""


@dataclass
class TagRequest:
    """What one ``vaughn tag`` command asks for."""

    bates: Sequence[str] = ()
    ranges: Sequence[str] = ()
    queries: Sequence[str] = ()
    redactions: Sequence[int] = ()
    tags: Sequence[str] = ()
    untags: Sequence[str] = ()
    exhibit: str | None = None
    description: str | None = None
    exhibit_status: str | None = None
    grounds: Sequence[str] = ()
    argument: str | None = None
    evidence: str | None = None
    status: str | None = None
    priority: str | None = None
    disposition: str | None = None
    note: str | None = None
    reviewer: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def challenges(self) -> bool:
        """Whether the request touches a challenge."""
        return bool(self.grounds) or any(v is not None for v in (
            self.argument, self.evidence, self.status, self.priority))


def default_reviewer(matter: Matter) -> str:
    """The matter's ``reviewer`` setting, else $VAUGHN_REVIEWER, else the login name."""
    name = matter.get_setting("reviewer") or os.environ.get("VAUGHN_REVIEWER")
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # no login name in some containers
            name = "reviewer"
    return str(name)


def resolve_targets(matter: Matter, req: TagRequest) -> tuple[list[int], list[int]]:
    """(page ids, redaction ids) the request names, each in matter order, de-duplicated."""
    from app.matter.listing import find_bates

    pages: set[int] = set()
    for text in req.bates:
        try:
            found = find_bates(matter, text)
        except ValueError as exc:
            raise TagError(str(exc)) from exc
        if not found:
            raise TagError(f"no page has Bates number {text}")
        pages.update(p["id"] for p in found)
    for text in req.ranges:
        try:
            found = find_bates(matter, text if ".." in text else f"{text}..{text}")
        except ValueError as exc:
            raise TagError(str(exc)) from exc
        if not found:
            raise TagError(f"no page in Bates range {text}")
        pages.update(p["id"] for p in found)
    for query in req.queries:
        from app.search.index import search

        total = search(matter, query, limit=1).total
        if not total:
            raise TagError(f"no page matches the search {query!r}")
        pages.update(h.page_id for h in search(matter, query, limit=total).hits)
    reds = sorted({int(r) for r in req.redactions})
    if reds:
        known: set[int] = set()
        for i in range(0, len(reds), 500):
            chunk = reds[i:i + 500]
            known.update(r[0] for r in matter.conn.execute(
                f"SELECT id FROM redactions WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        missing = [r for r in reds if r not in known]
        if missing:
            raise TagError(f"no such redaction: {', '.join(map(str, missing[:10]))}")
    return sorted(pages), reds


def _check_vocab(req: TagRequest) -> dict[str, Any]:
    """Resolve every vocabulary word first (VocabError lists the choices)."""
    out: dict[str, Any] = {"grounds": [vocab.resolve("ground", g) for g in req.grounds]}
    if req.status is not None:
        out["status"] = vocab.resolve("status", req.status)
    elif req.grounds:
        out["status"] = "challenge"
    if req.priority is not None:
        out["priority"] = vocab.resolve("priority", req.priority)
    if req.disposition is not None:
        out["disposition"] = vocab.resolve("disposition", req.disposition)
    if req.exhibit_status is not None:
        out["exhibit_status"] = vocab.resolve("exhibit_status", req.exhibit_status)
    return out


def apply(matter: Matter, req: TagRequest) -> dict[str, Any]:
    """Apply the request in one transaction; returns a JSON-ready summary of what changed."""
    words = _check_vocab(req)
    wants = [req.tags, req.untags, req.exhibit, req.challenges, req.disposition, req.note]
    if not any(wants):
        raise TagError("nothing to do: give --tag, --untag, --exhibit, --challenge, --status, "
                       "--argument, --priority, --disposition or --note")
    if req.description is not None and req.exhibit is None:
        raise TagError("--description goes with --exhibit")
    pages, reds = resolve_targets(matter, req)
    if not pages and not reds:
        raise TagError("no target: give --bates, --range, --query or --redaction")
    reviewer = (req.reviewer or default_reviewer(matter)).strip()
    op_id = uuid.uuid4().hex
    targets = [("page", p) for p in pages] + [("redaction", r) for r in reds]
    red_pages: list[int] = []
    if reds:
        for i in range(0, len(reds), 500):
            chunk = reds[i:i + 500]
            red_pages.extend(r[0] for r in matter.conn.execute(
                f"SELECT DISTINCT page_id FROM redactions WHERE id IN "
                f"({','.join('?' * len(chunk))})", chunk))
    all_pages = sorted(set(pages) | set(red_pages))
    changes = Changes(op_id=op_id)
    with matter.write():
        for name in req.tags:
            changes |= ops.add_tag(matter, reviewer, name, targets, op_id=op_id)
        for name in req.untags:
            changes |= ops.remove_tag(matter, reviewer, name, targets, op_id=op_id)
        if req.exhibit is not None:
            kwargs: dict[str, Any] = {"first_page_id": all_pages[0],
                                      "last_page_id": all_pages[-1]}
            row = matter.query("SELECT description, status FROM exhibits WHERE number = ?",
                               (" ".join(req.exhibit.split()),))
            kwargs["description"] = (req.description if req.description is not None
                                     else (row[0]["description"] if row else ""))
            kwargs["status"] = words.get("exhibit_status") or (row[0]["status"] if row
                                                               else "planned")
            changes |= ops.set_exhibit(matter, reviewer, req.exhibit, op_id=op_id, **kwargs)
        if req.challenges:
            fields: dict[str, Any] = {}
            if words["grounds"]:
                fields["grounds"] = words["grounds"]
            for key in ("status", "priority"):
                if key in words:
                    fields[key] = words[key]
            if req.argument is not None:
                fields["argument"] = req.argument
            if req.evidence is not None:
                fields["evidence_cite"] = req.evidence
            changes |= ops.set_review(matter, reviewer, targets, op_id=op_id, **fields)
        if req.disposition is not None:
            changes |= ops.set_page_disposition(matter, reviewer, all_pages,
                                                words["disposition"], op_id=op_id)
        if req.note:
            changes |= ops.add_note(matter, reviewer, targets, req.note, op_id=op_id)
    bates = {r[0]: r[1] for r in matter.conn.execute(
        f"SELECT id, bates FROM pages WHERE id IN ({','.join('?' * len(pages))})", pages)
    } if pages and len(pages) <= 900 else {}
    return {
        "op_id": op_id,
        "reviewer": reviewer,
        "pages": [{"id": p, "bates": bates.get(p)} for p in pages],
        "redactions": reds,
        "changed": {
            "kinds": sorted(changes.kinds),
            "pages": len(changes.pages),
            "redactions": len(changes.redactions),
            "challenges": len(changes.challenge_ids),
            "tags": len(changes.tag_ids),
            "exhibits": len(changes.exhibit_ids),
            "notes": len(changes.note_ids),
        },
    }
