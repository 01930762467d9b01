"""Open, create and write a matter: one SQLite file holding a whole review.

A ``Matter`` owns one connection. It is used from one thread only (the GUI's matter worker, or
the CLI's main thread). Every write goes through :meth:`Matter.write`, one ``BEGIN IMMEDIATE``
transaction that either commits whole or leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlite_utils import Database

from app.errors import DiskFull, MatterError, MatterReadOnly, WriteRace
from app.matter import backup as backup_mod
from app.matter.migrations import LATEST, migrations, schema_version

BUSY_TIMEOUT_S = 15.0
MATTER_SUFFIX = ".vaughn"
_SQLITE_MAGIC = b"SQLite format 3\x00"


IN_CHUNK = 500  # ids in one ``IN (...)``: well under SQLite's limit on bound parameters


def id_chunks(ids: Sequence[int], size: int = IN_CHUNK) -> Iterator[list[int]]:
    """``ids`` in slices small enough for one ``IN (...)``."""
    for i in range(0, len(ids), size):
        yield list(ids[i:i + size])


_F = TypeVar("_F", bound=Callable[..., Any])
RACE_TRIES = 8


def retrying(fn: _F) -> _F:
    """Run a write operation again when the server undid it for racing another (WriteRace):
    the whole transaction was rolled back, so a second run starts clean. A file matter never
    races (its write lock is taken up front)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        conn = getattr(args[0], "conn", None) if args else None
        if conn is not None and conn.in_transaction:
            return fn(*args, **kwargs)  # inside a caller's transaction: the caller retries
        for attempt in range(RACE_TRIES - 1):
            try:
                return fn(*args, **kwargs)
            except WriteRace:
                time.sleep(0.005 * (attempt + 1))
        return fn(*args, **kwargs)  # the last try: its WriteRace reaches the caller

    return cast("_F", run)


