"""Tests for app.ingest.loadfile: Concordance DAT and Opticon OPT parsing, path resolution."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.errors import LoadFileError
from app.ingest.loadfile import (
    DatFile,
    OptRecord,
    group_documents,
    parse_dat,
    parse_dat_bytes,
    parse_opt,
    parse_opt_bytes,
    read_text_file,
    resolve_volume_path,
)

THORN, DC4, PILCROW, REG = "\u00fe", "\x14", "\u00b6", "\u00ae"
SAMPLES = Path(__file__).parent / "data" / "loadfiles" / "relativity"


def concordance(rows: list[list[str]], sep: str = DC4, q: str = THORN, nl: str = REG) -> str:
    """Rows written the way make_production.write_loadfile writes them (CRLF, ® for newlines)."""
    return "".join(sep.join(q + v.replace("\n", nl) + q for v in row) + "\r\n" for row in rows)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


HEADER = ["BEGBATES", "ENDBATES", "PAGECOUNT", "TITLE"]
ROWS = [
    ["ABC-000001", "ABC-000002", "2", "Weekly report\nsecond line"],
    ["ABC-000003", "ABC-000003", "1", "Memo, re: Ólafur Þórsson"],
]
EXPECTED = [dict(zip(HEADER, row, strict=True)) for row in ROWS]


# ------------------------------------------------------------------------------ DAT: dialects


def test_make_production_style_dat(tmp_path: Path) -> None:
    text = "\ufeff" + concordance([HEADER, *ROWS])
    path = write(tmp_path, "VOL001.dat", text.encode("utf-8"))
    dat = parse_dat(path)
    assert isinstance(dat, DatFile)
    assert dat.path == str(path)
    assert dat.encoding == "utf-8-sig"
    assert (dat.delimiter, dat.qualifier, dat.has_header) == (DC4, THORN, True)
    assert dat.fields == HEADER
    assert dat.keys == HEADER
    assert dat.rows == EXPECTED
    assert dat.rows[0]["TITLE"] == "Weekly report\nsecond line"  # ® became a newline
    assert dat.warnings == []


def test_pilcrow_separator_utf8_without_bom() -> None:
    dat = parse_dat_bytes(concordance([HEADER, *ROWS], sep=PILCROW).encode("utf-8"))
    assert (dat.encoding, dat.delimiter, dat.qualifier) == ("utf-8", PILCROW, THORN)
    assert dat.rows == EXPECTED


@pytest.mark.parametrize("sep", [DC4, PILCROW])
def test_cp1252_thorn_is_one_byte(sep: str) -> None:
    data = concordance([HEADER, *ROWS], sep=sep).encode("cp1252")
    assert b"\xfe" in data and "þ".encode() not in data
    dat = parse_dat_bytes(data)
    assert (dat.encoding, dat.delimiter, dat.qualifier) == ("cp1252", sep, THORN)
    assert dat.rows == EXPECTED


def test_cp1252_undefined_bytes_still_decode() -> None:
    data = concordance([["BEGBATES", "NOTE"], ["X000001", "a\x81b"]]).encode("latin-1")
    dat = parse_dat_bytes(data)
    assert dat.encoding == "cp1252"
    assert dat.rows[0]["NOTE"] == "a\x81b"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec: str) -> None:
    data = ("\ufeff" + concordance([HEADER, *ROWS])).encode(codec)
    dat = parse_dat_bytes(data)
    assert dat.encoding == "utf-16"
    assert dat.rows == EXPECTED


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected_by_nul_pattern(codec: str) -> None:
    dat = parse_dat_bytes(concordance([HEADER, *ROWS]).encode(codec))
    assert dat.encoding == codec
    assert dat.rows == EXPECTED


def test_broken_utf8_after_bom_is_replaced_with_a_warning() -> None:
    data = b"\xef\xbb\xbf" + concordance([["BEGBATES"], ["X000001"]]).encode() + b"\xff\r\n"
    dat = parse_dat_bytes(data)
    assert dat.encoding == "utf-8-sig"
    assert any("U+FFFD" in w for w in dat.warnings)


def test_pipe_delimiter_caret_qualifier_with_delimiter_inside_value() -> None:
    text = "Control Number|Custodian|Title\r\n^Sample_|_0001^|Doe, Jane|^a ^ b^\r\n"
    dat = parse_dat_bytes(text.encode())
    assert (dat.delimiter, dat.qualifier, dat.has_header) == ("|", "^", True)
    assert dat.fields == ["Control Number", "Custodian", "Title"]
    assert dat.rows == [
        {"CONTROL NUMBER": "Sample_|_0001", "CUSTODIAN": "Doe, Jane", "TITLE": "a ^ b"}
    ]


def test_tab_and_comma_delimiters() -> None:
    tab = parse_dat_bytes(b"BEGBATES\tTITLE\nX000001\tHello, world\n")
    assert (tab.delimiter, tab.qualifier) == ("\t", "")
    assert tab.rows == [{"BEGBATES": "X000001", "TITLE": "Hello, world"}]
    csv = parse_dat_bytes(b'"BEGBATES","TITLE"\n"X000001","Hello, ""world"""\n')
    assert (csv.delimiter, csv.qualifier) == (",", '"')
    assert csv.rows == [{"BEGBATES": "X000001", "TITLE": 'Hello, "world"'}]


