"""Facebook Graph API: comment pages and posts-with-comments pages (JSON, or JSON lines of pages).

Accepted shapes:

- a comments page ``{"data": [comment...], "paging": {...}}`` (``/{post-id}/comments``);
- a ``?ids=`` response ``{"<id>": node or page, ...}``, each read as it would be alone;
- a posts page ``{"data": [post...]}`` whose posts carry their comments
  (``/{page-id}/posts?fields=...,comments{...}``), comments possibly nesting their replies
  the same way. A node of a page is a post when the page's paging URLs name a posts edge
  (``/feed``, ``/posts``, ``/published_posts``, ``/visitor_posts``, ``/tagged``), a comment
  when they name ``/comments``; otherwise it is a post when it has a ``comments`` edge, a
  field only posts have (``type``, ``status_type``, ``story``, ``attachments``,
  ``updated_time``, ...) and a post's id (``'<owner-id>_<post-id>'``), or when its author
  is the page its id starts with (``id = '<page-id>_<post-id>'``, ``from.id = <page-id>``).
  Never a post: a node with a three-part id (``'<owner-id>_<post-id>_<comment-id>'``) or with
  a comment's fields and no post's (the page's reply read alone). An unpublished post
  (``is_published: false``) is quarantined; a photo, video or album without comments too.
- a page node holding its posts (``/{page-id}?fields=feed{...}``: the posts of its posts edges);
- an inbox conversation (a node with ``to`` and ``unread`` or ``unseen``, its messages under
  ``comments``; a Messenger ``t_…`` conversation, its ``messages``), a Messenger message (an
  ``m_…`` id, ``tags`` naming inbox) and the nodes of a Messenger page (``/conversations``,
  ``/messages``) are private: quarantined as ``excluded: private conversation (inbox)`` and ``excluded: private
  message (inbox)``; so are notifications and friend requests. A webhook notification
  (``{object, entry}``) is quarantined as such. The nodes of an edge holding neither posts nor
  comments (``/notes``, ``/payments``, ``/ratings``...: :data:`_OTHER_EDGES`) are quarantined
  with their id only.

One page per file, a JSON array of pages, or JSON lines of pages (a line that is not JSON
is quarantined alone). Every post and comment is one record, numbered in document order
(a post, then its comments depth-first).

Ids: a comment ``'<post-id>_<comment-id>'`` is ``facebook:<post-id>_<comment-id>``. Its
conversation is the post it belongs to, ``facebook:<post-id>`` (the part before the last
``_``), which is also its parent when it is not a reply (``parent.id``). A page post
``'<page-id>_<post-id>'`` is the message ``facebook:<post-id>`` (native_id keeps the full
id): the id its comments carry, so that a post, its comments and comments read from
another file without the post all share one conversation id. ``thread_owner`` is the
page or person whose feed holds the post (its id's first part, ``from.id`` when the id has
none: a visitor's post on a page is the page's) when the file holds the post. Comments read
without it from a comments page whose paging URL names the post by its full id
(``/{owner-id}_{post-id}/comments``), or that a ``?ids=`` response gives under that id
(``/comments?ids=<owner-id>_<post-id>,...``, whose single pages have no paging URL), are
that post's, as they would be nested in it:
conversation ``facebook:<post-id>``, ``thread_owner`` the id's first part. Otherwise a
comment read alone has no ``thread_owner`` (NULL).

Not loaded (quarantined): posts and comments without ``from`` (the Graph API leaves it out
of comments read without a page token, and out of any node unless ``fields=`` asks for it;
a post and a comment then look alike, so no author is guessed), hidden comments
(``is_hidden``), records without id or with a timestamp without zone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.canonical import MESSAGE_SCHEMA
from pipelines.formats.base import (
    ArchiveError,
    ReadResult,
    private_excerpt,
    quarantine_frame,
    result,
    without_keys,
)

NO_AUTHOR = (
    "missing from: no author (the Graph API leaves it out of comments read without a page token, "
    "and out of posts and comments unless fields= asks for from)"
)


def read_facebook(path: Path) -> ReadResult:
    """Read Facebook Graph API comment or post pages into canonical rows."""
    rows: list[dict] = []
    bad: list[dict] = []
    position = textless = 0
    for page in _pages(path):
        for node, context in _nodes(page):
            row, reason = _row(node, context)
            if reason:
                # what is private, or of an edge not read (a payment, a review): its id only
                private = (context[0] in PRIVATE_KINDS or context[0].startswith(OTHER)) and isinstance(node, dict)
                bad.append({"position": position, "reason": reason,
                            "excerpt": private_excerpt(node.get("id")) if private else _excerpt(node)})
            else:
                rows.append({**row, "position": position})
                textless += "message" not in node and not row["text"]
            position += 1
    notes = (f"{textless} post(s) and comment(s) have no message field: their text is empty (the Graph API "
             "leaves message out unless fields= asks for it, and out of a comment that is only a photo or a "
             "sticker); an empty text is classified as no complaint or question",) if textless else ()
    return result(pl.from_dicts(rows, schema=MESSAGE_SCHEMA), quarantine_frame(bad), notes)


def _pages(path: Path) -> Iterator[Any]:
    """The file's JSON values: one document, the elements of a top-level array, or one per line."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    try:
        document = json.loads(text)
    except ValueError as whole_error:
        lines = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
        try:
            json.loads(lines[0][1]) if lines else None
        except ValueError:
            raise ArchiveError(f"not readable as Facebook Graph API JSON: {whole_error}") from whole_error
        for number, line in lines:
            try:
                yield json.loads(line)
            except ValueError:
                yield _NotJson(line, number)
        return
    yield from document if isinstance(document, list) else [document]


