"""The report's charts: matplotlib figures written as inline SVG (text kept as text).

Each function takes the rows of :mod:`pipelines.report.data` and a :class:`Words`, and returns
the ``<svg>`` element as a string. Every artist that draws data gets an id starting with
``data-`` so a reader (or a test) can tell data marks from axes and labels. matplotlib is
imported when a chart is drawn, never at import.
"""

from __future__ import annotations

import html
import io
import math
import os
import re
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

from pipelines.report.text import FOLLOWER_BANDS, RESPONSE_BUCKETS, Words

INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
ACCENT = "#2563eb"
NO_DATA = "#f3f4f6"
#: Brand colours (Okabe-Ito, colour-blind safe), assigned in brand-name order.
#: One per charted brand (data.REPORT_BRANDS): Okabe and Ito's eight, then four of Paul Tol's.
BRAND_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#999933",
                 "#882255", "#332288", "#DDCC77", "#117733")
#: First-response buckets, fast (green) to slow (red).
BUCKET_COLOURS = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027")
CHANNEL_COLOURS = {"dm": "#0072B2", "phone": "#D55E00", "email": "#E69F00", "web": "#009E73", "store": "#CC79A7"}
PLATFORM_NAMES = {"x": "X", "bluesky": "Bluesky", "facebook": "Facebook", "blog": "Blog"}
#: Hours per block in the per-brand response-rate grid.
HOUR_BLOCK = 3
#: Fewest actionable cases a cell of a rate grid needs to be coloured.
MIN_CELL_CASES = 5

_RC = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 9,
    "text.color": INK,
    "axes.edgecolor": "#9ca3af",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlepad": 8,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 9,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
}


def keep_cache_in(folder: Path) -> None:
    """matplotlib keeps its configuration and font cache in ``MPLCONFIGDIR``, by default under
    the user's home (``~/.config/matplotlib``, ``~/.cache/matplotlib``): outside BRANDCARE_HOME.
    ``folder`` instead, unless the user chose one, set before matplotlib is first imported (it
    reads the variable then)."""
    if "MPLCONFIGDIR" not in os.environ and "matplotlib" not in sys.modules:
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["MPLCONFIGDIR"] = str(folder)


class _Chart:
    """One figure being drawn: marks data artists and writes the SVG."""

    def __init__(self, name: str, width: float, height: float, **layout):
        from matplotlib.figure import Figure

        self.name = name
        self.figure = Figure(figsize=(width, height), layout="constrained", **layout)
        self.figure.get_layout_engine().set(w_pad=0.04, h_pad=0.04)
        self._marks = 0

    def mark(self, *artists) -> None:
        """Give data artists (bars, lines, meshes, points) ids ``data-<chart>-<n>``."""
        for artist in artists:
            items = list(artist) if hasattr(artist, "__iter__") else [artist]
            for item in items:
                if hasattr(item, "set_gid"):
                    self._marks += 1
                    item.set_gid(f"data-{self.name}-{self._marks}")

    def svg(self, label: str) -> str:
        import matplotlib

        buffer = io.StringIO()
        # ids (clip paths, markers) are hashed with the salt: one salt per chart keeps them
        # unique in a page holding several SVGs
        with matplotlib.rc_context({**_RC, "svg.hashsalt": f"brandcare-{self.name}"}):
            self.figure.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
        text = buffer.getvalue()
        text = text[text.index("<svg"):]
        text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
        return text.replace("<svg ", f'<svg class="chart" role="img" aria-label="{html.escape(label)}" '
                                    f'data-chart="{self.name}" ', 1)


def _rc():
    """The charts' matplotlib settings, for drawing (axes take them when created)."""
    import matplotlib

    return matplotlib.rc_context(_RC)


def _bars(chart: _Chart, ax, positions, widths, left=None, **style) -> None:
    """Horizontal bars, the empty ones left out (a zero-width bar draws nothing), marked as data."""
    left = left or [0.0] * len(widths)
    kept = [(y, w, x) for y, w, x in zip(positions, widths, left, strict=True) if w and w > 0]
    if kept:
        ys, ws, xs = zip(*kept, strict=True)
        chart.mark(ax.barh(ys, ws, left=xs, **style))