def test_unqualified_concordance_and_mixed_qualification() -> None:
    text = f"BEGBATES{DC4}TITLE{DC4}NOTE\r\nX000001{DC4}{THORN}a{DC4}b{THORN}{DC4}plain\r\n"
    dat = parse_dat_bytes(text.encode())
    assert dat.rows == [{"BEGBATES": "X000001", "TITLE": f"a{DC4}b", "NOTE": "plain"}]


def test_embedded_real_newlines_inside_qualified_values_and_line_numbers() -> None:
    rows = [["BEGBATES", "BODY"], ["X000001", "one\r\ntwo\nthree\rfour"], ["X000002", "ok"]]
    text = "".join(DC4.join(THORN + v + THORN for v in row) + "\r\n" for row in rows)
    text += f"{THORN}X000003{THORN}\r\n"  # line 7: header, 4 lines for X000001, 1 for X000002
    with pytest.raises(LoadFileError) as err:
        parse_dat_bytes(text.encode(), "x.dat")
    assert err.value.line == 7
    assert err.value.path == "x.dat"
    assert "expected 2 fields, found 1" in err.value.reason
    dat = parse_dat_bytes("".join(text.splitlines(keepends=True)[:-1]).encode())
    assert dat.rows[0]["BODY"] == "one\ntwo\nthree\nfour"
    assert dat.rows[1] == {"BEGBATES": "X000002", "BODY": "ok"}


def test_stray_and_doubled_qualifiers_inside_values() -> None:
    text = concordance([["BEGBATES", "NAME"]]) + (
        f"{THORN}X000001{THORN}{DC4}{THORN}Þór {THORN}orsson{THORN}\r\n"
        f"{THORN}X000002{THORN}{DC4}{THORN}ends with {THORN}{THORN}{THORN}\r\n"
    )
    dat = parse_dat_bytes(text.encode())
    assert [r["NAME"] for r in dat.rows] == [f"Þór {THORN}orsson", f"ends with {THORN}"]


@pytest.mark.parametrize(
    ("first", "is_header"),
    [
        (["BEGBATES", "ENDBATES"], True),
        (["Control Number", "Domains (Email BCC)"], True),
        (["Name", "Artifact ID"], True),
        (["MD5 Hash", "Date/Time Sent"], True),
        (["ABC-000001", "ABC-000002"], False),
        (["Sample_0000007", "Sample John"], False),
        (["Test1", "1040918"], False),
        (["", "BEGBATES"], False),
        (["Sample John", "12/21/2001"], False),
        (["someone@example.com", "TITLE"], False),
    ],
)
def test_header_detection(first: list[str], is_header: bool) -> None:
    dat = parse_dat_bytes(concordance([first, ["Z", "z"]]).encode())
    assert dat.has_header is is_header
    if is_header:
        assert dat.fields == first
        assert len(dat.rows) == 1
    else:
        assert dat.fields == ["FIELD1", "FIELD2"]
        assert dat.rows[0] == {"FIELD1": first[0], "FIELD2": first[1]}


