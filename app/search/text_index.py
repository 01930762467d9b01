"""The full-text index under the search engine: SQLite's FTS5 in a file, tsvector on a server.

The engine (app.search.index) compiles the text parts of a query into FTS5 MATCH expressions
(quoted phrases of index words, ``"w" *`` prefixes, ``NEAR(... , N)``, ``AND``/``OR``/``NOT``).
:func:`for_conn` gives the index that answers them for a matter's connection:

* :class:`Fts5Index`: the file's FTS5 table, queried as it always was.
* :class:`ServerIndex`: a PostgreSQL matter's ``page_text.tsv`` (GIN-indexed; the vectors are
  built with the same tokenizer, app.matter.words). Each expression is translated to a
  ``tsquery``: a phrase is ``a <-> b``, a prefix ``a:*``, and a two-phrase ``NEAR(a b, N)`` the
  disjunction of ``a <d> b`` and ``b <d> a`` for d = 1..N+1 (``<d>`` counts from the end of the
  left phrase to the start of the right one, as NEAR's gap does), which is exact; ``pre/N`` and
  ``"a b"~N`` of two operands are exact the same way (``ONEAR``/``SNEAR``, which the engine
  writes only for this index: see ``exact_form``). A proximity of more operands, or one too
  wide to spell out, becomes the AND of its phrases and the engine checks positions itself. Snippets and the marked text the exact proximity
  check reads are made here from the page text, since the server has no ``highlight()``.
  Ranking uses ``ts_rank_cd`` (cover density), not BM25: ranked order may differ from a file's;
  the pages found are the same.

The expression parser is a linear recursive descent over a token list the engine wrote; it
never sees a user's raw text.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from app.errors import QueryError, StatementTimeout
from app.matter.words import TOKEN, fold, quote

SNIPPET_OPEN = "«"
SNIPPET_CLOSE = "»"
SNIPPET_WORDS = 16
SNIPPET_SPAN = 8  # hits spread wider than this many pages apart get their snippets one by one
MARK_OPEN, MARK_CLOSE = "\x01", "\x02"
ORDERED_MS = 40  # the first chunk's time in page order before the GIN index is asked
MAX_NEAR_DISTANCE = 40  # a wider two-phrase NEAR is checked by the engine, not spelled out
_NOTHING = quote("\u2205")  # a lexeme no page has (the tokenizer never keeps a symbol)


class Timeout(Exception):
    """A counting budget ran out."""


class Fts5Index:
    """A matter file's FTS5 index (``page_text_fts``, rowid = page id)."""

    on_server = False
    expands_prefixes = True  # an OR of a prefix's words streams faster than FTS5's own prefix
    member = "SELECT rowid FROM page_text_fts WHERE page_text_fts MATCH ?"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def arg(self, expr: str) -> str:
        """The bound value ``member`` takes for ``expr``."""
        return expr

    def exact_form(self, kind: str, distance: int) -> str | None:
        """The expression operator that answers a proximity of two operands exactly (None:
        the engine checks positions itself). FTS5's NEAR of two is exactly ``w/N``."""
        return "NEAR" if kind == "w" else None

    def ordered(self, expr: str) -> Iterator[int]:
        """Pages matching ``expr``, in page order, read lazily."""
        for (pid,) in self.conn.execute(self.member + " ORDER BY rowid", (expr,)):
            yield pid

    def ordered_with(self, expr: str, where: str, params: Sequence[Any]) -> Iterator[int]:
        """Pages matching ``expr`` and the predicate ``where`` over ``pages p``, in order."""
        for (pid,) in self.conn.execute(
                "SELECT p.id FROM page_text_fts CROSS JOIN pages p ON p.id = "
                f"page_text_fts.rowid WHERE page_text_fts MATCH ? AND {where} "
                "ORDER BY page_text_fts.rowid", (expr, *params)):
            yield pid

    def count(self, expr: str) -> int:
        return int(self.conn.execute("SELECT count(*) FROM page_text_fts WHERE page_text_fts "
                                     "MATCH ?", (expr,)).fetchone()[0])

    def count_with(self, expr: str, where: str, params: Sequence[Any]) -> int:
        return int(self.conn.execute(
            "SELECT count(*) FROM page_text_fts CROSS JOIN pages p ON p.id = "
            f"page_text_fts.rowid WHERE page_text_fts MATCH ? AND {where}",
            (expr, *params)).fetchone()[0])

    def ranked(self, expr: str, limit: int, offset: int) -> list[int]:
        """Pages matching ``expr``, best first (BM25)."""
        return [r[0] for r in self.conn.execute(
            self.member + " ORDER BY rank LIMIT ? OFFSET ?", (expr, limit, offset))]

    def ranked_within(self, expr: str, ids: Sequence[int]) -> list[int]:
        """Those of ``ids`` that match ``expr``, best first."""
        import json

        return [r[0] for r in self.conn.execute(
            self.member + " AND rowid IN (SELECT value FROM json_each(?)) ORDER BY rank",
            (expr, json.dumps(list(ids))))]

    def snippets(self, ids: Sequence[int], expr: str,
                 scores: bool) -> dict[int, tuple[str, float]]:
        """id -> (snippet with hits between SNIPPET_OPEN/CLOSE, score) for pages matching."""
        out: dict[int, tuple[str, float]] = {}
        score_sql = "bm25(page_text_fts)" if scores else "0.0"
        select = (f"SELECT rowid, snippet(page_text_fts, 0, ?, ?, '…', {SNIPPET_WORDS}), "
                  f"{score_sql} FROM page_text_fts WHERE page_text_fts MATCH ? ")
        if max(ids) - min(ids) <= SNIPPET_SPAN * len(ids):
            # close together: one walk over the rowid range, snippets only for the pages shown
            wanted = "," + ",".join(map(str, ids)) + ","
            for pid, snip, score in self.conn.execute(
                    select + "AND rowid BETWEEN ? AND ? AND instr(?, ',' || rowid || ',') > 0",
                    (SNIPPET_OPEN, SNIPPET_CLOSE, expr, min(ids), max(ids), wanted)):
                out[pid] = (snip, score)
        else:  # scattered (a filter kept few of many text hits): one seek each
            for pid in ids:
                for _, snip, score in self.conn.execute(
                        select + "AND rowid = ?", (SNIPPET_OPEN, SNIPPET_CLOSE, expr, pid)):
                    out[pid] = (snip, score)
        return out

    def marked_rows(self, expr: str, ids: Sequence[int] | None = None
                    ) -> Iterator[tuple[int, str]]:
        """(page id, text with the expression's phrase instances between MARK_OPEN/CLOSE).

        With ``ids`` (ascending), only those pages: FTS5 walks the rowid range between the
        first and the last and highlights just the pages asked for (a ``rowid IN (...)``
        constraint would make SQLite re-run the whole MATCH once per id).
        """
        if ids is None:
            yield from self.conn.execute(
                "SELECT rowid, highlight(page_text_fts, 0, char(1), char(2)) FROM "
                "page_text_fts WHERE page_text_fts MATCH ? ORDER BY rowid", (expr,))
            return
        if not ids:
            return
        wanted = "," + ",".join(str(int(i)) for i in ids) + ","
        for rowid, text in self.conn.execute(
                "SELECT rowid, CASE WHEN instr(?, ',' || rowid || ',') > 0 THEN "
                "highlight(page_text_fts, 0, char(1), char(2)) END FROM page_text_fts "
                "WHERE page_text_fts MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rowid",
                (wanted, expr, min(ids), max(ids))):
            if text is not None:
                yield rowid, text

    @contextlib.contextmanager
    def budget(self, ms: float | None) -> Iterator[None]:
        """Counting inside stops with :class:`Timeout` after ``ms`` (SQLite's progress
        handler interrupts the statement)."""
        if ms is None:
            yield
            return
        deadline = time.perf_counter() + ms / 1000
        self.conn.set_progress_handler(lambda: int(time.perf_counter() > deadline), 2000)
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "interrupt" in str(exc):
                raise Timeout from None
            raise
        finally:
            self.conn.set_progress_handler(None, 0)

    def vocabulary_stamp(self) -> bytes | None:
        """Changes whenever the index does (FTS5's structure record)."""
        row = self.conn.execute("SELECT block FROM page_text_fts_data WHERE id = 10").fetchone()
        return bytes(row[0]) if row else None

    def vocabulary_rows(self) -> Iterator[tuple[str, int]]:
        """(word, pages) for every word of the index, in code-point order."""
        self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vaughn_vocab "
                          "USING fts5vocab(main, 'page_text_fts', 'row')")
        yield from self.conn.execute("SELECT term, doc FROM temp.vaughn_vocab")


