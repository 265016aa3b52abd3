"""Disqus export XML: threads (the blog posts comments belong to) and their comments.

Every ``<thread>`` and ``<post>`` is one record, numbered in document order (``<category>``
elements are forum metadata, not records). A thread is a message of its author: the blog
post, ``blog:disqus:t<thread id>``, its own conversation, its text the title. A post is a
comment ``blog:disqus:<post id>`` in the conversation of its thread; its parent is
``<parent dsq:id>`` or, at top level, the thread. Authors are identified by Disqus
username, or by display name when there is none (anonymous guests); ``thread_owner`` is
the thread's author. Deleted and spam comments (and deleted threads) are not public
conversation: they go to quarantine with an ``excluded:`` reason. Messages are HTML:
tags are dropped and entities decoded, as for WordPress comments.

A comment imported into the forum twice (a blog whose posts moved to new addresses has two
threads per post, and its import put each comment in both) is one comment: the posts that
share an import ``<id>``, author, time, text and flags are copies of the first of them in the
file, quarantined as ``excluded: a copy of ...``, and a reply to a copy replies to that first.

A thread's ``createdAt`` is when Disqus made the thread: an import or the post's first page view
with comments, which can be years after the post and its first comments. A thread is dated by
its first comment when that is earlier (the notes count them), so that no blog post is dated
after the comments it holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from xml.etree.ElementTree import Element

import polars as pl

from pipelines.canonical import MESSAGE_SCHEMA
from pipelines.formats.base import ArchiveError, ReadResult, private_excerpt, quarantine_frame, result
from pipelines.formats.xml import child_texts, children, excerpt, local_name, parse_root, plain_text

DSQ_ID = "{http://disqus.com/disqus-internals}id"

def _message_text(markup: str | None) -> str:
    """Plain text of a Disqus HTML message: the writer's line breaks are its ``<br>`` and
    paragraphs; the line breaks of its markup are the HTML's layout."""
    return plain_text(markup, source_lines=False)


def read_disqus(path: Path) -> ReadResult:
    """Read a Disqus export into canonical rows (threads and their public comments)."""
    root, notes = parse_root(path)
    if local_name(root.tag) != "disqus":
        raise ArchiveError("not a Disqus export: the root element is not <disqus>")

    records = [e for e in root if local_name(e.tag) in ("thread", "post")]
    copies = _copies(records)
    conversations = _conversation_threads(records, copies)
    # comments may precede their thread in the file: know every thread first
    threads = {}
    for thread in (e for e in records if local_name(e.tag) == "thread" and _dsq_id(e)):
        elements = children(thread)
        threads[_dsq_id(thread)] = (_author(elements)[0], child_texts(elements).get("link"))
    first_comments = _first_comments(records)
    rows: list[dict] = []
    bad: list[dict] = []
    redated = 0
    for position, element in enumerate(records):
        if local_name(element.tag) == "thread":
            row, reason = _thread(element)
            first = first_comments.get(_dsq_id(element))
            if not reason and first is not None and first < row["created_at"]:
                row["created_at"] = first
                redated += 1
        else:
            row, reason = _post(element, threads, copies, conversations)
        if reason:
            texts = child_texts(children(element))
            hidden = _flag(texts, "isDeleted") or _flag(texts, "isSpam")  # not shown: its id only
            bad.append({"position": position, "reason": reason,
                        "excerpt": private_excerpt(_dsq_id(element)) if hidden else excerpt(element)})
        else:
            rows.append({**row, "position": position, "platform": "blog", "kind": "post", "mentions": []})
    if redated:
        notes = (*notes, f"{redated} thread(s) dated by their first comment: Disqus's createdAt for them is later "
                         "(the thread was made by an import or a later page view, not when the post was written)")
    return result(pl.from_dicts(rows, schema=MESSAGE_SCHEMA), quarantine_frame(bad), notes)


def _first_comments(records: list[Element]) -> dict[str, datetime]:
    """dsq:id of each thread -> the time of its earliest comment (not spam) with a valid date."""
    first: dict[str, datetime] = {}
    for _, elements in _posts(records):
        texts = child_texts(elements)
        thread_id = _dsq_id(elements.get("thread"))
        created_at, reason = _created(texts)
        if thread_id and not reason and not _flag(texts, "isSpam"):
            first[thread_id] = min(first.get(thread_id, created_at), created_at)
    return first


def _posts(records: list[Element]) -> Iterator[tuple[str, dict[str, Element]]]:
    """(dsq:id, :func:`children`) of each post of the records that has an id."""
    for element in records:
        post_id = _dsq_id(element)
        if local_name(element.tag) == "post" and post_id:
            yield post_id, children(element)


def _copies(records: list[Element]) -> dict[str, str]:
    """dsq:id of each post that copies an earlier one -> dsq:id of that first post. A copy has
    the same import ``<id>`` (``wp_id=2``: what an import gave the forum; a comment written on
    Disqus has none), author, ``createdAt``, message and deleted and spam flags."""
    first: dict[tuple, str] = {}
    copies: dict[str, str] = {}
    for post_id, elements in _posts(records):
        texts = child_texts(elements)
        if not texts.get("id"):
            continue
        key = (texts["id"], _author(elements), texts.get("createdAt"), texts.get("message"),
               _flag(texts, "isDeleted"), _flag(texts, "isSpam"))
        copies.setdefault(post_id, first.setdefault(key, post_id))
    return {post: kept for post, kept in copies.items() if post != kept}


