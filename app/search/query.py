"""The search query parser: what a reviewer types, turned into a safe FTS5 MATCH expression.

Grammar (operators in capitals; juxtaposition is AND; NOT binds tighter than AND, AND than OR)::

    query  := or
    or     := and ("OR" and)*
    and    := not (["AND"] not)*
    not    := atom ("NOT" atom)*
    atom   := "(" or ")" | '"' phrase '"' ["*"] | word ["*"]

Every word and phrase is re-tokenised the way the index tokenises text (letters and digits) and
emitted double-quoted, so nothing the user types reaches FTS5 as syntax: a stray quote, a
``NEAR(`` or a column filter is either a word or a ``QueryError`` naming its position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.errors import QueryError

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
OPERATORS = {"AND", "OR", "NOT"}


@dataclass(frozen=True)
class Term:
    """A word or phrase: its index tokens, and whether the last one is a prefix."""

    tokens: tuple[str, ...]
    prefix: bool
    position: int

    def fts(self) -> str:
        phrase = '"' + " ".join(self.tokens) + '"'
        return phrase + " *" if self.prefix else phrase


@dataclass(frozen=True)
class Op:
    """A boolean operator node."""

    name: str  # "AND" | "OR" | "NOT"
    left: Node
    right: Node

    def fts(self) -> str:
        return f"({self.left.fts()} {self.name} {self.right.fts()})"


Node = Term | Op


@dataclass(frozen=True)
class _Lex:
    kind: str  # "word" | "phrase" | "(" | ")" | "op"
    text: str
    position: int
    prefix: bool = False


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
                raise QueryError("this quotation mark is never closed", i)
            prefix = end + 1 < n and query[end + 1] == "*"
            out.append(_Lex("phrase", query[i + 1 : end], i, prefix))
            i = end + 1 + int(prefix)
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] not in '()"':
                j += 1
            word = query[i:j]
            if word in OPERATORS:
                out.append(_Lex("op", word, i))
            else:
                prefix = word.endswith("*")
                out.append(_Lex("word", word.rstrip("*"), i, prefix))
            i = j
    return out


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
            raise QueryError(f"unexpected {extra.text!r}", extra.position)
        return node

    def parse_or(self) -> Node | None:
        node = self.parse_and()
        while (item := self.peek()) is not None and item.kind == "op" and item.text == "OR":
            self.take()
            right = self.parse_and()
            node = _join("OR", node, right)
        return node

    def parse_and(self) -> Node | None:
        node = self.parse_not()
        while (item := self.peek()) is not None and not (
            item.kind == ")" or (item.kind == "op" and item.text == "OR")
        ):
            if item.kind == "op" and item.text == "AND":
                self.take()
            right = self.parse_not()
            node = _join("AND", node, right)
        return node

    def parse_not(self) -> Node | None:
        node = self.parse_atom()
        while (item := self.peek()) is not None and item.kind == "op" and item.text == "NOT":
            self.take()
            right = self.parse_atom()
            if node is None:
                raise QueryError("NOT needs something before it, as in 'memo NOT draft'",
                                 item.position)
            if right is not None:
                node = Op("NOT", node, right)
        return node

    def parse_atom(self) -> Node | None:
        item = self.peek()
        if item is None:
            raise QueryError("the query ends where a word was expected", len(self.query))
        if item.kind == "op":
            if item.text == "NOT":
                raise QueryError("NOT needs something before it, as in 'memo NOT draft'",
                                 item.position)
            raise QueryError(f"{item.text} needs a word on each side", item.position)
        if item.kind == ")":
            raise QueryError("this closing parenthesis has no opening one", item.position)
        self.take()
        if item.kind == "(":
            node = self.parse_or()
            close = self.peek()
            if close is None or close.kind != ")":
                raise QueryError("this parenthesis is never closed", item.position)
            self.take()
            return node
        tokens = tuple(t.lower() for t in _TOKEN.findall(item.text))
        if not tokens:
            return None  # punctuation only: nothing the index could match
        return Term(tokens, item.prefix, item.position)


def _join(name: str, left: Node | None, right: Node | None) -> Node | None:
    if left is None:
        return right
    if right is None:
        return left
    return Op(name, left, right)


def parse(query: str) -> Node:
    """Parse ``query``; raise QueryError (with a position) when it cannot be searched."""
    node = _Parser(query).parse()
    if node is None:
        raise QueryError("the query holds no letters or digits to search for", 0)
    return node


def to_fts(query: str) -> str:
    """The FTS5 MATCH expression for ``query`` (every term quoted)."""
    return parse(query).fts()


def terms(node: Node) -> list[Term]:
    """The positive terms of a parsed query (for highlighting); NOT's right side excluded."""
    if isinstance(node, Term):
        return [node]
    if node.name == "NOT":
        return terms(node.left)
    return terms(node.left) + terms(node.right)
