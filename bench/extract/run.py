"""Benchmark the bill extractor on the labelled corpus; prints a table, then one JSON object.

    .venv/bin/python -m bench.extract.run [--per-provider 40] [--json out.json] [--no-invoice2data]

Per bill, in one loop on one pinned core (so machine load hits every contender alike):
  floor              pypdfium2 raw text of every page, nothing else
  pdfium_parse       pdfium's own work that every contender pays before it has a character: each page and its
                     text page loaded through the raw API, no text copied (what is left of each contender's time
                     after it is what its own code costs)
  engine             the full cascade (read, template/heuristics, audits), pdfium in-process
  isolated           the same, pdfium in the sandboxed worker process, as the pipeline runs it
  invoice2data       1.0.1, its pypdfium2 input module, on the same files, with one template per provider
                     (bench/extract/invoice2data_templates) reading total, statement date, account and
                     line items: the issue's yardstick
  invoice2data_full  the same with templates that read every field of the bill invoice2data can express
                     (bench/extract/invoice2data_templates_full): the like-for-like figure
and the engine's first stages alone, to show where its time goes:
  words              pdfium's text plus a box for every word (pdf_worker.read_words)
  layout             the byte checks, the words and the lines and cells rebuilt from them (reader.read)
Accuracy: field precision/recall for seen providers (a template exists), unseen ones (heuristics), and
the heuristics alone on every provider (templates switched off); invoice2data_full's output is scored on
the same fields by the same rules (evaluate.flatten_invoice2data), the 3-field templates on their three.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from bench.extract.evaluate import Evaluation, Score, flatten_invoice2data
from common.connectors.billgen import CorpusBill, corpus
from common.errors import RejectedInput
from common.extraction.bills.cascade import BillResult, extract_bill
from common.extraction.bills.guard import MAX_CHARS_PER_PAGE, MAX_PAGES, PdfTextReader
from common.extraction.bills.pdf_worker import PdfReadError, read_words
from common.models import Severity

T = TypeVar("T")
I2D_TEMPLATES = Path(__file__).with_name("invoice2data_templates")
I2D_TEMPLATES_FULL = Path(__file__).with_name("invoice2data_templates_full")
I2D_VARIANTS = ("invoice2data", "invoice2data_full")


def floor(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        size = 0
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            size += len(textpage.get_text_range())
            textpage.close()
            page.close()
        return size
    finally:
        document.close()


def pdfium_parse(pdf: bytes) -> int:
    document = pdfium_c.FPDF_LoadMemDocument64(pdf, len(pdf), None)
    if not document:
        raise ValueError("pdfium cannot open the PDF")
    try:
        pages = pdfium_c.FPDF_GetPageCount(document)
        for index in range(pages):
            page = pdfium_c.FPDF_LoadPage(document, index)
            if not page:
                raise ValueError(f"pdfium cannot load page {index + 1}")
            pdfium_c.FPDFText_ClosePage(pdfium_c.FPDFText_LoadPage(page))
            pdfium_c.FPDF_ClosePage(page)
        return pages
    finally:
        pdfium_c.FPDF_CloseDocument(document)


def _vm_peak_mb(pid: int | str = "self") -> float:
    """Peak resident memory (VmHWM) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _record(evaluation: Evaluation, bill: CorpusBill, result: BillResult | None) -> None:
    if result is None:
        evaluation.record(bill.name, bill.truth, None, "rejected", [])
        return
    codes = [a.code for a in result.audits if a.severity is Severity.ERROR]
    evaluation.record(bill.name, bill.truth, result.bill, result.method, codes)


def _safe(call: Callable[[], T]) -> T | None:
    try:
        return call()
    except RejectedInput:
        return None


def _safe_words(pdf: bytes) -> None:
    try:
        read_words(pdf, max_pages=MAX_PAGES, max_chars_per_page=MAX_CHARS_PER_PAGE)
    except PdfReadError:
        pass


class Invoice2Data:
    """invoice2data 1.0.1, one template per provider from `folder`, its pypdfium2 reader."""

    def __init__(self, folder: Path = I2D_TEMPLATES) -> None:
        import logging

        from invoice2data.extract.loader import read_templates
        from invoice2data.input import pdfium as i2d_pdfium

        logging.getLogger("invoice2data").setLevel(logging.ERROR)
        self.templates = read_templates(str(folder))
        self.module = i2d_pdfium

    def extract(self, path: Path) -> dict[str, Any]:
        from invoice2data import extract_data

        result: dict[str, Any] = extract_data(str(path), templates=self.templates, input_module=self.module)
        return result


