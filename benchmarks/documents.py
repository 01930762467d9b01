"""Records inside single-PDF productions: boundary precision/recall, types, dates, cost.

Data: the shared generator's PDF layout (several seeds; the project's copy when ../shared is
absent) and productions of benchmarks/records.py in other record styles. Its *tuning* styles
(outlook, memo, sheet, slip) were looked at while the detector was written; its *held-out*
styles (letter, form) and seeds >= 100 were not, and are reported separately.

Per data set it prints boundary precision and recall against the answer key's first Bates
numbers, slip sheets found as records of their own, record types right, dates right on
e-mails and memos (and letters and forms), the detector's cost per page and that cost as a
share of ingest time. Records scanned without a text layer (the generator's 15%) show no
header until OCR: their figures are printed apart.

Every slip sheet is a record of its own. The shared generator's answer key instead counts two
or three identical slip sheets in a row as one withheld record, so its precision counts those
extra records (printed as "extra records that are slip sheets"); the figures with the other
convention (``detect(..., slip_runs=True)``) are printed beside them.

--speed: ingest speed on text pages (the ~2,000-page production of benchmarks/ingest.py, no
scans) with record detection and with it switched off (each file one record, as before this
feature), alternating rounds, with and without the redaction analysis; medians.

--ocr: the generator's productions again after OCR of their scanned pages (slow).

Usage: python benchmarks/documents.py [--seeds 1,2,3] [--docs 60] [--ocr] [--speed [--rounds 3]]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from _common import DATA, make_production

from app.documents.boundaries import detect
from app.documents.signals import PageInfo, read_page
from app.documents.units import metas
from app.ingest.pipeline import ingest
from app.matter.store import Matter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import records  # noqa: E402

GEN_KIND = {"weekly_report": "report", "email": "email", "memo": "memo",
            "slip_sheet": "slip_sheet"}
_SENT = re.compile(r"Sent: \w{3}, (\d{1,2}) (\w{3}) (\d{4})")
_MON = {m: i + 1 for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                        "Sep", "Oct", "Nov", "Dec"])}


def generator_key(folder: Path) -> list[dict]:
    """The generator's records as {begbates, kind, date, scanned}."""
    truth = json.loads((folder / "truth.json").read_text())
    out = []
    for d in truth["documents"]:
        first = d["pages"][0]
        m = _SENT.search(first.get("visible_text", ""))
        date = f"{m.group(3)}-{_MON[m.group(2)]:02d}-{int(m.group(1)):02d}" if m else None
        out.append({"begbates": d["begbates"], "kind": GEN_KIND.get(d["kind"], d["kind"]),
                    "date": date, "scanned": bool(first.get("scanned"))})
    return out


def own_key(folder: Path) -> list[dict]:
    truth = json.loads((folder / "truth.json").read_text())
    return [{"begbates": d["begbates"], "kind": d["kind"], "date": d["date"], "scanned": False,
             "style": d["style"]} for d in truth["documents"]]