def test_header_names_are_stripped_and_upper_cased_for_keys() -> None:
    dat = parse_dat_bytes(concordance([[" BegBates ", "Page Count"], ["X000001", "3"]]).encode())
    assert dat.fields == [" BegBates ", "Page Count"]
    assert dat.rows == [{"BEGBATES": "X000001", "PAGE COUNT": "3"}]


def test_duplicate_field_names_get_suffixes_and_a_warning() -> None:
    dat = parse_dat_bytes(
        concordance([["BEGBATES", "Subject", "SUBJECT"], ["X1", "a", "b"]]).encode()
    )
    assert dat.keys == ["BEGBATES", "SUBJECT", "SUBJECT_2"]
    assert dat.rows == [{"BEGBATES": "X1", "SUBJECT": "a", "SUBJECT_2": "b"}]
    assert any("duplicate field name SUBJECT" in w for w in dat.warnings)


def test_header_only_file_has_no_rows() -> None:
    dat = parse_dat_bytes(concordance([HEADER]).encode())
    assert dat.has_header and dat.rows == []


def test_blank_lines_are_skipped_but_counted() -> None:
    text = "\r\n" + concordance([HEADER]) + "\r\n  \r\n" + concordance(ROWS) + "\r\n"
    dat = parse_dat_bytes(text.encode())
    assert dat.rows == EXPECTED
    bad = "\r\n" + concordance([HEADER]) + "\r\n" + concordance([["X000001"]])
    with pytest.raises(LoadFileError) as err:
        parse_dat_bytes(bad.encode())
    assert err.value.line == 4


def test_trailing_delimiter_on_every_line() -> None:
    text = f"BEGBATES{DC4}TITLE{DC4}\r\nX000001{DC4}a{DC4}\r\nX000002{DC4}b\r\n"
    dat = parse_dat_bytes(text.encode())
    assert dat.has_header and dat.fields == ["BEGBATES", "TITLE", ""]
    assert dat.keys == ["BEGBATES", "TITLE", "FIELD3"]
    assert dat.rows == [
        {"BEGBATES": "X000001", "TITLE": "a", "FIELD3": ""},
        {"BEGBATES": "X000002", "TITLE": "b", "FIELD3": ""},
    ]
    assert dat.warnings == ["line 1: field 3 has no name; using FIELD3"]


def test_unnamed_last_column_keeps_its_values() -> None:
    dat = parse_dat_bytes(concordance([["BEGBATES", ""], ["X000001", "z"]]).encode())
    assert dat.has_header
    assert dat.rows == [{"BEGBATES": "X000001", "FIELD2": "z"}]


def test_dos_eof_marker_is_ignored() -> None:
    dat = parse_dat_bytes(concordance([HEADER, *ROWS]).encode() + b"\x1a")
    assert dat.rows == EXPECTED


# ------------------------------------------------------------------------------ DAT: errors


def test_field_count_mismatch_names_the_line(tmp_path: Path) -> None:
    text = concordance([HEADER, *ROWS, ["ABC-000004", "ABC-000004", "1"]])
    path = write(tmp_path, "bad.dat", text.encode())
    with pytest.raises(LoadFileError) as err:
        parse_dat(path)
    assert err.value.line == 4
    assert err.value.path == str(path)
    assert "expected 4 fields, found 3" in err.value.reason
    assert "line 4" in str(err.value)


def test_too_many_fields_is_an_error() -> None:
    with pytest.raises(LoadFileError, match="expected 2 fields, found 3"):
        parse_dat_bytes(concordance([["BEGBATES", "TITLE"], ["X1", "a", "b"]]).encode())


