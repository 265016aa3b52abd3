"""The Facebook Graph API reader, on hand-written comment and post pages.

``tests/fixtures/facebook/`` (page Telvia, id 104857600000001):

- ``comments_pages.jsonl``: two pages of ``/771000000000002/comments`` as JSON lines:
  ana's top-level comment tagging the page; the page's own reply to it (``parent``); ana's
  answer (``+0200``); a comment without ``from`` (no page token); a hidden comment; a
  comment without zone; luis's top-level comment;
- ``page_posts_with_comments.json``: ``/104857600000001/posts?fields=...,comments{...,
  comments}``: a page post with luis's comment, the page's nested reply to it and a comment
  without ``from``; a second post without comments.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from pipelines import ingest
from pipelines.formats import ArchiveError, detect_format
from pipelines.formats.facebook import NO_AUTHOR, read_facebook
from pipelines.settings import load_settings

FACEBOOK = Path(__file__).parent / "fixtures" / "facebook"
COMMENTS = FACEBOOK / "comments_pages.jsonl"
POSTS = FACEBOOK / "page_posts_with_comments.json"
PAGE = "104857600000001"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def by_id(read) -> dict[str, dict]:
    return {row["message_id"]: row for row in read.messages.to_dicts()}


def test_top_level_comment_maps_to_a_full_canonical_row():
    comment = by_id(read_facebook(COMMENTS))["facebook:771000000000002_880000000000001"]
    assert comment == {
        "message_id": "facebook:771000000000002_880000000000001",
        "version_id": "facebook:771000000000002_880000000000001",
        "platform": "facebook", "native_id": "771000000000002_880000000000001", "kind": "post",
        "conversation_id": "facebook:771000000000002", "parent_id": "facebook:771000000000002",
        "quoted_id": None, "reposted_id": None,
        "author_id": "5550000000001", "author_handle": "Ana Gómez", "author_followers": None,
        "in_reply_to_author_id": None, "mentions": [PAGE, "telvia"], "thread_owner": None,
        "created_at": utc(2026, 10, 5, 9, 10, 56), "text": "Telvia llevo 3 días sin fibra 😡", "lang": None,
        "url": "https://www.facebook.com/104857600000001/posts/771000000000002?comment_id=880000000000001",
        "deleted": None, "archive_sha256": None, "position": 0,
    }


def test_replies_and_the_pages_own_comments():
    rows = by_id(read_facebook(COMMENTS))
    page_reply = rows["facebook:771000000000002_880000000000002"]
    assert (page_reply["author_id"], page_reply["author_handle"]) == (PAGE, "Telvia")
    assert page_reply["parent_id"] == "facebook:771000000000002_880000000000001"
    assert page_reply["conversation_id"] == "facebook:771000000000002"
    thanks = rows["facebook:771000000000002_880000000000003"]
    assert thanks["parent_id"] == "facebook:771000000000002_880000000000002"
    assert thanks["created_at"] == utc(2026, 10, 5, 10, 0)  # 12:00+0200
    assert rows["facebook:771000000000002_880000000000007"]["parent_id"] == "facebook:771000000000002"


def test_comments_without_author_hidden_or_without_zone_are_quarantined():
    read = read_facebook(COMMENTS)
    assert read.records_read == 7  # both pages of the JSON-lines file
    assert dict(zip(read.quarantine["position"], read.quarantine["reason"], strict=False)) == {
        3: NO_AUTHOR,
        4: "excluded: hidden comment",
        5: "timestamp without zone in created_time: 2026-10-05T10:06:00",
    }


def test_posts_with_comments_share_one_conversation_owned_by_the_page():
    read = read_facebook(POSTS)
    assert read.records_read == 5
    assert read.quarantine.select("position", "reason").rows() == [(3, NO_AUTHOR)]
    rows = read.messages.to_dicts()
    assert [r["message_id"] for r in rows] == [
        "facebook:771000000000001",
        "facebook:771000000000001_880000000000011",
        "facebook:771000000000001_880000000000012",
        "facebook:771000000000003",
    ]
    post, comment, page_reply, other_post = rows
    # the post is keyed by the id its comments carry; native_id keeps the page-qualified id
    assert post["native_id"] == f"{PAGE}_771000000000001"
    assert (post["author_id"], post["author_handle"], post["thread_owner"]) == (PAGE, "Telvia", PAGE)
    assert post["conversation_id"] == post["message_id"] and post["parent_id"] is None
    assert post["created_at"] == utc(2026, 10, 6, 18, 0)
    assert comment["conversation_id"] == comment["parent_id"] == post["message_id"]
    assert comment["thread_owner"] == PAGE and comment["author_id"] == "5550000000002"
    assert page_reply["parent_id"] == comment["message_id"]  # nested under it
    assert page_reply["author_id"] == PAGE and page_reply["thread_owner"] == PAGE
    assert other_post["conversation_id"] == "facebook:771000000000003"


def test_a_post_without_comments_edge_is_recognised_by_its_page_author(tmp_path: Path):
    page = json.loads(POSTS.read_text())
    lone = tmp_path / "posts.json"
    lone.write_text(json.dumps({"data": [page["data"][1]]}))
    (row,) = read_facebook(lone).messages.to_dicts()
    assert row["message_id"] == "facebook:771000000000003" and row["thread_owner"] == PAGE


def test_an_ids_response_is_read_node_by_node(tmp_path: Path):
    """``/?ids=a,b`` answers each node under its own id (the shape of a response recorded in
    python-facebook's test data, testdata/facebook/apidata/posts/multi_posts_data_fields.json)."""
    comment = json.loads(COMMENTS.read_text().splitlines()[0])["data"][0]
    post = {"id": f"{PAGE}_900000000000009", "created_time": "2026-10-02T09:00:00+0000", "message": "Horario"}
    path = tmp_path / "ids.json"
    path.write_text(json.dumps({comment["id"]: comment, post["id"]: post}))
    assert detect_format(path) == "facebook_graph"
    read = read_facebook(path)
    assert read.records_read == 2
    assert read.messages["native_id"].to_list() == [comment["id"]]
    # asked without fields=from, the post has no author: quarantined with what to ask for
    assert read.quarantine.select("position", "reason").rows() == [(1, NO_AUTHOR)] and "fields=" in NO_AUTHOR
    # under a vanity name, and the edge form (/comments?ids=a,b): a page of comments under each id
    pages = [json.loads(line) for line in COMMENTS.read_text().splitlines()]
    path.write_text(json.dumps({"telvia": comment, "771000000000002": pages[0], "771000000000009": pages[1]}))
    read = read_facebook(path)
    assert read.records_read == 1 + sum(len(page["data"]) for page in pages)
    assert comment["id"] in read.messages["native_id"].to_list()


def test_error_responses_broken_lines_and_unreadable_files(tmp_path: Path):
    lines = tmp_path / "pages.jsonl"
    lines.write_text('{"error": {"message": "Invalid OAuth access token", "code": 190}}\n'
                     '{"data": [{"id": "1_2", "from": {"id": "9"}, "created_time": "2026-10-05T09:00:00+0000"\n')
    read = read_facebook(lines)
    assert read.quarantine["reason"].to_list() == [
        'Graph API error response: {"message": "Invalid OAuth access token", "code": 190}',
        "not valid JSON (line 2)",
    ]
    broken = tmp_path / "page.json"
    broken.write_text(COMMENTS.read_text().splitlines()[0][:300])
    with pytest.raises(ArchiveError, match="not readable as Facebook Graph API JSON"):
        read_facebook(broken)


def test_ingest_detects_facebook_and_counts_every_record(tmp_path: Path):
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path)})
    assert detect_format(COMMENTS) == detect_format(POSTS) == "facebook_graph"
    records = ingest.ingest([str(COMMENTS), str(POSTS)], settings)
    assert [(r.format, r.status, r.records_read, r.records_loaded, r.records_quarantined) for r in records] == [
        ("facebook_graph", "loaded", 7, 4, 3),
        ("facebook_graph", "loaded", 5, 4, 1),
    ]
    assert ingest.reconcile(settings).is_empty()


