"""The search query language: what a reviewer types, parsed into a tree the engine evaluates.

One parser for the CLI and the window. It reads the syntax reviewers bring from Relativity and
Everlaw (dtSearch) and from Datashare (Lucene)::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*          juxtaposition is AND
    unary   := "NOT" unary | prox              a leading NOT is a set difference
    prox    := atom (("w/N" | "pre/N") atom)*  proximity binds tightest
    atom    := "(" or ")" | phrase | word | field
    phrase  := '"' words '"' ["*"] ["~N"]      "a b"~N: Lucene slop (order-tolerant)
    word    := term | term* | term~ | term~N | te%rm | te%%rm | te%2rm
    field   := name ":" (value | '"' value '"')

Operators are upper case (``and``/``or``/``not`` are searched as words). ``w/N`` finds its
operands with at most N words between them, in either order; ``pre/N`` the same with the left
one first. ``term~`` is fuzzy (edit distance chosen by length, 1 for 3-5 letters, 2 above;
``term~N`` sets it); dtSearch's ``ba%nana`` keeps the letters before the ``%`` exact and allows
one difference per ``%`` (or ``%N``: N differences). Note that dtSearch's own ``~`` means
stemming; Vaughn's index is unstemmed, so ``~`` keeps its Lucene meaning. A bare Bates number
("ICE-FOIA-000120") finds its page as well as the pages that quote it; ``FIRST..LAST`` is a range.

Every word is re-tokenised the way the index tokenises text (letters and digits, lower case,
diacritics folded by the index), so nothing the user types reaches FTS5 as syntax: a stray
quote, a ``NEAR(`` or a column filter is either a word or a ``QueryError`` naming its position
and what was expected there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.errors import QueryError
from app.matter.words import fold, tokens_of

_PHRASE_TOKEN = re.compile(r"([^\W_]+)(\*?)", re.UNICODE)
OPERATORS = {"AND", "OR", "NOT"}
_PROX = re.compile(r"^(?i:(w|pre))/(\d{1,4})$")
# A field name starts where no letter is before it (the look-behind keeps a search linear).
_FIELD = re.compile(r"(?<![A-Za-z_])([A-Za-z_]+):")
_HYPHENS = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d\u00ad]")
# A bare Bates number: a prefix with a letter in it, separators allowed, then 6-10 digits.
_BATES = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*[-_.]?\d{6,10}$")
# A Bates range "FIRST..LAST": six digits just before a "..", three digits at the end.
_RANGE_DOTS = re.compile(r"\d{6}\.\.")
_DIGITS_AT_END = re.compile(r"\d{3}\Z")
MAX_EDITS = 3

# Field names a query may use (with their aliases); values are checked by the engine.
FIELDS: dict[str, str] = {
    "exemption": "exemption", "exemptions": "exemption", "ex": "exemption",
    "challenged": "challenged",
    "ground": "ground", "grounds": "ground",
    "status": "status",
    "tag": "tag", "tags": "tag",
    "exhibit": "exhibit",
    "disposition": "disposition",
    "bad": "bad",
    "production": "production", "tranche": "production",
    "ocr": "ocr",
    "note": "note", "notes": "note",
    "bates": "bates",
    "withheld": "withheld",
    "document": "document", "doc": "document",
    "type": "type", "doctype": "type",
    "date": "date",
}


# -- the tree -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word or phrase: its index tokens, and whether the last one is a prefix."""

    tokens: tuple[str, ...]
    prefix: bool
    position: int

    def fts(self) -> str:
        """This term as a quoted FTS5 phrase."""
        phrase = '"' + " ".join(self.tokens) + '"'
        return phrase + " *" if self.prefix else phrase

    def describe(self) -> str:
        text = " ".join(self.tokens) + ("*" if self.prefix else "")
        return f'"{text}"' if len(self.tokens) > 1 else text


@dataclass(frozen=True)
class Fuzzy:
    """A word matched with up to ``edits`` differences (None: chosen by length).

    ``keep`` letters at the start must match exactly (dtSearch's ``ba%nana`` keeps 2).
    """

    word: str
    edits: int | None
    keep: int
    position: int

    def max_edits(self) -> int:
        """The allowed edit distance."""
        if self.edits is not None:
            return self.edits
        return auto_edits(len(self.word))

    def describe(self) -> str:
        return f"{self.word}~{self.max_edits()}"