def _style(ax, grid_axis: str = "x") -> None:
    ax.grid(axis=grid_axis, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#d1d5db")


def _percent_axis(axis, words: Words) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: words.percent(v)))


#: a brand's name on a chart (an axis, a legend, a panel's title) is cut to this many characters
#: (QA: a long name shrank the leaderboard's plots to a third and ran titles into each other);
#: the tables give it whole
CHART_NAME_CHARS = 24
#: marker shapes of the brands' trend lines, so that colour is not the only way to tell them apart
BRAND_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">", "p")


def chart_name(name: str) -> str:
    """``name`` as a chart shows it: at most CHART_NAME_CHARS characters, cut with "…"."""
    return name if len(name) <= CHART_NAME_CHARS else name[:CHART_NAME_CHARS - 1].rstrip() + "…"


def brand_colours(brand_names: list[str]) -> dict[str, str]:
    """One colour per brand, stable across the charts of a report."""
    return {name: BRAND_COLOURS[i % len(BRAND_COLOURS)] for i, name in enumerate(sorted(brand_names))}


def _text_colour(rgba) -> str:
    red, green, blue = rgba[:3]
    return INK if 0.299 * red + 0.587 * green + 0.114 * blue > 0.55 else "white"


def leaderboard_chart(rows: list[dict], words: Words) -> str:
    """Care score bars (or "too few cases") and the response rate with its Wilson interval."""
    with _rc():
        chart = _Chart("leaderboard", 9.6, 0.42 * len(rows) + 1.0)
        score_ax, rate_ax = chart.figure.subplots(1, 2, sharey=True, width_ratios=(1, 1.15))
        positions = list(range(len(rows)))[::-1]
        labels = [f"{row['rank'] or '–'}   {chart_name(row['brand_name'])}" for row in rows]
        ranked = [(y, row) for y, row in zip(positions, rows, strict=True) if row["rank"] is not None]
        _bars(chart, score_ax, [y for y, _ in ranked], [row["care_score"] for _, row in ranked],
              height=0.62, color=ACCENT)
        for y, row in ranked:
            score_ax.text(row["care_score"] + 1.2, y, words.number(row["care_score"], 1),
                          va="center", fontsize=9, color=INK)
        for y, row in zip(positions, rows, strict=True):
            if row["rank"] is None:
                score_ax.text(1.5, y, f"{words('too_few_cases')} (n = {row['actionable_cases']})",
                              va="center", fontsize=9, color=MUTED, style="italic")
        score_ax.set_xlim(0, 100)
        score_ax.set_yticks(positions, labels)
        score_ax.set_title(words("care_score") + " (0-100)")
        _style(score_ax)

        with_rate = [(y, row) for y, row in zip(positions, rows, strict=True) if row["response_rate"] is not None]
        for y, row in with_rate:
            colour = ACCENT if row["rank"] is not None else MUTED
            low, rate, high = row["response_rate_low"], row["response_rate"], row["response_rate_high"]
            bar = rate_ax.errorbar([rate], [y], xerr=[[rate - low], [high - rate]], fmt="o",
                                   color=colour, ecolor=colour, elinewidth=2.2, capsize=4, markersize=6.5)
            chart.mark(bar.lines[0], *bar.lines[2])
            rate_ax.text(min(high + 0.015, 1.0), y + 0.02,
                         f"{words.percent(rate)}  ({words.percent(low)}–{words.percent(high)})",
                         va="center", fontsize=8.5, color=MUTED)
        rate_ax.set_xlim(0, 1.18)
        rate_ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        _percent_axis(rate_ax.xaxis, words)
        rate_ax.set_title(words("response_rate_ci"))
        _style(rate_ax)
        score_ax.set_ylim(-0.6, len(rows) - 0.4)
        return chart.svg(words("leaderboard"))


def _date_axis(ax, days: list[date], grain: str, words: Words) -> None:
    from matplotlib.ticker import FixedLocator, FuncFormatter

    ax.xaxis.set_major_locator(FixedLocator([_num(d) for d in date_ticks(days)]))
    if days:  # the axis spans every period, not the plotted points alone (QA: one point, every label at it)
        first, last = _num(min(days)), _num(max(days))
        pad = max((last - first) * 0.03, 15.0)
        ax.set_xlim(first - pad, last + pad)
    label = words.short_day if grain == "week" else words.short_month
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: label(_day(v))))


