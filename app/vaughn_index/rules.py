"""Simple, explainable rules over an entry's justification text.

Each rule is a plain word test on the justification (lower case, hyphens and punctuation folded
to spaces): no regex runs on the agency's text. A rule that fires returns the kind of finding,
a sentence a reviewer can read, and the words behind it: the claim that triggered the rule and
the words it looked for and did not find (or found). The reviewer decides; these only point.

- ``no_law_enforcement_purpose``: a (b)(7) claim whose justification names no law-enforcement
  purpose (Exemption 7's threshold: records compiled for law-enforcement purposes).
- ``no_technique``: a (b)(7)(E) claim naming no technique, procedure or guideline.
- ``b5_no_privilege``: a (b)(5) claim naming no privilege.
- ``b5_not_deliberative``: a (b)(5) claim under the deliberative-process privilege (or naming
  only "privilege") that does not say the record is pre-decisional and deliberative.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import cache

# A cue is a word or phrase matched as whole words, plural "s"/"es" allowed ("method" finds
# methods, not "methodical"); a cue ending in "*" is a stem ("investigat*" finds investigation,
# investigative, investigator). A cue "a … b" is a pair: a word or phrase of the first group and,
# within NEAR words after it, one of the second ("before … decision" finds "written before the
# agency reached its decision"). The lists come from the exemptions' case law and agency
# declarations rather than from one index, so a paraphrase that names the element still counts.
# Cues stay off words an entry uses for other reasons (a privacy clause's "deportation officers"
# or "special agents" names people, not a purpose; "warranted" is not a warrant).
NEAR = 6
LAW_ENFORCEMENT = ("law enforcement", "enforc*", "investigat*", "criminal", "crime", "prosecut*",
                   "violat*", "compiled for", "compiled in", "compiled during",
                   "compiled as part", "removal proceeding", "removal case", "removal order",
                   "deportation proceeding", "deportation case", "immigration proceeding",
                   "border security", "arrest*", "case file", "case against", "action against",
                   "charges against", "charged with", "inquiry into", "inquiries into", "probe",
                   "police", "policing", "offense", "offence", "suspect*", "fugitive*",
                   "smuggl*", "traffick*", "fraud*", "unlawful*", "illegal*", "lawbreak*",
                   "wrongdo*", "inspector general", "counterterror*", "terroris*",
                   "national security", "warrant", "indictment", "interdict*", "apprehen*",
                   "detention of")
TECHNIQUE = ("technique", "procedur*", "guideline", "method", "tactic", "database", "system code",
             "operational", "surveillance", "protocol", "case management", "investigative step",
             "strateg*", "criteria", "criterion", "screening", "checklist", "manual", "handbook",
             "playbook", "tradecraft", "query", "queries", "search term", "search string",
             "search parameter", "watchlist", "watch list", "risk assessment", "risk model",
             "scoring", "algorithm*", "threshold", "prioritiz*", "prioritis*", "targeting", "selection of targets",
             "vulnerabilit*", "source and method", "sources and methods", "informant*",
             "confidential source", "undercover", "covert", "wiretap*", "intercept*",
             "investigative practice", "enforcement practice", "step by step", "approach",
             "tool", "software", "technolog*", "equipment", "instruction", "red flag",
             "indicator", "detect*", "steps taken", "modus operandi",
             "how … locate", "how … find", "how … identif*", "how … select*", "how … target*",
             "how … track*", "how … search*", "how … screen*", "how … monitor*", "how … vet*",
             "how … investigat*", "how … query", "how … queries")
PRIVILEGE = ("privileg*", "deliberat*", "attorney", "work product", "legal advice", "counsel",
             "predecisional", "pre decisional", "presidential communication",
             # the deliberative process privilege described rather than named
             "decision making", "decisionmaking", "decisional process", "policy formulation",
             "policymaking", "policy making", "frank", "frankly", "frankness", "chill*")
OTHER_PRIVILEGE = ("attorney", "work product", "legal advice", "counsel",
                   "presidential communication")
_BEFORE = ("before", "prior to", "ahead of", "in advance of", "pending", "preceding", "preceded",
           "precedes", "predat*", "until")
_DECISION = ("decision", "decid*", "final", "chose", "choice", "adopt*", "approv*", "determin*",
             "conclu*", "position", "policy", "rule", "ruling", "issued", "course")
PREDECISIONAL = ("predecisional", "pre decisional", "not final", "not yet final", "non final",
                 "preliminary", "tentative", "interim", "antecedent", "under consideration",
                 "under review", "under discussion", "undecided", "not yet decided",
                 "no decision", "no final decision", "not been decided", "not adopted",
                 "never adopted", "early stage", "earlier stage", "still open", "open question",
                 *(f"{a} … {b}" for a in _BEFORE for b in _DECISION))
DELIBERATIVE = ("deliberat*", "recommend*", "opinion", "proposal", "proposed", "draft*",
                "give and take", "back and forth", "consultat*", "suggestion", "suggested",
                "advice", "advis*", "option", "alternative", "weighs", "weighing", "weighed",
                "evaluat*", "candid", "candidly", "brainstorm*", "discussion", "debate*",
                "comments on", "edits", "views", "thinking", "pros and cons", "ideas",
                "feedback", "input")

KINDS = ("no_law_enforcement_purpose", "no_technique", "b5_no_privilege",
         "b5_not_deliberative")


@dataclass(frozen=True)
class RuleHit:
    """One rule that fired on one entry."""

    kind: str
    code: str
    summary: str
    evidence: dict[str, object]


def fold(text: str) -> str:
    """Lower case, every non-alphanumeric run one space, padded with spaces."""
    return " " + " ".join("".join(c.lower() if c.isalnum() else " " for c in text).split()) + " "


class _Words:
    """A folded justification as words, with where each word occurs, for cue lookups."""

    def __init__(self, folded: str) -> None:
        self.words = folded.split()
        self.where: dict[str, list[int]] = {}
        for i, w in enumerate(self.words):
            self.where.setdefault(w, []).append(i)
        self.sorted = sorted(self.where)
        self._memo: dict[str, list[int]] = {}

    def _ending(self, word: str) -> list[int]:
        """Positions of ``word`` as a cue's last word: itself, its plural or (``*``) a word it
        starts."""
        if not word.endswith("*"):
            hits = [self.where[w] for w in (word, word + "s", word + "es") if w in self.where]
            return hits[0] if len(hits) == 1 else sorted(i for h in hits for i in h)
        stem = word[:-1]
        out: list[int] = []
        for k in range(bisect_left(self.sorted, stem), len(self.sorted)):
            w = self.sorted[k]
            if not w.startswith(stem):
                break
            out += self.where[w]
        return sorted(out)

    def at(self, cue: str) -> list[int]:
        """Where the whole-word cue starts."""
        if cue not in self._memo:
            head, last = _parts(cue)
            ends = self._ending(last)
            n = len(head)
            self._memo[cue] = [i - n for i in ends
                               if i >= n and self.words[i - n:i] == head] if n else ends
        return self._memo[cue]

    def has(self, cue: str) -> bool:
        lead, follow = _pair(cue)
        if not follow:
            return bool(self.at(cue))
        n = len(_parts(lead)[0]) + 1
        ends = [i + n for i in self.at(lead)]
        return any(0 <= j - e < NEAR for j in self.at(follow) for e in ends)


@cache
def _parts(cue: str) -> tuple[list[str], str]:
    """A cue's words before its last, and its last word."""
    *head, last = cue.split()
    return head, last