class _NotJson(str):
    """A line of a JSON-lines file that is not JSON: one quarantined record."""

    def __new__(cls, line: str, line_no: int) -> _NotJson:
        self = super().__new__(cls, line)
        self.line_no = line_no
        return self


#: What a node's position in the file tells about it: (kind, post id, owner, parent id).
_Context = tuple[str, str | None, str | None, str | None]


#: the edges that hold posts: named in a page's paging URLs (``/{page-id}/feed``), or a node's own
#: edges (``/{page-id}?fields=posts{...}``: the page, its posts inside)
_POST_EDGE_FIELDS = ("feed", "posts", "published_posts", "visitor_posts", "tagged", "promotable_posts")
_POST_EDGES = re.compile(rf"/(?:{'|'.join(_POST_EDGE_FIELDS)})$")
_COMMENT_EDGES = re.compile(r"/([^/]+)/comments$")
#: the kinds of node that are private: an inbox conversation and its messages, a notification
PRIVATE_KINDS = ("thread", "message", "notification")
#: the kind of a node that is neither a post nor a comment, read from another edge (``/notes``,
#: ``/payments``, ``/ratings``...): ``OTHER + edge``; not read, its content not kept
OTHER = "other:"
#: Messenger's ids: a message's 'm_…' ('m_mid.…' in older responses, 'mid.…'), a conversation's 't_…'
_MESSENGER_MESSAGE_IDS, _MESSENGER_THREAD_IDS = ("m_", "mid."), ("t_",)
#: edges whose nodes are neither posts nor comments (a photo's, a video's comments are read: not listed)
_OTHER_EDGES = re.compile(r"/(notes|payments|friendrequests|notifications|ratings|checkins|milestones|questions"
                          r"|likes|games|events|albums|friends|accounts|subscriptions|subscribers|family|groups)$")
#: fields that are credentials, never kept in an excerpt (the quarantine is published): a
#: page's or a test user's access token (/accounts), its login URL
_SECRET_FIELDS = frozenset({"access_token", "login_url", "password", "appsecret_proof"})
#: Messenger's edges: a page's conversations and their messages are private
_PRIVATE_EDGES = re.compile(r"/(?:conversations|messages)$")
#: fields a post has and a comment never has (a comment has one ``attachment``, a post ``attachments``)
_POST_FIELDS = frozenset({"type", "status_type", "story", "actions", "privacy", "full_picture", "attachments",
                          "shares", "is_published", "updated_time"})
#: fields a comment has and a post never has
_COMMENT_FIELDS = frozenset({"parent", "attachment", "like_count", "comment_count", "can_remove", "can_hide",
                             "user_likes", "object"})
