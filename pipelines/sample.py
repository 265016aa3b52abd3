"""Seeded, deterministic sample archive generator: ``brandcare sample``.

``generate_sample(out, brands=6, days=60, seed=7, messages=None, end=date(2026, 11, 1))``
writes, under ``out/``:

- ``brands.yaml``: the brand registry (DESIGN.md format);
- ``x/search_<brand id|all>_<NNNN>.json``: X API v2 search pages, newest first, ~100 tweets a
  page, the last page of a series without ``next_token``. A brand's series holds the
  conversations of that brand; ``all`` holds tweets naming two brands, retweets (with the
  retweeted tweet repeated in ``includes.tweets``) and some malformed records;
- ``blog/<brand id>_wordpress.xml``: a WordPress WXR 1.2 export for brands with a blog;
- ``truth.json``: what was planted, as METRICS.md defines it (cases and monthly scorecards).

Everything comes from ``random.Random(seed)``: the same arguments give byte-identical files.
The data covers the ``days`` UTC days before ``end``; the newest message is a customer tweet
at ``end - 2 minutes`` (the data horizon); every other message is older than ``end - 3 min``.
A reply that would fall after that is simply not in the archive.

Truth is computed from the planted message graph and planted labels (intent of every customer
message, deflection of every brand reply, the brands each customer message addresses), never
by parsing the written files and never with pipeline code.

Planted behaviour (per brand, see ``BRANDS``)
------------------------------------------------
- ``p_respond``: response probability for actionable cases (complaint, question);
  ``p_other`` for praise/other. ``lumena`` favours large accounts: its probability rises by
  ``follower_bias`` per decade of followers (about 0.2 for <100 followers, 0.8 for >=100k),
  so its equity index is well below 1; the others answer everyone alike.
- response time: lognormal minutes (``delay_median_min``, ``delay_sigma``): minutes for
  aerosol/orbilink, hours for telvia/kestrel, up to days for zentra.
- ``business_only`` (banco_pinar, fennick_bank): replies that would fall in closed hours are
  posted shortly after the next opening (so off-hours cases wait for the morning).
- ``midnight_share``: replies posted between 00:00 and 01:00 local, one to three days later.
- ``late_share``: replies posted 7 days + 1 minute .. 10 days after the opening: outside the
  7-day window, so they do NOT count as responses (the case still exists).
- one case per brand answered at exactly ``opened_at + 7 days`` (inside the inclusive window,
  first_response_min = 10080.0) and one at ``opened_at + 7 days + 1 s`` (outside).
- ``deflect_share`` and ``channels``: brand replies that move the customer to DM/MD, phone
  (900/800 numbers), e-mail, a support form link (https://<brand>.example/ayuda|support) or a
  store, versus in-channel answers (which contain no handle-free number, e-mail, URL or DM).
- ``canned_share``: replies that are a bare template + agent sign-off (``^JK``, ``-Becky``,
  ``*AB``), reused many times a month; the rest start with a personal greeting.
- followers: log-uniform between ~3 and ~2M, so every band (<100, 100-999, 1k-9,999,
  10k-99,999, >=100k) has plenty of cases; a customer's follower count never changes.

Planted edge cases (X unless said otherwise)
--------------------------------------------
- brand announcement tweets with several customers replying to them: each customer is a case;
- customer follow-ups after a brand reply ("gracias, ya funciona", "still not working"), which
  may get a second brand reply (sometimes a deflection: the case is then deflected);
- tweetstorms: a customer replying to their own tweet without naming the brand (same case,
  not a mention); the brand then replies to the last tweet of the storm, and the response time
  still counts from the first tweet; unanswered customers nudging under their own tweet;
- customer tweets that name no brand but get a brand reply: cases, not mentions;
- tweets naming two brands (series ``all``): two cases;
- retweets ``RT @user: ...`` of customer complaints (``referenced_tweets: retweeted``):
  amplification only, never messages or cases;
- the same tweet twice: the oldest tweet of page 1 repeated at the top of page 2 of the first
  and last brand series (exact duplicate), and retweeted tweets repeated in ``includes.tweets``;
- malformed X records (quarantined, in no case and no count), each placed next to the tweet
  it was copied from: a tweet without ``id`` (first brand series, page 1), one with
  ``created_at: "not-a-date"`` (second brand series, page 2), one without ``author_id``
  (series ``all``, page 1);
- blog: customers commenting on a brand post (each commenter a case; the conversation is the
  post), brand replies (``wp:comment_parent`` = the customer's comment, author = the brand's
  blog author name), customer follow-ups to brand replies, customers answering other
  customers' comments (their own case); one comment per file with ``wp:comment_date_gmt``
  ``0000-00-00 00:00:00`` (quarantined).

truth.json
----------
``generator`` (the arguments), ``response_window_days``, ``data_horizon`` (newest created_at
of a valid message, retweets excluded), ``files`` (per archive file: format ``x_v2``/``wxr``,
``records_read`` = tweet objects in ``data`` + ``includes.tweets`` / WXR items + comments,
``records_quarantined``), ``cases`` (METRICS.md per-case fields) and ``scorecards_monthly``:
one row per brand, platform (``all``, ``x``, ``blog``) and local calendar month in which that
platform has at least one case or mention (``all``: any platform). Rows also carry
``amplification`` (retweets of messages addressing the brand, by the retweet's local month).
Equity: bands over actionable cases with a follower count, bands with >= 20 of them; NULL when
fewer than two qualify or when the highest band's response rate is 0. A case exists as soon as
the brand replied to the customer in the conversation, even if that reply is outside the
window (it is then a case that was not responded).

Ids: X messages ``x:<tweet id>`` (snowflake-like, increasing with time); blog posts
``blog:<wp:post_id>``, blog comments ``blog:c<wp:comment_id>``; post ids and comment ids are
unique across all WXR files (offset per brand). A blog conversation is ``blog:<post id>``;
a blog customer is identified by ``wp:comment_author``.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from pipelines import sample_texts as T

RESPONSE_WINDOW = timedelta(days=7)
PAGE_SIZE = 100
TWITTER_EPOCH_MS = 1288834974657
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_GREETING_RE = re.compile(r"^(¡Hola!|Hola,|Buenas,|Hi there!|Hi!|Hello!|Hi,)\s*")
BAND_EDGES = (100, 1_000, 10_000, 100_000)
EQUITY_MIN_CASES = 20
MSGS_PER_CASE = 2.0  # rough number of messages a planted case produces (for the budget)
DEFAULT_MESSAGES_PER_BRAND_DAY = 55

# --------------------------------------------------------------------------------------------
# Brands (registry fields + planted behaviour)
# --------------------------------------------------------------------------------------------

BRANDS: list[dict] = [
    dict(id="telvia", name="Telvia", sector="telecom", country="ES", timezone="Europe/Madrid",
         sla_minutes=60, business_hours={"mon-fri": "09:00-21:00", "sat": "10:00-14:00"},
         holidays=["2026-10-12", "2026-12-25"], x=["telvia", "telvia_ayuda"], blog="Equipo Telvia",
         aliases=["Telvia"], es=0.92, weight=1.3, p_respond=0.72, p_other=0.3, delay_median_min=95,
         delay_sigma=1.3, business_only=False, deflect_share=0.45,
         channels={"dm": 0.6, "phone": 0.2, "web": 0.2}, canned_share=0.6, signoff="^",
         agents=["JK", "MR", "LP", "AS"], follower_bias=0.0, late_share=0.02, midnight_share=0.03,
         phone="900 123 456"),
    dict(id="aerosol", name="AeroSol", sector="airline", country="ES", timezone="Europe/Madrid",
         sla_minutes=30, business_hours=None, holidays=[], x=["aerosol_es", "aerosol_help"], blog=None,
         aliases=["AeroSol"], es=0.6, weight=1.2, p_respond=0.86, p_other=0.4, delay_median_min=18,
         delay_sigma=1.0, business_only=False, deflect_share=0.25,
         channels={"dm": 0.7, "email": 0.3}, canned_share=0.5, signoff="-",
         agents=["Becky", "Dani", "Irene", "Tom"], follower_bias=0.0, late_share=0.01,
         midnight_share=0.04, phone="902 200 300"),
    dict(id="banco_pinar", name="Banco Pinar", sector="bank", country="MX",
         timezone="America/Mexico_City", sla_minutes=120,
         business_hours={"mon-fri": "09:00-14:00,16:00-20:00", "sat": "10:00-13:00"},
         holidays=["2026-09-16", "2026-11-02"], x=["bancopinar", "pinar_responde"],
         blog="Equipo Banco Pinar", aliases=["Banco Pinar", "BancoPinar"], es=0.95, weight=1.0,
         p_respond=0.62, p_other=0.2, delay_median_min=60, delay_sigma=1.2, business_only=True,
         deflect_share=0.7, channels={"phone": 0.5, "store": 0.3, "dm": 0.2}, canned_share=0.75,
         signoff="*", agents=["AB", "CM", "RG"], follower_bias=0.0, late_share=0.02,
         midnight_share=0.0, phone="800 555 7466"),
    dict(id="lumena", name="Lumena Energía", sector="energy", country="ES", timezone="Europe/Madrid",
         sla_minutes=240, business_hours={"mon-sun": "08:00-22:00"}, holidays=["2026-12-25"],
         x=["lumena_energia"], blog=None, aliases=["Lumena"], es=0.93, weight=0.9, p_respond=0.5,
         p_other=0.2, delay_median_min=240, delay_sigma=1.5, business_only=False, deflect_share=0.35,
         channels={"email": 0.5, "web": 0.5}, canned_share=0.4, signoff="",
         agents=[], follower_bias=0.15, late_share=0.03, midnight_share=0.03, phone="900 404 040"),
    dict(id="kestrel_mart", name="Kestrel Mart", sector="retail", country="US",
         timezone="America/New_York", sla_minutes=60,
         business_hours={"mon-fri": "08:00-20:00", "sat-sun": "10:00-18:00"},
         holidays=["2026-11-26", "2026-12-25"], x=["kestrelmart", "kestrel_care"],
         blog="Kestrel Mart Team", aliases=["Kestrel Mart", "KestrelMart"], es=0.08, weight=1.0,
         p_respond=0.56, p_other=0.25, delay_median_min=150, delay_sigma=1.6, business_only=False,
         deflect_share=0.3, channels={"store": 0.4, "email": 0.4, "dm": 0.2}, canned_share=0.5,
         signoff="-", agents=["Becky", "Josh", "Maria", "Kevin"], follower_bias=0.0,
         late_share=0.03, midnight_share=0.02, phone="1-800-555-0142"),
    dict(id="orbilink", name="Orbilink", sector="telecom", country="US", timezone="America/New_York",
         sla_minutes=30, business_hours={"mon-sun": "07:00-24:00"}, holidays=[],
         x=["orbilink_help"], blog=None, aliases=["Orbilink"], es=0.1, weight=1.1,
         p_respond=0.9, p_other=0.5, delay_median_min=8, delay_sigma=0.9, business_only=False,
         deflect_share=0.8, channels={"dm": 0.8, "phone": 0.2}, canned_share=0.8, signoff="-",
         agents=["Sam", "Jess", "Chris"], follower_bias=0.0, late_share=0.005,
         midnight_share=0.03, phone="1-800-555-0199"),
    dict(id="fennick_bank", name="Fennick Bank", sector="bank", country="US",
         timezone="America/New_York", sla_minutes=120, business_hours={"mon-fri": "09:00-17:00"},
         holidays=["2026-10-12", "2026-11-26"], x=["fennickbank"], blog=None,
         aliases=["Fennick Bank", "Fennick"], es=0.05, weight=0.8, p_respond=0.5, p_other=0.15,
         delay_median_min=120, delay_sigma=1.2, business_only=True, deflect_share=0.6,
         channels={"phone": 0.6, "web": 0.4}, canned_share=0.7, signoff="*", agents=["AB", "TW"],
         follower_bias=0.0, late_share=0.02, midnight_share=0.0, phone="1-800-555-0177"),
    dict(id="zentra", name="Zentra Power", sector="energy", country="US", timezone="America/Chicago",
         sla_minutes=240, business_hours={"mon-fri": "08:00-18:00"}, holidays=[],
         x=["zentrapower"], blog=None, aliases=["Zentra"], es=0.15, weight=0.7, p_respond=0.35,
         p_other=0.1, delay_median_min=600, delay_sigma=1.8, business_only=False,
         deflect_share=0.4, channels={"phone": 0.5, "email": 0.5}, canned_share=0.5, signoff="",
         agents=[], follower_bias=0.0, late_share=0.05, midnight_share=0.02, phone="1-800-555-0123"),
    dict(id="tiendas_olmo", name="Tiendas Olmo", sector="retail", country="MX",
         timezone="America/Mexico_City", sla_minutes=60,
         business_hours={"mon-sat": "10:00-21:00", "sun": "11:00-19:00"}, holidays=["2026-09-16"],
         x=["tiendasolmo"], blog="Tiendas Olmo", aliases=["Tiendas Olmo", "OlmoShop"], es=0.95,
         weight=0.9, p_respond=0.66, p_other=0.3, delay_median_min=45, delay_sigma=1.3,
         business_only=False, deflect_share=0.3, channels={"store": 0.5, "dm": 0.5},
         canned_share=0.6, signoff="^", agents=["LG", "PM"], follower_bias=0.0, late_share=0.02,
         midnight_share=0.02, phone="800 555 6566"),
    dict(id="nubix", name="Nubix", sector="telecom", country="MX", timezone="America/Mexico_City",
         sla_minutes=60, business_hours={"mon-fri": "08:00-22:00", "sat-sun": "09:00-15:00"},
         holidays=[], x=["nubix_mx", "nubix_ayuda"], blog=None, aliases=["Nubix"], es=0.95,
         weight=1.0, p_respond=0.76, p_other=0.3, delay_median_min=30, delay_sigma=1.1,
         business_only=False, deflect_share=0.5, channels={"dm": 0.5, "web": 0.5},
         canned_share=0.6, signoff="^", agents=["ER", "JM", "SV"], follower_bias=0.0,
         late_share=0.01, midnight_share=0.03, phone="800 555 6829"),
    dict(id="skyvora", name="Skyvora", sector="airline", country="US",
         timezone="America/Los_Angeles", sla_minutes=30, business_hours=None, holidays=[],
         x=["skyvora"], blog=None, aliases=["Skyvora"], es=0.1, weight=0.9, p_respond=0.8,
         p_other=0.35, delay_median_min=25, delay_sigma=1.2, business_only=False,
         deflect_share=0.35, channels={"dm": 0.6, "web": 0.4}, canned_share=0.5, signoff="-",
         agents=["Ana", "Mike", "Priya"], follower_bias=0.0, late_share=0.01, midnight_share=0.04,
         phone="1-800-555-0166"),
    dict(id="brezo", name="Brezo Moda", sector="retail", country="ES", timezone="Europe/Madrid",
         sla_minutes=120, business_hours={"mon-sat": "10:00-22:00"}, holidays=["2026-10-12"],
         x=["brezomoda"], blog=None, aliases=["Brezo Moda", "BrezoModa"], es=0.95, weight=0.8,
         p_respond=0.5, p_other=0.2, delay_median_min=180, delay_sigma=1.4, business_only=False,
         deflect_share=0.3, channels={"email": 0.5, "store": 0.5}, canned_share=0.5, signoff="",
         agents=[], follower_bias=0.0, late_share=0.03, midnight_share=0.02, phone="902 100 200"),
]

INTENT_WEIGHTS = {"complaint": 0.45, "question": 0.27, "praise": 0.14, "other": 0.14}
#: Relative traffic by local hour (rejection sampling).
HOUR_WEIGHT = [0.12, 0.08, 0.06, 0.05, 0.05, 0.08, 0.2, 0.45, 0.7, 0.9, 1.0, 1.0, 1.0, 0.95,
               0.9, 0.9, 0.95, 1.0, 1.0, 1.0, 0.95, 0.8, 0.55, 0.3]


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _fmt_z(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fmt_x(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


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
        """Whether ``dt`` falls in the brand's business hours (METRICS.md)."""
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


