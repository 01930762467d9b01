"""Zip productions: unpack safely into the user data folder, then ingest like a folder.

Agencies mail productions as .zip files. Unpacking refuses any member whose path would land
outside the extraction folder (zip-slip), and stops zip bombs with limits on the total unpacked
size, the number of members and each member's compression ratio. Only members that can be
production files (PDFs, images, load files and their text) are unpacked; the others are
counted and skipped by name. A member whose data is damaged (a bad CRC, a broken deflate
stream, an encrypted member) is reported by name and the rest of the archive is unpacked.
The unpacked copy is kept (pages are rendered from it later), in a folder named after the
archive's sha256, so unpacking the same archive twice reuses it; :func:`prune` removes the
copies of what did not go into the matter.
"""

from __future__ import annotations

import json
import shutil
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from app.errors import IngestError
from app.ingest.pdf import IMAGE_SUFFIXES
from app.paths import data_dir

MAX_TOTAL_BYTES = 20 * 1024**3  # 20 GiB unpacked
MAX_MEMBERS = 200_000
MAX_RATIO = 200  # uncompressed / compressed, per member (text PDFs compress ~3-10x)
_CHUNK = 1 << 20
#: Members worth unpacking: what discovery can ingest, and a volume's load and text files.
WANTED_SUFFIXES = IMAGE_SUFFIXES | {".pdf", ".opt", ".dat", ".txt"}
_MARK, _NOTES = ".complete", ".unpack.json"
#: What a damaged member raises while it is read (zlib, CRC, truncation, encryption, method).
_MEMBER_ERRORS = (zlib.error, zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError,
                  OSError, ValueError)


@dataclass
class Unpacked:
    """An unpacked archive: its folder, the members skipped by name, the damaged ones."""

    folder: Path
    skipped: int = 0  # members that are not production files (not unpacked)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (member, reason)


def unpack(archive: Path, sha256: str, *, max_total: int = MAX_TOTAL_BYTES,
           max_ratio: int = MAX_RATIO, max_members: int = MAX_MEMBERS) -> Unpacked:
    """Unpack ``archive`` (once); IngestError with a reason when it cannot be read at all."""
    dest = data_dir() / "unpacked" / sha256[:16]
    if (dest / _MARK).exists():
        return _load_notes(dest)
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise IngestError(str(archive), f"damaged zip archive ({exc})") from exc
    part = dest.with_name(dest.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    result = Unpacked(dest)
    try:
        with zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) > max_members:
                raise IngestError(str(archive), f"zip holds {len(members)} files, over the "
                                  f"limit of {max_members}: refused as a possible zip bomb")
            wanted = [m for m in members if _wanted(m.filename)]
            result.skipped = len(members) - len(wanted)
            declared = sum(m.file_size for m in wanted)
            if declared > max_total:
                raise IngestError(str(archive), f"zip would unpack to {declared >> 20} MiB, over "
                                  f"the limit of {max_total >> 20} MiB: refused")
            part.mkdir(parents=True)
            total = 0
            for member in wanted:
                target = _safe_target(part, member.filename, archive)
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    total = _copy_member(zf, member, target, total, max_total, max_ratio,
                                         archive)
                except _MEMBER_ERRORS as exc:
                    target.unlink(missing_ok=True)
                    result.failed.append((member.filename, f"damaged zip member, cannot be "
                                          f"unpacked ({type(exc).__name__}: {exc})"[:240]))
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    (part / _NOTES).write_text(json.dumps({"skipped": result.skipped, "failed": result.failed}))
    (part / _MARK).touch()
    shutil.rmtree(dest, ignore_errors=True)
    part.rename(dest)
    return result


def _wanted(name: str) -> bool:
    pure = PurePosixPath(name.replace("\\", "/"))
    return pure.suffix.lower() in WANTED_SUFFIXES and not any(
        (p.startswith(".") and p != "..") or p == "__MACOSX" for p in pure.parts)


def _load_notes(dest: Path) -> Unpacked:
    try:
        notes = json.loads((dest / _NOTES).read_text())
    except (OSError, ValueError):
        notes = {}
    return Unpacked(dest, int(notes.get("skipped", 0)),
                    [tuple(f) for f in notes.get("failed", [])])


def prune(folder: Path, keep: set[Path]) -> int:
    """Delete the unpacked files under ``folder`` that are not in ``keep`` (what the matter
    holds), and the whole folder when nothing is kept; a kept volume's load and text files
    stay. Returns how many files were removed."""
    keep = {p.resolve() for p in keep}
    files = [p.resolve() for p in folder.rglob("*")
             if p.is_file() and p.name not in (_MARK, _NOTES)]
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
        return len(files)
    removed = 0
    for path in files:
        if path in keep or path.suffix.lower() in (".opt", ".dat", ".txt"):
            continue
        path.unlink(missing_ok=True)
        removed += 1
    if removed:
        (folder / _MARK).unlink(missing_ok=True)  # unpack again next time: nothing is lost
    return removed


def _safe_target(root: Path, name: str, archive: Path) -> Path:
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
        raise IngestError(str(archive), f"zip member {name!r} would be written outside the "
                          "extraction folder (zip-slip): refused")
    target = (root / pure).resolve()
    if not target.is_relative_to(root.resolve()):
        raise IngestError(str(archive), f"zip member {name!r} escapes the extraction folder")
    return target


def _copy_member(zf: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, total: int,
                 max_total: int, max_ratio: int, archive: Path) -> int:
    """Stream one member, counting real bytes (headers can lie about sizes)."""
    written = 0
    limit = max(member.compress_size, 1) * max_ratio
    with zf.open(member) as src, open(target, "wb") as out:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            total += len(chunk)
            if written > limit and written > _CHUNK:
                raise IngestError(str(archive), f"zip member {member.filename!r} expands over "
                                  f"{max_ratio}x: refused as a possible zip bomb")
            if total > max_total:
                raise IngestError(str(archive), "zip unpacks past the size limit: refused")
            out.write(chunk)
    return total