def test_unterminated_qualifier_names_the_line_where_the_value_started() -> None:
    text = concordance([HEADER, ROWS[0]]) + f"{THORN}ABC-000009{THORN}{DC4}{THORN}never\r\nends"
    with pytest.raises(LoadFileError) as err:
        parse_dat_bytes(text.encode())
    assert err.value.line == 3
    assert "unterminated" in err.value.reason


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b"  \n", b"\xff\xfe", b"\x1a"])
def test_empty_load_file(data: bytes) -> None:
    with pytest.raises(LoadFileError, match="empty load file"):
        parse_dat_bytes(data)


def test_missing_file_is_a_load_file_error(tmp_path: Path) -> None:
    with pytest.raises(LoadFileError, match="cannot read"):
        parse_dat(tmp_path / "nope.dat")
    with pytest.raises(LoadFileError, match="cannot read"):
        parse_opt(tmp_path / "nope.opt")


# ------------------------------------------------------------------------------ DAT: warnings


def test_duplicate_begbates_is_a_warning() -> None:
    rows = [["TITLE", "BEGBATES"], ["a", "X000001"], ["b", "X000002"], ["c", "X000001"], ["d", ""]]
    dat = parse_dat_bytes(concordance(rows).encode())
    assert len(dat.rows) == 4
    assert dat.warnings == [
        "line 4: duplicate BEGBATES X000001 (first on line 2)",
        "line 5: empty BEGBATES",
    ]


def test_duplicate_first_column_without_begbates_is_a_warning() -> None:
    dat = parse_dat_bytes(concordance([["X000001", "a"], ["X000001", "b"]]).encode())
    assert not dat.has_header
    assert dat.warnings == ["line 2: duplicate FIELD1 X000001 (first on line 1)"]


# ------------------------------------------------------------------------------ text files


@pytest.mark.parametrize(
    ("codec", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("cp1252", b"")],
)
def test_read_text_file(tmp_path: Path, codec: str, bom: bytes) -> None:
    body = "Page one – Þórsson café\n\fPage two\n"
    path = write(tmp_path, "t.txt", bom + body.encode(codec))
    assert read_text_file(path) == body
    assert read_text_file(str(path)).split("\n\f") == ["Page one – Þórsson café", "Page two\n"]


# ------------------------------------------------------------------------------ OPT

OPT = (
    "ABC-000001,VOL001,IMAGES\\IMG0001\\ABC-000001.tif,Y,,,2\r\n"
    "ABC-000002,VOL001,IMAGES\\IMG0001\\ABC-000002.tif,,,,\r\n"
    "ABC-000003,VOL001,IMAGES\\IMG0001\\ABC-000003.tif,Y,,,1\r\n"
    "ABC-000004,,IMAGES\\IMG0001\\ABC-000004.tif,y,,,3\r\n"
    "ABC-000005,,IMAGES\\IMG0001\\ABC-000005.tif\r\n"
    "ABC-000006,,IMAGES\\IMG0001\\ABC-000006.tif,,\r\n"
)


def test_parse_opt(tmp_path: Path) -> None:
    records = parse_opt(write(tmp_path, "VOL001.opt", OPT.encode()))
    assert records[0] == OptRecord(
        image_key="ABC-000001",
        volume="VOL001",
        path="IMAGES\\IMG0001\\ABC-000001.tif",
        doc_break=True,
        page_count=2,
        line=1,
    )
    assert [r.doc_break for r in records] == [True, False, True, True, False, False]
    assert [r.page_count for r in records] == [2, None, 1, 3, None, None]
    assert [r.volume for r in records] == ["VOL001"] * 3 + [""] * 3
    assert [r.line for r in records] == [1, 2, 3, 4, 5, 6]
    docs = group_documents(records)
    assert [[r.image_key for r in d] for d in docs] == [
        ["ABC-000001", "ABC-000002"],
        ["ABC-000003"],
        ["ABC-000004", "ABC-000005", "ABC-000006"],
    ]


def test_opt_bom_blank_lines_and_lf_only() -> None:
    data = b"\xef\xbb\xbf\n" + OPT.replace("\r\n", "\n\n").encode()
    records = parse_opt_bytes(data)
    assert [r.line for r in records] == [2, 4, 6, 8, 10, 12]
    assert records[0].image_key == "ABC-000001"


