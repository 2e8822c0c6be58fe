#!/usr/bin/python3
"""Renders a run's report into its folder: PNG plots, report.html and summary.md.

  scripts/report.py results/20261128T181500Z-default
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from report import pages, plots, table  # noqa: E402


def main(argv):
    if len(argv) != 2 or argv[1].startswith("-"):
        print("usage: scripts/report.py RUN_DIR", file=sys.stderr)
        return 2
    run_dir = Path(argv[1])
    if not (run_dir / "results.json").exists():
        print(f"report.py: RUN_DIR: no results.json in '{run_dir}'", file=sys.stderr)
        return 2
    doc = table.load(run_dir)
    rows = table.rows(doc)
    figures = plots.all_figures(rows, run_dir) + plots.soak(doc, run_dir)
    (run_dir / "report.html").write_text(pages.report_html(doc, rows, figures, run_dir))
    (run_dir / "summary.md").write_text(pages.summary_md(doc, rows))
    print(f"{run_dir / 'report.html'} ({len(figures)} plots), {run_dir / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
