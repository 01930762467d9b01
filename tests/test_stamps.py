"""Stamp reading: every variant of an exemption stamp maps to its canonical codes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.redactions import EXEMPTIONS, canonical_codes
from app.redactions.stamps import is_pure_stamp, slip_sheet_codes


@pytest.mark.parametrize(
    ("label", "codes"),
    [
        ("(b)(6)", ["(b)(6)"]),
        ("b6", ["(b)(6)"]),
        ("B6", ["(b)(6)"]),
        ("(b)(7)(c)", ["(b)(7)(C)"]),
        ("b7C", ["(b)(7)(C)"]),
        ("B7C", ["(b)(7)(C)"]),
        ("b7e", ["(b)(7)(E)"]),
        ("Ex. 7(C)", ["(b)(7)(C)"]),
        ("Ex.6", ["(b)(6)"]),
        ("Exemption 5", ["(b)(5)"]),
        ("Exemptions 6 and 7(C)", ["(b)(6)", "(b)(7)(C)"]),
        ("FOIA (b)(5)", ["(b)(5)"]),
        ("FOIA(b)(5)", ["(b)(5)"]),
        ("(b)(6),(b)(7)(C)", ["(b)(6)", "(b)(7)(C)"]),
        ("(b) (6), (b) (7)(C)", ["(b)(6)", "(b)(7)(C)"]),
        ("(b) (7) (E)", ["(b)(7)(E)"]),
        ("(b)(6); (b)(7)(C)", ["(b)(6)", "(b)(7)(C)"]),
        ("(b)(7)(C); (b)(6)", ["(b)(6)", "(b)(7)(C)"]),  # catalog order
        ("(b)(6), (7)(C)", ["(b)(6)", "(b)(7)(C)"]),
        ("(b)(7)(C), (E)", ["(b)(7)(C)", "(b)(7)(E)"]),
        ("(b)(6)(b)(7)(C)", ["(b)(6)", "(b)(7)(C)"]),
        ("b6, b7C, b7E", ["(b)(6)", "(b)(7)(C)", "(b)(7)(E)"]),
        ("(b}(6)", ["(b)(6)"]),
        ("|b)(6)", ["(b)(6)"]),
        ("(b)(6|", ["(b)(6)"]),
        ("[b](7)[C]", ["(b)(7)(C)"]),
        ("(b)(7)", ["(b)(7)"]),
        ("(b)(1)", ["(b)(1)"]),
        ("(b)(9)", ["(b)(9)"]),
        ("(j)(2)", ["(j)(2)"]),
        ("(k)(2)", ["(k)(2)"]),
        ("(b)(6); (k)(2)", ["(b)(6)", "(k)(2)"]),
        ("Personal Privacy", ["Personal Privacy"]),
        ("HARM TO ONGOING MATTER", ["Harm to Ongoing Matter"]),
        ("Investigative Technique", ["Investigative Technique"]),
        ("REDACTED", []),
        ("", []),
        ("hello world", []),
        ("Rule 12(b)(6) motion", []),  # a court citation is not a stamp
        ("Job6 b12", []),
    ],
)
def test_canonical_codes(label: str, codes: list[str]) -> None:
    assert canonical_codes(label)[0] == codes


def test_statute_is_kept_for_b3() -> None:
    assert canonical_codes("(b)(3): 8 U.S.C. § 1202(f)") == (["(b)(3)"], "8 U.S.C. § 1202(f)")
    codes, statute = canonical_codes("(b)(3) - 26 U.S.C. 6103; (b)(6)")
    assert codes == ["(b)(3)", "(b)(6)"]
    assert statute == "26 U.S.C. 6103"
    assert canonical_codes("(b)(3), (b)(6)") == (["(b)(3)", "(b)(6)"], "")


def test_catalog() -> None:
    assert EXEMPTIONS[0] == "(b)(1)" and EXEMPTIONS[-1] == "(b)(9)"
    assert [c for c in EXEMPTIONS if c.startswith("(b)(7)")] == [
        f"(b)(7)({x})" for x in "ABCDEF"]
    assert len(EXEMPTIONS) == 14


def test_pure_stamp() -> None:
    assert is_pure_stamp("(b)(6); (b)(7)(C)")
    assert is_pure_stamp("FOIA Ex. 5")
    assert not is_pure_stamp("Maria (b)(6)")
    assert not is_pure_stamp("REDACTED")


def test_slip_sheet_text() -> None:
    assert slip_sheet_codes("WITHHELD IN FULL PURSUANT TO (b)(5) AND (b)(6)")[:2] == (
        True, ["(b)(5)", "(b)(6)"])
    assert slip_sheet_codes("Page withheld pursuant to exemption (b)(7)(E)")[1] == ["(b)(7)(E)"]
    assert slip_sheet_codes("Deleted Page(s) b6; b7C")[:2] == (True, ["(b)(6)", "(b)(7)(C)"])
    assert slip_sheet_codes("Withheld in full")[0]
    assert not slip_sheet_codes("The memo was withheld from the public until May")[0]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_string_gives_codes_never_raises(label: str) -> None:
    codes, statute = canonical_codes(label)
    assert isinstance(codes, list) and all(isinstance(c, str) and c for c in codes)
    assert isinstance(statute, str)
    assert len(codes) == len(set(codes))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(EXEMPTIONS), min_size=1, max_size=4, unique=True),
       st.sampled_from(["; ", ", ", ",", " ", " and "]),
       st.sampled_from(["paren", "doj", "short"]))
def test_stamp_styles_round_trip(codes: list[str], sep: str, style: str) -> None:
    def fmt(code: str) -> str:
        if style == "paren":
            return code
        if style == "doj":
            return code.replace(")(", ") (")
        return "b" + code.replace("(b)", "").replace("(", "").replace(")", "")

    label = sep.join(fmt(c) for c in codes)
    got, _ = canonical_codes(label)
    assert sorted(got, key=EXEMPTIONS.index) == sorted(codes, key=EXEMPTIONS.index)


@pytest.mark.parametrize("label", ["(b) (7) (4)", "(b)(7)(8)", "FOIA (b)(7) (6)", "b7 (5)"])
def test_a_digit_where_exemption_7_takes_a_letter_is_not_read_as_another_code(label) -> None:
    """OCR reads (A) as (4), (F) as (8): "(b)(7)(4)" is a misread subparagraph, never (b)(4)
    as well; the leftover keeps the stamp from counting as fully read (so a scan's box says
    "code not legible" instead of a wrong code)."""
    codes, _ = canonical_codes(label)
    assert codes == ["(b)(7)"]
    assert not is_pure_stamp(label)


@pytest.mark.parametrize("label, codes", [
    ("(b)(7), (6)", ["(b)(6)", "(b)(7)"]),
    ("(b)(7) and (6)", ["(b)(6)", "(b)(7)"]),
    ("(b)(6)(7)(C)", ["(b)(6)", "(b)(7)(C)"]),
    ("(b)(7)(C)(6)", ["(b)(6)", "(b)(7)(C)"]),
])
def test_a_list_after_exemption_7_still_reads(label: str, codes: list[str]) -> None:
    assert canonical_codes(label)[0] == codes and is_pure_stamp(label)
