"""Reading stamp labels on scans in any font: each word of a label compared with the words a
stamp can hold, rendered in many typefaces.

The shape reader of :mod:`app.ocr.stampmatch` knows one notation in one face (Helvetica
"(b)(6); (b)(7)(C)"), cut at a box's edge. Agencies' tools print codes in every face and
notation: "b7E", "Ex. 5", "(b) (6), (b) (7)(C)", "FOIA (b)(6) (b)(7)(c)", "Exemptions 6 and
7(C)". The words of such labels come from a small closed set (:func:`vocabulary`): codes in
each notation, their pieces ("(b)", "7(C),"), and the few words around them ("Ex.", "FOIA",
"Exemption", "and"). :func:`read_label` splits a label at its word gaps, scales each word to a
fixed ink height and compares it, by normalised correlation after a blur, with every word of
the set rendered in the Base-14 families MuPDF ships (Helvetica, Times, Courier; regular,
bold and italic): templates of one word in nine faces vote together. A word is read when its
best match scores high and beats every word of another meaning by a clear lead; the label is
read when every word is and the words together parse as a stamp and nothing else
(:func:`app.redactions.stamps.is_pure_stamp`). Otherwise nothing is returned and the caller
says the code is not legible: never a guess.

Why templates and not a trained recogniser: the vocabulary is closed and tiny, templates
need no training data, no weights file and no new dependency, each decision can be explained
(which word, which face, what score), and a face not among the nine is matched by its nearest
one at a lower score, which the lead test then catches. Nothing here touches a matter. No Qt.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import numpy as np
    from PIL import ImageFont

HEIGHT = 20  # ink height (pixels) words and templates are scaled to
FACES = ("helv", "hebo", "heit", "tiro", "tibo", "tiit", "cour", "cobo", "coit")
BLUR = 1.2  # both sides are blurred: dithering and rendering differ in weight
GAP = 0.28  # a blank run this share of the label's height separates two words
ASPECT = 0.2  # a word's width / height may differ from a template's by this share
MIN_SCORE = 0.7  # correlation a word's best template needs ...
MIN_LEAD = 0.05  # ... and its lead over the best template of another meaning
CLOSE = 0.1  # words scoring this close to the best are told apart where they differ


@dataclass(frozen=True)
class Word:
    """One word of a label as read: its text, meaning, score and lead over other meanings."""

    text: str
    meaning: str
    score: float
    lead: float


@dataclass(frozen=True)
class TokenLabel:
    """A label read word by word; ``words`` says how sure each word was."""

    label: str
    words: tuple[Word, ...]

    @property
    def score(self) -> float:
        return min(w.score for w in self.words)

    @property
    def lead(self) -> float:
        return min(w.lead for w in self.words)


def _code_parts() -> list[tuple[str, str]]:
    from app.redactions.stamps import EXEMPTIONS

    out = []
    for code in [*EXEMPTIONS, "(b)(7)"]:
        inner = code.replace("(b)", "").strip("()").split(")(")
        out.append((inner[0], inner[1] if len(inner) > 1 else ""))
    return out


@functools.lru_cache(maxsize=1)
def vocabulary() -> tuple[tuple[str, str], ...]:
    """(word as printed, its meaning) for every word a stamp label can hold."""
    words: dict[str, str] = {}

    def add(text: str, meaning: str, suffixes: tuple[str, ...] = ("", ",", ";")) -> None:
        for s in suffixes:
            words.setdefault(text + s, meaning)

    for n, s in _code_parts():
        sub_forms = [s, s.lower()] if s else [""]
        for sub in sub_forms:
            tail = f"({sub})" if sub else ""
            code = f"(b)({n}){tail}"
            meaning = f"(b)({n})" + (f"({s})" if s else "")
            add(code, meaning)  # (b)(7)(C)
            add(f"({n}){tail}", f"({n})" + (f"({s})" if s else ""))  # DOJ's "(b) (7)(C)"
            add(f"{n}{tail}", f"{n}" + (f"({s})" if s else ""), ("", ","))  # "Ex. 7(C)"
            add(f"b{n}{sub}", meaning, ("", ","))  # b7C
            add(f"B{n}{sub.upper()}", meaning, ("", ","))  # B7C
    for word, meaning in (("Ex.", "ex"), ("EX.", "ex"), ("Ex", "ex"), ("Exemption", "ex"),
                          ("Exemptions", "exs"), ("EXEMPTION", "ex"), ("FOIA", "foia"),
                          ("and", "and"), ("(b)", "(b)")):
        add(word, meaning, ("",))
    for i in range(10, 61):  # pleading-paper line numbers beside margin codes: read as such
        add(str(i), "number", ("",))
    for letter in "jk":  # Privacy Act codes look like FOIA codes: they must not be read as one
        for k in range(1, 8):
            add(f"({letter})({k})", f"({letter})({k})")
    return tuple(words.items())


@functools.lru_cache(maxsize=len(FACES))
def _face(name: str, size: int = 48) -> ImageFont.FreeTypeFont:
    import pymupdf
    from PIL import ImageFont

    return ImageFont.truetype(io.BytesIO(pymupdf.Font(name).buffer), size)


def _extent(ink: np.ndarray, threshold: float = 0.3) -> tuple[int, int, int, int] | None:
    import numpy as np

    mask = ink >= threshold
    rows = np.nonzero(mask.any(axis=1))[0]
    cols = np.nonzero(mask.any(axis=0))[0]
    if len(rows) < 2 or len(cols) < 1:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _scaled(ink: np.ndarray, blur: float) -> np.ndarray | None:
    """``ink`` cut to its extent, scaled to HEIGHT rows (aspect kept) and blurred."""
    import numpy as np
    from PIL import Image, ImageFilter

    box = _extent(ink)
    if box is None:
        return None
    r0, r1, c0, c1 = box
    part = ink[r0:r1, c0:c1]
    width = max(2, int(round(part.shape[1] * HEIGHT / part.shape[0])))
    img = Image.fromarray((part * 255).astype(np.uint8)).resize(
        (width, HEIGHT), Image.Resampling.BILINEAR)
    img = img.filter(ImageFilter.GaussianBlur(blur))
    return np.asarray(img, dtype=np.float32) / 255.0


def _unit(v: np.ndarray) -> np.ndarray:
    import numpy as np

    v = v.reshape(-1).astype(np.float32)
    v = v - v.mean()
    n = float(np.sqrt((v * v).sum()))
    return v / n if n > 0 else v


#: Words are compared at a fixed size per band of shapes: (widest aspect, width in pixels).
#: A piece is scaled once to its band's width; every template that may be its shape is kept
#: at that width too, so one product scores them all.
BANDS = ((1.3, 28), (2.6, 48), (4.5, 80), (99.0, 120))


def _band(aspect: float) -> int:
    return next(i for i, (hi, _) in enumerate(BANDS) if aspect < hi)


@dataclass
class _Bank:
    """The templates that may be compared in one band, at its width."""

    units: np.ndarray  # one unit row per template
    images: np.ndarray  # the same templates as images (for the focused comparison)
    aspects: np.ndarray
    info: list[tuple[str, str, str]]  # (word, meaning, face)


def _render(text: str, face: str) -> np.ndarray | None:
    import numpy as np
    from PIL import Image, ImageDraw

    font = _face(face)
    # Pillow annotates FreeTypeFont.getbbox as floats; it returns whole pixels (ints).
    x0, y0, x1, y1 = cast("tuple[int, int, int, int]", font.getbbox(text))
    img = Image.new("L", (x1 - min(0, x0) + 16, y1 - min(0, y0) + 16), 0)
    ImageDraw.Draw(img).text((8 - min(0, x0), 8 - min(0, y0)), text, font=font, fill=255)
    return _scaled(np.asarray(img, dtype=np.float32) / 255.0, BLUR)


@functools.lru_cache(maxsize=1)
def _banks() -> tuple[_Bank, ...]:
    """Every word of the vocabulary in every face, kept in each band its shape may fall in."""
    import numpy as np

    rows: list[list[tuple[np.ndarray, float, tuple[str, str, str]]]] = [[] for _ in BANDS]
    for face in FACES:
        for text, meaning in vocabulary():
            t = _render(text, face)
            if t is None:
                continue
            aspect = t.shape[1] / HEIGHT
            for b in sorted({_band(aspect * (1 - ASPECT)), _band(aspect * (1 + ASPECT))}):
                rows[b].append((_resized(t, BANDS[b][1]), aspect, (text, meaning, face)))
    banks = []
    for group in rows:
        images = np.stack([g[0] for g in group])
        banks.append(_Bank(np.stack([_unit(i) for i in images]), images,
                           np.array([g[1] for g in group], dtype=np.float32),
                           [g[2] for g in group]))
    return tuple(banks)


def _pieces(ink: np.ndarray, fine: bool = False) -> list[tuple[int, int]]:
    """Column spans of the label (ink cut to its extent, one line) between blank runs
    GAP * its height wide (``fine``: any blank column)."""
    gap = 1 if fine else max(2, int(round(GAP * ink.shape[0])))
    blank = ink.max(axis=0) < 0.25
    spans: list[tuple[int, int]] = []
    start, run = None, 0
    for x, b in enumerate([*blank.tolist(), *([True] * (gap + 1))]):
        if not b:
            if start is None:
                start = x
            run = 0
        elif start is not None:
            run += 1
            if run >= gap:
                spans.append((start, x - run + 1))
                start, run = None, 0
    return spans


def _resized(a: np.ndarray, width: int) -> np.ndarray:
    import numpy as np
    from PIL import Image

    if a.shape[1] == width:
        return a
    img = Image.fromarray((np.clip(a, 0, 1) * 255).astype(np.uint8))
    resized = img.resize((width, HEIGHT), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.float32) / 255.0


def _focused_lead(piece: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """How much better template ``a`` explains the piece than template ``b`` on the pixels
    where the two differ ("b7E" and "b7B" share all but a few columns of ink)."""
    import numpy as np

    mask = np.abs(a - b) > 0.2
    if mask.sum() < 6:
        return 0.0
    p = _unit(piece[mask])
    return float(p @ _unit(a[mask])) - float(p @ _unit(b[mask]))


def read_word(piece: np.ndarray) -> Word | None:
    """The best word of the vocabulary for one piece of a label (soft ink 0..1), or None.

    The words scoring within CLOSE of the best decide among themselves on the pixels where
    they differ, all in the face of the best; the one beating every other wins, and its lead
    is the smallest of those margins and its margin over the best word further off."""
    import numpy as np

    scaled = _scaled(piece, BLUR)
    if scaled is None or scaled.shape[1] < 2:
        return None
    aspect = scaled.shape[1] / HEIGHT
    bank = _banks()[_band(aspect)]
    p = _resized(scaled, BANDS[_band(aspect)][1])
    scores = bank.units @ _unit(p)
    fits = np.abs(bank.aspects - aspect) <= ASPECT * np.maximum(bank.aspects, aspect) + 0.05
    scores = np.where(fits, scores, -1.0)
    best: dict[str, tuple[float, int]] = {}  # meaning -> (score, template index)
    for k in np.argsort(scores)[-12:][::-1].tolist():
        if scores[k] <= -1.0:
            break
        meaning = bank.info[k][1]
        if meaning not in best:
            best[meaning] = (float(scores[k]), k)
    if not best:
        return None
    ranked = sorted(best.values(), reverse=True)
    top_score, top_k = ranked[0]
    if len(ranked) == 1:
        text, meaning, _ = bank.info[top_k]
        return Word(text, meaning, round(top_score, 3), round(top_score, 3))
    face = bank.info[top_k][2]
    in_face = {}  # (word) -> template index in the top face
    for k, (text, _, f) in enumerate(bank.info):
        if f == face:
            in_face[text] = k
    close = [r for r in ranked[:5] if top_score - r[0] <= CLOSE]
    far = next((r[0] for r in ranked if top_score - r[0] > CLOSE), None)
    winner, winner_lead = ranked[0], -1.0
    for cand in close:
        ka = in_face.get(bank.info[cand[1]][0])
        if ka is None:
            continue
        leads = []
        for other in close:
            if other is cand:
                continue
            kb = in_face.get(bank.info[other[1]][0])
            leads.append(0.0 if kb is None else _focused_lead(p, bank.images[ka],
                                                              bank.images[kb]))
        lead = min(leads) if leads else 1.0
        if lead > winner_lead:
            winner, winner_lead = cand, lead
    score, k = winner
    if far is not None:
        winner_lead = min(winner_lead, score - far)
    text, meaning, _ = bank.info[k]
    return Word(text, meaning, round(score, 3), round(winner_lead, 3))


def _strip_lines(mask: np.ndarray, longest: int) -> np.ndarray:
    """``mask`` without horizontal ink runs longer than ``longest`` (gaps of up to two pixels
    bridged): the edges of a skewed box, which cross a crop's rows a long run at a time,
    where no letter has a run much longer than it is tall."""
    import numpy as np

    closed = mask.copy()
    closed[:, 1:-1] |= mask[:, :-2] & mask[:, 2:]
    closed[:, 1:-2] |= mask[:, :-3] & mask[:, 3:]
    out = mask.copy()
    for y in range(mask.shape[0]):
        row = closed[y]
        if row.sum() <= longest:
            continue
        edges = np.diff(np.concatenate(([0], row.view(np.int8), [0])))
        starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
        for a, b in zip(starts, ends, strict=True):
            if b - a > longest:
                out[y, a:b] = False
    return out


def _text_band(ink: np.ndarray) -> np.ndarray | None:
    """The label's line of text: the band of inked rows holding the most ink, without the
    box's edge lines that a skewed or dithered box leaves in the crop, cut to its inked
    columns."""
    import numpy as np

    ink = np.where(_strip_lines(ink >= 0.3, max(24, int(2.5 * min(ink.shape[0], 40)))), ink,
                   0.0)
    inked = (ink >= 0.5).sum(axis=1) >= 2
    bands: list[tuple[int, int]] = []
    start, blank = None, 0
    for y, v in enumerate([*inked.tolist(), False, False]):
        if v:
            if start is None:
                start = y
            blank = 0
        elif start is not None:
            blank += 1
            if blank >= 2:
                bands.append((start, y - blank + 1))
                start, blank = None, 0
    if not bands:
        return None
    r0, r1 = max(bands, key=lambda b: float(ink[b[0]: b[1]].sum()))
    if r1 - r0 < 4:
        return None
    band = ink[r0:r1]
    cols = np.nonzero(band.max(axis=0) >= 0.3)[0]
    if len(cols) < 2:
        return None
    return band[:, cols[0]: cols[-1] + 1]


MAX_JOIN = 3  # a word may be split at up to two wide gaps (Courier's "b7 F", "b6 ,")
MAX_FINE, MAX_FINE_JOIN = 40, 12  # codes run together: pieces, and pieces in one word
BEAM = 8  # readings of a label's pieces kept at each step
JOINED = 0.93  # the weight of a word read across each wide gap inside it


def read_label(crop: np.ndarray, lead_number: bool = False) -> TokenLabel | None:
    """The label in ``crop`` (8-bit gray, black text on white, one line) when every word is
    read surely and together they are a stamp and nothing else; None otherwise. With
    ``lead_number``, a bare number before the label (a line number) is left out.

    A label is split at its gaps into pieces; a word is one piece or a few neighbouring ones
    (a wide gap inside a monospaced word, a comma standing apart), and a small piece (a
    comma, a speck of dithering) may be left out. Of the ways to cut the pieces into
    surely-read words that parse as a stamp, the one whose words cover the label with the
    best total score is taken.
    """
    import numpy as np

    a = crop.astype(np.float32)
    ink = _text_band(np.clip((255.0 - a) / max(1.0, 255.0 - float(a.min())), 0.0, 1.0))
    if ink is None:
        return None
    spans = _pieces(ink)
    if not spans or len(spans) > 12:
        return None
    found = _decode(ink, spans, MAX_JOIN, lead_number)
    if found is None and len(spans) <= 4 and any(b - a > 3 * ink.shape[0] for a, b in spans):
        # codes run together with no space ("(b)(6),(b)(7)(c)"): the pieces between any blank
        # columns, joined into words
        fine = _pieces(ink, fine=True)
        if len(fine) <= MAX_FINE:
            found = _decode(ink, fine, MAX_FINE_JOIN, lead_number)
    return found


@functools.lru_cache(maxsize=1)
def _aspects() -> tuple[float, float]:
    """The narrowest and widest width / height of any template, with room for the scan."""
    aspects = [float(a) for bank in _banks() for a in bank.aspects]
    return min(aspects) * (1 - ASPECT) - 0.1, max(aspects) * (1 + ASPECT) + 0.1


def _decode(ink: np.ndarray, spans: list[tuple[int, int]], max_join: int,
            lead_number: bool) -> TokenLabel | None:
    """The best reading of ``spans`` of ``ink`` as words that parse as a stamp, or None."""
    from app.redactions.stamps import canonical_codes, is_pure_stamp

    height = ink.shape[0]
    # a small piece may be left out: a comma standing apart, a speck (in fine pieces, only
    # a speck: a parenthesis is small there too)
    small = [(a1 - a0) < (0.3 if max_join == MAX_JOIN else 0.12) * height for a0, a1 in spans]
    cache: dict[tuple[int, int], Word | None] = {}
    lo, hi = _aspects()

    def word(i: int, j: int) -> Word | None:  # pieces i..j-1 read as one word
        if (i, j) not in cache:
            piece = ink[:, spans[i][0]: spans[j - 1][1]]
            if not lo <= piece.shape[1] / height <= hi:
                cache[(i, j)] = None  # no word of the vocabulary is that shape
                return None
            wd = read_word(piece)
            cache[(i, j)] = wd if wd is not None and wd.score >= MIN_SCORE and (
                wd.lead >= MIN_LEAD) else None
        return cache[(i, j)]

    n = len(spans)
    # options[i]: the BEAM best (score, words) readings of the pieces from i on; a small
    # piece (a comma standing apart, a speck of dithering) may be left out
    options: list[list[tuple[float, tuple[Word, ...]]]] = [[] for _ in range(n + 1)]
    options[n] = [(0.0, ())]
    for i in range(n - 1, -1, -1):
        found: list[tuple[float, tuple[Word, ...]]] = []
        if small[i]:
            found.extend(options[i + 1])
        for j in range(i + 1, min(n, i + max_join) + 1):
            if not options[j]:
                continue
            wd = word(i, j)
            if wd is None:
                continue
            width = spans[j - 1][1] - spans[i][0]
            # a word read across a gap counts a little less than words read on each side of
            # it: "(b) (4)" is two words, not the "(k)(4)" its two pieces together resemble
            weight = wd.score * (JOINED ** (j - i - 1) if max_join == MAX_JOIN else 1.0)
            found.extend((sc + weight * width, (wd, *rest)) for sc, rest in options[j])
        options[i] = sorted(found, key=lambda o: o[0], reverse=True)[:BEAM]
        if not any(options[i: i + max_join]):
            return None  # no word can span these pieces: not a stamp (body text, noise)
    for _, words in options[0]:
        if words and words[0].text.isdigit() and lead_number:
            words = words[1:]  # a line number before a margin code
        if not words:
            continue
        label = " ".join(wd.text for wd in words)
        if canonical_codes(label)[0] and is_pure_stamp(label):
            return TokenLabel(label, words)
    return None
