"""The exception hierarchy every layer of Vaughn raises and catches."""

from __future__ import annotations


class VaughnError(Exception):
    """Base of every error Vaughn reports to a user in plain words."""


class MatterError(VaughnError):
    """The matter file cannot be opened, migrated or written."""


class MatterReadOnly(MatterError):
    """A write was attempted on a matter opened read-only."""


class DiskFull(MatterError):
    """SQLite reported that the disk (or the file's page cap) is full."""


class ServerUnavailable(MatterError):
    """The matter's server cannot be reached (down, wrong host, connection lost)."""


class StatementTimeout(MatterError):
    """The server stopped a statement at its ``statement_timeout`` (a time budget ran out)."""


class WriteRace(MatterError):
    """The server undid a transaction that raced another (deadlock, serialization failure):
    nothing of it was kept, and running it again is safe (app/matter/store.py ``retrying``)."""


class ReviewConflict(MatterError):
    """Another reviewer changed a target since this reviewer read it (issue #20).

    ``target`` is the (kind, id) pair; ``reviewer``, ``at`` and ``after`` say who changed it,
    when, and what it now holds; ``version`` is its current version (pass it to overwrite).
    """

    def __init__(self, target: tuple[str, int], version: int, reviewer: str, at: str,
                 after: dict[str, object]) -> None:
        kind, tid = target
        super().__init__(f"{reviewer} changed this {kind} ({tid}) at {at}, after you opened it")
        self.target = target
        self.version = version
        self.reviewer = reviewer
        self.at = at
        self.after = after


class IngestError(VaughnError):
    """One source file could not be ingested; ``reason`` says why in plain words."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class LoadFileError(VaughnError):
    """A DAT or OPT load file is malformed; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        where = f"{path}, line {line}" if line else path
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class QueryError(VaughnError):
    """A search query cannot be parsed; ``position`` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(f"{message} (at position {position})")
        self.message = message
        self.position = position


class Cancelled(VaughnError):
    """A long operation was cancelled by the user; work committed so far stays."""


class ReviewError(VaughnError):
    """A review action cannot be applied (unknown target, tag, exhibit, or op to undo)."""
