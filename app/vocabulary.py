"""The vocabulary of review (domain layer): exemptions, challenge grounds, statuses, dispositions,
priorities.

Every list keeps DOMAIN.md's order (the window's number keys 1-9 apply the first nine
exemptions). Items have a short stable ``key`` (what the matter stores) and a display ``label``.
:func:`resolve` turns what a reviewer typed ("b6", "segreg", "withheld") into a key, accepting
case-insensitive unambiguous prefixes of either, and raises :class:`VocabError` listing the
choices otherwise. Exemption codes are open-ended: anything that is not a catalog code is kept as
a custom code ("(j)(2)", "Personal Privacy").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.errors import VaughnError


class VocabError(VaughnError):
    """A word is not (or not unambiguously) one of the vocabulary's choices."""

    def __init__(self, kind: str, text: str, choices: list[str], matches: list[str]) -> None:
        if matches:
            why = f"{text!r} is ambiguous ({', '.join(matches)})"
        else:
            why = f"{text!r} is not a known {kind}"
        super().__init__(f"{why}; choose one of: {', '.join(choices)}")
        self.kind = kind
        self.text = text
        self.choices = choices
        self.matches = matches


@dataclass(frozen=True)
class Item:
    """One vocabulary entry: the stored key and the label shown to reviewers."""

    key: str
    label: str
    hint: str = ""


EXEMPTIONS: tuple[Item, ...] = (
    Item("(b)(1)", "(b)(1) Classified", "classified national-defense or foreign-policy information"),
    Item("(b)(2)", "(b)(2) Internal rules", "purely internal personnel rules and practices"),
    Item("(b)(3)", "(b)(3) Statute", "information another statute exempts"),
    Item("(b)(4)", "(b)(4) Commercial", "trade secrets, confidential commercial information"),
    Item("(b)(5)", "(b)(5) Privilege", "deliberative process, work product, attorney-client"),
    Item("(b)(6)", "(b)(6) Privacy", "clearly unwarranted invasion of personal privacy"),
    Item("(b)(7)(A)", "(b)(7)(A) Interference", "interference with enforcement proceedings"),
    Item("(b)(7)(B)", "(b)(7)(B) Fair trial", "deprive a person of a fair trial"),
    Item("(b)(7)(C)", "(b)(7)(C) LE privacy", "law-enforcement records: unwarranted invasion"),
    Item("(b)(7)(D)", "(b)(7)(D) Sources", "confidential sources"),
    Item("(b)(7)(E)", "(b)(7)(E) Techniques", "techniques, procedures or guidelines"),
    Item("(b)(7)(F)", "(b)(7)(F) Safety", "endanger life or physical safety"),
    Item("(b)(8)", "(b)(8) Financial", "financial-institution examination reports"),
    Item("(b)(9)", "(b)(9) Wells", "geological data on wells"),
)
EXEMPTION_CODES: tuple[str, ...] = tuple(e.key for e in EXEMPTIONS)

GROUNDS: tuple[Item, ...] = (
    Item("segregability", "Segregability", "non-exempt facts not released; whole pages withheld"),
    Item("foreseeable_harm", "Foreseeable harm not shown", "FOIA Improvement Act 2016"),
    Item("public_interest", "Public interest outweighs privacy", "(b)(6) / (b)(7)(C)"),
    Item("not_technique", "Not a law-enforcement technique",
         "generally known / no circumvention risk ((b)(7)(E))"),
    Item("not_law_enforcement", "Not compiled for law-enforcement purposes", "7 threshold"),
    Item("exemption5_defects", "Exemption 5 defects",
         "not predecisional or deliberative; factual; adopted as final; 25+ years old"),
    Item("waiver", "Waiver / public domain"),
    Item("official_acknowledgment", "Prior official acknowledgment", "Fitzgibbon test"),
    Item("inconsistent_redaction", "Inconsistent redaction",
         "released elsewhere in the production or in another tranche"),
    Item("inadequate_index", "Inadequate Vaughn index", "conclusory, uncorrelated"),
    Item("basis_not_marked", "Redaction not marked with its basis"),
    Item("search_adequacy", "Adequacy of search"),
    Item("glomar", "Glomar not justified"),
)

