"""WordPress WXR 1.2 exports: posts and their comments.

A blog post (or page) is a message of its author (``dc:creator``) and the conversation its
comments belong to. Spam, trashed, unapproved comments, pingbacks and trackbacks are not public
conversation, nor are editors' notes (``comment_type`` note: quarantined with their id only),
nor password-protected or unpublished posts and their comments, nor WordPress's own items
(menu entries, media, reusable blocks...: :data:`INTERNAL_TYPES`): they go to quarantine with
an ``excluded:`` reason so that nothing is lost.

WordPress numbers posts and comments per site: ids are ``blog:<site>:<post_id>`` and
``blog:<site>:c<comment_id>``, the site being the channel's address (:func:`site_key`).
A post's author is its ``dc:creator``, the author's login; a comment's author is the name it
shows (``wp:comment_author``), unless it was written by one of the site's users the export
lists (``wp:comment_user_id`` naming a ``<wp:author>``): then its ``author_id`` is that
user's login, as on their posts, so that one person is one account (the name shown stays
its ``author_handle``).

Disqus's import format is a WXR whose items are threads: no ``wp:post_id`` and no
``dc:creator``, a ``dsq:thread_identifier`` instead (the site's ``disqus_identifier``: a
number, a path or an address). Such a thread is ``blog:<site>:t<identifier>``, and its comments
are read (the thread itself names no author: it is quarantined as ``excluded:``).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import polars as pl

from pipelines.canonical import MESSAGE_SCHEMA
from pipelines.formats.base import ArchiveError, ReadResult, private_excerpt, quarantine_frame, result
from pipelines.formats.xml import child_texts, children, excerpt, local_name, parse_root, plain_text

#: What WordPress writes; fromisoformat reads it several times faster than strptime, which
#: stays for the rest (it also takes single-digit fields, '2013-2-8 9:05:00').
_PADDED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
#: WordPress's own item types that are not writing people comment on (menus, media, revisions,
#: editor blocks, templates, styles, fonts, caches, privacy requests); every other type is read:
#: posts, pages, and a site's custom types (events, recipes, forum topics...). A WXR without
#: ``wp:post_type`` holds posts.
INTERNAL_TYPES = frozenset({
    "nav_menu_item", "attachment", "revision", "wp_block", "wp_navigation", "wp_template",
    "wp_template_part", "wp_global_styles", "wp_font_family", "wp_font_face", "custom_css",
    "customize_changeset", "oembed_cache", "user_request", "wp_pattern_category",
    # WooCommerce's: a product's variations (sizes, colours) and the shop's orders and coupons
    "product_variation", "shop_order", "shop_order_refund", "shop_order_placehold", "shop_coupon",
})
#: comment types that are a reader's message: comments, and WooCommerce's product reviews
READ_COMMENT_TYPES = frozenset({"comment", "", "review"})
#: comments that are not readers' but the site's editors' own, never shown: WordPress 6.9's notes on a post's blocks
PRIVATE_COMMENT_TYPES = frozenset({"note"})
#: what WordPress shows for a comment whose author left no name
ANONYMOUS = "Anonymous"
#: a post's comments, left out of the post's quarantine excerpt (each is a record of its own)
_COMMENTS = frozenset({"comment"})
_SENTENCE_END = tuple(".!?…:;")
#: WordPress's own shortcodes, which a post's page renders as media ([caption ...]text[/caption],
#: [gallery ids="..."], [audio https://...]): the tags are not text; a caption's text is
_SHORTCODE = re.compile(r"\[/?(?:caption|wp_caption|gallery|audio|video|embed|playlist)\b[^\]]*\]")


def _gmt(value: str | None) -> datetime | None:
    if not value or value.startswith("0000-00-00"):
        return None
    try:
        if _PADDED.fullmatch(value):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def site_key(url: str | None) -> str | None:
    """The site a blog's ids belong to, from its address: no scheme, no ``www.``, no trailing
    slash, lower case (``https://www.Telvia.example/blog/`` -> ``telvia.example/blog``)."""
    if not url or not url.strip():
        return None
    address = re.sub(r"[?#].*$", "", url.strip().lower())  # a query or fragment names a page, not the site
    key = re.sub(r"^[a-z][a-z0-9+.-]*://", "", address).removeprefix("www.").rstrip("/")
    # an address without a host ('http:', a relative path) names no site
    host = key.split("/", 1)[0]
    return key if host and not host.endswith(":") else None


def _post_text(title: str, content: str) -> str:
    """A post's text: its title as a sentence, then its content without WordPress's media
    shortcodes ('Hello world! Welcome...', 'Title. Content', the content alone when there is
    no title)."""
    title, content = title.strip(), _SHORTCODE.sub(" ", content)
    if not title:
        return content
    return f"{title if title.endswith(_SENTENCE_END) else title + '.'} {content}"


def _posts_host(items: list[Element]) -> str | None:
    """The scheme and host most of the posts' absolute links share, the first of them on a tie
    (a post's path is not the site's; QA: a Hexo blog's first post, its "Hello World", still
    linked to the placeholder yoursite.com, which then named every id of the blog)."""
    hosts = Counter()
    for item in items:
        address = urlsplit((child_texts(children(item)).get("link") or "").strip())
        if address.scheme and address.netloc:
            hosts[f"{address.scheme}://{address.netloc}"] += 1
    return hosts.most_common(1)[0][0] if hosts else None


def read_wxr(path: Path) -> ReadResult:
    """Read a WordPress WXR export into canonical rows (posts and approved comments)."""
    root, notes = parse_root(path)

    channel_link = None
    rows: list[dict] = []
    bad: list[dict] = []
    position = -1
    for channel in (c for c in root if local_name(c.tag) == "channel"):
        about = child_texts(children(channel))
        channel_link = about.get("link")
        # WordPress numbers posts and comments per site: ids are the site's ('blog:<site>:<id>'),
        # so that two blogs never share one, and two exports of one blog do
        items = [c for c in channel if local_name(c.tag) == "item"]
        logins, shown = _logins(channel)
        site = (site_key(channel_link) or site_key(about.get("base_blog_url"))
                or site_key(about.get("base_site_url")) or site_key(_posts_host(items)))
        prefix = f"blog:{site}:" if site else "blog:"
        for item in items:
            position += 1
            field = child_texts(children(item)).get
            thread = None if field("post_id") else field("thread_identifier")  # Disqus's import format
            post_id = field("post_id") or (f"t{thread}" if thread else None)
            creator = shown.get(field("creator"), field("creator"))  # the login (or the name an e-mail login shows)
            created = _gmt(field("post_date_gmt"))
            status = field("status") or "publish"
            post_type = field("post_type") or "post"
            protected = bool(field("post_password"))
            link = field("link") or channel_link
            reason = (
                "missing required field: wp:post_id" if not post_id
                else "excluded: private contact-form message (Jetpack feedback)" if post_type == "feedback"
                else f"excluded: post type {post_type}" if post_type in INTERNAL_TYPES
                else f"excluded: post status {status}" if status != "publish"
                else "excluded: password-protected post" if protected
                else "excluded: a Disqus import thread, which names no author (its comments are read)"
                if not creator and thread
                else "missing required field: dc:creator" if not creator
                else "missing required field: wp:post_date_gmt" if not field("post_date_gmt")
                else f"invalid wp:post_date_gmt: {field('post_date_gmt')!r}" if created is None
                else None
            )
            # a draft, private, pending or scheduled post is not public, nor are its comments
            unpublished = status != "publish" and post_type not in INTERNAL_TYPES
            # what the site does not show keeps its id only in the (published) quarantine
            private = post_type == "feedback" or protected or unpublished
            if reason:
                # the comments of a post that could not be read are read all the same, in its
                # conversation, where the post has an id: each is a whole message of its own
                bad.append({"position": position, "reason": reason,
                            "excerpt": private_excerpt(post_id) if private else excerpt(item, _COMMENTS)})
            else:
                rows.append({
                    "message_id": f"{prefix}{post_id}", "version_id": f"{prefix}{post_id}", "platform": "blog",
                    "native_id": post_id, "kind": "post", "conversation_id": f"{prefix}{post_id}",
                    "author_id": creator, "author_handle": creator, "thread_owner": creator,
                    "created_at": created, "text": plain_text(_post_text(field("title") or "", field("encoded") or "")),
                    "url": link, "position": position, "mentions": [],
                })
            for comment in (c for c in item if local_name(c.tag) == "comment"):
                position += 1
                row, reason = _comment(comment, prefix, post_id, creator, link, logins)
                if protected and not reason:  # read only by those who have the post's password
                    row, reason = {}, "excluded: comment on a password-protected post"
                elif unpublished and not reason:
                    row, reason = {}, f"excluded: comment on a post with status {status}"
                if reason:
                    texts = child_texts(children(comment))
                    hidden = (private or texts.get("comment_type") in PRIVATE_COMMENT_TYPES
                              or (texts.get("comment_approved") or "1") != "1")  # spam, trash, pending
                    bad.append({"position": position, "reason": reason,
                                "excerpt": private_excerpt(texts.get("comment_id")) if hidden else excerpt(comment)})
                else:
                    rows.append({**row, "position": position})
    if position < 0 and local_name(root.tag) != "rss":
        raise ArchiveError("not a WordPress export: the root element is not <rss>")
    if position < 0:  # read as a success with nothing said (QA: items wrapped in another element than <channel>)
        notes = (*notes, "no <item> under <rss><channel>: nothing read (a WordPress export lists its posts as "
                         "rss/channel/item, their comments inside them)")
    return result(pl.from_dicts(rows, schema=MESSAGE_SCHEMA), quarantine_frame(bad), notes)


def _logins(channel: Element) -> tuple[dict[str, str], dict[str, str]]:
    """The site's users the export lists (``<wp:author>``): user id -> login, and login -> the
    name a message of theirs is published under: the login, but the display name where the
    login is an e-mail address (Squarespace's exports), which the site never shows."""
    logins, shown = {}, {}
    for author in (c for c in channel if local_name(c.tag) == "author"):
        field = child_texts(children(author)).get
        login = field("author_login")
        if login:
            public = field("author_display_name") if "@" in login and field("author_display_name") else login
            shown[login] = public
            if field("author_id"):
                logins[field("author_id")] = public
    return logins, shown


def _comment(
    comment: Element, prefix: str, post_id: str | None, owner: str | None, link: str | None,
    logins: dict[str, str],
) -> tuple[dict, str | None]:
    field = child_texts(children(comment)).get
    comment_id = field("comment_id")
    approved = field("comment_approved") or "1"
    kind = field("comment_type") or "comment"
    author = field("comment_author")
    raw_date = field("comment_date_gmt")
    created = _gmt(raw_date)
    parent = field("comment_parent") or "0"
    if post_id is None:
        return {}, "comment of a post that could not be read"
    if not comment_id:
        return {}, "missing required field: wp:comment_id"
    if kind in PRIVATE_COMMENT_TYPES:
        return {}, f"excluded: an editor's private note (comment_type={kind})"
    if approved != "1":
        return {}, f"excluded: comment_approved={approved}"
    if kind not in READ_COMMENT_TYPES:
        return {}, f"excluded: comment_type={kind}"
    author = author or ANONYMOUS  # WordPress shows a comment without a name as Anonymous's
    if not raw_date:
        return {}, "missing required field: wp:comment_date_gmt"
    if created is None:
        return {}, f"invalid wp:comment_date_gmt: {raw_date!r}"
    return {
        "message_id": f"{prefix}c{comment_id}", "version_id": f"{prefix}c{comment_id}", "platform": "blog",
        "native_id": f"c{comment_id}", "kind": "post", "conversation_id": f"{prefix}{post_id}",
        "parent_id": f"{prefix}c{parent}" if parent not in ("0", "") else f"{prefix}{post_id}",
        "author_id": logins.get(field("comment_user_id") or "0", author), "author_handle": author,
        "thread_owner": owner, "created_at": created, "text": plain_text(field("comment_content")),
        "url": f"{link}#comment-{comment_id}" if link else None, "mentions": [],
    }, None
