"""Every regular expression in app/ and ui/, run against adversarial text under a clock.

Run as a script (``python tests/regex_audit.py``), it prints one JSON line per pattern:
``{"where": "app/ocr/quality.py:_CODE", "ms": 1.2, "worst": "run of 'A'"}``. A pattern is
stopped after :data:`HARD_LIMIT` seconds (SIGALRM interrupts the regex engine), so a
catastrophic one is reported instead of hanging the run. ``tests/test_regex_audit.py`` runs it
in a child process and fails on any pattern over 50 ms.

Patterns are found two ways: every ``re.Pattern`` reachable from the globals (and class
attributes, tuples, lists, dicts) of every module, and every ``re.<func>("literal", ...)`` call
in the source. A call whose pattern is neither a literal nor a module-level name fails the
audit: a pattern built at run time must be built once, at module level, where this finds it.

The adversarial set, for each pattern: 10,000-character runs of every printable ASCII character
and a few others; alternations of letters, digits and separators; and the pattern's own
near-misses (runs of its literal characters, and strings it matches repeated with a breaking
character after them).
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
import signal
import string
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N = 10_000
HARD_LIMIT = 2.0
FUNCS = {"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall",
         "finditer"}


class _Overrun(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _Overrun


def _modules() -> Iterator[object]:
    import app

    yield app
    for info in pkgutil.walk_packages(app.__path__, "app."):
        yield importlib.import_module(info.name)
    try:
        import ui
    except ImportError:  # pragma: no cover - Qt missing
        return
    yield ui
    for info in pkgutil.walk_packages(ui.__path__, "ui."):
        try:
            yield importlib.import_module(info.name)
        except ImportError:  # pragma: no cover - optional Qt parts
            continue


def _walk(value: object, depth: int = 0) -> Iterator[re.Pattern]:
    if isinstance(value, re.Pattern):
        yield value
    elif depth < 3 and isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _walk(item, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in list(value.keys()) + list(value.values()):
            yield from _walk(item, depth + 1)
    elif depth < 1 and isinstance(value, type):
        for item in vars(value).values():
            yield from _walk(item, depth + 1)


def module_patterns() -> dict[str, re.Pattern]:
    """Compiled patterns reachable from module globals, keyed by where they live."""
    found: dict[str, re.Pattern] = {}
    seen: set[tuple[str, int]] = set()
    for module in _modules():
        name = getattr(module, "__name__", "?")
        for attr, value in list(vars(module).items()):
            for pat in _walk(value):
                key = (pat.pattern if isinstance(pat.pattern, str) else "", pat.flags)
                if key in seen or not isinstance(pat.pattern, str):
                    continue
                seen.add(key)
                found[f"{name}.{attr}"] = pat
    return found


def _literal(node: ast.AST) -> str | None:
    """The text of a pattern written with literals, ``+`` and ``re.escape(...)`` (as "x")."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        if left is not None and right is not None:
            return left + right
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "escape"):
        return "x"  # escaped text is literal: any literal stands for it
    return None


def _is_re_call(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
            and node.func.attr in FUNCS and bool(node.args))


def source_patterns() -> tuple[dict[str, re.Pattern], list[str]]:
    """Literal patterns of ``re.<func>(...)`` calls, and calls whose pattern is not visible.

    A call inside a module- or class-level statement is skipped: its compiled pattern is a
    global (or inside one) and :func:`module_patterns` finds it.
    """
    found: dict[str, re.Pattern] = {}
    hidden: list[str] = []
    for top in ("app", "ui"):
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            module_level: set[int] = set()
            for stmt in tree.body:
                bodies = [stmt] if not isinstance(stmt, ast.ClassDef) else stmt.body
                for inner in bodies:
                    if isinstance(inner, (ast.Assign, ast.AnnAssign)):
                        module_level.update(range(inner.lineno, (inner.end_lineno or 0) + 1))
            module_names = {t.id for node in tree.body if isinstance(node, ast.Assign)
                            for t in node.targets if isinstance(t, ast.Name)}
            for node in ast.walk(tree):
                if not _is_re_call(node) or node.lineno in module_level:
                    continue
                arg = node.args[0]
                text = _literal(arg)
                flags = 0
                for kw in node.keywords:
                    if kw.arg == "flags":
                        flags = eval(compile(ast.Expression(kw.value), "<flags>", "eval"),
                                     {"re": re})
                if len(node.args) > 3 and node.func.attr in ("search", "match", "fullmatch"):
                    flags = eval(compile(ast.Expression(node.args[2]), "<flags>", "eval"),
                                 {"re": re})
                if text is not None:
                    found[f"{rel}:{node.lineno}"] = re.compile(text, flags)
                elif not (isinstance(arg, ast.Name) and arg.id in module_names):
                    hidden.append(f"{rel}:{node.lineno}")
    return found, hidden


