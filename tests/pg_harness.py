"""A real PostgreSQL server for the tests and benchmarks of shared matters (issue #20).

``LocalServer`` runs the distribution's own server binaries (``initdb``/``pg_ctl``, found on
PATH or under /usr/lib/postgresql/*/bin) on a data folder of its own, listening on loopback
only, password login (SCRAM) for TCP. Run as root, the server runs as the ``postgres`` system
user (the server refuses root). Nothing here is a mock: the tests talk to this server.

``available()`` says why no server can be started (the tests skip with that reason);
``.ci/run`` installs the ``postgresql`` package so that CI always runs them.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

ADMIN = "postgres"
ADMIN_PASSWORD = "admin-test-only"


def _bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and Path(found).resolve().parent.joinpath("initdb").exists():
        return Path(found).resolve().parent
    for cand in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(cand, "pg_ctl").exists() and Path(cand, "initdb").exists():
            return Path(cand)
    return None


def available() -> str | None:
    """None when a server can be started here, else the reason it cannot."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    if _bin_dir() is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl): install the postgresql package"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres system user to run the server"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalServer:
    """One PostgreSQL cluster in a temporary folder, on 127.0.0.1:``port``."""

    def __init__(self) -> None:
        reason = available()
        if reason:
            raise RuntimeError(reason)
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="vaughn-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0
        self._tls = False
        if self._as_postgres:
            ids = pwd.getpwnam("postgres")
            os.chown(self.root, ids.pw_uid, ids.pw_gid)
        pwfile = self.root / "pw"
        pwfile.write_text(ADMIN_PASSWORD + "\n")
        if self._as_postgres:
            os.chown(pwfile, ids.pw_uid, ids.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", ADMIN, "--pwfile", str(pwfile),
                  "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        pwfile.unlink()
        self.log = self.root / "server.log"

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert self.bin is not None
        cmd = [str(self.bin / tool), *args]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120)

    def enable_tls(self) -> None:
        """Give the server a self-signed certificate and turn TLS on (before :meth:`start`)."""
        crt, key = self.data / "server.crt", self.data / "server.key"
        subprocess.run(["openssl", "req", "-new", "-x509", "-days", "2", "-nodes", "-subj",
                        "/CN=127.0.0.1", "-out", str(crt), "-keyout", str(key)],
                       check=True, capture_output=True, timeout=60)
        key.chmod(0o600)
        if self._as_postgres:
            ids = pwd.getpwnam("postgres")
            for f in (crt, key):
                os.chown(f, ids.pw_uid, ids.pw_gid)
        self._tls = True

    def start(self) -> None:
        """Start (or restart) the server and wait until it accepts connections."""
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c fsync=on -c max_connections=60")
        if self._tls:
            opts += " -c ssl=on"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w",
                  "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; ``mode="immediate"`` is a crash (no clean shutdown)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def url(self, user: str = ADMIN, password: str | None = ADMIN_PASSWORD,
            dbname: str = "postgres") -> str:
        """A ``postgresql://`` URL for ``user`` on this server."""
        auth = user if password is None else f"{user}:{password}"
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{dbname}"

    def admin(self, sql: str, dbname: str = "postgres") -> None:
        """Run ``sql`` as the superuser, outside a transaction (CREATE DATABASE, roles...)."""
        import psycopg

        with psycopg.connect(self.url(dbname=dbname), autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self, name: str) -> str:
        """Create an empty database ``name``; its URL as the superuser."""
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin(f'CREATE DATABASE "{name}"')
        return self.url(dbname=name)

    def close(self) -> None:
        """Stop the server and remove its folder."""
        self.stop("immediate")
        with contextlib.suppress(OSError):
            shutil.rmtree(self.root)


def load_matter(url: str, template: Path) -> str:
    """Move the matter file ``template`` into the empty database ``url`` (what
    ``vaughn migrate`` does); returns ``url``."""
    from app.matter.store import Matter
    from app.matter.transfer import copy_matter

    with Matter.open(template, read_only=True) as src, Matter.open(url, create=True) as dst:
        copy_matter(src, dst)
    return url
