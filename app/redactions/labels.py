"""Where a box's exemption code is printed when it is not inside the box.

Redaction tools put the code in many places: inside the box (read by :mod:`.analyze`), just
beside it on its line, directly above or below it, in the left or right margin of its line
(one code per boxed line, or one code for all the rows of a redacted paragraph), or only once
for the whole page in a legend ("Redacted pursuant to (b)(6), (b)(7)(C)").

:func:`stamp_runs` finds the stamps among a page's words by geometry, not by MuPDF's line
grouping (which puts a margin code on one line with the pleading-paper line number beside it,
or gives each word of a code its own line). :func:`assign` gives each box still without a code
the stamp that serves it and says where it was found (``"beside"``, ``"margin"``,
``"legend"``). Text that is not a code (line numbers, Bates numbers, headers, "Page 2 of 5") is
never a stamp: a run must parse as codes with nothing left over but filler, and a bare number
leading a run (a line number next to a margin code) is dropped from it.

Pure geometry and string tests on words; no regex of its own. No Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Rect = tuple[float, float, float, float]
#: A word as from ``page.get_text("words")`` (OCR words have the same shape):
#: (x0, y0, x1, y1, text, block_no, line_no, word_no).
Word = tuple[float, float, float, float, str, int, int, int]

#: Where a box's code was found. "illegible": there is a label but its code could not be read.
PLACES = ("inside", "margin", "beside", "legend", "illegible")

_FRAGMENT_CHARS = set("0123456789()[]abcdefABCDEF")
_LEGEND_CUES = ("pursuant", "redact", "withh", "exempt", "foia", "deleted", "deletion")


@dataclass
class Run:
    """Consecutive words on one visual line that together are an exemption stamp."""

    rect: Rect
    text: str
    idx: list[int]


def _fragment(token: str) -> bool:
    """A piece of a code list split into words: "6,", "7(C),", "(7)(E);", and the "(b)" of
    DOJ's "(b) (6)"."""
    t = token.rstrip(",;.:")
    if t in ("(b)", "b", "B", "(B)"):
        return True
    return 0 < len(t) <= 8 and all(c in _FRAGMENT_CHARS for c in t) and any(
        c.isdigit() for c in t)


def _lines(words: Sequence[Word], keep: Sequence[int]) -> list[list[int]]:
    """The words ``keep`` in visual lines (vertical centres close), each sorted left to right."""
    order = sorted(keep, key=lambda i: (words[i][1] + words[i][3]) / 2)
    lines: list[list[int]] = []
    cy_line = h_line = 0.0
    for i in order:
        w = words[i]
        cy, h = (w[1] + w[3]) / 2, max(0.5, w[3] - w[1])
        if lines and abs(cy - cy_line) <= 0.45 * min(h, h_line):
            lines[-1].append(i)
            continue
        lines.append([i])
        cy_line, h_line = cy, h
    for line in lines:
        line.sort(key=lambda i: words[i][0])
    return lines


def _segments(words: Sequence[Word], line: list[int]) -> list[list[int]]:
    """A line split where the gap between words is wide (a margin code and the body text)."""
    out: list[list[int]] = [[line[0]]]
    for a, b in zip(line, line[1:], strict=False):
        h = max(words[a][3] - words[a][1], words[b][3] - words[b][1], 1.0)
        if words[b][0] - words[a][2] > 1.6 * h:
            out.append([b])
        else:
            out[-1].append(b)
    return out


def stamp_runs(words: Sequence[Word], skip: set[int],
               stamp_only: Callable[[str], bool], pure: Callable[[str], bool]) -> list[Run]:
    """Every stamp on the page outside the boxes (words in ``skip`` are not considered)."""
    keep = [i for i in range(len(words)) if i not in skip and words[i][4].strip()]
    runs: list[Run] = []
    for line in _lines(words, keep):
        for seg in _segments(words, line):
            cur: list[int] = []
            for i in [*seg, -1]:
                if i >= 0 and (stamp_only(words[i][4]) or _fragment(words[i][4])):
                    cur.append(i)
                    continue
                while cur and words[cur[0]][4].rstrip(".,").isdigit():
                    cur.pop(0)  # a line number or page number before the code
                if cur:
                    text = " ".join(words[j][4] for j in cur)
                    if pure(text):
                        r = (min(words[j][0] for j in cur), min(words[j][1] for j in cur),
                             max(words[j][2] for j in cur), max(words[j][3] for j in cur))
                        runs.append(Run(r, text, cur))
                cur = []
    return runs


def legend_text(words: Sequence[Word], skip: set[int],
                codes_of: Callable[[str], tuple[tuple[str, ...], str]]) -> tuple[str, list[int]]:
    """The page's legend line(s) naming the codes of all its boxes, and their word indices."""
    keep = [i for i in range(len(words)) if i not in skip and words[i][4].strip()]
    texts: list[str] = []
    idx: list[int] = []
    for line in _lines(words, keep):
        text = " ".join(words[i][4] for i in line)
        low = text.lower()
        if len(text) <= 200 and any(c in low for c in _LEGEND_CUES) and codes_of(text)[0]:
            texts.append(text)
            idx.extend(line)
    return " ".join(texts), idx