@dataclass(frozen=True)
class AnyOf:
    """An OR group used as one proximity operand: ``(john OR jon) w/3 doe``."""

    options: tuple[Term | Fuzzy, ...]
    position: int

    def describe(self) -> str:
        return "(" + " OR ".join(o.describe() for o in self.options) + ")"


Operand = Term | Fuzzy | AnyOf


@dataclass(frozen=True)
class Near:
    """Proximity: ``kind`` "w" (any order), "pre" (in order) or "slop" (Lucene "a b"~N)."""

    kind: str
    operands: tuple[Operand, ...]
    distance: int
    position: int

    def describe(self) -> str:
        if self.kind == "slop":
            return '"' + " ".join(o.describe() for o in self.operands) + f'"~{self.distance}'
        joiner = f" {self.kind}/{self.distance} "
        return joiner.join(o.describe() for o in self.operands)


@dataclass(frozen=True)
class Field:
    """A field filter: ``name`` is canonical (see FIELDS), ``value`` as typed."""

    name: str
    value: str
    position: int

    def describe(self) -> str:
        return f'{self.name}:"{self.value}"'


@dataclass(frozen=True)
class Bates:
    """A Bates number or range (``FIRST..LAST``) as typed."""

    text: str
    position: int
    bare: bool = False  # typed without "bates:" (also searched as text)

    def describe(self) -> str:
        return f"bates:{self.text}"


@dataclass(frozen=True)
class Not:
    """Every page except those matching ``child``."""

    child: Node
    position: int

    def describe(self) -> str:
        return f"NOT {self.child.describe()}"


@dataclass(frozen=True)
class Op:
    """A binary boolean node: "AND" or "OR" ("a NOT b" parses as a AND NOT b)."""

    name: str
    left: Node
    right: Node

    def fts(self) -> str:
        """This node as FTS5 syntax (only for trees of Terms; see ``to_fts``)."""
        right = self.right
        if self.name == "AND" and isinstance(right, Not):
            return f"({_fts(self.left)} NOT {_fts(right.child)})"
        return f"({_fts(self.left)} {self.name} {_fts(right)})"

    def describe(self) -> str:
        return f"({self.left.describe()} {self.name} {self.right.describe()})"


Node = Term | Fuzzy | Near | Field | Bates | Not | Op


def auto_edits(length: int) -> int:
    """Edits allowed for a word of ``length`` letters (Elasticsearch's AUTO)."""
    if length <= 2:
        return 0
    return 1 if length <= 5 else 2


# -- lexing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lex:
    kind: str  # "word" | "phrase" | "(" | ")" | "op" | "prox" | "field"
    text: str
    position: int
    prefix: bool = False
    fuzzy: str | None = None  # "~", "~N" after a word or phrase
    name: str = ""  # field name
    distance: int = 0  # for prox


def _lex(query: str) -> list[_Lex]:
    out: list[_Lex] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(_Lex(ch, ch, i))
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError("this quotation mark is never closed; expected a closing \"", i)
            j = end + 1
            prefix = j < n and query[j] == "*"
            j += int(prefix)
            fuzzy, j = _tilde(query, j)
            out.append(_Lex("phrase", query[i + 1 : end], i, prefix, fuzzy))
            i = j
        else:
            field = _FIELD.match(query, i) if query[i].isalpha() else None
            name = FIELDS.get(field.group(1).lower()) if field else None
            if field and name:
                value, j = _field_value(query, field.end(), i, field.group(1))
                out.append(_Lex("field", value, i, name=name))
                i = j
                continue
            j = i
            while j < n and not query[j].isspace() and query[j] not in '()"':
                j += 1
            word = query[i:j]
            i = j
            if field and not name:
                _check_field_typo(field.group(1), out and out[-1] or None, word, i - len(word))
            if word in OPERATORS:
                out.append(_Lex("op", word, j - len(word)))
                continue
            prox = _PROX.match(word)
            if prox:
                out.append(_Lex("prox", prox.group(1).lower(), j - len(word),
                                distance=int(prox.group(2))))
                continue
            start = j - len(word)
            fuzzy = None
            tilde = word.find("~")
            if tilde >= 0:
                fuzzy = word[tilde:]
                word = word[:tilde]
                if not re.fullmatch(r"~\d{0,2}", fuzzy):
                    raise QueryError("expected a number of edits after ~ (as in smith~2)",
                                     start + tilde + 1)
            prefix = word.endswith("*")
            out.append(_Lex("word", word.rstrip("*"), start, prefix, fuzzy))
    return out