@dataclass
class Customer:
    uid: str
    handle: str
    name: str
    first: str
    lang: str
    followers: int


@dataclass
class Msg:
    mid: str
    platform: str
    native: str
    conv: str
    parent: str | None
    author: str  # X user id / blog author name
    created: datetime
    text: str
    lang: str
    series: str
    brand: str | None = None  # brand id of a brand message
    addresses: tuple[str, ...] = ()
    intent: str | None = None
    deflection: str | None = None
    kind: str = "post"
    reposted: str | None = None
    in_reply_to_user: str | None = None
    metrics: dict | None = None
    title: str | None = None  # blog posts
    email: str | None = None  # blog comments


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


class _Gen:
    def __init__(self, brands: int, days: int, seed: int, messages: int | None, end: date) -> None:
        if not 1 <= brands <= len(BRANDS):
            raise ValueError(f"brands must be 1..{len(BRANDS)}")
        if days < 1:
            raise ValueError("days must be >= 1")
        self.rng = random.Random(seed)
        self.days = days
        self.end = datetime.combine(end, time(0), tzinfo=UTC)
        self.start = self.end - timedelta(days=days)
        self.limit = self.end - timedelta(minutes=3)  # everything but the horizon tweet is older
        self.brands = [Brand(dict(spec), i) for i, spec in enumerate(BRANDS[:brands])]
        self.by_id = {b.id: b for b in self.brands}
        budget = messages if messages is not None else DEFAULT_MESSAGES_PER_BRAND_DAY * brands * days
        self.budget = max(50, int(budget))
        self.msgs: dict[str, Msg] = {}
        self.order: list[str] = []
        self.users: dict[str, dict] = {}  # X user id -> user object
        self.handle_ids: dict[str, str] = {}  # lower handle -> X user id
        self.seq = 0
        self.used_user_ids: set[str] = set()
        self.customers: dict[str, list[Customer]] = {"es": [], "en": []}
        self._make_brand_accounts()
        self._make_customers()

    # ---- ids and accounts ----------------------------------------------------------------

    def _user_id(self) -> str:
        while True:
            uid = str(self.rng.randrange(10**7, 10**18))
            if uid not in self.used_user_ids:
                self.used_user_ids.add(uid)
                return uid

    def _tweet_id(self, created: datetime) -> str:
        self.seq += 1
        ms = int(created.timestamp()) * 1000 + self.rng.randrange(1000) - TWITTER_EPOCH_MS
        return str((ms << 22) | (self.seq % (1 << 22)))

    def _make_brand_accounts(self) -> None:
        for b in self.brands:
            for handle in b.x:
                uid = self._user_id()
                b.user_ids[handle] = uid
                self.handle_ids[handle.lower()] = uid
                self.users[uid] = {
                    "id": uid, "username": handle, "name": b.name,
                    "public_metrics": {"followers_count": self.rng.randrange(20_000, 900_000),
                                       "following_count": self.rng.randrange(10, 3000),
                                       "tweet_count": self.rng.randrange(10_000, 500_000)},
                }

    def _make_customers(self) -> None:
        rng = self.rng
        est_cases = self.budget / MSGS_PER_CASE
        share_es = sum(b.es * b.weight for b in self.brands) / sum(b.weight for b in self.brands)
        taken = set(self.handle_ids)
        for lang, share in (("es", share_es), ("en", 1 - share_es)):
            n = max(40, int(est_cases * share / 2.5))
            for _ in range(n):
                first = rng.choice(T.FIRST_NAMES[lang])
                last = rng.choice(T.LAST_NAMES[lang])
                while True:
                    base = _fold(rng.choice([f"{first}{last}", f"{first}_{last}", f"{first[0]}{last}",
                                             f"{first}{last[0]}", f"{last}{first}"])).lower()
                    if rng.random() < 0.6:
                        base += str(rng.randrange(1, 1000))
                    if base not in taken:
                        taken.add(base)
                        break
                followers = max(3, int(10 ** rng.uniform(0.5, 6.3)))
                uid = self._user_id()
                cust = Customer(uid, base, f"{first} {last}", first, lang, followers)
                self.customers[lang].append(cust)
                self.handle_ids[base] = uid
                self.users[uid] = {
                    "id": uid, "username": base, "name": cust.name,
                    "public_metrics": {"followers_count": followers,
                                       "following_count": rng.randrange(10, 2000),
                                       "tweet_count": rng.randrange(50, 80_000)},
                }

    def _customer(self, brand: Brand) -> Customer:
        lang = "es" if self.rng.random() < brand.es else "en"
        return self.rng.choice(self.customers[lang])

    # ---- messages --------------------------------------------------------------------------

    def _add(self, m: Msg) -> Msg:
        assert m.mid not in self.msgs
        self.msgs[m.mid] = m
        self.order.append(m.mid)
        return m

    def _metrics(self, followers: int) -> dict:
        rng = self.rng
        scale = max(1.0, math.log10(max(followers, 1)))
        return {"retweet_count": int(rng.random() * scale), "reply_count": rng.randrange(0, 3),
                "like_count": int(rng.random() * scale * 3), "quote_count": 0}

    def _tweet(self, *, author: str, created: datetime, text: str, lang: str, series: str,
               parent: Msg | None = None, brand: str | None = None, addresses: tuple = (),
               intent: str | None = None, deflection: str | None = None,
               in_reply_to_user: str | None = None) -> Msg:
        native = self._tweet_id(created)
        conv = parent.conv if parent else f"x:{native}"
        followers = self.users[author]["public_metrics"]["followers_count"]
        return self._add(Msg(
            mid=f"x:{native}", platform="x", native=native, conv=conv,
            parent=parent.mid if parent else None, author=author, created=created, text=text,
            lang=lang, series=series, brand=brand, addresses=addresses, intent=intent,
            deflection=deflection,
            in_reply_to_user=in_reply_to_user if in_reply_to_user else (parent.author if parent else None),
            metrics=self._metrics(followers)))

    # ---- time ----------------------------------------------------------------------------------

    def _opening_time(self, brand: Brand, day_start: datetime) -> datetime:
        rng = self.rng
        while True:
            t = day_start + timedelta(seconds=rng.randrange(86400))
            if rng.random() < HOUR_WEIGHT[t.astimezone(brand.tz).hour]:
                return t

    def _reply_time(self, brand: Brand, opened: datetime, after: datetime) -> datetime:
        """When the brand answers a case opened at ``opened`` (replying to a message at ``after``)."""
        rng = self.rng
        r = rng.random()
        if r < brand.late_share:
            return opened + RESPONSE_WINDOW + timedelta(seconds=rng.randrange(60, 3 * 86400))
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

    def _template(self, lang: str, sector: str, intent: str) -> str:
        pool = T.CUSTOMER[lang][sector].get(intent, []) + T.CUSTOMER[lang]["*"].get(intent, [])
        return self.rng.choice(pool)

    def _brand_ref(self, brand: Brand) -> str:
        r = self.rng.random()
        if r < 0.5:
            return "@" + brand.x[0]
        if r < 0.7:
            return "@" + brand.x[-1]
        return self.rng.choice(brand.aliases)

    def _reply_body(self, brand: Brand, cust_first: str, lang: str, category: str,
                    deflect: str | None) -> str:
        rng = self.rng
        if deflect:
            body = rng.choice(T.DEFLECTION[lang][deflect]).format(
                phone=brand.phone,
                email=("soporte@" if lang == "es" else "help@") + brand.domain,
                url=f"https://{brand.domain}/" + ("ayuda" if lang == "es" else "support"))
        else:
            body = rng.choice(T.IN_CHANNEL[lang][category])
        if rng.random() >= brand.canned_share:
            greeting = rng.choice(T.GREETING[lang]).format(first=cust_first)
            body = _GREETING_RE.sub("", body)
            if body[:2].isalpha() and not greeting.rstrip().endswith((".", "!")):
                body = body[0].lower() + body[1:]
            body = greeting + body
        if brand.signoff:
            body += f" {brand.signoff}{rng.choice(brand.agents)}"
        return body

    def _deflect(self, brand: Brand, boost: float = 1.0) -> str | None:
        if self.rng.random() < min(0.95, brand.deflect_share * boost):
            return _pick(self.rng, brand.channels)
        return None

    def _p_respond(self, brand: Brand, intent: str, followers: int | None) -> float:
        p = brand.p_respond if intent in ("complaint", "question") else brand.p_other
        if brand.follower_bias and followers is not None:
            p = brand.p_respond + brand.follower_bias * (math.log10(followers) - 3.0)
        return min(0.98, max(0.03, p))

    # ---- X cases -------------------------------------------------------------------------------

    def _x_case(self, brand: Brand, t: datetime, *, mode: str = "direct", parent: Msg | None = None,
                intent: str | None = None, cust: Customer | None = None, force_reply: timedelta | None = None,
                series: str | None = None, storm: bool = False) -> Msg | None:
        rng = self.rng
        if t >= self.limit:
            return None
        cust = cust or self._customer(brand)
        lang = cust.lang
        series = series or brand.id
        intent = intent or _pick(rng, INTENT_WEIGHTS)
        if mode == "unnamed":
            intent = "complaint"
            text = rng.choice(T.CUSTOMER[lang][brand.sector]["unnamed"])
            addresses: tuple = ()
        elif mode == "announce_reply":
            handle = self.users[parent.author]["username"]
            text = f"@{handle} " + self._template(lang, brand.sector, intent).format(b=rng.choice(brand.aliases))
            addresses = (brand.id,)
        else:
            text = self._template(lang, brand.sector, intent).format(b=self._brand_ref(brand))
            addresses = (brand.id,)
        opening = self._tweet(author=cust.uid, created=t, text=text, lang=lang, series=series,
                              parent=parent, addresses=addresses, intent=intent)
        target = opening
        if storm:
            for _ in range(rng.randint(1, 2)):
                ts = target.created + timedelta(seconds=rng.randrange(40, 400))
                if ts >= self.limit:
                    break
                target = self._tweet(author=cust.uid, created=ts, text=rng.choice(T.STORM[lang]),
                                     lang=lang, series=series, parent=target,
                                     intent="complaint", in_reply_to_user=cust.uid)
        self._x_answer(brand, cust, opening, target, intent, series, mode == "unnamed", force_reply)
        return opening

    def _x_answer(self, brand: Brand, cust: Customer, opening: Msg, target: Msg, intent: str,
                  series: str, always: bool, force_reply: timedelta | None) -> None:
        rng = self.rng
        lang = cust.lang
        if force_reply is not None:
            when = opening.created + force_reply
        elif always or rng.random() < self._p_respond(brand, intent, cust.followers):
            when = self._reply_time(brand, opening.created, target.created)
        else:
            when = None
        if when is not None and when <= target.created:
            when = target.created + timedelta(seconds=rng.randrange(30, 300))
        if when is None or when >= self.limit:
            if intent in ("complaint", "question") and rng.random() < 0.12:
                tn = target.created + timedelta(seconds=rng.randrange(2 * 3600, 20 * 3600))
                if tn < self.limit:
                    self._tweet(author=cust.uid, created=tn, lang=lang, series=series, parent=target,
                                text=rng.choice(T.NUDGE[lang]).format(b="@" + brand.x[0]),
                                addresses=(brand.id,), intent="complaint", in_reply_to_user=cust.uid)
            return
        handle = brand.x[-1]
        deflect = self._deflect(brand)
        reply = self._tweet(author=brand.user_ids[handle], created=when, lang=lang, series=series,
                            parent=target, brand=brand.id, deflection=deflect,
                            text=f"@{cust.handle} " + self._reply_body(brand, cust.first, lang, intent, deflect))
        # customer follow-up
        if rng.random() >= (0.4 if intent in ("complaint", "question") else 0.1):
            return
        kind = _pick(rng, {"thanks": 0.4, "still": 0.4, "question": 0.2} if deflect
                     else {"thanks": 0.55, "still": 0.35, "question": 0.1})
        tf = when + timedelta(seconds=int(60 * max(2.0, 40 * math.exp(1.5 * rng.gauss(0, 1)))))
        if tf >= self.limit:
            return
        follow = self._tweet(author=cust.uid, created=tf, lang=lang, series=series, parent=reply,
                             text=f"@{handle} " + rng.choice(T.FOLLOW_UP[lang][kind]),
                             addresses=(brand.id,),
                             intent={"thanks": "praise", "still": "complaint", "question": "question"}[kind])
        if kind == "thanks" or rng.random() >= 0.6:
            return
        when2 = self._reply_time(brand, opening.created, follow.created)
        if when2 <= follow.created:
            when2 = follow.created + timedelta(seconds=rng.randrange(30, 300))
        if when2 >= self.limit:
            return
        deflect2 = self._deflect(brand, 1.3)
        self._tweet(author=brand.user_ids[handle], created=when2, lang=lang, series=series, parent=follow,
                    brand=brand.id, deflection=deflect2,
                    text=f"@{cust.handle} " + self._reply_body(brand, cust.first, lang, "still", deflect2))

    def _brand_lang(self, brand: Brand) -> str:
        return "es" if brand.es >= 0.5 else "en"

    def _generate_x(self) -> None:
        rng = self.rng
        blog_share = 0.08 if any(b.blog for b in self.brands) else 0.0
        x_cases = self.budget * (1 - blog_share) / MSGS_PER_CASE
        total_w = sum(b.weight for b in self.brands)
        for brand in self.brands:
            lam = x_cases * brand.weight / total_w / self.days
            edges_planted = 0
            for d in range(self.days):
                day_start = self.start + timedelta(days=d)
                weekday = day_start.weekday()
                n = int(lam * (0.8 if weekday >= 5 else 1.05) * rng.uniform(0.8, 1.2) + rng.random())
                # share of the day's budget that goes to customers answering a brand announcement
                if d % 3 == 1 and n > 4:
                    ann_t = self._opening_time(brand, day_start)
                    while not brand.is_open(ann_t) and ann_t.astimezone(brand.tz).hour < 8:
                        ann_t = self._opening_time(brand, day_start)
                    lang = self._brand_lang(brand)
                    _title, body = rng.choice(T.ANNOUNCEMENT[lang])
                    if ann_t < self.limit:
                        ann = self._tweet(author=brand.user_ids[brand.x[0]], created=ann_t, text=body,
                                          lang=lang, series=brand.id, brand=brand.id)
                        k = min(n // 2, rng.randint(2, 6))
                        n -= k
                        seen: set[str] = set()
                        for _ in range(k):
                            cust = self._customer(brand)
                            if cust.uid in seen:
                                continue
                            seen.add(cust.uid)
                            t = ann_t + timedelta(seconds=int(rng.expovariate(1 / 7200)) + 60)
                            self._x_case(brand, t, mode="announce_reply", parent=ann, cust=cust)
                for _ in range(n):
                    t = self._opening_time(brand, day_start)
                    if edges_planted < 2 and d >= min(2, self.days - 1) and t + RESPONSE_WINDOW + timedelta(days=1) < self.limit:
                        # exactly at the window's end (inside) and one second after (outside)
                        force = RESPONSE_WINDOW + timedelta(seconds=edges_planted)
                        self._x_case(brand, t, intent="complaint", force_reply=force)
                        edges_planted += 1
                        continue
                    r = rng.random()
                    if r < 0.04:
                        self._x_case(brand, t, mode="unnamed")
                    elif r < 0.09:
                        self._x_case(brand, t, intent=rng.choice(["complaint", "complaint", "question"]), storm=True)
                    else:
                        self._x_case(brand, t)

    def _generate_cross(self) -> None:
        """Tweets naming two brands, retweets, and the horizon tweet."""
        rng = self.rng
        if len(self.brands) >= 2:
            for i in range(min(10, 2 * (len(self.brands) - 1))):
                b1 = self.brands[i % len(self.brands)]
                b2 = self.brands[(i + 1) % len(self.brands)]
                lang = self._brand_lang(b1)
                cust = rng.choice(self.customers[lang])
                intent = rng.choice(["complaint", "question"])
                t = self._opening_time(b1, self.start + timedelta(days=rng.randrange(self.days)))
                if t >= self.limit:
                    continue
                text = rng.choice(T.TWO_BRANDS[lang][intent]).format(b1="@" + b1.x[0], b2="@" + b2.x[0])
                opening = self._tweet(author=cust.uid, created=t, text=text, lang=lang, series="all",
                                      addresses=(b1.id, b2.id), intent=intent)
                for b in (b1, b2):
                    self._x_answer(b, cust, opening, opening, intent, "all", False, None)
        # retweets of customer complaints addressing a brand
        openings = [m for m in (self.msgs[k] for k in self.order)
                    if m.platform == "x" and m.brand is None and m.intent == "complaint" and m.addresses
                    and m.parent is None]
        n_rt = max(2, min(40, len(openings) // 60))
        for m in rng.sample(openings, min(n_rt, len(openings))):
            t = m.created + timedelta(seconds=rng.randrange(300, 86400))
            if t >= self.end - timedelta(days=1):  # keep retweets inside months that have cases
                continue
            orig_handle = self.users[m.author]["username"]
            rter = rng.choice(self.customers[m.lang])
            if rter.uid == m.author:
                continue
            native = self._tweet_id(t)
            self._add(Msg(mid=f"x:{native}", platform="x", native=native, conv=f"x:{native}", parent=None,
                          author=rter.uid, created=t, text=f"RT @{orig_handle}: {m.text}", lang=m.lang,
                          series="all", kind="repost", reposted=m.mid,
                          metrics={"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0}))
        # the horizon: a question at end - 2 minutes
        b = self.brands[0]
        cust = rng.choice(self.customers[self._brand_lang(b)])
        text = self._template(cust.lang, b.sector, "question").format(b="@" + b.x[0])
        self._tweet(author=cust.uid, created=self.end - timedelta(minutes=2), text=text, lang=cust.lang,
                    series=b.id, addresses=(b.id,), intent="question")

    # ---- blog ------------------------------------------------------------------------------------

    def _generate_blog(self) -> None:
        rng = self.rng
        blog_brands = [b for b in self.brands if b.blog]
        if not blog_brands:
            return
        n_posts = max(2, self.days // 4)
        comments_total = self.budget * 0.08 / 1.6
        per_post = comments_total / (len(blog_brands) * n_posts)
        self.blog_bad: dict[str, Msg] = {}
        for brand in blog_brands:
            lang = self._brand_lang(brand)
            post_seq = 0
            comment_seq = 0

            def comment_id(base: int = (brand.index + 1) * 100_000) -> str:
                nonlocal comment_seq
                comment_seq += 1
                return str(base + comment_seq)

            for k in range(n_posts):
                day = int(k * self.days / n_posts)
                local_day = (self.start + timedelta(days=day, hours=12)).astimezone(brand.tz).date()
                pt = datetime.combine(local_day, time(10, 0), tzinfo=brand.tz).astimezone(UTC)
                pt += timedelta(seconds=rng.randrange(0, 3 * 3600))
                if pt < self.start or pt >= self.limit:
                    continue
                post_seq += 1
                pid = str((brand.index + 1) * 1000 + post_seq)
                title, body = rng.choice(T.ANNOUNCEMENT[lang])
                post = self._add(Msg(mid=f"blog:{pid}", platform="blog", native=pid, conv=f"blog:{pid}",
                                     parent=None, author=brand.blog, created=pt, text=body, lang=lang,
                                     series=brand.id, brand=brand.id, title=title))
                names: set[str] = set()
                customers: list[Msg] = []
                n_comments = int(per_post * rng.uniform(0.5, 1.5) + rng.random())
                for _ in range(n_comments):
                    first = rng.choice(T.FIRST_NAMES[lang])
                    name = f"{first} {rng.choice(T.LAST_NAMES[lang])}"
                    if rng.random() < 0.3:
                        name = f"{first} {name.split()[1][0]}."
                    if name in names or name == brand.blog:
                        continue
                    names.add(name)
                    ct = pt + timedelta(seconds=300 + int(rng.expovariate(1 / (20 * 3600))))
                    if ct >= self.limit:
                        continue
                    intent = _pick(rng, INTENT_WEIGHTS)
                    parent = post
                    if customers and rng.random() < 0.08:  # answering another customer's comment
                        parent = rng.choice(customers)
                        if parent.created >= ct:
                            parent = post
                    text = self._template(lang, brand.sector, intent).format(b=rng.choice(brand.aliases))
                    email = _fold(name).lower().replace(" ", ".").replace("..", ".").rstrip(".") + "@correo.example"
                    cm = self._add(Msg(mid=f"blog:c{(cid := comment_id())}", platform="blog", native=cid,
                                       conv=post.conv, parent=parent.mid if parent is not post else None,
                                       author=name, created=ct, text=text, lang=lang, series=brand.id,
                                       addresses=(brand.id,), intent=intent, email=email))
                    customers.append(cm)
                    self._blog_answer(brand, first, cm, intent, comment_id)
            # one comment with a zero date: quarantined by the pipeline
            cid = comment_id()
            last_post = next((self.msgs[k] for k in reversed(self.order)
                              if self.msgs[k].platform == "blog" and self.msgs[k].brand == brand.id
                              and self.msgs[k].parent is None and self.msgs[k].title), None)
            if last_post is not None:
                self.blog_bad[brand.id] = Msg(
                    mid=f"blog:c{cid}", platform="blog", native=cid, conv=last_post.conv, parent=None,
                    author="Borrador", created=last_post.created, text=self._template(lang, brand.sector, "complaint").format(b=brand.aliases[0]),
                    lang=lang, series=brand.id, email="borrador@correo.example")

    def _blog_answer(self, brand: Brand, first: str, cm: Msg, intent: str, comment_id) -> None:
        rng = self.rng
        if rng.random() >= self._p_respond(brand, intent, None) * 0.9:
            return
        when = self._reply_time(brand, cm.created, cm.created)
        if when <= cm.created:
            when = cm.created + timedelta(seconds=rng.randrange(30, 300))
        if when >= self.limit:
            return
        deflect = self._deflect(brand)
        cid = comment_id()
        reply = self._add(Msg(mid=f"blog:c{cid}", platform="blog", native=cid, conv=cm.conv, parent=cm.mid,
                              author=brand.blog, created=when, lang=cm.lang, series=brand.id, brand=brand.id,
                              deflection=deflect, email=f"blog@{brand.domain}",
                              text=self._reply_body(brand, first, cm.lang, intent, deflect)))
        if intent in ("complaint", "question") and rng.random() < 0.35:
            kind = _pick(rng, {"thanks": 0.5, "still": 0.4, "question": 0.1})
            tf = when + timedelta(seconds=rng.randrange(600, 2 * 86400))
            if tf >= self.limit:
                return
            text = rng.choice(T.FOLLOW_UP[cm.lang][kind])
            cid = comment_id()
            self._add(Msg(mid=f"blog:c{cid}", platform="blog", native=cid, conv=cm.conv, parent=reply.mid,
                          author=cm.author, created=tf, lang=cm.lang, series=brand.id, addresses=(brand.id,),
                          text=text[0].upper() + text[1:], email=cm.email,
                          intent={"thanks": "praise", "still": "complaint", "question": "question"}[kind]))

    # ---- writing ---------------------------------------------------------------------------------

    def _tweet_obj(self, m: Msg) -> dict:
        d: dict = {"id": m.native, "text": m.text, "edit_history_tweet_ids": [m.native],
                   "author_id": m.author, "created_at": _fmt_x(m.created),
                   "conversation_id": m.conv.split(":", 1)[1], "lang": m.lang}
        if m.in_reply_to_user:
            d["in_reply_to_user_id"] = m.in_reply_to_user
        refs = []
        if m.parent:
            refs.append({"type": "replied_to", "id": self.msgs[m.parent].native})
        if m.reposted:
            refs.append({"type": "retweeted", "id": self.msgs[m.reposted].native})
        if refs:
            d["referenced_tweets"] = refs
        mentions = []
        pos = 0
        text = m.text
        while (i := text.find("@", pos)) >= 0:
            j = i + 1
            while j < len(text) and (text[j].isalnum() or text[j] == "_") and text[j].isascii():
                j += 1
            handle = text[i + 1:j]
            uid = self.handle_ids.get(handle.lower())
            if uid and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
                mentions.append({"start": i, "end": j, "username": self.users[uid]["username"], "id": uid})
            pos = j
        if mentions:
            d["entities"] = {"mentions": mentions}
        d["public_metrics"] = m.metrics
        return d

    def _write_x(self, out: Path) -> dict[str, dict]:
        rng = self.rng
        series: dict[str, list[Msg]] = {}
        for k in self.order:
            m = self.msgs[k]
            if m.platform == "x":
                series.setdefault(m.series, []).append(m)
        names = [b.id for b in self.brands if b.id in series] + (["all"] if "all" in series else [])
        files: dict[str, dict] = {}
        bad_targets = {
            "no_id": names[0],
            "bad_date": names[1] if len(names) > 1 and names[1] != "all" else names[0],
            "no_author": "all" if "all" in series else names[-1],
        }
        dup_series = {names[0], [n for n in names if n != "all"][-1]}
        (out / "x").mkdir(parents=True, exist_ok=True)
        for name in names:
            msgs = sorted(series[name], key=lambda m: (m.created, int(m.native)), reverse=True)
            pages = [msgs[i:i + PAGE_SIZE] for i in range(0, len(msgs), PAGE_SIZE)]
            page_objs: list[list[dict]] = [[self._tweet_obj(m) for m in p] for p in pages]
            page_includes: list[list[dict]] = [[] for _ in pages]
            page_bad = [0 for _ in pages]
            for pi, p in enumerate(pages):
                for m in p:
                    if m.reposted:
                        page_includes[pi].append(self._tweet_obj(self.msgs[m.reposted]))
            if name in dup_series and len(page_objs) >= 2:
                page_objs[1].insert(0, json.loads(json.dumps(page_objs[0][-1])))
            for kind, target in bad_targets.items():
                if target != name:
                    continue
                pi = 1 if kind == "bad_date" and len(pages) > 1 else 0
                src = pages[pi][min(len(pages[pi]) - 1, 5)]
                obj = self._tweet_obj(src)
                if kind == "no_id":
                    del obj["id"]
                    obj["edit_history_tweet_ids"] = []
                else:
                    nid = self._tweet_id(src.created)
                    obj["id"] = nid
                    obj["edit_history_tweet_ids"] = [nid]
                    obj["conversation_id"] = nid
                    obj.pop("in_reply_to_user_id", None)
                    obj.pop("referenced_tweets", None)
                    if kind == "bad_date":
                        obj["created_at"] = "not-a-date"
                    else:
                        del obj["author_id"]
                pos = next(i for i, o in enumerate(page_objs[pi]) if o.get("id") == src.native)
                page_objs[pi].insert(pos + rng.randrange(2), obj)  # next to its source: order kept
                page_bad[pi] += 1
            for pi, objs in enumerate(page_objs):
                fname = f"x/search_{name}_{pi + 1:04d}.json"
                authors: list[str] = []
                for o in objs + page_includes[pi]:
                    a = o.get("author_id")
                    if a and a not in authors:
                        authors.append(a)
                ids = [m.native for m in pages[pi]]
                meta: dict = {"newest_id": max(ids, key=int), "oldest_id": min(ids, key=int),
                              "result_count": len(objs)}
                if pi < len(page_objs) - 1:
                    meta["next_token"] = hashlib.sha1(f"{name}:{pi + 1}".encode()).hexdigest()[:20]
                includes: dict = {"users": [self.users[a] for a in authors]}
                if page_includes[pi]:
                    includes["tweets"] = page_includes[pi]
                page = {"data": objs, "includes": includes, "meta": meta}
                (out / fname).write_text(json.dumps(page, ensure_ascii=False, separators=(",", ":")) + "\n",
                                         encoding="utf-8")
                files[fname] = {"format": "x_v2", "records_read": len(objs) + len(page_includes[pi]),
                                "records_quarantined": page_bad[pi]}
        return files

    def _write_blog(self, out: Path) -> dict[str, dict]:
        files: dict[str, dict] = {}
        bad = getattr(self, "blog_bad", {})
        for brand in self.brands:
            if not brand.blog:
                continue
            msgs = [self.msgs[k] for k in self.order if self.msgs[k].platform == "blog"
                    and self.msgs[k].series == brand.id]
            posts = [m for m in msgs if m.title is not None]
            if not posts:
                continue
            lang = self._brand_lang(brand)
            comments: dict[str, list[Msg]] = {}
            for m in msgs:
                if m.title is None:
                    comments.setdefault(m.conv, []).append(m)
            if brand.id in bad:
                comments.setdefault(bad[brand.id].conv, []).append(bad[brand.id])
            site = f"https://{brand.domain}"
            lines = [
                '<?xml version="1.0" encoding="UTF-8" ?>',
                '<rss version="2.0"',
                '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"',
                '\txmlns:content="http://purl.org/rss/1.0/modules/content/"',
                '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"',
                '\txmlns:dc="http://purl.org/dc/elements/1.1/"',
                '\txmlns:wp="http://wordpress.org/export/1.2/"',
                '>',
                '<channel>',
                f'\t<title>Blog {escape(brand.name)}</title>',
                f'\t<link>{site}/blog</link>',
                f'\t<description>{"Noticias de" if lang == "es" else "News from"} {escape(brand.name)}</description>',
                f'\t<pubDate>{self.end.strftime("%a, %d %b %Y %H:%M:%S +0000")}</pubDate>',
                f'\t<language>{"es-ES" if lang == "es" else "en-US"}</language>',
                '\t<wp:wxr_version>1.2</wp:wxr_version>',
                f'\t<wp:base_site_url>{site}</wp:base_site_url>',
                f'\t<wp:base_blog_url>{site}/blog</wp:base_blog_url>',
                ('\t<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[equipo]]></wp:author_login>'
                 f'<wp:author_display_name><![CDATA[{brand.blog}]]></wp:author_display_name></wp:author>'),
                '\t<generator>https://wordpress.org/?v=6.6.2</generator>',
            ]
            n_records = 0
            n_bad = 0
            for post in posts:
                local = post.created.astimezone(brand.tz)
                slug = _fold(post.title).lower().replace(" ", "-").replace("'", "") + f"-{post.native}"
                lines += [
                    '\t<item>',
                    f'\t\t<title><![CDATA[{post.title}]]></title>',
                    f'\t\t<link>{site}/blog/{slug}/</link>',
                    f'\t\t<pubDate>{post.created.strftime("%a, %d %b %Y %H:%M:%S +0000")}</pubDate>',
                    f'\t\t<dc:creator><![CDATA[{post.author}]]></dc:creator>',
                    f'\t\t<guid isPermaLink="false">{site}/blog/?p={post.native}</guid>',
                    '\t\t<description></description>',
                    f'\t\t<content:encoded><![CDATA[<p>{post.text}</p>]]></content:encoded>',
                    '\t\t<excerpt:encoded><![CDATA[]]></excerpt:encoded>',
                    f'\t\t<wp:post_id>{post.native}</wp:post_id>',
                    f'\t\t<wp:post_date><![CDATA[{local.strftime("%Y-%m-%d %H:%M:%S")}]]></wp:post_date>',
                    f'\t\t<wp:post_date_gmt><![CDATA[{post.created.strftime("%Y-%m-%d %H:%M:%S")}]]></wp:post_date_gmt>',
                    '\t\t<wp:comment_status><![CDATA[open]]></wp:comment_status>',
                    f'\t\t<wp:post_name><![CDATA[{slug}]]></wp:post_name>',
                    '\t\t<wp:status><![CDATA[publish]]></wp:status>',
                    '\t\t<wp:post_parent>0</wp:post_parent>',
                    '\t\t<wp:post_type><![CDATA[post]]></wp:post_type>',
                ]
                n_records += 1
                for c in sorted(comments.get(post.conv, []), key=lambda m: int(m.native)):
                    is_bad = bad.get(brand.id) is c
                    if is_bad:
                        date_local = date_gmt = "0000-00-00 00:00:00"
                        n_bad += 1
                    else:
                        date_local = c.created.astimezone(brand.tz).strftime("%Y-%m-%d %H:%M:%S")
                        date_gmt = c.created.strftime("%Y-%m-%d %H:%M:%S")
                    parent = self.msgs[c.parent].native if c.parent else "0"
                    ctype = "comment" if int(c.native) % 3 else ""
                    lines += [
                        '\t\t<wp:comment>',
                        f'\t\t\t<wp:comment_id>{c.native}</wp:comment_id>',
                        f'\t\t\t<wp:comment_author><![CDATA[{c.author}]]></wp:comment_author>',
                        f'\t\t\t<wp:comment_author_email><![CDATA[{c.email}]]></wp:comment_author_email>',
                        '\t\t\t<wp:comment_author_url></wp:comment_author_url>',
                        '\t\t\t<wp:comment_author_IP><![CDATA[]]></wp:comment_author_IP>',
                        f'\t\t\t<wp:comment_date><![CDATA[{date_local}]]></wp:comment_date>',
                        f'\t\t\t<wp:comment_date_gmt><![CDATA[{date_gmt}]]></wp:comment_date_gmt>',
                        f'\t\t\t<wp:comment_content><![CDATA[{c.text}]]></wp:comment_content>',
                        '\t\t\t<wp:comment_approved><![CDATA[1]]></wp:comment_approved>',
                        f'\t\t\t<wp:comment_type><![CDATA[{ctype}]]></wp:comment_type>',
                        f'\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>',
                        f'\t\t\t<wp:comment_user_id>{1 if c.brand else 0}</wp:comment_user_id>',
                        '\t\t</wp:comment>',
                    ]
                    n_records += 1
                lines.append('\t</item>')
            lines += ['</channel>', '</rss>', '']
            fname = f"blog/{brand.id}_wordpress.xml"
            (out / "blog").mkdir(parents=True, exist_ok=True)
            (out / fname).write_text("\n".join(lines), encoding="utf-8")
            files[fname] = {"format": "wxr", "records_read": n_records, "records_quarantined": n_bad}
        return files

    def _write_brands(self, out: Path) -> None:
        def q(s: str) -> str:
            return json.dumps(s, ensure_ascii=False)

        lines = ["# Brand registry of the brandcare sample (invented brands).", "brands:"]
        for b in self.brands:
            lines += [f"  - id: {b.id}", f"    name: {q(b.name)}", f"    sector: {b.sector}",
                      f"    country: {q(b.country)}", f"    timezone: {b.timezone}",
                      f"    sla_minutes: {b.sla_minutes}"]
            if b.business_hours is not None:
                hours = ", ".join(f"{k}: {q(v)}" for k, v in b.business_hours.items())
                lines.append(f"    business_hours: {{{hours}}}")
            else:
                lines.append("    # no business_hours: always open")
            lines.append(f"    holidays: [{', '.join(q(h) for h in b.spec['holidays'])}]")
            lines.append("    accounts:")
            lines.append(f"      x: [{', '.join(b.x)}]")
            if b.blog:
                lines.append(f"      blog: [{q(b.blog)}]")
            lines.append(f"    aliases: [{', '.join(q(a) for a in b.aliases)}]")
        (out / "brands.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Truth: METRICS.md applied to the planted message graph
# --------------------------------------------------------------------------------------------


def _band(followers: int) -> int:
    return sum(followers >= e for e in BAND_EDGES)


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def compute_truth(gen: _Gen) -> tuple[list[dict], list[dict], datetime]:
    msgs = [gen.msgs[k] for k in gen.order]
    posts = {m.mid: m for m in msgs if m.kind == "post"}
    horizon = max(m.created for m in posts.values())
    candidates: dict[tuple, list[Msg]] = {}
    brand_msgs: dict[tuple, list[Msg]] = {}
    for m in posts.values():
        if m.brand is None:
            for b in m.addresses:
                candidates.setdefault((m.platform, m.conv, b, m.author), []).append(m)
        else:
            brand_msgs.setdefault((m.conv, m.brand), []).append(m)
            p = posts.get(m.parent) if m.parent else None
            if p is not None and p.brand is None:
                assert p.conv == m.conv
                candidates.setdefault((p.platform, m.conv, m.brand, p.author), []).append(p)
    cases = []
    for (platform, conv, b, customer), cands in candidates.items():
        brand = gen.by_id[b]
        opener = min(cands, key=lambda m: (m.created, m.mid))
        opened = opener.created
        replies = [r for r in brand_msgs.get((conv, b), [])
                   if r.parent and posts[r.parent].brand is None and posts[r.parent].author == customer
                   and r.created >= opened]
        inside = sorted((r for r in replies if r.created <= opened + RESPONSE_WINDOW),
                        key=lambda r: (r.created, r.mid))
        first = inside[0] if inside else None
        followers = gen.users[customer]["public_metrics"]["followers_count"] if platform == "x" else None
        cases.append({
            "brand_id": b, "platform": platform, "conversation_id": conv, "customer_id": customer,
            "opened_message_id": opener.mid, "opened_at": _fmt_z(opened), "intent": opener.intent,
            "responded": first is not None,
            "first_response_at": _fmt_z(first.created) if first else None,
            "first_response_min": (first.created - opened).total_seconds() / 60 if first else None,
            "deflected": any(r.deflection for r in inside),
            "off_hours": not brand.is_open(opened),
            "author_followers": followers,
            "_opened": opened,
        })
    cases.sort(key=lambda c: (c["brand_id"], c["platform"], c["opened_at"], c["opened_message_id"]))

    # mentions and amplification per (brand, platform, period)
    mentions: dict[tuple, int] = {}
    amplification: dict[tuple, int] = {}
    for m in posts.values():
        if m.brand is None:
            for b in m.addresses:
                key = (b, m.platform, gen.by_id[b].period(m.created))
                mentions[key] = mentions.get(key, 0) + 1
    for m in msgs:
        if m.kind == "repost":
            for b in posts[m.reposted].addresses:
                key = (b, m.platform, gen.by_id[b].period(m.created))
                amplification[key] = amplification.get(key, 0) + 1

    groups: dict[tuple, list[dict]] = {}
    for c in cases:
        period = gen.by_id[c["brand_id"]].period(c["_opened"])
        groups.setdefault((c["brand_id"], c["platform"], period), []).append(c)
    keys = set(groups) | set(mentions)  # rows: brand-months with a case or a mention
    assert set(amplification) <= keys
    rows = []
    platform_order = {"all": 0, "x": 1, "blog": 2}
    all_keys = {(b, "all", p) for b, _, p in keys}
    for key in sorted(keys | all_keys, key=lambda k: (k[0], k[2], platform_order[k[1]])):
        b, platform, period = key
        if platform == "all":
            cs = [c for pl in ("x", "blog") for c in groups.get((b, pl, period), [])]
            n_mentions = sum(mentions.get((b, pl, period), 0) for pl in ("x", "blog"))
            n_amp = sum(amplification.get((b, pl, period), 0) for pl in ("x", "blog"))
        else:
            cs = groups.get(key, [])
            n_mentions = mentions.get(key, 0)
            n_amp = amplification.get(key, 0)
        rows.append(_scorecard(b, platform, period, cs, n_mentions, n_amp))
    for c in cases:
        del c["_opened"]
    return cases, rows, horizon


def _scorecard(brand_id: str, platform: str, period: str, cs: list[dict], n_mentions: int,
               n_amp: int) -> dict:
    actionable = [c for c in cs if c["intent"] in ("complaint", "question")]
    responded = [c for c in actionable if c["responded"]]
    off = [c for c in actionable if c["off_hours"]]
    bands: dict[int, list[dict]] = {}
    for c in actionable:
        if c["author_followers"] is not None:
            bands.setdefault(_band(c["author_followers"]), []).append(c)
    qualifying = sorted(k for k, v in bands.items() if len(v) >= EQUITY_MIN_CASES)
    equity = None
    if len(qualifying) >= 2:
        low = bands[qualifying[0]]
        high = bands[qualifying[-1]]
        r_low = sum(c["responded"] for c in low) / len(low)
        r_high = sum(c["responded"] for c in high) / len(high)
        equity = r_low / r_high if r_high else None
    return {
        "brand_id": brand_id, "platform": platform, "period_start": period,
        "mentions": n_mentions, "amplification": n_amp,
        "cases": len(cs), "actionable_cases": len(actionable), "responded_cases": len(responded),
        "response_rate": _rate(len(responded), len(actionable)),
        "median_first_response_min": statistics.median([c["first_response_min"] for c in responded])
        if responded else None,
        "deflection_rate": _rate(sum(c["deflected"] for c in responded), len(responded)),
        "off_hours_response_rate": _rate(sum(c["responded"] for c in off), len(off)),
        "equity_index": equity,
    }


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def generate_sample(out: Path, *, brands: int = 6, days: int = 60, seed: int = 7,
                    messages: int | None = None, end: date = date(2026, 11, 1)) -> dict:
    """Write a deterministic sample archive and its ``truth.json`` under ``out``.

    ``messages`` is an approximate total message budget (default 55 per brand and day).
    Files of earlier runs matching the sample's own names (``x/search_*.json``,
    ``blog/*_wordpress.xml``) are removed first so that ``out`` holds one sample only.
    """
    out = Path(out)
    gen = _Gen(brands, days, seed, messages, end)
    gen._generate_x()
    gen._generate_cross()
    gen._generate_blog()
    cases, rows, horizon = compute_truth(gen)

    out.mkdir(parents=True, exist_ok=True)
    for pattern in ("x/search_*.json", "blog/*_wordpress.xml"):
        for old in sorted(out.glob(pattern)):
            old.unlink()
    gen._write_brands(out)
    files = gen._write_x(out)
    files.update(gen._write_blog(out))
    files = dict(sorted(files.items()))
    truth = {
        "generator": {"brands": brands, "days": days, "seed": seed, "messages": messages,
                      "end": end.isoformat()},
        "response_window_days": RESPONSE_WINDOW.days,
        "data_horizon": _fmt_z(horizon),
        "files": files,
        "cases": cases,
        "scorecards_monthly": rows,
    }
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8")
    n_posts = sum(1 for m in gen.msgs.values() if m.kind == "post")
    return {
        "out": str(out),
        "files": len(files) + 2,  # + brands.yaml and truth.json
        "x_pages": sum(1 for f in files if f.startswith("x/")),
        "blog_files": sum(1 for f in files if f.startswith("blog/")),
        "brands": [b.id for b in gen.brands],
        "messages": n_posts,
        "reposts": sum(1 for m in gen.msgs.values() if m.kind == "repost"),
        "records_read": sum(f["records_read"] for f in files.values()),
        "records_quarantined": sum(f["records_quarantined"] for f in files.values()),
        "cases": len(cases),
        "actionable_cases": sum(c["intent"] in ("complaint", "question") for c in cases),
        "responded_cases": sum(c["responded"] and c["intent"] in ("complaint", "question") for c in cases),
        "data_horizon": truth["data_horizon"],
    }