def test_opt_utf16_and_cp1252() -> None:
    assert parse_opt_bytes(("\ufeff" + OPT).encode("utf-16-le"))[3].page_count == 3
    rec = parse_opt_bytes("KÉY 000001,V,IMAGES\\Þ.tif,Y,,,1\r\n".encode("cp1252"))[0]
    assert (rec.image_key, rec.path) == ("KÉY 000001", "IMAGES\\Þ.tif")


def test_opt_first_record_is_always_a_document_start() -> None:
    records = parse_opt_bytes(b"A0001,V,a.tif,,,,\r\nA0002,V,b.tif,,,,\r\n")
    assert [r.doc_break for r in records] == [True, False]
    assert len(group_documents(records)) == 1


def test_opt_comma_inside_path_and_trailing_commas() -> None:
    rec = parse_opt_bytes(b"A0001,V,IMAGES\\a,b.tif,Y,,,1,,\r\n")[0]
    assert (rec.path, rec.doc_break, rec.page_count) == ("IMAGES\\a,b.tif", True, 1)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("A0003,V,c.tif,,,,x", "PageCount 'x' is not a whole number"),
        ("A0003,V,c.tif,,,,-1", "not a whole number"),
        ("A0003,V,c.tif,,,," + "9" * 5000, "not a whole number"),
        ("A0003,V", "expected at least 3"),
        ("A0003", "expected at least 3"),
        (",V,c.tif,,,,", "empty ImageKey"),
        ("A0003,V, ,,,,", "empty image path"),
    ],
)
def test_opt_errors_name_the_line(line: str, reason: str) -> None:
    data = f"A0001,V,a.tif,Y,,,2\r\nA0002,V,b.tif,,,,\r\n\r\n{line}\r\n".encode()
    with pytest.raises(LoadFileError) as err:
        parse_opt_bytes(data, "v.opt")
    assert err.value.line == 4
    assert reason in err.value.reason


@pytest.mark.parametrize("data", [b"", b"\r\n \r\n", b"\xef\xbb\xbf"])
def test_opt_empty(data: bytes) -> None:
    with pytest.raises(LoadFileError, match="empty load file"):
        parse_opt_bytes(data)


def test_group_documents_edge_cases() -> None:
    assert group_documents([]) == []
    page = OptRecord("A1", "", "a.tif", False, None, 1)
    assert group_documents([page, page]) == [[page, page]]


# ------------------------------------------------------------------------------ paths


@pytest.fixture
def volume(tmp_path: Path) -> Path:
    root = tmp_path / "prod" / "VOL01"
    (root / "IMAGES" / "IMG001").mkdir(parents=True)
    (root / "IMAGES" / "IMG001" / "Page.TIF").write_bytes(b"II*\x00")
    (root / "TEXT").mkdir()
    (root / "TEXT" / "doc.txt").write_text("hello")
    (tmp_path / "prod" / "secret.txt").write_text("outside the volume")
    return root


def test_resolve_exact_and_case_insensitive(volume: Path) -> None:
    expected = volume / "IMAGES" / "IMG001" / "Page.TIF"
    assert resolve_volume_path(volume, "IMAGES\\IMG001\\Page.TIF") == expected
    assert resolve_volume_path(volume, "images\\img001\\page.tif") == expected
    assert resolve_volume_path(volume, "IMAGES/IMG001/PAGE.tif") == expected


@pytest.mark.parametrize(
    "written",
    [
        ".\\VOL01\\IMAGES\\IMG001\\Page.TIF",
        "VOL01\\IMAGES\\IMG001\\Page.TIF",
        "\\IMAGES\\IMG001\\Page.TIF",
        "C:\\Productions\\VOL01\\IMAGES\\IMG001\\Page.TIF",
        "d:IMAGES\\IMG001\\page.tif",
        "  .\\vol01\\images\\img001\\page.tif  ",
        "\\\\server\\share\\VOL01\\IMAGES\\IMG001\\Page.TIF",
    ],
)
def test_resolve_strips_leading_components(volume: Path, written: str) -> None:
    assert resolve_volume_path(volume, written) == volume / "IMAGES" / "IMG001" / "Page.TIF"


