"""Cases of the extra formats (twcs, Bluesky, Facebook, Disqus): the same behaviour as on X."""

from __future__ import annotations

from datetime import datetime, timedelta

from pipelines.sample import texts_brand as TB
from pipelines.sample import texts_customer as TC
from pipelines.sample.brand_calendar import Brand
from pipelines.sample.compose import customer_text, reply_body
from pipelines.sample.model import (
    B32,
    INTENT_WEIGHTS,
    MSGS_PER_CASE,
    Customer,
    Msg,
    _fold,
    _pick,
    _tid,
)
from pipelines.sample.timing import after_reply, follow_kind, follow_up_at, opening_time, reply_time
from pipelines.sample.voice import voiced
from pipelines.sample.world import World


def ext_customer(w: World, brand: Brand, fmt: str) -> Customer:
    """A customer of an extra format: its own ids (numbers, DIDs, page-scoped ids, usernames)."""
    rng = w.rng
    lang = "es" if rng.random() < brand.es else "en"
    pool = w.ext_customers.setdefault((fmt, lang), [])
    if len(pool) >= 20 and rng.random() < 0.5:
        return rng.choice(pool)
    first = rng.choice(TC.FIRST_NAMES[lang])
    last = rng.choice(TC.LAST_NAMES[lang])
    base = _fold(f"{first}{last}").lower() + str(rng.randrange(1, 1000))
    if fmt == "twcs":
        w.twcs_seq_user += 1
        uid = handle = str(100_000 + w.twcs_seq_user * 7)
    elif fmt == "bluesky":
        uid = "did:plc:" + "".join(rng.choice(B32) for _ in range(24))
        handle = base + ".bsky.social"
    elif fmt == "facebook":
        uid = handle = str(rng.randrange(10**16, 10**17))
    else:  # disqus: a username, or an anonymous guest known by display name only ("Ana G.")
        uid = handle = f"{first} {last[0]}." if rng.random() < 0.3 else base
    if uid in w.ext_names:
        return rng.choice(pool) if pool else ext_customer(w, brand, fmt)
    cust = Customer(uid, handle, f"{first} {last}", first, lang, 0)
    w.ext_names[uid] = cust.name
    pool.append(cust)
    return cust


def ext_msg(
    w: World,
    fmt: str,
    brand: Brand,
    *,
    author: str,
    created: datetime,
    text: str,
    lang: str,
    parent: Msg | None,
    root: Msg | None = None,
    is_brand: bool = False,
    intent: str | None = None,
    deflection: str | None = None,
    title: str | None = None,
) -> Msg:
    """One message of an extra format, with that format's ids and conversation."""
    rng = w.rng
    if fmt == "twcs":
        w.twcs_seq += 1
        native = w.rid(10**6 + w.twcs_seq * 3 + rng.randrange(3))
        mid, platform = f"x:twcs:{native}", "x"
        conv = parent.conv if parent else mid  # topmost ancestor
    elif fmt == "bluesky":
        w.seq += 1
        us = int(created.timestamp() * 1_000_000) + w.seq % 1000
        rkey = _tid(us)
        w.copy_b32.add(rkey)
        native = f"{author}/{rkey}"
        mid, platform = f"bluesky:{native}", "bluesky"
        conv = parent.conv if parent else mid  # reply.root
    elif fmt == "facebook":
        w.seq += 1
        if parent is None:  # a page post '<page-id>_<post-id>' is facebook:<post-id>
            post_id = w.rid(2_000_000_000_000 + w.seq * 13)
            native = f"{brand.formats['facebook'][0]}_{post_id}"
            mid = conv = f"facebook:{post_id}"
        else:
            post_id = parent.conv.split(":", 1)[1]
            native = f"{post_id}_{w.rid(3_000_000_000_000 + w.seq * 17)}"
            mid, conv = f"facebook:{native}", parent.conv
        platform = "facebook"
    else:
        w.disqus_seq += 1
        if parent is None:
            native = w.rid(7_000_000 + w.disqus_seq)
            mid = conv = f"blog:disqus:t{native}"
        else:
            native = w.rid(9_000_000_000 + w.disqus_seq * 11)
            mid, conv = f"blog:disqus:{native}", parent.conv
        platform = "blog"
    return w.add(
        Msg(
            mid=mid,
            platform=platform,
            native=native,
            conv=conv,
            parent=parent.mid if parent else None,
            author=author,
            created=created,
            text=text,
            lang=lang,
            series=f"{fmt}:{brand.id}",
            brand=brand.id if is_brand else None,
            addresses=() if is_brand else (brand.id,),
            intent=intent,
            deflection=deflection,
            title=title,
        )
    )


