"""Column guessing for imported Vaughn indexes: varied header wording, clear errors."""

import pytest

from app.errors import VaughnError
from app.vaughn_index.columns import guess_columns, require_columns


def test_common_header_wordings_map_to_fields():
    headers = ["Item No.", "Bates Range", "Date", "Document Description", "Pages",
               "Exemption(s) Claimed", "Justification for Withholding", "Disposition"]
    m = guess_columns(headers)
    assert m == {"item": 0, "bates": 1, "date": 2, "description": 3, "pages": 4,
                 "exemptions": 5, "justification": 6, "disposition": 7}


def test_other_order_and_wording():
    headers = ["Basis for Withholding", "FOIA Exemptions", "Doc. No.", "Released/Withheld"]
    m = guess_columns(headers)
    assert m["justification"] == 0 and m["exemptions"] == 1 and m["bates"] == 2
    assert m["disposition"] == 3


def test_missing_columns_named_in_error():
    with pytest.raises(VaughnError) as err:
        require_columns(["Name", "Colour"], "index.csv")
    msg = str(err.value)
    assert "index.csv" in msg and "bates" in msg and "exemptions" in msg
