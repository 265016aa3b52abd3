"""Brand registry loading and the business calendar (pipelines/brands.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
import yaml

from pipelines.brands import (
    Brand,
    BrandRegistryError,
    business_minutes,
    is_open,
    load_registry,
    normalise_account,
    open_intervals,
    registry_frames,
)

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")

REGISTRY = """\
brands:
  - id: movistar
    name: Movistar
    sector: telecom
    country: ES
    timezone: Europe/Madrid
    sla_minutes: 60
    business_hours: {mon-fri: "09:00-21:00", sat: "10:00-14:00"}
    holidays: ["2026-12-25", 2027-01-01]
    accounts:
      x: ["@Movistar_ES", movistarpro_es]
      bluesky: [movistar.bsky.social]
      facebook: ["movistar.es", 1234567]
      blog: ["Equipo Movistar"]
    aliases: [Movistar, Telefónica]
    alias_exclusions: ["Estadio Movistar", "Movistar Arena"]
  - id: nightowl
    name: Night Owl
    timezone: America/New_York
    sla_minutes: 30
    business_hours:
      mon-fri: "00:00-02:00, 18:00-24:00"
  - id: always
    name: Always On
    sector: bank
    country: US
    timezone: America/New_York
"""


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def madrid(*args: int) -> datetime:
    return datetime(*args, tzinfo=MADRID)


@pytest.fixture
def registry(tmp_path: Path) -> dict[str, Brand]:
    path = tmp_path / "brands.yaml"
    path.write_text(REGISTRY, encoding="utf-8")
    return {brand.id: brand for brand in load_registry(path)}


def brand_with(**fields) -> Brand:
    """A Madrid brand with the given overrides, built directly (no YAML)."""
    defaults = dict(id="b", name="B", sector=None, country=None, timezone="Europe/Madrid")
    return Brand(**{**defaults, **fields})


def write_brand(tmp_path: Path, **overrides) -> Path:
    """A one-brand registry file: a valid brand 'telvia' with fields replaced (None drops)."""
    brand = {
        "id": "telvia",
        "name": "Telvia",
        "timezone": "Europe/Madrid",
        "business_hours": {"mon-fri": "09:00-21:00"},
    }
    for key, value in overrides.items():
        if value is None:
            brand.pop(key, None)
        else:
            brand[key] = value
    path = tmp_path / "brands.yaml"
    text = yaml.safe_dump({"brands": [brand]}, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def hours_of(tmp_path: Path, business_hours: dict) -> dict:
    return load_registry(write_brand(tmp_path, business_hours=business_hours))[0].business_hours


# --------------------------------------------------------------------------- loading


def test_load_registry_reads_every_field(registry: dict[str, Brand]) -> None:
    movistar = registry["movistar"]
    assert list(registry) == ["movistar", "nightowl", "always"]
    assert movistar.name == "Movistar"
    assert (movistar.sector, movistar.country) == ("telecom", "ES")
    assert movistar.timezone == "Europe/Madrid"
    assert movistar.sla_minutes == 60
    assert movistar.business_hours == {
        day: ((540, 1260),) for day in ("mon", "tue", "wed", "thu", "fri")
    } | {"sat": ((600, 840),)}
    assert movistar.holidays == (date(2026, 12, 25), date(2027, 1, 1))
    assert movistar.accounts == {
        "x": ("@Movistar_ES", "movistarpro_es"),
        "bluesky": ("movistar.bsky.social",),
        "facebook": ("movistar.es", "1234567"),
        "blog": ("Equipo Movistar",),
    }
    assert movistar.aliases == ("Movistar", "Telefónica")
    night = registry["nightowl"]
    assert night.sla_minutes == 30
    assert night.business_hours["fri"] == ((0, 120), (1080, 1440))
    assert "sat" not in night.business_hours
    always = registry["always"]
    assert always.business_hours is None
    assert always.sla_minutes == 60
    assert (always.holidays, always.accounts, always.aliases) == ((), {}, ())
    assert len({movistar, night, always}) == 3  # brands are hashable values


@pytest.mark.parametrize(
    ("business_hours", "expected"),
    [
        ({"mon": "09:00-17:00"}, {"mon": ((540, 1020),)}),
        (
            {"mon-fri": "09:00-17:00"},
            {d: ((540, 1020),) for d in ("mon", "tue", "wed", "thu", "fri")},
        ),
        ({"sat-sun": "10:00-14:00"}, {"sat": ((600, 840),), "sun": ((600, 840),)}),
        ({"tue": "16:00-20:00,09:00-14:00"}, {"tue": ((540, 840), (960, 1200))}),
        ({"wed": " 09:00 - 14:00 , 14:00-20:00 "}, {"wed": ((540, 840), (840, 1200))}),
        ({"mon-sun": "00:00-24:00"}, {d: ((0, 1440),) for d in
                                      ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}),
        (
            {"sun": "10:00-12:00", "mon-fri": "08:00-09:30", "sat": "23:30-24:00"},
            {**{d: ((480, 570),) for d in ("mon", "tue", "wed", "thu", "fri")},
             "sat": ((1410, 1440),), "sun": ((600, 720),)},
        ),
        ({"Mon": "09:00-10:00"}, {"mon": ((540, 600),)}),
    ],
)
def test_business_hours_forms(tmp_path: Path, business_hours: dict, expected: dict) -> None:
    parsed = hours_of(tmp_path, business_hours)
    assert parsed == expected
    week = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    assert list(parsed) == [day for day in week if day in parsed]  # in week order


@pytest.mark.parametrize(
    ("business_hours", "field", "detail"),
    [
        ({"mon-fri": "9-21"}, "mon-fri", "'9-21' is not HH:MM-HH:MM"),
        ({"mon": "9:00-21:00"}, "mon", "is not HH:MM-HH:MM"),
        ({"mon": "09:00-14:00,"}, "mon", "is not HH:MM-HH:MM"),
        ({"mon": "09:00-25:00"}, "mon", "not a valid time range"),
        ({"mon": "24:00-24:00"}, "mon", "not a valid time range"),
        ({"mon": "09:60-10:00"}, "mon", "not a valid time range"),
        ({"mon": "21:00-09:00"}, "mon", "start must be before"),
        ({"mon": "09:00-09:00"}, "mon", "start must be before"),
        ({"mon": "09:00-14:00,13:00-18:00"}, "mon", "overlapping"),
        ({"mon-fri": "09:00-14:00", "fri": "16:00-18:00"}, "fri", "'fri' is given more than once"),
        (
            {"mon-fri": "09:00-14:00", "sat-sun": "10:00-12:00", "thu-sat": "16:00-18:00"},
            "thu-sat",
            "'thu' is given more than once",
        ),
        ({"fri-mon": "09:00-14:00"}, "fri-mon", "from mon towards sun"),
        ({"weekdays": "09:00-14:00"}, "weekdays", "not a day"),
        ({"mon-tue-wed": "09:00-14:00"}, "mon-tue-wed", "not a day"),
        ({"mon": 540}, "mon", "is not a string"),
    ],
)
def test_business_hours_errors_name_file_brand_and_day(
    tmp_path: Path, business_hours: dict, field: str, detail: str
) -> None:
    path = write_brand(tmp_path, business_hours=business_hours)
    with pytest.raises(BrandRegistryError) as caught:
        load_registry(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: brand 'telvia': business_hours.{field}: "), message
    assert detail in message, message


@pytest.mark.parametrize(
    ("overrides", "field", "detail"),
    [
        ({"business_hours": {}}, "business_hours", "expected a mapping"),
        ({"business_hours": "09:00-21:00"}, "business_hours", "expected a mapping"),
        ({"name": None}, "name", "required"),
        ({"name": "  "}, "name", "required"),
        ({"timezone": None}, "timezone", "required"),
        ({"timezone": "Europe/Atlantis"}, "timezone", "'Europe/Atlantis' is not an IANA time zone"),
        ({"timezone": "../etc/passwd"}, "timezone", "is not an IANA time zone"),
        # files of the tz database that are no zone DuckDB knows (the warehouse failed on them, QA)
        ({"timezone": "posixrules"}, "timezone", "'posixrules' is not an IANA time zone"),
        ({"timezone": "right/UTC"}, "timezone", "is not an IANA time zone"),
        ({"timezone": "localtime"}, "timezone", "is not an IANA time zone"),
        ({"sla_minutes": 0}, "sla_minutes", "not a positive whole number"),
        ({"sla_minutes": -5}, "sla_minutes", "not a positive whole number"),
        ({"sla_minutes": 1.5}, "sla_minutes", "not a positive whole number"),
        ({"sla_minutes": "60"}, "sla_minutes", "not a positive whole number"),
        ({"sla_minutes": True}, "sla_minutes", "not a positive whole number"),
        ({"holidays": ["2026-13-01"]}, "holidays", "'2026-13-01' is not an ISO date"),
        ({"holidays": ["25/12/2026"]}, "holidays", "is not an ISO date"),
        ({"holidays": ["20261225"]}, "holidays", "is not an ISO date"),
        ({"holidays": "2026-12-25"}, "holidays", "expected a list"),
        ({"accounts": {"tiktok": ["telvia"]}}, "accounts", "unknown platforms: tiktok"),
        ({"accounts": {"x": "telvia"}}, "accounts.x", "expected a list"),
        ({"accounts": {"x": ["telvia", ""]}}, "accounts.x", "is not a non-empty string"),
        ({"accounts": {"x": ["@"]}}, "accounts.x", "'@' is not an account"),
        ({"accounts": ["telvia"]}, "accounts", "expected a mapping"),
        ({"aliases": "Telvia"}, "aliases", "expected a list"),
        ({"aliases": ["Telvia", 7]}, "aliases", "7 is not a non-empty string"),
        ({"alias_exclusions": "ala delta"}, "alias_exclusions", "expected a list"),
        ({"sector": ["telecom"]}, "sector", "is not a non-empty string"),
        ({"country": 34}, "country", "is not a non-empty string"),
    ],
)
def test_validation_errors_name_file_brand_and_field(
    tmp_path: Path, overrides: dict, field: str, detail: str
) -> None:
    path = write_brand(tmp_path, **overrides)
    with pytest.raises(BrandRegistryError) as caught:
        load_registry(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: brand 'telvia': {field}: "), message
    assert detail in message, message


def test_example_error_message(tmp_path: Path) -> None:
    path = write_brand(tmp_path, business_hours={"mon-fri": "9-21"})
    expected = "brands.yaml: brand 'telvia': business_hours.mon-fri: '9-21' is not HH:MM-HH:MM"
    with pytest.raises(BrandRegistryError, match=expected):
        load_registry(path)


def test_unknown_keys_are_named(tmp_path: Path) -> None:
    path = write_brand(tmp_path, timzone="Europe/Madrid", colour="blue")
    with pytest.raises(BrandRegistryError, match=r"brand 'telvia': unknown keys: colour, timzone"):
        load_registry(path)
    path.write_text("brands: []\nversion: 2\n", encoding="utf-8")
    with pytest.raises(BrandRegistryError, match="unknown top-level keys: version"):
        load_registry(path)


@pytest.mark.parametrize(
    ("brand_id", "detail"),
    [(None, "id: required"), ("Tel-Via", "id: 'Tel-Via' does not match"),
     (12, "id: 12 does not match"), ("", "id: '' does not match")],
)
def test_bad_id_is_reported_by_position(tmp_path: Path, brand_id, detail: str) -> None:
    good = {"id": "ok", "name": "Ok", "timezone": "UTC"}
    bad = {"name": "Bad", "timezone": "UTC"} | ({} if brand_id is None else {"id": brand_id})
    path = tmp_path / "brands.yaml"
    path.write_text(yaml.safe_dump({"brands": [good, bad]}), encoding="utf-8")
    with pytest.raises(BrandRegistryError, match=rf"brands.yaml: brand #2: {detail}"):
        load_registry(path)


def test_duplicate_ids_and_shared_accounts(tmp_path: Path) -> None:
    path = tmp_path / "brands.yaml"
    one = {"id": "telvia", "name": "Telvia", "timezone": "UTC", "accounts": {"x": ["@Telvia"]}}
    path.write_text(yaml.safe_dump({"brands": [one, one]}), encoding="utf-8")
    duplicate = "brand 'telvia': id: 'telvia' is used by more than one"
    with pytest.raises(BrandRegistryError, match=duplicate):
        load_registry(path)
    other = {"id": "other", "name": "Other", "timezone": "UTC", "accounts": {"x": ["telvia"]}}
    path.write_text(yaml.safe_dump({"brands": [one, other]}), encoding="utf-8")
    shared = "brand 'other': accounts.x: 'telvia' is also an account of brand 'telvia'"
    with pytest.raises(BrandRegistryError, match=shared):
        load_registry(path)


def test_yaml_key_given_twice_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "brands.yaml"
    path.write_text(
        "brands:\n  - id: telvia\n    name: Telvia\n    timezone: UTC\n"
        "    business_hours:\n      mon: '09:00-14:00'\n      mon: '16:00-20:00'\n",
        encoding="utf-8",
    )
    twice = "brands.yaml: not valid YAML: .*'mon' given twice"
    with pytest.raises(BrandRegistryError, match=twice):
        load_registry(path)


def test_unquoted_accounts_are_read_as_written(tmp_path: Path) -> None:
    """YAML 1.1 reads 0xabad1dea (a real handle, written unquoted as the example file writes
    handles) as hexadecimal: the brand's account became 2880249322 and matched no message."""
    path = tmp_path / "brands.yaml"
    path.write_text(
        "brands:\n  - id: ab\n    name: Ab\n    timezone: UTC\n    sla_minutes: 90\n"
        "    accounts: {x: [0xabad1dea, 0777, 12_345, 1:20], facebook: [104857600123456]}\n",
        encoding="utf-8",
    )
    (brand,) = load_registry(path)
    assert brand.accounts == {"x": ("0xabad1dea", "0777", "12_345", "1:20"), "facebook": ("104857600123456",)}
    assert brand.sla_minutes == 90


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("- id: telvia\n", "expected a mapping with a 'brands' list"),
        ("telvia: {}\n", "expected a mapping with a 'brands' list"),
        ("brands: telvia\n", "'brands' must be a non-empty list"),
        ("brands: []\n", "'brands' must be a non-empty list"),
        ("brands: [telvia]\n", "brand #1: expected a mapping"),
        ("brands: [\n", "not valid YAML"),
    ],
)
def test_malformed_files(tmp_path: Path, content: str, detail: str) -> None:
    path = tmp_path / "brands.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BrandRegistryError, match=f"^{path}: .*{detail}"):
        load_registry(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(BrandRegistryError, match=f"{path}: brand registry file not found"):
        load_registry(path)
    assert issubclass(BrandRegistryError, ValueError)


# --------------------------------------------------------------------------- text helpers


def test_normalise_account() -> None:
    assert normalise_account("x", "@Movistar_ES") == "movistar_es"
    assert normalise_account("x", " movistar_es ") == "movistar_es"
    assert normalise_account("bluesky", "@Movistar.BSKY.social") == "movistar.bsky.social"
    assert normalise_account("blog", "Equipo Movistar") == "equipo movistar"
    assert normalise_account("facebook", "1234567") == "1234567"
    with pytest.raises(ValueError, match="unknown platform"):
        normalise_account("myspace", "tom")


def test_is_open_closed_on_sunday(registry: dict[str, Brand]) -> None:
    movistar = registry["movistar"]
    assert not is_open(movistar, madrid(2026, 3, 1, 12, 0))  # Sunday
    assert is_open(movistar, madrid(2026, 3, 2, 12, 0))  # Monday
    assert is_open(movistar, madrid(2026, 3, 7, 13, 59))  # Saturday 10-14
    assert not is_open(movistar, madrid(2026, 3, 7, 14, 0))


def test_is_open_closed_on_holiday(registry: dict[str, Brand]) -> None:
    movistar = registry["movistar"]
    assert is_open(movistar, madrid(2026, 12, 24, 12, 0))
    assert not is_open(movistar, madrid(2026, 12, 25, 12, 0))  # a Friday, but a holiday
    assert not is_open(movistar, madrid(2027, 1, 1, 12, 0))  # unquoted YAML date


def test_is_open_is_half_open(registry: dict[str, Brand]) -> None:
    movistar = registry["movistar"]
    assert not is_open(movistar, madrid(2026, 3, 6, 8, 59, 59))
    assert is_open(movistar, madrid(2026, 3, 6, 9, 0))
    assert is_open(movistar, madrid(2026, 3, 6, 20, 59, 59))
    assert not is_open(movistar, madrid(2026, 3, 6, 21, 0))
    # The same instants given in UTC (Madrid is UTC+1 in March): local time decides.
    assert is_open(movistar, utc(2026, 3, 6, 19, 59))
    assert not is_open(movistar, utc(2026, 3, 6, 20, 0))
    assert not is_open(movistar, utc(2026, 3, 6, 7, 59))
    assert is_open(movistar, utc(2026, 3, 6, 8, 0))


def test_is_open_across_midnight(registry: dict[str, Brand]) -> None:
    night = registry["nightowl"]  # mon-fri 00:00-02:00 and 18:00-24:00, New York
    ny = lambda *a: datetime(*a, tzinfo=NEW_YORK)  # noqa: E731
    assert is_open(night, ny(2026, 3, 5, 23, 59))  # Thursday night
    assert is_open(night, ny(2026, 3, 6, 0, 30))  # Friday early morning
    assert is_open(night, ny(2026, 3, 6, 23, 59))  # Friday night
    assert not is_open(night, ny(2026, 3, 7, 0, 30))  # Saturday is not listed
    assert not is_open(night, ny(2026, 3, 6, 2, 0))
    assert is_open(night, utc(2026, 3, 6, 4, 0))  # 23:00 Thursday in New York (UTC-5)


def test_is_open_always_open_brand(registry: dict[str, Brand]) -> None:
    always = registry["always"]
    for at in (utc(2026, 3, 1, 3, 0), utc(2026, 12, 25, 12, 0), madrid(2026, 10, 25, 2, 30)):
        assert is_open(always, at)


def test_always_open_brand_still_closes_on_holidays() -> None:
    brand = brand_with(holidays=(date(2026, 12, 25),))
    assert is_open(brand, madrid(2026, 12, 24, 23, 59))
    assert not is_open(brand, madrid(2026, 12, 25, 0, 0))
    assert is_open(brand, madrid(2026, 12, 26, 0, 0))


def test_is_open_needs_an_aware_datetime(registry: dict[str, Brand]) -> None:
    with pytest.raises(ValueError, match="time-zone-aware"):
        is_open(registry["movistar"], datetime(2026, 3, 2, 12, 0))


# --------------------------------------------------------------------------- open_intervals


def test_open_intervals_across_madrid_dst_end() -> None:
    # 2026-10-25 (Sunday): Madrid goes from CEST (UTC+2) to CET (UTC+1) at 03:00.
    brand = brand_with(business_hours={d: ((540, 1260),) for d in ("sat", "sun", "mon")})
    intervals = open_intervals(brand, date(2026, 10, 24), date(2026, 10, 27))
    assert intervals == [
        (utc(2026, 10, 24, 7, 0), utc(2026, 10, 24, 19, 0)),
        (utc(2026, 10, 25, 8, 0), utc(2026, 10, 25, 20, 0)),
        (utc(2026, 10, 26, 8, 0), utc(2026, 10, 26, 20, 0)),
    ]
    assert all(b - a == timedelta(hours=12) for a, b in intervals)
    assert all(a.tzinfo is UTC and b.tzinfo is UTC for a, b in intervals)


def test_open_intervals_across_new_york_dst_end() -> None:
    # 2026-11-01 (Sunday): New York goes from EDT (UTC-4) to EST (UTC-5) at 02:00.
    brand = brand_with(timezone="America/New_York",
                       business_hours={"sat": ((540, 1260),), "sun": ((540, 1260),)})
    assert open_intervals(brand, date(2026, 10, 31), date(2026, 11, 2)) == [
        (utc(2026, 10, 31, 13, 0), utc(2026, 11, 1, 1, 0)),
        (utc(2026, 11, 1, 14, 0), utc(2026, 11, 2, 2, 0)),
    ]


def test_open_intervals_whole_days_across_dst() -> None:
    # The day of the change is 25 hours long; a range reaching 24:00 covers all of it.
    brand = brand_with(business_hours={"sun": ((0, 1440),)})
    assert open_intervals(brand, date(2026, 10, 25), date(2026, 10, 26)) == [
        (utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 23, 0)),
    ]
    # Spring forward (2026-03-29): 23 hours.
    assert open_intervals(brand, date(2026, 3, 29), date(2026, 3, 30)) == [
        (utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 22, 0)),
    ]


