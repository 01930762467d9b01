"""Truncated and bit-flipped inputs at every entry point of ingest: a reason, never a traceback.

Each seed (a PDF, a TIFF, a zip, a load-file volume's DAT, OPT and TEXT files) is damaged a
few dozen ways with a fixed random seed: cut at a random length, bytes flipped, a run zeroed.
Every damaged file is either ingested or reported by name with a reason; the run never raises;
nothing of a failed file stays in the matter; the matter passes SQLite's integrity check. A
sample goes through ``vaughn ingest`` as a real process: exit 0 or 2, no traceback.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from app.ingest.pipeline import ingest
from app.matter.store import Matter

ROOT = Path(__file__).resolve().parent.parent
CASES = {"pdf": 70, "tiff": 50, "zip": 50, "dat": 40, "opt": 40, "text": 30}  # 280 in all


def _pdf(path: Path) -> Path:
    doc = pymupdf.open()
    for k in range(2):
        page = doc.new_page()
        page.insert_text((72, 72), f"Memorandum for the record, page {k + 1}.", fontsize=11)
        page.draw_rect(pymupdf.Rect(72, 100, 300, 114), color=(0, 0, 0), fill=(0, 0, 0))
        page.insert_text((76, 111), "(b)(6)", fontsize=8, color=(1, 1, 1))
        page.insert_text((440, 770), f"FUZZ-{k + 1:06d}", fontsize=9)
    doc.save(path)
    doc.close()
    return path


def _tiff(path: Path, text: str = "FUZZ") -> Path:
    img = Image.new("L", (600, 780), 255)
    for y in range(100, 130):
        for x in range(80, 400):
            img.putpixel((x, y), 0)
    img.convert("1").save(path, compression="group4", dpi=(75, 75))
    return path


def _volume(root: Path) -> Path:
    """A two-document Concordance/Opticon volume: DATA/VOL.dat, DATA/VOL.opt, images, text."""
    (root / "DATA").mkdir(parents=True)
    (root / "IMAGES").mkdir()
    (root / "TEXT").mkdir()
    q, sep = "\u00fe", "\x14"
    dat = [sep.join(q + f + q for f in ("BEGBATES", "ENDBATES", "TITLE", "TEXTPATH"))]
    opt = []
    for d, pages in enumerate((2, 1)):
        first = f"VOLF-{d * 10 + 1:06d}"
        names = [f"VOLF-{d * 10 + 1 + k:06d}" for k in range(pages)]
        for k, name in enumerate(names):
            _tiff(root / "IMAGES" / f"{name}.tif")
            opt.append(f"{name},VOL,IMAGES\\{name}.tif,{'Y' if k == 0 else ''},,,"
                       f"{pages if k == 0 else ''}")
        (root / "TEXT" / f"{first}.txt").write_text(
            "\n\f".join(f"Weekly report page {k + 1}" for k in range(pages)))
        dat.append(sep.join(q + v + q for v in (first, names[-1], f"Report {d}",
                                                f"TEXT\\{first}.txt")))
    (root / "DATA" / "VOL.dat").write_text("\r\n".join(dat) + "\r\n", encoding="utf-8")
    (root / "DATA" / "VOL.opt").write_text("\r\n".join(opt) + "\r\n")
    return root


def _damage(data: bytes, rnd: random.Random) -> bytes:
    how = rnd.choice(("cut", "flip", "flip", "zero"))
    if how == "cut" or len(data) < 16:
        return data[: rnd.randrange(0, max(1, len(data)))]
    out = bytearray(data)
    if how == "flip":
        for _ in range(rnd.randint(1, 12)):
            i = rnd.randrange(len(out))
            out[i] ^= 1 << rnd.randrange(8)
    else:
        i = rnd.randrange(len(out))
        out[i : i + rnd.randint(4, 256)] = b"\0" * len(out[i : i + 256][:256])
    return bytes(out)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("fuzz-seeds")
    pdf = _pdf(base / "seed.pdf")
    tiff = _tiff(base / "seed.tif")
    archive = base / "seed.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(pdf, "PROD/seed.pdf")
        zf.write(tiff, "PROD/seed.tif")
    return {"pdf": pdf, "tiff": tiff, "zip": archive, "volume": _volume(base / "VOL")}


def _cases(seeds: dict[str, Path], out: Path) -> list[tuple[str, Path, Path]]:
    """(kind, damaged file, what to ingest) for every case."""
    rnd = random.Random(1515)
    cases = []
    for kind, count in CASES.items():
        for n in range(count):
            if kind in ("pdf", "tiff", "zip"):
                seed = seeds[kind]
                target = out / f"{kind}{n:03d}{seed.suffix}"
                target.write_bytes(_damage(seed.read_bytes(), rnd))
                cases.append((kind, target, target))
                continue
            volume = out / f"{kind}{n:03d}"
            shutil.copytree(seeds["volume"], volume)
            victim = {"dat": volume / "DATA" / "VOL.dat", "opt": volume / "DATA" / "VOL.opt",
                      "text": volume / "TEXT" / "VOLF-000001.txt"}[kind]
            victim.write_bytes(_damage(victim.read_bytes(), rnd))
            cases.append((kind, victim, volume))
    return cases


def test_damaged_inputs_are_named_with_a_reason(seeds: dict[str, Path], tmp_path: Path) -> None:
    cases = _cases(seeds, tmp_path)
    assert len(cases) == sum(CASES.values()) >= 250
    failed_kinds: dict[str, int] = {}
    for n, (kind, damaged, target) in enumerate(cases):
        with Matter.open(tmp_path / f"m{n}.vaughn", create=True) as matter:
            report = ingest(matter, [target])  # must not raise
            for o in report.outcomes:
                assert o.status in ("ingested", "skipped", "failed"), (kind, damaged, o)
                if o.status == "failed":
                    assert o.reason and "Traceback" not in o.reason, (kind, damaged, o)
                    failed_kinds[kind] = failed_kinds.get(kind, 0) + 1
                    held = matter.scalar("SELECT count(*) FROM source_files WHERE path = ?",
                                         (o.path,))
                    assert held == 0, f"{o.path} failed but stays in the matter"
            assert matter.scalar("PRAGMA integrity_check") == "ok"
            pages = matter.scalar("SELECT count(*) FROM pages")
            texts = matter.scalar("SELECT count(*) FROM page_text")
            assert pages == texts
    # the damage is real: most kinds fail often (a flip in a stream's slack may still read)
    for kind in ("pdf", "zip", "tiff"):
        assert failed_kinds.get(kind, 0) >= CASES[kind] // 5, (kind, failed_kinds)


def test_a_zip_whose_member_data_is_corrupt_is_named_and_the_rest_goes_in(
        seeds: dict[str, Path], tmp_path: Path, private_data_dir: Path) -> None:
    good = tmp_path / "good.pdf"
    shutil.copy(seeds["pdf"], good)
    data = bytearray(seeds["zip"].read_bytes())
    with zipfile.ZipFile(seeds["zip"]) as zf:
        info = zf.getinfo("PROD/seed.pdf")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 40, start + 60):  # inside the deflate stream: "invalid code lengths"
        data[i] ^= 0x5A
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "ingest",
                          str(tmp_path / "m.vaughn"), str(bad), str(good)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert "bad.zip » PROD/seed.pdf: damaged zip member" in out.stderr
    assert "ingested  " + str(good) in out.stdout
    assert "seed.tif" in out.stdout  # the archive's intact member went in
    with Matter.open(tmp_path / "m.vaughn") as matter:
        assert matter.scalar("SELECT count(*) FROM pages") == 3
    # nothing of the damaged member is left unpacked
    assert not list(private_data_dir.rglob("seed.pdf"))


def test_a_zip_of_many_non_production_files_is_skipped_unpacked(
        matter: Matter, tmp_path: Path, private_data_dir: Path) -> None:
    archive = tmp_path / "junk.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for n in range(5000):
            zf.writestr(f"junk/{n:05d}.json", f'{{"n": {n}}}')
        zf.write(_pdf(tmp_path / "one.pdf"), "junk/one.pdf")
    report = ingest(matter, [archive])
    assert report.ok and report.pages_added == 2
    skipped = report.by_status("skipped")
    assert len(skipped) == 1 and "5000 file(s)" in skipped[0].reason
    assert [p for p in private_data_dir.rglob("*.json") if not p.name.startswith(".")] == []


def test_a_zip_with_nothing_ingestable_leaves_no_unpacked_copy(
        matter: Matter, tmp_path: Path, private_data_dir: Path) -> None:
    archive = tmp_path / "broken.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("PROD/notes.txt", "cover letter")
        zf.writestr("PROD/fake.pdf", "<html>not a pdf</html>")
    report = ingest(matter, [archive])
    assert [o.reason for o in report.by_status("failed")] == [
        "not a PDF: the file holds a web page (HTML)"]
    assert not [p for p in private_data_dir.glob("unpacked/*")]


@pytest.mark.parametrize("kind", ["pdf", "zip", "tiff", "dat", "opt", "text"])
def test_cli_never_shows_a_traceback(kind: str, seeds: dict[str, Path], tmp_path: Path) -> None:
    cases = [c for c in _cases(seeds, tmp_path) if c[0] == kind][:3]
    for _, _, target in cases:
        out = subprocess.run([sys.executable, str(ROOT / "main.py"), "ingest",
                              str(tmp_path / f"{target.name}.vaughn"), str(target)],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert out.returncode in (0, 2), out.stderr
        assert "Traceback" not in out.stderr and "Traceback" not in out.stdout
