"""Build the one-folder package: ``python packaging/build.py`` (``make package`` runs it).

1. PyInstaller with packaging/vaughn.spec into ``dist/vaughn/`` (work files in build/).
2. Strip debug symbols from the few binaries that still carry them (the interpreter's
   libpython and its extension modules, Qt's ICU): ~29 MB. Wheels' own libraries are already stripped and
   numpy's auditwheel-patched ones are left alone.
3. Add the desktop entry, the icon, INSTALL.md and an ``install-desktop-entry.sh`` helper.
4. Pack ``dist/vaughn-VERSION-linux-ARCH.tar.gz`` and print the size, and what dominates it.

Linux only here; packaging/windows.md and packaging/macos.md describe the other two builds.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
NAME = "vaughn"
# Folders whose unstripped ELF files may be stripped (never numpy.libs & co: patched by
# auditwheel, where strip can corrupt the file).
STRIP_UNDER = ("", "python3.11/lib-dynload", "pymupdf", "PySide6/Qt/lib")


def version() -> str:
    """The project version from pyproject.toml."""
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def folder_size(path: Path) -> int:
    """Bytes in regular files under path (symlinks not followed or counted)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def is_unstripped_elf(path: Path) -> bool:
    """An ELF file that still has a symbol table (readelf would say .symtab)."""
    if not path.is_file() or path.is_symlink():
        return False
    with path.open("rb") as f:
        if f.read(4) != b"\x7fELF":
            return False
    out = subprocess.run(["readelf", "-S", "-W", str(path)], capture_output=True, text=True)
    return ".symtab" in out.stdout or ".debug_info" in out.stdout


def strip_binaries(internal: Path) -> int:
    """Strip unneeded symbols in place; return the bytes saved."""
    if not (shutil.which("strip") and shutil.which("readelf")):
        print("package: strip/readelf not found; binaries left as they are")
        return 0
    saved = 0
    for sub in STRIP_UNDER:
        folder = internal / sub
        for path in sorted(folder.glob("*.so*")):
            if is_unstripped_elf(path):
                before = path.stat().st_size
                subprocess.run(["strip", "--strip-unneeded", str(path)], check=True)
                saved += before - path.stat().st_size
    return saved


def add_desktop_files(app_dir: Path) -> None:
    """Desktop entry, icon, install notes and the desktop-entry installer."""
    shutil.copy2(PACKAGING / "linux" / "vaughn.desktop", app_dir / "vaughn.desktop")
    shutil.copy2(PACKAGING / "linux" / "install-desktop-entry.sh",
                 app_dir / "install-desktop-entry.sh")
    os.chmod(app_dir / "install-desktop-entry.sh", 0o755)
    shutil.copy2(ROOT / "resources" / "vaughn.png", app_dir / "vaughn.png")
    shutil.copy2(ROOT / "resources" / "vaughn.svg", app_dir / "vaughn.svg")
    shutil.copy2(PACKAGING / "INSTALL.md", app_dir / "INSTALL.md")


def make_tarball(app_dir: Path, out: Path) -> None:
    """app_dir as out (.tar.gz), with the folder name as its single top-level entry."""
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(app_dir, arcname=app_dir.name)


def size_report(app_dir: Path) -> list[tuple[str, int]]:
    """(component, bytes), largest first: the top folders and files of _internal."""
    internal = app_dir / "_internal"
    rows: dict[str, int] = {}
    for entry in internal.iterdir():
        if entry.is_symlink():
            continue
        size = folder_size(entry) if entry.is_dir() else entry.stat().st_size
        key = entry.name if entry.is_dir() or size > 4_000_000 else "other shared libraries"
        rows[key] = rows.get(key, 0) + size
    qt = internal / "PySide6" / "Qt"
    if qt.is_dir():
        icu = sum(p.stat().st_size for p in (qt / "lib").glob("libicu*"))
        rows["PySide6 (Qt libs without ICU, plugins, bindings)"] = rows.pop("PySide6", 0) - icu
        rows["ICU (Unicode data that QtCore links)"] = icu
    return sorted(rows.items(), key=lambda kv: -kv[1])


def main(argv: list[str] | None = None) -> int:
    """Build, strip, pack and report."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dist", default=str(ROOT / "dist"), help="output folder (default dist/)")
    p.add_argument("--no-tar", action="store_true", help="skip the .tar.gz")
    args = p.parse_args(argv)
    dist = Path(args.dist).resolve()
    work = ROOT / "build" / "pyinstaller"
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--log-level", "WARN", "--distpath", str(dist), "--workpath", str(work),
                    str(PACKAGING / "vaughn.spec")], check=True, cwd=ROOT)
    app_dir = dist / NAME
    saved = strip_binaries(app_dir / "_internal")
    add_desktop_files(app_dir)
    total = folder_size(app_dir)
    print(f"package: built {app_dir} in {time.monotonic() - started:.0f} s; "
          f"stripped {saved / 1e6:.1f} MB of symbols")
    print(f"package: {total / 1e6:.1f} MB unpacked; what dominates:")
    for name, size in size_report(app_dir)[:10]:
        print(f"  {size / 1e6:7.1f} MB  {name}")
    if not args.no_tar:
        arch = platform.machine() or "unknown"
        tar = dist / f"{NAME}-{version()}-linux-{arch}.tar.gz"
        make_tarball(app_dir, tar)
        print(f"package: {tar} ({tar.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
