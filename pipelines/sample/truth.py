"""The truth oracle: the metric definitions (docs/metrics.md) applied to the planted message graph.

Independent of the pipeline on purpose: it reads the planted messages and labels (intent,
sentiment, thanks, deflection, the brands a message addresses), never the written files, and it
imports nothing from the pipeline. Business minutes (:meth:`Brand.open_seconds`), off hours,
the response window, resolution, recovery, canned replies (word-set Jaccard after
``similarity.canned_normalise``), follower bands and equity are computed here again, so that a
mistake in the pipeline's SQL or Python shows as a difference with ``truth.json``.

The per-message labels are a parameter of :func:`compute_truth` (:class:`Labels`): by default
the planted ones (:func:`planted_labels`, what ``truth.json`` holds). Given the labels a
classifier gave the same messages, it applies the same definitions to them, so that the
aggregation and the metric definitions can be checked exactly whatever the classifier reads in
the texts: :func:`planted_world` rebuilds the planted world from the generator arguments of
``truth.json``, and nothing but the labels comes from the pipeline.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from pipelines.sample.brand_calendar import Brand
from pipelines.sample.model import (
    BAND_EDGES,
    EQUITY_MIN_CASES,
    PLATFORMS,
    RESPONSE_WINDOW,
    Msg,
    _fmt_z,
)
from pipelines.sample.replicate import BASE_MAX, replica_count
from pipelines.sample.sim_archive import generate_archive
from pipelines.sample.sim_blog import generate_blog
from pipelines.sample.sim_extra import generate_extra
from pipelines.sample.sim_x import generate_cross, generate_x
from pipelines.sample.similarity import CANNED_MIN_REPLIES, _SimIndex, _words
from pipelines.sample.world import World


@dataclass(frozen=True)
class Labels:
    """The per-message classifications the metric definitions read, by message id.

    ``intent``, ``sentiment`` and ``thanks`` of customer messages, ``deflection`` (channel or
    None) of brand messages; ``brand_sentiment``: for a message addressing several brands, the
    sentiment of what it says about each one, by (message id, brand id), when it differs from
    the message's own (a case's opening sentiment is that, else the message's sentiment).
    """

    intent: Mapping[str, str | None]
    sentiment: Mapping[str, str | None]
    thanks: Mapping[str, bool]
    deflection: Mapping[str, str | None]
    brand_sentiment: Mapping[tuple[str, str], str | None] = field(default_factory=dict)

    def opening_sentiment(self, message_id: str, brand_id: str) -> str | None:
        by_brand = self.brand_sentiment.get((message_id, brand_id))
        return by_brand if by_brand is not None else self.sentiment[message_id]


def planted_world(generator: Mapping) -> World:
    """The world ``generate_sample`` plants for ``generator`` (the arguments recorded in
    ``truth.json``: brands, days, seed, messages, end), without writing anything. Only
    single-replica samples: a replica's messages are renamed copies the world does not hold."""
    messages = generator["messages"]
    if replica_count(messages, BASE_MAX) != 1:
        raise ValueError(f"{messages} messages make a sample of several replicas: relabel a smaller one")
    gen = World(
        generator["brands"], generator["days"], generator["seed"], messages, date.fromisoformat(generator["end"])
    )
    generate_x(gen)
    generate_cross(gen)
    generate_blog(gen)
    generate_extra(gen)
    generate_archive(gen)
    return gen


def planted_labels(gen: World) -> Labels:
    """The labels the generator planted on every message of ``gen``."""
    posts = [m for m in gen.msgs.values() if m.kind == "post"]
    customer = [m for m in posts if m.brand is None]
    return Labels(
        intent={m.mid: m.intent for m in customer},
        sentiment={m.mid: m.sentiment for m in customer},
        thanks={m.mid: m.thanks for m in customer},
        deflection={m.mid: m.deflection for m in posts if m.brand is not None},
    )


def _band(followers: int) -> int:
    return sum(followers >= e for e in BAND_EDGES)


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def compute_truth(gen: World, labels: Labels | None = None) -> tuple[list[dict], list[dict], datetime]:
    """Cases, monthly scorecard rows and data horizon of ``gen`` under ``labels`` (default: the
    planted labels, which must be consistent: a complaint opens negative, nothing else does)."""
    planted = labels is None
    labels = planted_labels(gen) if labels is None else labels
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
        replies = [
            r
            for r in brand_msgs.get((conv, b), [])
            if r.parent and posts[r.parent].brand is None and posts[r.parent].author == customer and r.created >= opened
        ]
        inside = sorted((r for r in replies if r.created <= opened + RESPONSE_WINDOW), key=lambda r: (r.created, r.mid))
        first = inside[0] if inside else None
        followers = gen.followers(platform, customer)
        later = [m for m in by_author.get((conv, customer), []) if first is not None and m.created > first.created]
        last_word = max(later, key=lambda m: (m.created, m.mid)) if later else None
        intent = labels.intent[opener.mid]
        opening_sentiment = labels.opening_sentiment(opener.mid, b)
        if planted:
            assert opening_sentiment == "negative" if intent == "complaint" else opening_sentiment != "negative"
        last_sentiment = labels.sentiment[last_word.mid] if last_word is not None else None
        cases.append(
            {
                "brand_id": b,
                "platform": platform,
                "conversation_id": conv,
                "customer_id": customer,
                "opened_message_id": opener.mid,
                "opened_at": _fmt_z(opened),
                "intent": intent,
                "responded": first is not None,
                "first_response_at": _fmt_z(first.created) if first else None,
                "first_response_min": (first.created - opened).total_seconds() / 60 if first else None,
                "first_response_business_min": brand.open_seconds(opened, first.created) / 60 if first else None,
                "opening_sentiment": opening_sentiment,
                "resolved": last_word is not None and (last_sentiment == "positive" or labels.thanks[last_word.mid]),
                "recovered": opening_sentiment == "negative" and last_word is not None and last_sentiment != "negative",
                "deflected": any(labels.deflection[r.mid] is not None for r in inside),
                "off_hours": not brand.is_open(opened),
                "author_followers": followers,
                "_opened": opened,
            }
        )
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


def _scorecard(
    brand: Brand, platform: str, period: str, cs: list[dict], n_mentions: int, n_amp: int, n_replies: int, n_canned: int
) -> dict:
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
        "brand_id": brand.id,
        "platform": platform,
        "period_start": period,
        "mentions": n_mentions,
        "amplification": n_amp,
        "cases": len(cs),
        "actionable_cases": len(actionable),
        "responded_cases": len(responded),
        "response_rate": _rate(len(responded), len(actionable)),
        "median_first_response_min": _median([c["first_response_min"] for c in responded]),
        "median_first_response_business_min": _median([c["first_response_business_min"] for c in responded]),
        "sla_met_rate": _rate(sum(c["first_response_min"] <= brand.sla_minutes for c in responded), len(actionable)),
        "deflection_rate": _rate(sum(c["deflected"] for c in responded), len(responded)),
        "resolution_rate": _rate(sum(c["resolved"] for c in responded), len(responded)),
        "recovery_rate": _rate(sum(c["recovered"] for c in negative), len(negative)),
        "off_hours_response_rate": _rate(sum(c["responded"] for c in off), len(off)),
        "equity_index": equity,
        "brand_replies": n_replies,
        "canned_reply_share": _rate(n_canned, n_replies),
    }