def _tilde(query: str, j: int) -> tuple[str | None, int]:
    if j < len(query) and query[j] == "~":
        k = j + 1
        while k < len(query) and query[k].isdigit():
            k += 1
        return query[j:k], k
    return None, j


def _field_value(query: str, j: int, start: int, name: str) -> tuple[str, int]:
    """Read a field's value at ``j``: quoted, or up to white space / an unbalanced ')'."""
    n = len(query)
    if j < n and query[j] == '"':
        end = query.find('"', j + 1)
        if end < 0:
            raise QueryError("this quotation mark is never closed; expected a closing \"", j)
        value = query[j + 1 : end]
        if not value.strip():
            raise QueryError(f"expected a value inside the quotes after {name}:", j)
        return value, end + 1
    depth = 0
    k = j
    while k < n and not query[k].isspace():
        if query[k] == "(":
            depth += 1
        elif query[k] == ")":
            if depth == 0:
                break
            depth -= 1
        elif query[k] == '"':
            break
        k += 1
    value = query[j:k]
    if not value:
        raise QueryError(f"expected a value after {name}: (as in {name}:{_example(name)})", j)
    return value, k


def _example(name: str) -> str:
    canonical = FIELDS.get(name.lower(), name.lower())
    return {"exemption": "(b)(6)", "challenged": "yes", "ground": '"public interest"',
            "status": "challenge", "tag": "hot", "exhibit": "12", "disposition": "withheld",
            "bad": "yes", "production": '"Tranche 2"', "ocr": "yes", "note": "declaration",
            "bates": "ICE-FOIA-000120..ICE-FOIA-000180", "withheld": "yes",
            "document": "ICE-FOIA-000120", "type": "email", "date": "2022-03..2022-05"}.get(canonical, "x")


def _check_field_typo(name: str, _prev: _Lex | None, _word: str, position: int) -> None:
    """A misspelt field name ("exemptoin:b6") is an error, not a silent word search."""
    low = name.lower()
    if len(low) < 3:
        return
    for known in FIELDS:
        if len(known) >= 3 and (_distance(low, known) <= (1 if len(known) <= 4 else 2)):
            raise QueryError(f"unknown field {name!r}; did you mean {known}:?", position)


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


# -- parsing ------------------------------------------------------------------------------


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.items = _lex(query)
        self.pos = 0

    def peek(self) -> _Lex | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def take(self) -> _Lex:
        item = self.items[self.pos]
        self.pos += 1
        return item

    def parse(self) -> Node | None:
        if not self.items:
            raise QueryError("type something to search for", 0)
        node = self.parse_or()
        extra = self.peek()
        if extra is not None:
            if extra.kind == ")":
                raise QueryError("this closing parenthesis has no opening one", extra.position)
            raise QueryError(f"unexpected {extra.text!r}; expected AND, OR or a word",
                             extra.position)
        return node

    def parse_or(self) -> Node | None:
        node = self.parse_and()
        while (item := self.peek()) is not None and item.kind == "op" and item.text == "OR":
            self.take()
            right = self.parse_and()
            node = _join("OR", node, right)
        return node

    def parse_and(self) -> Node | None:
        node = self.parse_unary()
        while (item := self.peek()) is not None and not (
            item.kind == ")" or (item.kind == "op" and item.text == "OR")
        ):
            if item.kind == "op" and item.text == "AND":
                self.take()
            right = self.parse_unary()
            node = _join("AND", node, right)
        return node

    def parse_unary(self) -> Node | None:
        item = self.peek()
        if item is not None and item.kind == "op" and item.text == "NOT":
            self.take()
            child = self.parse_unary()
            return Not(child, item.position) if child is not None else None
        return self.parse_prox()

    def parse_prox(self) -> Node | None:
        first = self.peek()
        node = self.parse_atom()
        item = self.peek()
        if item is None or item.kind != "prox":
            return node
        operands = [self._operand(node, first)]
        kind, distance = item.text, item.distance
        while (item := self.peek()) is not None and item.kind == "prox":
            if (item.text, item.distance) != (kind, distance):
                raise QueryError(
                    f"a proximity chain must repeat {kind}/{distance}; "
                    "expected the same operator (or split the query with AND)", item.position)
            self.take()
            at = self.peek()
            if at is None:
                raise QueryError(f"expected a word or phrase after {kind}/{distance}",
                                 len(self.query))
            operands.append(self._operand(self.parse_atom(), at))
        return Near(kind, tuple(operands), distance, first.position if first else 0)

    def _operand(self, node: Node | None, at: _Lex | None) -> Operand:
        where = at.position if at else len(self.query)
        if isinstance(node, Term | Fuzzy):
            return node
        options = _or_leaves(node) if node is not None else None
        if options:
            return options[0] if len(options) == 1 else AnyOf(tuple(options), where)
        raise QueryError("expected a word, a phrase or an OR group of them on each side of a "
                         "proximity operator (w/N, pre/N)", where)

    def parse_atom(self) -> Node | None:
        item = self.peek()
        if item is None:
            raise QueryError("the query ends where a word was expected", len(self.query))
        if item.kind == "op":
            raise QueryError(f"{item.text} needs a word on each side; expected a word before "
                             f"{item.text}", item.position)
        if item.kind == "prox":
            raise QueryError(f"{item.text}/{item.distance} needs a word on each side; expected "
                             "a word before it", item.position)
        if item.kind == ")":
            raise QueryError("this closing parenthesis has no opening one; expected a word",
                             item.position)
        self.take()
        if item.kind == "(":
            if (nxt := self.peek()) is not None and nxt.kind == ")":
                raise QueryError("empty parentheses; expected a word inside", nxt.position)
            node = self.parse_or()
            close = self.peek()
            if close is None or close.kind != ")":
                raise QueryError("this parenthesis is never closed; expected )", item.position)
            self.take()
            return node
        if item.kind == "field":
            if item.name == "bates":
                return Bates(item.text, item.position)
            return Field(item.name, item.text, item.position)
        if item.kind == "phrase":
            return _phrase(item)
        return _word(item)