def now_iso() -> str:
    """The current UTC time as an ISO 8601 string (what every timestamp column holds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Matter:
    """A matter file opened for reading and (unless ``read_only``) writing."""

    def __init__(self, path: Path, conn: sqlite3.Connection, read_only: bool) -> None:
        self.path = path
        self.conn = conn
        self.db = Database(conn)
        self.read_only = read_only
        self.location = str(path)

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, create: bool = False, read_only: bool = False) -> Matter:
        """Open (and with ``create`` make) the matter at ``path``, migrating it if needed.

        Raises MatterError with a plain reason when the file is not a matter, is from a newer
        Vaughn, or cannot be opened. A ``postgresql://`` URL opens a matter on a server
        (app/matter/server.py) behind this same API.
        """
        if str(path).lower().startswith(("postgresql://", "postgres://")):
            from app.matter.server import ServerMatter

            return ServerMatter.connect(str(path), create=create, read_only=read_only)
        path = Path(path).expanduser().resolve()
        exists = path.exists() and path.stat().st_size > 0
        if not exists and not create:
            raise MatterError(f"{path}: no such matter file")
        if exists:
            with open(path, "rb") as fh:
                if fh.read(16) != _SQLITE_MAGIC:
                    raise MatterError(f"{path}: not a Vaughn matter file")
        elif read_only:
            raise MatterError(f"{path}: no such matter file")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = _connect(path, read_only)
        matter = cls(path, conn, read_only)
        try:
            matter._prepare(existed=exists)
        except BaseException:
            conn.close()
            raise
        return matter

    def _prepare(self, existed: bool) -> None:
        conn = self.conn
        conn.execute("PRAGMA foreign_keys = ON")
        if self.read_only:
            self._check_version()
            return
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            raise MatterError(f"{self.path}: cannot be opened ({exc})") from exc
        self._check_version()
        pending = migrations.pending(self.db)
        if pending:
            if existed and schema_version(self.db) > 0:
                backup_mod.backup(self, reason=f"before-migration-{schema_version(self.db)}")
            try:
                migrations.apply(self.db)
            except sqlite3.DatabaseError as exc:
                raise _translate(exc, self.path) from exc
        if existed:
            try:
                backup_mod.backup_if_stale(self)
            except (OSError, sqlite3.Error):
                pass  # a backup folder we cannot write must not stop the review

    def _check_version(self) -> None:
        try:
            tables = set(self.db.table_names())
        except sqlite3.DatabaseError as exc:
            raise MatterError(f"{self.path}: not a Vaughn matter file ({exc})") from exc
        if tables and "_sqlite_migrations" not in tables:
            raise MatterError(f"{self.path}: not a Vaughn matter file (unknown tables)")
        version = schema_version(self.db)
        if version > LATEST:
            raise MatterError(
                f"{self.path}: made by a newer Vaughn (schema {version}, this one knows {LATEST})"
            )
        if self.read_only and version < LATEST:
            raise MatterError(f"{self.path}: needs an upgrade and is read-only")

    def close(self) -> None:
        """Close the connection (checkpointing the WAL when this is the last one)."""
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    def __enter__(self) -> Matter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any error.

        IMMEDIATE takes the write lock up front, so the busy timeout applies while another
        process writes (a deferred BEGIN that upgrades later fails at once with "locked").
        """
        if self.read_only:
            raise MatterReadOnly(f"{self.path}: opened read-only")
        conn = self.conn
        if conn.in_transaction:  # nested use: a savepoint inside the caller's transaction
            with self.db.atomic():
                yield conn
            return
        deadline = time.monotonic() + BUSY_TIMEOUT_S * 2
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                raise _translate(exc, self.path) from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError):
                raise _translate(exc, self.path) from exc
            raise

    # -- small helpers -------------------------------------------------------------------

    def local_path(self, path: str) -> str:
        """Where this machine finds the original recorded at ``path`` (the same, for a file
        matter; a shared matter applies this machine's map, app/matter/local_paths.py)."""
        return path

    def remember_paths(self, mapping: dict[str, str]) -> None:
        """Record where originals are now (recorded path -> new path; ``vaughn relink``)."""
        with self.write() as conn:
            conn.executemany("UPDATE source_files SET path = ? WHERE path = ?",
                             [(new, old) for old, new in mapping.items()])

    @property
    def on_server(self) -> bool:
        """Whether the matter is a database on a PostgreSQL server (app/matter/server.py)."""
        return False

    def lock_clause(self) -> str:
        """What a ``SELECT`` inside a write adds to lock the rows it reads until the commit
        (nothing here: ``BEGIN IMMEDIATE`` already holds the whole file)."""
        return ""

    def table_names(self) -> list[str]:
        """The matter's tables."""
        return list(self.db.table_names())

    def query(self, sql: str, params: Any = ()) -> list[_Row]:
        """Run a read query and return rows that index by column name."""
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description or ()]
        return [_Row(cols, r) for r in cur.fetchall()]

    def scalar(self, sql: str, params: Any = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A matter setting (case caption, reviewer defaults...) stored as JSON."""
        value = self.scalar("SELECT value FROM settings WHERE key = ?", (key,))
        return default if value is None else json.loads(value)

    def set_setting(self, key: str, value: Any) -> None:
        """Store a matter setting in its own transaction."""
        with self.write() as conn:
            conn.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )


class _Row(dict[str, Any]):
    """A query row: a dict by column name that also indexes by position."""

    def __init__(self, cols: list[str], values: tuple[Any, ...]) -> None:
        super().__init__(zip(cols, values, strict=True))
        self._values = values

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, int):
            return self._values[key]
        return super().__getitem__(key)


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    try:
        if read_only:
            uri = path.as_uri() + "?mode=ro"
            if not _writable_dir(path.parent):
                uri += "&immutable=1"  # read-only media: no -shm can be made
            return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        return sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise MatterError(f"{path}: cannot be opened ({exc})") from exc


def _writable_dir(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK)


def _translate(exc: sqlite3.DatabaseError, path: Path) -> Exception:
    """Turn SQLite's errors into ones a reviewer can act on."""
    text = str(exc)
    if "full" in text:
        return DiskFull(f"{path}: the disk is full; nothing from the last action was saved")
    if "readonly" in text or "read-only" in text:
        return MatterReadOnly(f"{path}: the matter file cannot be written ({text})")
    if "locked" in text or "busy" in text:
        return MatterError(f"{path}: another program kept the matter busy too long; try again")
    if "malformed" in text or "not a database" in text:
        return MatterError(f"{path}: the matter file is damaged ({text}); restore a backup")
    return exc