def ext_brand_author(w: World, brand: Brand, fmt: str) -> str:
    return {
        "twcs": lambda: brand.formats["twcs"],
        "bluesky": lambda: w.bsky_dids[brand.id],
        "facebook": lambda: brand.formats["facebook"][0],
        "disqus": lambda: brand.formats["disqus"],
    }[fmt]()


def ext_ref(w: World, brand: Brand, fmt: str) -> str:
    """How a customer names the brand in an extra format."""
    rng = w.rng
    if fmt == "twcs" and rng.random() < 0.85:
        return "@" + brand.formats["twcs"]
    if fmt == "bluesky" and rng.random() < 0.75:
        return "@" + brand.formats["bluesky"]
    return rng.choice(brand.aliases)


def ext_to(w: World, fmt: str, cust: Customer) -> str:
    """Prefix of a brand reply addressing the customer."""
    if fmt == "twcs":
        return f"@{cust.uid} "  # customer handles are anonymised to their numbers
    if fmt == "bluesky":
        return f"@{cust.handle} "
    return ""


def ext_case(w: World, brand: Brand, fmt: str, t: datetime, root: Msg | None) -> None:
    """A customer opening (replying to ``root``, a brand post, when given), the brand's answer
    and follow-ups: the same behaviour as on X."""
    rng = w.rng
    if t >= w.limit:
        return
    cust = ext_customer(w, brand, fmt)
    intent = _pick(rng, INTENT_WEIGHTS)
    text = customer_text(w, cust.lang, brand.sector, intent).format(b=ext_ref(w, brand, fmt))
    if fmt == "twcs" and not text.startswith("@"):
        text = f"@{brand.formats['twcs']} " + text
    opening = ext_msg(w, fmt, brand, author=cust.uid, created=t, text=text, lang=cust.lang, parent=root, intent=intent)
    if rng.random() >= w.p_respond(brand, intent, None):
        return
    limit = w.reply_limit[brand.id]
    when = after_reply(w, brand, reply_time(w, brand, t, t), t)
    if when >= limit:
        return
    author = ext_brand_author(w, brand, fmt)
    deflect = w.deflect(brand)
    reply = ext_msg(
        w,
        fmt,
        brand,
        author=author,
        created=when,
        lang=cust.lang,
        parent=opening,
        is_brand=True,
        deflection=deflect,
        text=ext_to(w, fmt, cust) + reply_body(w, brand, cust.first, cust.lang, intent, deflect, when),
    )
    kind = follow_kind(w, intent, deflect)
    if kind is None:
        return
    tf = follow_up_at(w, when)
    if tf is None:
        return
    # Facebook replies are one level deep: a follow-up's parent is the customer's own comment
    follow_parent = opening if fmt == "facebook" else reply
    follow = ext_follow(w, brand, fmt, cust, follow_parent, kind, tf)
    if kind in ("thanks", "neutral") or rng.random() >= 0.5:
        return
    when2 = after_reply(w, brand, reply_time(w, brand, t, tf), tf)
    if when2 >= limit:
        return
    deflect2 = w.deflect(brand, 1.3)
    reply2 = ext_msg(
        w,
        fmt,
        brand,
        author=author,
        created=when2,
        lang=cust.lang,
        parent=follow,
        is_brand=True,
        deflection=deflect2,
        text=ext_to(w, fmt, cust) + reply_body(w, brand, cust.first, cust.lang, "still", deflect2, when2),
    )
    if rng.random() < 0.5:
        tf2 = when2 + timedelta(seconds=rng.randrange(120, 6 * 3600))
        if tf2 < w.limit:
            ext_follow(
                w,
                brand,
                fmt,
                cust,
                opening if fmt == "facebook" else reply2,
                _pick(rng, {"thanks": 0.55, "neutral": 0.25, "still": 0.2}),
                tf2,
            )


