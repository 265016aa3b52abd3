"""A sample brand with its business calendar: open hours, holidays, local months, open seconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _parse_hours(spec: dict | None) -> dict[int, list[tuple[int, int]]] | None:
    """business_hours -> {weekday: [(start minute, end minute), ...]}; None = always open."""
    if spec is None:
        return None
    out: dict[int, list[tuple[int, int]]] = {i: [] for i in range(7)}
    for key, value in spec.items():
        if "-" in key:
            a, b = key.split("-")
            days = range(DAY_NAMES.index(a), DAY_NAMES.index(b) + 1)
        else:
            days = [DAY_NAMES.index(key)]
        ranges = []
        for part in str(value).split(","):
            s, e = part.strip().split("-")
            sh, sm = map(int, s.split(":"))
            eh, em = map(int, e.split(":"))
            ranges.append((sh * 60 + sm, eh * 60 + em))
        for d in days:
            out[d].extend(ranges)
    for ranges in out.values():
        ranges.sort()
    return out


@dataclass
class Brand:
    spec: dict
    index: int
    tz: ZoneInfo = field(init=False)
    hours: dict | None = field(init=False)
    holidays: frozenset = field(init=False)
    user_ids: dict[str, str] = field(default_factory=dict)  # handle -> X user id

    def __post_init__(self) -> None:
        self.tz = ZoneInfo(self.spec["timezone"])
        self.hours = _parse_hours(self.spec["business_hours"])
        self.holidays = frozenset(self.spec["holidays"])

    def __getattr__(self, name: str):  # spec fields as attributes
        try:
            return self.__dict__["spec"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    @property
    def domain(self) -> str:
        return self.spec["id"].replace("_", "") + ".example"

    def is_open(self, dt: datetime) -> bool:
        """Whether ``dt`` falls in the brand's business hours."""
        if self.hours is None:
            return True
        local = dt.astimezone(self.tz)
        if local.date().isoformat() in self.holidays:
            return False
        minute = local.hour * 60 + local.minute + local.second / 60
        return any(s <= minute < e for s, e in self.hours[local.weekday()])

    def next_open(self, dt: datetime) -> tuple[datetime, datetime]:
        """Start and end (UTC) of the first open interval starting after ``dt``."""
        local = dt.astimezone(self.tz)
        for offset in range(15):
            day = local.date() + timedelta(days=offset)
            if day.isoformat() in self.holidays:
                continue
            for s, e in self.hours[day.weekday()]:
                start = datetime.combine(day, time(s // 60, s % 60), tzinfo=self.tz)
                end = datetime.combine(day, time(0), tzinfo=self.tz) + timedelta(minutes=e)
                if start > local:
                    return start.astimezone(UTC), end.astimezone(UTC)
        raise ValueError(f"brand {self.id} never opens")

    def period(self, dt: datetime) -> str:
        return dt.astimezone(self.tz).date().replace(day=1).isoformat()

    def open_seconds(self, a: datetime, b: datetime) -> int:
        """Seconds of ``[a, b)`` inside the brand's open times (business hours, holidays closed)."""
        if b <= a:
            return 0
        if self.hours is None:
            return int((b - a).total_seconds())
        total = 0
        day = a.astimezone(self.tz).date() - timedelta(days=1)
        last = b.astimezone(self.tz).date() + timedelta(days=1)
        while day <= last:
            if day.isoformat() not in self.holidays:
                for s, e in self.hours[day.weekday()]:
                    midnight = datetime.combine(day, time(0), tzinfo=self.tz)
                    start = (midnight + timedelta(minutes=s)).astimezone(UTC)  # wall-clock arithmetic
                    end = (midnight + timedelta(minutes=e)).astimezone(UTC)
                    lo, hi = max(start, a), min(end, b)
                    if hi > lo:
                        total += int((hi - lo).total_seconds())
            day += timedelta(days=1)
        return total
