"""The HTML report published with each version: the latest scorecards at a glance."""

from __future__ import annotations

from pathlib import Path

import duckdb
from jinja2 import Environment, select_autoescape

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Brand care scorecards</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}
caption{text-align:left;font-weight:600;margin-bottom:.4rem}
.muted{color:#777}
</style></head><body>
<h1>Brand care scorecards</h1>
<p class="muted">Data horizon {{ horizon }} UTC. Monthly scorecards, all platforms, in each brand's time zone.
Rates are shares of actionable cases (complaints and questions); NULL shown as –.</p>
{% for month, rows in months %}
<table><caption>{{ month }}{% if not rows[0].is_final %} (not final){% endif %}</caption>
<tr><th>brand</th><th>sector</th><th>rank</th><th>care score</th><th>cases</th><th>actionable</th>
<th>response rate</th><th>median first response (min)</th><th>deflection</th><th>off-hours response</th><th>equity</th></tr>
{% for r in rows %}<tr><td>{{ r.brand_name }}</td><td>{{ r.sector or '' }}</td><td>{{ r.rank or '–' }}</td>
<td>{{ fmt(r.care_score, 1) }}</td><td>{{ r.cases }}</td><td>{{ r.actionable_cases }}</td>
<td>{{ pct(r.response_rate) }}</td><td>{{ fmt(r.median_first_response_min, 1) }}</td>
<td>{{ pct(r.deflection_rate) }}</td><td>{{ pct(r.off_hours_response_rate) }}</td><td>{{ fmt(r.equity_index, 2) }}</td></tr>
{% endfor %}</table>
{% endfor %}
</body></html>
"""


def _fmt(value, digits: int) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _pct(value) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def render_report(warehouse: Path, months: int = 3) -> str:
    """Render the report from the warehouse's ``brand_scorecards`` (read-only)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.sql(
            """
            select * from brand_scorecards
            where period = 'month' and platform = 'all'
              and period_start in (select distinct period_start from brand_scorecards
                                   where period = 'month' order by period_start desc limit $months)
            order by period_start desc, care_score desc nulls last, brand_id
            """,
            params={"months": months},
        ).df().to_dict("records")
        horizon = con.execute("select max(created_at) from messages").fetchone()[0]
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        row = {k: (None if v != v else v) for k, v in row.items()}  # NaN (pandas' NULL) -> None
        grouped.setdefault(str(row["period_start"])[:7], []).append(row)
    env = Environment(autoescape=select_autoescape(default=True))
    return env.from_string(_TEMPLATE).render(
        horizon=horizon, months=list(grouped.items()), fmt=_fmt, pct=_pct
    )
