"""Reports of a pushbench run: plots (matplotlib), report.html and summary.md."""