def test_resolve_from_the_parent_folder(volume: Path) -> None:
    parent = volume.parent
    found = resolve_volume_path(parent, ".\\VOL01\\IMAGES\\IMG001\\Page.TIF")
    assert found == parent / "VOL01" / "IMAGES" / "IMG001" / "Page.TIF"


@pytest.mark.parametrize(
    "written",
    [
        "..\\secret.txt",
        "..\\..\\etc\\passwd",
        "IMAGES\\..\\..\\secret.txt",
        "/etc/passwd",
        "C:\\Windows\\win.ini",
        "IMAGES\\IMG001\\missing.tif",
        "IMAGES\\IMG001",
        "",
        "   ",
        ".\\",
        "a\x00b",
        "x" * 5000,
    ],
)
def test_resolve_refuses_escapes_and_missing(volume: Path, written: str) -> None:
    assert resolve_volume_path(volume, written) is None


def test_resolve_prefers_the_exact_name_when_cases_collide(volume: Path) -> None:
    folder = volume / "IMAGES" / "IMG001"
    (folder / "page.tif").write_bytes(b"lower")
    assert resolve_volume_path(volume, "IMAGES\\IMG001\\page.tif") == folder / "page.tif"
    if (folder / "Page.TIF").read_bytes() != b"lower":  # a case-sensitive filesystem: two files
        assert resolve_volume_path(volume, "IMAGES\\IMG001\\Page.TIF") == folder / "Page.TIF"


def test_resolve_never_follows_a_symlink_out_of_the_volume(volume: Path) -> None:
    link = volume / "TEXT" / "leak.txt"
    os.symlink(volume.parent / "secret.txt", link)
    assert link.read_text() == "outside the volume"
    assert resolve_volume_path(volume, "TEXT\\leak.txt") is None
    assert resolve_volume_path(volume, "text\\LEAK.TXT") is None
    os.symlink(volume.parent, volume / "up")
    assert resolve_volume_path(volume, "up\\secret.txt") is None
    assert resolve_volume_path(volume, "TEXT\\doc.txt") == volume / "TEXT" / "doc.txt"


# ------------------------------------------------------------------------------ real samples


@pytest.mark.parametrize(
    ("name", "delimiter", "qualifier", "has_header", "n_fields", "n_rows"),
    [
        ("load_file_01.dat", "|", "", True, 23, 4),
        ("load_file_02.dat", "|", "", False, 23, 2),
        ("load_file_03.dat", DC4, THORN, False, 23, 2),
        ("load_file_04.dat", "|", "^", True, 23, 2),
        ("load_file_05.dat", "|", "", True, 23, 4),
        ("load_file_07_0.dat", DC4, THORN, False, 23, 12),
        ("load_file_07_1.dat", DC4, THORN, False, 23, 12),
        ("rdo_load_file_01.dat", DC4, THORN, True, 6, 3),
        ("rdo_load_file_02.dat", "|", "^", True, 6, 3),
        ("rdo_load_file_03.dat", DC4, THORN, True, 3, 3),
    ],
)
def test_relativity_samples_parse(
    name: str, delimiter: str, qualifier: str, has_header: bool, n_fields: int, n_rows: int
) -> None:
    dat = parse_dat(SAMPLES / name)
    assert (dat.delimiter, dat.qualifier, dat.has_header) == (delimiter, qualifier, has_header)
    assert (len(dat.fields), len(dat.rows)) == (n_fields, n_rows)
    assert dat.encoding in ("utf-8-sig", "utf-8")
    first_key = dat.keys[0]
    assert all(row[first_key].startswith(("Sample", "RDO_", "Test")) for row in dat.rows)


