"""``python -m bench [CASE…] [--quick]``: run the benchmark cases and print the summary.

With no case names every case runs, then the suggestion-quality scores
(``bench/suggest_quality.py``). ``--quick`` uses small sizes (for development;
its numbers are not the ones to publish). The summary is printed as a Rich
table and as Markdown (for the README), and saved to ``bench/out/results.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import platform
import sys
import time
import traceback
from dataclasses import asdict

from rich.console import Console

from bench import OUT
from bench.common import Row, markdown_table, print_rows, summary_table

CASES = {
    "startup": "bench.case_startup",
    "open": "bench.case_open_article",
    "keystroke": "bench.case_keystroke",
    "import_export": "bench.case_import_export",
    "scale": "bench.case_scale",
    "suggest": "bench.case_suggest",
    "learning_curve": "bench.case_learning_curve",
    "keys_to_gold": "bench.case_keys_to_gold",
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("cases", nargs="*", metavar="CASE", help=f"any of: {', '.join(CASES)}")
    parser.add_argument("--quick", action="store_true", help="small sizes, for development")
    parser.add_argument("--no-quality", action="store_true", help="skip the suggestion scores")
    args = parser.parse_args(argv)
    unknown = [name for name in args.cases if name not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    console = Console(highlight=False)
    if not console.is_terminal:  # piped to a file: wide enough for the summary table
        console = Console(highlight=False, width=180)
    names = args.cases or list(CASES)
    rows: list[Row] = []
    failed: list[str] = []
    began = time.perf_counter()
    for name in names:
        console.rule(f"[bold]{name}[/]{' (quick)' if args.quick else ''}")
        started = time.perf_counter()
        try:
            module = importlib.import_module(CASES[name])
            case_rows: list[Row] = module.run(console, args.quick)
        except Exception:
            console.print(traceback.format_exc(), markup=False)
            failed.append(name)
            continue
        print_rows(console, case_rows)
        console.print(f"[dim]{name} took {time.perf_counter() - started:.0f} s[/]")
        rows.extend(case_rows)
    console.rule("[bold]summary[/]")
    console.print(summary_table(rows))
    console.print(markdown_table(rows), markup=False, soft_wrap=True)
    _save(rows, args.quick)
    console.print(f"[dim]total {time.perf_counter() - began:.0f} s; results in bench/out/[/]")
    if not args.cases and not args.no_quality:
        console.rule("[bold]suggestion quality[/]")
        from bench import suggest_quality

        suggest_quality.main()
    if failed:
        console.print(f"[red]failed: {', '.join(failed)}[/]")
        return 1
    return 0


def _save(rows: list[Row], quick: bool) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    payload = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "python": platform.python_version(),
        "machine": platform.platform(),
        "rows": [
            {**asdict(row), "ratio": row.ratio, "met": row.met, "target": row.target}
            for row in rows
        ],
    }
    name = "results-quick.json" if quick else "results.json"
    (OUT / name).write_text(json.dumps(payload, indent=2), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
