"""The command line, run as a user runs it: real subprocesses, JSON read back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pymupdf

from tests.conftest import ROOT, truth_pages


def vaughn(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_ingest_pages_search_bates_redactions(tmp_path: Path, pdf_production) -> None:
    folder, truth = pdf_production
    matter = tmp_path / "case.vaughn"
    out = vaughn("ingest", matter, folder, "--received", "2026-03-02")
    assert out.returncode == 0, out.stderr
    assert "pages added" in out.stdout and "skipped" in out.stdout
    prods = json.loads(vaughn("productions", matter, "--json").stdout)
    assert [(p["name"], p["tranche"], p["received_date"], p["pages"]) for p in prods] == [
        (folder.name, 1, "2026-03-02", len(truth_pages(truth)))]

    pages = json.loads(vaughn("pages", matter, "--json").stdout)
    assert [p["bates"] for p in pages] == [p["bates"] for p in truth_pages(truth)]
    first = pages[0]
    assert set(first) >= {"bates", "production", "document", "file", "page_index", "text_layer"}
    assert first["production"] == folder.name and first["page_index"] == 0
    assert isinstance(first["text_layer"], bool)

    found = json.loads(vaughn("search", matter, '"headquarters review"', "--json").stdout)
    assert found["total"] >= 1
    hit = found["hits"][0]
    assert set(hit) == {"bates", "file", "page_index", "snippet", "score"}
    assert "«" in hit["snippet"]

    bates = truth_pages(truth)[3]["bates"]
    exact = json.loads(vaughn("bates", matter, bates.lower().replace("-", " "), "--json").stdout)
    assert [p["bates"] for p in exact] == [bates]
    span = f"{truth_pages(truth)[2]['bates']}..{truth_pages(truth)[5]['bates']}"
    ranged = json.loads(vaughn("bates", matter, span, "--json").stdout)
    assert [p["bates"] for p in ranged] == [p["bates"] for p in truth_pages(truth)[2:6]]

    docs = json.loads(vaughn("documents", matter, "--json").stdout)
    assert sum(d["pages"] for d in docs) == len(truth_pages(truth))
    withheld = sum(p["withheld_in_full"] for p in truth_pages(truth))
    assert sum(d["withheld_pages"] for d in docs) == withheld
    assert all(0 <= d["redacted_share"] <= 1 for d in docs)
    assert sum(d["redactions"] for d in docs) == len(
        json.loads(vaughn("redactions", matter, "--json").stdout))

    reds = json.loads(vaughn("redactions", matter, "--json").stdout)
    assert reds and set(reds[0]) >= {"bates", "file", "page_index", "bbox", "exemptions",
                                     "label", "bad", "hidden_chars", "withheld_in_full"}
    bad = json.loads(vaughn("redactions", matter, "--bad-only", "--json").stdout)
    assert bad and all(r["bad"] for r in bad)


def test_partial_failure_exits_2_and_names_each_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "fine")
    doc.save(folder / "ok.pdf")
    (folder / "zero.pdf").write_bytes(b"")
    (folder / "page.pdf").write_text("<html><body>404</body></html>")
    out = vaughn("ingest", tmp_path / "m.vaughn", folder)
    assert out.returncode == 2
    assert "zero.pdf: empty file" in out.stderr
    assert "page.pdf: not a PDF" in out.stderr
    assert "1 pages added" in out.stdout


def test_bad_query_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "fine")
    doc.save(tmp_path / "ok.pdf")
    assert vaughn("ingest", tmp_path / "m.vaughn", tmp_path / "ok.pdf").returncode == 0
    out = vaughn("search", tmp_path / "m.vaughn", '"unclosed')
    assert out.returncode == 1
    assert "never closed" in out.stderr and "Traceback" not in out.stderr


def test_missing_matter_is_reported(tmp_path: Path) -> None:
    out = vaughn("pages", tmp_path / "nope.vaughn")
    assert out.returncode == 1 and "no such matter" in out.stderr


def test_make_run_without_a_display_makes_the_sample_and_says_so(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["VAUGHN_DATA_DIR"] = str(tmp_path / "data")
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "--sample"], env=env,
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "No display here" in out.stdout
    matter = tmp_path / "data" / "sample" / "sample-matter.vaughn"
    pages = json.loads(vaughn("pages", matter, "--json").stdout)
    assert len(pages) > 20 and all(p["bates"] for p in pages)