def test_relativity_load_file_01_fields_and_text_paths() -> None:
    dat = parse_dat(SAMPLES / "load_file_01.dat")
    assert dat.encoding == "utf-8-sig"
    assert dat.fields[0] == "Control Number" and dat.fields[-1] == "FILE_PATH"
    row = dat.rows[0]
    assert row["CONTROL NUMBER"] == "Sample_0000001"
    assert row["EMAIL FROM"] == "Demo  User <Demo.User@Sample.com>"
    text_path = resolve_volume_path(SAMPLES, row["EXTRACTED TEXT"])
    assert text_path is not None
    assert read_text_file(text_path) == "Sample Extracted text for EDRM-Sample1.txt"
    # natives were not copied into the fixtures: a missing file resolves to None
    assert resolve_volume_path(SAMPLES, row["FILE_PATH"]) is None


def test_relativity_load_file_04_delimiter_inside_caret_qualifier() -> None:
    dat = parse_dat(SAMPLES / "load_file_04.dat")
    assert [r["CONTROL NUMBER"] for r in dat.rows] == ["Sample_|_00000013", "Sample_|_00000014"]
    assert dat.encoding == "utf-8"


def test_relativity_load_file_05_bad_dates_are_values() -> None:
    dat = parse_dat(SAMPLES / "load_file_05.dat")
    assert dat.rows[0]["DATE SENT"] == "13/21/2001 3:48 PM"
    assert dat.rows[1]["DATE SENT"] == "14/21/2001 3:58 PM"
    assert dat.warnings == []


def test_relativity_load_file_07_0_duplicate_key_warning() -> None:
    dat = parse_dat(SAMPLES / "load_file_07_0.dat")
    keys = [r["FIELD1"] for r in dat.rows]
    assert keys.count("Sample_0000073") == 2 and "Sample_0000074" not in keys
    assert dat.warnings == ["line 4: duplicate FIELD1 Sample_0000073 (first on line 3)"]
    assert dat.rows[0]["FIELD13"] == ".\\VOL01\\TEXT\\TEXT00001\\EDRM-Sample1.txt"


@pytest.mark.parametrize("name", ["Opticon_01.opt", "opticon_02.opt"])
def test_relativity_opticon_samples(name: str) -> None:
    records = parse_opt(SAMPLES / name)
    assert len(records) == 5
    assert records[0].doc_break and records[0].page_count == 5
    assert not any(r.doc_break for r in records[1:])
    assert all(r.volume == "VOL01" and r.path.startswith(".\\VOL01\\IMAGES\\") for r in records)
    assert [len(d) for d in group_documents(records)] == [5]


def test_relativity_volume_text_resolves_when_copied(tmp_path: Path) -> None:
    vol = tmp_path / "VOL01"
    shutil.copytree(SAMPLES / "VOL01", vol)
    dat = parse_dat(SAMPLES / "load_file_02.dat")
    for row in dat.rows:
        found = resolve_volume_path(vol, row["FIELD13"])
        assert found is not None and found.is_relative_to(vol)
        assert read_text_file(found).startswith("Sample Extracted text")


# ------------------------------------------------------------------------------ properties

PROPERTY = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_load_file_errors(call, data: bytes) -> None:
    try:
        call(data)
    except LoadFileError as exc:
        assert "internal error" not in exc.reason, exc.reason
        assert isinstance(exc.line, int) and exc.line >= 0


@PROPERTY
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise_anything_else(data: bytes) -> None:
    _only_load_file_errors(parse_dat_bytes, data)
    _only_load_file_errors(parse_opt_bytes, data)


# fmt: off
DAT_FRAGMENTS = st.sampled_from(
    [THORN, DC4, PILCROW, REG, "\r\n", "\n", "\r", '"', "^", "|", ",", "\t", " ", "\x00",
     "\x1a", "\ufeff", "BEGBATES", "Title", "ABC-000001", "Þór", "é", "", "Y", "7", "x" * 3]
)
OPT_FRAGMENTS = st.sampled_from(
    [",", ",,", ",,,,", "Y", "y", "\r\n", "\n", "\r", " ", "ABC-000001", "VOL001", "5", "-1",
     "x", "IMAGES\\IMG0001\\a.tif", ".\\VOL01\\", "\ufeff", "\x00", THORN, "99999999999"]
)
# fmt: on
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1252"])