#: fields of the objects that are neither posts nor comments (photos, videos, albums)
_OBJECT_FIELDS = frozenset({"images", "album", "cover_photo", "photo_count", "video_count", "embed_html", "format",
                            "source"})


def _nodes(page: Any, asked: str | None = None) -> Iterator[tuple[Any, _Context]]:
    """Every post and comment of one page, each with what its place in the page tells;
    ``asked``: the id a ``?ids=`` response answers the page under."""
    if isinstance(page, dict) and isinstance(page.get("data"), list):
        edge, commented = _paged_edge(page)
        if edge is None and _commented_post(asked) != (None, None):
            # /comments?ids=<owner-id>_<post-id>,...: a page under a post's id holds its comments
            # (a single page has no paging URL to say so)
            edge, commented = "comment", asked
        post_id, owner = _commented_post(commented)
        if post_id is None and edge == "comment" and commented:
            # /{object-id}/comments of a bare id (a photo's, a video's, a newer post's): its
            # comments' ids have no underscore, and the paging URL is all that names their object
            post_id = commented
        for item in page["data"]:
            kind = _kind(item, edge)
            yield from _walk(item, (kind, post_id, owner, None) if kind == "comment" else (kind, None, None, None))
    elif _is_id_map(page):
        for asked_id, item in page.items():
            yield from _nodes(item, asked_id)
    elif edges := _post_edges(page):
        for edge in edges:  # a page or person read with its posts: the posts are the records
            for item in edge["data"]:
                yield from _walk(item, (_kind(item, "post"), None, None, None))
    else:
        yield from _walk(page, (_kind(page, None), None, None, None))


def _post_edges(node: Any) -> list[dict]:
    """The pages of posts a node holds in its own edges (:data:`_POST_EDGE_FIELDS`)."""
    if not isinstance(node, dict):
        return []
    return [edge for name in _POST_EDGE_FIELDS
            if isinstance(edge := node.get(name), dict) and isinstance(edge.get("data"), list)]


def _paged_edge(page: dict) -> tuple[str | None, str | None]:
    """'message', 'post' or 'comment' when the page's paging URLs name the edge it was read
    from, else None; and, for comments, the node whose comments they are (the URL's id)."""
    paging = page.get("paging")
    urls = [paging.get(key) for key in ("next", "previous")] if isinstance(paging, dict) else []
    paths = [url.split("?", 1)[0] for url in urls if isinstance(url, str)]
    if any(_PRIVATE_EDGES.search(path) for path in paths):
        return "message", None
    if any(_POST_EDGES.search(path) for path in paths):
        return "post", None
    for path in paths:
        if found := _COMMENT_EDGES.search(path):
            return "comment", found.group(1)
    for path in paths:
        if found := _OTHER_EDGES.search(path):
            return f"{OTHER}/{found.group(1)}", None
    return None, None


def _commented_post(commented: str | None) -> tuple[str | None, str | None]:
    """The post key and the owner of the comments of ``/{owner-id}_{post-id}/comments``: every
    comment of such a page belongs to that post, whatever object its own id starts with (a
    shared photo's id, in real responses), as it would read nested in the post; (None, None)
    for any other id."""
    owner, separator, post = (commented or "").partition("_")
    return (post, owner) if separator and owner and post else (None, None)


def _kind(node: Any, edge: str | None) -> str:
    """'thread' (a private inbox conversation), 'message' (of one), 'post' or 'comment'."""
    if isinstance(node, dict):
        node_id = str(node.get("id") or "")
        if ("unread" in node or "unseen" in node) and isinstance(node.get("to"), dict):
            # a notification (or a friend request) has unread and to, and a title or no id
            return "notification" if "title" in node or not node_id else "thread"
        if node_id.startswith("notif_"):
            return "notification"
        if node_id.startswith(_MESSENGER_THREAD_IDS):
            return "thread"
        if node_id.startswith(_MESSENGER_MESSAGE_IDS) or "inbox" in _tag_names(node):
            return "message"
        if "reviewer" in node or "recommendation_type" in node:
            return f"{OTHER}/ratings"  # a page's rating or recommendation (no id of its own)
    if edge is not None:
        return edge
    return "post" if _is_post(node) else "comment"