REAL = Path(__file__).parent / "fixtures" / "facebook_real"


def test_visitor_posts_on_a_page_feed_are_posts_of_the_page():
    # restfb's recorded /{page-id}/feed: visitors' posts carry no comments edge; they were read
    # as comments on a post 'facebook:74133697733' (the page's id) that does not exist
    read = read_facebook(REAL / "page_feed_excerpt.json")
    rows = {row["native_id"]: row for row in read.messages.to_dicts()}
    visitor = rows["74133697733_10152424438657734"]
    assert visitor["message_id"] == visitor["conversation_id"] == "facebook:10152424438657734"
    assert visitor["parent_id"] is None
    assert (visitor["author_id"], visitor["thread_owner"]) == ("1313195878", "74133697733")
    assert visitor["text"] == "Only Game of Thrones fan will knw :p"
    page_post = rows["74133697733_10152424266332734"]  # by another page (Sevilla), on this page's feed
    assert page_post["message_id"] == "facebook:10152424266332734"
    assert page_post["thread_owner"] == "74133697733"
    comments = [row for row in rows.values() if row["parent_id"] is not None]
    assert [c["conversation_id"] for c in comments] == ["facebook:10152424266332734"] * 2
    assert {c["thread_owner"] for c in comments} == {"74133697733"}
    assert read.messages.height == 5 and read.quarantine.is_empty()