@PROPERTY
@given(st.lists(DAT_FRAGMENTS, max_size=40), ENCODINGS)
def test_structured_dat_content_never_raises_anything_else(parts: list[str], codec: str) -> None:
    _only_load_file_errors(parse_dat_bytes, "".join(parts).encode(codec, "replace"))


@PROPERTY
@given(st.lists(OPT_FRAGMENTS, max_size=40), ENCODINGS)
def test_structured_opt_content_never_raises_anything_else(parts: list[str], codec: str) -> None:
    _only_load_file_errors(parse_opt_bytes, "".join(parts).encode(codec, "replace"))


@PROPERTY
@given(st.lists(OPT_FRAGMENTS, max_size=30))
def test_opt_records_are_consistent(parts: list[str]) -> None:
    try:
        records = parse_opt_bytes("".join(parts).encode())
    except LoadFileError as exc:
        assert "internal error" not in exc.reason
        return
    assert records and records[0].doc_break
    assert all(r.image_key and r.path for r in records)
    assert [r.line for r in records] == sorted({r.line for r in records})
    docs = group_documents(records)
    assert [r for d in docs for r in d] == records
    assert all(d[0].doc_break and not any(r.doc_break for r in d[1:]) for d in docs)


# Round trip: values written in Concordance style parse back unchanged.
STYLES = [(DC4, THORN), (PILCROW, THORN), ("|", "^"), (",", '"'), ("\t", THORN)]
CP1252_CHARS = "".join(
    ch
    for b in range(1, 256)
    if (ch := bytes([b]).decode("cp1252", "ignore")) and ch not in "\r" + REG
)
NAME = st.from_regex(r"[A-Z][A-Z_ ]{0,10}[A-Z]", fullmatch=True)
ROUND_TRIP_ALPHABET = st.one_of(
    st.sampled_from(list(THORN + DC4 + PILCROW + '\n|^",\t ;Þé€–')),
    st.characters(exclude_categories=("Cs",), exclude_characters="\r\x00" + REG),
)


def _write(rows: list[list[str]], sep: str, q: str) -> str:
    def cell(v: str) -> str:
        return q + v.replace(q, q + q).replace("\n", REG) + q

    return "".join(sep.join(cell(v) for v in row) + "\r\n" for row in rows)


@PROPERTY
@given(st.data())
def test_round_trip(data: st.DataObject) -> None:
    sep, q = data.draw(st.sampled_from(STYLES), label="style")
    codec = data.draw(st.sampled_from(["utf-8-sig", "utf-8", "utf-16", "utf-16-be", "cp1252"]))
    names = data.draw(
        st.lists(NAME, min_size=1, max_size=6, unique_by=lambda n: n.strip().upper()),
        label="names",
    )
    alphabet = st.sampled_from(CP1252_CHARS) if codec == "cp1252" else (ROUND_TRIP_ALPHABET)
    value = st.text(alphabet=alphabet, max_size=12)
    rows = data.draw(
        st.lists(st.lists(value, min_size=len(names), max_size=len(names)), max_size=5),
        label="rows",
    )
    text = _write([names, *rows], sep, q)
    if codec == "utf-16-be":
        blob = ("\ufeff" + text).encode("utf-16-be")
    else:
        blob = text.encode(codec)
    if codec == "cp1252":  # bytes that also happen to be valid UTF-8 are read as UTF-8
        try:
            assume(blob.decode("utf-8") == text)
        except UnicodeDecodeError:
            pass
    dat = parse_dat_bytes(blob)
    assert (dat.qualifier, dat.has_header) == (q, True)
    if len(names) > 1:  # a single column has no delimiter to sniff
        assert dat.delimiter == sep
    assert dat.fields == names
    assert dat.rows == [dict(zip(dat.keys, row, strict=True)) for row in rows]
    assert dat.keys == [n.strip().upper() for n in names]
