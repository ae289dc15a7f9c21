"""How bills read when a few bytes of one of their streams are damaged, as a bad disk or transfer leaves them.

    .venv/bin/python -m bench.extract.damaged [--copies 3000] [--seed 3] [--json out.json]

Corpus, held-out and third-author bills that load as ok are copied with one to three bytes of one stream
(content, font, image) set to random values, and read again (OCR off). pdfium draws a stream up to where it
stops decoding, without a word, so a damaged copy must not load as ok with less read or with a value read
otherwise: those two columns must stay at zero. "unchanged" counts the copies whose random bytes equal the
ones they replace. Then one JSON object.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from typing import Any

from bench.extract.evaluate import emit, flatten
from common.connectors.billgen import corpus
from common.connectors.billgen.heldout import heldout_bills
from common.connectors.billgen.third import third_bills
from common.errors import RejectedInput
from common.extraction.bills.cascade import extract_bill
from common.extraction.bills.guard import PdfTextReader
from common.extraction.bills.templates import Template
from common.models import BillStatus

_STREAM_DATA = re.compile(rb"(?<!end)stream\r?\n(.*?)endstream", re.S)


def run(copies: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    reader = PdfTextReader("inline")
    bills: list[tuple[str, bytes, tuple[Template, ...] | None]] = [(b.name, b.pdf, None) for b in corpus(3)]
    bills += [(f"heldout-{seed}-{i:04d}", b.pdf, ()) for i, b in enumerate(heldout_bills(20, seed))]
    bills += [(f"third-{seed}-{i:04d}", b.pdf, ()) for i, b in enumerate(third_bills(20, seed))]
    intact: dict[str, dict[str, Any]] = {}
    for name, pdf, templates in bills:
        result = extract_bill(pdf, pdf_reader=reader, templates=templates, ocr="off")
        if result.status is BillStatus.OK and result.bill is not None:
            intact[name] = flatten(result.bill)
    bills = [bill for bill in bills if bill[0] in intact]
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    wrong: list[str] = []
    for _ in range(copies):
        name, pdf, templates = rng.choice(bills)
        start, end = rng.choice(list(_STREAM_DATA.finditer(pdf))).span(1)
        damaged = bytearray(pdf)
        for _ in range(rng.randint(1, 3)):
            damaged[rng.randrange(start, end)] = rng.randrange(256)
        if bytes(damaged) == pdf:
            counts["unchanged"] += 1
            continue
        try:
            result = extract_bill(bytes(damaged), pdf_reader=reader, templates=templates, ocr="off")
        except RejectedInput as exc:
            counts[f"refused ({exc.reason_code})"] += 1
            continue
        if result.status is not BillStatus.OK or result.bill is None:
            counts["review"] += 1
            reasons.update({audit.code for audit in result.audits if audit.severity.value == "error"})
            continue
        values, expected = flatten(result.bill), intact[name]
        if values == expected:
            counts["ok, the same"] += 1
        elif all(expected.get(path) == value for path, value in values.items()):
            counts["ok, less read"] += 1
            wrong.append(name)
        else:
            counts["ok, read otherwise"] += 1
            wrong.append(name)
    return {
        "bills": len(bills),
        "copies": copies,
        "outcomes": dict(counts),
        "review_reasons": dict(reasons),
        "wrong_bills": wrong[:20],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extract.damaged", description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--json", help="also write the JSON report to this file")
    args = parser.parse_args(argv)
    report = run(args.copies, args.seed)
    print(f"{report['copies']} damaged copies of {report['bills']} bills that load as ok\n")
    for outcome, count in sorted(report["outcomes"].items()):
        print(f"  {outcome:32s} {count:6d}")
    print(f"  review reasons: {report['review_reasons']}")
    emit(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
