"""How honest and how complete the generic heuristics are on layouts they have never seen.

    .venv/bin/python -m bench.extract.wild [--bills 200] [--seed 7] [--json out.json]
        [--family heldout|third|fourth|web]

Each wild bill (common/connectors/billgen/wild.py; with --family heldout, a second author's layouts from
common/connectors/billgen/heldout.py; with --family third, a third author's from third.py; with --family fourth,
a fourth author's from fourth.py; with --family web, a fifth author's portal e-bills printed by Chromium from
bench/extract/webbills.py) goes through
the cascade with templates switched off, so only the heuristics read it. Printed: status counts;
precision over the fields of bills loaded as ok, with every wrong value listed beside the layout choices
that bear on it (a wrong value in an ok bill breaks the promise); recall per field, in ok bills and,
separately, values that were right but sat in bills sent to review; review reasons; ok rate by layout
choice. Then one JSON object.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from typing import Any

from bench.extract.evaluate import Evaluation, Score, emit, field_group
from bench.extract.webbills import web_bills
from common.connectors.billgen.fourth import fourth_bills
from common.connectors.billgen.heldout import heldout_bill, heldout_bills
from common.connectors.billgen.third import third_bills
from common.connectors.billgen.wild import WildBill, wild_bills
from common.errors import RejectedInput
from common.extraction.bills.cascade import extract_bill
from common.extraction.bills.guard import PdfTextReader
from common.models import BillStatus, Severity

USAGE_CHOICES = ("make", "service_column", "unit_style", "est_style", "num_align", "extra_columns", "col.*")
RELEVANT: dict[str, tuple[str, ...]] = {
    "provider": ("provider_size", "headline_size", "distractors"),
    "account_number": ("header", "label.account_number", "distractors"),
    "service_address": ("header", "label.service_address", "address_lines", "mailing_block"),
    "statement_date": ("header", "label.statement_date", "date_format", "distractors"),
    "due_date": ("header", "label.due_date", "date_format", "distractors"),
    "bill_period_start": ("header", "label.bill_period", "period_sep", "date_format"),
    "bill_period_end": ("header", "label.bill_period", "period_sep", "date_format"),
    "currency": ("locale",),
    "total_amount": ("summary", "label.total_amount", "charges_total", "credit"),
    "amount_due": ("summary", "label.amount_due", "distractors", "credit"),
    "previous_balance": ("summary", "label.previous_balance", "credit"),
    "payments_and_credits": ("summary", "label.payments_and_credits", "payments_sign", "credit"),
    "line_items": ("charges_style", "charges_header", "charges_total", "charges_columns_header", "sections"),
    "usage": USAGE_CHOICES,
    "demand": USAGE_CHOICES,
}
TABLES = ("line_items", "usage", "demand")
# the layout choices the ok rate is broken down by; each author named their choices in their own way
_FIRST_NAMES = (
    "locale",
    "make",
    "header",
    "summary",
    "charges_style",
    "charges_total",
    "num_align",
    "address_lines",
)
BY_CHOICE = {
    "wild": _FIRST_NAMES,
    "heldout": _FIRST_NAMES,  # the second author kept the first one's names for these
    "third": ("locale", "kind", "header", "facts", "summary.style", "charges.style", "meter.style", "font"),
    "fourth": (
        "locale",
        "kind",
        "layout.header",
        "summary.style",
        "charges.qty",
        "charges.grouping",
        "meter.style",
        "stub",
    ),
    "web": (
        "locale",
        "kind",
        "header",
        "facts",
        "summary.style",
        "charges.style",
        "charges.grouping",
        "meter.style",
    ),
}


def relevant_choices(path: str, choices: dict[str, str]) -> dict[str, str]:
    """The layout decisions that bear on one field, to explain a misread."""
    keys = RELEVANT.get(path.split("[")[0].split(".")[0], ())
    picked: dict[str, str] = {key: choices[key] for key in ("locale", "make", "kind") if key in choices}
    for key in keys:
        if key.endswith("*"):
            picked.update({k: v for k, v in choices.items() if k.startswith(key[:-1])})
        else:
            picked[key] = choices.get(key, "-")
    return picked


# heldout: a second author's layouts, written without reading the heuristics (since used to diagnose them)
# third: a third author's layouts (US, CA, UK, AU, NZ, IE), also written without reading the heuristics
# fourth: a fourth author's (US, CA, UK, IE, AU; fourth.py), stubs, history charts, prorated rows, net metering
# web: a fifth author's portal e-bills (US, CA, UK, AU; bench/extract/webbills.py), HTML+CSS printed by Chromium
FAMILIES = {
    "wild": wild_bills,
    "heldout": heldout_bills,
    "third": third_bills,
    "fourth": fourth_bills,
    "web": web_bills,
}


def run(count: int, seed: int, family: str = "wild", choices: dict[str, str] | None = None) -> dict[str, Any]:
    reader = PdfTextReader("inline")
    evaluation = Evaluation()
    statuses: Counter[str] = Counter()
    by_choice: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    bills: dict[str, WildBill] = {}
    rows: dict[str, dict[str, tuple[int, int]]] = {}  # table -> (rows read, rows printed), per bill
    short: dict[str, list[str]] = {table: [] for table in TABLES}  # ok bills that read fewer rows than they print
    drawn = [heldout_bill(i, seed, choices) for i in range(count)] if choices else FAMILIES[family](count, seed)
    for bill in drawn:
        bills[bill.name] = bill
        try:
            result = extract_bill(bill.pdf, bill.name, pdf_reader=reader, templates=())
        except RejectedInput:
            evaluation.record(bill.name, bill.truth, None, "rejected", [])
            status = "rejected"
        else:
            # a missing or uncertain field is named, so that the reasons say which fields the layouts hide
            codes = [
                f"{a.code}:{a.details['field']}" if "field" in a.details else a.code
                for a in result.audits
                if a.severity is Severity.ERROR
            ]
            evaluation.record(bill.name, bill.truth, result.bill, result.method, codes)
            if result.bill is not None:
                rows[bill.name] = {t: (len(getattr(result.bill, t)), len(getattr(bill.truth, t))) for t in TABLES}
            status = "ok" if result.status is BillStatus.OK and result.bill is not None else "needs_review"
            if status == "ok":
                for table, (read, printed) in rows[bill.name].items():
                    if read < printed:
                        short[table].append(bill.name)
        statuses[status] += 1
        for key in BY_CHOICE[family]:
            by_choice[key][bill.choices.get(key, "-")][status] += 1
    wrong: list[dict[str, Any]] = [
        {
            "bill": name,
            "index": int(name.rsplit("-", 1)[1]),
            "seed": seed,
            "field": path,
            "got": str(got),
            "truth": str(truth),
            "choices": relevant_choices(path, bills[name].choices),
            # rows are matched by position: a dropped row shows as wrong values in every row after it
            **({"rows_got_truth": rows[name][path.split("[")[0]]} if "[" in path else {}),
        }
        for name, path, truth, got in evaluation.wrong_in_ok
    ]
    total: Score = evaluation.total()
    return {
        "bills": count,
        "family": family,
        "seed": seed,
        "status": dict(statuses),
        "precision_ok": round(total.precision, 5),
        "recall_ok": round(total.recall, 5),
        "recall_including_review": round(total.recall_any, 5),
        "wrong_in_ok_bills": len({w["bill"] for w in wrong}),
        "wrong_in_ok_by_field": dict(Counter(field_group(w["field"]) for w in wrong).most_common()),
        "wrong_in_ok": wrong,
        # a meter or a charge lost without a wrong value: rows are matched by position, so a lost last row scores as
        # recall alone
        "ok_bills_short_of_rows": short,
        "review_reasons": dict(sorted(evaluation.review_reasons.items(), key=lambda kv: -kv[1])),
        "per_field": {
            name: {
                "truth": s.truth,
                "extracted_ok": s.extracted_ok,
                "precision": round(s.precision, 4),
                "recall_ok": round(s.recall, 4),
                "right_in_review": s.correct_any - s.correct_ok,
                "recall_including_review": round(s.recall_any, 4),
            }
            for name, s in sorted(evaluation.per_field.items())
        },
        "ok_by_choice": {key: {value: dict(c) for value, c in sorted(v.items())} for key, v in by_choice.items()},
    }


def print_report(report: dict[str, Any]) -> None:
    status = report["status"]
    print(f"{report['bills']} {report['family']} bills (seed {report['seed']}), heuristics only: {status}")
    print(
        f"precision in ok bills {report['precision_ok']:.4f}   recall (ok bills) {report['recall_ok']:.4f}"
        f"   recall incl. review {report['recall_including_review']:.4f}"
    )
    print(f"\nwrong values in bills loaded as ok: {len(report['wrong_in_ok'])} in {report['wrong_in_ok_bills']} bills")
    for wrong in report["wrong_in_ok"]:
        choices = " ".join(f"{k}={v!r}" for k, v in wrong["choices"].items())
        shift = f" (rows read/printed {wrong['rows_got_truth']})" if "rows_got_truth" in wrong else ""
        print(f"  {wrong['bill']} {wrong['field']}: got {wrong['got']!r}, truth {wrong['truth']!r}{shift}")
        print(f"      {choices}")
    short = report["ok_bills_short_of_rows"]
    print("ok bills that read fewer rows than they print: " + "; ".join(f"{t} {len(n)}" for t, n in short.items()))
    for table, names in short.items():
        if names:
            print(f"  {table}: {' '.join(names)}")
    print(f"\n{'field':28s} {'truth':>6s} {'loaded':>7s} {'prec':>7s} {'recall':>7s} {'+review':>8s} {'any':>7s}")
    for name, s in report["per_field"].items():
        print(
            f"{name:28s} {s['truth']:6d} {s['extracted_ok']:7d} {s['precision']:7.4f} {s['recall_ok']:7.4f}"
            f" {s['right_in_review']:8d} {s['recall_including_review']:7.4f}"
        )
    print("\nreview reasons (bills):")
    for code, n in report["review_reasons"].items():
        print(f"  {n:4d}  {code}")
    print("\nstatus by layout choice:")
    for key, values in report["ok_by_choice"].items():
        print(f"  {key}: " + "; ".join(f"{value} {dict(c)}" for value, c in values.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extract.wild", description=__doc__.split("\n")[0])
    parser.add_argument("--bills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="also write the JSON report to this file")
    parser.add_argument("--family", choices=tuple(FAMILIES), default="wild", help="which generator draws the bills")
    parser.add_argument(
        "--choice",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="heldout only: fix one layout choice (e.g. label.account_number='Account number'), to ask what "
        "one decision costs",
    )
    args = parser.parse_args(argv)
    choices = dict(choice.split("=", 1) for choice in args.choice)
    if choices and args.family != "heldout":
        parser.error("--choice applies to --family heldout")
    report = run(args.bills, args.seed, args.family, choices)
    print_report(report)
    emit(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
