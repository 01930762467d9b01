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

from dataclasses import dataclass

# Each cue is the start of a word ("method" finds methods; "investigat*" finds investigation,
# investigative, investigator), drawn from the exemptions' case law and agency declarations
# rather than from one index, so a paraphrase that names the element still counts.
# Cues stay off words an entry uses for other reasons (a privacy clause's "deportation
# officers" or "special agents" names people, not a purpose).
LAW_ENFORCEMENT = ("law enforcement", "enforc*", "investigat*", "criminal", "crime", "prosecut*",
                   "violat*", "compiled for", "compiled in", "compiled during",
                   "compiled as part", "removal proceeding", "deportation proceeding",
                   "immigration proceeding", "border security", "arrest", "case file",
                   "inquiry into", "inquiries into", "probe", "police", "policing", "offense",
                   "offence", "suspect", "fugitive", "smuggl*", "traffick*", "fraud",
                   "inspector general", "counterterror", "terroris*", "national security",
                   "warrant", "indictment", "interdict*", "apprehen*", "detention of")
TECHNIQUE = ("technique", "procedur*", "guideline", "method", "tactic", "database", "system code",
             "operational", "surveillance", "protocol", "case management", "investigative step",
             "strateg*", "criteria", "screening", "checklist", "manual", "handbook", "playbook",
             "tradecraft", "query", "queries", "watchlist", "risk assessment", "risk model",
             "targeting", "selection of targets", "vulnerabilit*", "source and method",
             "sources and methods", "investigative practice", "enforcement practice",
             "how investigators", "how agents", "how officers", "how the agency detect",
             "detection", "steps taken", "modus operandi")
PRIVILEGE = ("privileg*", "deliberat*", "attorney", "work product", "legal advice", "counsel",
             "predecisional", "pre decisional", "presidential communication",
             # the deliberative process privilege described rather than named
             "decision making", "decisionmaking", "decisional process", "policy formulation",
             "policymaking", "policy making", "frank", "chill")
OTHER_PRIVILEGE = ("attorney", "work product", "legal advice", "counsel",
                   "presidential communication")
PREDECISIONAL = ("predecisional", "pre decisional", "prior to a final", "prior to the final",
                 "prior to any final", "before a final", "before the final", "before any final",
                 "before the agency", "not final", "not yet final", "non final",
                 "prior to adoption", "prior to its adoption", "before a decision",
                 "before the decision", "prior to the decision", "prior to a decision",
                 "in advance of", "preliminary", "tentative", "interim", "predates", "predated", "precedes", "preceded", "preceding",
                 "antecedent")
DELIBERATIVE = ("deliberat*", "recommend", "opinion", "proposal", "proposed", "draft",
                "give and take", "consultat*", "suggestion", "advice", "advis*", "options",
                "alternatives", "weighs", "weighing", "evaluat*", "candid", "brainstorm*",
                "discussion", "comments on", "edits")

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


def _found(folded: str, words: tuple[str, ...]) -> list[str]:
    return [w for w in words if f" {w.rstrip('*')}" in folded]


def check(codes: list[str], justification: str) -> list[RuleHit]:
    """The rules that fire for an entry claiming ``codes`` with this justification."""
    folded = fold(justification)
    hits: list[RuleHit] = []
    seven = [c for c in codes if c.startswith("(b)(7)")]
    if seven and not _found(folded, LAW_ENFORCEMENT):
        hits.append(RuleHit(
            "no_law_enforcement_purpose", seven[0],
            f"{', '.join(seven)} claimed, but the justification names no law-enforcement "
            "purpose",
            {"trigger": seven, "looked_for": list(LAW_ENFORCEMENT), "found": []}))
    if "(b)(7)(E)" in codes and not _found(folded, TECHNIQUE):
        hits.append(RuleHit(
            "no_technique", "(b)(7)(E)",
            "(b)(7)(E) claimed, but the justification names no technique, procedure or "
            "guideline",
            {"trigger": ["(b)(7)(E)"], "looked_for": list(TECHNIQUE), "found": []}))
    if "(b)(5)" in codes:
        privileges = _found(folded, PRIVILEGE)
        if not privileges:
            hits.append(RuleHit(
                "b5_no_privilege", "(b)(5)",
                "(b)(5) claimed, but the justification names no privilege",
                {"trigger": ["(b)(5)"], "looked_for": list(PRIVILEGE), "found": []}))
        elif not _found(folded, OTHER_PRIVILEGE):
            pre = _found(folded, PREDECISIONAL)
            # "deliberative process privilege" names the privilege, not the record's character
            deli = _found(folded.replace(" deliberative process ", " "), DELIBERATIVE)
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