def _tag_names(node: dict) -> set[str]:
    """The names of a Messenger message's ``tags`` (``inbox``, ``read``, ``source:web``...)."""
    tags = node.get("tags")
    data = tags.get("data") if isinstance(tags, dict) else None
    return {str(tag.get("name")) for tag in data if isinstance(tag, dict)} if isinstance(data, list) else set()


def _is_id_map(page: Any) -> bool:
    """A ``?ids=<id>,<id>`` response: under each id (or vanity name) asked for, its node
    (``{"telvia": {"id": "8208...", ...}}``) or, for an edge (``/comments?ids=...``), its page
    (``{"<post-id>": {"data": [...]}}``)."""
    return (isinstance(page, dict) and bool(page) and "id" not in page and "data" not in page
            and all(isinstance(value, dict) and ("id" in value or isinstance(value.get("data"), list))
                    for value in page.values()))


def _walk(node: Any, context: _Context) -> Iterator[tuple[Any, _Context]]:
    yield node, context
    if not isinstance(node, dict):
        return
    kind, post_id, owner, _ = context
    # a conversation's messages: under `comments` (inbox threads), under `messages` (/conversations)
    edge = node.get("comments") if "comments" in node or kind != "thread" else node.get("messages")
    children = edge.get("data") if isinstance(edge, dict) else None
    if not isinstance(children, list):
        return
    node_id = str(node.get("id") or "")
    if kind == "post":
        post_id, owner = _post_key(node_id), _owner(node)
    for child in children:
        child_kind = "message" if kind in ("thread", "message") else "comment"
        yield from _walk(child, (child_kind, post_id, owner, node_id if kind == "comment" else None))


def _is_post(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    node_id = str(node.get("id") or "")
    if node_id.count("_") > 1 or (not _COMMENT_FIELDS.isdisjoint(node) and _POST_FIELDS.isdisjoint(node)):
        return False  # '<owner-id>_<post-id>_<comment-id>', or a comment's fields: a comment (the page's reply)
    page_id, separator, _ = node_id.partition("_")
    if isinstance(node.get("comments"), dict) or (separator and not _POST_FIELDS.isdisjoint(node)):
        return True  # a post's fields on a node whose id is a post's ('<owner-id>_<post-id>'), not an album's
    return bool(page_id) and _from(node)[0] == page_id


def _owner(post: dict) -> str | None:
    """Whose feed a post is on: the page or person its id starts with ('<owner-id>_<post-id>'),
    a visitor's post on a page being the page's; else its author."""
    owner, separator, _ = str(post.get("id") or "").partition("_")
    return owner if separator and owner else _from(post)[0]


def _post_key(post_id: str) -> str:
    """A page post '<page-id>_<post-id>' is keyed by '<post-id>', the id its comments carry."""
    return post_id.rsplit("_", 1)[-1]


def _from(node: dict) -> tuple[str | None, str | None]:
    author = node.get("from")
    if not isinstance(author, dict) or not author.get("id"):
        return None, None
    return str(author["id"]), author.get("name")


def _created(value: Any) -> tuple[datetime | None, str | None]:
    if not isinstance(value, str) or not value:
        return None, "missing required field: created_time"
    for pattern in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return datetime.strptime(value, pattern).astimezone(UTC), None
        except ValueError:
            pass
    for pattern in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f"):
        try:
            datetime.strptime(value, pattern)
            return None, f"timestamp without zone in created_time: {value}"
        except ValueError:
            pass
    return None, f"invalid created_time: {value}"


def _mentions(node: dict) -> list[str]:
    found: list[str] = []
    tags = node.get("message_tags")
    if isinstance(tags, dict):  # older responses key the tags by their offset: {"0": [tag], "11": [tag]}
        tags = [tag for group in tags.values() if isinstance(group, list) for tag in group]
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, dict):
            found += [str(tag["id"])] if tag.get("id") else []
            found += [str(tag["name"]).lower()] if tag.get("name") else []
    return list(dict.fromkeys(found))


