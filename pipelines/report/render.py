"""Render the report: read the warehouse, draw the charts, fill the page template."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, select_autoescape

from pipelines.report import charts
from pipelines.report.data import CHANNELS, ReportData, load_report_data
from pipelines.report.text import Words
from pipelines.settings import connect_duckdb, load_settings

#: Characters of a case's text shown in the unanswered table.
TEXT_CHARS = 280


@dataclass
class Section:
    """One section of the page: a title, charts (inline SVG), a reading guide and its sources."""

    id: str
    title: str
    how: str
    sources: list[str]
    charts: list[str] = field(default_factory=list)
    note: str | None = None
    empty: bool = False


def _leaderboard(data: ReportData, words: Words, window_days: int) -> Section:
    rows = data.leaderboard
    if not rows:
        return Section("leaderboard", words("leaderboard"), words("leaderboard_how"),
                       ["leaderboard_latest_final_month"], empty=True)
    month = words.month(rows[0]["period_start"])
    note = None if data.leaderboard_final else words("leaderboard_not_final", days=window_days, month=month)
    return Section("leaderboard", words("leaderboard_month", month=month), words("leaderboard_how"),
                   ["leaderboard_latest_final_month", "brand_scorecards"],
                   [charts.leaderboard_chart(rows, words)], note=note)


def _months(words: Words, months: list[date]) -> str:
    """A platform's cut months: each named (up to three), else how many, from the first to the last."""
    if len(months) <= 3:
        return ", ".join(words.month(month) for month in months)
    return words("months_span", n=len(months), first=words.month(months[0]), last=words.month(months[-1]))


def _sections(data: ReportData, words: Words, window_days: int, canned_min_replies: int) -> list[Section]:
    colours = charts.brand_colours([b["brand_name"] for b in data.brands])
    grain = words(f"grain_{data.trend_grain}")
    # bands with actionable cases only: a brand without any drew a row of dashes (QA), and a
    # report without any, an empty section rather than a chart of no brand (review: it failed)
    equity = [r for r in data.equity if r["actionable_cases"]]
    sections = [_leaderboard(data, words, window_days)]
    specs = (
        # a trend needs a response rate somewhere (periods without actionable cases have none)
        ("trends", words("trends"), words("trends_how", grain=grain), ["brand_scorecards"],
         data.trends if any(r["response_rate"] is not None for r in data.trends) else [],
         lambda: [charts.trends_chart(data.trends, data.trend_grain, colours, words)]),
        ("first-response", words("first_response"), words("first_response_how"), ["care_cases"],
         data.response_buckets, lambda: [charts.response_buckets_chart(data.response_buckets, words)]),
        ("equity", words("equity_title"), words("equity_how", min_cases=charts.MIN_CELL_CASES), ["equity_by_band"],
         equity,
         lambda: [charts.equity_chart(equity, words)]),
        ("hours", words("hours_title"), words("hours_cases_how", min_cases=charts.MIN_CELL_CASES),
         ["hour_weekday"], data.hour_weekday,
         lambda: [charts.hours_cases_chart(data.hour_weekday, words),
                  charts.hours_response_chart(data.hour_weekday, words)]),
        ("deflection", words("deflection_title"), words("deflection_how", canned=canned_min_replies),
         ["messages", "brand_scorecards"], data.deflection,
         lambda: [charts.deflection_chart(data.deflection, CHANNELS, words)]),
    )
    shown = len({row["period_start"] for row in data.trends})
    notes = {"trends": words("trends_latest", shown=shown, total=data.trend_periods,
                             first=words.month(data.trend_first)) if shown < data.trend_periods else None}
    for section_id, title, how, sources, rows, draw in specs:
        sections.append(Section(section_id, title, how, sources, draw() if rows else [], empty=not rows,
                                note=notes.get(section_id)))
    sections.append(Section("unanswered", words("unanswered_title"), words("unanswered_how"),
                            ["unanswered_queue_by_reach"], empty=not data.unanswered))
    return sections


def _local_moment(when, zone: ZoneInfo, words: Words) -> str:
    """``12 Oct 2026, 14:05 CEST``: a moment in a brand's time zone, with the zone's name then
    (brands of one list may live in several zones)."""
    local = when.astimezone(zone)
    return f"{words.moment(local)} {local.tzname()}"


def _unanswered_rows(data: ReportData, words: Words) -> list[dict]:
    zones = {brand_id: ZoneInfo(zone) for brand_id, zone in data.timezones.items()}
    rows = []
    for case in data.unanswered:
        text = case["opened_text"] or ""
        rows.append({
            "followers": words.compact(case["author_followers"]),
            "brand": case["brand_name"],
            "platform": charts.PLATFORM_NAMES.get(case["platform"], case["platform"]),
            "customer": case["customer_handle"] or "",
            "opened": _local_moment(case["opened_at"], zones.get(case["brand_id"], UTC), words),
            "intent": words(case["intent"]) if case["intent"] in ("complaint", "question") else case["intent"],
            "text": text if len(text) <= TEXT_CHARS else text[:TEXT_CHARS - 1] + "…",
            "url": case["opened_url"] if (case["opened_url"] or "").startswith(("https://", "http://")) else None,
            "open": not case["is_final"],
        })
    return rows


