"""The matter schema as numbered migrations (sqlite-utils ``Migrations``).

Each migration runs in its own transaction together with the record that it ran; the store
takes a backup copy of an existing matter before it applies any pending migration. Never edit a
migration that has shipped: add the next number.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("vaughn")

# The FTS5 tokenizer: unstemmed on purpose. A porter-stemmed index also stems prefix queries
# (``res*`` searches ``re*``) and its vocabulary is useless for fuzzy expansion (PERF.md).
# Reviewers expect the word they typed; diacritics are folded so "Jose" finds "José".
FTS_TOKENIZE = "unicode61 remove_diacritics 2"


@migrations(name="0001_initial")
def m0001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE productions (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            tranche INTEGER NOT NULL,
            source_path TEXT NOT NULL,
            received_date TEXT,
            loaded_at TEXT NOT NULL,
            letter_page_count INTEGER
        );
        CREATE TABLE source_files (
            id INTEGER PRIMARY KEY,
            production_id INTEGER NOT NULL REFERENCES productions(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('pdf', 'image', 'loadfile', 'volume_image')),
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            page_count INTEGER NOT NULL,
            ingested_at TEXT NOT NULL
        );
        CREATE INDEX source_files_sha256 ON source_files(sha256);
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            production_id INTEGER NOT NULL REFERENCES productions(id) ON DELETE CASCADE,
            source_file_id INTEGER REFERENCES source_files(id) ON DELETE CASCADE,
            begbates TEXT,
            endbates TEXT,
            title TEXT,
            doc_type TEXT,
            doc_date TEXT,
            author TEXT,
            recipients TEXT,
            page_count INTEGER NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX documents_production ON documents(production_id);
        CREATE TABLE pages (
            id INTEGER PRIMARY KEY,
            production_id INTEGER NOT NULL REFERENCES productions(id) ON DELETE CASCADE,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            source_file_id INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
            source_sha256 TEXT NOT NULL,
            page_index INTEGER NOT NULL,
            bates TEXT,
            bates_prefix TEXT,
            bates_number INTEGER,
            bates_key TEXT,
            width REAL NOT NULL,
            height REAL NOT NULL,
            rotation INTEGER NOT NULL DEFAULT 0,
            text_layer INTEGER NOT NULL,
            text_source TEXT NOT NULL CHECK (text_source IN ('pdf', 'loadfile', 'ocr', 'none')),
            needs_ocr INTEGER NOT NULL DEFAULT 0,
            withheld_in_full INTEGER NOT NULL DEFAULT 0,
            redaction_count INTEGER NOT NULL DEFAULT 0,
            redacted_share REAL NOT NULL DEFAULT 0,
            analyzed INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX pages_document ON pages(document_id);
        CREATE INDEX pages_production ON pages(production_id);
        CREATE INDEX pages_source ON pages(source_file_id, page_index);
        CREATE INDEX pages_bates_key ON pages(bates_key);
        CREATE INDEX pages_bates_range ON pages(bates_prefix, bates_number);
        CREATE TABLE page_text (
            page_id INTEGER PRIMARY KEY REFERENCES pages(id) ON DELETE CASCADE,
            text TEXT NOT NULL
        );
        CREATE TABLE redactions (
            id INTEGER PRIMARY KEY,
            page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
            x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,
            source TEXT NOT NULL,
            label TEXT NOT NULL DEFAULT '',
            exemptions TEXT NOT NULL DEFAULT '[]',
            statute TEXT NOT NULL DEFAULT '',
            bad INTEGER NOT NULL DEFAULT 0,
            hidden_chars INTEGER NOT NULL DEFAULT 0,
            withheld_in_full INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX redactions_page ON redactions(page_id);
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )
    db["page_text"].enable_fts(["text"], create_triggers=True, tokenize=FTS_TOKENIZE)


def schema_version(db: Database) -> int:
    """How many of Vaughn's migrations this matter has applied."""
    return len(migrations.applied(db))


LATEST = len(migrations._migrations)
