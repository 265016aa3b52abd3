"""The simulated world: brands, accounts, customers and the planted messages."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time, timedelta

from pipelines.sample import texts_customer as TC
from pipelines.sample.brand_calendar import Brand
from pipelines.sample.brands import BRANDS, FORMATS
from pipelines.sample.model import (
    DEFAULT_MESSAGES_PER_BRAND_DAY,
    EXTRA_SHARE,
    MSGS_PER_CASE,
    REPLICA_FIELD,
    TWITTER_EPOCH_MS,
    Customer,
    Msg,
    _fold,
    _pick,
)
from pipelines.sample.similarity import _SimIndex


class SampleError(ValueError):
    """A sample that cannot be written as asked (its size, its folder): said in one line."""


def check_size(brands: int, days: int) -> None:
    """Raise :class:`SampleError` for a sample of ``brands`` brands over ``days`` days that cannot
    be planted (before anything is written: a refused demo makes no home)."""
    if not 1 <= brands <= len(BRANDS):
        raise SampleError(f"--brand-count: {brands} is not in 1..{len(BRANDS)} (the sample's brands)")
    if days < 1:
        raise SampleError(f"--days: {days} is under 1")


class World:
    def __init__(self, brands: int, days: int, seed: int, messages: int | None, end: date) -> None:
        check_size(brands, days)
        self.rng = random.Random(seed)
        self.days = days
        self.end = datetime.combine(end, time(0), tzinfo=UTC)
        self.start = self.end - timedelta(days=days)
        self.limit = self.end - timedelta(minutes=3)  # everything but the horizon tweet is older
        self.brands = [
            Brand(dict(spec, formats=FORMATS.get(spec["id"], {})), i) for i, spec in enumerate(BRANDS[:brands])
        ]
        self.extra_share = EXTRA_SHARE if any(b.formats for b in self.brands) else 0.0
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
        # Brand replies stop before the first local month after the data's last UTC month, so that
        # every brand reply falls in a brand-month that has a case or a mention (a scorecard row).
        last_month = (self.end - timedelta(seconds=1)).date().replace(day=1)
        next_month = (last_month + timedelta(days=32)).replace(day=1)
        self.reply_limit = {
            b.id: min(self.limit, datetime.combine(next_month, time(0), tzinfo=b.tz).astimezone(UTC))
            for b in self.brands
        }
        # personal replies already written, by (brand, local month): normalised word sets
        self.personal: dict[tuple[str, str], _SimIndex] = {}
        self.templates: dict[tuple[str, str], list[frozenset]] = {}
        self.personal_fallbacks = 0
        self.ext_customers: dict[tuple[str, str], list[Customer]] = {}
        self.archive_owner: Customer | None = None  # the owner of the X personal archive (sim_archive)
        self.bsky_dids: dict[str, str] = {}  # brand id -> DID of its Bluesky account
        self.ext_names: dict[str, str] = {}  # extra-format customer id -> display name
        self.twcs_seq = self.twcs_seq_user = self.disqus_seq = 0
        # ids that differ between replicas (see pipelines.sample.replicate): decimal ids ending in the
        # replica field "000", and base32 atproto keys (record keys, brand DIDs) ending in "22"
        self.copy_ids: set[str] = set()
        self.copy_b32: set[str] = set()
        self.brand_uid_stems: set[str] = set()
        for b in self.brands:
            if "facebook" in b.formats:
                self.copy_ids.add(b.formats["facebook"][0])
        _make_brand_accounts(self)
        _make_customers(self)

    # ---- ids and accounts ----------------------------------------------------------------

    def rid(self, n: int) -> str:
        """A decimal id that differs between replicas: ``n`` followed by the replica field ``000``."""
        s = f"{n}{REPLICA_FIELD}"
        if s in self.copy_ids:
            raise ValueError(f"id {s} made twice")
        self.copy_ids.add(s)
        return s

    def user_id(self) -> str:
        """A customer's X user id (the same in every replica; never one of a brand's replica ids)."""
        while True:
            uid = str(self.rng.randrange(10**7, 10**18))
            if uid not in self.used_user_ids and uid[:-3] not in self.brand_uid_stems:
                self.used_user_ids.add(uid)
                return uid

    def tweet_id(self, created: datetime) -> str:
        """Snowflake-like (increasing with time): milliseconds and a sequence, then the replica field."""
        while True:
            self.seq += 1
            ms = int(created.timestamp()) * 1000 + self.rng.randrange(1000) - TWITTER_EPOCH_MS
            n = (ms << 12) | (self.seq % 4096)
            if f"{n}{REPLICA_FIELD}" not in self.copy_ids:
                return self.rid(n)

    def followers(self, platform: str, author: str) -> int | None:
        """The follower count the archives give for an author (X API pages only: never the
        archive owner's, who writes in no page)."""
        if platform == "x" and author in self.users and not (self.archive_owner and author == self.archive_owner.uid):
            return self.users[author]["public_metrics"]["followers_count"]
        return None

    def customer(self, brand: Brand) -> Customer:
        lang = "es" if self.rng.random() < brand.es else "en"
        return self.rng.choice(self.customers[lang])

    # ---- messages --------------------------------------------------------------------------

    def add(self, m: Msg) -> Msg:
        assert m.mid not in self.msgs
        self.msgs[m.mid] = m
        self.order.append(m.mid)
        return m

    def _metrics(self, followers: int) -> dict:
        rng = self.rng
        scale = max(1.0, math.log10(max(followers, 1)))
        return {
            "retweet_count": int(rng.random() * scale),
            "reply_count": rng.randrange(0, 3),
            "like_count": int(rng.random() * scale * 3),
            "quote_count": 0,
        }

    def tweet(
        self,
        *,
        author: str,
        created: datetime,
        text: str,
        lang: str,
        series: str,
        parent: Msg | None = None,
        brand: str | None = None,
        addresses: tuple = (),
        intent: str | None = None,
        deflection: str | None = None,
        in_reply_to_user: str | None = None,
    ) -> Msg:
        native = self.tweet_id(created)
        conv = parent.conv if parent else f"x:{native}"
        followers = self.users[author]["public_metrics"]["followers_count"]
        return self.add(
            Msg(
                mid=f"x:{native}",
                platform="x",
                native=native,
                conv=conv,
                parent=parent.mid if parent else None,
                author=author,
                created=created,
                text=text,
                lang=lang,
                series=series,
                brand=brand,
                addresses=addresses,
                intent=intent,
                deflection=deflection,
                in_reply_to_user=in_reply_to_user if in_reply_to_user else (parent.author if parent else None),
                metrics=self._metrics(followers),
            )
        )

    # ---- time ----------------------------------------------------------------------------------
    def deflect(self, brand: Brand, boost: float = 1.0) -> str | None:
        if self.rng.random() < min(0.95, brand.deflect_share * boost):
            return _pick(self.rng, brand.channels)
        return None

    def p_respond(self, brand: Brand, intent: str, followers: int | None) -> float:
        p = brand.p_respond if intent in ("complaint", "question") else brand.p_other
        if brand.follower_bias and followers is not None:
            p = brand.p_respond + brand.follower_bias * (math.log10(followers) - 3.0)
        return min(0.98, max(0.03, p))

    # ---- X cases -------------------------------------------------------------------------------
    def brand_lang(self, brand: Brand) -> str:
        return "es" if brand.es >= 0.5 else "en"

    def ext_msgs(self, fmt: str, brand_id: str | None = None) -> list[Msg]:
        pre = f"{fmt}:"
        return [
            self.msgs[k]
            for k in self.order
            if self.msgs[k].series.startswith(pre) and (brand_id is None or self.msgs[k].series == pre + brand_id)
        ]


def _make_brand_accounts(self: World) -> None:
    """The brands' X accounts (ids with a replica field)."""
    for b in self.brands:
        for handle in b.x:
            uid = self.rid(self.rng.randrange(10**6, 10**15))
            self.brand_uid_stems.add(uid[:-3])
            self.used_user_ids.add(uid)
            b.user_ids[handle] = uid
            self.handle_ids[handle.lower()] = uid
            self.users[uid] = {
                "id": uid,
                "username": handle,
                "name": b.name,
                "public_metrics": {
                    "followers_count": self.rng.randrange(20_000, 900_000),
                    "following_count": self.rng.randrange(10, 3000),
                    "tweet_count": self.rng.randrange(10_000, 500_000),
                },
            }


def _make_customers(self: World) -> None:
    """The X customers, Spanish and English, with follower counts spread over every band."""
    rng = self.rng
    est_cases = self.budget / MSGS_PER_CASE
    share_es = sum(b.es * b.weight for b in self.brands) / sum(b.weight for b in self.brands)
    taken = set(self.handle_ids)
    for lang, share in (("es", share_es), ("en", 1 - share_es)):
        n = max(40, int(est_cases * share / 2.5))
        for _ in range(n):
            first = rng.choice(TC.FIRST_NAMES[lang])
            last = rng.choice(TC.LAST_NAMES[lang])
            while True:
                base = _fold(
                    rng.choice(
                        [
                            f"{first}{last}",
                            f"{first}_{last}",
                            f"{first[0]}{last}",
                            f"{first}{last[0]}",
                            f"{last}{first}",
                        ]
                    )
                ).lower()
                if rng.random() < 0.6:
                    base += str(rng.randrange(1, 1000))
                if base not in taken:
                    taken.add(base)
                    break
            followers = max(3, int(10 ** rng.uniform(0.5, 6.3)))
            uid = self.user_id()
            cust = Customer(uid, base, f"{first} {last}", first, lang, followers)
            self.customers[lang].append(cust)
            self.handle_ids[base] = uid
            self.users[uid] = {
                "id": uid,
                "username": base,
                "name": cust.name,
                "public_metrics": {
                    "followers_count": followers,
                    "following_count": rng.randrange(10, 2000),
                    "tweet_count": rng.randrange(50, 80_000),
                },
            }