STATUSES: tuple[Item, ...] = (
    Item("not_reviewed", "Not reviewed"),
    Item("accept", "Accept"),
    Item("challenge", "Challenge"),
    Item("dropped", "Dropped"),
)

DISPOSITIONS: tuple[Item, ...] = (
    Item("released_in_full", "Released in full"),
    Item("released_in_part", "Released in part"),
    Item("withheld_in_full", "Withheld in full"),
    Item("duplicate", "Duplicate"),
    Item("non_responsive", "Non-responsive"),
    Item("referred", "Referred"),
)

PRIORITIES: tuple[Item, ...] = (
    Item("high", "High"),
    Item("medium", "Medium"),
    Item("low", "Low"),
)

EXHIBIT_STATUSES: tuple[Item, ...] = (
    Item("planned", "Planned"),
    Item("offered", "Offered"),
    Item("marked", "Marked"),
    Item("admitted", "Admitted"),
    Item("withdrawn", "Withdrawn"),
)

TARGET_KINDS: tuple[str, ...] = ("redaction", "page", "document")

VOCABULARIES: dict[str, tuple[Item, ...]] = {
    "exemption": EXEMPTIONS,
    "ground": GROUNDS,
    "status": STATUSES,
    "disposition": DISPOSITIONS,
    "priority": PRIORITIES,
    "exhibit_status": EXHIBIT_STATUSES,
}


def order_codes(codes: Iterable[str]) -> list[str]:
    """Exemption codes in catalog order, custom codes after them alphabetically."""
    found = set(codes)
    known = [c for c in EXEMPTION_CODES if c in found]
    return known + sorted(found - set(known))


def keys(kind: str) -> tuple[str, ...]:
    """The stored keys of one vocabulary, in order."""
    return tuple(i.key for i in _vocabulary(kind))


def label(kind: str, key: str) -> str:
    """The display label of ``key`` (the key itself when unknown, e.g. a custom code)."""
    for item in _vocabulary(kind):
        if item.key == key:
            return item.label
    return key


def _vocabulary(kind: str) -> tuple[Item, ...]:
    try:
        return VOCABULARIES[kind]
    except KeyError:
        raise VocabError("vocabulary", kind, sorted(VOCABULARIES), []) from None


def _fold(text: str) -> str:
    """Lower case, look-alike characters unified, punctuation and spaces dropped."""
    text = text.lower().replace("}", ")").replace("|", ")").replace("_", " ")
    return re.sub(r"[\W_]+", "", text)


def _exemption_fold(text: str) -> str:
    folded = _fold(text)
    for lead in ("foia", "ex", "exemption"):
        if folded.startswith(lead) and len(folded) > len(lead):
            rest = folded[len(lead):]
            if rest[:1] in "b123456789":
                folded = rest
                break
    if folded[:1].isdigit():  # "7c", "6"
        folded = "b" + folded
    return folded


def resolve(kind: str, text: str) -> str:
    """The key of ``kind``'s item that ``text`` names (key or label, or a prefix of one).

    An exact match (ignoring case, spaces and punctuation) wins; otherwise exactly one item must
    start with ``text``. Exemptions also accept stamp spellings ("b7c", "Ex. 7(C)"); anything
    else is ambiguous or unknown and raises VocabError. Use :func:`exemption_code` to accept
    custom codes.
    """
    items = _vocabulary(kind)
    fold = _exemption_fold if kind == "exemption" else _fold
    wanted = fold(text)
    choices = [i.key for i in items]
    if not wanted:
        raise VocabError(kind, text, choices, [])
    exact = [i.key for i in items if wanted in (fold(i.key), fold(i.label))]
    if len(exact) == 1:
        return exact[0]
    prefix = [i.key for i in items
              if fold(i.key).startswith(wanted) or fold(i.label).startswith(wanted)]
    if len(prefix) == 1:
        return prefix[0]
    raise VocabError(kind, text, choices, prefix)


def exemption_code(text: str) -> str:
    """A catalog code when ``text`` names exactly one, else ``text`` trimmed as a custom code."""
    text = " ".join(text.split())
    if not text:
        raise VocabError("exemption", text, list(EXEMPTION_CODES), [])
    wanted = _exemption_fold(text)
    for code in EXEMPTION_CODES:
        if _exemption_fold(code) == wanted:
            return code
    return text
