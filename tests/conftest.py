"""Shared fixtures: a private data folder, generated productions (made once), fresh matters."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own user data folder: backups and settings never touch the user's."""
    path = tmp_path_factory.mktemp("vaughn-data")
    monkeypatch.setenv("VAUGHN_DATA_DIR", str(path))
    return path


def _generate(out: Path, *args: str) -> dict:
    from app import sample_production

    if not (out / "truth.json").exists():
        sample_production.main([str(out), *args])
    return json.loads((out / "truth.json").read_text())


@pytest.fixture(scope="session")
def pdf_production(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """One big PDF, with scans and bad redactions, and its answer key."""
    out = tmp_path_factory.mktemp("prod-pdf")
    return out, _generate(out, "--docs", "10", "--seed", "5", "--layout", "pdf",
                          "--bad-share", "0.4", "--scanned-share", "0.2")


@pytest.fixture(scope="session")
def folder_production(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """One PDF per document, two tranches (tranche_01/, tranche_02/)."""
    out = tmp_path_factory.mktemp("prod-folder")
    return out, _generate(out, "--docs", "6", "--seed", "8", "--layout", "folder",
                          "--tranches", "2")


@pytest.fixture(scope="session")
def loadfile_production(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A DAT/OPT volume of Group-4 TIFF pages with TEXT files."""
    out = tmp_path_factory.mktemp("prod-loadfile")
    return out, _generate(out, "--docs", "6", "--seed", "9", "--layout", "loadfile")


@pytest.fixture
def matter(tmp_path: Path):
    """A fresh, empty matter file."""
    from app.matter.store import Matter

    m = Matter.open(tmp_path / "test.vaughn", create=True)
    yield m
    m.close()


def truth_pages(truth: dict) -> list[dict]:
    """Every page of an answer key, in production order."""
    return [p for d in truth["documents"] for p in d["pages"]]


@pytest.fixture(scope="session")
def pdf_matter_template(pdf_production, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PDF production ingested once as "Tranche 1"; copy it before writing to it."""
    from app.ingest.pipeline import ingest
    from app.matter.store import Matter

    path = tmp_path_factory.mktemp("pdf-matter") / "template.vaughn"
    with Matter.open(path, create=True) as m:
        ingest(m, [pdf_production[0]], production="Tranche 1")
    return path


# -- a real PostgreSQL server (issue #20) ------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server of this test run's own (tests/pg_harness.py).

    Skips with the reason where none can be started, except under ``VAUGHN_REQUIRE_PG=1``
    (set by .ci/run), where that is a failure: CI must run the server tests.
    """
    import pg_harness

    reason = pg_harness.available()
    if reason:
        if os.environ.get("VAUGHN_REQUIRE_PG") == "1":
            pytest.fail(f"VAUGHN_REQUIRE_PG=1 but no PostgreSQL server can be started: {reason}")
        pytest.skip(f"no PostgreSQL server here: {reason}")
    server = pg_harness.LocalServer()
    server.start()
    yield server
    server.close()


@pytest.fixture
def server_url(pg_server, request) -> str:
    """An empty database on the test server, named for the test; its superuser URL."""
    import re

    name = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:50]
    return pg_server.new_database(name)