def _row(node: Any, context: _Context) -> tuple[dict, str | None]:
    kind, post_id, owner, parent_from_nesting = context
    if isinstance(node, _NotJson):
        return {}, f"not valid JSON (line {node.line_no})"
    if not isinstance(node, dict):
        return {}, "record is not a JSON object"
    if "error" in node and "id" not in node:
        return {}, f"Graph API error response: {json.dumps(node['error'], ensure_ascii=False)}"
    if "code" in node and "body" in node and "id" not in node:
        return {}, "a Graph API batch response's item: its body (a JSON string) is not read; save each body as a file"
    if "entry" in node and "object" in node and "id" not in node:
        return {}, "a webhook notification ({object, entry}), not a Graph API node: not read"
    if kind in PRIVATE_KINDS:
        return {}, ("excluded: a notification (private to its recipient)" if kind == "notification"
                    else f"excluded: private {'conversation' if kind == 'thread' else 'message'} (inbox)")
    if kind.startswith(OTHER):
        return {}, f"a node of {kind.removeprefix(OTHER)}, neither a post nor a comment: not read (nor kept)"
    native_id = node.get("id")
    if not isinstance(native_id, (str, int)) or not str(native_id):
        return {}, "missing required field: id"
    native_id = str(native_id)
    if kind == "comment" and post_id is None and "_" not in native_id and not _OBJECT_FIELDS.isdisjoint(node):
        return {}, (f"{native_id} is neither a post nor a comment (a photo, a video or an album: "
                    f"{', '.join(sorted(_OBJECT_FIELDS.intersection(node)))}): only the comments read with it are "
                    "messages, and it has none here")
    if kind == "comment" and post_id is None and "_" not in native_id:
        return {}, (f"comment {native_id} names no post: its id is not '<post-id>_<comment-id>', and no paging "
                    "URL (/<object-id>/comments), ?ids= key or enclosing post says what it comments (save the "
                    "response with its paging, or the comments nested in their post)")
    if node.get("is_hidden") is True:
        return {}, "excluded: hidden comment"
    author_id, author_name = _from(node)
    if author_id is None:
        return {}, NO_AUTHOR
    created_at, reason = _created(node.get("created_time"))
    if reason:
        return {}, reason
    text = node.get("message", "")
    if "message" not in node and not _OBJECT_FIELDS.isdisjoint(node):
        text = node.get("name", "")  # a photo's or a video's caption
    if not isinstance(text, str):
        return {}, "message is not a string"
    if kind == "post" and node.get("is_published") is False:
        return {}, "excluded: unpublished post"
    if kind == "post":
        key = f"facebook:{_post_key(native_id)}"
        return {
            "message_id": key, "version_id": key, "native_id": native_id, "conversation_id": key,
            "author_id": author_id, "author_handle": author_name, "thread_owner": _owner(node),
            # not its `story` ("… updated their cover photo."): Facebook's words, not the author's
            "created_at": created_at, "text": text, "url": node.get("permalink_url"),
            "mentions": _mentions(node), "platform": "facebook", "kind": "post",
        }, None
    conversation = f"facebook:{post_id or native_id.rsplit('_', 1)[0]}"
    parent = node.get("parent")
    parent_id = parent.get("id") if isinstance(parent, dict) and parent.get("id") else parent_from_nesting
    return {
        "message_id": f"facebook:{native_id}", "version_id": f"facebook:{native_id}", "native_id": native_id,
        "conversation_id": conversation, "parent_id": f"facebook:{parent_id}" if parent_id else conversation,
        "author_id": author_id, "author_handle": author_name, "thread_owner": owner,
        "created_at": created_at, "text": text, "url": node.get("permalink_url"),
        "mentions": _mentions(node), "platform": "facebook", "kind": "post",
    }, None


def _excerpt(node: Any) -> str:
    if isinstance(node, _NotJson):
        return str(node)
    if isinstance(node, dict) and "comments" in node:
        node = {**node, "comments": "..."}
    # never a credential (QA: /accounts nodes published their access tokens in the quarantine)
    return json.dumps(without_keys(node, _SECRET_FIELDS), ensure_ascii=False)
