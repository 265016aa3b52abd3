"""A customer's X personal archive: the cases of one account that exported its own posts.

The owner is an X account that never appears in the API pages (so no follower count is known
for it: its cases have ``author_followers`` NULL). Its posts (openings to the brands,
tweetstorms, nudges, follow-ups) are written to ``x_archive/<handle>/data/tweets.js`` beside its
``account.js``; the brands' replies to it are ordinary tweets of the brands' API pages. Planted
last, so that the rest of the sample is the same with or without it.
"""

from __future__ import annotations

from datetime import timedelta

from pipelines.sample import texts_customer as TC
from pipelines.sample.model import Customer
from pipelines.sample.sim_x import x_case
from pipelines.sample.timing import opening_time
from pipelines.sample.world import World

#: share of the X openings that the archive owner writes
ARCHIVE_SHARE = 0.01


def generate_archive(w: World) -> None:
    rng = w.rng
    brands = [b for b in w.brands if b.x]
    lang = "es" if rng.random() < sum(b.es for b in brands) / len(brands) else "en"
    first, last = rng.choice(TC.FIRST_NAMES[lang]), rng.choice(TC.LAST_NAMES[lang])
    handle = f"{first[0]}{last}".lower().encode("ascii", "ignore").decode() + "_archivo"
    uid = w.user_id()
    owner = Customer(uid, handle, f"{first} {last}", first, lang, 800)
    w.archive_owner = owner
    w.handle_ids[handle] = uid
    w.users[uid] = {
        "id": uid,
        "username": handle,
        "name": owner.name,
        "public_metrics": {"followers_count": owner.followers, "following_count": 300, "tweet_count": 4000},
    }
    n = max(4, int(w.budget * ARCHIVE_SHARE / 2))
    for _ in range(n):
        brand = rng.choice(brands)
        t = opening_time(w, brand, w.start + timedelta(days=rng.randrange(w.days)))
        x_case(w, brand, t, cust=owner, storm=rng.random() < 0.1)
