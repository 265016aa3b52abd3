"""What the report shows, read from the warehouse (read-only, parameterised SQL).

Where the analyst database has a view for a figure (``pipelines.publish.VIEWS``), the report
runs that same SQL on the warehouse, so a chart and the view an analyst opens agree.
Every list below is plain rows (dicts); an empty list means "no data".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

from pipelines.publish import LEADERBOARD_MONTH, VIEWS
from pipelines.report.text import RESPONSE_BUCKETS

#: Unanswered cases listed, widest reach first.
TOP_UNANSWERED = 10
#: Brands drawn in the per-brand charts: a page of thousands of brands is unreadable (and slow
#: to lay out); the most active ones are shown, every brand stays in the analyst database.
REPORT_BRANDS = 12
#: Trends use weekly points unless the scorecards span at least this many calendar months.
MONTHLY_TREND_MIN_MONTHS = 6
#: Monthly trends draw this many months at most, the latest: fifteen years of months are 180
#: points a brand, unreadable; every month stays in brand_scorecards.
TREND_MONTHS = 24
#: A platform's brand comments count as flat answers (a note) when at least this many, and at
#: least this share of the brands' comments there, answer their own post after customers commented.
FLAT_MIN_COMMENTS = 3
FLAT_MIN_SHARE = 0.25
#: Deflection channels of messages.deflection, in display order.
CHANNELS = ("dm", "phone", "email", "web", "store")


def latest_periods(rows: list[dict], count: int) -> list[dict]:
    """The rows of the ``count`` latest distinct ``period_start`` values (all when there are fewer)."""
    kept = set(sorted({row["period_start"] for row in rows})[-count:])
    return [row for row in rows if row["period_start"] in kept]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[dict]:
    cursor = con.execute(sql, params or {})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _view_sql(name: str) -> str:
    """The SQL of an analyst view (our own constant text, no user data)."""
    return VIEWS[name][1]


@dataclass
class ReportData:
    """Everything one report shows."""

    horizon: datetime | None
    first_case: date | None = None
    last_case: date | None = None
    brands: list[dict] = field(default_factory=list)
    #: brands in the registry (``brands`` holds the REPORT_BRANDS with the most actionable cases)
    brands_total: int = 0
    #: every brand's time zone, charted or not (the unanswered list names any brand)
    timezones: dict[str, str] = field(default_factory=dict)
    totals: dict = field(default_factory=dict)
    leaderboard: list[dict] = field(default_factory=list)
    leaderboard_final: bool = True
    trend_grain: str = "week"
    trends: list[dict] = field(default_factory=list)
    #: periods of the scorecards at the trend's grain, and the first of them (the trend may show fewer)
    trend_periods: int = 0
    trend_first: date | None = None
    response_buckets: list[dict] = field(default_factory=list)
    equity: list[dict] = field(default_factory=list)
    hour_weekday: list[dict] = field(default_factory=list)
    deflection: list[dict] = field(default_factory=list)
    unanswered: list[dict] = field(default_factory=list)
    #: platforms whose conversations the archives cut over their whole history
    #: (int_reply_coverage.platform_cut)
    cut: list[dict] = field(default_factory=list)
    #: the other platforms' months the archives cut (int_reply_coverage.cut): one row per
    #: platform, ``months`` and the counts of those months
    cut_months: list[dict] = field(default_factory=list)
    #: brands with cases whose accounts wrote no message the archives hold (their rates say nothing
    #: of how they answer), and how many brands have cases
    silent: list[str] = field(default_factory=list)
    brands_with_cases: int = 0
    #: brands of the registry with no case at all: no message the archives hold addresses them
    absent: list[str] = field(default_factory=list)
    #: blog and Facebook platforms where the brands answer in comments on their own post rather
    #: than in replies to the customers' comments (:func:`flat_answers`)
    flat: list[dict] = field(default_factory=list)


def _leaderboard(con: duckdb.DuckDBPyConnection) -> tuple[list[dict], bool]:
    """The leaderboard of :data:`~pipelines.publish.LEADERBOARD_MONTH` (the latest final month
    holding actionable cases that ranks a brand, else the busiest month), and whether that month is final."""
    rows = _rows(con, f"""
        select s.period_start, s.rank, s.brand_id, s.brand_name, s.sector, s.care_score, s.is_final,
               s.actionable_cases, s.response_rate, s.response_rate_low, s.response_rate_high,
               s.median_first_response_min, s.deflection_rate, s.equity_index, s.ignored_cases
        from brand_scorecards as s
        where s.period = 'month' and s.platform = 'all'
          and s.period_start = ({LEADERBOARD_MONTH.format(scorecards="brand_scorecards")})
        order by s.rank nulls last, s.actionable_cases desc, s.brand_id
    """)
    return rows, all(row["is_final"] for row in rows)


def flat_answers(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per blog or Facebook platform whose threads are flat: the brands' comments (``comments``)
    and those that answer the brand's own post after a customer addressing that brand commented
    on it (``flat``), when those are :data:`FLAT_MIN_COMMENTS` or more and
    :data:`FLAT_MIN_SHARE` of the comments. A blog that does not nest its comments shows its
    answers this way: they reply to no customer message, so they answer no case (metrics.md,
    brand reply), and the platform's response rates undercount (QA: a real blog's answers 16 and
    32 minutes after the questions counted as none)."""
    return _rows(con, """
        with comments as (
            select m.platform, m.conversation_id, m.created_at, m.author_brand_id,
                   p.is_brand and p.message_id = m.conversation_id as on_own_post
            from messages as m
            join messages as p on p.message_id = m.parent_id
            where m.is_brand and m.platform in ('blog', 'facebook') and m.message_id <> m.conversation_id
        ),
        counted as (
            select c.platform, count(*) as comments,
                   count(*) filter (where c.on_own_post and exists (
                       select 1 from messages as q
                       where q.conversation_id = c.conversation_id and not q.is_brand
                         and q.created_at < c.created_at and list_contains(q.addressed_brand_ids, c.author_brand_id)
                   )) as flat
            from comments as c
            group by c.platform
        )
        select platform, comments, flat from counted
        where flat >= $min_comments and flat >= $min_share * comments
        order by platform
    """, {"min_comments": FLAT_MIN_COMMENTS, "min_share": FLAT_MIN_SHARE})


