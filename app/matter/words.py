"""How page text splits into index words, and the server's search vector built from them.

One tokenizer for both backends: letters and digits (``[^\\W_]+``), lower case, diacritics
removed — the words SQLite's FTS5 ``unicode61 remove_diacritics 2`` index keeps. A query's
words, the exact proximity check and, on a PostgreSQL server, the ``tsvector`` stored with each
page all come from :func:`tokens_of`, so a query finds on the server the pages it finds in a
file. The server's own text parser is not used: it keeps ``(b)(6)``, hyphenated words and
e-mail addresses whole, and its letter classes follow the database's locale.

``tsvector`` limits (PostgreSQL's, not ours): positions above 16,383 are not stored and a word
keeps at most 256 positions on one page, so a phrase beyond the first 16,383 words of a page
is not found on the server. Pages are far shorter than that.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
MAX_POSITION = 16_383  # tsvector positions are 1..16383
MAX_POSITIONS = 256  # positions one word may keep on a page
MAX_WORD_BYTES = 2_046  # a longer word cannot be a tsvector lexeme


def fold(text: str) -> str:
    """Lower case with diacritics removed: how the index compares words."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens_of(text: str) -> list[str]:
    """The index tokens of ``text`` (letters and digits, folded)."""
    return [fold(t) for t in TOKEN.findall(text)]


def quote(word: str) -> str:
    """A word as a tsvector/tsquery lexeme literal."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(text: str) -> str:
    """The text form of the page's ``tsvector``: each word with its positions (from 1)."""
    positions: dict[str, list[int]] = {}
    for pos, word in enumerate(tokens_of(text), 1):
        if pos > MAX_POSITION:
            break
        seen = positions.setdefault(word, [])
        if len(seen) < MAX_POSITIONS:
            seen.append(pos)
    return " ".join(f"{quote(w)}:{','.join(map(str, p))}" for w, p in positions.items()
                    if len(w.encode()) <= MAX_WORD_BYTES)


def store_page_text(conn: Any, page_id: int, text: str, *, new: bool) -> None:
    """Write a page's text (``new``: its first text) with what searches it.

    In a file, FTS5's triggers index the text; on a server the ``tsvector`` goes with it (a
    row without one is refused by the schema, so no write path can forget it).
    """
    if getattr(conn, "on_server", False):
        if new:
            conn.execute("INSERT INTO page_text(page_id, text, tsv) VALUES (?, ?, ?::tsvector)",
                         (page_id, text, tsvector(text)))
        else:
            conn.execute("UPDATE page_text SET text = ?, tsv = ?::tsvector WHERE page_id = ?",
                         (text, tsvector(text), page_id))
    elif new:
        conn.execute("INSERT INTO page_text(page_id, text) VALUES (?, ?)", (page_id, text))
    else:
        conn.execute("UPDATE page_text SET text = ? WHERE page_id = ?", (text, page_id))
