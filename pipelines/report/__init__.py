"""The HTML report published with each version: one self-contained, offline page for care
managers (charts inline as SVG), in English or Spanish.

``render_report(warehouse_path, language=...)`` reads the warehouse read-only and returns the
page; :mod:`.data` holds its queries, :mod:`.charts` its figures, :mod:`.text` its words.
"""

from pipelines.report.render import render_report

__all__ = ["render_report"]
