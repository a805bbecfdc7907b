"""Reports of benchmark results: Markdown, CSV, the chart and the files they are written to.

One module renders each format, used by the API (``/benchmark/report``, ``/benchmark/export/csv``),
``exportreport`` and ``runbenchmark`` alike. Importing this package never imports matplotlib:
``bench.reports.chart`` does that only when a chart is drawn.
"""

from bench.reports.csvtext import csv_text
from bench.reports.info import RunInfo
from bench.reports.markdown import render_markdown

__all__ = ["RunInfo", "csv_text", "render_markdown"]