def _phrase(item: _Lex) -> Node | None:
    parts = [(fold(m.group(1)), bool(m.group(2))) for m in _PHRASE_TOKEN.finditer(item.text)]
    if not parts:
        return None
    if item.prefix:
        parts[-1] = (parts[-1][0], True)
    slop = None
    if item.fuzzy is not None:
        if item.fuzzy == "~":
            raise QueryError('expected a number of words after ~ (as in "a b"~3)',
                             item.position + len(item.text) + 2)
        slop = int(item.fuzzy[1:])
    tokens = tuple(t for t, _ in parts)
    if len(parts) == 1:
        return Term(tokens, parts[0][1], item.position)
    if slop is not None:
        ops = tuple(Term((t,), p, item.position) for t, p in parts)
        return Near("slop", ops, slop, item.position)
    if any(p for _, p in parts[:-1]):  # "joh* smith": a prefix inside a phrase
        ops = tuple(Term((t,), p, item.position) for t, p in parts)
        return Near("pre", ops, 0, item.position)
    return Term(tokens, parts[-1][1], item.position)


def _word(item: _Lex) -> Node | None:
    text = _HYPHENS.sub("-", item.text)
    if ".." in text and _is_bates_range(text):
        return Bates(text, item.position, bare=True)
    if "%" in text:
        return _percent(item, text)
    tokens = tuple(tokens_of(text))
    if not tokens:
        return None
    if item.fuzzy is not None:
        if len(tokens) > 1 or item.prefix:
            raise QueryError("expected a single word before ~ (fuzzy search takes one word)",
                             item.position)
        edits = int(item.fuzzy[1:]) if len(item.fuzzy) > 1 else None
        if edits is not None and edits > MAX_EDITS:
            raise QueryError(f"at most {MAX_EDITS} edits; expected ~1, ~2 or ~3",
                             item.position + len(item.text))
        if edits == 0:
            return Term(tokens, False, item.position)
        return Fuzzy(tokens[0], edits, 0, item.position)
    term = Term(tokens, item.prefix, item.position)
    if not item.prefix and _BATES.match(text):
        return Op("OR", Bates(text, item.position, bare=True), term)
    return term


def _is_bates_range(text: str) -> bool:
    """True for one token "FIRST..LAST" whose FIRST ends in 6+ digits and LAST in 3+."""
    return (not any(ch.isspace() for ch in text) and _DIGITS_AT_END.search(text) is not None
            and _RANGE_DOTS.search(text) is not None)


