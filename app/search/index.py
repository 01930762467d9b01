"""The search engine: a parsed query evaluated over a matter (SQLite FTS5 plus SQL filters).

Hits come in page order by default: FTS5 walks its index in rowid order and only the rows
shown get a snippet and a score. Ranking by relevance (BM25) is on request, because ranking
every hit is what makes FTS5 slow at 200,000 pages (PERF.md).

Evaluation: the largest pure-text parts of the query (words, phrases, prefixes, fuzzy words
expanded through the index's vocabulary, ``w/N`` as ``NEAR``) become one FTS5 MATCH expression
each, where FTS5 merges the doclists itself; a query that is only text never leaves FTS5. Field
filters, Bates ranges and a leading NOT turn the query into one SQL statement over ``pages``
with the FTS parts as ``p.id IN (... MATCH ?)``. ``pre/N`` and ``"a b"~N`` are NEAR candidates
checked exactly (app.search.proximity). Every user value is a bound parameter. The index
under the expressions is app.search.text_index's: FTS5 in a file, tsvector on a server.

Public API (used by the CLI and the window): :func:`search`, :func:`count`, :func:`page_ids`,
:func:`explain`; :class:`Results` and :class:`Hit`.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from app.bates import parse as parse_bates
from app.errors import QueryError
from app.matter.store import Matter
from app.search import fuzzy
from app.search.fields import bates_predicate, field_predicate
from app.search.proximity import Alt, verify
from app.search.query import (
    AnyOf,
    Bates,
    Field,
    Fuzzy,
    Near,
    Node,
    Not,
    Op,
    Operand,
    Term,
    auto_edits,
    parse,
)
from app.search.text_index import SNIPPET_CLOSE as SNIPPET_CLOSE  # the marks in Hit.snippet
from app.search.text_index import SNIPPET_OPEN as SNIPPET_OPEN
from app.search.text_index import ServerIndex, TextIndex, Timeout, for_conn

MAX_NEAR_GROUPS = 64  # NEAR groups an OR-operand may multiply into before verification
MAX_PREFIX_TERMS = 512  # a prefix standing for more words is left to FTS5's own prefix query


@dataclass(frozen=True)
class Hit:
    """One page that matches."""

    page_id: int
    bates: str | None
    file: str
    page_index: int
    snippet: str
    score: float


@dataclass(frozen=True)
class Results:
    """The total number of matching pages and the hits shown (and any notes on the query)."""

    total: int
    hits: list[Hit]
    notes: list[str] = field(default_factory=list)
    total_exact: bool = True


# -- plans --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """A compiled part.

    kinds: "fts" (``text`` is a MATCH expression), "notfts" (pages not matching ``text``),
    "sql" (``text`` is a predicate over ``pages p``; with a ``driver``, every result also
    matches that MATCH expression, which then drives the query in rowid order), "all", "none".
    """

    kind: str
    text: str = ""
    params: tuple[Any, ...] = ()
    driver: str = ""
    exclude: str = ""  # "sql" without a driver: pages matching this MATCH expression drop out

    def sql(self, ix: TextIndex) -> tuple[str, tuple[Any, ...]]:
        """The whole plan as one predicate over ``pages p``."""
        member = ix.member
        if self.exclude:
            inner, params = _Plan(self.kind, self.text, self.params, self.driver).sql(ix)
            return (f"({inner} AND p.id NOT IN ({member}))", (*params, ix.arg(self.exclude)))
        if self.kind == "fts":
            return f"p.id IN ({member})", (ix.arg(self.text),)
        if self.kind == "notfts":
            return f"p.id NOT IN ({member})", (ix.arg(self.text),)
        if self.kind == "all":
            return "1 = 1", ()
        if self.kind == "none":
            return "1 = 0", ()
        if self.driver:
            return f"(p.id IN ({member}) AND {self.text})", (ix.arg(self.driver), *self.params)
        return self.text, self.params


_ALL, _NONE = _Plan("all"), _Plan("none")


def _and(a: _Plan, b: _Plan, ix: TextIndex) -> _Plan:
    if "none" in (a.kind, b.kind):
        return _NONE
    if a.kind == "all":
        return b
    if b.kind == "all":
        return a
    if b.kind == "fts" or (b.kind == "notfts" and a.kind != "fts"):
        a, b = b, a  # fts first, then notfts, then sql
    if a.kind == b.kind == "fts":
        return _Plan("fts", f"({a.text} AND {b.text})")
    if a.kind == "fts" and b.kind == "notfts":
        return _Plan("fts", f"({a.text} NOT {b.text})")
    if a.kind == b.kind == "notfts":
        return _Plan("notfts", f"({a.text} OR {b.text})")
    if a.kind == "fts":  # b is sql: a drives
        driver = f"({a.text} AND {b.driver})" if b.driver else a.text
        if b.exclude:
            driver = f"({driver} NOT {b.exclude})"
        return _Plan("sql", b.text, b.params, driver)
    if a.kind == "notfts":  # b is sql
        if b.driver:
            return _Plan("sql", b.text, b.params, f"({b.driver} NOT {a.text})")
        # read b's pages in order, skipping a's text hits in a merge walk (no NOT IN list)
        return _Plan("sql", b.text, b.params, exclude=_either(b.exclude, a.text))
    driver = " AND ".join(d for d in (a.driver, b.driver) if d)
    if driver:
        a, b = (_Plan("sql", *x.sql(ix)) if x.exclude else x for x in (a, b))
        return _Plan("sql", f"({a.text} AND {b.text})", a.params + b.params,
                     f"({driver})" if a.driver and b.driver else driver)
    return _Plan("sql", f"({a.text} AND {b.text})", a.params + b.params,
                 exclude=_either(a.exclude, b.exclude))


def _either(a: str, b: str) -> str:
    """Two MATCH expressions ORed (either may be empty)."""
    return f"({a} OR {b})" if a and b else a or b


def _or(a: _Plan, b: _Plan, ix: TextIndex) -> _Plan:
    if "all" in (a.kind, b.kind):
        return _ALL
    if a.kind == "none":
        return b
    if b.kind == "none":
        return a
    if a.kind == b.kind == "fts":
        return _Plan("fts", f"({a.text} OR {b.text})")
    sa, pa = a.sql(ix)
    sb, pb = b.sql(ix)
    return _Plan("sql", f"({sa} OR {sb})", pa + pb)


def _not(a: _Plan, ix: TextIndex) -> _Plan:
    if a.kind == "fts":
        return _Plan("notfts", a.text)
    if a.kind == "notfts":
        return _Plan("fts", a.text)
    if a.kind == "all":
        return _NONE
    if a.kind == "none":
        return _ALL
    sa, pa = a.sql(ix)
    return _Plan("sql", f"(NOT {sa})", pa)


def _drives(node: Node) -> bool:
    """True when a positive word/phrase/fuzzy/proximity is ANDed at the top of the query."""
    if isinstance(node, Term | Fuzzy | Near):
        return True
    if isinstance(node, Op) and node.name == "AND":
        return _drives(node.left) or _drives(node.right)
    return False


@dataclass(frozen=True)
class _Deferred:
    """A proximity whose FTS5 candidates are checked page by page as results are read."""

    candidates: str
    kind: str
    operands: tuple[list[Alt], ...]
    distance: int


def _quote(tokens: tuple[str, ...] | list[str]) -> str:
    return '"' + " ".join(tokens) + '"'


class _Compiler:
    def __init__(self, matter: Matter, ocr_tolerant: bool, streaming: bool = True) -> None:
        self.matter = matter
        self.streaming = streaming
        self.conn = matter.conn
        self.ix = for_conn(matter.conn)
        self.ocr_tolerant = ocr_tolerant
        self.highlight: list[str] = []  # positive FTS parts, for snippets
        self.notes: list[str] = []
        self.deferred: list[_Deferred] = []
        self.correlated = False  # field filters probe per row (an FTS part drives the query)
        self._expansions: dict[tuple[str, int, int], list[str]] = {}  # (word, edits, keep)

    def compile_query(self, node: Node) -> _Plan:
        """Compile a whole query (top-level proximity conjuncts are checked lazily)."""
        self.correlated = _drives(node)
        return self.compile(node, True, top=True)

    def compile(self, node: Node, positive: bool = True, top: bool = False) -> _Plan:
        if isinstance(node, Term):
            plan = self._prefix(node) or _Plan("fts", node.fts())
            if plan.kind == "none":
                return plan
            if positive:
                self.highlight.append(plan.text)
            if (self.ocr_tolerant and not node.prefix and len(node.tokens) == 1
                    and auto_edits(len(node.tokens[0])) > 0):
                widened = self._fuzzy(Fuzzy(node.tokens[0], None, 0, node.position), positive)
                if widened.kind == "fts" and widened.text != plan.text:
                    ocr = _Plan("sql", "p.text_source = 'ocr'")
                    return _or(plan, _and(widened, ocr, self.ix), self.ix)
            return plan
        if isinstance(node, Fuzzy):
            return self._fuzzy(node, positive)
        if isinstance(node, Near):
            return self._near(node, positive, top)
        if isinstance(node, Field):
            sql, params = field_predicate(self.conn, node, correlated=self.correlated,
                                          streaming=self.streaming)
            return _Plan("sql", sql, params)
        if isinstance(node, Bates):
            sql, params = bates_predicate(node)
            return _Plan("sql", sql, params)
        if isinstance(node, Not):
            return _not(self.compile(node.child, not positive), self.ix)
        if isinstance(node, Op):
            top = top and node.name == "AND"
            left = self.compile(node.left, positive, top)
            right = self.compile(node.right, positive, top)
            return (_and(left, right, self.ix) if node.name == "AND"
                    else _or(left, right, self.ix))
        raise QueryError("cannot search this", 0)  # pragma: no cover

    def _prefix(self, node: Term) -> _Plan | None:
        """``subm*`` as the OR of the words it stands for, when the vocabulary is at hand.

        FTS5 merges every doclist of a prefix before it returns a row; an OR of terms is
        merged lazily, so the first hits come at once (and the count is faster too).
        """
        if not node.prefix or len(node.tokens) != 1 or not self.ix.expands_prefixes:
            return None
        vocab = fuzzy.cached_vocabulary(self.conn)
        if vocab is None:
            return None
        words = fuzzy.prefix_terms(vocab, node.tokens[0])
        if not words:
            return _NONE
        if len(words) > MAX_PREFIX_TERMS:
            return None
        return _Plan("fts", "(" + " OR ".join(_quote([w]) for w in words) + ")")

    def expansions(self, node: Fuzzy) -> list[str]:
        key = (node.word, node.max_edits(), node.keep)
        if key not in self._expansions:
            words = fuzzy.expand(self.conn, node.word, node.max_edits(), node.keep)
            if len(words) >= fuzzy.MAX_EXPANSIONS:
                self.notes.append(f"{node.describe()} matches more than "
                                  f"{fuzzy.MAX_EXPANSIONS} words; the closest were used")
            self._expansions[key] = words
        return self._expansions[key]

    def _fuzzy(self, node: Fuzzy, positive: bool) -> _Plan:
        words = self.expansions(node)
        if not words:
            return _NONE
        text = "(" + " OR ".join(_quote([w]) for w in words) + ")"
        if positive:
            self.highlight.append(text)
        return _Plan("fts", text)

    def _alts(self, op: Operand) -> list[Alt]:
        options = op.options if isinstance(op, AnyOf) else (op,)
        out: list[Alt] = []
        for o in options:
            if isinstance(o, Term):
                out.append(Alt(o.tokens, o.prefix))
            else:
                out.extend(Alt((w,)) for w in self.expansions(o))
        return out

    def _near(self, node: Near, positive: bool, top: bool = False) -> _Plan:
        operands = [self._alts(op) for op in node.operands]
        if not all(operands):
            return _NONE
        k = len(operands)
        if node.kind == "slop":  # single words; a transposition spans distance + k - 1
            fts_distance = node.distance + k - 2
        else:  # NEAR counts the middle operands' words too
            longest = max(len(a.tokens) for alts in operands[1:-1] for a in alts) if k > 2 else 0
            fts_distance = (k - 1) * node.distance + (k - 2) * longest
        groups = 1
        for alts in operands:
            groups *= len(alts)
        form = self.ix.exact_form(node.kind, node.distance) if k == 2 else None
        if form and groups <= MAX_NEAR_GROUPS:  # the index answers this proximity itself
            exact = "(" + " OR ".join(
                f"{form}({_alt_fts(a)} {_alt_fts(b)}, {node.distance})"
                for a, b in itertools.product(*operands)) + ")"
            if positive:
                self.highlight.append(exact)
            return _Plan("fts", exact)
        if groups <= MAX_NEAR_GROUPS:
            candidates = " OR ".join(
                "NEAR(" + " ".join(_alt_fts(a) for a in combo) + f", {max(0, fts_distance)})"
                for combo in itertools.product(*operands)
            )
        else:  # too many combinations: every operand present, positions checked here
            candidates = " AND ".join(
                "(" + " OR ".join(_alt_fts(a) for a in alts) + ")" for alts in operands)
        candidates = f"({candidates})"
        if positive:
            self.highlight.append(candidates)
        if top:  # every result passes through these candidates: check them as they are read
            self.deferred.append(_Deferred(candidates, node.kind, tuple(operands),
                                           node.distance))
            return _Plan("fts", candidates)
        ids = verify(self.conn, candidates, node.kind, operands, node.distance)
        if not ids:
            return _NONE
        return _Plan("sql", "p.id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))",
                     (json.dumps(ids),))


def _alt_fts(alt: Alt) -> str:
    return _quote(alt.tokens) + (" *" if alt.prefix else "")


def _spaced_bates(query: str) -> Bates | None:
    """The whole query typed as a Bates number with spaces ("ICE FOIA 000120")."""
    text = query.strip()
    if " " not in text or any(c in text for c in '"():*~%'):
        return None
    words = text.split()
    if any(w in ("AND", "OR", "NOT") for w in words):
        return None
    parsed = parse_bates(text)
    if parsed is None or parsed.number is None or not any(c.isalpha() for c in parsed.prefix):
        return None
    return Bates(text, 0, bare=True)


def _plan(matter: Matter, query: str, ocr_tolerant: bool,
          streaming: bool = True) -> tuple[_Plan, _Compiler]:
    node = parse(query)
    spaced = _spaced_bates(query)
    if spaced is not None:
        node = Op("OR", spaced, node)
    compiler = _Compiler(matter, ocr_tolerant, streaming)
    return compiler.compile_query(node), compiler


class _Budget:
    """A deadline for counting, checked between batches (the index stops a statement)."""

    def __init__(self, ms: float | None) -> None:
        self.deadline = None if ms is None else time.perf_counter() + ms / 1000

    def check(self) -> None:
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise Timeout


def _raw_ids(ix: TextIndex, plan: _Plan) -> Iterator[int]:
    """Ids matching the plan (before deferred checks), in page order, read lazily."""
    if plan.kind == "none":
        return
    if isinstance(ix, ServerIndex):  # keyset chunks of one statement, whatever the plan
        yield from ix.stream(*plan.sql(ix))
        return
    conn = ix.conn
    if plan.kind == "fts":
        yield from ix.ordered(plan.text)
        return
    if plan.kind == "notfts":  # a merge walk: stops as soon as enough pages are found
        yield from _minus(ix, conn.execute("SELECT id FROM pages ORDER BY id"), plan.text)
        return
    if plan.kind == "sql" and plan.driver:
        yield from ix.ordered_with(plan.driver, plan.text, plan.params)
        return
    if plan.exclude:  # the filter's pages in order, minus the text hits (a merge walk)
        pages = conn.execute(f"SELECT p.id FROM pages p WHERE {plan.text} ORDER BY p.id",
                             plan.params)
        yield from _minus(ix, pages, plan.exclude)
        return
    where, params = plan.sql(ix)
    for (pid,) in conn.execute(f"SELECT p.id FROM pages p WHERE {where} ORDER BY p.id", params):
        yield pid


def _minus(ix: TextIndex, ids: Iterator[tuple[int]], match: str) -> Iterator[int]:
    """``ids`` (ascending) without the pages matching ``match``, both streams read lazily."""
    hits = ix.ordered(match)
    skip = next(hits, None)
    for (pid,) in ids:
        while skip is not None and skip < pid:
            skip = next(hits, None)
        if skip is None or skip != pid:
            yield pid


def _ids(ix: TextIndex, plan: _Plan, comp: _Compiler,
         budget: _Budget | None = None) -> Iterator[int]:
    """Matching ids in page order, deferred proximities checked a batch at a time."""
    raw = _raw_ids(ix, plan)
    if not comp.deferred:
        yield from raw
        return
    batch_size = 64
    while True:
        batch = list(itertools.islice(raw, batch_size))
        if not batch:
            return
        keep = set(batch)
        for d in comp.deferred:
            keep &= set(verify(ix.conn, d.candidates, d.kind, d.operands, d.distance, batch))
            if not keep:
                break
        yield from (i for i in batch if i in keep)
        if budget is not None:
            budget.check()
        batch_size = min(batch_size * 2, 256 if budget is not None else 2048)


def _count(ix: TextIndex, plan: _Plan, comp: _Compiler) -> int:
    if comp.deferred:
        return sum(1 for _ in _ids(ix, plan, comp))
    if plan.kind == "none":
        return 0
    if plan.kind == "fts":
        return ix.count(plan.text)
    conn = ix.conn
    if plan.kind == "notfts":
        return int(conn.execute("SELECT count(*) FROM pages").fetchone()[0]) - ix.count(plan.text)
    if plan.driver and not plan.exclude:
        return ix.count_with(plan.driver, plan.text, plan.params)
    where, params = plan.sql(ix)
    return int(conn.execute(f"SELECT count(*) FROM pages p WHERE {where}", params).fetchone()[0])


# -- public API ---------------------------------------------------------------------------


def search(matter: Matter, query: str, *, limit: int = 50, offset: int = 0,
           rank: bool = False, ocr_tolerant: bool = False,
           count_budget_ms: float | None = None) -> Results:
    """Pages matching ``query``: the hits shown (page order) and the total count.

    QueryError if the query cannot be parsed. ``ocr_tolerant`` widens each plain word to its
    fuzzy form on OCR'd pages only. Counting every hit of a very common phrase at 200,000
    pages takes longer than finding the first hundred: with ``count_budget_ms`` the count stops
    at that budget, ``total_exact`` is then False and ``total`` a lower bound (call
    :func:`count` in the background for the exact figure). Without it the total is exact.
    """
    plan, comp = _plan(matter, query, ocr_tolerant)
    limit, offset = max(0, int(limit)), max(0, int(offset))
    ix = comp.ix
    if plan.kind == "none":
        return Results(0, [], comp.notes)
    if rank:
        ids = _ranked(ix, plan, comp, limit, offset)
    else:
        ids = list(itertools.islice(_ids(ix, plan, comp), offset, offset + limit))
    total, exact = len(ids) + offset, True
    if len(ids) == limit or (not ids and offset):
        try:
            with ix.budget(count_budget_ms):
                if comp.deferred:
                    total = sum(1 for _ in _ids(ix, plan, comp, _Budget(count_budget_ms)))
                elif plan.kind == "sql" and not plan.driver:
                    plan2, comp2 = _plan(matter, query, ocr_tolerant, streaming=False)
                    total = _count(ix, plan2, comp2)
                else:
                    total = _count(ix, plan, comp)
        except Timeout:
            exact = False
    rows = _snippets(ix, ids, " OR ".join(comp.highlight), scores=rank)
    return Results(total, _hits(matter, rows), comp.notes, exact)


def _ranked(ix: TextIndex, plan: _Plan, comp: _Compiler, limit: int,
            offset: int) -> list[int]:
    """Ids by relevance over the query's positive text; pages matched without text come
    after."""
    highlight = " OR ".join(comp.highlight)
    if plan.kind == "fts" and not comp.deferred:
        return ix.ranked(plan.text, limit, offset)
    every = list(_ids(ix, plan, comp))
    ranked = ix.ranked_within(highlight, every) if highlight and every else []
    seen = set(ranked)
    order = ranked + [i for i in every if i not in seen]
    return order[offset: offset + limit]


def _snippets(ix: TextIndex, ids: list[int], highlight: str,
              scores: bool = False) -> list[tuple[int, str, float]]:
    """(id, snippet, score) per id: hits marked, or the page's first words without text hits.

    BM25 needs every hit of each phrase counted (its IDF), so it is computed only for ranked
    results; in page order the score is 0.
    """
    snippets = ix.snippets(ids, highlight, scores) if ids and highlight else {}
    missing = [i for i in ids if i not in snippets]
    if missing:
        for pid, text in ix.conn.execute(
                "SELECT page_id, substr(text, 1, 160) FROM page_text WHERE page_id IN "
                "(SELECT CAST(value AS INTEGER) FROM json_each(?))", (json.dumps(missing),)):
            words = (text or "").split()
            snippets[pid] = (" ".join(words[:16]) + ("…" if len(words) > 16 else ""), 0.0)
    return [(i, *snippets.get(i, ("", 0.0))) for i in ids]


def count(matter: Matter, query: str, *, ocr_tolerant: bool = False) -> int:
    """How many pages match ``query``, exactly (QueryError if it cannot be parsed)."""
    plan, comp = _plan(matter, query, ocr_tolerant, streaming=False)
    return _count(comp.ix, plan, comp)


def page_ids(matter: Matter, query: str, *, ocr_tolerant: bool = False) -> list[int]:
    """Every matching page id, in page order (for bulk actions on all results, reports)."""
    plan, comp = _plan(matter, query, ocr_tolerant)
    return list(_ids(comp.ix, plan, comp))


def highlight_expression(matter: Matter, query: str, *, ocr_tolerant: bool = False) -> str:
    """The FTS5 expression of the query's positive text (empty when it has none)."""
    _, comp = _plan(matter, query, ocr_tolerant)
    return " OR ".join(comp.highlight)