def _trend_grain(con: duckdb.DuckDBPyConnection) -> str:
    """'month' when the scorecards span :data:`MONTHLY_TREND_MIN_MONTHS` calendar months or more
    (from the first to the last, with or without cases between: two months nine years apart
    are a span no weekly axis can draw), else 'week'."""
    span = con.execute("""
        select coalesce(datediff('month', min(period_start), max(period_start)) + 1, 0)
        from brand_scorecards where period = 'month'
    """).fetchone()[0]
    return "month" if span >= MONTHLY_TREND_MIN_MONTHS else "week"


def _response_buckets(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Answered actionable cases per platform (and 'all', first): ``answered`` and ``buckets``,
    the counts per first-response bucket of RESPONSE_BUCKETS."""
    bounds = {f"b{i}": bound for i, (bound, _) in enumerate(RESPONSE_BUCKETS[:-1])}
    counts = _rows(con, """
        select coalesce(platform, 'all') as platform, bucket, count(*) as cases
        from (
            select platform,
                   case when first_response_min < $b0 then 0 when first_response_min < $b1 then 1
                        when first_response_min < $b2 then 2 when first_response_min < $b3 then 3
                        else 4 end as bucket
            from care_cases
            where is_actionable and responded
        )
        group by grouping sets ((platform, bucket), (bucket))
    """, bounds)
    platforms: dict[str, list[int]] = {}
    for row in counts:
        platforms.setdefault(row["platform"], [0] * len(RESPONSE_BUCKETS))[row["bucket"]] = row["cases"]
    rows = [{"platform": p, "buckets": b, "answered": sum(b)} for p, b in platforms.items()]
    return sorted(rows, key=lambda r: (r["platform"] != "all", -r["answered"], r["platform"]))


def _deflection(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per brand: its replies to customers, those pushing to each channel, and its canned share."""
    return _rows(con, """
        with replies as (
            select m.author_brand_id as brand_id, m.deflection
            from messages as m
            join messages as parent on parent.message_id = m.parent_id
            where m.is_brand and not parent.is_brand
        ),
        channels as (
            select brand_id, count(*) as replies,
                   count(*) filter (where deflection = 'dm') as dm,
                   count(*) filter (where deflection = 'phone') as phone,
                   count(*) filter (where deflection = 'email') as email,
                   count(*) filter (where deflection = 'web') as web,
                   count(*) filter (where deflection = 'store') as store
            from replies group by brand_id
        ),
        canned as (
            select brand_id,
                   sum(canned_reply_share * brand_replies) / nullif(sum(brand_replies), 0) as canned_share
            from brand_scorecards
            where period = 'month' and platform = 'all'
            group by brand_id
        )
        select b.brand_id, b.brand_name, c.replies, c.dm, c.phone, c.email, c.web, c.store,
               k.canned_share
        from brands as b
        join channels as c using (brand_id)
        left join canned as k using (brand_id)
        order by b.brand_name
    """)


def load_report_data(con: duckdb.DuckDBPyConnection) -> ReportData:
    """Read every figure of the report from an open (read-only) warehouse connection."""
    horizon = con.execute("select data_horizon from int_data_horizon").fetchone()[0]
    data = ReportData(horizon=horizon)
    data.brands = _rows(con, """
        select b.brand_id, b.brand_name, b.timezone
        from brands as b
        left join (
            select brand_id, count(*) filter (where is_actionable) as actionable
            from care_cases group by brand_id
        ) as c using (brand_id)
        order by coalesce(c.actionable, 0) desc, b.brand_name, b.brand_id
    """)
    data.brands_total = len(data.brands)
    data.timezones = {b["brand_id"]: b["timezone"] for b in data.brands}
    data.brands = sorted(data.brands[:REPORT_BRANDS], key=lambda b: (b["brand_name"], b["brand_id"]))
    coverage = """
        select platform, {months} sum(replies) as replies,
               sum(replies_parent_missing) as replies_parent_missing,
               sum(brand_replies_parent_missing) as brand_replies_parent_missing
        from int_reply_coverage where {where}
        group by platform order by replies desc, platform
    """
    data.cut = _rows(con, coverage.format(months="", where="platform_cut"))
    data.cut_months = _rows(con, coverage.format(months="list(month order by month) as months,",
                                                 where="cut and not platform_cut"))
    data.silent = [row["brand_name"] for row in _rows(con, """
        select b.brand_name
        from brands as b
        where b.brand_id in (select brand_id from care_cases)
          and b.brand_id not in (select author_brand_id from messages where author_brand_id is not null)
        order by b.brand_name, b.brand_id
    """)]
    data.absent = [row["brand_name"] for row in _rows(con, """
        select b.brand_name from brands as b
        where b.brand_id not in (select brand_id from care_cases)
        order by b.brand_name, b.brand_id
    """)]
    data.flat = flat_answers(con)
    data.brands_with_cases = con.execute("select count(distinct brand_id) from care_cases").fetchone()[0]
    totals = _rows(con, """
        select count(*) as cases,
               count(*) filter (where is_actionable) as actionable,
               count(*) filter (where is_actionable and responded) as responded,
               count(*) filter (where is_actionable and not responded) as unanswered,
               count(*) filter (where is_actionable and not responded and not is_final) as unanswered_open,
               median(first_response_min) filter (where is_actionable and responded) as median_first_response_min,
               min(opened_at)::date as first_case, max(opened_at)::date as last_case
        from care_cases
    """)[0]
    data.first_case, data.last_case = totals.pop("first_case"), totals.pop("last_case")
    data.totals = totals
    if not totals["cases"]:
        return data
    data.leaderboard, data.leaderboard_final = _leaderboard(con)
    data.trend_grain = _trend_grain(con)
    trends = _rows(con, """
        select brand_id, brand_name, period_start, is_final, actionable_cases, response_rate,
               median_first_response_min
        from brand_scorecards
        where period = $grain and platform = 'all'
        order by brand_name, period_start
    """, {"grain": data.trend_grain})
    periods = sorted({row["period_start"] for row in trends})
    data.trend_periods, data.trend_first = len(periods), (periods[0] if periods else None)
    data.trends = latest_periods(trends, TREND_MONTHS) if data.trend_grain == "month" else trends
    data.response_buckets = _response_buckets(con)
    data.equity = _rows(con, _view_sql("equity_by_band"))
    data.hour_weekday = _rows(con, _view_sql("hour_weekday"))
    data.deflection = _deflection(con)
    if data.brands_total > len(data.brands):
        shown = {b["brand_id"] for b in data.brands}
        for name in ("leaderboard", "trends", "equity", "hour_weekday", "deflection"):
            setattr(data, name, [r for r in getattr(data, name) if r["brand_id"] in shown])
    # the analyst view's order (widest reach first), cut to the top
    data.unanswered = _rows(
        con, "select * from (" + _view_sql("unanswered_queue_by_reach") + ") limit $top",
        {"top": TOP_UNANSWERED},
    )
    return data