def _i2d_correct(bill: CorpusBill, got: dict[str, Any]) -> tuple[int, int]:
    """(correct, compared) over the three fields every template has: total, statement date, account."""
    if not got:
        return 0, 3
    correct = 0
    amount = got.get("amount")
    if amount is not None and Decimal(str(amount)).copy_abs() == bill.truth.total_amount.copy_abs():
        correct += 1
    when = got.get("date")
    if when is not None and hasattr(when, "date") and when.date() == bill.truth.statement_date:
        correct += 1
    if str(got.get("invoice_number", "")).strip() == bill.truth.account_number:
        correct += 1
    return correct, 3


def _pin_one_core() -> int | None:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})  # the worker process inherits it
        return cpu
    except (AttributeError, OSError):
        return None


def run(per_provider: int, with_invoice2data: bool) -> dict[str, Any]:
    cpu = _pin_one_core()
    bills = list(corpus(per_provider))
    inline = PdfTextReader("inline")
    isolated = PdfTextReader("process")
    i2d = Invoice2Data(I2D_TEMPLATES) if with_invoice2data else None
    i2d_full = Invoice2Data(I2D_TEMPLATES_FULL) if with_invoice2data else None
    cascade = {True: Evaluation(), False: Evaluation()}
    heuristics_only = {True: Evaluation(), False: Evaluation()}
    i2d_full_scores = Evaluation()
    # Time by provider group: on seen providers both the engine and invoice2data apply a template; on unseen
    # ones the engine reads with its generic heuristics, where invoice2data still has a template.
    timed = ("floor", "pdfium_parse", "words", "layout", "engine", "isolated", *I2D_VARIANTS)
    by_group = {seen: dict.fromkeys(timed, 0.0) for seen in (True, False)}
    i2d_correct = i2d_compared = i2d_matched = 0
    with tempfile.TemporaryDirectory(prefix="bills-") as tmp:
        # invoice2data memoizes a file's text by path: each variant reads its own copy and the warm-up a
        # third, so that no timed call reuses text that another call extracted.
        copies = [{use: Path(tmp) / f"{bill.name}.{use}.pdf" for use in ("warm-up", *I2D_VARIANTS)} for bill in bills]
        if i2d is not None:
            for bill, copy in zip(bills, copies, strict=True):
                for path in copy.values():
                    path.write_bytes(bill.pdf)
        # Warm-up on two bills of every provider (the corpus comes provider by provider), so that no
        # contender's one-time work (imports, each template's regexes, the worker's start) is timed.
        for bill, copy in zip(bills, copies, strict=True):
            if bill.index >= 2:
                continue
            floor(bill.pdf)
            pdfium_parse(bill.pdf)
            _safe_words(bill.pdf)
            _safe(lambda b=bill: extract_bill(b.pdf, pdf_reader=inline))  # type: ignore[misc]
            _safe(lambda b=bill: extract_bill(b.pdf, pdf_reader=isolated))  # type: ignore[misc]
            if i2d is not None and i2d_full is not None:
                i2d.extract(copy["warm-up"])
                i2d_full.extract(copy["warm-up"])
        rss_before = _vm_peak_mb()
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        for bill, copy in zip(bills, copies, strict=True):
            group = by_group[bill.provider.seen]  # looked up before the clock starts
            started = time.perf_counter()
            floor(bill.pdf)
            group["floor"] += time.perf_counter() - started

            started = time.perf_counter()
            pdfium_parse(bill.pdf)
            group["pdfium_parse"] += time.perf_counter() - started

            started = time.perf_counter()
            _safe_words(bill.pdf)
            group["words"] += time.perf_counter() - started

            started = time.perf_counter()
            _safe(lambda b=bill: inline.read(b.pdf))  # type: ignore[misc]
            group["layout"] += time.perf_counter() - started

            started = time.perf_counter()
            result = _safe(lambda b=bill: extract_bill(b.pdf, b.name, pdf_reader=inline))  # type: ignore[misc]
            group["engine"] += time.perf_counter() - started
            _record(cascade[bill.provider.seen], bill, result)

            started = time.perf_counter()
            _safe(lambda b=bill: extract_bill(b.pdf, b.name, pdf_reader=isolated))  # type: ignore[misc]
            group["isolated"] += time.perf_counter() - started

            if i2d is not None and i2d_full is not None:
                readers = {"invoice2data": i2d, "invoice2data_full": i2d_full}
                got = {}
                # Alternate which variant goes first, so that neither always finds the CPU caches warm.
                for variant in I2D_VARIANTS if bill.index % 2 == 0 else I2D_VARIANTS[::-1]:
                    started = time.perf_counter()
                    got[variant] = readers[variant].extract(copy[variant])
                    group[variant] += time.perf_counter() - started
                correct, compared = _i2d_correct(bill, got["invoice2data"])
                i2d_correct += correct
                i2d_compared += compared
                i2d_matched += bool(got["invoice2data"])
                full_got = got["invoice2data_full"]
                method = f"invoice2data:{full_got.get('template_name', '')}" if full_got else "invoice2data:no match"
                i2d_full_scores.record_flat(
                    bill.name, bill.truth, flatten_invoice2data(full_got) if full_got else None, method
                )
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        worker_peak = _vm_peak_mb(isolated._process.pid) if isolated._process is not None else float("nan")
        isolated.close()
    for bill in bills:
        _record(
            heuristics_only[bill.provider.seen],
            bill,
            _safe(lambda b=bill: extract_bill(b.pdf, pdf_reader=inline, templates=())),  # type: ignore[misc]
        )
    count = len(bills)
    seconds = {name: by_group[True][name] + by_group[False][name] for name in timed}
    per_bill_ms = {name: 1000 * total / count for name, total in seconds.items()}
    group_sizes = {seen: sum(1 for bill in bills if bill.provider.seen is seen) for seen in (True, False)}
    engine = Score()
    for evaluation in cascade.values():
        engine.add(evaluation.total())
    full = i2d_full_scores.total()
    return {
        "bills": count,
        "providers": sorted({b.provider.id for b in bills}),
        "unseen_providers": sorted({b.provider.id for b in bills if not b.provider.seen}),
        "pinned_cpu": cpu,
        "ms_per_bill": {k: round(v, 3) for k, v in per_bill_ms.items() if seconds[k] > 0},
        "ratio_to_floor": {k: round(v / per_bill_ms["floor"], 2) for k, v in per_bill_ms.items() if seconds[k] > 0},
        # what each contender's own code costs, once pdfium has parsed the pages
        "ms_after_pdfium_parse": {
            k: round(per_bill_ms[k] - per_bill_ms["pdfium_parse"], 3)
            for k in ("floor", "engine", *I2D_VARIANTS)
            if seconds[k] > 0
        },
        "ms_per_bill_by_group": {
            group: {k: round(1000 * v / group_sizes[seen], 3) for k, v in by_group[seen].items() if v > 0}
            for group, seen in (("seen", True), ("unseen", False))
            if group_sizes[seen]
        },
        # What each contender's time buys: the values it delivers per bill (the engine's: those of the bills
        # it loads as ok, each with its page, box and source text; invoice2data's 3-field templates: total,
        # statement date and account, plus line-item strings).
        "fields_per_bill": {
            "engine": round(engine.extracted_ok / count, 1),
            **({"invoice2data": 3, "invoice2data_full": round(full.extracted_ok / count, 1)} if i2d else {}),
        },
        "engine_precision_recall": [round(engine.precision, 5), round(engine.recall, 5)],
        "bills_per_second_one_core": round(1000 / per_bill_ms["engine"], 1),
        "bills_per_second_isolated": round(1000 / per_bill_ms["isolated"], 1),
        "cpu_seconds_in_loop": round(
            (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime), 2
        ),
        "peak_rss_mb": {"bench_process": round(_vm_peak_mb(), 1), "before_loop": round(rss_before, 1)},
        "worker_peak_rss_mb": round(worker_peak, 1),
        "accuracy": {
            "seen": _scores(cascade[True]),
            "unseen": _scores(cascade[False]),
            "heuristics_only_seen_layouts": _scores(heuristics_only[True]),
            "heuristics_only_unseen_layouts": _scores(heuristics_only[False]),
        },
        "invoice2data": {
            "matched": i2d_matched,
            "field_accuracy_total_date_account": round(i2d_correct / i2d_compared, 4) if i2d_compared else None,
        }
        if i2d is not None
        else None,
        # The same fields as the engine, scored the same way. What it misses is what the bill does not
        # print (line item categories; the commodity or read type of some meters), which the engine infers.
        "invoice2data_full": {
            "matched": i2d_full_scores.ok,
            "correct_fields_per_bill": round(full.correct_ok / count, 1),
            "truth_fields_per_bill": round(full.truth / count, 1),
            **_scores(i2d_full_scores),
        }
        if i2d is not None
        else None,
    }


