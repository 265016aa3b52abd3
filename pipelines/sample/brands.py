"""The sample's brands: registry fields, planted behaviour and business calendars."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

BRANDS: list[dict] = [
    {"id": "telvia", "name": "Telvia", "sector": "telecom", "country": "ES", "timezone": "Europe/Madrid",
         "sla_minutes": 60, "business_hours": {"mon-fri": "09:00-21:00", "sat": "10:00-14:00"},
         "holidays": ["2026-10-12", "2026-12-25"], "x": ["telvia", "telvia_ayuda"], "blog": "Equipo Telvia",
         "aliases": ["Telvia"], "es": 0.92, "weight": 1.3, "p_respond": 0.72, "p_other": 0.3, "delay_median_min": 95,
         "delay_sigma": 1.3, "business_only": False, "deflect_share": 0.45,
         "channels": {"dm": 0.6, "phone": 0.2, "web": 0.2}, "canned_share": 0.6, "signoff": "^",
         "agents": ["JK", "MR", "LP", "AS"], "follower_bias": 0.0, "late_share": 0.02, "midnight_share": 0.03,
         "phone": "900 123 456"},
    {"id": "aerosol", "name": "AeroSol", "sector": "airline", "country": "ES", "timezone": "Europe/Madrid",
         "sla_minutes": 30, "business_hours": None, "holidays": [], "x": ["aerosol_es", "aerosol_help"], "blog": None,
         "aliases": ["AeroSol"], "es": 0.6, "weight": 1.2, "p_respond": 0.86, "p_other": 0.4, "delay_median_min": 18,
         "delay_sigma": 1.0, "business_only": False, "deflect_share": 0.25,
         "channels": {"dm": 0.7, "email": 0.3}, "canned_share": 0.5, "signoff": "-",
         "agents": ["Becky", "Dani", "Irene", "Tom"], "follower_bias": 0.0, "late_share": 0.01,
         "midnight_share": 0.04, "phone": "902 200 300"},
    {"id": "banco_pinar", "name": "Banco Pinar", "sector": "bank", "country": "MX",
         "timezone": "America/Mexico_City", "sla_minutes": 120,
         "business_hours": {"mon-fri": "09:00-14:00,16:00-20:00", "sat": "10:00-13:00"},
         "holidays": ["2026-09-16", "2026-11-02"], "x": ["bancopinar", "pinar_responde"],
         "blog": "Equipo Banco Pinar", "aliases": ["Banco Pinar", "BancoPinar"], "es": 0.95, "weight": 1.0,
         "p_respond": 0.62, "p_other": 0.2, "delay_median_min": 60, "delay_sigma": 1.2, "business_only": True,
         "deflect_share": 0.7, "channels": {"phone": 0.5, "store": 0.3, "dm": 0.2}, "canned_share": 0.75,
         "signoff": "*", "agents": ["AB", "CM", "RG"], "follower_bias": 0.0, "late_share": 0.02,
         "midnight_share": 0.0, "phone": "800 555 7466"},
    {"id": "lumena", "name": "Lumena Energía", "sector": "energy", "country": "ES", "timezone": "Europe/Madrid",
         "sla_minutes": 240, "business_hours": {"mon-sun": "08:00-22:00"}, "holidays": ["2026-12-25"],
         "x": ["lumena_energia"], "blog": None, "aliases": ["Lumena"], "es": 0.93, "weight": 0.9, "p_respond": 0.5,
         "p_other": 0.2, "delay_median_min": 240, "delay_sigma": 1.5, "business_only": False, "deflect_share": 0.35,
         "channels": {"email": 0.5, "web": 0.5}, "canned_share": 0.4, "signoff": "",
         "agents": [], "follower_bias": 0.15, "late_share": 0.03, "midnight_share": 0.03, "phone": "900 404 040"},
    {"id": "kestrel_mart", "name": "Kestrel Mart", "sector": "retail", "country": "US",
         "timezone": "America/New_York", "sla_minutes": 60,
         "business_hours": {"mon-fri": "08:00-20:00", "sat-sun": "10:00-18:00"},
         "holidays": ["2026-11-26", "2026-12-25"], "x": ["kestrelmart", "kestrel_care"],
         "blog": "Kestrel Mart Team", "aliases": ["Kestrel Mart", "KestrelMart"], "es": 0.08, "weight": 1.0,
         "p_respond": 0.56, "p_other": 0.25, "delay_median_min": 150, "delay_sigma": 1.6, "business_only": False,
         "deflect_share": 0.3, "channels": {"store": 0.4, "email": 0.4, "dm": 0.2}, "canned_share": 0.5,
         "signoff": "-", "agents": ["Becky", "Josh", "Maria", "Kevin"], "follower_bias": 0.0,
         "late_share": 0.03, "midnight_share": 0.02, "phone": "1-800-555-0142"},
    {"id": "orbilink", "name": "Orbilink", "sector": "telecom", "country": "US", "timezone": "America/New_York",
         "sla_minutes": 30, "business_hours": {"mon-sun": "07:00-24:00"}, "holidays": [],
         "x": ["orbilink_help"], "blog": None, "aliases": ["Orbilink"], "es": 0.1, "weight": 1.1,
         "p_respond": 0.9, "p_other": 0.5, "delay_median_min": 8, "delay_sigma": 0.9, "business_only": False,
         "deflect_share": 0.8, "channels": {"dm": 0.8, "phone": 0.2}, "canned_share": 0.8, "signoff": "-",
         "agents": ["Sam", "Jess", "Chris"], "follower_bias": 0.0, "late_share": 0.005,
         "midnight_share": 0.03, "phone": "1-800-555-0199"},
    {"id": "fennick_bank", "name": "Fennick Bank", "sector": "bank", "country": "US",
         "timezone": "America/New_York", "sla_minutes": 120, "business_hours": {"mon-fri": "09:00-17:00"},
         "holidays": ["2026-10-12", "2026-11-26"], "x": ["fennickbank"], "blog": None,
         "aliases": ["Fennick Bank", "Fennick"], "es": 0.05, "weight": 0.8, "p_respond": 0.5, "p_other": 0.15,
         "delay_median_min": 120, "delay_sigma": 1.2, "business_only": True, "deflect_share": 0.6,
         "channels": {"phone": 0.6, "web": 0.4}, "canned_share": 0.7, "signoff": "*", "agents": ["AB", "TW"],
         "follower_bias": 0.0, "late_share": 0.02, "midnight_share": 0.0, "phone": "1-800-555-0177"},
    {"id": "zentra", "name": "Zentra Power", "sector": "energy", "country": "US", "timezone": "America/Chicago",
         "sla_minutes": 240, "business_hours": {"mon-fri": "08:00-18:00"}, "holidays": [],
         "x": ["zentrapower"], "blog": None, "aliases": ["Zentra"], "es": 0.15, "weight": 0.7, "p_respond": 0.35,
         "p_other": 0.1, "delay_median_min": 600, "delay_sigma": 1.8, "business_only": False,
         "deflect_share": 0.4, "channels": {"phone": 0.5, "email": 0.5}, "canned_share": 0.5, "signoff": "",
         "agents": [], "follower_bias": 0.0, "late_share": 0.05, "midnight_share": 0.02, "phone": "1-800-555-0123"},
    {"id": "tiendas_olmo", "name": "Tiendas Olmo", "sector": "retail", "country": "MX",
         "timezone": "America/Mexico_City", "sla_minutes": 60,
         "business_hours": {"mon-sat": "10:00-21:00", "sun": "11:00-19:00"}, "holidays": ["2026-09-16"],
         "x": ["tiendasolmo"], "blog": "Tiendas Olmo", "aliases": ["Tiendas Olmo", "OlmoShop"], "es": 0.95,
         "weight": 0.9, "p_respond": 0.66, "p_other": 0.3, "delay_median_min": 45, "delay_sigma": 1.3,
         "business_only": False, "deflect_share": 0.3, "channels": {"store": 0.5, "dm": 0.5},
         "canned_share": 0.6, "signoff": "^", "agents": ["LG", "PM"], "follower_bias": 0.0, "late_share": 0.02,
         "midnight_share": 0.02, "phone": "800 555 6566"},
    {"id": "nubix", "name": "Nubix", "sector": "telecom", "country": "MX", "timezone": "America/Mexico_City",
         "sla_minutes": 60, "business_hours": {"mon-fri": "08:00-22:00", "sat-sun": "09:00-15:00"},
         "holidays": [], "x": ["nubix_mx", "nubix_ayuda"], "blog": None, "aliases": ["Nubix"], "es": 0.95,
         "weight": 1.0, "p_respond": 0.76, "p_other": 0.3, "delay_median_min": 30, "delay_sigma": 1.1,
         "business_only": False, "deflect_share": 0.5, "channels": {"dm": 0.5, "web": 0.5},
         "canned_share": 0.6, "signoff": "^", "agents": ["ER", "JM", "SV"], "follower_bias": 0.0,
         "late_share": 0.01, "midnight_share": 0.03, "phone": "800 555 6829"},
    {"id": "skyvora", "name": "Skyvora", "sector": "airline", "country": "US",
         "timezone": "America/Los_Angeles", "sla_minutes": 30, "business_hours": None, "holidays": [],
         "x": ["skyvora"], "blog": None, "aliases": ["Skyvora"], "es": 0.1, "weight": 0.9, "p_respond": 0.8,
         "p_other": 0.35, "delay_median_min": 25, "delay_sigma": 1.2, "business_only": False,
         "deflect_share": 0.35, "channels": {"dm": 0.6, "web": 0.4}, "canned_share": 0.5, "signoff": "-",
         "agents": ["Ana", "Mike", "Priya"], "follower_bias": 0.0, "late_share": 0.01, "midnight_share": 0.04,
         "phone": "1-800-555-0166"},
    {"id": "brezo", "name": "Brezo Moda", "sector": "retail", "country": "ES", "timezone": "Europe/Madrid",
         "sla_minutes": 120, "business_hours": {"mon-sat": "10:00-22:00"}, "holidays": ["2026-10-12"],
         "x": ["brezomoda"], "blog": None, "aliases": ["Brezo Moda", "BrezoModa"], "es": 0.95, "weight": 0.8,
         "p_respond": 0.5, "p_other": 0.2, "delay_median_min": 180, "delay_sigma": 1.4, "business_only": False,
         "deflect_share": 0.3, "channels": {"email": 0.5, "store": 0.5}, "canned_share": 0.5, "signoff": "",
         "agents": [], "follower_bias": 0.0, "late_share": 0.03, "midnight_share": 0.02, "phone": "902 100 200"},
]

#: A word each brand's id, name, aliases, handles, page and blog author names contain: replicas
#: rename it (pipelines.sample.replicate), and no customer name, handle or text contains one.
STEMS: dict[str, str] = {
    "telvia": "telvia", "aerosol": "aerosol", "banco_pinar": "pinar", "lumena": "lumena", "kestrel_mart": "kestrel",
    "orbilink": "orbilink", "fennick_bank": "fennick", "zentra": "zentra", "tiendas_olmo": "olmo", "nubix": "nubix",
    "skyvora": "skyvora", "brezo": "brezo",
}

#: Extra archive formats per brand: twcs author handle (listed in accounts.x), Bluesky
#: handle, Facebook page (id, name), Disqus blog author name (listed in accounts.blog).
FORMATS: dict[str, dict] = {
    "telvia": {"twcs": "TelviaSupport", "bluesky": "telvia.bsky.social"},
    "aerosol": {"bluesky": "aerosol.bsky.social"},
    "banco_pinar": {"facebook": ("104729384001000", "Banco Pinar")},
    "lumena": {"facebook": ("104729384002000", "Lumena Energía")},
    "kestrel_mart": {"twcs": "KestrelCare", "bluesky": "kestrelmart.bsky.social", "disqus": "Kestrel Mart Team"},
    "orbilink": {"disqus": "Orbilink Team"},
}
#: share of the message budget that goes to the extra formats (when the brands have any)

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

