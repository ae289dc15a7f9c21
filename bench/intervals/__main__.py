"""`python -m bench.intervals`: rows/s and peak memory of interval parsers, side by side.

Parsers, each run in its own subprocess per file so peak memory is that parser's alone:
- ``minimeter``: common.extraction.espi.parse_espi into in-memory columns (what the extract stage
  does before writing Parquet), every field kept: instant, duration, value, cost, quality, direction;
- ``minimeter-stream``: stream_espi_to_parquet, the bounded-memory path, rows written to Parquet;
- ``greenbutton-objects``: the PyPI parser (``parse_feed``), every reading's fields touched;
- ``lxml-floor``: ``lxml.etree.parse`` of the same file, no Python per row.
Files: the corpus ESPI files, a generated 10-meter x 1-year x 15-minute feed and one 10x larger
(100 meters). rows/s is the best of ``--repeat`` runs; peak memory is the child's max RSS
(``resource.getrusage``), beside the RSS after imports so the parser's own share is visible.
Prints a table and then one JSON document (``--json PATH`` also writes it).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.intervals.feeds import write_feed

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "greenbutton"
PARSERS = ("minimeter", "minimeter-stream", "greenbutton-objects", "lxml-floor")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(parser: str, path: str, repeat: int, workdir: str) -> dict[str, Any]:
    """Run one parser on one file in this (fresh) process and report."""
    if parser.startswith("minimeter"):
        from common.extraction.espi import parse_espi, stream_espi_to_parquet
    elif parser == "greenbutton-objects":
        from greenbutton_objects import parse as gbo_parse
    from lxml import etree

    baseline = _rss_mb()

    def run_once() -> int:
        if parser == "minimeter":
            result = parse_espi(path)
            return len(result.table)
        if parser == "minimeter-stream":
            out = Path(workdir) / "stream.parquet"
            result = stream_espi_to_parquet(path, out)
            out.unlink()
            return result.row_count
        if parser == "greenbutton-objects":
            rows = 0
            for point in gbo_parse.parse_feed(path):
                for reading in point.meterReadings:
                    direction = reading.readingType.flowDirection if reading.readingType else None
                    for row in reading.intervalReadings:
                        _ = (row.timePeriod.start, row.timePeriod.duration, row.value, row.readingQualities, direction)
                        rows += 1
            return rows
        tree = etree.parse(path)
        count = tree.getroot().xpath("count(//*[local-name()='IntervalReading'])")
        assert isinstance(count, float)  # XPath's count() is a number
        return int(count)

    timings = []
    rows = 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = run_once()
        timings.append(time.perf_counter() - started)
    return {"rows": rows, "seconds": min(timings), "peak_rss_mb": _rss_mb(), "baseline_rss_mb": baseline}


def measure(parser: str, path: Path, repeat: int, timeout: float, workdir: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.intervals", "--child", parser, str(path), "--repeat", str(repeat)]
    command += ["--workdir", workdir]
    try:
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:200]}
    report: dict[str, Any] = json.loads(done.stdout)
    report["rows_per_s"] = report["rows"] / report["seconds"] if report["seconds"] else None
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.intervals", description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("PARSER", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=0, help="runs per case (default: 5, 1 for large feeds)")
    parser.add_argument("--meters", type=int, default=10, help="meters in the 1x generated feed")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--no-10x", action="store_true", help="skip the 10x generated feed")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per case")
    parser.add_argument("--json", type=Path, help="also write the JSON report here")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], max(args.repeat, 1), args.workdir or ".")))
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-intervals-") as workdir:
        files: list[tuple[str, Path, str]] = [(p.name, p, "corpus") for p in sorted(CORPUS.glob("*.xml"))]
        one = Path(workdir) / "generated_1x.xml"
        write_feed(one, args.meters, args.days)
        files.append((f"generated {args.meters}m x {args.days}d x 15min", one, "1x"))
        if not args.no_10x:
            ten = Path(workdir) / "generated_10x.xml"
            write_feed(ten, args.meters * 10, args.days)
            files.append((f"generated {args.meters * 10}m x {args.days}d x 15min", ten, "10x"))
        results = []
        header = f"{'file':48s} {'MB':>7s} {'parser':20s} {'rows':>9s} {'rows/s':>11s} {'peak MB':>8s} {'base MB':>8s}"
        print(header)
        print("-" * len(header))
        for name, path, role in files:
            size_mb = path.stat().st_size / 1e6
            repeat = args.repeat or (5 if size_mb < 20 else 1)
            for parser_name in PARSERS:
                report = measure(parser_name, path, repeat, args.timeout, workdir)
                results.append({"file": name, "role": role, "mb": round(size_mb, 1), "parser": parser_name, **report})
                if "error" in report:
                    print(f"{name[:48]:48s} {size_mb:7.1f} {parser_name:20s} {report['error']}")
                else:
                    print(
                        f"{name[:48]:48s} {size_mb:7.1f} {parser_name:20s} {report['rows']:9d}"
                        f" {report['rows_per_s']:11,.0f} {report['peak_rss_mb']:8.0f} {report['baseline_rss_mb']:8.0f}"
                    )
                sys.stdout.flush()
    summary = _targets(results)
    for line in summary["lines"]:
        print(line)
    document = {"results": results, "targets": summary["checks"]}
    print(json.dumps(document, indent=2))
    if args.json:
        args.json.write_text(json.dumps(document, indent=2))
    return 0


def _targets(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The issue's targets on the 8,760-reading Coastal file and the 1x/10x memory ratio."""
    by = {(r["file"], r["parser"]): r for r in results if "error" not in r}
    coastal = "Coastal_Multi_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_5.xml"
    checks: dict[str, Any] = {}
    lines = []
    ours, gbo, floor = (by.get((coastal, p)) for p in ("minimeter", "greenbutton-objects", "lxml-floor"))
    if ours and gbo and floor:
        checks["speedup_vs_greenbutton_objects"] = ours["rows_per_s"] / gbo["rows_per_s"]
        checks["slowdown_vs_lxml_floor"] = floor["rows_per_s"] / ours["rows_per_s"]
        lines.append(
            f"Coastal 8,760 rows: {checks['speedup_vs_greenbutton_objects']:.1f}x greenbutton-objects (target >= 5),"
            f" {checks['slowdown_vs_lxml_floor']:.2f}x slower than the lxml floor (target <= 3)"
        )
    one = next(
        (r for r in results if r["role"] == "1x" and r["parser"] == "minimeter-stream" and "error" not in r), None
    )
    ten = next(
        (r for r in results if r["role"] == "10x" and r["parser"] == "minimeter-stream" and "error" not in r), None
    )
    if one and ten:
        checks["memory_10x_over_1x"] = ten["peak_rss_mb"] / one["peak_rss_mb"]
        lines.append(f"peak memory 10x / 1x (minimeter-stream): {checks['memory_10x_over_1x']:.2f} (target < 1.3)")
    return {"checks": checks, "lines": lines}


if __name__ == "__main__":
    raise SystemExit(main())
