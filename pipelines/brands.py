"""The brand registry (brands YAML) and each brand's business calendar.

The registry says who a brand is (accounts, aliases, sector, time zone) and when it is
open (``business_hours``, ``holidays``). Business hours are local wall-clock ranges,
half-open; a day not listed is closed; no ``business_hours`` at all means always open;
holidays are closed all day (docs/metrics.md#business-hours).

Local wall times become UTC instants through :mod:`zoneinfo` with ``fold=0``, so a
09:00-21:00 day is 12 hours of open time even on a DST change day. :func:`is_open` and
:func:`business_minutes` are defined through :func:`open_intervals`, so the three always
agree, and the ``brand_open_hours`` table the warehouse gets is the same calendar.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import polars as pl
import yaml

from pipelines.canonical import PLATFORMS

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_SLA_MINUTES = 60

_ID_PATTERN = re.compile(r"[a-z0-9_]+")
_DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
_RANGE_PATTERN = re.compile(r"(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})")
_BRAND_KEYS = (
    "id",
    "name",
    "sector",
    "country",
    "timezone",
    "sla_minutes",
    "business_hours",
    "holidays",
    "accounts",
    "aliases",
    "alias_exclusions",
)

#: Open ranges of one day: (start, end) in minutes after local midnight, half-open, sorted.
DayHours = tuple[tuple[int, int], ...]


class BrandRegistryError(ValueError):
    """The brand registry cannot be read; the message names the file, brand and field."""


@dataclass(frozen=True)
class Brand:
    """One brand of the registry, validated."""

    id: str
    name: str
    sector: str | None
    country: str | None
    timezone: str
    sla_minutes: int = DEFAULT_SLA_MINUTES
    #: weekday ('mon'..'sun') -> open ranges; a missing day is closed; None = always open.
    business_hours: dict[str, DayHours] | None = field(default=None, hash=False)
    holidays: tuple[date, ...] = ()
    #: platform -> accounts as written in the registry (see :func:`normalise_account`).
    accounts: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    aliases: tuple[str, ...] = ()
    #: phrases in which an alias names something else ("ala delta", "Estadio BBVA"): a message
    #: holding one is not addressed by alias (it still is by a mention, a reply or a comment)
    alias_exclusions: tuple[str, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        """The brand's time zone."""
        return ZoneInfo(self.timezone)


# --------------------------------------------------------------------------- text helpers


def normalise_account(platform: str, account: str) -> str:
    """Return the matching key of an account: trimmed, without a leading '@', lower-case.

    Handles are case-insensitive on every platform we read; ids, DIDs and blog author
    names are compared the same way so that one rule serves authors and mentions alike.
    """
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    return account.strip().removeprefix("@").strip().lower()


# --------------------------------------------------------------------------- loading


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping key given twice (plain YAML keeps the last)."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def _construct_decimal_int(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> int | str:
    """Plain decimal digits are a number; YAML 1.1's other integers (``0x1f``, ``0777``,
    ``1_000``, ``1:20``) stay the text as written: an unquoted handle such as ``0xabad1dea``
    became 2880249322, and its brand silently matched no message (QA, a real archive)."""
    text = loader.construct_scalar(node)
    return int(text) if re.fullmatch(r"[-+]?(?:0|[1-9][0-9]*)", text) else text


_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:int", _construct_decimal_int)


