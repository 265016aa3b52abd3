"""When things happen: openings by local hour, brand reply delays, customer follow-ups."""

from __future__ import annotations

import math
from datetime import UTC, datetime, time, timedelta

from pipelines.sample.brand_calendar import Brand
from pipelines.sample.model import HOUR_WEIGHT, RESPONSE_WINDOW, _pick
from pipelines.sample.world import World


def opening_time(w: World, brand: Brand, day_start: datetime) -> datetime:
    rng = w.rng
    while True:
        t = day_start + timedelta(seconds=rng.randrange(86400))
        if rng.random() < HOUR_WEIGHT[t.astimezone(brand.tz).hour]:
            return t


def reply_time(w: World, brand: Brand, opened: datetime, after: datetime) -> datetime:
    """When the brand answers a case opened at ``opened`` (replying to a message at ``after``)."""
    rng = w.rng
    r = rng.random()
    if r < brand.late_share:
        t = opened + RESPONSE_WINDOW + timedelta(seconds=rng.randrange(60, 3 * 86400))
        if brand.business_only and not brand.is_open(t):  # still outside the window, but in office hours
            t = brand.next_open(t)[0] + timedelta(seconds=rng.randrange(60, 1800))
        return t
    if r < brand.late_share + brand.midnight_share:
        local = after.astimezone(brand.tz).date() + timedelta(days=rng.randint(1, 3))
        t = datetime.combine(local, time(0), tzinfo=brand.tz) + timedelta(seconds=rng.randrange(3600))
        return t.astimezone(UTC)
    minutes = max(1.0, brand.delay_median_min * math.exp(brand.delay_sigma * rng.gauss(0, 1)))
    t = after + timedelta(seconds=int(minutes * 60))
    if brand.business_only and not brand.is_open(t):
        start, end = brand.next_open(t)
        span = (end - start).total_seconds()
        t = start + timedelta(seconds=int(min(rng.uniform(120, 5400), span / 2)))
    return t


# ---- texts ---------------------------------------------------------------------------------
def after_reply(w: World, brand: Brand, when: datetime, after: datetime) -> datetime:
    """``when``, or a few minutes after ``after`` when it is not later (in business hours for
    brands that only answer then)."""
    if when > after:
        return when
    when = after + timedelta(seconds=w.rng.randrange(30, 300))
    if brand.business_only and not brand.is_open(when):
        when = brand.next_open(when)[0] + timedelta(seconds=w.rng.randrange(60, 1800))
    return when


def follow_up_at(w: World, when: datetime) -> datetime | None:
    """When the customer answers a brand reply posted at ``when``; None past the data's end."""
    follow = when + timedelta(seconds=int(60 * max(2.0, 40 * math.exp(1.5 * w.rng.gauss(0, 1)))))
    return follow if follow < w.limit else None


def follow_kind(w: World, intent: str, deflect: str | None) -> str | None:
    rng = w.rng
    if rng.random() >= (0.45 if intent in ("complaint", "question") else 0.1):
        return None
    return _pick(
        rng,
        {"thanks": 0.35, "still": 0.3, "question": 0.1, "neutral": 0.25}
        if deflect
        else {"thanks": 0.5, "still": 0.25, "question": 0.08, "neutral": 0.17},
    )
