"""A matter on a PostgreSQL server (issue #20), behind the same :class:`Matter` API as a file.

``Matter.open("postgresql://user@host/db")`` returns a :class:`ServerMatter`. Its ``conn`` is
a :class:`PgConnection`: the few calls the core makes on a sqlite3 connection (``execute``,
``executemany``, ``in_transaction``, a cursor's ``fetchone``/``fetchall``/``description``/
``lastrowid``/``rowcount``), over psycopg 3, with each statement translated by
app/matter/dialect.py. So review operations, the audit log and the review state are the same
code on both backends, and the same tests run against both.

Writes are one server transaction each (``BEGIN`` ... ``COMMIT``, READ COMMITTED); two
reviewers' writes to one target are ordered by the row locks :meth:`ServerMatter.lock_targets`
takes. Errors come back as the exceptions a file matter raises (MatterError and kin) with a
plain reason; no message, log line or exception text carries the password.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from app.errors import (
    MatterError,
    MatterReadOnly,
    ServerUnavailable,
    StatementTimeout,
    WriteRace,
)
from app.matter import pg_schema
from app.matter.dialect import insert_table, to_postgres
from app.matter.store import Matter
from app.matter.words import tsvector

if TYPE_CHECKING:
    import psycopg

SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT_S = 5
_TABLE_INFO = re.compile(r"PRAGMA\s+table_info\((\w+)\)", re.IGNORECASE)
_PRAGMA = re.compile(r"PRAGMA\b", re.IGNORECASE)


def is_server_url(location: str | Path) -> bool:
    """Whether ``location`` names a matter on a server rather than a file."""
    return str(location).lower().startswith(SCHEMES)


def matter_location(text: str) -> str | Path:
    """A matter argument as given: a server URL stays text, anything else is a file path
    (``Path`` would fold the URL's ``//``). A URL with no password, where libpq has none
    either (``PGPASSWORD``, ``~/.pgpass``), gets one typed at a prompt when there is a
    terminal: it lives in this process only."""
    if not is_server_url(text):
        return Path(text)
    return with_prompted_password(text)


def with_prompted_password(url: str) -> str:
    """``url`` with a password asked for at the terminal, when it needs one and can ask."""
    import os
    import sys

    from app.matter import secrets

    parts = urlsplit(url)
    pgpass = Path(os.environ.get("PGPASSFILE", Path.home() / ".pgpass"))
    if (parts.password or os.environ.get("PGPASSWORD") or pgpass.exists()
            or not sys.stdin.isatty() or not parts.username or secrets.lookup(url)):
        return url
    import getpass

    password = getpass.getpass(f"Password for {parts.username}@{parts.hostname}: ")
    return secrets.with_password(url, password) if password else url


def display_url(url: str) -> str:
    """``url`` without its password (what messages, titles and logs show)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, "", ""))


class _Cursor:
    """A psycopg cursor as the core reads a sqlite3 one."""

    def __init__(self, cur: psycopg.Cursor[Any] | None, rows: list[tuple[Any, ...]] | None = None,
                 names: Sequence[str] = (), lastrowid: int | None = None) -> None:
        self._cur = cur
        self._rows = rows
        self._names = names
        self.lastrowid = lastrowid

    @property
    def description(self) -> list[tuple[str, None, None, None, None, None, None]] | None:
        if self._cur is None:
            return [(n, None, None, None, None, None, None) for n in self._names] or None
        if self._cur.description is None:
            return None
        return [(c.name, None, None, None, None, None, None) for c in self._cur.description]

    @property
    def rowcount(self) -> int:
        return -1 if self._cur is None else self._cur.rowcount

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._rows is not None:
            return self._rows.pop(0) if self._rows else None
        assert self._cur is not None
        return self._cur.fetchone() if self._cur.description is not None else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        if self._rows is not None:
            rows, self._rows = self._rows, []
            return rows
        assert self._cur is not None
        return self._cur.fetchall() if self._cur.description is not None else []

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        if self._rows is not None:
            rows, self._rows = self._rows[:size], self._rows[size:]
            return rows
        assert self._cur is not None
        return self._cur.fetchmany(size) if self._cur.description is not None else []

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.fetchall())


