"""Safety: a full disk, two writers at once, no network, one window per matter."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pymupdf
import pytest

from app.errors import DiskFull
from app.ingest.pipeline import ingest
from app.matter.lock import InstanceLock
from app.matter.store import Matter
from tests.conftest import ROOT


def _pdf(path: Path, pages: int, word: str = "page") -> Path:
    doc = pymupdf.open()
    for i in range(pages):
        p = doc.new_page()
        p.insert_text((72, 100), f"{word} {i} " + "lorem ipsum dolor sit amet " * 40)
        p.insert_text((400, 770), f"DISK-{i + 1:06d}")
    doc.save(path)
    return path


def test_full_disk_fails_clearly_and_leaves_the_matter_intact(matter: Matter,
                                                              tmp_path: Path) -> None:
    first = ingest(matter, [_pdf(tmp_path / "small.pdf", 2, "first")])
    assert first.ok and first.pages_added == 2, [(o.status, o.reason) for o in first.outcomes]
    assert matter.scalar("SELECT count(*) FROM pages") == 2
    used = matter.scalar("PRAGMA page_count")
    matter.conn.execute(f"PRAGMA max_page_count = {used + 3}")  # the "disk" is now nearly full
    with pytest.raises(DiskFull, match="disk is full"):
        ingest(matter, [_pdf(tmp_path / "big.pdf", 200, "second")])
    assert not matter.conn.in_transaction
    assert matter.scalar("PRAGMA integrity_check") == "ok"
    assert matter.scalar("SELECT count(*) FROM pages") == 2
    assert matter.scalar("SELECT count(*) FROM source_files") == 1
    matter.conn.execute("INSERT INTO page_text_fts(page_text_fts, rank) "
                        "VALUES ('integrity-check', 1)")


def test_two_processes_writing_at_once_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "shared.vaughn"
    with Matter.open(path, create=True) as m:
        ingest(m, [_pdf(tmp_path / "p.pdf", 30)])
    script = textwrap.dedent(f"""
        import sys
        from app.matter.store import Matter
        from app.review import ops
        who = sys.argv[1]
        with Matter.open({str(path)!r}) as m:
            ids = [r[0] for r in m.conn.execute("SELECT id FROM pages ORDER BY id")]
            for pid in ids:
                ops.add_tag(m, who, who, [("page", pid)])
        print("done", who)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, name], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("alice", "bob")]
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert out.startswith("done")
        assert proc.returncode == 0, err
        assert "locked" not in err
    with Matter.open(path) as m:
        assert m.scalar("SELECT count(*) FROM tag_links") == 60
        assert m.scalar("SELECT count(DISTINCT reviewer) FROM audit_log") == 2


def test_no_network_connection_is_ever_attempted(tmp_path: Path) -> None:
    """Ingest, search and listing with every socket call rigged to fail and be recorded."""
    hook = tmp_path / "hook"
    hook.mkdir()
    log = tmp_path / "net.log"
    (hook / "sitecustomize.py").write_text(textwrap.dedent(f"""
        import socket
        def _deny(*args, **kwargs):
            with open({str(log)!r}, "a") as fh:
                fh.write(repr(args[:2]) + "\\n")
            raise OSError("network blocked by the privacy test")
        socket.socket.connect = _deny
        socket.socket.connect_ex = _deny
        socket.create_connection = _deny
        socket.getaddrinfo = _deny
    """))
    import os

    env = {**os.environ, "PYTHONPATH": f"{hook}{os.pathsep}{ROOT}"}
    matter = tmp_path / "m.vaughn"
    src = _pdf(tmp_path / "doc.pdf", 3, "private")
    for args in (["ingest", matter, src], ["search", matter, "private"],
                 ["pages", matter, "--json"], ["redactions", matter, "--json"],
                 ["check", matter], ["backup", matter]):
        out = subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                             capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
        assert out.returncode == 0, (args, out.stderr)
    assert not log.exists(), log.read_text()


def test_second_window_cannot_take_the_matter(tmp_path: Path) -> None:
    path = tmp_path / "m.vaughn"
    Matter.open(path, create=True).close()
    first = InstanceLock(path)
    assert first.acquire()
    code = ("import sys; from app.matter.lock import InstanceLock; "
            f"sys.exit(0 if InstanceLock({str(path)!r}).acquire() else 3)")
    other = subprocess.run([sys.executable, "-c", code], cwd=ROOT)
    assert other.returncode == 3  # another process is refused while the first holds it
    first.release()
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
