"""Concordance DAT and Opticon OPT load-file parsers (pure library: no Qt, no database).

A "volume" of a load-file production is a folder holding ``DATA/*.dat`` (document metadata, one
record per document), ``DATA/*.opt`` (one line per page image), ``IMAGES/...`` and ``TEXT/...``.
This module turns the two load files into plain Python values and resolves the Windows-style paths
they contain against the volume folder.  It never touches the matter store.

Decoding (``read_text_file``, ``parse_dat*``, ``parse_opt*``):
    A byte-order mark wins (UTF-8, UTF-16 LE/BE); a BOM-less file whose bytes show the NUL pattern
    of UTF-16 is decoded as UTF-16; otherwise UTF-8 if the bytes decode strictly, else Windows-1252
    (the five bytes cp1252 leaves undefined are mapped to the matching C1 control characters, so
    any byte string decodes).  ``þ`` is one byte (0xFE) in cp1252 and two in UTF-8: both are
    handled.  A file with a BOM that is nonetheless invalid keeps its declared encoding with U+FFFD
    replacements and a warning in ``DatFile.warnings``.

DAT dialect:
    The field delimiter is sniffed from the first line: 0x14 (DC4) if it is there, otherwise
    whichever of U+00B6 (``¶``), ``|``, TAB or ``,`` is most frequent (first 50 lines if the first
    has none; DC4 for a single-column file).  The text qualifier is one of ``þ`` (U+00FE), ``^``
    and ``"``: the one the first line starts and ends with, else the one the most values in the
    first 50 lines both open and close with, else none.  Values may be qualified or not, field by
    field (the Relativity samples mix both).  Inside a qualified value the delimiter, CR and LF
    are literal; a doubled qualifier is a literal qualifier; a qualifier not followed by the
    delimiter, a line end or end of file is kept as a literal character (producers do not escape
    ``þ`` in Icelandic names).  In every value
    ``®`` (U+00AE) and real line breaks (CRLF, CR, LF) become ``"\\n"``.  Values are otherwise
    returned as written (no stripping).  Blank lines between records are skipped.

    The first record is a header when every value looks like a field name (letters, spaces,
    underscores and a little punctuation; no Bates-like digit runs; no empty name except at the
    end).  Without one the fields are named ``FIELD1..FIELDn``.  A header may end in empty names
    (producers that end every line with the delimiter): those columns are keyed ``FIELD<position>``
    (with a warning) and rows may leave them off.  Row keys are the header names stripped and
    upper-cased; names that collide after that get ``_2``, ``_3`` ... and a warning.

    Duplicate (and empty) values of BEGBATES - or of the first column when there is no BEGBATES -
    are reported in ``DatFile.warnings``, never raised.

OPT:
    ``ImageKey,Volume,Path,DocBreak,FolderBreak,BoxBreak,PageCount``; missing trailing fields, blank
    lines, a BOM and any line ending are tolerated; surrounding whitespace of each field is dropped.
    More than seven fields (a comma inside the image path) are folded back into ``Path``.  If the
    first record is not marked as a document break it is treated as one (its ``doc_break`` is set to
    ``True``) and nothing else is reported.

Errors:
    Every problem with the load file itself is a ``LoadFileError`` carrying the 1-based line where
    the offending record starts (0 when unknown).  ``parse_dat_bytes`` and ``parse_opt_bytes`` raise
    nothing else for any input; ``parse_dat`` / ``parse_opt`` also turn an unreadable file into a
    ``LoadFileError``.  ``read_text_file`` (for TEXT/ sidecars) lets ``OSError`` through.
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from app.errors import LoadFileError

__all__ = [
    "DatFile",
    "OptRecord",
    "group_documents",
    "parse_dat",
    "parse_dat_bytes",
    "parse_opt",
    "parse_opt_bytes",
    "read_text_file",
    "resolve_volume_path",
]

DC4 = "\x14"
PILCROW = "\u00b6"
THORN = "\u00fe"
REGISTERED = "\u00ae"

_DELIMITER_CANDIDATES = (PILCROW, "|", "\t", ",")  # DC4 is checked first, separately
_QUALIFIER_CANDIDATES = (THORN, "^", '"')  # order breaks ties
_SNIFF_CHARS = 65536
_SNIFF_LINES = 50

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DIGIT_RUN = re.compile(r"\d{3}")
# A field name: a letter, then name characters to the end (the look-behind makes a search start
# only where a name can, so it stays linear).
_FIELD_NAME = re.compile(r"(?<![\w .()/#&%?'\-])[^\W\d][\w .()/#&%?'\-]*\Z")
_PAGE_COUNT = re.compile(r"[0-9]{1,9}\Z")
_DRIVE = re.compile(r"^[A-Za-z]:")

# Field names that make a first row a header even if another name is unusual.
# fmt: off
_KNOWN_FIELDS = frozenset(
    {
        "BEGBATES", "ENDBATES", "BEGDOC", "ENDDOC", "BEGNO", "ENDNO", "BEGATTACH", "ENDATTACH",
        "BATES", "BATESBEG", "BATESEND", "BEGBATESNUMBER", "PRODBEG", "PRODEND", "PRODBEGATTACH",
        "CONTROL NUMBER", "CONTROLNUMBER", "CONTROL_NUMBER", "DOCID", "DOC ID", "DOCUMENT ID",
        "CUSTODIAN", "DATESENT", "DATE SENT", "DATERCVD", "FROM", "TO", "CC", "BCC", "SUBJECT",
        "TITLE", "FILENAME", "FILE NAME", "MD5HASH", "MD5 HASH", "TEXTPATH", "TEXT PATH",
        "NATIVEPATH", "NATIVE PATH", "NATIVELINK", "PAGECOUNT", "PAGE COUNT", "PAGES", "DOCTYPE",
    }
)
# fmt: on


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode the bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) as C1 controls."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("vaughn-cp1252", _cp1252_fallback)


@dataclass(frozen=True)
class DatFile:
    """A parsed Concordance-style DAT file."""

    path: str
    fields: list[str]  # header names as written (FIELD1..FIELDn when has_header is False)
    rows: list[dict[str, str]]  # one dict per record, keyed by ``keys``
    has_header: bool
    encoding: str  # "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-8" or "cp1252"
    delimiter: str
    qualifier: str  # "" if none
    warnings: list[str]  # non-fatal findings, e.g. "line 7: duplicate BEGBATES X (first on line 3)"

    @property
    def keys(self) -> list[str]:
        """The dict keys of ``rows`` in field order: names stripped and upper-cased, an empty name
        as ``FIELD<position>``, repeats suffixed ``_2``, ``_3`` ..."""
        return _make_keys(self.fields, [], 0)


@dataclass(frozen=True)
class OptRecord:
    """One page line of an Opticon OPT file."""

    image_key: str  # the page's Bates / control number
    volume: str
    path: str  # as written (Windows-style), surrounding whitespace removed
    doc_break: bool
    page_count: int | None
    line: int  # 1-based line number in the file


# ----------------------------------------------------------------------------------- decoding


def _utf16_by_nuls(data: bytes) -> str | None:
    """Guess BOM-less UTF-16 from where the NUL bytes sit (mostly-ASCII text has one per pair)."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs == 0:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd >= 0.3 * pairs and even <= odd / 8:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= even / 8:
        return "utf-16-be"
    return None