def test_the_paging_url_names_the_edge_a_page_was_read_from(tmp_path: Path):
    page = json.loads((REAL / "page_feed_excerpt.json").read_text())
    bare = {"data": [{key: post[key] for key in ("id", "from", "message", "created_time")} for post in page["data"][:2]]}
    # without a post's fields or the paging URL, a visitor's post looks like a comment
    assert [row["parent_id"] for row in _read(tmp_path, bare).messages.to_dicts()] == ["facebook:74133697733"] * 2
    posts = _read(tmp_path, {**bare, "paging": page["paging"]}).messages
    assert posts["parent_id"].to_list() == [None, None]
    comments_url = {"next": "https://graph.facebook.com/v19.0/74133697733_10152424266332734/comments?after=QVFI"}
    comments = _read(tmp_path, {**page["data"][2]["comments"], "paging": comments_url}).messages
    # the post the URL names, as when they are read nested in it (their ids name another object)
    assert comments["parent_id"].to_list() == ["facebook:10152424266332734"] * 2
    assert comments["thread_owner"].to_list() == ["74133697733"] * 2


def _read(tmp_path: Path, page: dict):
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page))
    return read_facebook(path)


def test_an_inbox_conversation_is_private_and_not_loaded():
    read = read_facebook(REAL / "inbox_thread.json")
    assert read.messages.is_empty()
    assert read.quarantine["reason"].value_counts().sort("reason").rows() == [
        ("excluded: private conversation (inbox)", 1), ("excluded: private message (inbox)", 23)]
    # the quarantine is published: a private message keeps its id, not its content
    assert read.quarantine["excerpt"].str.ends_with(": private, its content is not kept").all()
    assert read.quarantine["excerpt"].str.starts_with("id ").all()


def test_a_webhook_notification_is_quarantined_as_what_it_is(tmp_path: Path):
    # restfb's recorded page webhook (feed, comment add) was quarantined as 'missing required field: id'
    change = {"field": "feed", "value": {"item": "comment", "verb": "add", "comment_id": "901_903",
                                         "post_id": "1234_901", "created_time": 1449135003, "message": "and the next one"}}
    read = _read(tmp_path, {"object": "page", "entry": [{"id": "1234", "time": 1449135003, "changes": [change]}]})
    assert read.quarantine["reason"].to_list() == ["a webhook notification ({object, entry}), not a Graph API node: not read"]


def test_what_is_not_a_public_post_or_comment_stays_out(tmp_path: Path):
    page_author = {"id": "74133697733", "name": "Telvia"}
    # an album (an /albums page: a post's fields, an id that is no post's) is no post
    album = {"data": [{"id": "10150146071831729", "name": "Timeline Photos", "type": "wall", "from": page_author,
                       "created_time": "2014-09-20T09:54:19+0000", "updated_time": "2014-09-21T09:54:19+0000"}],
             "paging": {"next": "https://graph.facebook.com/v19.0/74133697733/albums?after=x"}}
    assert _read(tmp_path, album).messages.is_empty()
    # a Messenger page's messages are private
    messages = {"data": [{"id": "m_Ab8eXyZ123", "message": "my account number is 1234", "from": {"id": "555"},
                          "created_time": "2024-05-01T10:00:00+0000"}],
                "paging": {"next": "https://graph.facebook.com/v19.0/t_100001/messages?after=QVFI"}}
    assert _read(tmp_path, messages).quarantine["reason"].to_list() == ["excluded: private message (inbox)"]
    # an unpublished post of /promotable_posts is not public
    unpublished = {"data": [{"id": "74133697733_1", "message": "Borrador", "from": page_author, "is_published": False,
                             "created_time": "2024-05-01T10:00:00+0000"}],
                   "paging": {"next": "https://graph.facebook.com/v19.0/74133697733/promotable_posts?after=x"}}
    assert _read(tmp_path, unpublished).quarantine["reason"].to_list() == ["excluded: unpublished post"]
    # a notification has unread and to, and a title: not an inbox conversation
    notification = {"id": "notif_1_2", "from": {"id": "555"}, "to": {"id": "1"}, "unread": 1, "title": "Ana commented",
                    "created_time": "2024-05-01T10:00:00+0000", "updated_time": "2024-05-01T10:00:00+0000"}
    assert "excluded: private conversation (inbox)" not in _read(tmp_path, notification).quarantine["reason"].to_list()


