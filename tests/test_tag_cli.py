"""`vaughn tag` and `vaughn settings` as a user runs them: real subprocesses, JSON read back."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, truth_pages


def run(*args: str | Path, data: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "VAUGHN_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, pdf_production) -> tuple[Path, Path]:
    """A matter made from the generated PDF production (ingested once for this module)."""
    base = tmp_path_factory.mktemp("tagcli")
    folder, _ = pdf_production
    master = base / "master.vaughn"
    out = run("ingest", master, folder, data=base / "data")
    assert out.returncode == 0, out.stderr
    return base, master


@pytest.fixture
def case(ingested, tmp_path: Path) -> Path:
    """A private copy of the ingested matter."""
    import shutil

    _, master = ingested
    dest = tmp_path / "case.vaughn"
    shutil.copy(master, dest)
    return dest


def test_tag_targets_and_listings(case: Path, pdf_production, tmp_path: Path) -> None:
    _, truth = pdf_production
    pages = truth_pages(truth)
    data = tmp_path / "data"
    b = [p["bates"] for p in pages]

    out = run("tag", case, "--range", f"{b[0]}..{b[2]}", "--exhibit", "1", "--description",
              "Memo on staffing", "--tag", "Hot", "--reviewer", "pat", "--json", data=data)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert [p["bates"] for p in res["pages"]] == b[:3]
    assert res["reviewer"] == "pat" and set(res["changed"]["kinds"]) == {"exhibits", "tags"}

    reds = json.loads(run("redactions", case, "--json", data=data).stdout)
    on7 = [r for r in reds if r["bates"] == b[6]]
    assert on7 and all(r["challenges"] == [] and r["tags"] == [] for r in reds)
    ids = [str(r["id"]) for r in on7[:2]]
    out = run("tag", case, "--redaction", ids[0], "--redaction", ids[1], "--challenge", "segreg",
              "--challenge", "PUBLIC", "--argument", "names are already public", "--priority",
              "h", "--tag", "bad box", "--reviewer", "pat", data=data)
    assert out.returncode == 0, out.stderr
    out = run("tag", case, "--bates", b[9].lower(), "--disposition", "withheld",
              "--challenge", "foresee", "--note", "ask for a declaration", "--reviewer", "pat",
              data=data)
    assert out.returncode == 0, out.stderr
    out = run("tag", case, "--query", "headquarters", "--tag", "hq", "--reviewer", "pat",
              data=data)
    assert out.returncode == 0, out.stderr

    listed = {p["bates"]: p for p in json.loads(run("pages", case, "--json", data=data).stdout)}
    assert [listed[x]["exhibit"] for x in b[:4]] == ["1", "1", "1", None]
    assert listed[b[0]]["tags"][0] == "Hot"
    assert listed[b[9]]["disposition"] == "withheld_in_full"
    assert listed[b[8]]["disposition"] is None
    hq = [x for x, p in listed.items() if "hq" in p["tags"]]
    found = json.loads(run("search", case, "headquarters", "--limit", "500", "--json",
                           data=data).stdout)
    assert sorted(hq) == sorted(h["bates"] for h in found["hits"]) and hq

    reds = {r["id"]: r for r in json.loads(run("redactions", case, "--json", data=data).stdout)}
    for rid in map(int, ids):
        (ch,) = reds[rid]["challenges"]
        assert ch["grounds"] == ["segregability", "public_interest"]
        assert ch["status"] == "challenge" and ch["priority"] == "high"
        assert ch["argument"] == "names are already public"
        assert reds[rid]["tags"] == ["bad box"]
    with sqlite3.connect(case) as con:
        ops = con.execute("SELECT count(DISTINCT op_id) FROM audit_log").fetchone()[0]
        note = con.execute("SELECT text FROM notes").fetchall()
    assert ops == 4 and note == [("ask for a declaration",)]


def test_vocabulary_errors_list_the_choices(case: Path, pdf_production, tmp_path: Path) -> None:
    _, truth = pdf_production
    bates = truth_pages(truth)[0]["bates"]
    data = tmp_path / "data"
    out = run("tag", case, "--bates", bates, "--challenge", "moon", data=data)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "'moon' is not a known ground" in out.stderr and "segregability" in out.stderr
    out = run("tag", case, "--bates", bates, "--disposition", "re", data=data)
    assert out.returncode == 1 and "ambiguous" in out.stderr and "referred" in out.stderr
    out = run("tag", case, "--bates", bates, "--status", "maybe", data=data)
    assert out.returncode == 1 and "dropped" in out.stderr
    out = run("tag", case, "--bates", "NOPE-000001", "--tag", "x", data=data)
    assert out.returncode == 1 and "no page has Bates number" in out.stderr
    out = run("tag", case, "--bates", bates, data=data)
    assert out.returncode == 1 and "nothing to do" in out.stderr
    with sqlite3.connect(case) as con:
        assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0


def test_one_command_is_one_transaction(case: Path, pdf_production, tmp_path: Path) -> None:
    _, truth = pdf_production
    bates = truth_pages(truth)[1]["bates"]
    data = tmp_path / "data"
    # The tag and the exhibit are written first, then --untag of an unknown tag fails: the
    # whole command must leave nothing behind.
    out = run("tag", case, "--bates", bates, "--tag", "keep?", "--exhibit", "7",
              "--untag", "never-made", "--reviewer", "pat", data=data)
    assert out.returncode == 1 and "no such tag" in out.stderr
    with sqlite3.connect(case) as con:
        for table in ("tags", "tag_links", "exhibits", "audit_log"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    # A successful command is one op: undo takes all of it back.
    out = run("tag", case, "--bates", bates, "--tag", "keep", "--exhibit", "7", "--challenge",
              "waiver", "--disposition", "released in part", "--reviewer", "pat", "--json",
              data=data)
    assert out.returncode == 0, out.stderr
    op = json.loads(out.stdout)["op_id"]
    from app.matter.store import Matter
    from app.review import ops

    with Matter.open(case) as m:
        assert {r[0] for r in m.conn.execute("SELECT op_id FROM audit_log")} == {op}
        ops.undo(m, "pat", op)
        assert m.scalar("SELECT count(*) FROM exhibits") == 0
        assert m.scalar("SELECT count(*) FROM challenges") == 0
        assert m.scalar("SELECT count(*) FROM tag_links") == 0
        assert m.scalar("SELECT count(*) FROM pages WHERE disposition IS NOT NULL") == 0


def test_settings_caption(case: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = run("settings", case, "--caption", "A v. B\\nNo. 1", "--exhibit-mark", "stamp",
              "--json", data=data)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["caption"] == "A v. B\nNo. 1" and got["exhibit_mark"] == "stamp"
    assert json.loads(run("settings", case, "--json", data=data).stdout) == got
