"""Constants, message records, ids and timestamp formats of the sample generator."""

from __future__ import annotations

import hashlib
import json
import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pipelines.sample import texts_customer as TC

RESPONSE_WINDOW = timedelta(days=7)
#: the replica field of the sample's decimal ids (replica 0; see pipelines.sample.replicate)
REPLICA_FIELD = "000"
PAGE_SIZE = 100
TWITTER_EPOCH_MS = 1288834974657
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BAND_EDGES = (100, 1_000, 10_000, 100_000)
EQUITY_MIN_CASES = 20
MSGS_PER_CASE = 2.0  # rough number of messages a planted case produces (for the budget)
DEFAULT_MESSAGES_PER_BRAND_DAY = 66
PLATFORMS = ("x", "bluesky", "facebook", "blog")
#: Extra archive formats per brand (PART B): twcs author handle (listed in accounts.x), Bluesky
EXTRA_SHARE = 0.2
INTENT_WEIGHTS = {"complaint": 0.45, "question": 0.27, "praise": 0.14, "other": 0.14}
#: Relative traffic by local hour (rejection sampling).
HOUR_WEIGHT = [
    0.12,
    0.08,
    0.06,
    0.05,
    0.05,
    0.08,
    0.2,
    0.45,
    0.7,
    0.9,
    1.0,
    1.0,
    1.0,
    0.95,
    0.9,
    0.9,
    0.95,
    1.0,
    1.0,
    1.0,
    0.95,
    0.8,
    0.55,
    0.3,
]


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _fmt_z(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fmt_x(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _fmt_v11(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")


def _fmt_fb(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _cid(key: str) -> str:
    """A CID-looking content id (deterministic)."""
    digest = hashlib.sha256(key.encode()).digest()
    bits = int.from_bytes(digest, "big")
    return "bafyrei" + "".join(B32[(bits >> (5 * i)) & 31] for i in range(52))


def _at_uri(m) -> str:
    did, rkey = m.native.split("/")
    return f"at://{did}/app.bsky.feed.post/{rkey}"


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


B32 = "234567abcdefghijklmnopqrstuvwxyz"


def _tid(us: int) -> str:
    """An atproto TID (record key): 13 base32-sortable characters from a microsecond clock."""
    n = (us << 10) & ((1 << 64) - 1)
    return "".join(B32[(n >> (5 * (12 - i))) & 31] for i in range(13))


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
    thanks: bool = False  # a customer follow-up that thanks the brand / says it is solved

    @property
    def sentiment(self) -> str | None:
        """Planted sentiment of a customer message (follows its planted intent); None for brand messages."""
        if self.brand is not None or self.intent is None:
            return None
        return TC.OPENING_SENTIMENT[self.intent]