def test_comments_read_alone_from_a_posts_comments_page_are_that_posts(tmp_path: Path):
    # real: the first comments of a post on Game of Thrones' page, as restfb recorded them in the
    # page's feed; /{page-id}_{post-id}/comments returns this same page. Read alone, the comments
    # had no thread owner (so they addressed no brand: only the answered ones opened cases, QA)
    # and took their conversation from their ids, which name another object (10152279886765544)
    page = json.loads((REAL / "post_comments.json").read_text())
    alone = read_facebook(REAL / "post_comments.json").messages
    assert alone.height == 3
    assert set(alone["thread_owner"]) == {"74133697733"}
    assert set(alone["conversation_id"]) == set(alone["parent_id"]) == {"facebook:10152423996287734"}
    # the same comments nested in their post read the same
    post = {"id": "74133697733_10152423996287734", "from": {"id": "39795225543", "name": "Comicbook.com"},
            "message": "Happy birthday, George R. R. Martin!", "created_time": "2014-09-20T05:00:00+0000",
            "comments": page}
    (tmp_path / "nested.json").write_text(json.dumps({"data": [post]}))
    nested = read_facebook(tmp_path / "nested.json").messages.filter(pl.col("message_id") != "facebook:10152423996287734")
    columns = ["message_id", "conversation_id", "parent_id", "thread_owner", "author_id", "created_at", "text"]
    assert alone.select(columns).sort("message_id").equals(nested.select(columns).sort("message_id"))


def test_comments_under_a_post_id_of_an_ids_response_are_that_posts(tmp_path: Path):
    """``/comments?ids=<page>_<post>`` answers a page of the post's comments under its full id,
    without paging when one page holds them all: the comments are the post's (conversation, and
    the page as thread owner), as they are when a comments page's paging URL names the post."""
    page = json.loads(COMMENTS.read_text().splitlines()[0])
    page.pop("paging", None)
    post = "771000000000002"
    path = tmp_path / "ids_comments.json"
    path.write_text(json.dumps({f"{PAGE}_{post}": page}))
    read = read_facebook(path)
    assert read.records_read == len(page["data"])
    rows = read.messages.to_dicts()
    assert rows and {row["thread_owner"] for row in rows} == {PAGE}
    assert {row["conversation_id"] for row in rows} == {f"facebook:{post}"}
    # a page under a page's own id (no '_') says nothing of whose comments they are
    path.write_text(json.dumps({PAGE: page}))
    assert read_facebook(path).messages["thread_owner"].null_count() == len(read_facebook(path).messages)


def test_comments_fetched_without_their_message_load_with_a_note(tmp_path: Path):
    """Real 2015 comment pages saved without `message` (fields= did not ask for it; its
    message_tags show the comments had text): 14 comments loaded with empty texts and nothing
    said so. The note names it; a comment with its message says nothing."""
    page = {"data": [
        {"id": "10_1", "from": {"id": "7", "name": "Zidane"}, "created_time": "2015-03-01T10:00:00+0000",
         "message_tags": [{"id": "99", "name": "Brand", "offset": 45, "length": 5}], "like_count": 2},
        {"id": "10_2", "from": {"id": "8", "name": "Lamiyaa"}, "created_time": "2015-03-01T11:00:00+0000",
         "like_count": 0},
        {"id": "10_3", "from": {"id": "9", "name": "Ana"}, "created_time": "2015-03-01T12:00:00+0000",
         "message": "hola"},
    ]}
    path = tmp_path / "comments.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    read = read_facebook(path)
    assert read.messages["text"].to_list() == ["", "", "hola"]
    assert [note.split(":")[0] for note in read.notes] == ["2 post(s) and comment(s) have no message field"]
    path.write_text(json.dumps({"data": page["data"][2:]}), encoding="utf-8")
    assert read_facebook(path).notes == ()