class ServerIndex:
    """A server matter's ``page_text.tsv`` (see the module docstring)."""

    on_server = True
    expands_prefixes = False  # ``:*`` is the index's own, and as fast
    member = "SELECT page_id FROM page_text WHERE tsv @@ ?::tsquery"
    first_chunk = 128

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._budgeted = False  # inside budget(): its statement_timeout stands

    def arg(self, expr: str) -> str:
        return to_tsquery(expr)

    def exact_form(self, kind: str, distance: int) -> str | None:
        """``w/N``, ``pre/N`` and ``"a b"~N`` of two operands are all exact as ``<d>``
        distances (NEAR, ONEAR, SNEAR in the expression; see :meth:`Expr.tsquery`)."""
        if distance > MAX_NEAR_DISTANCE:
            return None
        return {"w": "NEAR", "pre": "ONEAR", "slop": "SNEAR"}[kind]

    def stream(self, where: str, params: Sequence[Any]) -> Iterator[int]:
        """Pages matching the predicate over ``pages p``, in page order, a chunk at a time
        (keyset pages: the first chunk is small, so the first hits come at once).

        The server's planner reads a LIMITed query in page order, testing each page's
        vector: at once for common words, but through every page when the words are rare
        together. So the first chunk gets ORDERED_MS that way; past it, the text part is
        taken whole from the GIN index (``OFFSET 0`` keeps the planner from reordering it)."""
        last, size = 0, self.first_chunk
        sql = f"SELECT p.id FROM pages p WHERE {where} AND p.id > ? ORDER BY p.id LIMIT ?"
        gin_sql = sql.replace(self.member, self.member + " OFFSET 0")
        rows = None
        if gin_sql != sql and not self._budgeted:
            try:
                self.conn.execute(f"SET statement_timeout = {ORDERED_MS}")
                rows = self.conn.execute(sql, (*params, last, size)).fetchall()
            except StatementTimeout:
                sql = gin_sql
            finally:
                self.conn.execute("RESET statement_timeout")
        while True:
            if rows is None:
                rows = self.conn.execute(sql, (*params, last, size)).fetchall()
            for (pid,) in rows:
                yield pid
            if len(rows) < size:
                return
            last, size, rows = rows[-1][0], min(size * 4, 50_000), None

    def ordered(self, expr: str) -> Iterator[int]:
        yield from self.stream(f"p.id IN ({self.member})", (self.arg(expr),))

    def ordered_with(self, expr: str, where: str, params: Sequence[Any]) -> Iterator[int]:
        yield from self.stream(f"p.id IN ({self.member}) AND {where}",
                               (self.arg(expr), *params))

    def count(self, expr: str) -> int:
        return int(self.conn.execute("SELECT count(*) FROM page_text WHERE tsv @@ ?::tsquery",
                                     (self.arg(expr),)).fetchone()[0])

    def count_with(self, expr: str, where: str, params: Sequence[Any]) -> int:
        return int(self.conn.execute(
            f"SELECT count(*) FROM pages p WHERE p.id IN ({self.member}) AND {where}",
            (self.arg(expr), *params)).fetchone()[0])

    def ranked(self, expr: str, limit: int, offset: int) -> list[int]:
        return [r[0] for r in self.conn.execute(
            "SELECT page_id FROM page_text, CAST(? AS tsquery) q WHERE tsv @@ q "
            "ORDER BY ts_rank_cd(tsv, q) DESC, page_id LIMIT ? OFFSET ?",
            (self.arg(expr), limit, offset))]

    def ranked_within(self, expr: str, ids: Sequence[int]) -> list[int]:
        return [r[0] for r in self.conn.execute(
            "SELECT page_id FROM page_text, CAST(? AS tsquery) q WHERE page_id = ANY(?) "
            "AND tsv @@ q ORDER BY ts_rank_cd(tsv, q) DESC, page_id",
            (self.arg(expr), list(ids)))]

    def _texts(self, expr: str, ids: Sequence[int] | None, scores: bool = False
               ) -> list[tuple[int, str, float]]:
        score = "ts_rank_cd(tsv, q)" if scores else "0.0"
        among, params = ("", ()) if ids is None else ("page_id = ANY(?) AND ", (list(ids),))
        return [tuple(r) for r in self.conn.execute(
            f"SELECT page_id, text, {score} FROM page_text, CAST(? AS tsquery) q "
            f"WHERE {among}tsv @@ q ORDER BY page_id", (self.arg(expr), *params))]

    def snippets(self, ids: Sequence[int], expr: str,
                 scores: bool) -> dict[int, tuple[str, float]]:
        phrases = phrases_of(expr)
        return {pid: (snippet(text, phrases), -float(rank))
                for pid, text, rank in self._texts(expr, ids, scores)}

    def marked_rows(self, expr: str, ids: Sequence[int] | None = None
                    ) -> Iterator[tuple[int, str]]:
        if ids is not None and not ids:
            return
        phrases = phrases_of(expr)
        for pid, text, _ in self._texts(expr, ids):
            yield pid, mark(text, phrases)

    @contextlib.contextmanager
    def budget(self, ms: float | None) -> Iterator[None]:
        """Counting inside stops with :class:`Timeout` after ``ms`` (the server cancels the
        statement: ``statement_timeout``)."""
        if ms is None:
            yield
            return
        self.conn.execute(f"SET statement_timeout = {max(1, int(ms))}")
        self._budgeted = True
        try:
            yield
        except StatementTimeout:
            raise Timeout from None
        finally:
            self._budgeted = False
            self.conn.execute("RESET statement_timeout")

    def vocabulary_stamp(self) -> bytes | None:
        row = self.conn.execute("SELECT last_value, is_called FROM page_text_stamp").fetchone()
        return f"{row[0]}:{row[1]}".encode() if row else None

    def vocabulary_rows(self) -> Iterator[tuple[str, int]]:
        yield from self.conn.execute("SELECT word, pages FROM page_words WHERE pages > 0 "
                                     "ORDER BY word")


