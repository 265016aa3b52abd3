"""examples/brands.yaml: brandcare accepts it, it shows every field, and its comments are true."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from pipelines.brands import (
    DEFAULT_SLA_MINUTES,
    Brand,
    BrandRegistryError,
    is_open,
    load_registry,
    normalise_account,
    registry_frames,
)
from pipelines.canonical import PLATFORMS

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "brands.yaml"


@pytest.fixture(scope="module")
def brands() -> dict[str, Brand]:
    return {brand.id: brand for brand in load_registry(EXAMPLE)}


def _local(brand: Brand, text: str) -> datetime:
    """A wall-clock time in the brand's own time zone."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(brand.timezone))


def test_the_example_registry_loads(brands: dict[str, Brand]) -> None:
    assert list(brands) == ["nubeluz", "harbor_air", "caja_serrana"]
    assert brands["nubeluz"].name == "Nubeluz"
    assert brands["harbor_air"].timezone == "America/New_York"


def test_the_example_uses_every_field_and_platform() -> None:
    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    used = {key for entry in document["brands"] for key in entry}
    assert used == {f.name for f in dataclasses.fields(Brand)}
    platforms = {platform for entry in document["brands"] for platform in entry.get("accounts", {})}
    assert platforms == set(PLATFORMS)


def test_business_hours_as_the_comments_say(brands: dict[str, Brand]) -> None:
    nubeluz, caja, harbor = brands["nubeluz"], brands["caja_serrana"], brands["harbor_air"]
    # a day not listed is closed (Sunday 2026-12-06); listed days open in their ranges
    assert not is_open(nubeluz, _local(nubeluz, "2026-12-06T12:00"))
    assert is_open(nubeluz, _local(nubeluz, "2026-12-05T10:30"))
    assert not is_open(nubeluz, _local(nubeluz, "2026-12-05T14:00"))  # half-open: 14:00 is closed
    # a holiday is closed all day, whatever business_hours says (Friday 2026-12-25)
    assert is_open(nubeluz, _local(nubeluz, "2026-12-18T12:00"))
    assert not is_open(nubeluz, _local(nubeluz, "2026-12-25T12:00"))
    # split days close at lunch; 24:00 ends a Saturday evening
    assert is_open(caja, _local(caja, "2026-12-07T09:00"))
    assert not is_open(caja, _local(caja, "2026-12-07T15:00"))
    assert is_open(caja, _local(caja, "2026-12-07T16:30"))
    assert is_open(caja, _local(caja, "2026-12-12T23:59"))
    assert not is_open(caja, _local(caja, "2026-12-12T17:00"))
    # no business_hours at all: always open
    assert harbor.business_hours is None
    assert is_open(harbor, _local(harbor, "2026-12-06T03:00"))


def test_accounts_and_defaults_as_the_comments_say(brands: dict[str, Brand]) -> None:
    harbor, caja = brands["harbor_air"], brands["caja_serrana"]
    assert caja.sla_minutes == DEFAULT_SLA_MINUTES == 60
    assert harbor.sla_minutes == 30
    # an unquoted numeric page id is text; a leading @ and case do not matter
    assert harbor.accounts["facebook"] == ("200300400500",)
    assert normalise_account("x", harbor.accounts["x"][0]) == "harborair"
    frames = registry_frames(brands.values(), datetime(2026, 12, 1).date(), datetime(2026, 12, 8).date())
    accounts = set(frames["brand_accounts"].iter_rows())
    assert ("harbor_air", "x", "harborair") in accounts
    assert ("harbor_air", "facebook", "200300400500") in accounts
    # aliases are compared accent-folded and lower-case
    assert ("caja_serrana", "Caja Serrana", "alias") in set(frames["brand_aliases"].iter_rows())
    assert ("nubeluz", "Estadio Nubeluz", "exclusion") in set(frames["brand_aliases"].iter_rows())
    assert frames["brands"].height == 3


def test_the_error_shown_in_the_header_is_the_one_brandcare_gives(tmp_path: Path) -> None:
    header = EXAMPLE.read_text(encoding="utf-8")
    shown = re.search(r"e\.g\.\s+brands\.yaml: (brand .*)$", header, re.M)
    assert shown is not None, "the header no longer shows an example error"
    broken = tmp_path / "brands.yaml"
    broken.write_text(header.replace('mon-fri: "09:00-21:00"', 'mon-fri: "9-21"', 1), encoding="utf-8")
    with pytest.raises(BrandRegistryError) as error:
        load_registry(broken)
    assert str(error.value) == f"{broken}: {shown.group(1).strip()}"