def explain(matter: Matter, query: str, *, ocr_tolerant: bool = False) -> str:
    """How the query is read (for a tooltip): the parsed tree, fuzzy expansions included."""
    node = parse(query)
    plan, comp = _plan(matter, query, ocr_tolerant)
    text = node.describe()
    if comp._expansions:
        text += "\n" + "\n".join(f"{w}~{e}: {', '.join(v[:12]) or '(no word)'}"
                                 for (w, e, _), v in comp._expansions.items())
    return text + ("\n" + "\n".join(comp.notes) if comp.notes else "") + f"\n[{plan.kind}]"


def _hits(matter: Matter, rows: list[tuple[int, str, float]]) -> list[Hit]:
    info = _page_info(matter, [r[0] for r in rows])
    return [
        Hit(pid, *info[pid], snippet=(snip or "").replace("\n", " "), score=round(-score, 4))
        for pid, snip, score in rows if pid in info
    ]


def _page_info(matter: Matter, ids: list[int]) -> dict[int, tuple[str | None, str, int]]:
    if not ids:
        return {}
    rows = matter.conn.execute(
        "SELECT p.id, p.bates, f.path, p.page_index FROM pages p "
        "JOIN source_files f ON f.id = p.source_file_id "
        "WHERE p.id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))",
        (json.dumps(ids),),
    )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}
