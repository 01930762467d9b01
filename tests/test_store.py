"""The matter file: WAL, foreign keys, migrations with a backup first, atomic writes, errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils.migrations import Migrations

from app.errors import MatterError, MatterReadOnly
from app.matter import backup as backup_mod
from app.matter import store
from app.matter.migrations import LATEST, migrations
from app.matter.store import Matter


def test_new_matter_has_schema_wal_and_foreign_keys(tmp_path: Path) -> None:
    with Matter.open(tmp_path / "a.vaughn", create=True) as m:
        assert m.scalar("PRAGMA journal_mode") == "wal"
        assert m.scalar("PRAGMA foreign_keys") == 1
        assert len(migrations.applied(m.db)) == LATEST
        assert {"productions", "documents", "pages", "page_text", "redactions",
                "page_text_fts"} <= set(m.db.table_names())


def test_reopening_applies_nothing_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "a.vaughn"
    with Matter.open(path, create=True) as m:
        m.set_setting("caption", {"case": "ACLU v. ICE"})
    with Matter.open(path) as m:
        assert m.get_setting("caption") == {"case": "ACLU v. ICE"}
        assert len(migrations.applied(m.db)) == LATEST


def test_write_rolls_back_whole_on_error(matter: Matter) -> None:
    with pytest.raises(RuntimeError), matter.write() as conn:
        conn.execute("INSERT INTO settings VALUES ('a', '1')")
        raise RuntimeError("crash mid-action")
    assert matter.scalar("SELECT count(*) FROM settings") == 0
    assert not matter.conn.in_transaction


def test_not_a_matter_is_refused_by_name(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.vaughn"
    bogus.write_text("hello")
    with pytest.raises(MatterError, match="not a Vaughn matter"):
        Matter.open(bogus)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.commit()
    with pytest.raises(MatterError, match="not a Vaughn matter"):
        Matter.open(other)
    with pytest.raises(MatterError, match="no such matter"):
        Matter.open(tmp_path / "missing.vaughn")


def test_matter_from_a_newer_vaughn_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.vaughn"
    with Matter.open(path, create=True) as m, m.write() as conn:
        conn.execute("INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
                     "VALUES ('vaughn', '9999_future', 'x')")
    with pytest.raises(MatterError, match="newer Vaughn"):
        Matter.open(path)


def test_read_only_matter_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "a.vaughn"
    Matter.open(path, create=True).close()
    with Matter.open(path, read_only=True) as m:
        assert m.scalar("SELECT count(*) FROM pages") == 0
        with pytest.raises(MatterReadOnly):
            m.set_setting("x", 1)


def test_pending_migration_is_preceded_by_a_backup(
    tmp_path: Path, private_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.vaughn"
    with Matter.open(path, create=True) as m:
        m.set_setting("before", True)

    def add_column(db) -> None:
        db.execute("ALTER TABLE settings ADD COLUMN note TEXT")

    upgraded = [*migrations._migrations, Migrations._Migration("9000_test", add_column)]
    monkeypatch.setattr(migrations, "_migrations", upgraded)
    monkeypatch.setattr(store, "LATEST", len(upgraded))
    with Matter.open(path) as m:
        assert "note" in m.db["settings"].columns_dict
    copies = list((private_data_dir / "backups").glob("a-*-before-migration-*.vaughn"))
    assert len(copies) == 1
    old = sqlite3.connect(copies[0])
    assert old.execute("SELECT value FROM settings WHERE key = 'before'").fetchone() == ("true",)
    assert "note" not in [r[1] for r in old.execute("PRAGMA table_info(settings)")]
    old.close()


def test_failed_migration_leaves_the_matter_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.vaughn"
    Matter.open(path, create=True).close()

    def broken(db) -> None:
        db.execute("ALTER TABLE settings ADD COLUMN half TEXT")
        raise sqlite3.OperationalError("simulated failure mid-migration")

    upgraded = [*migrations._migrations, Migrations._Migration("9001_broken", broken)]
    monkeypatch.setattr(migrations, "_migrations", upgraded)
    monkeypatch.setattr(store, "LATEST", len(upgraded))
    with pytest.raises(sqlite3.OperationalError):
        Matter.open(path)
    monkeypatch.undo()
    with Matter.open(path) as m:
        assert "half" not in m.db["settings"].columns_dict


def test_backup_is_a_consistent_copy(matter: Matter, tmp_path: Path) -> None:
    matter.set_setting("k", [1, 2])
    dest = backup_mod.backup(matter, tmp_path / "copy.vaughn")
    with Matter.open(dest) as copy:
        assert copy.get_setting("k") == [1, 2]
        assert copy.scalar("PRAGMA integrity_check") == "ok"