#: Date ticks an axis holds at most: labels of a 9.6-inch chart's short months do not overlap
#: (12 did, on a trend of eighteen years beside its legend: QA).
MAX_DATE_TICKS = 8


def date_ticks(days: list[date]) -> list[date]:
    """The periods of ``days`` that get a label: from the first, each at least 1/12 of the
    axis's span after the last one labelled (months years apart and two consecutive months on
    one axis: counting periods, not distance, drew those two labels one over the other)."""
    periods = sorted(set(days))
    if not periods:
        return []
    gap = (_num(periods[-1]) - _num(periods[0])) / MAX_DATE_TICKS
    ticks = [periods[0]]
    for day in periods[1:]:
        if _num(day) - _num(ticks[-1]) >= gap:
            ticks.append(day)
    return ticks


def _num(day: date) -> float:
    return float(day.toordinal())


def _day(value: float) -> date:
    return date.fromordinal(int(round(value)))


#: Days between two period starts past which the periods between them held no figure.
_NEXT_PERIOD_DAYS = {"day": 1, "week": 7, "month": 31}


def _broken_at_gaps(points: list[dict], key: str, grain: str) -> tuple[list[float], list[float]]:
    """A series' x and y, with a gap (NaN) wherever periods without a figure lie between two
    points: a line drawn across years without cases would show a trend no data holds."""
    xs: list[float] = []
    ys: list[float] = []
    for point in points:
        x = _num(point["period_start"])
        if xs and x - xs[-1] > _NEXT_PERIOD_DAYS.get(grain, 31):
            xs.append(float("nan"))
            ys.append(float("nan"))
        xs.append(x)
        ys.append(point[key])
    return xs, ys


#: Actionable cases at which a trend point reaches its full size: a point resting on a few cases
#: (a 0% or 100% month of one or two) is drawn small.
FULL_POINT_CASES = 20


def _point_area(cases: int | None) -> float:
    """A trend point's marker area (points²): 6 for one case, growing with the square root of
    the cases, 28 from FULL_POINT_CASES on."""
    return 6 + 22 * math.sqrt(min(max(cases or 0, 1), FULL_POINT_CASES) / FULL_POINT_CASES)