def _load_numeric(data: bytes | bytearray | memoryview) -> int | float:
    value = Decimal(bytes(data).decode())
    return int(value) if value == value.to_integral_value() else float(value)


class PgConnection:
    """One psycopg connection (autocommit; transactions are explicit) speaking sqlite3's API."""

    on_server = True

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: psycopg.Connection[Any] | None = None
        self._id_tables: set[str] = set()
        self.connect()

    def connect(self) -> None:
        """(Re)connect; raises the plain-worded errors of :func:`translate`."""
        import psycopg
        from psycopg.adapt import Loader

        class NumericLoader(Loader):
            def load(self, data: Any) -> Any:
                return _load_numeric(data)

        from app.matter import secrets

        url = secrets.filled(self.url)  # the keyring's password, when the URL has none
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                                   application_name="vaughn")
        except psycopg.Error as exc:
            raise translate(exc, url) from None
        conn.adapters.register_loader("numeric", NumericLoader)
        self._conn = conn
        self.read_schema()

    def read_schema(self) -> None:
        """Learn which tables have an ``id`` (their INSERTs return it as ``lastrowid``)."""
        assert self._conn is not None
        self._id_tables = {r[0] for r in self._conn.execute(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'id' "
            "AND table_schema = current_schema()").fetchall()}

    @property
    def raw(self) -> psycopg.Connection[Any]:
        """The psycopg connection, reconnecting first when it was lost between transactions."""
        if self._conn is None or self._conn.closed or self._conn.broken:
            self.close()
            self.connect()
        assert self._conn is not None
        return self._conn

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        if self._conn is None or self._conn.closed or self._conn.broken:
            return False
        return self._conn.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Cursor:
        """Run one statement of the core's SQL."""
        if "_fts" in sql:  # SQLite's FTS5 index: app.search.text_index speaks the server's
            raise MatterError(f"{display_url(self.url)}: {sql[:40]!r} reads SQLite's own "
                              "full-text index, which a server matter does not have")
        head = sql.lstrip()
        info = _TABLE_INFO.match(head)
        if info:
            return self._table_info(info.group(1))
        if _PRAGMA.match(head):  # the file's own settings and checks: none apply here
            raise MatterError(f"{display_url(self.url)}: {head[:40]!r} is SQLite's own and "
                              "has no meaning on a server")
        table = insert_table(sql)
        returning = table in self._id_tables
        text = to_postgres(sql) + (" RETURNING id" if returning else "")
        cur = self._run(lambda c: c.execute(text, tuple(params)))
        if returning:  # sqlite3's lastrowid is the last row inserted
            ids = cur.fetchall()
            return _Cursor(cur, rows=[], lastrowid=int(ids[-1][0]) if ids else None)
        return _Cursor(cur)

    def executemany(self, sql: str, seq: Any) -> _Cursor:
        """Run one statement for each parameter tuple of ``seq``."""
        text = to_postgres(sql)
        rows = [tuple(p) for p in seq]
        return _Cursor(self._run(lambda c: c.executemany(text, rows)))

    def _run(self, call: Any) -> psycopg.Cursor[Any]:
        import psycopg

        conn = self.raw
        cur = conn.cursor()
        try:
            call(cur)
        except psycopg.Error as exc:
            raise translate(exc, self.url) from exc
        return cur

    def _table_info(self, table: str) -> _Cursor:
        rows = self.raw.execute(
            "SELECT ordinal_position - 1, column_name, data_type, "
            "CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END, column_default, 0 "
            "FROM information_schema.columns WHERE table_name = %s "
            "AND table_schema = current_schema() ORDER BY ordinal_position", (table,)).fetchall()
        return _Cursor(None, rows=list(rows),
                       names=("cid", "name", "type", "notnull", "dflt_value", "pk"))

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()