def column(words: Sequence[Word], skip: set[int]) -> tuple[float, float]:
    """The left and right edges of the page's text column, from where its lines start and end
    (words in ``skip`` and bare numbers, such as pleading-paper line numbers, left out)."""
    keep = [i for i in range(len(words)) if i not in skip
            and not words[i][4].rstrip(".,").isdigit()]
    lines = _lines(words, keep)
    if not lines:
        return float("-inf"), float("inf")
    if len(lines) < 5:  # too few lines for a typical edge: the outermost words
        return min(words[line[0]][0] for line in lines), max(words[line[-1]][2]
                                                             for line in lines)
    starts = sorted(words[line[0]][0] for line in lines)
    ends = sorted(words[line[-1]][2] for line in lines)
    return starts[len(starts) // 5], ends[(9 * len(ends)) // 10]


@dataclass
class Target:
    """A box still without a code, as :func:`assign` sees it."""

    rect: Rect
    codes: tuple[str, ...] = ()
    label: str = ""
    place: str = ""
    stamp_idx: tuple[int, ...] = ()


def _same_line(box: Rect, r: Rect) -> bool:
    bh = box[3] - box[1]
    cy, rcy = (box[1] + box[3]) / 2, (r[1] + r[3]) / 2
    return abs(rcy - cy) <= max(0.5 * bh, 0.5 * (r[3] - r[1])) or (
        r[1] >= box[1] - 1 and r[3] <= box[3] + 1)


def assign(targets: list[Target], coded: list[Rect], runs: list[Run],
           col: tuple[float, float],
           codes_of: Callable[[str], tuple[tuple[str, ...], str]],
           margin_ink: Sequence[Rect] = ()) -> None:
    """Give each target without codes the stamp that serves it (in place).

    A stamp in the margin of a box's line serves every box on that line; a stamp just beside,
    above or below a box serves that one box only (the nearest box takes it). Then the rows
    of a redacted paragraph (boxes stacked line under line, left edges aligned) without a code
    take the margin code of the nearest row of their paragraph that has one, above first (a
    code printed once serves the rows under it until the next code) — unless something is
    printed in the row's own margin (``margin_ink``: a label OCR could not read as a code):
    that row has a label of its own, not legible, and is not given its neighbour's.
    """
    pairs: list[tuple[float, int, int, str]] = []
    for t_i, t in enumerate(targets):
        if t.codes:
            continue
        box = t.rect
        bh = box[3] - box[1]
        for r_i, run in enumerate(runs):
            r = run.rect
            if _same_line(box, r):
                d = max(0.0, r[0] - box[2], box[0] - r[2])
                if _between(box, r, coded):
                    continue
                # left of a row that starts at the column's edge, or outside the column and
                # not touching the box
                rh = r[3] - r[1]
                margin = (r[2] <= box[0] and box[0] <= col[0] + 3) or (
                    (r[2] <= col[0] + 2 or r[0] >= col[1] - 2) and d > 1.5 * rh)
                pairs.append((d, t_i, r_i, "margin" if margin else "beside"))
                continue
            ox = min(r[2], box[2]) - max(r[0], box[0])
            gap = max(r[1] - box[3], box[1] - r[3])
            # a small label above or below may touch the box, or overlap its edge a little
            if ox <= 0 or gap > max(4.0, 0.6 * bh) or gap < -0.35 * (r[3] - r[1]):
                continue
            pairs.append((1000 + max(0.0, gap), t_i, r_i, "beside"))
    pairs.sort()
    used: set[int] = set()
    for _, t_i, r_i, place in pairs:
        t = targets[t_i]
        if t.codes or (r_i in used and place != "margin"):
            continue
        run = runs[r_i]
        codes, _ = codes_of(run.text)
        if not codes:
            continue
        t.codes, t.label, t.place, t.stamp_idx = codes, run.text, place, tuple(run.idx)
        if place != "margin":
            used.add(r_i)
    _paragraphs(targets, margin_ink)


def _between(box: Rect, r: Rect, coded: list[Rect]) -> bool:
    """True when a box that has its own code stands between ``box`` and the stamp ``r`` on
    their line: the stamp is that box's, not this one's."""
    lo, hi = (r[2], box[0]) if r[2] <= box[0] else (box[2], r[0])
    cy = (box[1] + box[3]) / 2
    return any(c[0] >= lo - 1 and c[2] <= hi + 1 and c[1] <= cy <= c[3] for c in coded)


def _paragraphs(targets: list[Target], margin_ink: Sequence[Rect] = ()) -> None:
    order = sorted(range(len(targets)), key=lambda i: targets[i].rect[1])
    groups: list[list[int]] = []
    for i in order:
        r = targets[i].rect
        if groups:
            p = targets[groups[-1][-1]].rect
            h = min(r[3] - r[1], p[3] - p[1])
            if abs(r[0] - p[0]) <= 3 and -0.5 * h <= r[1] - p[3] <= 0.8 * h:
                groups[-1].append(i)
                continue
        groups.append([i])
    for g in groups:
        marked = [k for k, i in enumerate(g) if targets[i].place == "margin"]
        if not marked:
            continue
        for k, i in enumerate(g):
            t = targets[i]
            if t.codes or any(_same_line(t.rect, r) and r[2] <= t.rect[0] for r in margin_ink):
                continue
            above = [m for m in marked if m < k]
            src = targets[g[above[-1] if above else min(marked, key=lambda m: abs(m - k))]]
            t.codes, t.label, t.place = src.codes, src.label, "margin"