TextIndex = Fts5Index | ServerIndex


def for_conn(conn: Any) -> TextIndex:
    """The full-text index of the matter ``conn`` belongs to."""
    return ServerIndex(conn) if getattr(conn, "on_server", False) else Fts5Index(conn)


# -- FTS5 expressions, as the engine writes them ------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """Index words in sequence; the last one a prefix when ``prefix``."""

    tokens: tuple[str, ...]
    prefix: bool = False

    def tsquery(self) -> str:
        if not self.tokens:
            return _NOTHING
        words = [quote(t) for t in self.tokens]
        if self.prefix:
            words[-1] += ":*"
        return words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")"


@dataclass(frozen=True)
class Expr:
    """``op`` is AND, OR, NOT (left and not right), or NEAR, ONEAR, SNEAR (``parts`` are
    Phrases)."""

    op: str
    parts: tuple[Phrase | Expr, ...]
    distance: int = 10

    def tsquery(self) -> str:
        if self.op in _NEARS:
            phrases = [p.tsquery() for p in self.parts]
            n = self.distance
            if len(phrases) != 2 or n > MAX_NEAR_DISTANCE:  # candidates: the engine checks
                return "(" + " & ".join(phrases) + ")"
            a, b = phrases
            # <d> counts from the end of the left phrase to the start of the right one
            ahead = [f"{a} <{d}> {b}" for d in range(1, n + 2)]
            if self.op == "ONEAR":  # a pre/N b: b starts 0..N words after a ends
                behind: list[str] = []
            elif self.op == "SNEAR":  # "a b"~N: |pos(b) - 1 - pos(a)| <= N, never the same word
                behind = [f"{b} <{d}> {a}" for d in range(1, n)]
            else:  # NEAR(a b, N): at most N words between them, either order
                behind = [f"{b} <{d}> {a}" for d in range(1, n + 2)]
            return "(" + " | ".join(ahead + behind) + ")"
        if self.op == "NOT":
            return f"({self.parts[0].tsquery()} & !{self.parts[1].tsquery()})"
        joiner = " & " if self.op == "AND" else " | "
        return "(" + joiner.join(p.tsquery() for p in self.parts) + ")"

    def phrases(self) -> Iterator[Phrase]:
        for i, p in enumerate(self.parts):
            if self.op == "NOT" and i == 1:
                continue  # what must not be there is not a hit to show
            if isinstance(p, Phrase):
                yield p
            else:
                yield from p.phrases()