def test_open_intervals_merge_adjacent(tmp_path: Path, registry: dict[str, Brand]) -> None:
    every_day = load_registry(write_brand(tmp_path, business_hours={"mon-sun": "00:00-24:00"}))[0]
    assert open_intervals(every_day, date(2026, 10, 20), date(2026, 10, 30)) == [
        (utc(2026, 10, 19, 22, 0), utc(2026, 10, 29, 23, 0)),
    ]
    split = brand_with(business_hours={"mon": ((540, 840), (840, 1200))})
    assert open_intervals(split, date(2026, 3, 2), date(2026, 3, 3)) == [
        (utc(2026, 3, 2, 8, 0), utc(2026, 3, 2, 19, 0)),
    ]
    # Thursday 18:00-24:00 runs into Friday 00:00-02:00 (New York, UTC-5 in March).
    night = open_intervals(registry["nightowl"], date(2026, 3, 5), date(2026, 3, 7))
    assert night == [
        (utc(2026, 3, 5, 5, 0), utc(2026, 3, 5, 7, 0)),
        (utc(2026, 3, 5, 23, 0), utc(2026, 3, 6, 7, 0)),
        (utc(2026, 3, 6, 23, 0), utc(2026, 3, 7, 5, 0)),
    ]


def test_open_intervals_always_open_and_holidays(registry: dict[str, Brand]) -> None:
    always = brand_with()
    assert open_intervals(always, date(2026, 10, 20), date(2026, 10, 30)) == [
        (utc(2026, 10, 19, 22, 0), utc(2026, 10, 29, 23, 0)),
    ]
    assert open_intervals(always, date(2026, 10, 20), date(2026, 10, 20)) == []
    movistar = registry["movistar"]
    days = {a.date() for a, _ in open_intervals(movistar, date(2026, 12, 21), date(2026, 12, 28))}
    assert days == {date(2026, 12, d) for d in (21, 22, 23, 24, 26)}  # no Friday 25, no Sunday
    with pytest.raises(ValueError):
        open_intervals(always, date(2026, 10, 21), date(2026, 10, 20))