def _percent_parts(text: str) -> tuple[str, str, str] | None:
    """``ba%nana`` -> ("ba", "%", "nana"); ``ba%2nana`` -> ("ba", "%2", "nana"); None unless
    the word holds exactly one run of % (or one % and a digit)."""
    start = text.find("%")
    end = start
    while end < len(text) and text[end] == "%":
        end += 1
    if end - start == 1 and end < len(text) and text[end].isdigit():
        end += 1
    head, marks, tail = text[:start], text[start:end], text[end:]
    if start < 0 or "%" in tail:
        return None
    return head, marks, tail


def _percent(item: _Lex, text: str) -> Node:
    """dtSearch fuzzy: ``ba%nana`` (1 difference, "ba" exact), ``b%%anana``, ``ba%2nana``."""
    parts = _percent_parts(text)
    if parts is None or (parts[1][-1].isdigit() and not parts[2]):
        raise QueryError("expected one run of % inside a word (as in ba%nana or b%%anana)",
                         item.position + max(0, text.find("%")))
    head, marks, tail = parts
    edits = int(marks[1]) if marks[-1].isdigit() else len(marks)
    head_t, tail_t = tokens_of(head), tokens_of(tail)
    if len(head_t) > 1 or len(tail_t) > 1 or not (head_t or tail_t):
        raise QueryError("expected letters around % (as in ba%nana)", item.position)
    word = "".join(head_t + tail_t)
    if edits > MAX_EDITS:
        raise QueryError(f"at most {MAX_EDITS} differences; expected fewer %",
                         item.position + len(head))
    return Fuzzy(word, edits, len("".join(head_t)), item.position)


def _or_leaves(node: Node) -> list[Term | Fuzzy] | None:
    """The words of an OR-only group (for a proximity operand), else None."""
    if isinstance(node, Term | Fuzzy):
        return [node]
    if isinstance(node, Op) and node.name == "OR":
        left, right = _or_leaves(node.left), _or_leaves(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _join(name: str, left: Node | None, right: Node | None) -> Node | None:
    if left is None:
        return right
    if right is None:
        return left
    return Op(name, left, right)


def parse(query: str) -> Node:
    """Parse ``query``; raise QueryError (with a position) when it cannot be searched."""
    if not isinstance(query, str):
        raise QueryError("a query is text", 0)
    node = _Parser(query.replace("\x00", " ")).parse()  # a NUL means nothing (same length)
    if node is None:
        raise QueryError("the query holds no letters or digits to search for; expected a word",
                         0)
    return node


def _fts(node: Node) -> str:
    if isinstance(node, Term | Op):
        return node.fts()
    raise QueryError("this part of the query needs the search engine, not a bare FTS5 "
                     "expression (use app.search.index)", getattr(node, "position", 0))


def to_fts(query: str) -> str:
    """The FTS5 MATCH expression for a query of words, phrases, prefixes and AND/OR/NOT.

    Kept for callers that run FTS5 directly; queries with fields, fuzzy words, proximity or a
    leading NOT raise QueryError here: use :func:`app.search.index.page_ids` for those.
    """
    node = parse(query)
    if isinstance(node, Not):
        raise QueryError("a query that starts with NOT needs the search engine", 0)
    return _fts(_strip_bare_bates(node))


def _strip_bare_bates(node: Node) -> Node:
    if isinstance(node, Op):
        if node.name == "OR" and isinstance(node.left, Bates) and node.left.bare:
            return node.right
        return Op(node.name, _strip_bare_bates(node.left), _strip_bare_bates(node.right))
    if isinstance(node, Not):
        return Not(_strip_bare_bates(node.child), node.position)
    return node


def terms(node: Node) -> list[Term]:
    """The positive terms of a parsed query (for highlighting); NOT's side excluded."""
    return [t for t in text_leaves(node) if isinstance(t, Term)]


def text_leaves(node: Node) -> list[Term | Fuzzy]:
    """Every positive word, phrase and fuzzy word of a query (NOT's side excluded)."""
    if isinstance(node, Term | Fuzzy):
        return [node]
    if isinstance(node, Near):
        out: list[Term | Fuzzy] = []
        for op in node.operands:
            out.extend(op.options if isinstance(op, AnyOf) else [op])
        return out
    if isinstance(node, Op):
        return text_leaves(node.left) + text_leaves(node.right)
    return []