def _leaderboard_rows(data: ReportData, words: Words) -> list[dict]:
    return [{
        "rank": row["rank"] or "–",
        "brand": row["brand_name"],
        "sector": row["sector"] or "",
        "score": words.number(row["care_score"], 1) if row["rank"] is not None else None,
        "actionable": words.number(row["actionable_cases"]),
        "response_rate": words.percent(row["response_rate"]),
        "median": words.duration(row["median_first_response_min"]),
        "deflection": words.percent(row["deflection_rate"]),
        "equity": words.number(row["equity_index"], 2),
        "ignored": words.number(row["ignored_cases"]),
    } for row in data.leaderboard]


#: brands named in a note before the rest are counted
NAMES_SHOWN = 5


def _names(names: list[str]) -> str:
    """The first :data:`NAMES_SHOWN` names, and how many more ("A, B, C, D, E +3")."""
    more = len(names) - NAMES_SHOWN
    return ", ".join(names[:NAMES_SHOWN]) + (f" +{more}" if more > 0 else "")


def render_report(warehouse_path: Path, *, language: str = "en", response_window_days: int = 7,
                  canned_min_replies: int = 3, duckdb_config: dict[str, str] | None = None) -> str:
    """The report of the warehouse at ``warehouse_path`` (opened read-only) as one
    self-contained HTML page in ``language`` ("en" or "es").

    ``response_window_days`` and ``canned_min_replies`` are the settings the page explains
    (pass the run's Settings values); ``duckdb_config`` the connection's (Settings.duckdb_config).
    """
    words = Words(language)
    charts.keep_cache_in(load_settings().temp_dir / "matplotlib")
    with connect_duckdb(warehouse_path, read_only=True, config=duckdb_config) as con:
        data = load_report_data(con)
    totals = data.totals
    kpis = []
    if totals.get("cases"):
        kpis = [
            (words.number(totals["cases"]), words("kpi_cases")),
            (words.number(totals["actionable"]), words("kpi_actionable")),
            (words.percent(totals["responded"] / totals["actionable"]) if totals["actionable"] else "–",
             words("kpi_response_rate")),
            (words.duration(totals["median_first_response_min"]), words("kpi_median")),
            # cases still in their response window may yet be answered: said, not mixed in silently (QA)
            (words.number(totals["unanswered"]), words("kpi_unanswered_open", n=words.number(totals["unanswered_open"]))
             if totals["unanswered_open"] else words("kpi_unanswered")),
        ]
    env = Environment(autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    template = env.from_string((files("pipelines.report") / "report.html.j2").read_text(encoding="utf-8"))
    return template.render(
        w=words,
        lang=language,
        horizon=words.moment(data.horizon.astimezone(UTC)) if data.horizon else "–",
        period=(words("cases_from_to", start=words.day(data.first_case), end=words.day(data.last_case))
                if data.first_case else None),
        brands=data.brands_total,
        brands_shown=len(data.brands),
        cut=[words("conversations_cut", platform=charts.PLATFORM_NAMES.get(row["platform"], row["platform"]),
                   missing=words.number(row["replies_parent_missing"]), replies=words.number(row["replies"]),
                   share=words.percent(row["replies_parent_missing"] / row["replies"]),
                   brand_missing=words.number(row["brand_replies_parent_missing"]))
             for row in data.cut]
        + [words("conversations_cut_months", platform=charts.PLATFORM_NAMES.get(row["platform"], row["platform"]),
                 months=_months(words, row["months"]),
                 missing=words.number(row["replies_parent_missing"]), replies=words.number(row["replies"]),
                 share=words.percent(row["replies_parent_missing"] / row["replies"]),
                 brand_missing=words.number(row["brand_replies_parent_missing"]))
           for row in data.cut_months],
        flat=[words("flat_answers", platform=charts.PLATFORM_NAMES.get(row["platform"], row["platform"]),
                    flat=words.number(row["flat"]), comments=words.number(row["comments"]))
              for row in data.flat],
        silent=(words("brands_silent", names=_names(data.silent), n=words.number(len(data.silent)),
                      total=words.number(data.brands_with_cases)) if data.silent else None),
        # a brand of the registry that no message addresses is in no chart: said, not left out
        # silently; most of all when none has a case (QA: the example registry, unedited, published
        # a report of empty sections that read "wait for data")
        absent=(words("brands_absent", names=_names(data.absent), n=words.number(len(data.absent)),
                      total=words.number(data.brands_total)) if data.absent else None),
        kpis=kpis,
        # an archive that cut its conversations and holds no case will not fill in by waiting
        empty_text=words("no_data_cut") if data.cut and not totals.get("cases") else words("no_data"),
        sections=_sections(data, words, response_window_days, canned_min_replies),
        leaderboard=_leaderboard_rows(data, words),
        unanswered=_unanswered_rows(data, words),
    )
