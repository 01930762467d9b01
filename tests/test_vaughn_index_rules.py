"""The text rules and the boilerplate grouping on their own: words that trigger, words that
clear, near-identical texts grouped, distinct ones not."""

from app.vaughn_index import boilerplate, rules

TEMPLATE = ("The withheld information consists of the names of agency personnel and third "
            "parties in records compiled for law enforcement purposes; release would be an "
            "unwarranted invasion of privacy. {tail}")


def kinds(codes, text):
    return [h.kind for h in rules.check(codes, text)]


def test_seven_needs_a_law_enforcement_purpose_and_seven_e_a_technique() -> None:
    assert kinds(["(b)(7)(C)"], "Names of officers.") == ["no_law_enforcement_purpose"]
    assert kinds(["(b)(7)(C)"], "Compiled for law-enforcement purposes; names of agents.") == []
    hits = rules.check(["(b)(7)(E)"], "Records of a criminal investigation.")
    assert [h.kind for h in hits] == ["no_technique"]
    assert hits[0].evidence["trigger"] == ["(b)(7)(E)"] and "technique" in hits[0].evidence[
        "looked_for"]
    assert kinds(["(b)(7)(E)"], "Investigative techniques and database codes.") == []


def test_five_needs_a_privilege_and_a_deliberative_character() -> None:
    assert kinds(["(b)(5)"], "Internal e-mails.") == ["b5_no_privilege"]
    hit = rules.check(["(b)(5)"], "Withheld under the deliberative process privilege.")[0]
    assert hit.kind == "b5_not_deliberative"
    assert hit.evidence["missing"] == ["pre-decisional", "deliberative"]
    assert kinds(["(b)(5)"], "Deliberative process privilege: a pre-decisional draft "
                             "recommendation.") == []
    assert kinds(["(b)(5)"], "Attorney-client privileged legal advice.") == []
    assert kinds(["(b)(6)"], "Names.") == []


def test_cues_are_whole_words_stems_and_near_pairs() -> None:
    # a whole word, plural allowed: "warranted" is not a warrant, "candidate" not candid
    assert kinds(["(b)(7)(C)"], "Names of officers; withholding is warranted.") == [
        "no_law_enforcement_purpose"]
    assert kinds(["(b)(7)(C)"], "Names in an arrest warrant.") == []
    assert kinds(["(b)(7)(C)"], "Names in the warrants.") == []
    # a stem: "investigat*" finds investigators
    assert kinds(["(b)(7)(C)"], "Names of investigators.") == []
    # a pair within six words: written before the agency reached its decision
    draft = "Deliberative process privilege: staff recommendations written {} on staffing."
    assert kinds(["(b)(5)"], draft.format("before the agency reached its decision")) == []
    assert kinds(["(b)(5)"], draft.format("before lunch")) == ["b5_not_deliberative"]
    far = "before the long and winding meeting of the working group ended, a decision"
    assert kinds(["(b)(5)"], draft.format(far)) == ["b5_not_deliberative"]
    hit = rules.check(["(b)(5)"], "Privileged. Discussion of a candidate.")[0]
    assert hit.evidence["found"] == ["discussion"]  # "candidate" is not "candid"


def test_boilerplate_groups_near_identical_texts_and_counts_them() -> None:
    texts = [TEMPLATE.format(tail=t) for t in ("", "No segregable portion remains.",
                                               "Nothing segregable remains.")]
    texts += ["A memo of 3 March 2021 from the Houston field office proposing two new "
              "detention contracts, drafted before the director decided.",
              "E-mails between two attorneys giving legal advice on a pending lawsuit about "
              "detention standards at the Otero facility.",
              "Names.", "Names.", "Names of agents."]
    codes = [["(b)(7)(C)"]] * 3 + [["(b)(5)"]] * 2 + [["(b)(6)"], ["(b)(7)(C)"], ["(b)(6)"]]
    found = boilerplate.groups(texts, codes)
    assert [g.members for g in found] == [(0, 1, 2), (5, 6)]
    assert not found[0].identical and found[0].min_score >= boilerplate.THRESHOLD
    assert found[1].identical and len(found[1].exemption_sets) == 2  # across exemptions