_EXTRA = "\n\t\u00a0é§¶\u2013\u2019\u00ae\u00fe\x14"
_SEPARATORS = " -_.,;:/()[]'\"\n"


def _literal_chars(pattern: str) -> str:
    """The characters a pattern spells out (its escapes resolved, its class syntax dropped)."""
    out = []
    for ch in re.sub(r"\\[dDsSwWbBAZ]|\\.|\{\d*,?\d*\}|[\^$*+?|]", "", pattern):
        if ch not in out and ch.isprintable():
            out.append(ch)
    return "".join(out)[:40]


def adversarial(pat: re.Pattern) -> Iterator[tuple[str, str]]:
    """(label, text) pairs to try ``pat`` on."""
    for ch in string.printable[:95] + _EXTRA:
        yield f"run of {ch!r}", ch * N
    letters, digits = "aA", "0123456789"
    for a in letters + digits[:2]:
        for sep in _SEPARATORS:
            yield f"alternation {a!r}{sep!r}", (a + sep) * (N // 2)
    yield "letters and digits", ("A1" * (N // 2))
    yield "words", ("Word " * (N // 5))
    yield "capitals and space", ("HHH " * (N // 4))
    yield "codes", ("(b)(7)(C); " * (N // 11))
    yield "bates-like", ("ABC-0000" * (N // 8))
    chars = _literal_chars(pat.pattern)
    for ch in chars:
        yield f"near-miss run of {ch!r}", ch * N
        yield f"near-miss {ch!r} then '!'", ch * (N - 1) + "!"
    if chars:
        yield "near-miss cycle", (chars * (N // len(chars) + 1))[:N]
        yield "near-miss cycle with spaces", (" ".join(chars) * (N // (2 * len(chars)) + 1))[:N]
    for sample in _samples(pat):
        if sample:
            reps = max(1, N // len(sample))
            yield f"match {sample[:20]!r} repeated", (sample * reps)[:N] + "\x00!"
            yield f"match {sample[:20]!r} spaced", ((sample + " ") * reps)[:N]


def _samples(pat: re.Pattern) -> list[str]:
    """A few strings the pattern matches (hypothesis' ``from_regex``)."""
    import warnings

    try:
        from hypothesis import strategies as st
    except ImportError:  # pragma: no cover
        return []
    out: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            strategy = st.from_regex(pat, fullmatch=False)
            for _ in range(4):
                out.append(strategy.example())
        except Exception:  # a pattern hypothesis cannot draw from: the other strings remain
            pass
    return [s[:200] for s in out]


def _time(pat: re.Pattern, text: str) -> float:
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, HARD_LIMIT)
    try:
        pat.search(text)
        pat.fullmatch(text)
        pat.match(text)
    except _Overrun:
        return HARD_LIMIT
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return time.perf_counter() - start


def main() -> int:
    signal.signal(signal.SIGALRM, _alarm)
    patterns = module_patterns()
    literal, hidden = source_patterns()
    patterns.update(literal)
    for where in hidden:
        print(json.dumps({"where": where, "hidden": True}), flush=True)
    for where, pat in sorted(patterns.items()):
        worst, label = 0.0, ""
        for what, text in adversarial(pat):
            took = _time(pat, text)
            if took > worst:
                worst, label = took, what
            if took >= HARD_LIMIT:
                break
        print(json.dumps({"where": where, "pattern": pat.pattern[:120],
                          "ms": round(worst * 1000, 2), "worst": label}), flush=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