@cache
def _pair(cue: str) -> tuple[str, str]:
    """A pair cue's two sides ("a … b"); a plain cue and ""."""
    lead, _, follow = cue.partition(" … ")
    return lead, follow


def _found(words: _Words, cues: tuple[str, ...]) -> list[str]:
    return [c for c in cues if words.has(c)]


def _any(words: _Words, cues: tuple[str, ...]) -> bool:
    return any(words.has(c) for c in cues)


def check(codes: list[str], justification: str) -> list[RuleHit]:
    """The rules that fire for an entry claiming ``codes`` with this justification."""
    folded = fold(justification)
    words = _Words(folded)
    hits: list[RuleHit] = []
    seven = [c for c in codes if c.startswith("(b)(7)")]
    if seven and not _any(words, LAW_ENFORCEMENT):
        hits.append(RuleHit(
            "no_law_enforcement_purpose", seven[0],
            f"{', '.join(seven)} claimed, but the justification names no law-enforcement "
            "purpose",
            {"trigger": seven, "looked_for": list(LAW_ENFORCEMENT), "found": []}))
    if "(b)(7)(E)" in codes and not _any(words, TECHNIQUE):
        hits.append(RuleHit(
            "no_technique", "(b)(7)(E)",
            "(b)(7)(E) claimed, but the justification names no technique, procedure or "
            "guideline",
            {"trigger": ["(b)(7)(E)"], "looked_for": list(TECHNIQUE), "found": []}))
    if "(b)(5)" in codes:
        privileges = _found(words, PRIVILEGE)
        if not privileges:
            hits.append(RuleHit(
                "b5_no_privilege", "(b)(5)",
                "(b)(5) claimed, but the justification names no privilege",
                {"trigger": ["(b)(5)"], "looked_for": list(PRIVILEGE), "found": []}))
        elif not _any(words, OTHER_PRIVILEGE):
            pre = _found(words, PREDECISIONAL)
            # "deliberative process privilege" names the privilege, not the record's character
            deli = _found(_Words(folded.replace(" deliberative process ", " ")), DELIBERATIVE)
            missing = ([] if pre else ["pre-decisional"]) + ([] if deli else ["deliberative"])
            if missing:
                hits.append(RuleHit(
                    "b5_not_deliberative", "(b)(5)",
                    f"(b)(5) deliberative-process claim that does not say the record is "
                    f"{' or '.join(missing)}",
                    {"trigger": ["(b)(5)", *privileges], "missing": missing,
                     "looked_for": list(PREDECISIONAL) + list(DELIBERATIVE),
                     "found": pre + deli}))
    return hits
