"""X cases: openings, tweetstorms, announcements, brand answers and follow-ups; cross-brand tweets and retweets."""

from __future__ import annotations

from datetime import datetime, timedelta

from pipelines.sample import texts_brand as TB
from pipelines.sample import texts_customer as TC
from pipelines.sample.brand_calendar import Brand
from pipelines.sample.compose import brand_ref, customer_text, reply_body
from pipelines.sample.model import (
    INTENT_WEIGHTS,
    MSGS_PER_CASE,
    RESPONSE_WINDOW,
    Customer,
    Msg,
    _pick,
)
from pipelines.sample.timing import follow_kind, follow_up_at, opening_time, reply_time
from pipelines.sample.voice import voiced
from pipelines.sample.world import World


def x_case(
    w: World,
    brand: Brand,
    t: datetime,
    *,
    mode: str = "direct",
    parent: Msg | None = None,
    intent: str | None = None,
    cust: Customer | None = None,
    force_reply: timedelta | None = None,
    series: str | None = None,
    storm: bool = False,
) -> Msg | None:
    rng = w.rng
    if t >= w.limit:
        return None
    cust = cust or w.customer(brand)
    lang = cust.lang
    series = series or brand.id
    intent = intent or _pick(rng, INTENT_WEIGHTS)
    if mode == "unnamed":
        intent = "complaint"
        text = voiced(rng, rng.choice(TC.CUSTOMER[lang][brand.sector]["unnamed"]), lang, "complaint")
        addresses: tuple = ()
    elif mode == "announce_reply":
        handle = w.users[parent.author]["username"]
        text = f"@{handle} " + customer_text(w, lang, brand.sector, intent).format(b=rng.choice(brand.aliases))
        addresses = (brand.id,)
    else:
        text = customer_text(w, lang, brand.sector, intent).format(b=brand_ref(w, brand))
        addresses = (brand.id,)
    opening = w.tweet(
        author=cust.uid,
        created=t,
        text=text,
        lang=lang,
        series=series,
        parent=parent,
        addresses=addresses,
        intent=intent,
    )
    target = opening
    if storm:
        for _ in range(rng.randint(1, 2)):
            ts = target.created + timedelta(seconds=rng.randrange(40, 400))
            if ts >= w.limit:
                break
            target = w.tweet(
                author=cust.uid,
                created=ts,
                text=voiced(rng, rng.choice(TC.STORM[lang]), lang, "complaint"),
                lang=lang,
                series=series,
                parent=target,
                intent="complaint",
                in_reply_to_user=cust.uid,
            )
    x_answer(w, brand, cust, opening, target, intent, series, mode == "unnamed", force_reply)
    return opening


