"""The embedded stack for real: four function processes, the event router, Postgres, DuckDB."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from harness import CORPUS_DIR, REPO_ROOT

from common.adapters.duckdb_warehouse import DuckDBWarehouse
from local.client import ApiClient, collect_files, drop_files
from local.demo import run_demo
from local.router import list_dead_letters
from local.stack import LocalStack

pytestmark = pytest.mark.e2e


def _warehouse_rows(data_dir: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    warehouse = DuckDBWarehouse(data_dir / "warehouse.duckdb")
    return warehouse.rows("normalized_bills"), warehouse.rows("interval_usage")


@pytest.fixture
def data_dir(work_dir: Path) -> Path:
    return work_dir / "stack"


def test_demo_twice_then_drop_and_replay(data_dir: Path) -> None:
    first = run_demo(data_dir, as_json=True)
    rows_after_first = _warehouse_rows(data_dir)

    assert first["files"] == 59
    assert first["bills_loaded"] == 26 and first["warehouse_bills"] == 26
    assert first["interval_rows_loaded"] > 8760 * 2
    assert (first["failed"], first["dead_letters"]) == (1, 1)  # the corrupt_file scenario
    assert first["needs_review"] == 1  # the scanned_bill scenario's scan: read by OCR, for a person to confirm
    assert first["jobs"] == {"SUCCEEDED": 10, "FAILED": 1, "NEEDS_REVIEW": 1}

    second = run_demo(data_dir, as_json=True)
    assert {k: v for k, v in second.items()} == first
    assert _warehouse_rows(data_dir) == rows_after_first

    state = json.loads((data_dir / "demo.json").read_text())
    with LocalStack(data_dir, backoff_seconds=(0.05, 0.1)) as stack:
        counts = drop_files(
            ApiClient(stack.api_url, stack.admin_key), state["accounts"]["corpus"], collect_files([CORPUS_DIR])
        )
        assert counts == {"LOADED": 5}
        cli = ("--data-dir", str(data_dir), "--api", stack.api_url, "--api-key", stack.admin_key)
        listed = _local("dead-letters", "list", *cli)
        assert listed.returncode == 0, listed.stderr
        assert "extract" in listed.stdout and "attempts=3" in listed.stdout and "1 dead letters" in listed.stdout
        # A corrupt file stays corrupt: replay reopens it, it fails its three fresh attempts again and
        # returns to the dead letters — nothing loops, nothing is loaded, nothing is lost.
        replayed = _local("replay", *cli)
        assert replayed.returncode == 1, replayed.stderr
        result = json.loads(replayed.stdout)
        assert (result["replayed"], result["succeeded"], result["failed"]) == (1, 0, 1)
        assert len(result["reopened"]) == 1
        [dead] = list_dead_letters(stack.settings().dead_letter_dir)
        assert dead["attempts"] == 3 and dead["subscription"] == "extract-on-raw-finalize"
        dashboard = ApiClient(stack.api_url, stack.admin_key).call(
            "GET", f"/customers/{state['customer_id']}/dashboard"
        )
        assert any(p["reason_code"] == "corrupt_pdf" for p in dashboard["open_problems"])
    assert _warehouse_rows(data_dir) == rows_after_first


def _local(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "local", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def test_extract_command_line_contract(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return _local("extract", *args)

    gas = run(str(CORPUS_DIR / "gas_direct.xml"), "--rows")
    assert gas.returncode == 0, gas.stderr
    payload = json.loads(gas.stdout)
    assert payload["kind"] == "intervals"
    assert payload["series"][0]["unit"] == "therm"
    assert len(payload["rows"]) == payload["series"][0]["count"]

    from datetime import date

    from common.connectors.sandbox_bills import make_sandbox_bill, render_bill_pdf

    bill = make_sandbox_bill(
        "Sandbox Electric", "ACC-1", "1 Main St, Town, CA 94000", date(2026, 1, 1), date(2026, 1, 31), seed=3
    )
    pdf = tmp_path / "bill.pdf"
    pdf.write_bytes(render_bill_pdf(bill))
    result = run(str(pdf))
    assert result.returncode == 0, result.stderr
    extracted = json.loads(result.stdout)
    assert (extracted["kind"], extracted["status"], extracted["total_amount"]) == ("bill", "ok", str(bill.total_amount))
    assert extracted["bill_period_start"] == "2026-01-01"
    assert {"usage", "line_items", "audits", "provenance", "amount_due", "previous_balance"} <= set(extracted)

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj <<")
    rejected = run(str(broken))
    assert rejected.returncode == 2
    assert json.loads(rejected.stdout)["error"]["code"] == "corrupt_pdf"


def test_a_terminated_stack_stops_everything_it_started(data_dir: Path) -> None:
    """`timeout` or a CI runner sends SIGTERM: the functions and Postgres must not outlive the stack."""
    import signal
    import socket

    script = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "from local.stack import LocalStack\n"
        "with LocalStack(Path(sys.argv[1])) as stack:\n"
        "    print(json.dumps(stack.function_urls), flush=True)\n"
        "    time.sleep(300)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(data_dir)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    urls = json.loads(process.stdout.readline())
    ports = [int(url.rsplit(":", 1)[1]) for url in urls.values()]
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"something still listens on {port}"
    assert not (data_dir / "pg" / "postmaster.pid").exists()