def _conversation_threads(records: list[Element], copies: dict[str, str]) -> dict[str, str]:
    """dsq:id of each post -> the thread of its topmost ancestor in the file, parents read
    through :func:`_copies`: a reply whose parent is a copy in another thread (a blog imported
    twice, its owner answering the second copy) is in the first copy's conversation, where its
    parent is (QA: the owner's answer was in another conversation, and the case read unanswered)."""
    thread_of: dict[str, str] = {}
    parent_of: dict[str, str] = {}
    for post_id, elements in _posts(records):
        thread_id = _dsq_id(elements.get("thread"))
        if thread_id:
            thread_of[post_id] = thread_id
        parent = _dsq_id(elements.get("parent"))
        if parent:
            parent_of[post_id] = copies.get(parent, parent)
    resolved: dict[str, str] = {}
    for post_id in thread_of:
        chain, node = [post_id], post_id
        while (up := parent_of.get(node)) in thread_of and up not in chain and up not in resolved:
            chain.append(node := up)
        root_thread = resolved.get(parent_of.get(node, ""), thread_of[node])
        resolved.update(dict.fromkeys(chain, root_thread))
    return resolved


def _dsq_id(element: Element | None) -> str | None:
    return (element.get(DSQ_ID) or "").strip() or None if element is not None else None


def _flag(texts: dict[str, str], name: str) -> bool:
    return (texts.get(name) or "").lower() == "true"


def _author(elements: dict[str, Element]) -> tuple[str | None, str | None]:
    """(author_id, author_handle) of a thread or post (its :func:`children`): the username when
    there is one, else the display name."""
    author = elements.get("author")
    if author is None:
        return None, None
    texts = child_texts(children(author))
    name = texts.get("name") or None
    username = texts.get("username") or None
    return username or name, name or username


def _created(texts: dict[str, str]) -> tuple[datetime | None, str | None]:
    value = texts.get("createdAt")
    if not value:
        return None, "missing required field: createdAt"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None, f"invalid createdAt: {value}"
    if parsed.tzinfo is None:
        return None, f"timestamp without zone in createdAt: {value}"
    return parsed.astimezone(UTC), None


def _authored(elements: dict[str, Element], texts: dict[str, str]) -> tuple[tuple, str | None]:
    """(author id, author handle, created_at) of a thread or post, or the reason it has none."""
    author_id, author_handle = _author(elements)
    if author_id is None:
        return (None, None, None), "missing required field: author (name or username)"
    created_at, reason = _created(texts)
    return (author_id, author_handle, created_at), reason


def _thread(element: Element) -> tuple[dict, str | None]:
    thread_id = _dsq_id(element)
    if not thread_id:
        return {}, "missing required field: dsq:id"
    elements = children(element)
    texts = child_texts(elements)
    if _flag(texts, "isDeleted"):
        return {}, "excluded: deleted thread"
    (author_id, author_handle, created_at), reason = _authored(elements, texts)
    if reason:
        return {}, reason
    key = f"blog:disqus:t{thread_id}"
    return {
        "message_id": key, "version_id": key, "native_id": f"disqus:t{thread_id}", "conversation_id": key,
        "author_id": author_id, "author_handle": author_handle, "thread_owner": author_id,
        "created_at": created_at, "text": _message_text(texts.get("title")),
        "url": texts.get("link") or None,
    }, None


def _post(
    element: Element, threads: dict[str, tuple[str | None, str | None]], copies: dict[str, str],
    conversations: dict[str, str],
) -> tuple[dict, str | None]:
    """A comment; ``threads``: (author id, link) of every thread of the file by dsq:id;
    ``copies``: :func:`_copies`; ``conversations``: :func:`_conversation_threads`."""
    post_id = _dsq_id(element)
    if not post_id:
        return {}, "missing required field: dsq:id"
    if post_id in copies:
        return {}, (f"excluded: a copy of comment blog:disqus:{copies[post_id]} (imported into the forum twice: "
                    "the same import id, author, time and text)")
    elements = children(element)
    thread_id = _dsq_id(elements.get("thread"))
    if not thread_id:
        return {}, "missing required field: thread dsq:id"
    texts = child_texts(elements)
    if _flag(texts, "isDeleted"):
        return {}, "excluded: deleted comment"
    if _flag(texts, "isSpam"):
        return {}, "excluded: spam comment"
    (author_id, author_handle, created_at), reason = _authored(elements, texts)
    if reason:
        return {}, reason
    link = threads.get(thread_id, (None, None))[1]  # where it is shown
    conversation_thread = conversations.get(post_id, thread_id)
    owner = threads.get(conversation_thread, (None, None))[0]
    parent_id = _dsq_id(elements.get("parent"))
    parent_id = copies.get(parent_id, parent_id)
    conversation = f"blog:disqus:t{conversation_thread}"
    return {
        "message_id": f"blog:disqus:{post_id}", "version_id": f"blog:disqus:{post_id}",
        "native_id": f"disqus:{post_id}",
        "conversation_id": conversation, "parent_id": f"blog:disqus:{parent_id}" if parent_id else conversation,
        "author_id": author_id, "author_handle": author_handle, "thread_owner": owner,
        "created_at": created_at, "text": _message_text(texts.get("message")),
        "url": f"{link}#comment-{post_id}" if link else None,
    }, None