def ext_follow(w: World, brand: Brand, fmt: str, cust: Customer, parent: Msg, kind: str, tf: datetime) -> Msg:
    f_intent, _sentiment, thanks = TC.FOLLOW_UP_KIND[kind]
    text = voiced(w.rng, w.rng.choice(TC.FOLLOW_UP[cust.lang][kind]), cust.lang, kind)
    if fmt == "twcs":
        text = f"@{brand.formats['twcs']} " + text
    elif fmt == "bluesky":
        text = f"@{brand.formats['bluesky']} " + text
    else:
        text = text[0].upper() + text[1:]
    m = ext_msg(w, fmt, brand, author=cust.uid, created=tf, text=text, lang=cust.lang, parent=parent, intent=f_intent)
    m.thanks = thanks
    return m


def generate_extra(w: World) -> None:
    """Cases in the extra formats: twcs and Bluesky like X (some replying to a brand post on
    Bluesky), Facebook and Disqus as comments on brand posts / threads."""
    rng = w.rng
    units = [(b, fmt) for b in w.brands for fmt in ("twcs", "bluesky", "facebook", "disqus") if fmt in b.formats]
    if not units:
        return
    for b in w.brands:
        if "bluesky" in b.formats:
            key = "".join(rng.choice(B32) for _ in range(22)) + "22"  # ends in the replica field
            w.copy_b32.add(key)
            w.bsky_dids[b.id] = "did:plc:" + key
    per_unit_day = w.budget * w.extra_share / len(units) / MSGS_PER_CASE / w.days
    for brand, fmt in units:
        lang = w.brand_lang(brand)
        author = ext_brand_author(w, brand, fmt)
        root = None
        for d in range(w.days):
            day_start = w.start + timedelta(days=d)
            n = int(per_unit_day * rng.uniform(0.7, 1.3) + rng.random())
            # a brand post every few days; customers comment on the newest one
            if (fmt in ("facebook", "disqus") and (root is None or d % 3 == 0)) or (fmt == "bluesky" and d % 5 == 2):
                pt = opening_time(w, brand, day_start)
                while not brand.is_open(pt) and pt.astimezone(brand.tz).hour < 8:
                    pt = opening_time(w, brand, day_start)
                if pt < w.limit:
                    title, body = rng.choice(TB.ANNOUNCEMENT[lang])
                    root = ext_msg(
                        w,
                        fmt,
                        brand,
                        author=author,
                        created=pt,
                        lang=lang,
                        parent=None,
                        is_brand=True,
                        text=title if fmt == "disqus" else body,
                        title=title,
                    )
            for _ in range(n):
                t = opening_time(w, brand, day_start)
                if fmt in ("facebook", "disqus") or (fmt == "bluesky" and root is not None and rng.random() < 0.3):
                    if root is None:
                        continue
                    t = max(t, root.created + timedelta(seconds=rng.randrange(60, 3600)))
                    ext_case(w, brand, fmt, t, root)
                else:
                    ext_case(w, brand, fmt, t, None)
    # a twcs tweet whose text spans two lines (a quoted CSV field with a newline)
    multi = next((m for m in w.ext_msgs("twcs") if m.brand is None and ", " in m.text), None)
    if multi is not None:
        multi.text = multi.text.replace(", ", ",\n", 1)


# ---- writing ---------------------------------------------------------------------------------
