"""Seeded, deterministic sample archive generator: ``brandcare sample``.

``generate_sample(out, brands=6, days=60, seed=7, messages=None, end=date(2026, 11, 1))``
writes, under ``out/``:

- ``brands.yaml``: the brand registry (docs/design.md; read by :mod:`pipelines.brands`);
- ``x/search_<brand id|all>_<NNNN>.json``: X API v2 search pages, newest first, ~100 tweets a
  page, the last page of a series without ``next_token``. A brand's series holds the
  conversations of that brand; ``all`` holds tweets naming two brands, retweets (with the
  retweeted tweet repeated in ``includes.tweets``) and some malformed records;
- ``blog/<brand id>_wordpress.xml``: a WordPress WXR 1.2 export for brands with a blog;
- ``twcs/twcs_<brand id>.csv``: Customer Support on Twitter CSV (brands in ``FORMATS`` with ``twcs``);
- ``bluesky/jetstream_<n>.jsonl``: Bluesky Jetstream events (~1500 a file) of the Bluesky brands;
- ``facebook/<brand id>_comments_<n>.json``: Facebook Graph API pages of page posts with comments;
- ``disqus/<brand id>_disqus.xml``: Disqus exports (platform ``blog``);
- ``x_archive/<handle>/data/tweets.js`` and ``account.js``: one customer's X personal archive (its
  posts to the brands; the brands' replies are in the API pages), see ``sim_archive``;
- above ``replicate.BASE_MAX`` messages, ``<format>/r<NNN>/...``: renamed replicas of all of the
  above (X pages of a series joined into one JSON-lines file of pages), see
  :mod:`pipelines.sample.replicate`;
- ``truth.json``: what was planted, by the metric definitions of docs/metrics.md (cases and monthly scorecards).

The package: ``brands`` and ``brand_calendar`` (who the brands are, when they are open),
:mod:`~pipelines.sample.world` (accounts, customers, ids), ``sim_x``, ``sim_blog``, ``sim_archive``
and ``sim_extra`` (who writes what when), ``timing`` (when), ``compose``, ``voice`` and the
``texts_*`` modules (what the messages say), one ``write_*`` module per archive format,
``truth`` (the oracle, independent of the pipeline) and ``replicate`` (scale).

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

Resolution, recovery, canned replies (truth computed with the definitions of docs/metrics.md)
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
``generator`` (the arguments), ``replicas``, ``response_window_days``, ``data_horizon`` (newest created_at
of a valid message, retweets excluded), ``files`` (per archive file: format ``x_v2``/``wxr``/
``twcs``/``bluesky``/``facebook_graph``/``disqus``, ``records_read`` = tweet objects in ``data``
+ ``includes.tweets`` / WXR items + comments / CSV records / JSON lines / Facebook posts +
comments / Disqus threads + posts, ``records_quarantined``), ``cases`` (the per-case
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
``blog:<site>:<wp:post_id>``, blog comments ``blog:<site>:c<wp:comment_id>``, where the site is
the blog's address without scheme (``<brand>.example/blog``); post ids and comment ids are also
unique across all WXR files (offset per brand). A blog conversation is ``blog:<site>:<post id>``;
a blog customer is identified by ``wp:comment_author``.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from pipelines.sample.brands import STEMS
from pipelines.sample.model import RESPONSE_WINDOW, _fmt_z
from pipelines.sample.replicate import (
    BASE_MAX,
    Patch,
    rename,
    replica_count,
    stem_pattern,
    write_replicas,
)
from pipelines.sample.sim_archive import generate_archive
from pipelines.sample.sim_blog import generate_blog
from pipelines.sample.sim_extra import generate_extra
from pipelines.sample.sim_x import generate_cross, generate_x
from pipelines.sample.truth import compute_truth
from pipelines.sample.world import SampleError, World
from pipelines.sample.write_bluesky import write_bluesky
from pipelines.sample.write_disqus import write_disqus
from pipelines.sample.write_facebook import write_facebook
from pipelines.sample.write_registry import HEADER, registry_blocks
from pipelines.sample.write_twcs import write_twcs
from pipelines.sample.write_wxr import write_wxr
from pipelines.sample.write_x import write_x
from pipelines.sample.write_x_archive import write_x_archive

__all__ = ["SAMPLE_MARK", "SampleError", "generate_sample"]

#: the archive files of an earlier sample in ``out`` (removed first, so that ``out`` holds one sample)
#: Written first in a sample's folder (hidden: ingest skips it): the folder is a sample's.
SAMPLE_MARK = ".brandcare-sample"
_OWN_FILES = (
    "x/search_*.json",
    "blog/*_wordpress.xml",
    "twcs/twcs_*.csv",
    "bluesky/jetstream_*.jsonl",
    "facebook/*_comments_*.json",
    "disqus/*_disqus.xml",
    "x_archive/*/data/*.js",
)


def generate_sample(
    out: Path,
    *,
    brands: int = 6,
    days: int = 60,
    seed: int = 7,
    messages: int | None = None,
    end: date = date(2026, 11, 1),
) -> dict:
    """Write a deterministic sample archive and its ``truth.json`` under ``out``; a summary.

    ``messages`` is an approximate total message budget (default 66 per brand and day). Above
    ``BASE_MAX`` messages the sample is a base of at most that size and renamed replicas of it
    (``pipelines.sample.replicate``). Files of an earlier sample in ``out`` are removed first.
    """
    return _generate(Path(out), brands, days, seed, messages, end, BASE_MAX)


def _generate(out: Path, brands: int, days: int, seed: int, messages: int | None, end: date, base_max: int) -> dict:
    if out.exists() and not out.is_dir():
        raise SampleError(f"the sample's folder {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / SAMPLE_MARK).is_file() and not (out / "truth.json").is_file():
        # a sample replaces its own files (brands.yaml among them): never a folder of other files (QA)
        raise SampleError(f"the sample's folder {out} holds other files than a sample's: give a new or empty "
                          "folder, or one a sample was written to")
    replicas = replica_count(messages, base_max)
    gen = World(brands, days, seed, messages if replicas == 1 else round(messages / replicas), end)
    generate_x(gen)
    generate_cross(gen)
    generate_blog(gen)
    generate_extra(gen)
    generate_archive(gen)
    cases, rows, horizon = compute_truth(gen)
    stems = stem_pattern([STEMS[b.id] for b in gen.brands])
    _check_replicable(gen, stems)

    out.mkdir(parents=True, exist_ok=True)
    (out / SAMPLE_MARK).touch()  # first: a sample interrupted before its truth.json is still a sample's folder
    for pattern in _OWN_FILES:
        for old in sorted(out.glob(pattern)):
            old.unlink()
    for old in sorted(out.glob("*/r[0-9][0-9][0-9]")):
        shutil.rmtree(old)
    files = write_x(gen, out)
    files.update(write_wxr(gen, out))
    files.update(write_twcs(gen, out))
    files.update(write_bluesky(gen, out))
    files.update(write_facebook(gen, out))
    files.update(write_disqus(gen, out))
    files.update(write_x_archive(gen, out))
    files = dict(sorted(files.items()))
    files.update(write_replicas(out, files, replicas, gen.copy_ids, gen.copy_b32, stems))

    ids = {s.encode() for s in gen.copy_ids}
    keys = {s.encode() for s in gen.copy_b32}
    blocks = [b.encode() for b in registry_blocks(gen)]
    patches = [Patch(b, ids, keys, stems) for b in blocks]
    with open(out / "brands.yaml", "wb") as f:
        f.write(HEADER.encode())
        f.writelines(blocks)
        for k in range(1, replicas):
            f.writelines(p.replica(k) for p in patches)
    head = {
        "generator": {"brands": brands, "days": days, "seed": seed, "messages": messages, "end": end.isoformat()},
        "replicas": replicas,
        "response_window_days": RESPONSE_WINDOW.days,
        "data_horizon": _fmt_z(horizon),
    }
    with open(out / "truth.json", "wb") as f:
        f.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2].encode())
        f.write(b',\n "files": ' + json.dumps(files, ensure_ascii=False, indent=1).replace("\n", "\n ").encode())
        base = ",\n".join(json.dumps(c, ensure_ascii=False) for c in cases).encode()
        f.write(b',\n "cases": [\n' + base)
        if cases:
            patch = Patch(base, ids, keys, stems)
            for k in range(1, replicas):
                f.write(b",\n" + patch.replica(k))
        all_rows = rows + [dict(r, brand_id=rename(r["brand_id"], stems, k)) for k in range(1, replicas) for r in rows]
        f.write(b'\n ],\n "scorecards_monthly": [\n')
        f.write(",\n".join(json.dumps(r, ensure_ascii=False) for r in all_rows).encode())
        f.write(b"\n ]\n}\n")
    n_posts = sum(1 for m in gen.msgs.values() if m.kind == "post")
    actionable = [c for c in cases if c["intent"] in ("complaint", "question")]
    return {
        "out": str(out),
        "replicas": replicas,
        "files": len(files) + 2,  # + brands.yaml and truth.json
        "x_files": sum(1 for f in files if f.startswith("x/")),
        "blog_files": sum(1 for f in files if f.startswith("blog/")),
        "files_by_format": {
            fmt: sum(1 for f in files.values() if f["format"] == fmt)
            for fmt in sorted({f["format"] for f in files.values()})
        },
        "brands": [b.id for b in gen.brands] + [rename(b.id, stems, k) for k in range(1, replicas) for b in gen.brands],
        "messages": n_posts * replicas,
        "reposts": sum(1 for m in gen.msgs.values() if m.kind == "repost") * replicas,
        "records_read": sum(f["records_read"] for f in files.values()),
        "records_quarantined": sum(f["records_quarantined"] for f in files.values()),
        "cases": len(cases) * replicas,
        "actionable_cases": len(actionable) * replicas,
        "responded_cases": sum(c["responded"] for c in actionable) * replicas,
        "data_horizon": head["data_horizon"],
    }


def _check_replicable(gen: World, stems) -> None:
    """What replicas share must carry no replica field: customer ids and names, customer texts."""
    customers = [c for pool in (*gen.customers.values(), *gen.ext_customers.values()) for c in pool]
    customers += [gen.archive_owner] if gen.archive_owner else []
    shared = {c.uid for c in customers} & gen.copy_ids
    if shared:
        raise RuntimeError(f"customer ids {sorted(shared)[:3]} look like replica ids")
    named = [s for c in customers for s in (c.handle, c.name) if stems.search(s)]
    if named:
        raise RuntimeError(f"customer names {named[:3]} contain a brand stem")


def summary_lines(summary: dict, most: int = 12) -> list[str]:
    """``key: value`` lines of :func:`generate_sample`'s summary; a list longer than ``most``
    shows its length and first items (the sample of 10 million messages has 2,004 brands)."""
    lines = []
    for key, value in summary.items():
        if isinstance(value, list) and len(value) > most:
            value = f"{len(value):,}: {', '.join(map(str, value[: most // 2]))}, ... (brands.yaml has them all)"
        lines.append(f"{key}: {value}")
    return lines