def test_is_open_agrees_with_open_intervals(registry: dict[str, Brand]) -> None:
    for brand in registry.values():
        intervals = open_intervals(brand, date(2026, 10, 22), date(2026, 11, 4))
        at = utc(2026, 10, 23, 0, 0)
        while at < utc(2026, 11, 3, 0, 0):
            assert is_open(brand, at) == any(a <= at < b for a, b in intervals), (brand.id, at)
            at += timedelta(minutes=30)


# --------------------------------------------------------------------------- business_minutes


def test_business_minutes_across_midnight(registry: dict[str, Brand]) -> None:
    movistar = registry["movistar"]
    # Monday 20:30 -> Tuesday 09:30: 30 minutes before closing, 30 after opening.
    assert business_minutes(movistar, madrid(2026, 3, 2, 20, 30), madrid(2026, 3, 3, 9, 30)) == 60.0
    night = registry["nightowl"]
    ny = lambda *a: datetime(*a, tzinfo=NEW_YORK)  # noqa: E731
    assert business_minutes(night, ny(2026, 3, 5, 23, 0), ny(2026, 3, 6, 1, 0)) == 120.0


def test_business_minutes_across_weekend(registry: dict[str, Brand]) -> None:
    movistar = registry["movistar"]
    # Friday 20:00 -> Monday 10:00: Friday 60 + Saturday 10-14 (240) + Monday 60.
    assert business_minutes(movistar, madrid(2026, 3, 6, 20, 0), madrid(2026, 3, 9, 10, 0)) == 360.0
    # Same window given in UTC.
    assert business_minutes(movistar, utc(2026, 3, 6, 19, 0), utc(2026, 3, 9, 9, 0)) == 360.0
    # Entirely inside the closed weekend.
    assert business_minutes(movistar, madrid(2026, 3, 7, 14, 0), madrid(2026, 3, 9, 9, 0)) == 0.0


