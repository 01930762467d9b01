"""No pattern that sees page text, OCR output, load-file fields, file names or queries can stall.

The audit (``tests/regex_audit.py``) runs every regular expression in app/ and ui/ against
10,000-character adversarial strings in a child process; each must finish its worst string in
50 ms. The property tests drive the functions that see OCR tokens with long random ones.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ocr.quality import is_garbage_text, is_wordlike, repair_stamp, wordlike_share
from app.redactions.stamps import canonical_codes

ROOT = Path(__file__).resolve().parent.parent
LIMIT_MS = 50.0


def _audit(extra: str = "") -> list[dict]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    args = [sys.executable, str(ROOT / "tests" / "regex_audit.py")]
    if extra:
        args = [sys.executable, "-c", extra]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def audit() -> list[dict]:
    return _audit()


def test_every_pattern_is_found(audit: list[dict]) -> None:
    where = {row["where"] for row in audit}
    assert len(where) >= 40
    # the one that stalled OCR on a TIFF volume, and the query and load-file ones
    for name in ("app.ocr.quality._CODE", "app.search.query._FIELD",
                 "app.ingest.loadfile._FIELD_NAME", "app.bates._NUMBER_TAIL"):
        assert name in where


def test_no_pattern_is_built_where_the_audit_cannot_see_it(audit: list[dict]) -> None:
    assert [row["where"] for row in audit if row.get("hidden")] == []


def test_no_pattern_takes_over_50_ms_on_adversarial_text(audit: list[dict]) -> None:
    slow = [f"{row['where']} {row['pattern']!r}: {row['ms']} ms on {row['worst']}"
            for row in audit if not row.get("hidden") and row["ms"] > LIMIT_MS]
    assert slow == []


def test_the_audit_catches_the_pattern_that_stalled_ocr() -> None:
    """The old exemption-code pattern, nested quantifiers over capitals, must be flagged."""
    code = (
        "import json, re, signal, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'tests')!r})\n"
        "import regex_audit as a\n"
        "signal.signal(signal.SIGALRM, a._alarm)\n"
        "old = re.compile(r'^(?:[A-Z]{1,8}[-_ ]?)*\\d{3,}(?:-\\d+)*$')\n"
        "a.HARD_LIMIT = 0.2\n"
        "worst = next((t for t in (a._time(old, x) for _, x in a.adversarial(old)) if t > 0.05), 0)\n"
        "print(json.dumps({'where': 'old', 'ms': worst * 1000}))\n"
    )
    rows = _audit(code)
    assert rows[0]["ms"] > LIMIT_MS


# -- the functions that see OCR tokens ------------------------------------------------------

_OCRISH = st.text(alphabet="HIlI1|()[]{}bB67CEce;,. -_0o#@", min_size=100, max_size=4_000)


@settings(max_examples=40, deadline=timedelta(milliseconds=500))
@given(_OCRISH)
def test_token_shape_is_fast_on_long_tokens(token: str) -> None:
    assert is_wordlike(token) in (True, False)
    assert 0.0 <= wordlike_share([token, token.upper(), token.replace(" ", "")]) <= 1.0


@settings(max_examples=40, deadline=timedelta(milliseconds=500))
@given(_OCRISH)
def test_stamp_repair_is_fast_on_long_tokens(text: str) -> None:
    repaired = repair_stamp(text)
    assert repaired is None or repaired.startswith("(")
    codes, _ = canonical_codes(text)
    assert all(c.startswith("(") for c in codes)


def test_long_runs_of_capitals_are_not_words() -> None:
    """'H' * 26 took 4.3 s before; a run of capitals from a dithered edge is no word."""
    assert not is_wordlike("H" * 26)
    assert not is_wordlike("H" * 10_000)
    assert is_wordlike("ICE-FOIA-000123") and is_wordlike("FBI") and is_wordlike("A123-456-789")
    assert is_garbage_text(" ".join(["HHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHH"] * 20))