def x_answer(
    w: World,
    brand: Brand,
    cust: Customer,
    opening: Msg,
    target: Msg,
    intent: str,
    series: str,
    always: bool,
    force_reply: timedelta | None,
) -> None:
    rng = w.rng
    lang = cust.lang
    limit = w.reply_limit[brand.id]
    if force_reply is not None:
        when = opening.created + force_reply
    elif always or rng.random() < w.p_respond(brand, intent, cust.followers):
        when = reply_time(w, brand, opening.created, target.created)
    else:
        when = None
    if when is not None and when <= target.created:
        when = target.created + timedelta(seconds=rng.randrange(30, 300))
    if when is None or when >= limit:
        if intent in ("complaint", "question") and rng.random() < 0.12:
            tn = target.created + timedelta(seconds=rng.randrange(2 * 3600, 20 * 3600))
            if tn < w.limit:
                w.tweet(
                    author=cust.uid,
                    created=tn,
                    lang=lang,
                    series=series,
                    parent=target,
                    text=voiced(rng, rng.choice(TC.NUDGE[lang]), lang, "still").format(b="@" + brand.x[0]),
                    addresses=(brand.id,),
                    intent="complaint",
                    in_reply_to_user=cust.uid,
                )
        return
    handle = brand.x[-1]
    deflect = w.deflect(brand)
    reply = w.tweet(
        author=brand.user_ids[handle],
        created=when,
        lang=lang,
        series=series,
        parent=target,
        brand=brand.id,
        deflection=deflect,
        text=f"@{cust.handle} " + reply_body(w, brand, cust.first, lang, intent, deflect, when),
    )
    # customer follow-ups: the customer's last word after the brand's first reply decides
    # resolved (thanks / positive) and recovered (not negative); none at all: neither
    kind = follow_kind(w, intent, deflect)
    if kind is None:
        return
    tf = follow_up_at(w, when)
    if tf is None:
        return
    follow = follow_tweet(w, brand, cust, reply, kind, tf, series)
    if kind in ("thanks", "neutral") or rng.random() >= 0.6:
        return
    when2 = reply_time(w, brand, opening.created, follow.created)
    if when2 <= follow.created:
        when2 = follow.created + timedelta(seconds=rng.randrange(30, 300))
    if when2 >= limit:
        return
    deflect2 = w.deflect(brand, 1.3)
    reply2 = w.tweet(
        author=brand.user_ids[handle],
        created=when2,
        lang=lang,
        series=series,
        parent=follow,
        brand=brand.id,
        deflection=deflect2,
        text=f"@{cust.handle} " + reply_body(w, brand, cust.first, lang, "still", deflect2, when2),
    )
    # sometimes a last word after the second reply: it overrides the earlier follow-up
    if rng.random() < 0.5:
        kind2 = _pick(rng, {"thanks": 0.55, "neutral": 0.25, "still": 0.2})
        tf2 = when2 + timedelta(seconds=rng.randrange(120, 6 * 3600))
        if tf2 < w.limit:
            follow_tweet(w, brand, cust, reply2, kind2, tf2, series)


def follow_tweet(w: World, brand: Brand, cust: Customer, reply: Msg, kind: str, tf: datetime, series: str) -> Msg:
    intent, _sentiment, thanks = TC.FOLLOW_UP_KIND[kind]
    handle = w.users[reply.author]["username"]
    m = w.tweet(
        author=cust.uid,
        created=tf,
        lang=cust.lang,
        series=series,
        parent=reply,
        text=f"@{handle} " + voiced(w.rng, w.rng.choice(TC.FOLLOW_UP[cust.lang][kind]), cust.lang, kind),
        addresses=(brand.id,),
        intent=intent,
    )
    m.thanks = thanks
    return m


