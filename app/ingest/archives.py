"""Zip productions: unpack safely into the user data folder, then ingest like a folder.

Agencies mail productions as .zip files. Unpacking refuses any member whose path would land
outside the extraction folder (zip-slip), and stops zip bombs with limits on the total unpacked
size, the number of members and each member's compression ratio. The unpacked copy is kept
(pages are rendered from it later), in a folder named after the archive's sha256, so unpacking
the same archive twice reuses it.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path, PurePosixPath

from app.errors import IngestError
from app.paths import data_dir

MAX_TOTAL_BYTES = 20 * 1024**3  # 20 GiB unpacked
MAX_MEMBERS = 200_000
MAX_RATIO = 200  # uncompressed / compressed, per member (text PDFs compress ~3-10x)
_CHUNK = 1 << 20


def unpack(archive: Path, sha256: str, *, max_total: int = MAX_TOTAL_BYTES,
           max_ratio: int = MAX_RATIO, max_members: int = MAX_MEMBERS) -> Path:
    """Unpack ``archive`` (once) and return the folder; IngestError with a reason otherwise."""
    dest = data_dir() / "unpacked" / sha256[:16]
    if (dest / ".complete").exists():
        return dest
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(str(archive), f"damaged zip archive ({exc})") from exc
    part = dest.with_name(dest.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    try:
        with zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) > max_members:
                raise IngestError(str(archive), f"zip holds {len(members)} files, over the "
                                  f"limit of {max_members}: refused as a possible zip bomb")
            declared = sum(m.file_size for m in members)
            if declared > max_total:
                raise IngestError(str(archive), f"zip would unpack to {declared >> 20} MiB, over "
                                  f"the limit of {max_total >> 20} MiB: refused")
            total = 0
            for member in members:
                target = _safe_target(part, member.filename, archive)
                target.parent.mkdir(parents=True, exist_ok=True)
                total = _copy_member(zf, member, target, total, max_total, max_ratio, archive)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    (part / ".complete").touch()
    shutil.rmtree(dest, ignore_errors=True)
    part.rename(dest)
    return dest


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
