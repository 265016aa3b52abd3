"""WordPress blog cases: brand posts, customer comments, brand replies and follow-ups."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from pipelines.sample import texts_brand as TB
from pipelines.sample import texts_customer as TC
from pipelines.sample.brand_calendar import Brand
from pipelines.sample.compose import customer_text, reply_body
from pipelines.sample.model import INTENT_WEIGHTS, Msg, _fold, _pick
from pipelines.sample.timing import follow_kind, reply_time
from pipelines.sample.voice import voiced
from pipelines.sample.world import World


def blog_ids(brand: Brand) -> str:
    """The prefix of a brand blog's message ids: WordPress numbers posts and comments per site,
    so ids carry the site, the blog's address (write_wxr: https://<domain>/blog) without scheme."""
    return f"blog:{brand.domain}/blog:"


def generate_blog(w: World) -> None:
    rng = w.rng
    blog_brands = [b for b in w.brands if b.blog]
    if not blog_brands:
        return
    n_posts = max(2, w.days // 4)
    comments_total = w.budget * 0.08 * (1 - w.extra_share) / 1.6
    per_post = comments_total / (len(blog_brands) * n_posts)
    w.blog_bad: dict[str, Msg] = {}
    for brand in blog_brands:
        lang = w.brand_lang(brand)
        post_seq = 0
        comment_seq = 0

        def comment_id(base: int = (brand.index + 1) * 100_000) -> str:
            nonlocal comment_seq
            comment_seq += 1
            return w.rid(base + comment_seq)

        for k in range(n_posts):
            day = int(k * w.days / n_posts)
            local_day = (w.start + timedelta(days=day, hours=12)).astimezone(brand.tz).date()
            pt = datetime.combine(local_day, time(10, 0), tzinfo=brand.tz).astimezone(UTC)
            pt += timedelta(seconds=rng.randrange(0, 3 * 3600))
            if pt < w.start or pt >= w.limit:
                continue
            post_seq += 1
            pid = w.rid((brand.index + 1) * 1000 + post_seq)
            title, body = rng.choice(TB.ANNOUNCEMENT[lang])
            post = w.add(
                Msg(
                    mid=f"{blog_ids(brand)}{pid}",
                    platform="blog",
                    native=pid,
                    conv=f"{blog_ids(brand)}{pid}",
                    parent=None,
                    author=brand.blog,
                    created=pt,
                    text=body,
                    lang=lang,
                    series=brand.id,
                    brand=brand.id,
                    title=title,
                )
            )
            names: set[str] = set()
            customers: list[Msg] = []
            n_comments = int(per_post * rng.uniform(0.5, 1.5) + rng.random())
            for _ in range(n_comments):
                first = rng.choice(TC.FIRST_NAMES[lang])
                name = f"{first} {rng.choice(TC.LAST_NAMES[lang])}"
                if rng.random() < 0.3:
                    name = f"{first} {name.split()[1][0]}."
                if name in names or name == brand.blog:
                    continue
                names.add(name)
                ct = pt + timedelta(seconds=300 + int(rng.expovariate(1 / (20 * 3600))))
                if ct >= w.limit:
                    continue
                intent = _pick(rng, INTENT_WEIGHTS)
                parent = post
                if customers and rng.random() < 0.08:  # answering another customer's comment
                    parent = rng.choice(customers)
                    if parent.created >= ct:
                        parent = post
                text = customer_text(w, lang, brand.sector, intent).format(b=rng.choice(brand.aliases))
                email = _fold(name).lower().replace(" ", ".").replace("..", ".").rstrip(".") + "@correo.example"
                cm = w.add(
                    Msg(
                        mid=f"{blog_ids(brand)}c{(cid := comment_id())}",
                        platform="blog",
                        native=cid,
                        conv=post.conv,
                        parent=parent.mid if parent is not post else None,
                        author=name,
                        created=ct,
                        text=text,
                        lang=lang,
                        series=brand.id,
                        addresses=(brand.id,),
                        intent=intent,
                        email=email,
                    )
                )
                customers.append(cm)
                blog_answer(w, brand, first, cm, intent, comment_id)
        # one comment with a zero date: quarantined by the pipeline
        cid = comment_id()
        last_post = next(
            (
                w.msgs[k]
                for k in reversed(w.order)
                if w.msgs[k].platform == "blog"
                and w.msgs[k].brand == brand.id
                and w.msgs[k].parent is None
                and w.msgs[k].title
            ),
            None,
        )
        if last_post is not None:
            w.blog_bad[brand.id] = Msg(
                mid=f"{blog_ids(brand)}c{cid}",
                platform="blog",
                native=cid,
                conv=last_post.conv,
                parent=None,
                author="Borrador",
                created=last_post.created,
                text=customer_text(w, lang, brand.sector, "complaint").format(b=brand.aliases[0]),
                lang=lang,
                series=brand.id,
                email="borrador@correo.example",
            )


def blog_answer(w: World, brand: Brand, first: str, cm: Msg, intent: str, comment_id) -> None:
    rng = w.rng
    if rng.random() >= w.p_respond(brand, intent, None) * 0.9:
        return
    when = reply_time(w, brand, cm.created, cm.created)
    if when <= cm.created:
        when = cm.created + timedelta(seconds=rng.randrange(30, 300))
    if when >= w.reply_limit[brand.id]:
        return
    deflect = w.deflect(brand)
    cid = comment_id()
    reply = w.add(
        Msg(
            mid=f"{blog_ids(brand)}c{cid}",
            platform="blog",
            native=cid,
            conv=cm.conv,
            parent=cm.mid,
            author=brand.blog,
            created=when,
            lang=cm.lang,
            series=brand.id,
            brand=brand.id,
            deflection=deflect,
            email=f"blog@{brand.domain}",
            text=reply_body(w, brand, first, cm.lang, intent, deflect, when),
        )
    )
    kind = follow_kind(w, intent, deflect)
    if kind is None:
        return
    tf = when + timedelta(seconds=rng.randrange(600, 2 * 86400))
    if tf >= w.limit:
        return
    text = voiced(rng, rng.choice(TC.FOLLOW_UP[cm.lang][kind]), cm.lang, kind)
    cid = comment_id()
    f_intent, _sentiment, thanks = TC.FOLLOW_UP_KIND[kind]
    w.add(
        Msg(
            mid=f"{blog_ids(brand)}c{cid}",
            platform="blog",
            native=cid,
            conv=cm.conv,
            parent=reply.mid,
            author=cm.author,
            created=tf,
            lang=cm.lang,
            series=brand.id,
            addresses=(brand.id,),
            text=text[0].upper() + text[1:],
            email=cm.email,
            intent=f_intent,
            thanks=thanks,
        )
    )


# ---- extra formats (twcs, Bluesky, Facebook, Disqus) ----------------------------------------