def generate_x(w: World) -> None:
    rng = w.rng
    blog_share = 0.08 if any(b.blog for b in w.brands) else 0.0
    x_cases = w.budget * (1 - blog_share) * (1 - w.extra_share) / MSGS_PER_CASE
    total_w = sum(b.weight for b in w.brands)
    for brand in w.brands:
        lam = x_cases * brand.weight / total_w / w.days
        edges_planted = 0
        for d in range(w.days):
            day_start = w.start + timedelta(days=d)
            weekday = day_start.weekday()
            n = int(lam * (0.8 if weekday >= 5 else 1.05) * rng.uniform(0.8, 1.2) + rng.random())
            # share of the day's budget that goes to customers answering a brand announcement
            if d % 3 == 1 and n > 4:
                ann_t = opening_time(w, brand, day_start)
                while not brand.is_open(ann_t) and ann_t.astimezone(brand.tz).hour < 8:
                    ann_t = opening_time(w, brand, day_start)
                lang = w.brand_lang(brand)
                _title, body = rng.choice(TB.ANNOUNCEMENT[lang])
                if ann_t < w.limit:
                    ann = w.tweet(
                        author=brand.user_ids[brand.x[0]],
                        created=ann_t,
                        text=body,
                        lang=lang,
                        series=brand.id,
                        brand=brand.id,
                    )
                    k = min(n // 2, rng.randint(2, 6))
                    n -= k
                    seen: set[str] = set()
                    for _ in range(k):
                        cust = w.customer(brand)
                        if cust.uid in seen:
                            continue
                        seen.add(cust.uid)
                        t = ann_t + timedelta(seconds=int(rng.expovariate(1 / 7200)) + 60)
                        x_case(w, brand, t, mode="announce_reply", parent=ann, cust=cust)
            for _ in range(n):
                t = opening_time(w, brand, day_start)
                if edges_planted < 2 and d >= min(2, w.days - 1) and t + RESPONSE_WINDOW + timedelta(days=1) < w.limit:
                    # exactly at the window's end (inside) and one second after (outside)
                    force = RESPONSE_WINDOW + timedelta(seconds=edges_planted)
                    x_case(w, brand, t, intent="complaint", force_reply=force)
                    edges_planted += 1
                    continue
                r = rng.random()
                if r < 0.04:
                    x_case(w, brand, t, mode="unnamed")
                elif r < 0.09:
                    x_case(w, brand, t, intent=rng.choice(["complaint", "complaint", "question"]), storm=True)
                else:
                    x_case(w, brand, t)


def generate_cross(w: World) -> None:
    """Tweets naming two brands, retweets, and the horizon tweet."""
    rng = w.rng
    if len(w.brands) >= 2:
        for i in range(min(10, 2 * (len(w.brands) - 1))):
            b1 = w.brands[i % len(w.brands)]
            b2 = w.brands[(i + 1) % len(w.brands)]
            lang = w.brand_lang(b1)
            cust = rng.choice(w.customers[lang])
            intent = rng.choice(["complaint", "question"])
            t = opening_time(w, b1, w.start + timedelta(days=rng.randrange(w.days)))
            if t >= w.limit:
                continue
            text = voiced(rng, rng.choice(TC.TWO_BRANDS[lang][intent]), lang, intent).format(
                b1="@" + b1.x[0], b2="@" + b2.x[0]
            )
            opening = w.tweet(
                author=cust.uid, created=t, text=text, lang=lang, series="all", addresses=(b1.id, b2.id), intent=intent
            )
            for b in (b1, b2):
                x_answer(w, b, cust, opening, opening, intent, "all", False, None)
    # retweets of customer complaints addressing a brand
    openings = [
        m
        for m in (w.msgs[k] for k in w.order)
        if m.platform == "x" and m.brand is None and m.intent == "complaint" and m.addresses and m.parent is None
    ]
    n_rt = max(2, min(40, len(openings) // 60))
    for m in rng.sample(openings, min(n_rt, len(openings))):
        t = m.created + timedelta(seconds=rng.randrange(300, 86400))
        if t >= w.end - timedelta(days=1):  # keep retweets inside months that have cases
            continue
        orig_handle = w.users[m.author]["username"]
        rter = rng.choice(w.customers[m.lang])
        if rter.uid == m.author:
            continue
        native = w.tweet_id(t)
        w.add(
            Msg(
                mid=f"x:{native}",
                platform="x",
                native=native,
                conv=f"x:{native}",
                parent=None,
                author=rter.uid,
                created=t,
                text=f"RT @{orig_handle}: {m.text}",
                lang=m.lang,
                series="all",
                kind="repost",
                reposted=m.mid,
                metrics={"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0},
            )
        )
    # the horizon: a question at end - 2 minutes
    b = w.brands[0]
    cust = rng.choice(w.customers[w.brand_lang(b)])
    text = customer_text(w, cust.lang, b.sector, "question").format(b="@" + b.x[0])
    w.tweet(
        author=cust.uid,
        created=w.end - timedelta(minutes=2),
        text=text,
        lang=cust.lang,
        series=b.id,
        addresses=(b.id,),
        intent="question",
    )


# ---- blog ------------------------------------------------------------------------------------