# FTS5's NEAR, and the two the server index adds for the engine: ordered (pre/N) and sloppy
# ("a b"~N); an FTS5 index never receives those (its exact_form offers only NEAR).
_NEARS = ("NEAR", "ONEAR", "SNEAR")
_EXPR_TOKEN = re.compile(r'"((?:[^"]|"")*)"|(\()|(\))|(,)|(\*)|([A-Za-z]+)|(\d+)')


def _lex(expr: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = expr.rstrip()
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = _EXPR_TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise QueryError("cannot read the search expression", pos)
        pos = m.end()
        if m.group(1) is not None:
            out.append(("str", m.group(1).replace('""', '"')))
        elif m.group(6):
            out.append(("word", m.group(6)))
        elif m.group(7):
            out.append(("num", m.group(7)))
        else:
            out.append(("punct", m.group(0)))
    return out


class _Parser:
    def __init__(self, expr: str) -> None:
        self.toks = _lex(expr)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise QueryError("the search expression ends too soon", self.i)
        self.i += 1
        return tok

    def parse(self) -> Phrase | Expr:
        node = self.or_()
        if self.peek() is not None:
            raise QueryError("the search expression has more than expected", self.i)
        return node

    def or_(self) -> Phrase | Expr:
        parts = [self.and_()]
        while self.peek() == ("word", "OR"):
            self.take()
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else Expr("OR", tuple(parts))

    def and_(self) -> Phrase | Expr:
        parts = [self.not_()]
        while True:
            tok = self.peek()
            if tok == ("word", "AND"):
                self.take()
            elif tok is None or tok in (("word", "OR"), ("punct", ")")):
                break
            parts.append(self.not_())  # adjacent phrases are ANDed
        return parts[0] if len(parts) == 1 else Expr("AND", tuple(parts))

    def not_(self) -> Phrase | Expr:
        node = self.primary()
        while self.peek() == ("word", "NOT"):
            self.take()
            node = Expr("NOT", (node, self.primary()))
        return node

    def primary(self) -> Phrase | Expr:
        kind, value = self.take()
        if kind == "str":
            return self.phrase(value)
        if (kind, value) == ("punct", "("):
            node = self.or_()
            if self.take() != ("punct", ")"):
                raise QueryError("a bracket is not closed", self.i)
            return node
        if kind == "word" and value in _NEARS:
            op = value
            if self.take() != ("punct", "("):
                raise QueryError("NEAR needs a bracket", self.i)
            phrases: list[Phrase | Expr] = []
            distance = 10
            while True:
                kind, value = self.take()
                if kind == "str":
                    phrases.append(self.phrase(value))
                elif (kind, value) == ("punct", ","):
                    distance = int(self.take()[1])
                elif (kind, value) == ("punct", ")"):
                    break
                else:
                    raise QueryError("NEAR holds phrases only", self.i)
            return Expr(op, tuple(phrases), distance)
        raise QueryError(f"unexpected {value!r} in the search expression", self.i)

    def phrase(self, text: str) -> Phrase:
        prefix = self.peek() == ("punct", "*")
        if prefix:
            self.take()
        return Phrase(tuple(fold(t) for t in TOKEN.findall(text)), prefix)


def parse_expression(expr: str) -> Phrase | Expr:
    """The tree of an FTS5 MATCH expression the engine wrote."""
    return _Parser(expr).parse()


def to_tsquery(expr: str) -> str:
    """The ``tsquery`` (text form) that finds the pages the FTS5 expression finds."""
    return parse_expression(expr).tsquery()


def phrases_of(expr: str) -> list[Phrase]:
    """The phrases an expression looks for (not those it excludes)."""
    if not expr.strip():
        return []
    node = parse_expression(expr)
    return [node] if isinstance(node, Phrase) else list(node.phrases())


# -- marks and snippets from page text ----------------------------------------------------------


def _tokens(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    """The spans of the page's index tokens and the tokens, folded."""
    if text.isascii():  # lower case keeps every offset: one pass
        found = [(m.span(), m.group()) for m in TOKEN.finditer(text.lower())]
        return [sp for sp, _ in found], [w for _, w in found]
    spans = [m.span() for m in TOKEN.finditer(text)]
    return spans, [fold(text[a:b]) for a, b in spans]


def _hits(words: list[str], phrases: Sequence[Phrase]) -> list[bool]:
    """Per token: whether it is part of an instance of one of the phrases."""
    marked = [False] * len(words)
    firsts: dict[str, list[Phrase]] = {}
    prefixed: list[Phrase] = []
    for p in phrases:
        if not p.tokens:
            continue
        if p.prefix and len(p.tokens) == 1:
            prefixed.append(p)
        else:
            firsts.setdefault(p.tokens[0], []).append(p)
    heads = tuple(p.tokens[0] for p in prefixed)
    for i, w in enumerate(words):
        if w not in firsts and not (heads and w.startswith(heads)):
            continue  # most words start no phrase: one set lookup
        for p in [*firsts.get(w, ()), *(q for q in prefixed if w.startswith(q.tokens[0]))]:
            n = len(p.tokens)
            got = words[i:i + n]
            if len(got) < n:
                continue
            if got[:-1] == list(p.tokens[:-1]) and (
                    got[-1].startswith(p.tokens[-1]) if p.prefix else got[-1] == p.tokens[-1]):
                for k in range(i, i + n):
                    marked[k] = True
    return marked


def mark(text: str, phrases: Sequence[Phrase]) -> str:
    """``text`` with each run of hit tokens between MARK_OPEN and MARK_CLOSE."""
    spans, words = _tokens(text)
    marked = _hits(words, phrases)
    out: list[str] = []
    pos = 0
    for k, ((a, b), hit) in enumerate(zip(spans, marked, strict=True)):
        if not hit:
            continue
        out.append(text[pos:a])
        if k == 0 or not marked[k - 1]:
            out.append(MARK_OPEN)
        out.append(text[a:b])
        if k + 1 == len(spans) or not marked[k + 1]:
            out.append(MARK_CLOSE)
        pos = b
    out.append(text[pos:])
    return "".join(out)


def snippet(text: str, phrases: Sequence[Phrase], words: int = SNIPPET_WORDS) -> str:
    """The ``words``-token stretch of ``text`` with the most hits, hits between «», with '…'
    where the page goes on (FTS5's ``snippet()`` in spirit)."""
    spans, words_ = _tokens(text)
    if not spans:
        return ""
    marked = _hits(words_, phrases)
    best, best_hits, hits = 0, -1, 0
    for end in range(len(spans)):
        hits += marked[end]
        if end >= words:
            hits -= marked[end - words]
        start = max(0, end - words + 1)
        if hits > best_hits and (end >= words - 1 or end == len(spans) - 1):
            best, best_hits = start, hits
    stop = min(len(spans), best + words)
    out: list[str] = ["…"] if best > 0 else []
    pos = spans[best][0] if best > 0 else 0
    for k in range(best, stop):
        a, b = spans[k]
        out.append(text[pos:a])
        out.append(f"{SNIPPET_OPEN}{text[a:b]}{SNIPPET_CLOSE}" if marked[k] else text[a:b])
        pos = b
    out.append("…" if stop < len(spans) else text[pos:])
    return "".join(out).strip()