def translate(exc: Exception, url: str) -> Exception:
    """psycopg's errors as ones a reviewer can act on (never with the password in them)."""
    import psycopg
    from psycopg import errors as pge

    where = display_url(url)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    parts = urlsplit(url)
    if parts.password:
        text = text.replace(parts.password, "***")
    if isinstance(exc, pge.DeadlockDetected | pge.SerializationFailure | pge.LockNotAvailable):
        return WriteRace(f"{where}: this change raced another reviewer's; try again")
    if isinstance(exc, pge.QueryCanceled):  # whatever language the server's messages are in
        return StatementTimeout(f"{where}: the statement ran past its time budget")
    if isinstance(exc, pge.InsufficientPrivilege):
        return MatterReadOnly(f"{where}: your role on this server may not make this change")
    if isinstance(exc, pge.InvalidCatalogName) or (
            "database" in text and "does not exist" in text):
        return MatterError(f"{where}: the server has no such database")
    if "password authentication failed" in text or "no password supplied" in text:
        return MatterError(f"{where}: the server refused the login (wrong user or password)")
    if isinstance(exc, psycopg.OperationalError | pge.AdminShutdown | pge.CrashShutdown):
        return ServerUnavailable(f"{where}: the server cannot be reached ({text})")
    if isinstance(exc, psycopg.Error):
        return MatterError(f"{where}: the server refused a statement ({text})")
    return exc