def test_business_minutes_edges(registry: dict[str, Brand]) -> None:
    movistar, always = registry["movistar"], registry["always"]
    at = madrid(2026, 3, 2, 12, 0)
    assert business_minutes(movistar, at, at) == 0.0
    assert business_minutes(movistar, at, at - timedelta(hours=1)) == 0.0
    assert business_minutes(movistar, at, at + timedelta(seconds=90)) == 1.5
    assert business_minutes(always, utc(2026, 3, 1), utc(2026, 3, 3, 1, 15)) == 49 * 60 + 15
    # The 25-hour DST day counts 25 hours for an always-open brand.
    day = brand_with()
    assert business_minutes(day, madrid(2026, 10, 25), madrid(2026, 10, 26)) == 25 * 60
    with pytest.raises(ValueError, match="time-zone-aware"):
        business_minutes(movistar, datetime(2026, 3, 2), at)


# --------------------------------------------------------------------------- registry_frames


def test_registry_frames_columns_and_dtypes(registry: dict[str, Brand]) -> None:
    frames = registry_frames(list(registry.values()), date(2026, 3, 2), date(2026, 3, 9))
    assert set(frames) == {"brands", "brand_accounts", "brand_aliases", "brand_open_hours"}
    utc_us = pl.Datetime("us", "UTC")
    assert frames["brands"].schema == pl.Schema({
        "brand_id": pl.String, "brand_name": pl.String, "sector": pl.String,
        "country": pl.String, "timezone": pl.String, "sla_minutes": pl.Int64,
        "has_business_hours": pl.Boolean, "holidays": pl.List(pl.Date), "calendar_key": pl.String,
    })
    assert frames["brand_accounts"].schema == pl.Schema(
        {"brand_id": pl.String, "platform": pl.String, "account": pl.String})
    assert frames["brand_aliases"].schema == pl.Schema(
        {"brand_id": pl.String, "alias": pl.String, "kind": pl.String})
    assert frames["brand_open_hours"].schema == pl.Schema(
        {"brand_id": pl.String, "open_from": utc_us, "open_to": utc_us})

    brands = frames["brands"]
    assert brands["brand_id"].to_list() == ["movistar", "nightowl", "always"]
    assert brands["has_business_hours"].to_list() == [True, True, False]
    # what makes a case off hours besides the weekly hours (QA: no published table said)
    assert brands["holidays"].to_list() == [[date(2026, 12, 25), date(2027, 1, 1)], [], []]
    assert brands["sla_minutes"].to_list() == [60, 30, 60]
    assert brands.row(1, named=True)["sector"] is None
    # a calendar per brand; the same registry read again gives the same keys
    assert brands["calendar_key"].n_unique() == 3
    again = registry_frames(list(registry.values()), date(2026, 1, 1), date(2026, 12, 31))["brands"]
    assert again["calendar_key"].to_list() == brands["calendar_key"].to_list()

    accounts = frames["brand_accounts"].filter(pl.col("brand_id") == "movistar")
    assert set(accounts.iter_rows()) == {
        ("movistar", "x", "movistar_es"), ("movistar", "x", "movistarpro_es"),
        ("movistar", "bluesky", "movistar.bsky.social"), ("movistar", "facebook", "movistar.es"),
        ("movistar", "facebook", "1234567"), ("movistar", "blog", "equipo movistar"),
    }
    assert frames["brand_aliases"].rows() == [
        ("movistar", "Movistar", "alias"), ("movistar", "Telefónica", "alias"),
        # phrases in which the alias names something else: a message holding one is not addressed by alias
        ("movistar", "Estadio Movistar", "exclusion"), ("movistar", "Movistar Arena", "exclusion"),
    ]

    hours = frames["brand_open_hours"]
    movistar_hours = hours.filter(pl.col("brand_id") == "movistar")
    assert movistar_hours.height == 6  # Monday to Saturday
    assert movistar_hours.row(0) == ("movistar", utc(2026, 3, 2, 8), utc(2026, 3, 2, 20))
    assert hours.filter(pl.col("brand_id") == "always").rows() == [
        ("always", utc(2026, 3, 2, 5), utc(2026, 3, 9, 4)),  # New York, UTC-5 then UTC-4 on 8 Mar
    ]