def load_registry(path: Path | str) -> list[Brand]:
    """Read and validate a brand registry YAML file; raise :class:`BrandRegistryError`.

    Every problem is reported with the file, the brand (id, or position when the id is
    unusable) and the field, e.g. ``brands.yaml: brand 'telvia': sla_minutes: ...``.
    """
    path = Path(path)
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BrandRegistryError(f"{where}: brand registry file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BrandRegistryError(f"{where}: cannot read brand registry: {exc}") from None
    try:
        document = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise BrandRegistryError(f"{where}: not valid YAML: {exc}") from None

    if document is None:
        raise BrandRegistryError(
            f"{where}: the file is empty; expected a mapping with a 'brands' list"
        )
    if not isinstance(document, dict) or "brands" not in document:
        raise BrandRegistryError(f"{where}: expected a mapping with a 'brands' list")
    unknown = sorted(str(k) for k in document if k != "brands")
    if unknown:
        raise BrandRegistryError(f"{where}: unknown top-level keys: {', '.join(unknown)}")
    entries = document["brands"]
    if not isinstance(entries, list) or not entries:
        raise BrandRegistryError(f"{where}: 'brands' must be a non-empty list of brands")

    brands: list[Brand] = []
    seen_ids: set[str] = set()
    account_owner: dict[tuple[str, str], str] = {}
    for position, entry in enumerate(entries, start=1):
        brand = _parse_brand(where, position, entry)
        context = f"{where}: brand {brand.id!r}"
        if brand.id in seen_ids:
            raise BrandRegistryError(f"{context}: id: {brand.id!r} is used by more than one brand")
        seen_ids.add(brand.id)
        for platform, accounts in brand.accounts.items():
            for account in accounts:
                key = (platform, normalise_account(platform, account))
                owner = account_owner.setdefault(key, brand.id)
                if owner != brand.id:
                    raise BrandRegistryError(
                        f"{context}: accounts.{platform}: {account!r} is also an account of "
                        f"brand {owner!r}"
                    )
        brands.append(brand)
    return brands


def _parse_brand(where: str, position: int, entry: Any) -> Brand:
    if not isinstance(entry, dict):
        raise BrandRegistryError(f"{where}: brand #{position}: expected a mapping, got {entry!r}")
    raw_id = entry.get("id")
    if not isinstance(raw_id, str) or not _ID_PATTERN.fullmatch(raw_id):
        detail = "required" if raw_id is None else f"{raw_id!r} does not match [a-z0-9_]+"
        raise BrandRegistryError(f"{where}: brand #{position}: id: {detail}")
    context = f"{where}: brand {raw_id!r}"

    def fail(field_name: str, message: str) -> BrandRegistryError:
        return BrandRegistryError(f"{context}: {field_name}: {message}")

    unknown = sorted(str(k) for k in entry if k not in _BRAND_KEYS)
    if unknown:
        raise BrandRegistryError(
            f"{context}: unknown keys: {', '.join(unknown)} (allowed: {', '.join(_BRAND_KEYS)})"
        )

    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "required, a non-empty string")

    sector = _optional_text(entry, "sector", fail)
    country = _optional_text(entry, "country", fail)

    timezone = entry.get("timezone")
    if not isinstance(timezone, str) or not timezone.strip():
        raise fail("timezone", "required, an IANA time zone such as 'Europe/Madrid'")
    if timezone not in _iana_zones():
        raise fail("timezone", f"{timezone!r} is not an IANA time zone") from None

    sla_minutes = entry.get("sla_minutes", DEFAULT_SLA_MINUTES)
    if isinstance(sla_minutes, bool) or not isinstance(sla_minutes, int) or sla_minutes <= 0:
        raise fail("sla_minutes", f"{sla_minutes!r} is not a positive whole number of minutes")

    business_hours = _parse_business_hours(entry.get("business_hours"), fail)
    holidays = _parse_holidays(entry.get("holidays"), fail)
    accounts = _parse_accounts(entry.get("accounts"), fail)
    aliases = _string_list(entry.get("aliases"), "aliases", fail)
    alias_exclusions = _string_list(entry.get("alias_exclusions"), "alias_exclusions", fail)

    return Brand(
        id=raw_id,
        name=name.strip(),
        sector=sector,
        country=country,
        timezone=timezone,
        sla_minutes=sla_minutes,
        business_hours=business_hours,
        holidays=holidays,
        accounts=accounts,
        aliases=aliases,
        alias_exclusions=alias_exclusions,
    )


@cache
def _iana_zones() -> frozenset[str]:
    """The IANA zone names, as DuckDB's ICU knows them: not the tz database's other files, which
    ZoneInfo opens too (``posixrules``, ``right/UTC``, ``posix/Europe/Madrid``, ``localtime``, the
    machine's own zone): the warehouse failed on them, model after model (QA)."""
    return frozenset(available_timezones() - {"localtime"})


def _optional_text(entry: dict, key: str, fail) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise fail(key, f"{value!r} is not a non-empty string")
    return value.strip()


def _parse_business_hours(raw: Any, fail) -> dict[str, DayHours] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw:
        raise fail(
            "business_hours",
            "expected a mapping of days to 'HH:MM-HH:MM' ranges (omit it for always open)",
        )
    hours: dict[str, DayHours] = {}
    for key, value in raw.items():
        days = _parse_days(key, fail)
        ranges = _parse_ranges(value, f"business_hours.{key}", fail)
        for day in days:
            if day in hours:
                raise fail(f"business_hours.{key}", f"day {day!r} is given more than once")
            hours[day] = ranges
    return {day: hours[day] for day in WEEKDAYS if day in hours}


def _parse_days(key: Any, fail) -> tuple[str, ...]:
    text = key.strip().lower() if isinstance(key, str) else None
    parts = text.split("-") if text else []
    if not parts or len(parts) > 2 or any(p.strip() not in WEEKDAYS for p in parts):
        raise fail(
            f"business_hours.{key}",
            "not a day ('mon'..'sun') or a range of days such as 'mon-fri'",
        )
    first, last = (WEEKDAYS.index(p.strip()) for p in (parts[0], parts[-1]))
    if first > last:
        raise fail(f"business_hours.{key}", "a range of days must run from mon towards sun")
    return WEEKDAYS[first : last + 1]


