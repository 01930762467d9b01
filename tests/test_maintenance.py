"""Backups, restore, check and relink, through the real CLI."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pymupdf

from tests.test_cli import vaughn


def _matter_with_pages(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "prod"
    src.mkdir()
    for n in range(2):
        doc = pymupdf.open()
        page = doc.new_page()
        page.insert_text((72, 100), f"Document {n} about the operation")
        page.insert_text((400, 770), f"ICE-FOIA-{n + 1:06d}")
        doc.save(src / f"ICE-FOIA-{n + 1:06d}.pdf")
    matter = tmp_path / "case.vaughn"
    assert vaughn("ingest", matter, src).returncode == 0
    return matter, src


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    matter, _ = _matter_with_pages(tmp_path)
    out = vaughn("backup", matter, tmp_path / "copy.vaughn")
    assert out.returncode == 0 and (tmp_path / "copy.vaughn").exists()
    conn = sqlite3.connect(matter)  # damage the live matter's content
    conn.execute("DELETE FROM page_text")
    conn.commit()
    conn.close()
    out = vaughn("restore", matter, "--from", tmp_path / "copy.vaughn")
    assert out.returncode == 0, out.stderr
    assert "kept at" in out.stdout
    assert vaughn("search", matter, "operation").stdout.startswith("2 page(s)")


def test_check_finds_moved_and_changed_files_and_relink_repairs(tmp_path: Path) -> None:
    matter, src = _matter_with_pages(tmp_path)
    ok = vaughn("check", matter)
    assert ok.returncode == 0, ok.stdout
    assert "database integrity: ok" in ok.stdout and "full-text index: ok" in ok.stdout
    moved = tmp_path / "elsewhere" / "deep"
    moved.parent.mkdir()
    shutil.move(src, moved)
    bad = vaughn("check", matter)
    assert bad.returncode == 2 and bad.stdout.count("missing: ") == 2
    fixed = vaughn("relink", matter, tmp_path / "elsewhere")
    assert fixed.returncode == 0 and "2 source file(s) relinked" in fixed.stdout
    assert vaughn("check", matter).returncode == 0
    (moved / "ICE-FOIA-000001.pdf").write_bytes(b"%PDF-1.4 tampered")
    changed = vaughn("check", matter)
    assert changed.returncode == 2 and "changed: " in changed.stdout


def test_daily_backup_is_taken_when_an_old_matter_is_opened(tmp_path: Path,
                                                            private_data_dir: Path) -> None:
    from app.matter.store import Matter

    path = tmp_path / "daily.vaughn"
    Matter.open(path, create=True).close()
    assert not list((private_data_dir / "backups").glob("daily-*"))
    Matter.open(path).close()
    assert len(list((private_data_dir / "backups").glob("daily-*-daily.vaughn"))) == 1
    Matter.open(path).close()  # fresh backup exists: no second one today
    assert len(list((private_data_dir / "backups").glob("daily-*-daily.vaughn"))) == 1


def test_check_leaves_no_transaction_open(tmp_path: Path) -> None:
    from app.matter.maintenance import check
    from app.matter.store import Matter

    matter_path, _ = _matter_with_pages(tmp_path)
    with Matter.open(matter_path) as m:
        assert check(m).ok
        assert not m.conn.in_transaction  # no write lock held for the source-hash loop
        m.set_setting("after-check", 1)
    with Matter.open(matter_path) as m:
        assert m.get_setting("after-check") == 1