def test_registry_frames_empty_keeps_schema() -> None:
    frames = registry_frames([], date(2026, 3, 2), date(2026, 3, 9))
    assert all(frame.height == 0 for frame in frames.values())
    assert frames["brand_open_hours"].schema["open_from"] == pl.Datetime("us", "UTC")
    assert frames["brands"].schema["has_business_hours"] == pl.Boolean


def test_a_registry_is_checked_from_the_command_line_in_one_line(tmp_path: Path) -> None:
    """The tutorial's check of a registry printed a 14-line traceback ending in the error (QA):
    ``python -m pipelines.brands FILE`` prints the error alone (exit 1), or the brands."""
    import subprocess
    import sys

    bad = tmp_path / "brands.yaml"
    bad.write_text('brands:\n  - {id: telvia, name: Telvia, timezone: Europe/Madrid, accounts: {x: [telvia]},\n'
                   '     business_hours: {mon-fri: "9-21"}}\n')
    proc = subprocess.run([sys.executable, "-m", "pipelines.brands", str(bad)], capture_output=True, text=True,
                          timeout=60)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == f"error: {bad}: brand 'telvia': business_hours.mon-fri: '9-21' is not HH:MM-HH:MM\n"
    good = Path(__file__).resolve().parents[1] / "examples" / "brands.yaml"
    proc = subprocess.run([sys.executable, "-m", "pipelines.brands", str(good)], capture_output=True, text=True,
                          timeout=60, check=True)
    assert proc.stdout == f"{good}: 3 brand(s): nubeluz, harbor_air, caja_serrana\n"