def test_comments_of_an_object_with_a_bare_id_are_its_comments(tmp_path: Path):
    """Newer responses (and a photo's or a video's comments) give comment ids without the post's
    '<post>_' prefix: a real /comments response (2023) lost all three comments to 'invalid id'
    (QA). The paging URL names the object; without any context the reason says what is missing."""
    comment = {"created_time": "2023-10-07T09:10:56+0000", "from": {"name": "Nguyễn Nam", "id": "100011560725691"},
               "message": "Soft này xài khá OK, thường xuyên khuyến mãi", "id": "2223931101272331"}
    paging = {"cursors": {"before": "x", "after": "y"},
              "next": "https://graph.facebook.com/v18.0/2223900000000000/comments?after=y"}
    (row,) = _read(tmp_path, {"data": [comment], "paging": paging}).messages.to_dicts()
    assert (row["message_id"], row["conversation_id"], row["parent_id"]) == (
        "facebook:2223931101272331", "facebook:2223900000000000", "facebook:2223900000000000")
    read = _read(tmp_path, {"data": [comment]})
    assert read.messages.is_empty()
    assert read.quarantine["reason"].item().startswith("comment 2223931101272331 names no post")


def test_a_post_without_a_message_is_not_its_story(tmp_path: Path):
    """A real page feed (v2.1): a post with no message but Facebook's story ("… updated their
    cover photo.") loaded the story as its text, classified complaint, and the notes did not
    count it (QA). Its text is empty, as the docs say, and noted."""
    post = {"id": "330275757502_10152267392717503", "from": {"name": "לחמנינה", "id": "330275757502"},
            "story": "לחמנינה updated their cover photo.", "type": "photo",
            "created_time": "2014-08-20T09:00:00+0000"}
    read = _read(tmp_path, {"data": [post]})
    assert read.messages["text"].to_list() == [""]
    assert read.notes and read.notes[0].startswith("1 post(s) and comment(s) have no message field")


def test_messenger_messages_read_alone_are_private(tmp_path: Path):
    # real single nodes (restfb, python-facebook): loaded as public posts, with the page's own
    # message a brand post, and their ids cut at the last '_' ('facebook:C78mRA', QA)
    for name in ("messenger_message.json", "messenger_message_attachments.json"):
        read = read_facebook(REAL / name)
        assert read.messages.is_empty(), name
        assert read.quarantine["reason"].to_list() == ["excluded: private message (inbox)"]
        assert read.quarantine["excerpt"].str.ends_with(": private, its content is not kept").all()
    # a /conversations page: its conversations' messages (under `messages`) are records, private too
    message = json.loads((REAL / "messenger_message.json").read_text())
    threads = {"data": [{"id": "t_10153", "updated_time": "2016-01-02T23:40:56+0000", "messages": {"data": [message]}}]}
    assert _read(tmp_path, threads).quarantine["reason"].to_list() == [
        "excluded: private conversation (inbox)", "excluded: private message (inbox)"]


def test_a_page_node_read_with_its_feed_holds_the_posts(tmp_path: Path):
    # /{page-id}?fields=name,feed{...}: the posts nested in the page node. The page was one
    # record, quarantined as a comment naming no post, and its posts were neither loaded nor
    # quarantined (QA: a real 2013 response, 9 posts lost uncounted)
    feed = json.loads((REAL / "page_feed_excerpt.json").read_text())
    nested = _read(tmp_path, {"name": "Game of Thrones", "id": "74133697733", "feed": feed})
    alone = read_facebook(REAL / "page_feed_excerpt.json")
    assert nested.messages.drop("position").equals(alone.messages.drop("position"))
    assert nested.quarantine.is_empty()


def test_a_comment_of_the_page_read_alone_is_a_comment(tmp_path: Path):
    # its id starts with the page's id, its author is the page: it was read as a new post of the
    # brand (its own conversation, answering nothing); a comment's fields say what it is
    [row] = read_facebook(REAL / "page_comment_read_alone.json").messages.to_dicts()
    assert (row["message_id"], row["conversation_id"], row["parent_id"]) == (
        "facebook:123456789_8765432", "facebook:123456789", "facebook:123456789")
    # a three-part id '<page-id>_<post-id>_<comment-id>' is a comment's, whatever its fields
    node = {"id": "19292868552_10158347294088553_10158347306418553", "from": {"id": "19292868552", "name": "Dev"},
            "message": "Thanks, fixed", "created_time": "2021-07-01T10:00:00+0000"}
    [row] = _read(tmp_path, node).messages.to_dicts()
    assert row["conversation_id"] == "facebook:19292868552_10158347294088553"