def score(folder: Path, key: list[dict], ocr: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        matter = Matter.open(Path(tmp) / "bench.vaughn", create=True)
        t0 = time.perf_counter()
        ingest(matter, [folder])
        ingest_s = time.perf_counter() - t0
        if ocr:  # the scans get their text; the file's records are found again
            from app.ocr.queue import run_ocr

            run_ocr(matter, workers=2)
            for k in key:
                k["scanned"] = False  # scored as text records from here on
        docs = {r["begbates"]: r for r in matter.query(
            "SELECT begbates, doc_type, doc_date FROM documents")}
        rows = matter.query("SELECT p.bates, p.width, p.height, p.text_layer, "
                            "p.withheld_in_full, p.body_bottom, t.text FROM pages p "
                            "JOIN page_text t ON t.page_id = p.id ORDER BY p.id")
        matter.close()
    infos = [PageInfo(r["text"], r["width"], r["height"], bool(r["text_layer"]),
                      bool(r["withheld_in_full"]), r["body_bottom"], r["bates"]) for r in rows]
    t0 = time.perf_counter()
    for _ in range(3):
        sigs = [read_page(i) for i in infos]
        found = detect(infos, signals=sigs)
        metas(infos, found, sigs)
    detect_s = (time.perf_counter() - t0) / 3
    want = {k["begbates"] for k in key}
    got = set(docs)
    tp = len(got & want)
    # The other slip-sheet convention: identical slip sheets in a row are one withheld record.
    runs = {infos[b.start].bates for b in detect(infos, signals=sigs, slip_runs=True)}
    text = [k for k in key if not k["scanned"] and k["begbates"] in docs]
    typed = sum(1 for k in text if docs[k["begbates"]]["doc_type"] == k["kind"])
    dated = [k for k in text if k["kind"] in ("email", "memo", "letter", "form") and k["date"]]
    dates = sum(1 for k in dated if docs[k["begbates"]]["doc_date"] == k["date"])
    em = [k for k in dated if k["kind"] in ("email", "memo")]
    em_ok = sum(1 for k in em if docs[k["begbates"]]["doc_date"] == k["date"])
    slips = [k for k in key if k["kind"] == "slip_sheet" and not k["scanned"]]
    scanned = [k for k in key if k["scanned"]]
    return {
        "pages": len(infos), "records": len(want), "found": len(got),
        "precision": tp / max(1, len(got)), "recall": tp / max(1, len(want)),
        "text_recall": len(got & {k["begbates"] for k in key if not k["scanned"]})
        / max(1, len(want) - len(scanned)),
        "scanned": len(scanned),
        "scanned_found": sum(1 for k in scanned if k["begbates"] in got),
        "slips": len(slips), "slips_found": sum(1 for k in slips if k["begbates"] in got),
        "extra_slips": sum(1 for b in got - want if docs[b]["doc_type"] == "slip_sheet"),
        "runs_precision": len(runs & want) / max(1, len(runs)),
        "runs_recall": len(runs & want) / max(1, len(want)),
        "types": (typed, len(text)), "dates_em": (em_ok, len(em)), "dates_all": (dates, len(dated)),
        "ms_per_page": 1000 * detect_s / max(1, len(infos)),
        "share_of_ingest": detect_s / max(1e-9, ingest_s),
    }


def show(name: str, s: dict) -> None:
    t, e, a = s["types"], s["dates_em"], s["dates_all"]
    print(f"{name:<28} {s['pages']:>4} p. {s['records']:>3} records: precision "
          f"{s['precision']:.3f} recall {s['recall']:.3f} (text records {s['text_recall']:.3f}; "
          f"scanned found {s['scanned_found']}/{s['scanned']}); slip sheets "
          f"{s['slips_found']}/{s['slips']} (extra records that are slip sheets "
          f"{s['extra_slips']}; identical slip sheets in a row as one record: precision "
          f"{s['runs_precision']:.3f} recall {s['runs_recall']:.3f}); types {t[0]}/{t[1]}; "
          "dates e-mail+memo "
          f"{e[0]}/{e[1]} (all dated {a[0]}/{a[1]}); {s['ms_per_page']:.2f} ms/page = "
          f"{s['share_of_ingest']:.1%} of ingest", flush=True)


def _ingest_rate(folder: Path, analyze: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with Matter.open(Path(tmp) / "bench.vaughn", create=True) as matter:
            report = ingest(matter, [folder], analyze=analyze)
        return report.pages_added / (time.perf_counter() - t0)


def speed(rounds: int) -> None:
    import statistics

    from app.documents.boundaries import Boundary
    from app.ingest import pipeline

    folder = make_production("ingest-2550", "--pages", "2550", "--scanned-share", "0",
                             "--seed", "21")
    detecting = pipeline._records_of

    def one_record(path, kind, recs, bates, marks, restarts):  # the behaviour before
        return [Boundary(0, ["one file"], "file")], [None]

    spent: list[float] = []
    total = _pages(folder)

    def timed(*args):  # the detection itself, timed inside the ingest
        t0 = time.perf_counter()
        try:
            return detecting(*args)
        finally:
            spent.append(time.perf_counter() - t0)

    for analyze in (False, True):
        rates: dict[str, list[float]] = {"with detection": [], "without": []}
        shares = []
        for _ in range(rounds):
            pipeline._records_of = timed
            spent.clear()
            rate = _ingest_rate(folder, analyze)
            rates["with detection"].append(rate)
            shares.append(sum(spent) / (total / rate))  # detection / whole ingest time
            pipeline._records_of = one_record
            rates["without"].append(_ingest_rate(folder, analyze))
        pipeline._records_of = detecting
        on, off = (statistics.median(v) for v in rates.values())
        print(f"ingest {'with' if analyze else 'without'} the redaction analysis: "
              f"{on:.0f} pages/s with record detection, {off:.0f} without "
              f"(ratio {on / off:.3f}; rounds {[round(x) for x in rates['with detection']]} vs "
              f"{[round(x) for x in rates['without']]}); detection itself "
              f"{statistics.median(shares):.1%} of the ingest time", flush=True)


def _pages(folder: Path) -> int:
    import pymupdf

    total = 0
    for pdf in folder.glob("*.pdf"):
        with pymupdf.open(pdf) as doc:
            total += doc.page_count
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--docs", type=int, default=60)
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--ocr", action="store_true",
                    help="also score the generator's productions after OCR of their scans")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if args.speed:
        speed(args.rounds)
        return 0
    seeds = [int(s) for s in args.seeds.split(",")]
    print("== shared generator, PDF layout (one file per tranche)")
    for seed in seeds:
        folder = make_production(f"docs/gen-{seed}", "--seed", str(seed), "--docs",
                                 str(args.docs), "--layout", "pdf")
        show(f"generator seed {seed}", score(folder, generator_key(folder)))
        if args.ocr:
            show(f"generator seed {seed}, OCRed", score(folder, generator_key(folder), ocr=True))
    for label, styles, offset in (("tuning styles", records.TUNING, 0),
                                  ("tuning styles, held-out seeds", records.TUNING, 100),
                                  ("HELD-OUT styles", records.HELD_OUT, 100),
                                  ("all styles mixed, held-out seeds", records.TUNING
                                   + records.HELD_OUT, 200)):
        print(f"== records.py, {label}: {', '.join(styles)}")
        for seed in seeds:
            folder = DATA / "docs" / f"own-{'-'.join(styles)}-{seed + offset}"
            if not (folder / "truth.json").exists():
                records.make(folder, seed + offset, args.docs, styles)
            show(f"seed {seed + offset}", score(folder, own_key(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
