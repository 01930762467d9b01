"""The matter schema as numbered migrations (sqlite-utils ``Migrations``).

Each migration runs in its own transaction together with the record that it ran; the store
takes a backup copy of an existing matter before it applies any pending migration. Never edit a
migration that has shipped: add the next number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("vaughn")

_Migration = TypeVar("_Migration", bound=Callable[[Database], None])


def migration(name: str) -> Callable[[_Migration], _Migration]:
    """Register a migration under ``name`` (``migrations(name=...)``, typed: sqlite-utils is
    read as untyped here, so its decorator would leave the migration untyped)."""
    return cast("Callable[[_Migration], _Migration]", migrations(name=name))

# The FTS5 tokenizer: unstemmed on purpose. A porter-stemmed index also stems prefix queries
# (``res*`` searches ``re*``) and its vocabulary is useless for fuzzy expansion (PERF.md).
# Reviewers expect the word they typed; diacritics are folded so "Jose" finds "José".
FTS_TOKENIZE = "unicode61 remove_diacritics 2"


@migration("0001_initial")
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


# -- 0002: the review -------------------------------------------------------------------------
# Reviewer-owned state. The codes read from a stamp stay in redactions.exemptions; a reviewer's
# correction goes in redactions.exemptions_reviewed (NULL = as stamped). Challenges, tags and
# notes attach to a redaction, a page or a document (target_kind, target_id). Every review write
# leaves audit_log rows (one op = one op_id) with before/after JSON of each row it touched;
# undo and redo replay those snapshots (app/review/ops.py).
_TARGET = "target_kind TEXT NOT NULL CHECK (target_kind IN ('redaction', 'page', 'document'))"


@migration("0002_review")
def m0002_review(db: Database) -> None:
    db.executescript(
        f"""
        ALTER TABLE redactions ADD COLUMN exemptions_reviewed TEXT;
        ALTER TABLE pages ADD COLUMN disposition TEXT CHECK (disposition IN (
            'released_in_full', 'released_in_part', 'withheld_in_full', 'duplicate',
            'non_responsive', 'referred'));
        CREATE TABLE challenges (
            id INTEGER PRIMARY KEY,
            {_TARGET},
            target_id INTEGER NOT NULL,
            grounds TEXT NOT NULL DEFAULT '[]',
            status TEXT NOT NULL DEFAULT 'not_reviewed'
                CHECK (status IN ('not_reviewed', 'accept', 'challenge', 'dropped')),
            priority TEXT CHECK (priority IN ('high', 'medium', 'low')),
            argument TEXT NOT NULL DEFAULT '',
            evidence_cite TEXT NOT NULL DEFAULT '',
            evidence_link TEXT NOT NULL DEFAULT '',
            evidence_file TEXT NOT NULL DEFAULT '',
            evidence_passage TEXT NOT NULL DEFAULT '',
            reviewer TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX challenges_target ON challenges(target_kind, target_id);
        CREATE TABLE tags (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            color TEXT NOT NULL DEFAULT '#808080',
            created_at TEXT NOT NULL
        );
        CREATE TABLE tag_links (
            id INTEGER PRIMARY KEY,
            tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
            {_TARGET},
            target_id INTEGER NOT NULL,
            UNIQUE (tag_id, target_kind, target_id)
        );
        CREATE INDEX tag_links_target ON tag_links(target_kind, target_id);
        CREATE TABLE exhibits (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE COLLATE NOCASE,
            description TEXT NOT NULL DEFAULT '',
            document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
            first_page_id INTEGER REFERENCES pages(id) ON DELETE SET NULL,
            last_page_id INTEGER REFERENCES pages(id) ON DELETE SET NULL,
            status TEXT NOT NULL DEFAULT 'planned'
                CHECK (status IN ('planned', 'offered', 'marked', 'admitted', 'withdrawn')),
            reviewer TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX exhibits_document ON exhibits(document_id);
        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            {_TARGET},
            target_id INTEGER NOT NULL,
            text TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX notes_target ON notes(target_kind, target_id);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            op_id TEXT NOT NULL,
            at TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            action TEXT NOT NULL,
            target_kind TEXT,
            target_id INTEGER,
            entity TEXT NOT NULL,
            entity_id INTEGER NOT NULL,
            before TEXT,
            after TEXT
        );
        CREATE INDEX audit_log_op ON audit_log(op_id);
        CREATE INDEX audit_log_target ON audit_log(target_kind, target_id);
        """
    )


def schema_version(db: Database) -> int:
    """How many of Vaughn's migrations this matter has applied."""
    return len(migrations.applied(db))


# -- 0003: OCR (app/ocr/queue.py) -------------------------------------------------------------
# ocr_queue: one row per page to OCR (pending -> done/failed); each page's result and its row
# turning done commit together, so a restart resumes. ocr_words: every OCR word with its box in
# unrotated PDF points (hit highlighting on scans); stamp = 1 for stamp labels (not indexed).
# pages.ocr_confidence: the page's OCR score (app/ocr/quality.py).
@migration("0003_ocr")
def m0003_ocr(db: Database) -> None:
    db.executescript(
        """
        ALTER TABLE pages ADD COLUMN ocr_confidence REAL;
        CREATE TABLE ocr_queue (
            page_id INTEGER PRIMARY KEY REFERENCES pages(id) ON DELETE CASCADE,
            reason TEXT NOT NULL CHECK (reason IN ('no_text', 'garbage', 'stamps')),
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'done', 'failed')),
            dpi INTEGER,
            mode TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT NOT NULL DEFAULT '',
            seconds REAL,
            queued_at TEXT NOT NULL,
            done_at TEXT
        );
        CREATE INDEX ocr_queue_status ON ocr_queue(status, page_id);
        CREATE TABLE ocr_words (
            page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
            n INTEGER NOT NULL,
            x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,
            text TEXT NOT NULL,
            line INTEGER NOT NULL,
            stamp INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (page_id, n)
        ) WITHOUT ROWID;
        """
    )


# -- 0004: search ------------------------------------------------------------------------------
# Saved searches and search history (app/search/saved.py). search_codes holds, per page, each
# effective exemption code of its redactions (the reviewer's when set, else the stamp's) with
# how many redactions carry it, kept in step by triggers: "exemption:(b)(6)" is an index range
# at 200,000 pages instead of a json_each scan of millions of redactions. Two partial indexes
# serve "bad:yes" and "ocr:yes".
def _codes_sql(row: str, tables: str = "") -> str:
    """SELECT (redaction id, code, page id) of each effective code of redaction rows."""
    value = f"coalesce({row}.exemptions_reviewed, {row}.exemptions)"
    return (f"SELECT DISTINCT {row}.id AS rid, CAST(j.value AS TEXT) COLLATE NOCASE AS code, "
            f"{row}.page_id AS page_id FROM {tables}json_each(CASE WHEN json_valid({value}) "
            f"THEN {value} ELSE '[]' END) j WHERE j.type != 'null'")


@migration("0004_search")
def m0004_search(db: Database) -> None:
    add_new = (f"INSERT INTO search_codes(code, page_id, n) SELECT code, page_id, 1 FROM "
               f"({_codes_sql('new')}) WHERE true "
               f"ON CONFLICT(code, page_id) DO UPDATE SET n = n + 1;")
    drop_old = (f"UPDATE search_codes SET n = n - 1 WHERE page_id = old.page_id AND code IN "
                f"(SELECT code FROM ({_codes_sql('old')}));\n"
                f"            DELETE FROM search_codes WHERE page_id = old.page_id AND n <= 0;")
    db.executescript(
        f"""
        CREATE TABLE saved_searches (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            query TEXT NOT NULL,
            ocr_tolerant INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE search_history (
            id INTEGER PRIMARY KEY,
            query TEXT NOT NULL,
            ocr_tolerant INTEGER NOT NULL DEFAULT 0,
            total INTEGER,
            at TEXT NOT NULL
        );
        CREATE TABLE search_codes (
            code TEXT NOT NULL COLLATE NOCASE,
            page_id INTEGER NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (code, page_id)
        ) WITHOUT ROWID;
        CREATE INDEX search_codes_page ON search_codes(page_id);
        CREATE INDEX redactions_bad_page ON redactions(page_id) WHERE bad = 1;
        CREATE INDEX pages_ocr ON pages(id) WHERE text_source = 'ocr';
        INSERT INTO search_codes(code, page_id, n)
            SELECT code, page_id, count(*) FROM ({_codes_sql('r', 'redactions r, ')})
            GROUP BY code, page_id;
        CREATE TRIGGER search_codes_ai AFTER INSERT ON redactions BEGIN
            {add_new}
        END;
        CREATE TRIGGER search_codes_au AFTER UPDATE OF exemptions, exemptions_reviewed, page_id
        ON redactions BEGIN
            {drop_old}
            {add_new}
        END;
        CREATE TRIGGER search_codes_ad AFTER DELETE ON redactions BEGIN
            {drop_old}
        END;
        """
    )


# -- 0005: per-page budgets (app/pagework.py) ---------------------------------------------------
# page_stops: a page whose analysis or OCR was stopped over its time budget (or whose reader
# crashed), one row per step; it is listed for a human look and cleared when the step succeeds
# on a retry (``vaughn analyze --page``, ``vaughn ocr --redo``).
@migration("0005_page_stops")
def m0005_page_stops(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE page_stops (
            page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
            step TEXT NOT NULL CHECK (step IN ('analysis', 'ocr')),
            note TEXT NOT NULL,
            seconds REAL,
            stopped_at TEXT NOT NULL,
            PRIMARY KEY (page_id, step)
        ) WITHOUT ROWID;
        """
    )


# -- 0006: documents inside a production file (app/documents/) ----------------------------------
# documents.boundary_source: what placed the record's first page ('file': one file, one record;
# 'bookmarks', 'detected', 'loadfile', 'reviewer'); documents.boundary: JSON list of the reasons
# the boundary was placed (explainable unitization). pages.doc_break: the reviewer's decision at
# this page (1 = a record starts here, 0 = joined to the record before, NULL = as detected); a
# re-run of detection keeps it. pages.body_bottom: where the page's text ends (share of the page
# height, the Bates stamp left out), one of the signals of a record ending.
@migration("0006_documents")
def m0006_documents(db: Database) -> None:
    db.executescript(
        """
        ALTER TABLE documents ADD COLUMN boundary_source TEXT;
        ALTER TABLE documents ADD COLUMN boundary TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE pages ADD COLUMN doc_break INTEGER CHECK (doc_break IN (0, 1));
        ALTER TABLE pages ADD COLUMN body_bottom REAL;
        CREATE INDEX IF NOT EXISTS documents_doc_date ON documents(doc_date);
        CREATE INDEX IF NOT EXISTS documents_doc_type ON documents(doc_type);
        """
    )


# -- 0007: the agency's Vaughn index (app/vaughn_index/) ----------------------------------------
# vaughn_indexes: one row per imported version of an index (a revised index is a new version of
# the same lineage: same production_id, version + 1; both kept). vaughn_entries: the rows of a
# version, Bates ranges read from the Bates cell (ranges: JSON list of {first, last, prefix,
# start, end}), codes canonical (JSON list), the page figures the agency gave (NULL when not
# given) and every mapped cell as read (cells). vaughn_entry_pages: which pages of the matter an
# entry covers. vaughn_findings: a discrepancy between the current version and the production
# (kind, entry, pages, redactions, codes, evidence JSON with the words that triggered a rule),
# recomputed when the matter changes (reconciled_state; boilerplate: the version's groups of
# near-identical justifications, JSON, computed once: they depend on the entries alone);
# challenge_op: the op id of the
# challenge a reviewer made from it. key: stable across recomputations (kind, entry row, code).
@migration("0007_vaughn_index")
def m0007_vaughn_index(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE vaughn_indexes (
            id INTEGER PRIMARY KEY,
            production_id INTEGER REFERENCES productions(id) ON DELETE SET NULL,
            version INTEGER NOT NULL,
            file_name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            file_format TEXT NOT NULL CHECK (file_format IN ('csv', 'xlsx', 'docx', 'pdf')),
            columns TEXT NOT NULL DEFAULT '{}',
            imported_at TEXT NOT NULL,
            reviewer TEXT NOT NULL DEFAULT '',
            reconciled_state TEXT,
            boilerplate TEXT
        );
        CREATE TABLE vaughn_entries (
            id INTEGER PRIMARY KEY,
            index_id INTEGER NOT NULL REFERENCES vaughn_indexes(id) ON DELETE CASCADE,
            row INTEGER NOT NULL,
            item TEXT NOT NULL DEFAULT '',
            bates TEXT NOT NULL DEFAULT '',
            bates_first TEXT,
            bates_last TEXT,
            ranges TEXT NOT NULL DEFAULT '[]',
            doc_date TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            exemptions TEXT NOT NULL DEFAULT '[]',
            justification TEXT NOT NULL DEFAULT '',
            page_count INTEGER,
            pages_released INTEGER,
            pages_withheld_in_part INTEGER,
            pages_withheld_in_full INTEGER,
            disposition TEXT,
            cells TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX vaughn_entries_index ON vaughn_entries(index_id, row);
        CREATE TABLE vaughn_entry_pages (
            entry_id INTEGER NOT NULL REFERENCES vaughn_entries(id) ON DELETE CASCADE,
            page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
            PRIMARY KEY (entry_id, page_id)
        ) WITHOUT ROWID;
        CREATE INDEX vaughn_entry_pages_page ON vaughn_entry_pages(page_id);
        CREATE TABLE vaughn_findings (
            id INTEGER PRIMARY KEY,
            index_id INTEGER NOT NULL REFERENCES vaughn_indexes(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            entry_id INTEGER REFERENCES vaughn_entries(id) ON DELETE CASCADE,
            codes TEXT NOT NULL DEFAULT '[]',
            page_ids TEXT NOT NULL DEFAULT '[]',
            redaction_ids TEXT NOT NULL DEFAULT '[]',
            summary TEXT NOT NULL,
            evidence TEXT NOT NULL DEFAULT '{}',
            challenge_op TEXT
        );
        CREATE INDEX vaughn_findings_index ON vaughn_findings(index_id, kind);
        CREATE INDEX vaughn_findings_entry ON vaughn_findings(entry_id);
        CREATE TABLE vaughn_finding_pages (
            finding_id INTEGER NOT NULL REFERENCES vaughn_findings(id) ON DELETE CASCADE,
            page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
            PRIMARY KEY (finding_id, page_id)
        ) WITHOUT ROWID;
        CREATE INDEX vaughn_finding_pages_page ON vaughn_finding_pages(page_id);
        """
    )


# -- 0008: where a redaction's code was printed (app/redactions/labels.py) -----------------------
# redactions.label_place: 'inside' the box, in the 'margin' of its line, 'beside' (or above or
# below) it, the page's 'legend'; 'illegible' when a label is there but its code could not be
# read (the page is listed for a human look); '' when the box carries no label at all.
@migration("0008_label_place")
def m0008_label_place(db: Database) -> None:
    db.executescript(
        """
        ALTER TABLE redactions ADD COLUMN label_place TEXT NOT NULL DEFAULT '';
        """
    )


# -- 0009: batches of pages assigned to reviewers (app/review/batches.py, issue #20) -------------
# batches: a named set of pages the lead gives one reviewer; checked_out_to/at: a copy taken
# offline (app/matter/checkout.py). batch_pages: its pages.
@migration("0009_batches")
def m0009_batches(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE batches (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            reviewer TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            checked_out_to TEXT,
            checked_out_at TEXT
        );
        CREATE INDEX batches_reviewer ON batches(reviewer);
        CREATE TABLE batch_pages (
            batch_id INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
            page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
            PRIMARY KEY (batch_id, page_id)
        );
        CREATE INDEX batch_pages_page ON batch_pages(page_id);
        """
    )


LATEST = len(migrations._migrations)