def test_a_photo_without_comments_is_quarantined_as_what_it_is():
    [reason] = read_facebook(REAL / "photo.json").quarantine["reason"].to_list()
    assert reason.startswith("670902809672213 is neither a post nor a comment (a photo, a video or an album: images")


def test_notifications_and_nodes_of_other_edges_are_not_messages():
    # real (fb_graph): /me/notifications loaded as 19 customer comments in a made-up
    # conversation 'facebook:notif_579612276'; a payment and a page's ratings read as comments
    # naming no post (the payment's amount in the published excerpt) or as 'missing id' (QA)
    read = read_facebook(REAL / "notifications.json")
    assert read.messages.is_empty()
    assert read.quarantine["reason"].to_list() == ["excluded: a notification (private to its recipient)"] * 2
    assert read.quarantine["excerpt"].str.ends_with(": private, its content is not kept").all()
    for name, edge in (("payments.json", "/payments"), ("page_ratings.json", "/ratings")):
        read = read_facebook(REAL / name)
        assert read.messages.is_empty()
        assert set(read.quarantine["reason"]) == {f"a node of {edge}, neither a post nor a comment: not read (nor kept)"}
        assert "amount" not in "".join(read.quarantine["excerpt"])


def test_message_tags_keyed_by_offset_are_mentions():
    # real (fb_graph2, v2.0): {"0": [tag], "11": [tag]}: the tagged people were lost, so a post
    # tagging a brand addressed none (QA)
    [post] = read_facebook(REAL / "posts_message_tags_by_offset.json").messages.to_dicts()
    assert post["mentions"] == ["579612276", "nov matake", "10153177366617368", "bryan brunetti"]


def test_a_photo_read_with_its_comments_has_its_caption_as_text():
    read = read_facebook(REAL / "photo_with_comments.json")
    photo = read.messages.filter(pl.col("native_id") == "10200941627421315").row(0, named=True)
    assert photo["text"] == "ID厨が白秋で肉をくらう。"
    assert read.messages.height == 3 and read.quarantine.is_empty()


def test_no_excerpt_holds_an_access_token_and_other_edges_are_named(tmp_path: Path):
    """QA (koala's recorded /accounts and /me/friends pages): test users' access tokens and a
    friend list were published in the quarantine as 'comments naming no post'."""
    accounts = {"data": [{"id": "131686830683789", "access_token": "EAABtDnNsecret", "login_url": "https://x/login"}],
                "paging": {"next": "https://graph.facebook.com/v2.2/123/accounts?after=x"}}
    friends = {"data": [{"name": "Brian Rosenthal", "id": "6580"}],
               "paging": {"next": "https://graph.facebook.com/v2.2/me/friends?after=y"}}
    for page, edge in ((accounts, "/accounts"), (friends, "/friends")):
        read = _read(tmp_path, page)
        assert read.quarantine["reason"].to_list() == [f"a node of {edge}, neither a post nor a comment: not read (nor kept)"]
        assert "Rosenthal" not in read.quarantine["excerpt"][0] and "EAAB" not in read.quarantine["excerpt"][0]
    # a node of no known edge keeps its excerpt, never its credentials
    stray = _read(tmp_path, {"id": "7", "name": "Test user", "access_token": "EAABtDnNsecret"})
    assert "EAAB" not in stray.quarantine["excerpt"][0] and "Test user" in stray.quarantine["excerpt"][0]


def test_a_batch_response_is_rejected_saying_what_it_is(tmp_path: Path):
    """php-graph-sdk's batch response: its responses are JSON strings inside; it was 'unknown
    format', and read with --format, its items were 'missing required field: id' (QA)."""
    body = json.dumps({"data": [{"id": "1337_1", "message": "Foo comment.", "from": {"id": "123", "name": "Foo"},
                                 "created_time": "2014-07-15T03:54:34+0000"}]})
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([{"code": 200, "headers": [], "body": body}, {"code": 400, "body": "{}"}]))
    with pytest.raises(ArchiveError, match="a Graph API batch response"):
        detect_format(path)
    assert set(read_facebook(path).quarantine["reason"]) == {
        "a Graph API batch response's item: its body (a JSON string) is not read; save each body as a file"}