def _decode(data: bytes) -> tuple[str, str, str | None]:
    """Return (text, encoding name, warning or None) for any bytes; never raises."""
    if data.startswith(codecs.BOM_UTF8):
        body = data[len(codecs.BOM_UTF8) :]
        try:
            return body.decode("utf-8"), "utf-8-sig", None
        except UnicodeDecodeError as exc:
            note = f"invalid UTF-8 at byte {exc.start + 3}; undecodable bytes replaced with U+FFFD"
            return body.decode("utf-8", "replace"), "utf-8-sig", note
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", None
        except UnicodeDecodeError:
            note = (
                "invalid UTF-16 after the byte-order mark; undecodable bytes replaced with U+FFFD"
            )
            return data.decode("utf-16", "replace"), "utf-16", note
    guess = _utf16_by_nuls(data)
    if guess is not None:
        try:
            return data.decode(guess), guess, None
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError:
        return data.decode("cp1252", "vaughn-cp1252"), "cp1252", None


def _clean_text(text: str) -> str:
    """Drop a stray leading BOM character and DOS end-of-file markers (Ctrl-Z)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.rstrip("\x1a")


def read_text_file(path: str | Path) -> str:
    """Read a TEXT/ sidecar (or any load-file text) with the module's encoding sniffing.

    The BOM is removed; line endings and form feeds are returned untouched (make_production joins
    the pages of a document with ``"\\n\\f"``).  ``OSError`` propagates.
    """
    text, _encoding, _note = _decode(Path(path).read_bytes())
    return text[1:] if text.startswith("\ufeff") else text


def _read_bytes(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise LoadFileError(str(path), 0, f"cannot read the file: {exc.strerror or exc}") from exc


# ----------------------------------------------------------------------------------------- DAT


def _count_breaks(chunk: str) -> int:
    """Line breaks in ``chunk``: CRLF, lone CR and lone LF each count once."""
    return chunk.count("\n") + chunk.count("\r") - chunk.count("\r\n")


def _sniff_lines(text: str) -> list[str]:
    return _LINE_BREAK.split(text[:_SNIFF_CHARS], maxsplit=_SNIFF_LINES)[:_SNIFF_LINES]


def _sniff_delimiter(lines: list[str]) -> str:
    """DC4 if the first line has one; else the most frequent candidate there; else anywhere."""
    first = next((line for line in lines if line.strip()), "")
    candidates = (DC4, *_DELIMITER_CANDIDATES)
    for scope in ([first], lines):
        counts = [sum(line.count(c) for line in scope) for c in candidates]
        if counts[0]:
            return DC4
        best = max(counts)
        if best:
            return candidates[counts.index(best)]
    return DC4  # a single-column file: nothing to split on


def _sniff_qualifier(lines: list[str], delimiter: str) -> str:
    """The candidate the first line is wrapped in; else the one most values open and close with."""
    candidates = [q for q in _QUALIFIER_CANDIDATES if q != delimiter]
    first = next((line for line in lines if line.strip()), "")
    for q in candidates:
        if len(first) > 1 and first.startswith(q) and first.endswith(q):
            return q
    best, best_score = "", 0
    for q in candidates:
        opens = closes = 0
        for line in lines:
            for value in line.split(delimiter):
                opens += value.startswith(q)
                closes += value.endswith(q)
        score = min(opens, closes)
        if score > best_score:
            best, best_score = q, score
    return best


def _tokenize(text: str, delimiter: str, qualifier: str, path: str) -> list[tuple[int, list[str]]]:
    """Split ``text`` into (start line, raw values) records; blank lines are skipped."""
    records: list[tuple[int, list[str]]] = []
    stop = re.compile("[" + re.escape(delimiter) + "\r\n]")
    closers = (delimiter, "\r", "\n", "")
    n = len(text)
    pos = 0
    line = 1
    while pos < n:
        record_line = line
        values: list[str] = []
        qualified = False
        while True:
            if qualifier and text.startswith(qualifier, pos):
                qualified = True
                value_line = line
                pos += 1
                parts: list[str] = []
                while True:
                    j = text.find(qualifier, pos)
                    if j < 0:
                        raise LoadFileError(
                            path,
                            value_line,
                            f"unterminated {qualifier} text qualifier: the value that starts on "
                            "this line never closes",
                        )
                    chunk = text[pos:j]
                    parts.append(chunk)
                    line += _count_breaks(chunk)
                    after = text[j + 1 : j + 2]
                    if after == qualifier:  # doubled qualifier: a literal one
                        parts.append(qualifier)
                        pos = j + 2
                    elif after in closers:
                        pos = j + 1
                        break
                    else:  # a stray qualifier inside the value: keep it
                        parts.append(qualifier)
                        pos = j + 1
                values.append("".join(parts))
            else:
                m = stop.search(text, pos)
                j = m.start() if m else n
                values.append(text[pos:j])
                pos = j
            if pos >= n:
                break
            if text[pos] == delimiter:
                pos += 1
                continue
            pos += 2 if text.startswith("\r\n", pos) else 1
            line += 1
            break
        if not qualified and len(values) == 1 and not values[0].strip():
            continue  # a blank line
        records.append((record_line, values))
    return records


def _clean_value(value: str) -> str:
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace(REGISTERED, "\n")


def _looks_like_header(values: list[str]) -> bool:
    if not values:
        return False
    all_named = True
    known = False
    for raw in values:
        name = raw.strip()
        if (
            not name
            or len(name) > 100
            or name[0].isdigit()
            or _DIGIT_RUN.search(name)
            or any(c in name for c in "@\\\r\n\t|" + REGISTERED)
        ):
            return False
        if not _FIELD_NAME.match(name):
            all_named = False
        if name.upper() in _KNOWN_FIELDS:
            known = True
    return all_named or known


def _make_keys(fields: list[str], warnings: list[str], line: int) -> list[str]:
    keys: list[str] = []
    seen: set[str] = set()
    for position, name in enumerate(fields, start=1):
        base = name.strip().upper() or f"FIELD{position}"
        key = base
        k = 2
        while key in seen:
            key = f"{base}_{k}"
            k += 1
        if key != base:
            warnings.append(f"line {line}: duplicate field name {base}; its values are under {key}")
        seen.add(key)
        keys.append(key)
    return keys


def _parse_dat(data: bytes, path: str) -> DatFile:
    text, encoding, note = _decode(data)
    text = _clean_text(text)
    if not text.strip():
        raise LoadFileError(path, 0, "empty load file")
    lines = _sniff_lines(text)
    delimiter = _sniff_delimiter(lines)
    qualifier = _sniff_qualifier(lines, delimiter)
    records = _tokenize(text, delimiter, qualifier, path)
    if not records:
        raise LoadFileError(path, 0, "empty load file")
    warnings: list[str] = [note] if note else []

    header_line, first = records[0]
    unnamed = 0  # trailing empty names: producers that end every line with the delimiter
    while unnamed < len(first) - 1 and not first[len(first) - 1 - unnamed].strip():
        unnamed += 1
    has_header = _looks_like_header(first[: len(first) - unnamed])
    if has_header:
        fields = [_clean_value(v) for v in first]
        body = records[1:]
        for i in range(len(first) - unnamed, len(first)):
            warnings.append(f"line {header_line}: field {i + 1} has no name; using FIELD{i + 1}")
    else:
        fields = [f"FIELD{i}" for i in range(1, len(first) + 1)]
        body = records
        unnamed = 0
    keys = _make_keys(fields, warnings, header_line)

    expected = len(keys)
    rows: list[dict[str, str]] = []
    for line, values in body:
        if len(values) != expected:
            if not expected - unnamed <= len(values) < expected:
                raise LoadFileError(path, line, f"expected {expected} fields, found {len(values)}")
            values = values + [""] * (expected - len(values))  # unnamed columns left off
        rows.append(dict(zip(keys, map(_clean_value, values), strict=True)))

    key_field = "BEGBATES" if "BEGBATES" in keys else keys[0]
    first_seen: dict[str, int] = {}
    for (line, _values), row in zip(body, rows, strict=True):
        value = row[key_field].strip()
        if not value:
            warnings.append(f"line {line}: empty {key_field}")
        elif value in first_seen:
            warnings.append(
                f"line {line}: duplicate {key_field} {value} (first on line {first_seen[value]})"
            )
        else:
            first_seen[value] = line

    return DatFile(
        path=path,
        fields=fields,
        rows=rows,
        has_header=has_header,
        encoding=encoding,
        delimiter=delimiter,
        qualifier=qualifier,
        warnings=warnings,
    )


def parse_dat_bytes(data: bytes, path: str = "<bytes>") -> DatFile:
    """Parse the bytes of a DAT file; raises only ``LoadFileError``."""
    try:
        return _parse_dat(bytes(data), path)
    except LoadFileError:
        raise
    except Exception as exc:  # the contract: a malformed file never escapes as another type
        raise LoadFileError(path, 0, f"internal error while parsing: {exc!r}") from exc


def parse_dat(path: str | Path) -> DatFile:
    """Read and parse a DAT file; raises only ``LoadFileError`` (also when it cannot be read)."""
    return parse_dat_bytes(_read_bytes(path), str(path))


# ----------------------------------------------------------------------------------------- OPT


def _parse_opt(data: bytes, path: str) -> list[OptRecord]:
    text, _encoding, _note = _decode(data)
    text = _clean_text(text)
    records: list[OptRecord] = []
    for lineno, raw in enumerate(_LINE_BREAK.split(text), start=1):
        if not raw.strip():
            continue
        parts = raw.split(",")
        while len(parts) > 7 and not parts[-1].strip():
            parts.pop()
        if len(parts) < 3:
            raise LoadFileError(
                path,
                lineno,
                f"expected at least 3 comma-separated fields (ImageKey,Volume,Path), "
                f"found {len(parts)}",
            )
        if len(parts) > 7:  # commas inside the image path
            extra = len(parts) - 7
            parts = [*parts[:2], ",".join(parts[2 : 3 + extra]), *parts[3 + extra :]]
        parts += [""] * (7 - len(parts))
        key, volume, image_path, doc_break, _folder, _box, count = (p.strip() for p in parts)
        if not key:
            raise LoadFileError(path, lineno, "empty ImageKey")
        if not image_path:
            raise LoadFileError(path, lineno, f"empty image path for {key}")
        page_count: int | None = None
        if count:
            if not _PAGE_COUNT.match(count):
                raise LoadFileError(path, lineno, f"PageCount {count!r} is not a whole number")
            page_count = int(count)
        records.append(
            OptRecord(
                image_key=key,
                volume=volume,
                path=image_path,
                doc_break=doc_break.upper() == "Y",
                page_count=page_count,
                line=lineno,
            )
        )
    if not records:
        raise LoadFileError(path, 0, "empty load file")
    if not records[0].doc_break:  # the first page always starts a document
        records[0] = dataclasses.replace(records[0], doc_break=True)
    return records


def parse_opt_bytes(data: bytes, path: str = "<bytes>") -> list[OptRecord]:
    """Parse the bytes of an Opticon OPT file; raises only ``LoadFileError``."""
    try:
        return _parse_opt(bytes(data), path)
    except LoadFileError:
        raise
    except Exception as exc:  # the contract: a malformed file never escapes as another type
        raise LoadFileError(path, 0, f"internal error while parsing: {exc!r}") from exc


def parse_opt(path: str | Path) -> list[OptRecord]:
    """Read and parse an OPT file; raises only ``LoadFileError`` (also when it cannot be read)."""
    return parse_opt_bytes(_read_bytes(path), str(path))


def group_documents(opt: list[OptRecord]) -> list[list[OptRecord]]:
    """Split page records into documents; a new one starts at each ``doc_break``.

    Pages before the first doc break (only possible for hand-built lists) form the first document.
    """
    documents: list[list[OptRecord]] = []
    for record in opt:
        if record.doc_break or not documents:
            documents.append([record])
        else:
            documents[-1].append(record)
    return documents


# ---------------------------------------------------------------------------------- paths


@functools.lru_cache(maxsize=256)
def _listing(directory: str, _mtime_ns: int) -> tuple[str, ...]:
    with os.scandir(directory) as entries:
        return tuple(sorted(entry.name for entry in entries))


def _names_in(directory: Path) -> tuple[str, ...] | None:
    try:
        return _listing(str(directory), directory.stat().st_mtime_ns)
    except (OSError, ValueError):
        return None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _find(root: Path, parts: list[str]) -> Path | None:
    """``root/parts`` if it is a file, else the same path matched case-insensitively."""
    exact = root.joinpath(*parts)
    if _is_file(exact):
        return exact
    current = root
    for part in parts:
        names = _names_in(current)
        if names is None:
            return None
        if part not in names:
            folded = part.casefold()
            matches = [name for name in names if name.casefold() == folded]
            if not matches:
                return None
            part = matches[0]
        current = current / part
    return current if _is_file(current) else None


def _inside(candidate: Path, real_root: Path) -> bool:
    try:
        return candidate.resolve().is_relative_to(real_root)
    except (OSError, RuntimeError, ValueError):
        return False


def resolve_volume_path(volume_root: Path, written: str) -> Path | None:
    """Find the file a load file names, inside ``volume_root``; ``None`` if it is not there.

    ``written`` is Windows-style (``IMAGES\\IMG0001\\X.tif``, ``.\\VOL01\\IMAGES\\...``, with or
    without a drive letter or leading backslash).  The path is tried as written relative to the
    volume, then with leading components stripped one at a time (so ``VOL01\\IMAGES\\x.tif``
    works whether ``volume_root`` is ``VOL01`` or its parent); each component is matched
    case-insensitively when the exact name is missing.  Any ``..`` component makes the path
    refused, and a result (after following symlinks) outside ``volume_root`` is never returned.
    The returned path is ``volume_root`` joined with the names found on disk.
    """
    if not written or "\x00" in written:
        return None
    cleaned = _DRIVE.sub("", written.strip().replace("\\", "/"))
    parts = [part for part in cleaned.split("/") if part not in ("", ".")]
    if not parts or ".." in parts:
        return None
    root = Path(volume_root)
    try:
        real_root = root.resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    for start in range(len(parts)):
        found = _find(root, parts[start:])
        if found is not None and _inside(found, real_root):
            return found
    return None