class ServerMatter(Matter):
    """A matter held by a PostgreSQL database."""

    conn: PgConnection  # type: ignore[assignment]

    def __init__(self, url: str, conn: PgConnection, read_only: bool) -> None:
        self.url = url
        self.path = Path(urlsplit(url).path.lstrip("/") or "matter")
        self.conn = conn
        self.read_only = read_only
        self.location = display_url(url)
        self._paths: dict[str, str] | None = None

    @classmethod
    def connect(cls, url: str, *, create: bool = False, read_only: bool = False) -> ServerMatter:
        """Open the matter in the database ``url`` names (``create``: install the schema in an
        empty database). Raises MatterError with a plain reason."""
        conn = PgConnection(url)
        matter = cls(url, conn, read_only)
        try:
            matter._prepare_server(create)
        except BaseException:
            conn.close()
            raise
        return matter

    def _prepare_server(self, create: bool) -> None:
        version = server_version(self.conn)
        if version is None:
            tables = self.conn.raw.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = current_schema()").fetchone()
            if not create or self.read_only:
                raise MatterError(f"{self.location}: this database holds no Vaughn matter")
            if tables and tables[0]:
                raise MatterError(f"{self.location}: the database holds other tables; "
                                  "use an empty database for a matter")
            version = 0
        if version > pg_schema.LATEST:
            raise MatterError(f"{self.location}: made by a newer Vaughn (server schema "
                              f"{version}, this one knows {pg_schema.LATEST})")
        if version < pg_schema.LATEST:
            if self.read_only:
                raise MatterError(f"{self.location}: needs an upgrade and is read-only")
            migrate_server(self.conn, version)
            self.conn.read_schema()
        if not self.read_only and self.conn.raw.execute(
                "SELECT 1 FROM page_text WHERE tsv IS NULL LIMIT 1").fetchone():
            self.reindex_text()

    def reindex_text(self, every: bool = False) -> int:
        """Give the search vector to page text that has none (text from before migration
        0006; a partial index finds it at once), or with ``every`` recompute them all (the
        repair). A transaction per 2,000 pages; returns how many pages were indexed."""
        raw = self.conn.raw
        last, done = 0, 0
        want = "page_id > %s" if every else "tsv IS NULL AND page_id > %s"
        try:
            while True:
                with raw.transaction():
                    rows = raw.execute(
                        f"SELECT page_id, text FROM page_text WHERE {want} "
                        "ORDER BY page_id LIMIT 2000 FOR UPDATE SKIP LOCKED", (last,)).fetchall()
                    if not rows:
                        return done
                    last, done = rows[-1][0], done + len(rows)
                    raw.execute(
                        "UPDATE page_text t SET tsv = v.tsv FROM unnest(%s::bigint[], "
                        "%s::tsvector[]) AS v(id, tsv) WHERE t.page_id = v.id",
                        ([r[0] for r in rows], [tsvector(r[1]) for r in rows]))
        except Exception as exc:
            raise translate(exc, self.url) from exc

    def close(self) -> None:
        self.conn.close()

    @property
    def encrypted(self) -> bool:
        """Whether the connection to the server runs over TLS (libpq uses it whenever the
        server offers it; ``?sslmode=require`` on the URL insists)."""
        return bool(self.conn.raw.pgconn.ssl_in_use)

    @contextlib.contextmanager
    def write(self) -> Iterator[Any]:
        """One server transaction: ``BEGIN`` ... ``COMMIT``, rolled back on any error.

        A change is saved when this returns; when the connection drops before the COMMIT is
        answered, ServerUnavailable is raised and the caller keeps the change to send again.
        """
        if self.read_only:
            raise MatterReadOnly(f"{self.location}: opened read-only")
        conn = self.conn
        if conn.in_transaction:
            conn.execute("SAVEPOINT vaughn_nested")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK TO SAVEPOINT vaughn_nested")
                raise
            conn.execute("RELEASE SAVEPOINT vaughn_nested")
            return
        conn.execute("BEGIN")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(Exception):
                    conn.raw.execute("ROLLBACK")
            raise

    @property
    def on_server(self) -> bool:
        return True

    def local_path(self, path: str) -> str:
        if self._paths is None:
            from app.matter import local_paths

            self._paths = local_paths.load(self.location)
        return self._paths.get(path, path)

    def remember_paths(self, mapping: dict[str, str]) -> None:
        """Record where this machine finds originals (``vaughn relink`` on a shared matter)."""
        from app.matter import local_paths

        local_paths.save(self.location, mapping)
        self._paths = None

    def lock_clause(self) -> str:
        return " FOR UPDATE"

    def table_names(self) -> list[str]:
        return [r[0] for r in self.conn.raw.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()").fetchall()]


def server_version(conn: PgConnection) -> int | None:
    """How many server migrations the database has applied (None: no Vaughn schema)."""
    found = conn.raw.execute("SELECT to_regclass('vaughn_migrations') IS NOT NULL").fetchone()
    if not found or not found[0]:
        return None
    row = conn.raw.execute("SELECT count(*) FROM vaughn_migrations").fetchone()
    return int(row[0]) if row else 0


def migrate_server(conn: PgConnection, version: int) -> None:
    """Apply the server migrations after ``version``, each in its own transaction."""
    raw = conn.raw
    try:
        with raw.transaction():
            raw.execute("CREATE TABLE IF NOT EXISTS vaughn_migrations ("
                        "name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            raw.execute("LOCK TABLE vaughn_migrations IN EXCLUSIVE MODE")
        for name, sql in pg_schema.MIGRATIONS[version:]:
            with raw.transaction():
                raw.execute("LOCK TABLE vaughn_migrations IN EXCLUSIVE MODE")
                done = raw.execute("SELECT 1 FROM vaughn_migrations WHERE name = %s",
                                   (name,)).fetchone()
                if done:
                    continue  # another Vaughn applied it meanwhile
                raw.execute(sql.encode())
                raw.execute("INSERT INTO vaughn_migrations(name) VALUES (%s)", (name,))
    except Exception as exc:
        raise translate(exc, conn.url) from exc
