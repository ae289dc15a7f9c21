"""`python -m local`: run MiniMeter on this machine (up, demo, drop, extract, replay)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from common.errors import RejectedInput
from common.extraction.bills.draft import SCALARS
from common.extraction.dispatch import Extraction, extract_file
from common.models import ArtifactKind, AuditResult, NormalizedBill

DEFAULT_DATA_DIR = Path(".minimeter")
STACK_FILE = "stack.json"
EMULATED_DATA_DIR = DEFAULT_DATA_DIR / "emulated"


def _dump(payload: Any) -> str:
    return json.dumps(payload, default=lambda v: str(v) if isinstance(v, Decimal) else v.isoformat())


def _bill_json(bill: NormalizedBill | None, status: str, audits: list[AuditResult]) -> dict[str, Any]:
    # A bill sent to review without a bill (no text layer, no period or total) keeps the same keys.
    fields = bill.model_dump(mode="json") if bill is not None else {}
    return {
        "kind": "bill",
        "status": status,
        **{k: fields.get(k) for k in (*SCALARS, "budget_billing")},
        "usage": fields.get("usage", []),
        "demand": fields.get("demand", []),
        "line_items": fields.get("line_items", []),
        "audits": [a.model_dump(mode="json") for a in audits],
        "provenance": fields.get("provenance", {}),
    }


def extraction_json(result: Extraction, with_rows: bool) -> dict[str, Any]:
    """The stable command-line contract of `extract`. A file of several statements of one account is
    `{"kind": "statements", "status", "statements": [one bill's object each], "audits"}`."""
    if result.kind is ArtifactKind.BILL_PDF and result.bills:
        return {
            "kind": "statements",
            "status": result.status.value,
            "statements": [_bill_json(bill, bill.status.value, bill.audits) for bill in result.bills],
            "audits": [a.model_dump(mode="json") for a in result.audits],
        }
    if result.kind is ArtifactKind.BILL_PDF:
        return _bill_json(result.bill, result.status.value, result.audits)
    payload: dict[str, Any] = {
        "kind": "intervals",
        "status": result.status.value,
        "series": [s.model_dump(mode="json") for s in result.series],
        "audits": [a.model_dump(mode="json") for a in result.audits],
    }
    if with_rows:
        payload["rows"] = [r.model_dump(mode="json") for r in result.readings]
    return payload


def cmd_extract(args: argparse.Namespace) -> int:
    path = Path(args.path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(_dump({"error": {"code": "unreadable_file", "message": str(exc)}}))
        return 2
    try:
        result = extract_file(data, path.name)
    except RejectedInput as exc:
        print(_dump({"error": {"code": exc.reason_code, "message": exc.message}}))
        return 2
    print(_dump(extraction_json(result, args.rows)))
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    from local.stack import LocalStack

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with LocalStack(Path(args.data_dir)) as stack:
        stack_file = Path(args.data_dir) / STACK_FILE
        stack_file.write_text(
            json.dumps({"api_url": stack.api_url, "function_urls": stack.function_urls, "env": stack.env}, indent=2)
        )
        print(f"MiniMeter is up. API: {stack.api_url}", file=sys.stderr)
        for name, url in stack.function_urls.items():
            print(f"  {name:8s} {url}", file=sys.stderr)
        print(
            f"  router   {stack.env['EVENT_ROUTER_URL']}\n  DB_URL   {stack.env['DB_URL']}\n"
            f"Logs in {Path(args.data_dir) / 'logs'}. Ctrl-C stops everything.",
            file=sys.stderr,
        )
        stop.wait()
        stack_file.unlink(missing_ok=True)
    return 0


def _stack_info(data_dir: Path) -> dict[str, Any]:
    path = data_dir / STACK_FILE
    if not path.exists():
        raise SystemExit(f"no running stack found ({path} is missing): start one with `python -m local up`")
    info: dict[str, Any] = json.loads(path.read_text())
    return info


def _admin_client(args: argparse.Namespace) -> Any:
    from local.client import ApiClient
    from local.stack import admin_key

    data_dir = Path(args.data_dir)
    return ApiClient(args.api or _stack_info(data_dir)["api_url"], args.api_key or admin_key(data_dir))


def cmd_replay(args: argparse.Namespace) -> int:
    """Reopen the failed work behind the dead letters and deliver them again (through the admin API)."""
    body = {"ids": args.ids} if args.ids else {}
    result = _admin_client(args).call("POST", "/admin/dead-letters/replay", json=body)
    print(_dump(result))
    return 0 if result["failed"] == 0 else 1


def cmd_dead_letters(args: argparse.Namespace) -> int:
    client = _admin_client(args)
    if args.action == "show":
        if not args.ids:
            raise SystemExit("dead-letters show needs an id")
        for dead_letter_id in args.ids:
            print(json.dumps(client.call("GET", f"/admin/dead-letters/{dead_letter_id}"), indent=2))
        return 0
    if args.action == "replay":
        return cmd_replay(args)
    letters = client.call("GET", "/admin/dead-letters")["dead_letters"]
    for letter in letters:
        error = letter["last_error"].get("status") or letter["last_error"].get("body", "")[:60]
        print(
            f"{letter['id']}  {letter['function'] or '-':8s} attempts={letter['attempts']}  "
            f"{letter['subject'] or letter['event_type']}  last error: {error}"
        )
    print(f"{len(letters)} dead letters")
    return 0


def cmd_drop(args: argparse.Namespace) -> int:
    from local.client import collect_files, drop_files

    files = collect_files([Path(p) for p in args.paths])
    if not files:
        print("no files found", file=sys.stderr)
        return 1
    counts = drop_files(_admin_client(args), args.account, files, wait=not args.no_wait)
    print(_dump(counts))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from local.demo import run_demo

    summary = run_demo(Path(args.data_dir), corpus_dir=Path(args.corpus) if args.corpus else None, as_json=args.json)
    return 0 if summary["files"] > 0 else 1


def cmd_emulate(args: argparse.Namespace) -> int:
    """The demo through the emulators. They keep nothing between runs, so neither does the data dir."""
    import shutil

    from local.demo import run_demo

    data_dir = Path(args.data_dir)
    shutil.rmtree(data_dir, ignore_errors=True)
    corpus = Path(args.corpus) if args.corpus else None
    summary = run_demo(data_dir, corpus_dir=corpus, as_json=args.json, mode="emulated")
    return 0 if summary["files"] > 0 and summary["loaded"] > 0 else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    extract = sub.add_parser("extract", help="print the extraction of one file as JSON (no services)")
    extract.add_argument("path")
    extract.add_argument("--rows", action="store_true", help="include interval rows")
    extract.set_defaults(func=cmd_extract)

    for name, func, help_text in (
        ("up", cmd_up, "run the embedded stack until Ctrl-C"),
        ("demo", cmd_demo, "run the whole pipeline on sandbox accounts and the corpus"),
        ("emulate", cmd_emulate, "the demo on the cloud code path: Pub/Sub, GCS, BigQuery emulators, PostgreSQL 15"),
        ("replay", cmd_replay, "reopen and redeliver dead letters in the running stack"),
        ("dead-letters", cmd_dead_letters, "list, show or replay the running stack's dead letters"),
        ("drop", cmd_drop, "upload files or folders for an account to the running stack"),
    ):
        command = sub.add_parser(name, help=help_text)
        command.add_argument("--data-dir", default=str(EMULATED_DATA_DIR if name == "emulate" else DEFAULT_DATA_DIR))
        command.set_defaults(func=func)
        if name in ("demo", "emulate"):
            command.add_argument("--json", action="store_true", help="end with one JSON summary line")
            command.add_argument("--corpus", help="folder of files to upload (default: ../shared/corpus/greenbutton)")
        if name in ("replay", "dead-letters", "drop"):
            command.add_argument("--api", help="API URL (default: the running stack's)")
            command.add_argument("--api-key", help="API key (default: the local stack's admin key)")
        if name == "dead-letters":
            command.add_argument("action", choices=("list", "show", "replay"), nargs="?", default="list")
        if name in ("replay", "dead-letters"):
            command.add_argument("ids", nargs="*", help="dead-letter ids (default: all)")
        if name == "drop":
            command.add_argument("paths", nargs="+")
            command.add_argument("--account", required=True, help="utility account id")
            command.add_argument("--no-wait", action="store_true", help="do not wait for the pipeline")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code