def trends_chart(rows: list[dict], grain: str, colours: dict[str, str], words: Words) -> str:
    """Per brand: response rate (top) and median first response (bottom, log scale)."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    series: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        series[row["brand_name"]].append(row)
    with _rc():
        chart = _Chart("trends", 9.6, 5.6)
        rate_ax, speed_ax = chart.figure.subplots(2, 1, sharex=True)
        handles = []
        for index, (name, points) in enumerate(sorted(series.items())):
            colour, marker = colours.get(name, ACCENT), BRAND_MARKERS[index % len(BRAND_MARKERS)]
            handles.append(Line2D([], [], color=colour, marker=marker, linewidth=1.8, markersize=6,
                                  label=chart_name(name)))
            for ax, key in ((rate_ax, "response_rate"), (speed_ax, "median_first_response_min")):
                shown = [p for p in points if p[key] is not None]
                if not shown:
                    continue
                xs, ys = _broken_at_gaps(shown, key, grain)
                (line,) = ax.plot(xs, ys, color=colour, linewidth=1.8)
                chart.mark(line)
                for final in (True, False):
                    part = [p for p in shown if p["is_final"] is final]
                    if part:
                        chart.mark(ax.scatter(
                            [_num(p["period_start"]) for p in part], [p[key] for p in part],
                            s=[_point_area(p["actionable_cases"]) for p in part], zorder=3, linewidth=1.5,
                            marker=marker, edgecolor=colour, facecolor=colour if final else "white",
                        ))
        rate_ax.set_ylim(0, 1.02)
        _percent_axis(rate_ax.yaxis, words)
        rate_ax.set_title(words("response_rate"))
        speed_ax.set_yscale("log")
        speed_ax.yaxis.set_major_locator(FixedLocator([1, 5, 15, 30, 60, 120, 240, 480, 1440, 2880, 5760]))
        speed_ax.yaxis.set_minor_locator(NullLocator())
        speed_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: words.duration(v)))
        values = [r["median_first_response_min"] for r in rows if r["median_first_response_min"]]
        if values:
            speed_ax.set_ylim(max(min(values) / 1.6, 1), max(values) * 1.6)
        else:  # no axis of made-up durations: say why the panel is empty
            speed_ax.yaxis.set_major_locator(NullLocator())
            speed_ax.text(0.5, 0.5, words("no_response_times"), transform=speed_ax.transAxes,
                          ha="center", va="center", color=MUTED)
        speed_ax.set_title(words("median_first_response"))
        _date_axis(speed_ax, [r["period_start"] for r in rows], grain, words)
        if grain == "week":
            speed_ax.set_xlabel(words("week_of"), color=MUTED)
        for ax in (rate_ax, speed_ax):
            _style(ax, "y")
        rate_ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), handlelength=1.6)
        return chart.svg(words("trends"))


def response_buckets_chart(rows: list[dict], words: Words) -> str:
    """100% stacked bars of first-response buckets, one per platform (and all platforms)."""
    with _rc():
        chart = _Chart("first_response", 9.6, 0.5 * len(rows) + 1.2)
        ax = chart.figure.subplots()
        positions = list(range(len(rows)))[::-1]
        names = [words("all_platforms") if r["platform"] == "all" else PLATFORM_NAMES.get(r["platform"], r["platform"])
                 for r in rows]
        left = [0.0] * len(rows)
        for index, (_, key) in enumerate(RESPONSE_BUCKETS):
            shares = [r["buckets"][index] / r["answered"] for r in rows]
            _bars(chart, ax, positions, shares, left, height=0.64, color=BUCKET_COLOURS[index],
                  label=words(key), edgecolor="white", linewidth=0.8)
            for y, start, share in zip(positions, left, shares, strict=True):
                if share >= 0.06:
                    ax.text(start + share / 2, y, words.percent(share), ha="center", va="center",
                            fontsize=8.5, color="white" if index in (0, 4) else INK)
            left = [a + b for a, b in zip(left, shares, strict=True)]
        for y, row in zip(positions, rows, strict=True):
            ax.text(1.01, y, f"n = {words.number(row['answered'])}", va="center", fontsize=8.5, color=MUTED)
        ax.set_yticks(positions, names)
        ax.set_xlim(0, 1.0)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        _percent_axis(ax.xaxis, words)
        from matplotlib.patches import Patch

        # every bucket in the legend, also one no platform reached
        handles = [Patch(color=colour, label=words(key))
                   for colour, (_, key) in zip(BUCKET_COLOURS, RESPONSE_BUCKETS, strict=True)]
        ax.legend(handles=handles, ncols=len(RESPONSE_BUCKETS), loc="lower left", bbox_to_anchor=(0, 1.0),
                  handlelength=1.2, columnspacing=1.4)
        _style(ax)
        ax.spines["bottom"].set_visible(False)
        return chart.svg(words("first_response"))


def _colorbar(chart: _Chart, mesh, axes, **layout):
    """A colour scale drawn as vector quads (matplotlib would embed a bitmap for a long one)."""
    bar = chart.figure.colorbar(mesh, ax=axes, **layout)
    bar.solids.set_rasterized(False)
    bar.solids.set_edgecolor("face")  # no seams between the quads
    bar.outline.set_visible(False)
    bar.ax.tick_params(length=0, labelsize=8)
    return bar


def _rate_cells(chart: _Chart, ax, rates, counts, words: Words, vmin: float = 0.0, with_cases: bool = True):
    """A coloured grid of response rates (RdYlGn); cells with too few cases stay grey. Each cell
    writes its rate, so that colour is not the only way to read it (QA), and ``with_cases`` its
    number of cases too (a grey cell its count alone); without, in small cells, the rate alone."""
    import numpy as np
    from matplotlib import colormaps

    cmap = colormaps["RdYlGn"].with_extremes(bad=NO_DATA)
    values = np.ma.masked_invalid(np.array(rates, dtype=float))
    mesh = ax.pcolormesh(values, cmap=cmap, vmin=vmin, vmax=1.0, edgecolors="white", linewidth=1.2)
    chart.mark(mesh)
    for i, row in enumerate(rates):
        for j, rate in enumerate(row):
            n, grey = counts[i][j], rate is None or math.isnan(rate)
            if grey and with_cases:
                ax.text(j + 0.5, i + 0.5, "–" if not n else f"n = {n}", ha="center", va="center",
                        fontsize=8, color=MUTED)
            elif not grey and with_cases:
                ax.text(j + 0.5, i + 0.5, f"{words.percent(rate)}\nn = {words.number(n)}", ha="center",
                        va="center", fontsize=8.5, linespacing=1.3, color=_text_colour(cmap(rate)))
            elif not grey:
                ax.text(j + 0.5, i + 0.5, words.percent(rate), ha="center", va="center", fontsize=6.5,
                        color=_text_colour(cmap(rate)))
    return mesh


def equity_chart(rows: list[dict], words: Words) -> str:
    """Brands x follower bands: the response rate, with the band's actionable cases; a band of
    fewer than MIN_CELL_CASES cases stays grey, as in the hours chart (QA: one unanswered case
    of a large account read as a deep red 0 %, a bias resting on one case)."""
    brands = sorted({r["brand_name"] for r in rows})
    cells = {(r["brand_name"], r["band_order"]): r for r in rows}
    rates, counts = [], []
    for name in brands:
        rate_row, count_row = [], []
        for band in range(len(FOLLOWER_BANDS)):
            cell = cells.get((name, band))
            count_row.append(cell["actionable_cases"] if cell else 0)
            rate = cell["response_rate"] if cell and cell["actionable_cases"] >= MIN_CELL_CASES else None
            rate_row.append(float("nan") if rate is None else rate)
        rates.append(rate_row)
        counts.append(count_row)
    with _rc():
        chart = _Chart("equity", 9.6, 0.55 * len(brands) + 1.2)
        ax = chart.figure.subplots()
        mesh = _rate_cells(chart, ax, rates, counts, words)
        ax.set_yticks([i + 0.5 for i in range(len(brands))], [chart_name(name) for name in brands])
        ax.set_xticks([j + 0.5 for j in range(len(FOLLOWER_BANDS))], words.follower_bands)
        ax.xaxis.tick_top()
        ax.set_xlabel(words("followers"), color=MUTED)
        ax.xaxis.set_label_position("top")
        ax.invert_yaxis()
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        bar = _colorbar(chart, mesh, ax, fraction=0.03, pad=0.02)
        _percent_axis(bar.ax.yaxis, words)
        return chart.svg(words("equity_title"))


def hours_cases_chart(rows: list[dict], words: Words) -> str:
    """Cases opened per local weekday and hour, every brand in its own time zone."""
    import numpy as np
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    grid = np.zeros((7, 24))
    for row in rows:
        grid[row["weekday"] - 1, row["hour"]] += row["cases"]
    with _rc():
        chart = _Chart("hours_cases", 9.6, 2.6)
        ax = chart.figure.subplots()
        mesh = ax.pcolormesh(grid, cmap="Blues", vmin=0, edgecolors="white", linewidth=0.8)
        chart.mark(mesh)
        ax.set_yticks([i + 0.5 for i in range(7)], words.weekdays)
        ax.set_xticks([h + 0.5 for h in range(0, 24, 2)], [f"{h:02d}" for h in range(0, 24, 2)])
        ax.invert_yaxis()
        ax.set_xlabel(words("hour_local"), color=MUTED)
        ax.set_title(words("cases_opened"))
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        bar = _colorbar(chart, mesh, ax, fraction=0.025, pad=0.015)
        # counts of cases: whole numbers, in the report's number format
        bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: words.number(value)))
        return chart.svg(words("cases_opened"))


def hours_response_chart(rows: list[dict], words: Words) -> str:
    """Per brand, the response rate per local weekday and block of HOUR_BLOCK hours."""
    blocks = 24 // HOUR_BLOCK
    counts: dict[str, list[list[int]]] = {}
    answered: dict[str, list[list[int]]] = {}
    for row in rows:
        name = row["brand_name"]
        counts.setdefault(name, [[0] * blocks for _ in range(7)])
        answered.setdefault(name, [[0] * blocks for _ in range(7)])
        counts[name][row["weekday"] - 1][row["hour"] // HOUR_BLOCK] += row["actionable_cases"]
        answered[name][row["weekday"] - 1][row["hour"] // HOUR_BLOCK] += row["responded_cases"]
    # a brand without a block of MIN_CELL_CASES cases would be a panel of grey only (QA: six of
    # seven panels of a real home): left out, unless no brand has one
    brands = sorted(n for n in counts if any(c >= MIN_CELL_CASES for row in counts[n] for c in row)) or sorted(counts)
    columns = min(3, len(brands))
    lines = math.ceil(len(brands) / columns)
    with _rc():
        chart = _Chart("hours_response", 9.6, 2.3 * lines + 0.5)
        axes = chart.figure.subplots(lines, columns, squeeze=False)
        mesh = None
        for index, ax in enumerate(axes.flat):
            if index >= len(brands):
                ax.set_visible(False)
                continue
            name = brands[index]
            rates = [[a / n if n >= MIN_CELL_CASES else float("nan") for a, n in zip(arow, nrow, strict=True)]
                     for arow, nrow in zip(answered[name], counts[name], strict=True)]
            mesh = _rate_cells(chart, ax, rates, counts[name], words, with_cases=False)
            ax.set_title(chart_name(name), fontsize=9.5)
            ax.set_yticks([i + 0.5 for i in range(7)], words.weekdays, fontsize=8)
            ax.set_xticks(range(0, blocks + 1, 2), [f"{h:02d}" for h in range(0, 25, 2 * HOUR_BLOCK)],
                          fontsize=8)
            ax.invert_yaxis()
            ax.tick_params(length=0)
            for spine in ax.spines.values():
                spine.set_visible(False)
        if mesh is not None:
            bar = _colorbar(chart, mesh, axes, fraction=0.02, pad=0.015)
            _percent_axis(bar.ax.yaxis, words)
        return chart.svg(words("response_rate"))


def deflection_chart(rows: list[dict], channels: tuple[str, ...], words: Words) -> str:
    """Per brand: replies pushing to each channel (share of replies), and the canned share."""
    with _rc():
        chart = _Chart("deflection", 9.6, 0.42 * len(rows) + 1.3)
        channel_ax, canned_ax = chart.figure.subplots(1, 2, sharey=True, width_ratios=(1.6, 1))
        positions = list(range(len(rows)))[::-1]
        left = [0.0] * len(rows)
        for channel in channels:
            shares = [r[channel] / r["replies"] if r["replies"] else 0.0 for r in rows]
            if not any(shares):
                continue
            _bars(chart, channel_ax, positions, shares, left, height=0.62, color=CHANNEL_COLOURS[channel],
                  label=words(f"channel_{channel}"), edgecolor="white", linewidth=0.6)
            left = [a + b for a, b in zip(left, shares, strict=True)]
        for y, total in zip(positions, left, strict=True):
            channel_ax.text(total + 0.01, y, words.percent(total), va="center", fontsize=8.5, color=INK)
        channel_ax.set_yticks(positions, [chart_name(r["brand_name"]) for r in rows])
        channel_ax.set_xlim(0, max(max(left, default=0) * 1.2, 0.1))  # room for the labels right of the bars
        channel_ax.set_xticks([t for t in channel_ax.get_xticks() if 0 <= t <= 1])  # a share is never above 100%
        _percent_axis(channel_ax.xaxis, words)
        channel_ax.set_title(words("deflection") + " (" + words("share_of_replies") + ")")
        channel_ax.legend(ncols=len(channels), loc="upper left", bbox_to_anchor=(0, -0.08),
                          handlelength=1.2, columnspacing=1.2, fontsize=8)
        _style(channel_ax)

        shares = [r["canned_share"] if r["canned_share"] is not None else 0.0 for r in rows]
        _bars(chart, canned_ax, positions, shares, height=0.62, color="#7c3aed")
        for y, share, row in zip(positions, shares, rows, strict=True):
            canned_ax.text(share + 0.015, y, words.percent(row["canned_share"]), va="center", fontsize=8.5)
        canned_ax.set_xlim(0, 1.15)
        canned_ax.set_xticks([0, 0.5, 1.0])
        _percent_axis(canned_ax.xaxis, words)
        canned_ax.set_title(words("canned_share"))
        _style(canned_ax)
        channel_ax.set_ylim(-0.6, len(rows) - 0.4)
        return chart.svg(words("deflection_title"))
