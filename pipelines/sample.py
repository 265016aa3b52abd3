"""Seeded, deterministic sample archive generator: ``brandcare sample``.

``generate_sample(out, brands=6, days=60, seed=7, messages=None, end=date(2026, 11, 1))``
writes, under ``out/``:

- ``brands.yaml``: the brand registry (DESIGN.md format);
- ``x/search_<brand id|all>_<NNNN>.json``: X API v2 search pages, newest first, ~100 tweets a
  page, the last page of a series without ``next_token``. A brand's series holds the
  conversations of that brand; ``all`` holds tweets naming two brands, retweets (with the
  retweeted tweet repeated in ``includes.tweets``) and some malformed records;
- ``blog/<brand id>_wordpress.xml``: a WordPress WXR 1.2 export for brands with a blog;
- ``twcs/twcs_<brand id>.csv``: Customer Support on Twitter CSV (brands in ``FORMATS`` with ``twcs``);
- ``bluesky/jetstream_<n>.jsonl``: Bluesky Jetstream events (~1500 a file) of the Bluesky brands;
- ``facebook/<brand id>_comments_<n>.json``: Facebook Graph API pages of page posts with comments;
- ``disqus/<brand id>_disqus.xml``: Disqus exports (platform ``blog``);
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

Resolution, recovery, canned replies (METRICS.md; truth computed with these definitions)
-------------------------------------------------------------------------------------------
- every planted customer message has a planted sentiment that follows its planted intent
  (complaint = negative, praise = positive, question/other = neutral: ``T.OPENING_SENTIMENT``),
  and the texts are written so that this is unmistakable; follow-ups are thanks (positive,
  thanks the brand), still (negative), question or neutral ("ok, lo reviso", neutral), or none;
  after a second brand reply the customer sometimes has a last word that overrides the first.
  ``resolved``: responded and the customer's last message in the conversation after the first
  brand reply (within the window) is positive or thanks; ``recovered``: the opening is negative,
  responded, and that last message exists and is not negative.
- ``first_response_business_min``: seconds of ``[opened_at, first_response_at)`` inside the
  brand's open times (local business hours, holidays closed) / 60; calendar minutes for brands
  without business hours.
- brand replies: brand messages whose parent is a customer message (so a case's customer), by
  the reply's own local month. Canned: at least 3 brand replies of the brand in the same local
  month, itself included, whose normalised text (``canned_normalise``: trailing sign-off ^JK,
  ^ JK, *AB, -Becky, - Becky, ~Ana removed, lower case, accents folded, e-mails, URLs, @handles,
  digit runs, punctuation removed, whitespace collapsed) has a word-set Jaccard similarity >= 0.8
  with its own; an empty normalised text (emoji-only replies) is never canned. Canned templates
  are bare templates (``T.IN_CHANNEL``, ``T.DEFLECTION``, ``T.CANNED_REF`` with a varying case
  number) + a sign-off; personal replies are composed from slots and kept only when their
  similarity with every template and every other personal reply of the brand-month is < 0.7.
- brand replies never fall in a local month after the data's last UTC month (``reply_limit``),
  so every brand reply is counted in a scorecard row.

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

Extra formats (``FORMATS``: which brand writes which)
-----------------------------------------------------
The same case behaviour (response probability and delays, deflections, canned replies,
follow-ups) on other platforms; no follower counts (``author_followers`` NULL):

- twcs (telvia ``TelviaSupport``, kestrel_mart ``KestrelCare``; handles listed in accounts.x):
  ``x:twcs:<tweet_id>``, platform ``x``, conversation = topmost ancestor; customer ids are
  numbers and brand replies start ``@<customer number>``; customer tweets start with the brand
  handle; parents written as floats (``21.0``) in 3 rows of 4; one text spanning two lines
  (quoted); malformed: a ``not-a-date`` created_at and an empty author_id (quarantined).
- Bluesky (telvia, aerosol, kestrel_mart; handles in accounts.bluesky): Jetstream commit events,
  ``bluesky:<did>/<rkey>``, conversation = ``reply.root``; mention facets (DIDs, UTF-8 byte
  offsets); each file starts with the identity events of its DIDs; customers also reply to brand
  posts every few days; 3 openings edited (create with a trailing " …", then an update with the
  planted text; the id and created_at are the create's), 2 negative follow-ups deleted (they stay
  messages); quarantined: a like, a post whose createdAt has no zone, a truncated line.
- Facebook (banco_pinar, lumena; page ids in accounts.facebook): posts-with-comments pages,
  8 posts a file; the post ``<page>_<post>`` is ``facebook:<post>`` and its comments
  ``facebook:<post>_<comment>`` share conversation ``facebook:<post>`` (the reader's convention);
  replies are one level deep (``parent`` = the customer's top-level comment; a top-level
  comment's parent is the post); quarantined: a comment without ``from`` (first file), a hidden
  comment (last file).
- Disqus (kestrel_mart, orbilink; blog author names in accounts.blog): a thread every few days
  (``blog:disqus:t<id>``, text = title) with customer posts ``blog:disqus:<id>``; customers by
  username, or anonymous guests by display name; brand posts carry no username; quarantined: a
  deleted post and a spam post.

truth.json
----------
``generator`` (the arguments), ``response_window_days``, ``data_horizon`` (newest created_at
of a valid message, retweets excluded), ``files`` (per archive file: format ``x_v2``/``wxr``/
``twcs``/``bluesky``/``facebook_graph``/``disqus``, ``records_read`` = tweet objects in ``data``
+ ``includes.tweets`` / WXR items + comments / CSV records / JSON lines / Facebook posts +
comments / Disqus threads + posts, ``records_quarantined``), ``cases`` (METRICS.md per-case
fields: ``first_response_min``, ``first_response_business_min``, ``responded``, ``deflected``,
``resolved``, ``recovered``, ``opening_sentiment``, ``off_hours``, ``author_followers``, ...)
and ``scorecards_monthly``: one row per brand, platform (``all``, ``x``, ``bluesky``,
``facebook``, ``blog``) and local calendar month in which that platform has at least one case
or mention (``all``: any platform). Rows also carry ``amplification`` (retweets of messages
addressing the brand, by the retweet's local month), ``median_first_response_business_min``,
``sla_met_rate`` (actionable cases answered with first_response_min <= sla_minutes / actionable
cases), ``resolution_rate``, ``recovery_rate`` (over responded actionable cases opened
negative), ``brand_replies`` and ``canned_reply_share`` (by the replies' own local month).
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
import zlib
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
BAND_EDGES = (100, 1_000, 10_000, 100_000)
EQUITY_MIN_CASES = 20
MSGS_PER_CASE = 2.0  # rough number of messages a planted case produces (for the budget)
DEFAULT_MESSAGES_PER_BRAND_DAY = 66

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

#: platforms of the scorecards (twcs CSV rows are platform "x")
PLATFORMS = ("x", "bluesky", "facebook", "blog")
#: Extra archive formats per brand (PART B): twcs author handle (listed in accounts.x), Bluesky
#: handle, Facebook page (id, name), Disqus blog author name (listed in accounts.blog).
FORMATS: dict[str, dict] = {
    "telvia": {"twcs": "TelviaSupport", "bluesky": "telvia.bsky.social"},
    "aerosol": {"bluesky": "aerosol.bsky.social"},
    "banco_pinar": {"facebook": ("104729384756001", "Banco Pinar")},
    "lumena": {"facebook": ("104729384756002", "Lumena Energía")},
    "kestrel_mart": {"twcs": "KestrelCare", "bluesky": "kestrelmart.bsky.social", "disqus": "Kestrel Mart Team"},
    "orbilink": {"disqus": "Orbilink Team"},
}
#: share of the message budget that goes to the extra formats (when the brands have any)
EXTRA_SHARE = 0.2
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


_SIGNOFF_RES = (
    re.compile(r"\s*[\^*]\s?[A-Za-z]{1,3}\s*$"),  # ^JK, ^ JK, *AB
    re.compile(r"\s*[-~]\s?(?:[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+|[A-Z]{1,3})\s*$"),  # -Becky, - Becky, ~Ana, -JK
)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_HANDLE_RE = re.compile(r"@\w+")
CANNED_MIN_REPLIES = 3
CANNED_SIMILARITY = 0.8
#: a personal reply is kept only if its similarity with every other reply of the brand-month is below this
PERSONAL_MAX_SIMILARITY = 0.7


def canned_normalise(text: str) -> str:
    """The canned-reply normalisation (see the brief in truth docs): sign-off, case, accents,
    e-mails, URLs, @handles, numbers and punctuation removed, whitespace collapsed."""
    for rx in _SIGNOFF_RES:
        stripped = rx.sub("", text, count=1)
        if stripped != text:
            text = stripped
            break
    text = _fold(text.lower())
    text = _EMAIL_RE.sub(" ", text)
    text = _URL_RE.sub(" ", text)
    text = _HANDLE_RE.sub(" ", text)
    text = re.sub(r"\d+", " ", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _words(text: str) -> frozenset:
    return frozenset(canned_normalise(text).split())


def _jaccard(a: frozenset, b: frozenset) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


class _SimIndex:
    """Word sets with a fast "which stored sets have Jaccard >= num/den with this one" (prefix
    filtering: two sets that similar share a word among the first n - ceil(t*n) + 1 words of each,
    in any fixed word order; here the CRC-32 order, which puts common words anywhere)."""

    def __init__(self, num: int, den: int) -> None:
        self.num, self.den = num, den
        self.sets: list[frozenset] = []
        self.index: dict[str, list[int]] = {}

    def _prefix(self, w: frozenset) -> list[str]:
        n = len(w)
        need = (self.num * n + self.den - 1) // self.den  # ceil(t * n)
        return sorted(w, key=lambda x: (zlib.crc32(x.encode()), x))[:n - need + 1]

    def add(self, w: frozenset) -> int:
        i = len(self.sets)
        self.sets.append(w)
        for word in self._prefix(w):
            self.index.setdefault(word, []).append(i)
        return i

    def similar(self, w: frozenset) -> list[int]:
        if not w:
            return []
        cands = {i for word in self._prefix(w) for i in self.index.get(word, ())}
        t = self.num / self.den
        return sorted(i for i in cands if _jaccard(w, self.sets[i]) >= t)


B32 = "234567abcdefghijklmnopqrstuvwxyz"


def _tid(us: int) -> str:
    """An atproto TID (record key): 13 base32-sortable characters from a microsecond clock."""
    n = (us << 10) & ((1 << 64) - 1)
    return "".join(B32[(n >> (5 * (12 - i))) & 31] for i in range(13))


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
        return T.OPENING_SENTIMENT[self.intent]


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
        self.brands = [Brand(dict(spec, formats=FORMATS.get(spec["id"], {})), i)
                       for i, spec in enumerate(BRANDS[:brands])]
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
            for b in self.brands}
        # personal replies already written, by (brand, local month): normalised word sets
        self.personal: dict[tuple[str, str], _SimIndex] = {}
        self.templates: dict[tuple[str, str], list[frozenset]] = {}
        self.personal_fallbacks = 0
        self.ext_customers: dict[tuple[str, str], list[Customer]] = {}
        self.bsky_dids: dict[str, str] = {}  # brand id -> DID of its Bluesky account
        self.ext_names: dict[str, str] = {}  # extra-format customer id -> display name
        self.twcs_seq = self.twcs_seq_user = self.disqus_seq = 0
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

    def followers(self, platform: str, author: str) -> int | None:
        """The follower count the archives give for an author (X API pages only)."""
        if platform == "x" and author in self.users:
            return self.users[author]["public_metrics"]["followers_count"]
        return None

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

    def _signoff(self, brand: Brand) -> str:
        """An agent sign-off in the brand's style, with the spacing variants people type."""
        if not brand.signoff:
            return ""
        rng = self.rng
        mark = brand.signoff
        r = rng.random()
        if mark == "-" and r < 0.1:
            mark = "~"
        sep = " " if rng.random() < 0.2 else ""
        return f" {mark}{sep}{rng.choice(brand.agents)}"

    def _templates(self, brand: Brand, lang: str) -> list[frozenset]:
        key = (brand.id, lang)
        if key not in self.templates:
            texts = [t for pool in T.IN_CHANNEL[lang].values() for t in pool]
            texts += [t.format(phone=brand.phone, email="x@y.example", url="https://y.example/z")
                      for pool in T.DEFLECTION[lang].values() for t in pool]
            texts += [t.format(ref="1") for t in T.CANNED_REF[lang]]
            self.templates[key] = [_words(t) for t in texts]
        return self.templates[key]

    def _reply_body(self, brand: Brand, cust_first: str, lang: str, category: str,
                    deflect: str | None, when: datetime) -> str:
        """A brand reply: a bare template (canned: reused many times a month), an emoji, or a
        personal reply composed from slots and kept only if it is no near-duplicate of any other
        reply of the brand in the same local month (so it is never canned by accident)."""
        rng = self.rng
        contacts = dict(phone=brand.phone,
                        email=("soporte@" if lang == "es" else "help@") + brand.domain,
                        url=f"https://{brand.domain}/" + ("ayuda" if lang == "es" else "support"))
        if not deflect and category in ("praise", "other") and rng.random() < 0.08:
            return rng.choice(T.EMOJI_REPLY) + self._signoff(brand)
        if rng.random() < brand.canned_share:
            if deflect:
                body = rng.choice(T.DEFLECTION[lang][deflect]).format(**contacts)
            else:
                pool = list(T.IN_CHANNEL[lang][category])
                if category in ("complaint", "still"):
                    pool += T.CANNED_REF[lang]
                body = rng.choice(pool).format(ref=rng.randrange(10_000, 999_999))
            return body + self._signoff(brand)
        key = (brand.id, brand.period(when))
        seen = self.personal.setdefault(key, _SimIndex(7, 10))
        templates = self._templates(brand, lang)
        middle = T.P_DEFLECT[lang][deflect] if deflect else T.P_ACT[lang][category]
        for _ in range(60):
            body = " ".join([rng.choice(T.P_GREET[lang]).format(first=cust_first),
                             rng.choice(T.P_ACK[lang][category]),
                             rng.choice(middle).format(**contacts),
                             rng.choice(T.P_CLOSE[lang])])
            words = _words(body)
            if all(_jaccard(words, o) < PERSONAL_MAX_SIMILARITY for o in templates) and not seen.similar(words):
                break
        else:
            self.personal_fallbacks += 1
        seen.add(words)
        return body + self._signoff(brand)

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
        limit = self.reply_limit[brand.id]
        if force_reply is not None:
            when = opening.created + force_reply
        elif always or rng.random() < self._p_respond(brand, intent, cust.followers):
            when = self._reply_time(brand, opening.created, target.created)
        else:
            when = None
        if when is not None and when <= target.created:
            when = target.created + timedelta(seconds=rng.randrange(30, 300))
        if when is None or when >= limit:
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
                            text=f"@{cust.handle} " + self._reply_body(brand, cust.first, lang, intent, deflect, when))
        # customer follow-ups: the customer's last word after the brand's first reply decides
        # resolved (thanks / positive) and recovered (not negative); none at all: neither
        kind = self._follow_kind(intent, deflect)
        if kind is None:
            return
        tf = self._follow_up_at(when)
        if tf is None:
            return
        follow = self._follow_tweet(brand, cust, reply, kind, tf, series)
        if kind in ("thanks", "neutral") or rng.random() >= 0.6:
            return
        when2 = self._reply_time(brand, opening.created, follow.created)
        if when2 <= follow.created:
            when2 = follow.created + timedelta(seconds=rng.randrange(30, 300))
        if when2 >= limit:
            return
        deflect2 = self._deflect(brand, 1.3)
        reply2 = self._tweet(author=brand.user_ids[handle], created=when2, lang=lang, series=series, parent=follow,
                             brand=brand.id, deflection=deflect2,
                             text=f"@{cust.handle} " + self._reply_body(brand, cust.first, lang, "still", deflect2, when2))
        # sometimes a last word after the second reply: it overrides the earlier follow-up
        if rng.random() < 0.5:
            kind2 = _pick(rng, {"thanks": 0.55, "neutral": 0.25, "still": 0.2})
            tf2 = when2 + timedelta(seconds=rng.randrange(120, 6 * 3600))
            if tf2 < self.limit:
                self._follow_tweet(brand, cust, reply2, kind2, tf2, series)

    def _follow_up_at(self, when: datetime) -> datetime | None:
        """When the customer answers a brand reply posted at ``when``; None past the data's end."""
        follow = when + timedelta(seconds=int(60 * max(2.0, 40 * math.exp(1.5 * self.rng.gauss(0, 1)))))
        return follow if follow < self.limit else None

    def _follow_kind(self, intent: str, deflect: str | None) -> str | None:
        rng = self.rng
        if rng.random() >= (0.45 if intent in ("complaint", "question") else 0.1):
            return None
        return _pick(rng, {"thanks": 0.35, "still": 0.3, "question": 0.1, "neutral": 0.25} if deflect
                     else {"thanks": 0.5, "still": 0.25, "question": 0.08, "neutral": 0.17})

    def _follow_tweet(self, brand: Brand, cust: Customer, reply: Msg, kind: str, tf: datetime,
                      series: str) -> Msg:
        intent, _sentiment, thanks = T.FOLLOW_UP_KIND[kind]
        handle = self.users[reply.author]["username"]
        m = self._tweet(author=cust.uid, created=tf, lang=cust.lang, series=series, parent=reply,
                        text=f"@{handle} " + self.rng.choice(T.FOLLOW_UP[cust.lang][kind]),
                        addresses=(brand.id,), intent=intent)
        m.thanks = thanks
        return m

    def _brand_lang(self, brand: Brand) -> str:
        return "es" if brand.es >= 0.5 else "en"

    def _generate_x(self) -> None:
        rng = self.rng
        blog_share = 0.08 if any(b.blog for b in self.brands) else 0.0
        x_cases = self.budget * (1 - blog_share) * (1 - self.extra_share) / MSGS_PER_CASE
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
        comments_total = self.budget * 0.08 * (1 - self.extra_share) / 1.6
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
        if when >= self.reply_limit[brand.id]:
            return
        deflect = self._deflect(brand)
        cid = comment_id()
        reply = self._add(Msg(mid=f"blog:c{cid}", platform="blog", native=cid, conv=cm.conv, parent=cm.mid,
                              author=brand.blog, created=when, lang=cm.lang, series=brand.id, brand=brand.id,
                              deflection=deflect, email=f"blog@{brand.domain}",
                              text=self._reply_body(brand, first, cm.lang, intent, deflect, when)))
        kind = self._follow_kind(intent, deflect)
        if kind is None:
            return
        tf = when + timedelta(seconds=rng.randrange(600, 2 * 86400))
        if tf >= self.limit:
            return
        text = rng.choice(T.FOLLOW_UP[cm.lang][kind])
        cid = comment_id()
        f_intent, _sentiment, thanks = T.FOLLOW_UP_KIND[kind]
        self._add(Msg(mid=f"blog:c{cid}", platform="blog", native=cid, conv=cm.conv, parent=reply.mid,
                      author=cm.author, created=tf, lang=cm.lang, series=brand.id, addresses=(brand.id,),
                      text=text[0].upper() + text[1:], email=cm.email, intent=f_intent, thanks=thanks))

    # ---- extra formats (twcs, Bluesky, Facebook, Disqus) ----------------------------------------

    def _ext_customer(self, brand: Brand, fmt: str) -> Customer:
        """A customer of an extra format: its own ids (numbers, DIDs, page-scoped ids, usernames)."""
        rng = self.rng
        lang = "es" if rng.random() < brand.es else "en"
        pool = self.ext_customers.setdefault((fmt, lang), [])
        if len(pool) >= 20 and rng.random() < 0.5:
            return rng.choice(pool)
        first = rng.choice(T.FIRST_NAMES[lang])
        last = rng.choice(T.LAST_NAMES[lang])
        base = _fold(f"{first}{last}").lower() + str(rng.randrange(1, 1000))
        if fmt == "twcs":
            self.twcs_seq_user += 1
            uid = handle = str(100_000 + self.twcs_seq_user * 7)
        elif fmt == "bluesky":
            uid = "did:plc:" + "".join(rng.choice(B32) for _ in range(24))
            handle = base + ".bsky.social"
        elif fmt == "facebook":
            uid = handle = str(rng.randrange(10**15, 10**16))
        else:  # disqus: a username, or an anonymous guest known by display name only ("Ana G.")
            uid = handle = f"{first} {last[0]}." if rng.random() < 0.3 else base
        if uid in self.ext_names:
            return rng.choice(pool) if pool else self._ext_customer(brand, fmt)
        cust = Customer(uid, handle, f"{first} {last}", first, lang, 0)
        self.ext_names[uid] = cust.name
        pool.append(cust)
        return cust

    def _ext_msg(self, fmt: str, brand: Brand, *, author: str, created: datetime, text: str, lang: str,
                 parent: Msg | None, root: Msg | None = None, is_brand: bool = False,
                 intent: str | None = None, deflection: str | None = None, title: str | None = None) -> Msg:
        """One message of an extra format, with that format's ids and conversation."""
        rng = self.rng
        if fmt == "twcs":
            self.twcs_seq += 1
            native = str(self.twcs_seq * 3 + rng.randrange(3))
            mid, platform = f"x:twcs:{native}", "x"
            conv = parent.conv if parent else mid  # topmost ancestor
        elif fmt == "bluesky":
            self.seq += 1
            us = int(created.timestamp() * 1_000_000) + self.seq % 1000
            native = f"{author}/{_tid(us)}"
            mid, platform = f"bluesky:{native}", "bluesky"
            conv = parent.conv if parent else mid  # reply.root
        elif fmt == "facebook":
            self.seq += 1
            if parent is None:  # a page post '<page-id>_<post-id>' is facebook:<post-id>
                post_id = str(2_000_000_000_000 + self.seq * 13)
                native = f"{brand.formats['facebook'][0]}_{post_id}"
                mid = conv = f"facebook:{post_id}"
            else:
                post_id = parent.conv.split(":", 1)[1]
                native = f"{post_id}_{3_000_000_000_000 + self.seq * 17}"
                mid, conv = f"facebook:{native}", parent.conv
            platform = "facebook"
        else:
            self.disqus_seq += 1
            if parent is None:
                native = str(7_000_000 + self.disqus_seq)
                mid = conv = f"blog:disqus:t{native}"
            else:
                native = str(9_000_000_000 + self.disqus_seq * 11)
                mid, conv = f"blog:disqus:{native}", parent.conv
            platform = "blog"
        return self._add(Msg(mid=mid, platform=platform, native=native, conv=conv,
                             parent=parent.mid if parent else None, author=author, created=created, text=text,
                             lang=lang, series=f"{fmt}:{brand.id}", brand=brand.id if is_brand else None,
                             addresses=() if is_brand else (brand.id,), intent=intent, deflection=deflection,
                             title=title))

    def _ext_brand_author(self, brand: Brand, fmt: str) -> str:
        return {"twcs": lambda: brand.formats["twcs"], "bluesky": lambda: self.bsky_dids[brand.id],
                "facebook": lambda: brand.formats["facebook"][0], "disqus": lambda: brand.formats["disqus"]}[fmt]()

    def _ext_ref(self, brand: Brand, fmt: str) -> str:
        """How a customer names the brand in an extra format."""
        rng = self.rng
        if fmt == "twcs" and rng.random() < 0.85:
            return "@" + brand.formats["twcs"]
        if fmt == "bluesky" and rng.random() < 0.75:
            return "@" + brand.formats["bluesky"]
        return rng.choice(brand.aliases)

    def _ext_to(self, fmt: str, cust: Customer) -> str:
        """Prefix of a brand reply addressing the customer."""
        if fmt == "twcs":
            return f"@{cust.uid} "  # customer handles are anonymised to their numbers
        if fmt == "bluesky":
            return f"@{cust.handle} "
        return ""

    def _after(self, brand: Brand, when: datetime, after: datetime) -> datetime:
        """``when``, or a few minutes after ``after`` when it is not later (in business hours for
        brands that only answer then)."""
        if when > after:
            return when
        when = after + timedelta(seconds=self.rng.randrange(30, 300))
        if brand.business_only and not brand.is_open(when):
            when = brand.next_open(when)[0] + timedelta(seconds=self.rng.randrange(60, 1800))
        return when

    def _ext_case(self, brand: Brand, fmt: str, t: datetime, root: Msg | None) -> None:
        """A customer opening (replying to ``root``, a brand post, when given), the brand's answer
        and follow-ups: the same behaviour as on X."""
        rng = self.rng
        if t >= self.limit:
            return
        cust = self._ext_customer(brand, fmt)
        intent = _pick(rng, INTENT_WEIGHTS)
        text = self._template(cust.lang, brand.sector, intent).format(b=self._ext_ref(brand, fmt))
        if fmt == "twcs" and not text.startswith("@"):
            text = f"@{brand.formats['twcs']} " + text
        opening = self._ext_msg(fmt, brand, author=cust.uid, created=t, text=text, lang=cust.lang, parent=root,
                                intent=intent)
        if rng.random() >= self._p_respond(brand, intent, None):
            return
        limit = self.reply_limit[brand.id]
        when = self._after(brand, self._reply_time(brand, t, t), t)
        if when >= limit:
            return
        author = self._ext_brand_author(brand, fmt)
        deflect = self._deflect(brand)
        reply = self._ext_msg(fmt, brand, author=author, created=when, lang=cust.lang, parent=opening, is_brand=True,
                              deflection=deflect, text=self._ext_to(fmt, cust)
                              + self._reply_body(brand, cust.first, cust.lang, intent, deflect, when))
        kind = self._follow_kind(intent, deflect)
        if kind is None:
            return
        tf = self._follow_up_at(when)
        if tf is None:
            return
        # Facebook replies are one level deep: a follow-up's parent is the customer's own comment
        follow_parent = opening if fmt == "facebook" else reply
        follow = self._ext_follow(brand, fmt, cust, follow_parent, kind, tf)
        if kind in ("thanks", "neutral") or rng.random() >= 0.5:
            return
        when2 = self._after(brand, self._reply_time(brand, t, tf), tf)
        if when2 >= limit:
            return
        deflect2 = self._deflect(brand, 1.3)
        reply2 = self._ext_msg(fmt, brand, author=author, created=when2, lang=cust.lang, parent=follow, is_brand=True,
                               deflection=deflect2, text=self._ext_to(fmt, cust)
                               + self._reply_body(brand, cust.first, cust.lang, "still", deflect2, when2))
        if rng.random() < 0.5:
            tf2 = when2 + timedelta(seconds=rng.randrange(120, 6 * 3600))
            if tf2 < self.limit:
                self._ext_follow(brand, fmt, cust, opening if fmt == "facebook" else reply2,
                                 _pick(rng, {"thanks": 0.55, "neutral": 0.25, "still": 0.2}), tf2)

    def _ext_follow(self, brand: Brand, fmt: str, cust: Customer, parent: Msg, kind: str, tf: datetime) -> Msg:
        f_intent, _sentiment, thanks = T.FOLLOW_UP_KIND[kind]
        text = self.rng.choice(T.FOLLOW_UP[cust.lang][kind])
        if fmt == "twcs":
            text = f"@{brand.formats['twcs']} " + text
        elif fmt == "bluesky":
            text = f"@{brand.formats['bluesky']} " + text
        else:
            text = text[0].upper() + text[1:]
        m = self._ext_msg(fmt, brand, author=cust.uid, created=tf, text=text, lang=cust.lang, parent=parent,
                          intent=f_intent)
        m.thanks = thanks
        return m

    def _generate_extra(self) -> None:
        """Cases in the extra formats: twcs and Bluesky like X (some replying to a brand post on
        Bluesky), Facebook and Disqus as comments on brand posts / threads."""
        rng = self.rng
        units = [(b, fmt) for b in self.brands for fmt in ("twcs", "bluesky", "facebook", "disqus")
                 if fmt in b.formats]
        if not units:
            return
        for b in self.brands:
            if "bluesky" in b.formats:
                self.bsky_dids[b.id] = "did:plc:" + "".join(rng.choice(B32) for _ in range(24))
        per_unit_day = self.budget * self.extra_share / len(units) / MSGS_PER_CASE / self.days
        for brand, fmt in units:
            lang = self._brand_lang(brand)
            author = self._ext_brand_author(brand, fmt)
            root = None
            for d in range(self.days):
                day_start = self.start + timedelta(days=d)
                n = int(per_unit_day * rng.uniform(0.7, 1.3) + rng.random())
                if fmt in ("facebook", "disqus") or (fmt == "bluesky" and d % 5 == 2):
                    # a brand post every few days; customers comment on the newest one
                    if root is None or d % 3 == 0 or fmt == "bluesky":
                        pt = self._opening_time(brand, day_start)
                        while not brand.is_open(pt) and pt.astimezone(brand.tz).hour < 8:
                            pt = self._opening_time(brand, day_start)
                        if pt < self.limit:
                            title, body = rng.choice(T.ANNOUNCEMENT[lang])
                            root = self._ext_msg(fmt, brand, author=author, created=pt, lang=lang, parent=None,
                                                 is_brand=True, text=title if fmt == "disqus" else body, title=title)
                for _ in range(n):
                    t = self._opening_time(brand, day_start)
                    if fmt in ("facebook", "disqus") or (fmt == "bluesky" and root is not None and rng.random() < 0.3):
                        if root is None:
                            continue
                        t = max(t, root.created + timedelta(seconds=rng.randrange(60, 3600)))
                        self._ext_case(brand, fmt, t, root)
                    else:
                        self._ext_case(brand, fmt, t, None)
        # a twcs tweet whose text spans two lines (a quoted CSV field with a newline)
        multi = next((m for m in self._ext_msgs("twcs") if m.brand is None and ", " in m.text), None)
        if multi is not None:
            multi.text = multi.text.replace(", ", ",\n", 1)

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

    # ---- writing the extra formats ------------------------------------------------------------

    def _ext_msgs(self, fmt: str, brand_id: str | None = None) -> list[Msg]:
        pre = f"{fmt}:"
        return [self.msgs[k] for k in self.order
                if self.msgs[k].series.startswith(pre) and (brand_id is None or self.msgs[k].series == pre + brand_id)]

    def _write_twcs(self, out: Path) -> dict[str, dict]:
        import csv
        import io

        rng = self.rng
        files: dict[str, dict] = {}
        for brand in self.brands:
            msgs = sorted(self._ext_msgs("twcs", brand.id), key=lambda m: (m.created, int(m.native)))
            if not msgs:
                continue
            children: dict[str, list[str]] = {}
            for m in msgs:
                if m.parent:
                    children.setdefault(m.parent, []).append(m.native)
            rows = []
            for m in msgs:
                parent = self.msgs[m.parent].native if m.parent else ""
                if parent and int(m.native) % 4:
                    parent += ".0"  # pandas dumps: a column with gaps is written as floats
                rows.append([m.native, m.author, "False" if m.brand else "True", _fmt_v11(m.created), m.text,
                             ",".join(children.get(m.mid, [])), parent])
            # malformed rows, next to the row they were copied from: a date that is not one, no author
            n_bad = 0
            for kind in ("bad_date", "no_author"):
                i = rng.randrange(len(rows))
                row = list(rows[i])
                self.twcs_seq += 1
                row[0] = str(self.twcs_seq * 3)
                row[5] = ""
                if kind == "bad_date":
                    row[3] = "not-a-date"
                else:
                    row[1] = ""
                rows.insert(i + 1, row)
                n_bad += 1
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
                        "in_response_to_tweet_id"])
            w.writerows(rows)
            fname = f"twcs/twcs_{brand.id}.csv"
            (out / "twcs").mkdir(parents=True, exist_ok=True)
            (out / fname).write_text(buf.getvalue(), encoding="utf-8")
            files[fname] = {"format": "twcs", "records_read": len(rows), "records_quarantined": n_bad}
        return files

    def _bsky_handles(self) -> dict[str, str]:
        handles = {self.bsky_dids[b.id]: b.formats["bluesky"] for b in self.brands if b.id in self.bsky_dids}
        for (fmt, _lang), pool in self.ext_customers.items():
            if fmt == "bluesky":
                for c in pool:
                    handles[c.uid] = c.handle
        return handles

    def _bsky_record(self, m: Msg, handle_dids: dict[str, str], text: str | None = None) -> dict:
        text = m.text if text is None else text
        rec: dict = {"$type": "app.bsky.feed.post", "text": text, "createdAt": _fmt_x(m.created), "langs": [m.lang]}
        facets = []
        for match in re.finditer(r"(?<![\w.])@([a-z0-9.-]+\.bsky\.social)", text):
            did = handle_dids.get(match.group(1))
            if did:
                start = len(text[:match.start()].encode("utf-8"))
                end = len(text[:match.end()].encode("utf-8"))
                facets.append({"index": {"byteStart": start, "byteEnd": end},
                               "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}]})
        if facets:
            rec["facets"] = facets
        if m.parent:
            root, parent = self.msgs[m.conv], self.msgs[m.parent]
            rec["reply"] = {"root": {"uri": _at_uri(root), "cid": _cid(root.mid)},
                            "parent": {"uri": _at_uri(parent), "cid": _cid(parent.mid)}}
        return rec

    def _write_bluesky(self, out: Path) -> dict[str, dict]:
        rng = self.rng
        msgs = sorted(self._ext_msgs("bluesky"), key=lambda m: (m.created, m.mid))
        if not msgs:
            return {}
        handles = self._bsky_handles()
        handle_dids = {h: d for d, h in handles.items()}
        customers = [m for m in msgs if m.brand is None]
        openers = [m for m in customers if m.parent is None
                   or (self.msgs[m.parent].brand is not None and self.msgs[m.parent].parent is None)]
        edited = {m.mid for m in rng.sample(openers, min(3, len(openers)))}
        follow_ups = [m for m in customers if m.parent and self.msgs[m.parent].brand is not None
                      and m.mid not in edited and m.thanks is False and m.intent == "complaint"]
        deleted = {m.mid for m in rng.sample(follow_ups, min(2, len(follow_ups)))}
        events: list[tuple[int, int, dict]] = []  # (time_us, order, event)
        for i, m in enumerate(msgs):
            did, rkey = m.native.split("/")
            us = int(m.created.timestamp()) * 1_000_000 + rng.randrange(1000, 900_000)
            text = m.text + " …" if m.mid in edited else m.text
            events.append((us, i, {"did": did, "time_us": us, "kind": "commit", "commit": {
                "rev": _tid(us + 1), "operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey,
                "record": self._bsky_record(m, handle_dids, text), "cid": _cid(m.mid)}}))
            if m.mid in edited:  # the newest version drops the trailing ellipsis
                us2 = us + rng.randrange(60, 300) * 1_000_000
                events.append((us2, i, {"did": did, "time_us": us2, "kind": "commit", "commit": {
                    "rev": _tid(us2 + 1), "operation": "update", "collection": "app.bsky.feed.post", "rkey": rkey,
                    "record": self._bsky_record(m, handle_dids), "cid": _cid(m.mid + "@2")}}))
            if m.mid in deleted:  # a deleted post stays a message (flagged deleted)
                us3 = min(us + rng.randrange(3600, 86400) * 1_000_000,
                          int((self.limit - timedelta(minutes=1)).timestamp()) * 1_000_000)
                events.append((us3, i, {"did": did, "time_us": us3, "kind": "commit", "commit": {
                    "rev": _tid(us3 + 1), "operation": "delete", "collection": "app.bsky.feed.post", "rkey": rkey}}))
        events.sort(key=lambda e: (e[0], e[1]))
        lines = [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for _, _, e in events]
        # records the reader quarantines: a like (excluded), a createdAt without zone, a truncated line
        n_bad = 0
        likers = [d for d in handles if d not in self.bsky_dids.values()]
        if customers and len(likers) > 1:
            like_src = customers[len(customers) // 2]
            liker = next(d for d in likers if d != like_src.author)
            us = events[len(events) // 2][0] + 5
            like = {"did": liker, "time_us": us, "kind": "commit", "commit": {
                "rev": _tid(us), "operation": "create", "collection": "app.bsky.feed.like", "rkey": _tid(us + 2),
                "record": {"$type": "app.bsky.feed.like",
                           "subject": {"uri": _at_uri(like_src), "cid": _cid(like_src.mid)},
                           "createdAt": _fmt_x(like_src.created + timedelta(minutes=5))}, "cid": _cid("like")}}
            lines.insert(len(lines) // 2 + 1, json.dumps(like, separators=(",", ":")))
            n_bad += 1
        pos = next((i for i in range(len(lines) // 3, len(lines))
                    if '"operation":"create","collection":"app.bsky.feed.post"' in lines[i]), None)
        if pos is not None:
            naive = json.loads(lines[pos])
            naive["commit"]["rkey"] = _tid(naive["time_us"] + 7)
            naive["commit"]["record"]["createdAt"] = naive["commit"]["record"]["createdAt"][:19]
            lines.insert(pos + 1, json.dumps(naive, ensure_ascii=False, separators=(",", ":")))
            n_bad += 1
        cut = 2 * len(lines) // 3
        lines.insert(cut, lines[cut][:57])  # a truncated event: not JSON
        n_bad += 1
        # split into files of ~1500 events; each file starts with the identity events of its DIDs
        files: dict[str, dict] = {}
        (out / "bluesky").mkdir(parents=True, exist_ok=True)
        size = -(-len(lines) // -(-len(lines) // 1500))  # ~1500 events a file, files of equal size
        chunks = [lines[i:i + size] for i in range(0, len(lines), size)]
        for n, chunk in enumerate(chunks, 1):
            dids: list[str] = []
            for line in chunk:
                for d in re.findall(r'"did":"(did:plc:[a-z2-7]+)"', line):
                    if d not in dids and d in handles:
                        dids.append(d)
            t0 = int(self.start.timestamp()) * 1_000_000 if n == 1 else json.loads(chunk[0])["time_us"] - 1000
            ident = [json.dumps({"did": d, "time_us": t0 + i, "kind": "identity",
                                 "identity": {"did": d, "handle": handles[d], "seq": 1000 + i, "time": _fmt_x(self.start)}},
                                separators=(",", ":")) for i, d in enumerate(sorted(dids))]
            fname = f"bluesky/jetstream_{n}.jsonl"
            (out / fname).write_text("\n".join(ident + chunk) + "\n", encoding="utf-8")
            bad = sum(1 for line in chunk if not _is_json(line) or '"app.bsky.feed.like"' in line
                      or re.search(r'"createdAt":"[^"Z]*"', line))
            files[fname] = {"format": "bluesky", "records_read": len(ident) + len(chunk), "records_quarantined": bad}
        assert sum(f["records_quarantined"] for f in files.values()) == n_bad
        return files

    def _write_facebook(self, out: Path) -> dict[str, dict]:
        rng = self.rng
        files: dict[str, dict] = {}
        for brand in self.brands:
            msgs = self._ext_msgs("facebook", brand.id)
            if not msgs:
                continue
            page_id, page_name = brand.formats["facebook"]
            posts = sorted((m for m in msgs if m.parent is None), key=lambda m: m.created, reverse=True)
            comments: dict[str, list[Msg]] = {}
            for m in msgs:
                if m.parent is not None:
                    comments.setdefault(m.conv, []).append(m)
            n_children: dict[str, int] = {}
            for m in msgs:
                if m.parent and self.msgs[m.parent].parent is not None:
                    n_children[m.parent] = n_children.get(m.parent, 0) + 1

            def frm(m: Msg) -> dict:
                if m.brand:
                    return {"id": page_id, "name": page_name}
                return {"id": m.author, "name": self.ext_names[m.author]}

            pages = [posts[i:i + 8] for i in range(0, len(posts), 8)]
            (out / "facebook").mkdir(parents=True, exist_ok=True)
            for pi, page_posts in enumerate(pages):
                data = []
                n_records = n_bad = 0
                for post in page_posts:
                    cs = []
                    for c in sorted(comments.get(post.conv, []), key=lambda m: (m.created, m.mid)):
                        obj: dict = {"id": c.native, "message": c.text, "created_time": _fmt_fb(c.created),
                                     "from": frm(c), "like_count": rng.randrange(0, 4),
                                     "comment_count": n_children.get(c.mid, 0)}
                        if self.msgs[c.parent].parent is not None:
                            obj["parent"] = {"id": self.msgs[c.parent].native}
                        cs.append(obj)
                    data.append({"id": post.native, "message": post.text, "created_time": _fmt_fb(post.created),
                                 "from": {"id": page_id, "name": page_name},
                                 "permalink_url": f"https://www.facebook.com/{page_id}/posts/{post.native.split('_')[1]}",
                                 "comments": {"data": cs, "summary": {"total_count": len(cs)}}})
                    n_records += 1 + len(cs)
                # quarantined: a comment read without a page token (no "from"), a hidden comment
                host = next((d for d in data if d["comments"]["data"]), None)
                if host is not None and pi in (0, len(pages) - 1):
                    src = host["comments"]["data"][0]
                    post_key = host["id"].split("_")[1]
                    self.seq += 1
                    bad = {k: v for k, v in src.items() if k not in ("from", "parent")}
                    bad["id"] = f"{post_key}_{3_000_000_000_000 + self.seq * 17}"
                    if pi == 0:
                        bad.pop("from", None)
                    else:
                        bad["from"] = dict(src["from"])
                        bad["is_hidden"] = True
                    host["comments"]["data"].insert(1, bad)
                    n_records += 1
                    n_bad += 1
                page: dict = {"data": data, "paging": {"cursors": {
                    "before": hashlib.sha1(f"{brand.id}:b{pi}".encode()).hexdigest()[:24],
                    "after": hashlib.sha1(f"{brand.id}:a{pi}".encode()).hexdigest()[:24]}}}
                if pi < len(pages) - 1:
                    page["paging"]["next"] = (f"https://graph.facebook.com/v19.0/{page_id}/posts?"
                                              f"fields=comments&after={page['paging']['cursors']['after']}")
                fname = f"facebook/{brand.id}_comments_{pi + 1}.json"
                (out / fname).write_text(json.dumps(page, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
                files[fname] = {"format": "facebook_graph", "records_read": n_records, "records_quarantined": n_bad}
        return files

    def _write_disqus(self, out: Path) -> dict[str, dict]:
        files: dict[str, dict] = {}
        for brand in self.brands:
            msgs = self._ext_msgs("disqus", brand.id)
            if not msgs:
                continue
            forum = brand.id.replace("_", "")
            threads = [m for m in msgs if m.parent is None]
            posts = sorted((m for m in msgs if m.parent is not None), key=lambda m: (m.created, m.mid))
            lines = ['<?xml version="1.0" encoding="utf-8"?>',
                     '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals"'
                     ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
                     f'  <category dsq:id="{brand.index + 1}"><forum>{forum}</forum><title>General</title>'
                     '<isDefault>true</isDefault></category>']
            for t in threads:
                slug = _fold(t.title or "").lower().replace(" ", "-").replace("'", "")
                lines += [f'  <thread dsq:id="{t.native}">',
                          f'    <id>{slug}-{t.native}</id>', f'    <forum>{forum}</forum>',
                          f'    <category dsq:id="{brand.index + 1}"/>',
                          f'    <link>https://{brand.domain}/blog/{slug}-{t.native}/</link>',
                          f'    <title>{escape(t.title or "")}</title>', '    <message/>',
                          f'    <createdAt>{_fmt_z(t.created)}</createdAt>',
                          f'    <author><name>{escape(t.author)}</name><isAnonymous>false</isAnonymous></author>',
                          '    <isClosed>false</isClosed>', '    <isDeleted>false</isDeleted>', '  </thread>']
            # quarantined: a deleted comment and a spam comment (copies with their own ids)
            extra = []
            if posts:
                for kind in ("deleted", "spam"):
                    src = posts[len(posts) // (2 if kind == "deleted" else 3)]
                    self.disqus_seq += 1
                    extra.append((src, kind, str(9_000_000_000 + self.disqus_seq * 11)))
            n_records = len(threads)
            n_bad = 0
            for p in posts:
                for src, kind, native in [(p, None, p.native)] + [e for e in extra if e[0] is p]:
                    a = src.author
                    if src.brand:
                        author = f"<name>{escape(a)}</name><isAnonymous>false</isAnonymous>"
                    elif " " in a:  # anonymous guest: display name only
                        author = f"<name>{escape(a)}</name><isAnonymous>true</isAnonymous>"
                    else:
                        author = (f"<name>{escape(self.ext_names[a])}</name><isAnonymous>false</isAnonymous>"
                                  f"<username>{escape(a)}</username>")
                    parent = self.msgs[src.parent]
                    lines += [f'  <post dsq:id="{native}">', '    <id/>',
                              f'    <message><![CDATA[<p>{escape(src.text)}</p>]]></message>',
                              f'    <createdAt>{_fmt_z(src.created)}</createdAt>',
                              f'    <isDeleted>{"true" if kind == "deleted" else "false"}</isDeleted>',
                              f'    <isSpam>{"true" if kind == "spam" else "false"}</isSpam>',
                              f'    <author>{author}</author>',
                              f'    <thread dsq:id="{self.msgs[src.conv].native}"/>']
                    if parent.parent is not None:
                        lines.append(f'    <parent dsq:id="{parent.native}"/>')
                    lines.append('  </post>')
                    n_records += 1
                    n_bad += kind is not None
            lines += ['</disqus>', '']
            fname = f"disqus/{brand.id}_disqus.xml"
            (out / "disqus").mkdir(parents=True, exist_ok=True)
            (out / fname).write_text("\n".join(lines), encoding="utf-8")
            files[fname] = {"format": "disqus", "records_read": n_records, "records_quarantined": n_bad}
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
            ch = b.formats
            lines.append(f"      x: [{', '.join(b.x + ([ch['twcs']] if 'twcs' in ch else []))}]")
            if "bluesky" in ch:
                lines.append(f"      bluesky: [{ch['bluesky']}]")
            if "facebook" in ch:
                lines.append(f"      facebook: [{q(ch['facebook'][0])}]")
            blog = [a for a in (b.blog, ch.get("disqus")) if a]
            if blog:
                lines.append(f"      blog: [{', '.join(q(a) for a in dict.fromkeys(blog))}]")
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
    # customer messages by (conversation, author): for the customer's last word after a reply
    by_author: dict[tuple, list[Msg]] = {}
    for m in posts.values():
        if m.brand is None:
            by_author.setdefault((m.conv, m.author), []).append(m)
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
        followers = gen.followers(platform, customer)
        later = [m for m in by_author.get((conv, customer), []) if first is not None and m.created > first.created]
        last_word = max(later, key=lambda m: (m.created, m.mid)) if later else None
        opening_sentiment = opener.sentiment
        assert opening_sentiment == "negative" if opener.intent == "complaint" else opening_sentiment != "negative"
        cases.append({
            "brand_id": b, "platform": platform, "conversation_id": conv, "customer_id": customer,
            "opened_message_id": opener.mid, "opened_at": _fmt_z(opened), "intent": opener.intent,
            "responded": first is not None,
            "first_response_at": _fmt_z(first.created) if first else None,
            "first_response_min": (first.created - opened).total_seconds() / 60 if first else None,
            "first_response_business_min": brand.open_seconds(opened, first.created) / 60 if first else None,
            "opening_sentiment": opening_sentiment,
            "resolved": last_word is not None and (last_word.sentiment == "positive" or last_word.thanks),
            "recovered": opening_sentiment == "negative" and last_word is not None
            and last_word.sentiment != "negative",
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

    # brand replies: brand messages replying to a case's customer (every brand message whose parent
    # is a customer message: the parent's author has a case with the brand in that conversation,
    # opened at or before the parent), by the reply's own local month; canned by the definition
    brand_replies: dict[tuple, list[Msg]] = {}
    for m in posts.values():
        if m.brand is not None and m.parent and posts[m.parent].brand is None:
            brand_replies.setdefault((m.brand, gen.by_id[m.brand].period(m.created)), []).append(m)
    canned: set[str] = set()
    for replies in brand_replies.values():
        canned |= _canned_ids(replies)
    reply_counts: dict[tuple, list[int]] = {}
    for (b, period), replies in brand_replies.items():
        for r in replies:
            counts = reply_counts.setdefault((b, r.platform, period), [0, 0])
            counts[0] += 1
            counts[1] += r.mid in canned

    groups: dict[tuple, list[dict]] = {}
    for c in cases:
        period = gen.by_id[c["brand_id"]].period(c["_opened"])
        groups.setdefault((c["brand_id"], c["platform"], period), []).append(c)
    keys = set(groups) | set(mentions)  # rows: brand-months with a case or a mention
    assert set(amplification) <= keys
    rows = []
    platform_order = {"all": 0, **{pl: i + 1 for i, pl in enumerate(PLATFORMS)}}
    all_keys = {(b, "all", p) for b, _, p in keys}
    # every brand reply falls in a row (see _Gen.reply_limit); checked by the tests
    gen.replies_outside_rows = sum(n for k, (n, _) in reply_counts.items() if k not in keys)
    for key in sorted(keys | all_keys, key=lambda k: (k[0], k[2], platform_order[k[1]])):
        b, platform, period = key
        pls = PLATFORMS if platform == "all" else (platform,)
        cs = [c for pl in pls for c in groups.get((b, pl, period), [])]
        n_mentions = sum(mentions.get((b, pl, period), 0) for pl in pls)
        n_amp = sum(amplification.get((b, pl, period), 0) for pl in pls)
        n_replies = sum(reply_counts.get((b, pl, period), [0, 0])[0] for pl in pls)
        n_canned = sum(reply_counts.get((b, pl, period), [0, 0])[1] for pl in pls)
        rows.append(_scorecard(gen.by_id[b], platform, period, cs, n_mentions, n_amp, n_replies, n_canned))
    for c in cases:
        del c["_opened"]
    return cases, rows, horizon


def _canned_ids(replies: list[Msg]) -> set[str]:
    """Ids of the canned replies among one brand-month's brand replies.

    A reply is canned when at least CANNED_MIN_REPLIES replies of the group, itself included,
    have a normalised text whose word-set Jaccard similarity with its own is >= CANNED_SIMILARITY;
    an empty normalised text is never canned.
    """
    by_set: dict[frozenset, list[str]] = {}
    for r in replies:
        by_set.setdefault(_words(r.text), []).append(r.mid)
    index = _SimIndex(4, 5)
    sets = sorted(by_set, key=lambda w: sorted(w))
    for w in sets:
        index.add(w)
    out: set[str] = set()
    for w in sets:
        n = sum(len(by_set[sets[i]]) for i in index.similar(w))
        if w and n >= CANNED_MIN_REPLIES:
            out.update(by_set[w])
    return out


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _scorecard(brand: Brand, platform: str, period: str, cs: list[dict], n_mentions: int,
               n_amp: int, n_replies: int, n_canned: int) -> dict:
    actionable = [c for c in cs if c["intent"] in ("complaint", "question")]
    responded = [c for c in actionable if c["responded"]]
    negative = [c for c in responded if c["opening_sentiment"] == "negative"]
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
        "brand_id": brand.id, "platform": platform, "period_start": period,
        "mentions": n_mentions, "amplification": n_amp,
        "cases": len(cs), "actionable_cases": len(actionable), "responded_cases": len(responded),
        "response_rate": _rate(len(responded), len(actionable)),
        "median_first_response_min": _median([c["first_response_min"] for c in responded]),
        "median_first_response_business_min": _median([c["first_response_business_min"] for c in responded]),
        "sla_met_rate": _rate(sum(c["first_response_min"] <= brand.sla_minutes for c in responded),
                              len(actionable)),
        "deflection_rate": _rate(sum(c["deflected"] for c in responded), len(responded)),
        "resolution_rate": _rate(sum(c["resolved"] for c in responded), len(responded)),
        "recovery_rate": _rate(sum(c["recovered"] for c in negative), len(negative)),
        "off_hours_response_rate": _rate(sum(c["responded"] for c in off), len(off)),
        "equity_index": equity,
        "brand_replies": n_replies,
        "canned_reply_share": _rate(n_canned, n_replies),
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
    gen._generate_extra()
    cases, rows, horizon = compute_truth(gen)

    out.mkdir(parents=True, exist_ok=True)
    for pattern in ("x/search_*.json", "blog/*_wordpress.xml", "twcs/twcs_*.csv", "bluesky/jetstream_*.jsonl",
                    "facebook/*_comments_*.json", "disqus/*_disqus.xml"):
        for old in sorted(out.glob(pattern)):
            old.unlink()
    gen._write_brands(out)
    files = gen._write_x(out)
    files.update(gen._write_blog(out))
    files.update(gen._write_twcs(out))
    files.update(gen._write_bluesky(out))
    files.update(gen._write_facebook(out))
    files.update(gen._write_disqus(out))
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
        "files_by_format": {fmt: sum(1 for f in files.values() if f["format"] == fmt)
                            for fmt in sorted({f["format"] for f in files.values()})},
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
