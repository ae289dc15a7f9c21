"""Measure the OCR path on scans of the labelled corpus; prints a table, then one JSON object.

    .venv/bin/python -m bench.extract.scanned [--per-provider 5] [--dpi 200] [--turn 0.5] [--noise 0.002]
        [--stamp TEXT]

Each corpus bill is made a scan (billgen.scan: its pages as gray images at `--dpi`, turned by up to `--turn`
degrees either way, with `--noise` of the pixels specks, JPEG; with `--stamp`, that line of text drawn on each
page as scanning apps do) and read by the pipeline's cascade: pdfium finds no text layer (or a stamp's alone),
renders the pages in its worker, Tesseract reads them, and templates, heuristics and audits run on the words.
Such a bill always goes to review (no_text_layer, or scanned_pages under a stamp: the scan's reasons); what is
measured is what the reviewer is handed:
  values        per field, of the values read: how many are right (precision) and how many of the truth's were
                read right (recall)
  audits pass   the bills whose only error is the scan's reason (every sum and read checks out), and the
                precision of their values: what loading them as ok would have cost
  doubtful      of the wrong values and of the right ones, how many the audit ocr_doubtful_values named
  time          per page, OCR included
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from typing import Any

from bench.extract.evaluate import Evaluation, Score, flatten
from common.connectors.billgen import corpus
from common.connectors.billgen.scan import scanned, stamped
from common.errors import RejectedInput
from common.extraction.bills.cascade import extract_bill
from common.extraction.bills.guard import PdfTextReader
from common.extraction.bills.ocr import default_ocr
from common.models import Severity

SCAN_REASONS = frozenset({"no_text_layer", "scanned_pages"})


def run(per_provider: int, dpi: int, turn: float, noise: float, stamp: str | None = None) -> dict[str, Any]:
    ocr = default_ocr()
    if ocr is None:
        raise SystemExit("OCR is off (MINIMETER_OCR=off) or tesserocr is not installed")
    reader = PdfTextReader("process")
    rng = random.Random(7)
    everything, audited = Evaluation(), Evaluation()
    reasons: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    pages = bills_with_bill = 0
    seconds = 0.0
    for bill in corpus(per_provider):
        scan = scanned(
            bill.pdf, dpi=dpi, turn_degrees=rng.uniform(-turn, turn), noise=noise, seed=rng.randrange(1 << 30)
        )
        if stamp:
            scan = stamped(scan, stamp)
        started = time.perf_counter()
        try:
            result = extract_bill(scan, bill.name, pdf_reader=reader, ocr=ocr)
        except RejectedInput as exc:
            reasons[f"rejected:{exc.reason_code}"] += 1
            everything.record_flat(bill.name, bill.truth, None, "rejected")
            continue
        finally:
            seconds += time.perf_counter() - started
        pages += _page_count(scan)
        errors = sorted({a.code for a in result.audits if a.severity is Severity.ERROR} - SCAN_REASONS)
        reasons.update(errors or ["(none but the scan's)"])
        found = flatten(result.bill) if result.bill is not None else None
        bills_with_bill += found is not None
        if found is not None:
            _count_flags(flags, flatten(bill.truth), found, result.audits)
        everything.record_flat(bill.name, bill.truth, found, result.method)
        if found is not None and not errors:
            audited.record_flat(bill.name, bill.truth, found, result.method)
    reader.close()
    total, passed = everything.total(), audited.total()
    return {
        "bills": everything.bills,
        "scan": {"dpi": dpi, "turn_degrees": turn, "noise": noise, "stamp": stamp},
        "engine": ocr.name,
        "bills_with_a_bill": bills_with_bill,
        "values": _score(total),
        "audits_pass": {"bills": audited.bills, **_score(passed)},
        "errors_besides_the_scan": dict(reasons.most_common()),
        "seconds_per_page": round(seconds / pages, 3) if pages else None,
        "ocr_doubtful_values": dict(flags),
        "per_field": {path: _score(score) for path, score in sorted(everything.per_field.items())},
        "wrong_when_audits_pass": [list(map(str, wrong)) for wrong in audited.wrong_in_ok[:20]],
    }


def _count_flags(flags: Counter[str], truth: dict[str, Any], found: dict[str, Any], audits: list[Any]) -> None:
    """Of the values read right and wrong, how many the audit ocr_doubtful_values named (its keys are the
    provenance's: a field, or a row such as line_items[1])."""
    doubtful: dict[str, float] = next((a.details["values"] for a in audits if a.code == "ocr_doubtful_values"), {})
    for path, value in found.items():
        named = any(path == key or path.startswith((f"{key}.", f"{key}[")) for key in doubtful)
        flags[f"{'right' if truth.get(path) == value else 'wrong'}_{'named' if named else 'not_named'}"] += 1


def _page_count(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def _score(score: Score) -> dict[str, Any]:
    return {
        "truth": score.truth,
        "read": score.extracted_ok,
        "right": score.correct_ok,
        "precision": round(score.precision, 4),
        "recall": round(score.recall, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-provider", type=int, default=5)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--turn", type=float, default=0.5, help="largest turn of a page, degrees")
    parser.add_argument("--noise", type=float, default=0.002, help="share of the pixels made specks")
    parser.add_argument("--stamp", help="a line of text stamped on each page, as scanning apps do")
    args = parser.parse_args(argv)
    report = run(args.per_provider, args.dpi, args.turn, args.noise, args.stamp)
    scan = f"{args.dpi} dpi, up to {args.turn} degrees, noise {args.noise}"
    if args.stamp:
        scan += f", stamped {args.stamp!r}"
    print(f"{report['bills']} scanned bills ({report['engine']}; {scan})")
    print(f"{'field':34} {'truth':>6} {'read':>6} {'right':>6} {'precision':>9} {'recall':>7}")
    for path, score in report["per_field"].items():
        counts = f"{score['truth']:6} {score['read']:6} {score['right']:6}"
        print(f"{path:34} {counts} {score['precision']:9.4f} {score['recall']:7.4f}")
    values, passed = report["values"], report["audits_pass"]
    read = report["bills_with_a_bill"]
    print(f"all values: precision {values['precision']:.4f} recall {values['recall']:.4f} ({read} bills read)")
    print(
        f"bills whose audits all pass: {passed['bills']}, their values' precision {passed['precision']:.4f} "
        f"recall {passed['recall']:.4f}"
    )
    print(f"errors besides the scan's: {report['errors_besides_the_scan']}")
    flags = report["ocr_doubtful_values"]
    print(
        f"values named by ocr_doubtful_values: {flags.get('wrong_named', 0)} of "
        f"{flags.get('wrong_named', 0) + flags.get('wrong_not_named', 0)} wrong ones, {flags.get('right_named', 0)} of "
        f"{flags.get('right_named', 0) + flags.get('right_not_named', 0)} right ones"
    )
    print(f"seconds per page (render + OCR + cascade): {report['seconds_per_page']}")
    json.dump(report, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