def _parse_ranges(value: Any, field_name: str, fail) -> DayHours:
    if not isinstance(value, str):
        raise fail(field_name, f"{value!r} is not a string like '09:00-21:00'")
    ranges: list[tuple[int, int]] = []
    for part in value.split(","):
        match = _RANGE_PATTERN.fullmatch(part.strip())
        if not match:
            raise fail(field_name, f"{part.strip()!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or not (h2 <= 23 and m2 <= 59 or (h2, m2) == (24, 0)):
            raise fail(field_name, f"{part.strip()!r} is not a valid time range (00:00 to 24:00)")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if start >= end:
            raise fail(field_name, f"{part.strip()!r}: the start must be before the end")
        ranges.append((start, end))
    ranges.sort()
    for (_, previous_end), (start, _) in pairwise(ranges):
        if start < previous_end:
            raise fail(field_name, f"{value!r} has overlapping ranges")
    return tuple(ranges)


def _parse_holidays(raw: Any, fail) -> tuple[date, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise fail("holidays", "expected a list of ISO dates such as '2026-12-25'")
    holidays: set[date] = set()
    for item in raw:
        # YAML reads an unquoted 2026-12-25 as a date already; quoted, it is a string.
        if isinstance(item, date) and not isinstance(item, datetime):
            holidays.add(item)
            continue
        try:
            if not isinstance(item, str) or not _DATE_PATTERN.fullmatch(item.strip()):
                raise ValueError(item)
            holidays.add(date.fromisoformat(item.strip()))
        except ValueError:
            raise fail("holidays", f"{item!r} is not an ISO date (YYYY-MM-DD)") from None
    return tuple(sorted(holidays))


def _parse_accounts(raw: Any, fail) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise fail("accounts", f"expected a mapping of platforms ({', '.join(PLATFORMS)}) to lists")
    unknown = sorted(str(k) for k in raw if k not in PLATFORMS)
    if unknown:
        allowed = ", ".join(PLATFORMS)
        raise fail("accounts", f"unknown platforms: {', '.join(unknown)} (allowed: {allowed})")
    accounts: dict[str, tuple[str, ...]] = {}
    for platform in PLATFORMS:
        if platform not in raw:
            continue
        values = raw[platform]
        # Numeric user or page ids are often written unquoted; they are still ids.
        if isinstance(values, list):
            values = [
                str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in values
            ]
        names = _string_list(values, f"accounts.{platform}", fail)
        for name in names:
            if not normalise_account(platform, name):
                raise fail(f"accounts.{platform}", f"{name!r} is not an account")
        accounts[platform] = names
    return accounts


def _string_list(raw: Any, field_name: str, fail) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise fail(field_name, f"expected a list of strings, got {raw!r}")
    for item in raw:
        if not isinstance(item, str) or not item.strip():
            raise fail(field_name, f"{item!r} is not a non-empty string")
    return tuple(item.strip() for item in raw)


# --------------------------------------------------------------------------- calendar


def _local_to_utc(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """UTC instant of a local wall time ``minutes`` after midnight of ``day`` (24:00 allowed)."""
    wall = datetime.combine(day, time(0)) + timedelta(minutes=minutes)
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def open_intervals(brand: Brand, start: date, end: date) -> list[tuple[datetime, datetime]]:
    """The brand's open times over the local dates ``[start, end)``, as UTC intervals.

    Intervals are tz-aware (UTC), half-open, sorted, and merged where they touch, so an
    always-open brand gives one interval from ``start`` 00:00 to ``end`` 00:00 local time.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    zone = brand.zone
    holidays = set(brand.holidays)
    intervals: list[tuple[datetime, datetime]] = []
    day = start
    while day < end:
        if day not in holidays:
            if brand.business_hours is None:
                day_ranges: DayHours = ((0, 24 * 60),)
            else:
                day_ranges = brand.business_hours.get(WEEKDAYS[day.weekday()], ())
            for open_min, close_min in day_ranges:
                opens = _local_to_utc(day, open_min, zone)
                closes = _local_to_utc(day, close_min, zone)
                if opens >= closes:  # a range that lies wholly in a spring-forward gap
                    continue
                if intervals and opens <= intervals[-1][1]:
                    intervals[-1] = (intervals[-1][0], max(intervals[-1][1], closes))
                else:
                    intervals.append((opens, closes))
        day += timedelta(days=1)
    return intervals


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a time-zone-aware datetime, got {value!r}")


def _local_dates_around(brand: Brand, first: datetime, last: datetime) -> tuple[date, date]:
    """Local dates whose open times may touch ``[first, last]`` (one day of margin each side)."""
    zone = brand.zone
    return (
        first.astimezone(zone).date() - timedelta(days=1),
        last.astimezone(zone).date() + timedelta(days=2),
    )


def is_open(brand: Brand, at: datetime) -> bool:
    """Whether the brand is open at the instant ``at`` (tz-aware), in its own time zone."""
    _require_aware(at, "at")
    if brand.business_hours is None and not brand.holidays:
        return True
    instant = at.astimezone(UTC)
    return any(
        opens <= instant < closes
        for opens, closes in open_intervals(brand, *_local_dates_around(brand, at, at))
    )


def business_minutes(brand: Brand, start: datetime, end: datetime) -> float:
    """Minutes of ``[start, end)`` (tz-aware) that fall inside the brand's open times."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    if end_utc <= start_utc:
        return 0.0
    total = timedelta(0)
    for opens, closes in open_intervals(brand, *_local_dates_around(brand, start, end)):
        overlap = min(closes, end_utc) - max(opens, start_utc)
        if overlap > timedelta(0):
            total += overlap
    return total.total_seconds() / 60.0


# --------------------------------------------------------------------------- warehouse tables

_UTC_DATETIME = pl.Datetime("us", "UTC")

REGISTRY_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "brands": {
        "brand_id": pl.String,
        "brand_name": pl.String,
        "sector": pl.String,
        "country": pl.String,
        "timezone": pl.String,
        "sla_minutes": pl.Int64,
        "has_business_hours": pl.Boolean,
        "holidays": pl.List(pl.Date),
        "calendar_key": pl.String,
    },
    "brand_accounts": {"brand_id": pl.String, "platform": pl.String, "account": pl.String},
    # folded in SQL (stg_brand_aliases), as the message texts they are matched against; kind:
    # 'alias', or 'exclusion' (a phrase in which an alias names something else)
    "brand_aliases": {"brand_id": pl.String, "alias": pl.String, "kind": pl.String},
    "brand_open_hours": {
        "brand_id": pl.String,
        "open_from": _UTC_DATETIME,
        "open_to": _UTC_DATETIME,
    },
}


def calendar_key(brand: Brand) -> str:
    """A digest of what the brand's open intervals are made of (time zone, business hours,
    holidays): a case's business minutes and off-hours flag can change only when it does."""
    calendar = {
        "timezone": brand.timezone,
        "business_hours": brand.business_hours,
        "holidays": [day.isoformat() for day in sorted(brand.holidays)],
    }
    return hashlib.sha256(json.dumps(calendar, sort_keys=True).encode()).hexdigest()[:16]


def registry_frames(brands: Iterable[Brand], start: date, end: date) -> dict[str, pl.DataFrame]:
    """The registry as the warehouse tables ``brands``, ``brand_accounts``, ``brand_aliases``
    and ``brand_open_hours`` (open times over the local dates ``[start, end)``, UTC)."""
    rows: dict[str, list[tuple]] = {name: [] for name in REGISTRY_SCHEMAS}
    for brand in brands:
        rows["brands"].append(
            (
                brand.id,
                brand.name,
                brand.sector,
                brand.country,
                brand.timezone,
                brand.sla_minutes,
                brand.business_hours is not None,
                list(brand.holidays),
                calendar_key(brand),
            )
        )
        accounts = {
            (platform, normalise_account(platform, account))
            for platform, names in brand.accounts.items()
            for account in names
        }
        rows["brand_accounts"].extend((brand.id, p, a) for p, a in sorted(accounts))
        # repeats dropped, order kept
        rows["brand_aliases"].extend((brand.id, a, "alias") for a in dict.fromkeys(brand.aliases))
        rows["brand_aliases"].extend((brand.id, a, "exclusion") for a in dict.fromkeys(brand.alias_exclusions))
        rows["brand_open_hours"].extend(
            (brand.id, opens, closes) for opens, closes in open_intervals(brand, start, end)
        )
    return {
        name: pl.DataFrame(rows[name], schema=schema, orient="row")
        for name, schema in REGISTRY_SCHEMAS.items()
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m pipelines.brands FILE``: check a registry before a run; the brands it defines,
    or the one-line error naming the file, the brand and the field (exit status 1)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m pipelines.brands BRANDS.yaml", file=sys.stderr)
        return 2
    try:
        brands = load_registry(args[0])
    except BrandRegistryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args[0]}: {len(brands)} brand(s): {', '.join(brand.id for brand in brands)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
