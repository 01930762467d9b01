"""An agency's Vaughn index for a generated production, with planted discrepancies and the
answer key of the findings they must produce (tests and ``benchmarks/vaughn_index.py``).

:func:`make_index` reads a production's ``truth.json`` (``app/sample_production.py`` or the
shared corpus maker) and writes one entry per document: its Bates range, the codes stamped on
its pages, a page count and disposition, and a justification written for that document (each
code's clause names what the rules look for). Then it plants, on distinct entries, each kind
of :data:`PLANTED`, and returns the rows with the expected findings as ``(kind, ref)`` pairs
(``ref``: the entry's item number, or a document's first Bates number).
:func:`write_index` writes the rows as CSV, XLSX, DOCX or PDF (a ruled table).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

HEADERS = ["Item No.", "Bates Range", "Date", "Description", "Pages",
           "Exemption(s) Claimed", "Justification", "Disposition"]
PLANTED = ("unclaimed_exemption", "unused_claim", "uncovered_document", "uncovered_pages",
           "range_not_produced", "overlap", "page_count_mismatch", "boilerplate",
           "no_law_enforcement_purpose", "no_technique", "b5_no_privilege",
           "b5_not_deliberative")
_ORDER = ("(b)(5)", "(b)(6)", "(b)(7)(C)", "(b)(7)(E)")

# Each code's clause is three fragments drawn independently (opener, body, reason), so two
# clean entries rarely share more than a fragment: clean justifications stay well under the
# boilerplate threshold, as a careful agency's would. Every (b)(5) clause names the privilege
# and the record's pre-decisional, deliberative character; every (b)(7) clause a
# law-enforcement purpose; every (b)(7)(E) clause a technique. (b)(6) and (b)(5) fragments name
# neither law enforcement nor techniques, so a planted rule finding has no other trigger.
_CLAUSES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "(b)(5)": (
        ["Under the deliberative process privilege, the {title} is withheld in part.",
         "The deliberative process privilege protects portions of this {kind}.",
         "Exemption 5 (deliberative process privilege) covers the {draft} in the {title}.",
         "Parts of the {kind} are privileged as deliberative material of {office}.",
         "{office} invokes the deliberative process privilege for the {draft} here."],
        ["It is pre-decisional: written before the agency decided on {topic}",
         "The {draft} predates the final decision on {topic}",
         "Written prior to a final decision about {topic}",
         "It was prepared before the agency reached its decision on {topic}",
         "These pre-decisional passages were circulated before the choice on {topic}"],
        ["and sets out staff recommendations that were not adopted.",
         "and reflects the give-and-take of a consultative process.",
         "and records opinions offered to the deciding official.",
         "and contains a proposal later revised by management.",
         "and weighs options as a draft for the {office} director."]),
    "(b)(6)": (
        ["Names, telephone numbers and e-mail addresses of {n} {role} are redacted.",
         "Personal identifiers of {role} (names, dates of birth) were removed.",
         "The {kind} names {n} {role}, whose identities are withheld.",
         "Home addresses and mobile numbers of {role} appear in the {title}.",
         "Signatures and names of {n} {role} were redacted from the {kind}."],
        ["Their privacy interest is substantial",
         "Release would be a clearly unwarranted invasion of personal privacy",
         "These individuals have a real interest in not being publicly identified",
         "Disclosure could subject them to unwanted contact",
         "Their names would reveal nothing about agency conduct"],
        ["and no public interest outweighs it.",
         "and the requester has shown no countervailing public interest.",
         "so the balance favors withholding.",
         "and nothing in the record suggests official misconduct by them.",
         "so withholding is warranted."]),
    "(b)(7)(C)": (
        ["The {kind} was compiled for law enforcement purposes during {case}.",
         "These are law enforcement records of {case}.",
         "Compiled in the course of {case}, an investigation by {office}.",
         "The record documents {case}, a law enforcement matter.",
         "{office} created the {kind} for a criminal investigation ({case})."],
        ["Naming the {role} involved would associate them with the investigation",
         "Identifying the {role} could expose them to harassment or reprisal",
         "The {role} named have a strong privacy interest in that context",
         "Disclosure would link the {role} to an enforcement action",
         "Release could stigmatize the {role} mentioned"],
        ["and is an unwarranted invasion of privacy.",
         "without serving any public interest.",
         "so their identities are withheld.",
         "which Exemption 7(C) guards against.",
         "and outweighs the public interest."]),
    "(b)(7)(E)": (
        ["Database query codes in the {kind} would reveal investigative techniques.",
         "The {title} describes surveillance procedures used in {case}.",
         "Case-management system identifiers reveal law enforcement methods of {office}.",
         "Operational tactics of {office} officers in {case} are described.",
         "The record sets out investigative guidelines for {topic}."],
        ["These law enforcement techniques are not generally known",
         "Disclosure would show how investigators select targets",
         "Release would expose how the agency's enforcement systems are queried",
         "Making them public would reveal investigative gaps",
         "Publishing them would show when agents act in an investigation"],
        ["and would risk circumvention of the law.",
         "so subjects could evade detection.",
         "and could let violators avoid enforcement.",
         "which would help targets circumvent investigators.",
         "and could compromise future investigations."]),
}
_WORDS = {
    "draft": ["draft", "set of recommendations", "proposal", "draft outline", "options paper"],
    "office": ["Houston", "Chicago", "Newark", "San Diego", "Atlanta", "Phoenix", "Seattle",
               "Boston", "Miami", "Denver"],
    "topic": ["detention capacity", "staffing levels", "a bed-space contract",
              "transfer priorities", "overtime budgets", "a new field policy",
              "alternatives to detention", "courthouse access"],
    "role": ["deportation officers", "special agents", "detainees", "contract guards",
             "supervisory officers", "third-party witnesses", "field analysts"],
    "case": ["Operation Cross Check", "an ERO fugitive case", "a HSI smuggling inquiry",
             "a worksite investigation", "a removal proceeding", "an OPR misconduct probe"],
}
_BOILERPLATE = ("The withheld information consists of deliberative, pre-decisional material, "
                "the names of agency personnel and third parties in records compiled for law "
                "enforcement purposes, and law enforcement techniques and procedures whose "
                "release would risk circumvention of the law. {tail}")
_TAILS = ["", "No segregable portion remains.", "No reasonably segregable portion remains.",
          "Nothing segregable remains.", "No segregable part remains."]


def _codes(doc: dict[str, Any]) -> list[str]:
    found = {c for p in doc["pages"] for r in p["redactions"] for c in r["exemptions"]}
    return [c for c in _ORDER if c in found] + sorted(found - set(_ORDER))


# Held-out wording (``wording="held_out"``): the same legal substance in other words, written
# once and never used to tune the rules, so the benchmark can show how the rules' word lists fare
# on prose they were not written against.
HELD_OUT: dict[str, tuple[list[str], list[str], list[str]]] = {
    "(b)(5)": (
        ["Exemption 5 is asserted for internal staff analysis in the {title}.",
         "The agency withholds an internal {draft} of {office} staff under Exemption 5.",
         "Inter-agency advice in this {kind} is protected from disclosure."],
        ["The passages were written while officials were still weighing {topic}",
         "The material came before any policy was settled on {topic}",
         "Staff offered these views ahead of the ruling on {topic}"],
        ["and disclosing them would chill frank internal discussion.",
         "and they do not reflect the agency's final position.",
         "and they were never adopted as agency policy."]),
    "(b)(6)": (
        ["The {kind} identifies {n} {role} by name.",
         "Contact details for {role} were blacked out.",
         "Identifying details about {role} appear throughout the {title}."],
        ["These people are private individuals",
         "Their connection to the matter is incidental",
         "Nothing suggests they are public figures"],
        ["and releasing their details would harm them.",
         "so the agency protected their identities.",
         "and no overriding public benefit was identified."]),
    "(b)(7)(C)": (
        ["This {kind} comes from {case}, a probe run by {office} agents.",
         "The file was assembled while {office} looked into possible smuggling.",
         "{office} opened the file to pursue a suspected immigration offense ({case})."],
        ["Being tied publicly to that probe would embarrass the {role}",
         "The {role} would face stigma if named",
         "Public association with the file could damage the {role}'s reputations"],
        ["so their names are withheld under Exemption 7(C).",
         "and Exemption 7(C) applies.",
         "so the agency invokes Exemption 7(C)."]),
    "(b)(7)(E)": (
        ["The {kind} reveals how {office} agents choose which leads to pursue.",
         "Internal screening criteria used by {office} appear in the {title}.",
         "The record shows the checklist agents follow during {case}."],
        ["Public knowledge of these would let wrongdoers adjust their behavior",
         "Publishing them would tell targets what draws scrutiny",
         "Release would expose when agents step in"],
        ["and frustrate the agency's mission.",
         "so Exemption 7(E) applies.",
         "and undercut future cases."]),
}


# Fresh wording (``wording="fresh"``): a third set of paraphrases, written after the first
# held-out run to widen the rules' word lists on prose they had not seen. The held-out set stays
# untouched by that work, so its figure is still a figure on unseen prose.
FRESH: dict[str, tuple[list[str], list[str], list[str]]] = {
    "(b)(5)": (
        ["Exemption 5 shields this {kind} as intra-agency material under the deliberative "
         "process privilege.",
         "The agency asserts the deliberative-process privilege over portions of the {title}.",
         "{office} withholds the {draft} as a privileged internal deliberation.",
         "The redacted passages are covered by the privilege for agency deliberations.",
         "These portions of the {kind} are exempt as privileged intra-agency communications."],
        ["The {draft} was prepared ahead of any final agency position on {topic}",
         "It was written while {topic} was still under consideration",
         "The {draft} came before the Director chose a course on {topic}",
         "It captures staff thinking at an early stage of the review of {topic}",
         "No decision on {topic} had been reached when it was written"],
        ["and reflects the back-and-forth among staff.",
         "and sets out staff views that leadership was free to reject.",
         "and weighs competing options for senior officials.",
         "and exposing it would discourage candid internal debate.",
         "and records the personal opinions of its authors, not agency policy."]),
    "(b)(6)": (
        ["Personal details of {n} {role} appear in the {kind}.",
         "The {title} lists home telephone numbers and addresses of {role}.",
         "Employee identification numbers and personal e-mail addresses are redacted.",
         "Medical and family information about {role} is withheld.",
         "The names of {n} lower-level {role} are blacked out."],
        ["These individuals have a substantial interest in keeping such details private",
         "Disclosure would intrude on their personal lives",
         "Release could lead to unwanted contact with them",
         "The information is of a purely personal nature",
         "Releasing it would identify private persons"],
        ["and would shed no light on what the government is up to.",
         "so the privacy interest prevails.",
         "and would be a clearly unwarranted invasion of personal privacy.",
         "and no countervailing public benefit has been identified.",
         "and withholding it protects them."]),
    "(b)(7)(C)": (
        ["{office} gathered the {kind} while looking into possible immigration violations "
         "({case}).",
         "The {kind} was created in furtherance of the agency's mission to enforce federal "
         "immigration law ({case}).",
         "This {kind} belongs to the agency's law-enforcement file on {case}.",
         "The material came out of {office}'s examination of suspected unlawful employment "
         "({case}).",
         "The pages are from a removal case that {office} brought against a noncitizen "
         "({case})."],
        ["Revealing who the {role} are would tie them to the matter",
         "Naming the {role} would subject them to unwanted attention",
         "The {role} have a recognized interest in not being connected to the case",
         "Exposing their identities could invite intimidation",
         "The {role} would face embarrassment if identified"],
        ["and that outweighs any public interest in disclosure.",
         "so their names, badge numbers and phone extensions are withheld.",
         "and no overriding public interest has been shown.",
         "and Exemption 7(C) protects them.",
         "which the personal privacy exemption covers."]),
    "(b)(7)(E)": (
        ["The redacted fields hold the search strings analysts enter into the agency's "
         "records index.",
         "The {title} lays out the step-by-step approach officers follow in {case}.",
         "Screens from an internal targeting tool used by {office} are redacted.",
         "The {kind} details the thresholds {office} uses to prioritize cases.",
         "Rules for handling confidential informants appear in the {kind}."],
        ["Disclosing them would show how enforcement personnel locate people",
         "They are used in criminal and civil immigration investigations",
         "Knowing them would let lawbreakers predict agency enforcement actions",
         "They guide investigators in the field",
         "They were developed to detect violations of customs law"],
        ["and their release would allow evasion.",
         "so wrongdoers could adjust their conduct to stay ahead of agents.",
         "and could reasonably be expected to risk circumvention of the law.",
         "which would blunt the agency's efforts.",
         "and would reduce their effectiveness."]),
}


def _justify(rng: random.Random, doc: dict[str, Any], codes: list[str],
             skip: str = "", pools: dict[str, Any] | None = None) -> str:
    slots: dict[str, Any] = {k: rng.choice(v) for k, v in _WORDS.items()}
    # A planted rule's text leaves the title out: "Guidelines for ..." names a technique.
    title = "record" if skip else doc.get("title") or "record"
    slots.update(title=title, kind=doc["kind"].replace("_", " "), n=rng.randint(2, 9))
    parts = []
    for code, (openers, bodies, reasons) in (pools or _CLAUSES).items():
        if code in codes and code != skip:
            parts.append(" ".join((rng.choice(openers), rng.choice(bodies),
                                   rng.choice(reasons))).format(**slots))
    rng.shuffle(parts)
    return " ".join(parts)


def _disposition(doc: dict[str, Any]) -> str:
    wif = [p["withheld_in_full"] for p in doc["pages"]]
    if all(wif):
        return "Withheld in full"
    return "Released in part" if any(p["redactions"] for p in doc["pages"]) else \
        "Released in full"


class _Plan:
    """The index being made: one entry per produced document with redactions, the planted
    discrepancies and their answer key."""

    def __init__(self, truth: dict[str, Any], rng: random.Random,
                 pools: dict[str, Any]) -> None:
        self.truth, self.rng, self.pools = truth, rng, pools
        docs = [d for d in truth["documents"] if any(p["redactions"] for p in d["pages"])]
        self.entries: list[dict[str, Any]] = []
        for d in docs:
            codes = _codes(d)
            self.entries.append({"doc": d, "first": d["begbates"], "last": d["endbates"],
                                 "codes": codes, "pages": len(d["pages"]),
                                 "just": self.just(d, codes), "disp": _disposition(d)})
        self.key: list[tuple[str, str]] = []
        self.used: set[int] = set()
        self.extra: list[dict[str, Any]] = []

    def just(self, doc: dict[str, Any], codes: list[str], skip: str = "") -> str:
        return _justify(self.rng, doc, codes, skip, self.pools)

    def pick(self, test: Any, reuse: bool = False) -> dict[str, Any] | None:
        """A random entry passing ``test``: unused unless ``reuse`` (for plants that do not
        touch the justification), never one left out of the index."""
        options = [i for i, e in enumerate(self.entries)
                   if (reuse or i not in self.used) and test(e)
                   and not e.get("omit") and not e.get("cut")]
        if not options:
            return None
        i = self.rng.choice(options)
        self.used.add(i)
        return self.entries[i]

    @staticmethod
    def mark(e: dict[str, Any], kind: str, ref: str = "") -> None:
        e.setdefault("marks", []).append((kind, ref))

    def plant_coverage(self, plant: tuple[str, ...]) -> None:
        """Pages or a document the index leaves out; a stamped code it does not claim."""
        def wif_doc(e: dict[str, Any]) -> bool:
            pages = e["doc"]["pages"]
            return len(pages) > 1 and all(p["withheld_in_full"] for p in pages)

        if "uncovered_pages" in plant and (e := self.pick(wif_doc)):
            e["last"] = e["first"]
            e["pages"] = 1
            e["cut"] = True
            self.key.append(("uncovered_pages", e["doc"]["begbates"]))
        if "uncovered_document" in plant and (e := self.pick(lambda e: True)):
            e["omit"] = True
            self.key.append(("uncovered_document", e["doc"]["begbates"]))
        if "unclaimed_exemption" in plant and (e := self.pick(lambda e: "(b)(6)" in e["codes"])):
            e["codes"] = [c for c in e["codes"] if c != "(b)(6)"]
            e["just"] = self.just(e["doc"], e["codes"])
            self.mark(e, "unclaimed_exemption", "")

    def plant_counts(self, plant: tuple[str, ...]) -> None:
        """Boilerplate justifications, a claim on no page, a page count that is off."""
        if "boilerplate" in plant:
            for i in range(4):  # near-identical: the tail differs from entry to entry
                e = self.pick(lambda e: True)
                if e is None:
                    break
                e["just"] = _BOILERPLATE.format(tail=_TAILS[i % len(_TAILS)]).strip()
                self.mark(e, "boilerplate", "")
        if "unused_claim" in plant and (e := self.pick(lambda e: True, reuse=True)):
            e["codes"] = ["(b)(4)", *e["codes"]]
            self.mark(e, "unused_claim", "")
        if "page_count_mismatch" in plant and (e := self.pick(lambda e: True, reuse=True)):
            e["pages"] += 1
            self.mark(e, "page_count_mismatch", "")

    def plant_rules(self, plant: tuple[str, ...]) -> None:
        """Justifications that name no law-enforcement purpose, technique or privilege."""
        for kind, test, skip, tail in _RULE_PLANTS:
            if kind in plant and (e := self.pick(test)):
                e["just"] = self.just(e["doc"], e["codes"], skip=skip) + tail
                self.mark(e, kind, "")

    def plant_extra(self, plant: tuple[str, ...]) -> None:
        """An entry overlapping another, and one whose range was never produced."""
        if "overlap" in plant and (e := self.pick(lambda e: True, reuse=True)):
            d = e["doc"]
            page = [p for p in d["pages"] if p["redactions"]][-1]
            codes = [c for c in _ORDER if c in {c for r in page["redactions"]
                                                for c in r["exemptions"]}]
            self.extra.append({
                "doc": d, "first": page["bates"], "last": page["bates"], "codes": codes,
                "pages": 1, "just": self.just(d, codes) + " (Re-processed page.)",
                "disp": "Withheld in full" if page["withheld_in_full"]
                else "Released in part" if page["redactions"] else "Released in full",
                "marks": [("overlap", "")]})
        if "range_not_produced" in plant:
            truth = self.truth
            last = max(int(p["bates"][-6:]) for d in truth["documents"] for p in d["pages"])
            prefix = truth.get("prefix", "ICE-FOIA-")
            self.extra.append({
                "doc": {"kind": "memo", "title": "Missing memo"},
                "first": f"{prefix}{last + 101:06d}", "last": f"{prefix}{last + 103:06d}",
                "codes": ["(b)(6)"], "pages": 3, "disp": "Released in part",
                "just": "Names and e-mail addresses of contract staff who drafted the "
                        "missing memo are withheld for personal privacy.",
                "marks": [("range_not_produced", "")]})

    def rows(self) -> list[list[str]]:
        """The index's rows, numbered; the answer key gets each planted entry's number."""
        rows: list[list[str]] = []
        styles: list[Callable[[list[str]], str]] = [", ".join, "; ".join, lambda cs: " ".join(
            c.replace("(b)(", "b").replace(")(", "").replace(")", "") for c in cs)]
        for e in [*self.entries, *self.extra]:
            if e.get("omit"):
                continue
            n = len(rows) + 1
            bates = e["first"] if e["first"] == e["last"] else f"{e['first']} - {e['last']}"
            rows.append([str(n), bates, "", f"{e['doc']['kind'].replace('_', ' ').title()}: "
                         f"{e['doc'].get('title', '')}", str(e["pages"]),
                         self.rng.choice(styles)(e["codes"]), e["just"], e["disp"]])
            for kind, ref in e.get("marks", []):
                self.key.append((kind, ref or str(n)))
        return rows


# (finding, which entry, the clause left out of its justification, the vague text put instead)
_RULE_PLANTS: tuple[tuple[str, Any, str, str], ...] = (
    ("no_law_enforcement_purpose",
     lambda e: "(b)(7)(C)" in e["codes"] and "(b)(7)(E)" not in e["codes"], "(b)(7)(C)",
     " Names of individuals in the record are withheld as well."),
    ("no_technique", lambda e: "(b)(7)(E)" in e["codes"] and "(b)(7)(C)" in e["codes"],
     "(b)(7)(E)", " Other sensitive information was withheld because its release would harm "
     "the agency."),
    ("b5_no_privilege", lambda e: "(b)(5)" in e["codes"], "(b)(5)",
     " Internal agency communications were also withheld under Exemption 5."),
    ("b5_not_deliberative", lambda e: "(b)(5)" in e["codes"], "(b)(5)",
     " Exemption 5 applies to these internal e-mails under the deliberative process "
     "privilege."),
)


def make_index(truth: dict[str, Any], seed: int = 1, plant: tuple[str, ...] = PLANTED,
               wording: str = "tuning") -> tuple[list[list[str]], list[tuple[str, str]]]:
    """The index rows (without the header) and the expected findings.

    ``wording``: "tuning" (the clauses the rules were first checked against), "fresh" (the
    paraphrases they were widened on) or "held_out" (never used to tune them).
    """
    rng = random.Random(seed)
    pools = {"tuning": _CLAUSES, "fresh": FRESH, "held_out": HELD_OUT}[wording]
    plan = _Plan(truth, rng, pools)
    plan.plant_coverage(plant)
    plan.plant_counts(plant)
    plan.plant_rules(plant)
    plan.plant_extra(plant)
    rows = plan.rows()
    return rows, plan.key


def write_index(path: Path, rows: list[list[str]], headers: list[str] = HEADERS) -> Path:
    """Write the index as .csv, .xlsx, .docx or .pdf (a ruled table), by extension."""
    path = Path(path)
    fmt = path.suffix.lower()
    if fmt == ".csv":
        import csv

        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([headers, *rows])
    elif fmt == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        for r in [headers, *rows]:
            book.active.append(r)
        book.save(path)
    elif fmt == ".docx":
        import docx

        document = docx.Document()
        table = document.add_table(rows=1, cols=len(headers))
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.text = text
        for r in rows:
            for cell, text in zip(table.add_row().cells, r, strict=True):
                cell.text = text
        document.save(str(path))
    elif fmt == ".pdf":
        write_pdf_table(path, headers, rows)
    else:
        raise ValueError(f"no index writer for {fmt}")
    return path


def write_pdf_table(path: Path, headers: list[str], rows: list[list[str]],
                    rows_per_page: int = 8, split_last: bool = False) -> Path:
    """A landscape PDF of ruled tables, the header repeated on each page (a new page after
    ``rows_per_page`` rows or when the page is full). With ``split_last`` the last row of each
    page has its justification cut in two, the rest in the next page's first row (an entry
    split across pages)."""
    import pymupdf

    widths = [0.05, 0.17, 0.07, 0.14, 0.05, 0.1, 0.32, 0.1][:len(headers)]
    x0, usable, bottom = 20.0, 802.0, 570.0
    j = len(headers) - 2  # the justification column

    def height(line: list[str]) -> float:
        lines = 0
        for cell, w in zip(line, widths, strict=True):
            per_line = max(1, int(w * usable / 3.9))
            lines = max(lines, sum(len(part) // per_line + 1 for part in cell.split("\n")))
        return 10.0 + 9.5 * lines

    doc = pymupdf.open()
    pending = [list(r) for r in rows]
    while pending:
        page = doc.new_page(width=842, height=595)
        y = 30.0
        placed: list[list[str]] = [headers]
        used = height(headers)
        while pending and len(placed) <= rows_per_page and y + used + height(pending[0]) < bottom:
            row = pending.pop(0)
            placed.append(row)
            used += height(row)
        if len(placed) == 1:  # one row taller than a page: place it anyway
            placed.append(pending.pop(0))
        if split_last and pending and len(placed) > 2:
            last = placed[-1]
            text = last[j]
            cut = text.rfind(" ", 0, len(text) // 2)
            if cut > 0:
                last[j] = text[:cut]
                carry = [""] * len(headers)
                carry[j] = text[cut:].strip()
                pending.insert(0, carry)
        for line in placed:
            h = height(line)
            x = x0
            for cell, w in zip(line, widths, strict=True):
                rect = pymupdf.Rect(x, y, x + w * usable, y + h)
                page.draw_rect(rect, color=(0, 0, 0), width=0.6)
                page.insert_textbox(rect + (2, 2, -2, -2), cell, fontsize=7)
                x += w * usable
            y += h
    doc.save(path)
    return path