def _scores(evaluation: Evaluation) -> dict[str, Any]:
    total: Score = evaluation.total()
    return {
        "bills": evaluation.bills,
        "ok": evaluation.ok,
        "needs_review": evaluation.needs_review,
        "rejected": evaluation.rejected,
        "precision": round(total.precision, 5),
        "recall": round(total.recall, 5),
        "recall_including_review": round(total.recall_any, 5),
        "review_reasons": dict(evaluation.review_reasons),
        "methods": dict(evaluation.methods),
        "wrong_in_ok_sample": [list(map(str, w)) for w in evaluation.wrong_in_ok[:5]],
        "per_field": {
            name: {"truth": s.truth, "precision": round(s.precision, 4), "recall": round(s.recall, 4)}
            for name, s in sorted(evaluation.per_field.items())
        },
    }


def print_table(report: dict[str, Any]) -> None:
    acc = report["accuracy"]
    print(f"{report['bills']} bills, providers {', '.join(report['providers'])}; unseen: {report['unseen_providers']}")
    print(f"\n{'field':34s} {'seen P':>8s} {'seen R':>8s} {'unseen P':>9s} {'unseen R':>9s}")
    fields = sorted(set(acc["seen"]["per_field"]) | set(acc["unseen"]["per_field"]))
    for name in fields:
        row = [acc[group]["per_field"].get(name) for group in ("seen", "unseen")]
        cells = [f"{r['precision']:8.4f} {r['recall']:8.4f}" if r else f"{'-':>8s} {'-':>8s}" for r in row]
        print(f"{name:34s} {cells[0]} {cells[1]:>18s}")
    print()
    for group, label in (
        ("seen", "cascade, seen providers"),
        ("unseen", "cascade, unseen providers"),
        ("heuristics_only_seen_layouts", "heuristics alone, template layouts"),
        ("heuristics_only_unseen_layouts", "heuristics alone, unseen layouts"),
    ):
        s = acc[group]
        print(
            f"{label:38s} ok {s['ok']:3d}/{s['bills']:3d}  precision {s['precision']:.4f}  recall {s['recall']:.4f}"
            f"  (incl. review {s['recall_including_review']:.4f})  review: {s['review_reasons']}"
        )
    i2d, full = report["invoice2data"], report["invoice2data_full"]
    engine_p, engine_r = report["engine_precision_recall"]
    fields = report["fields_per_bill"]
    notes = {"engine": f"{fields['engine']:5.1f} fields/bill  precision {engine_p:.4f}  recall {engine_r:.4f}"}
    if i2d and full:
        accuracy = i2d["field_accuracy_total_date_account"]
        notes["invoice2data"] = f"{fields['invoice2data']:5d} fields/bill  {accuracy:.4f} of total, date, account right"
        notes["invoice2data_full"] = (
            f"{fields['invoice2data_full']:5.1f} fields/bill  precision {full['precision']:.4f}"
            f"  recall {full['recall']:.4f}"
        )
    print("\ntime per bill (ms, one core):")
    for name, ms in report["ms_per_bill"].items():
        line = f"  {name:17s} {ms:8.3f}   x{report['ratio_to_floor'][name]:5.2f} of the floor   {notes.get(name, '')}"
        print(line.rstrip())
    print(
        "after pdfium's own parse (ms): "
        + ", ".join(f"{name} {ms:.3f}" for name, ms in report["ms_after_pdfium_parse"].items())
    )
    for group, times in report["ms_per_bill_by_group"].items():
        print(f"{group} providers (ms): " + ", ".join(f"{name} {ms:.3f}" for name, ms in times.items()))
    print(
        f"bills/s on one core: {report['bills_per_second_one_core']} in-process, "
        f"{report['bills_per_second_isolated']} isolated; peak RSS {report['peak_rss_mb']} MB, "
        f"worker {report['worker_peak_rss_mb']} MB"
    )
    if i2d and full:
        print(f"invoice2data: {i2d}")
        print(
            f"invoice2data_full: matched {full['matched']}/{full['bills']}, {full['correct_fields_per_bill']} of "
            f"{full['truth_fields_per_bill']} truth fields per bill right; per field: "
            + ", ".join(f"{k} {v['recall']:.2f}" for k, v in full["per_field"].items() if v["recall"] < 1)
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extract.run", description=__doc__.split("\n")[0])
    parser.add_argument("--per-provider", type=int, default=40)
    parser.add_argument("--json", help="also write the JSON report to this file")
    parser.add_argument("--no-invoice2data", action="store_true")
    args = parser.parse_args(argv)
    report = run(args.per_provider, with_invoice2data=not args.no_invoice2data)
    print_table(report)
    text = json.dumps(report, indent=None, default=str)
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
