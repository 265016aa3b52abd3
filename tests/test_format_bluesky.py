"""The Bluesky reader, on hand-written Jetstream events, listRecords records and feed views.

``tests/fixtures/bluesky/``:

- ``jetstream.jsonl``: identity events for ana and telvia; ana's complaint mentioning
  @telvia.bsky.social after an emoji and accents (facet offsets in UTF-8 bytes: the '@' is
  character 8 but byte 12); telvia's reply (root = parent = ana's post); luis's reply to
  telvia (root ana, parent telvia; createdAt with a +02:00 offset); luis's quote of telvia
  (recordWithMedia); an update of ana's post; a delete of luis's reply; a repost; a like; an
  account event; a post without zone; a blank line; a truncated last line;
- ``list_records.json``: a ``com.atproto.repo.listRecords`` page of telvia's posts, one
  without createdAt;
- ``author_feed.json``: an ``app.bsky.feed.getAuthorFeed`` page: marta's reply to telvia
  (with the root and parent views) and a post of hers;
- ``post_thread.json``: a real ``app.bsky.feed.getPostThread`` response (one post, no replies),
  recorded by the bskyr package's tests (github christopherkenny/bskyr,
  tests/testthat/_vcr/f_postthread.yml, the body as recorded; MIT licence).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines import ingest
from pipelines.formats import ArchiveError, detect_format
from pipelines.formats.bluesky import read_bluesky, read_bluesky_many
from pipelines.settings import load_settings

BLUESKY = Path(__file__).parent / "fixtures" / "bluesky"
ANA = "did:plc:ana4customer2bsky6social"
TELVIA = "did:plc:telvia7brand3official5x"
LUIS = "did:plc:luis2other9person4acct7"
MARTA = "did:plc:marta8customer1bsky3soc"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def rows_of(read, kind: str = "post") -> dict[str, dict]:
    return {row["version_id"]: row for row in read.messages.to_dicts() if row["kind"] == kind}


def test_jetstream_post_maps_to_a_full_canonical_row():
    read = read_bluesky(BLUESKY / "jetstream.jsonl")
    complaint = rows_of(read)[f"bluesky:{ANA}/3m2anapost01a"]
    assert complaint == {
        "message_id": f"bluesky:{ANA}/3m2anapost01a", "version_id": f"bluesky:{ANA}/3m2anapost01a",
        "platform": "bluesky", "native_id": f"{ANA}/3m2anapost01a", "kind": "post",
        "conversation_id": f"bluesky:{ANA}/3m2anapost01a", "parent_id": None, "quoted_id": None, "reposted_id": None,
        "author_id": ANA, "author_handle": "ana.bsky.social", "author_followers": None, "in_reply_to_author_id": None,
        "mentions": complaint["mentions"], "thread_owner": None, "created_at": utc(2026, 10, 2, 8, 15),
        "text": "¡Hola 🙂 @telvia.bsky.social! Mi fibra no va desde ayer, ¿qué pasa?", "lang": "es",
        "url": f"https://bsky.app/profile/{ANA}/post/3m2anapost01a", "deleted": None, "archive_sha256": None,
        "position": 1,
    }
    # the facet's byte offsets (12..31) cover '@telvia.bsky.social' although '@' is the 9th character
    assert sorted(complaint["mentions"]) == [TELVIA, "telvia.bsky.social"]


def test_jetstream_replies_quotes_edits_deletes_and_reposts():
    read = read_bluesky(BLUESKY / "jetstream.jsonl")
    posts = rows_of(read)
    brand_reply = posts[f"bluesky:{TELVIA}/3m2telreply1b"]
    assert brand_reply["conversation_id"] == brand_reply["parent_id"] == f"bluesky:{ANA}/3m2anapost01a"
    assert brand_reply["in_reply_to_author_id"] == ANA
    assert brand_reply["author_handle"] == "telvia.bsky.social"  # from telvia's identity event
    assert brand_reply["lang"] == "es"  # the first of langs
    follow_up = posts[f"bluesky:{LUIS}/3m2luisreply2"]
    assert follow_up["conversation_id"] == f"bluesky:{ANA}/3m2anapost01a"  # reply.root
    assert follow_up["parent_id"] == f"bluesky:{TELVIA}/3m2telreply1b"  # reply.parent
    assert follow_up["created_at"] == utc(2026, 10, 2, 8, 50)  # 10:50+02:00
    assert follow_up["author_handle"] is None  # no identity event for luis in this file
    quote = posts[f"bluesky:{LUIS}/3m2luisquote3"]
    assert quote["quoted_id"] == f"bluesky:{TELVIA}/3m2telreply1b"
    assert quote["conversation_id"] == quote["message_id"] and quote["parent_id"] is None

    edit = posts[f"bluesky:{ANA}/3m2anapost01a@bafyanaedit02"]
    assert edit["message_id"] == f"bluesky:{ANA}/3m2anapost01a"
    assert edit["text"] == "Editado: mi fibra no va desde ayer"
    assert edit["created_at"] == utc(2026, 10, 2, 9, 0)  # time_us: when this version was posted

    (delete,) = rows_of(read, "delete").values()
    assert delete["message_id"] == f"bluesky:{LUIS}/3m2luisreply2" and delete["author_id"] == LUIS
    assert delete["version_id"] == f"bluesky:{LUIS}/3m2luisreply2@delete"  # not a version of the post
    assert delete["text"] is None and delete["created_at"] == utc(2026, 10, 2, 9, 1, 40)

    (repost,) = rows_of(read, "repost").values()
    assert repost["message_id"] == f"bluesky:repost:{LUIS}/3m2luisrepst4"
    assert repost["reposted_id"] == f"bluesky:{ANA}/3m2anapost01a"
    assert repost["created_at"] == utc(2026, 10, 2, 9, 5)


def test_identity_events_are_profile_rows():
    read = read_bluesky(BLUESKY / "jetstream.jsonl")
    profiles = {r["author_id"]: r for r in rows_of(read, "profile").values()}
    assert {did: r["author_handle"] for did, r in profiles.items()} == {
        ANA: "ana.bsky.social", TELVIA: "telvia.bsky.social",
    }
    assert profiles[ANA]["message_id"] == f"bluesky:profile:{ANA}"
    assert profiles[ANA]["created_at"] == utc(2026, 10, 2, 8, 16, 40)  # time_us


def test_jetstream_quarantines_likes_accounts_zoneless_dates_and_broken_lines():
    read = read_bluesky(BLUESKY / "jetstream.jsonl")
    assert read.records_read == 13  # the blank line is not a record
    assert read.messages.height == 9
    assert dict(zip(read.quarantine["position"], read.quarantine["reason"], strict=False)) == {
        9: "excluded: app.bsky.feed.like",
        10: "excluded: account",
        11: "timestamp without zone in commit.record.createdAt: 2026-10-02T09:10:00",
        12: "not valid JSON (line 14)",
    }
    assert read.quarantine["excerpt"][3].startswith('{"did": "did:plc:luis2other9person4acct7", "time_us"')


def test_list_records_page_bare_array_and_json_lines_read_alike(tmp_path: Path):
    page = read_bluesky(BLUESKY / "list_records.json")
    records = json.loads((BLUESKY / "list_records.json").read_text())["records"]
    array = tmp_path / "records.json"
    array.write_text(json.dumps(records))
    lines = tmp_path / "records.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    for read in (page, read_bluesky(array), read_bluesky(lines)):
        assert read.records_read == 3
        posts = rows_of(read)
        thread = posts[f"bluesky:{TELVIA}/3m2telpost0bb"]
        assert thread["conversation_id"] == thread["parent_id"] == f"bluesky:{TELVIA}/3m2telpost0aa"
        assert thread["created_at"] == utc(2026, 10, 3, 11, 59)  # 06:59-05:00
        assert thread["author_handle"] is None  # listRecords carries no handle
        assert read.quarantine.select("position", "reason").rows() == [
            (2, "missing required field: value.createdAt")
        ]


def test_a_feed_item_saved_alone_reads_as_in_its_page(tmp_path: Path):
    """A real feed item (ATAT's tests, BSD-3-Clause: a post quoting washingtonpost.com's, reposted
    by daniloc.xyz) saved as archivers save items, alone, in an array or one per line: the repost
    and the quoted post were lost, neither loaded nor quarantined (QA); in a feed page, read."""
    item = json.loads((Path(__file__).parent / "fixtures" / "bluesky_api" / "feed_item_repost_quote.json").read_text())
    saved = {"page.json": json.dumps({"feed": [item]}), "alone.json": json.dumps(item),
             "array.json": json.dumps([item]), "lines.jsonl": json.dumps(item) + "\n"}
    reads = {}
    for name, text in saved.items():
        (tmp_path / name).write_text(text)
        reads[name] = read_bluesky(tmp_path / name)
    page = reads.pop("page.json")
    assert page.records_read == 3 and sorted(page.messages["kind"]) == ["post", "post", "repost"]
    assert any(h == "washingtonpost.com" for h in page.messages["author_handle"])
    for name, read in reads.items():
        assert read.messages.drop("position").equals(page.messages.drop("position")), name


def test_feed_view_brings_handles_followers_and_the_posts_replied_to():
    read = read_bluesky(BLUESKY / "author_feed.json")
    assert read.records_read == 4 and read.quarantine.is_empty()
    rows = read.messages.to_dicts()
    assert [r["message_id"] for r in rows] == [
        f"bluesky:{MARTA}/3m2martarep01",
        f"bluesky:{TELVIA}/3m2telpost0aa",  # the item's reply.root view
        f"bluesky:{TELVIA}/3m2telpost0aa",  # and its reply.parent view: the same post, once per record
        f"bluesky:{MARTA}/3m2martapost2",
    ]
    reply, root = rows[0], rows[1]
    assert (reply["author_handle"], reply["author_followers"]) == ("marta.bsky.social", 85)
    assert reply["parent_id"] == reply["conversation_id"] == root["message_id"]
    assert (root["author_handle"], root["author_followers"]) == ("telvia.bsky.social", 52000)
    assert rows[3]["author_followers"] is None  # not given: NULL, never 0


def test_a_thread_reads_the_post_its_parents_and_its_replies_at_any_depth(tmp_path: Path):
    real = read_bluesky(BLUESKY / "post_thread.json")  # getPostThread as the API answers it
    assert real.records_read == 1 and real.quarantine.is_empty()
    assert real.messages["message_id"].to_list() == ["bluesky:did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/3k7qmjev5lr2s"]
    assert real.messages["author_handle"].to_list() == ["soubhikbarari.bsky.social"]

    # a deeper thread, built from the feed fixture's views: marta's reply, its parent (telvia's
    # post), a reply to marta with a reply of its own, and a reply that was deleted (not found)
    feed = json.loads((BLUESKY / "author_feed.json").read_text())["feed"]
    reply, root = feed[0]["post"], feed[0]["reply"]["root"]
    answer = json.loads(json.dumps(reply).replace("3m2martarep01", "3m2telanswer1").replace(MARTA, TELVIA))
    again = json.loads(json.dumps(reply).replace("3m2martarep01", "3m2martaagain"))
    node = "app.bsky.feed.defs#threadViewPost"
    thread = {"$type": node, "post": reply,
              "parent": {"$type": node, "post": root, "replies": []},
              "replies": [{"$type": node, "post": answer, "replies": [{"$type": node, "post": again, "replies": []}]},
                          {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://x/app.bsky.feed.post/gone",
                           "notFound": True}]}
    for name, document in (("thread.json", {"thread": thread}), ("bare.json", thread)):
        (tmp_path / name).write_text(json.dumps(document))
        read = read_bluesky(tmp_path / name)
        assert read.records_read == 4 and read.quarantine.is_empty()
        assert sorted(read.messages["native_id"].to_list()) == sorted([
            f"{MARTA}/3m2martarep01", f"{TELVIA}/3m2telpost0aa", f"{TELVIA}/3m2telanswer1", f"{MARTA}/3m2martaagain"])
        by_id = {row["native_id"]: row for row in read.messages.to_dicts()}
        assert by_id[f"{TELVIA}/3m2telpost0aa"]["author_handle"] == "telvia.bsky.social"

    # a post with reply controls carries a threadgate whose record names it under "post" (a
    # string): not a post of the thread
    gated = json.loads((BLUESKY / "post_thread.json").read_text())
    view = gated["thread"]["post"]
    view["threadgate"] = {"uri": "at://x/app.bsky.feed.threadgate/1", "cid": "bafy", "record": {
        "$type": "app.bsky.feed.threadgate", "post": view["uri"], "createdAt": "2023-09-19T11:32:54.574Z"}}
    (tmp_path / "gated.json").write_text(json.dumps(gated))
    read = read_bluesky(tmp_path / "gated.json")
    assert read.records_read == 1 and read.messages.height == 1 and read.quarantine.is_empty()
    # a thread holding no post (a string, a post not found) is one record, quarantined: never dropped
    (tmp_path / "empty.jsonl").write_text(
        '{"thread": "abc"}\n'
        '{"thread": {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://x/app.bsky.feed.post/1", "notFound": true}}\n')
    read = read_bluesky(tmp_path / "empty.jsonl")
    assert read.records_read == 2 and read.messages.is_empty()
    assert all(r.startswith("not a Bluesky record") for r in read.quarantine["reason"])


def test_facet_offsets_that_split_a_character_keep_only_the_did(tmp_path: Path):
    text = "é @telvia.bsky.social"
    record = {
        "uri": f"at://{ANA}/app.bsky.feed.post/3m2brokenfac1", "cid": "bafy",
        "value": {"text": text, "createdAt": "2026-10-02T08:15:00Z", "facets": [
            {"index": {"byteStart": 1, "byteEnd": 22}, "features": [
                {"$type": "app.bsky.richtext.facet#mention", "did": TELVIA}]}]},
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps([record]))
    assert read_bluesky(path).messages["mentions"].to_list() == [[TELVIA]]


def test_mentions_keep_the_order_written_each_once(tmp_path: Path):
    """Handles in the order the facets cover them, then the DIDs, each once, on every read."""
    people = [("zed.bsky.social", LUIS), ("ana.bsky.social", ANA), ("telvia.bsky.social", TELVIA)]
    text, facets = "", []
    for handle, did in [*people, people[0]]:
        start = len(text.encode())
        text += f"@{handle} "
        facets.append({"index": {"byteStart": start, "byteEnd": start + len(handle) + 1},
                       "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}]})
    record = {"uri": f"at://{ANA}/app.bsky.feed.post/3m2orderfac1", "cid": "bafy",
              "value": {"text": text, "createdAt": "2026-10-02T08:15:00Z", "facets": facets}}
    path = tmp_path / "one.json"
    path.write_text(json.dumps([record]))
    expected = [handle for handle, _ in people] + [did for _, did in people]
    for _ in range(3):
        assert read_bluesky(path).messages["mentions"].to_list() == [expected]


def test_records_that_are_not_bluesky_objects_are_quarantined(tmp_path: Path):
    path = tmp_path / "odd.jsonl"
    path.write_text('{"did": "did:plc:x", "time_us": 1, "kind": "commit", "commit": {"operation": "create"}}\n'
                    '{"time_us": 2, "kind": "commit", "commit": {"collection": "app.bsky.feed.post"}}\n'
                    '[1, 2]\n'
                    '{"uri": "https://example.com/x", "value": {}}\n')
    read = read_bluesky(path)
    assert read.quarantine["reason"].to_list() == [
        "missing required field: commit.collection",
        "missing required field: did",
        "record is not a JSON object",
        "invalid uri: https://example.com/x",
    ]


def test_a_truncated_json_document_is_rejected(tmp_path: Path):
    path = tmp_path / "feed.json"
    path.write_text((BLUESKY / "author_feed.json").read_text()[:500])
    with pytest.raises(ArchiveError, match="not readable as Bluesky JSON"):
        read_bluesky(path)


def test_many_files_read_in_one_statement_read_as_each_alone(tmp_path: Path):
    # JSON lines and JSON documents together; positions restart per file
    files = [BLUESKY / "author_feed.json", BLUESKY / "jetstream.jsonl", BLUESKY / "list_records.json"]
    together = read_bluesky_many(files)
    for path, read in zip(files, together, strict=True):
        alone = read_bluesky(path)
        assert read.messages.equals(alone.messages) and read.quarantine.equals(alone.quarantine), path.name
    assert [r.messages.height + r.quarantine.height for r in together] == [4, 13, 3]


def test_an_identity_event_names_the_posts_of_its_own_file_only(tmp_path: Path):
    # the handle of an identity event fills the posts of its file, not those of a file read with it
    identity = json.dumps({"did": ANA, "time_us": 1700000000000000, "kind": "identity",
                           "identity": {"did": ANA, "handle": "ana.bsky.social"}})
    post = json.dumps({"did": ANA, "time_us": 1700000001000000, "kind": "commit", "commit": {
        "operation": "create", "collection": "app.bsky.feed.post", "rkey": "3kabc", "cid": "bafy1",
        "record": {"text": "hola", "createdAt": "2023-11-14T22:13:21Z"}}})
    (tmp_path / "a.jsonl").write_text(identity + "\n" + post + "\n")
    (tmp_path / "b.jsonl").write_text(post + "\n")
    with_identity, without = read_bluesky_many([tmp_path / "a.jsonl", tmp_path / "b.jsonl"])
    assert rows_of(with_identity)[f"bluesky:{ANA}/3kabc"]["author_handle"] == "ana.bsky.social"
    assert rows_of(without)[f"bluesky:{ANA}/3kabc"]["author_handle"] is None


def test_one_unreadable_document_fails_a_statement_of_many(tmp_path: Path):
    # ingest then reads the files one by one, so that only the broken one is rejected
    broken = tmp_path / "feed.json"
    broken.write_text((BLUESKY / "author_feed.json").read_text()[:500])
    with pytest.raises(ArchiveError, match="not readable as Bluesky JSON"):
        read_bluesky_many([BLUESKY / "list_records.json", broken])


def test_ingest_detects_bluesky_and_counts_every_record(tmp_path: Path):
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path)})
    files = [BLUESKY / "jetstream.jsonl", BLUESKY / "list_records.json", BLUESKY / "author_feed.json"]
    assert {detect_format(f) for f in files} == {"bluesky"}
    records = ingest.ingest([str(f) for f in files], settings)
    assert [(r.format, r.status, r.records_read, r.records_loaded, r.records_quarantined) for r in records] == [
        ("bluesky", "loaded", 13, 9, 4),
        ("bluesky", "loaded", 3, 2, 1),
        ("bluesky", "loaded", 4, 4, 0),
    ]
    assert ingest.reconcile(settings).is_empty()


def test_a_notifications_page_reads_the_posts_that_notify():
    # a real listNotifications response (bskyr's recorded test, MIT): it was one record,
    # quarantined as "not a Bluesky record"
    path = Path(__file__).parent / "fixtures" / "bluesky_api" / "notifications.json"
    assert detect_format(path) == "bluesky"
    read = read_bluesky(path)
    posts = {row["native_id"]: row for row in read.messages.to_dicts()}
    mention = posts["did:plc:lprqqpoyjspuma25n5gofocf/3lmicbemya22g"]
    assert mention["author_handle"] == "josephjefe.bsky.social"
    assert mention["text"].startswith("Ok, @bskyr.bsky.social makes this ridiculously easy.")
    assert mention["created_at"] == utc(2025, 4, 10, 20, 1, 53).replace(microsecond=909000)
    assert "bskyr.bsky.social" in mention["mentions"]
    assert posts["did:plc:zdd4yxyclksq2sem6jqxsfu2/3livj2tl2su2v"]["created_at"] == utc(
        2025, 2, 24, 4, 27, 20).replace(microsecond=710330)
    quote = posts["did:plc:wpe35pganb6d4pg4ekmfy6u5/3lktjjvxvdk2g"]
    assert quote["quoted_id"] is not None
    repost = posts["repost:did:plc:cic3vexkuwrxtw5zjteqh35y/3lpdfd2rzvo2k"]
    assert repost["kind"] == "repost" and repost["reposted_id"].startswith("bluesky:did:plc:")
    assert sorted(read.quarantine["reason"]) == ["excluded: app.bsky.feed.like", "excluded: app.bsky.graph.follow"]
    assert read.messages.height == 4


def test_an_author_feed_reads_the_reposts_its_items_show():
    # a real getAuthorFeed page (bskyr's recorded test, MIT): two of its items are posts of
    # others that the feed's author reposted (reason: reasonRepost); the reposts were lost
    path = Path(__file__).parent / "fixtures" / "bluesky_api" / "author_feed.json"
    read = read_bluesky(path)
    rows = {row["message_id"]: row for row in read.messages.to_dicts()}
    reposts = [row for row in rows.values() if row["kind"] == "repost"]
    assert [(r["author_handle"], r["reposted_id"], r["created_at"]) for r in reposts] == [
        ("chriskenny.bsky.social", "bluesky:did:plc:n65dhyosfrm6t7jhzum76exq/3lnneysi3ps2c",
         utc(2025, 4, 25, 18, 43, 12).replace(microsecond=48000)),
        ("chriskenny.bsky.social", "bluesky:did:plc:fgeozid7uyx2lfz3yo7zvm3b/3ll242ifkjk2q",
         utc(2025, 3, 23, 13, 5, 37).replace(microsecond=421000)),
    ]
    # the reposted posts stay posts of their authors
    assert rows["bluesky:did:plc:n65dhyosfrm6t7jhzum76exq/3lnneysi3ps2c"]["author_handle"] == "mickael.canouil.fr"
    assert (read.records_read, read.messages.height, read.quarantine.height) == (5, 5, 0)


def test_the_post_a_view_quotes_is_a_post_of_its_own():
    """A post view's embed holds the post it quotes whole (a viewRecord), as X's includes.tweets
    hold a quoted tweet: it was not loaded, only named by quoted_id (QA, a real thread)."""
    path = Path(__file__).parent / "fixtures" / "bluesky_api" / "thread_quote_with_media.json"
    rows = {row["native_id"]: row for row in read_bluesky(path).messages.to_dicts()}
    quoting, quoted = rows["did:plc:kvwvcn5iqfooopmyzvb4qzba/3kaheyt6vpc22"], rows[
        "did:plc:kvwvcn5iqfooopmyzvb4qzba/3kahesw26il2z"]
    assert quoting["quoted_id"] == "bluesky:did:plc:kvwvcn5iqfooopmyzvb4qzba/3kahesw26il2z"
    assert (quoted["text"], quoted["author_handle"]) == ("test", "test.marshal.dev")
    assert quoted["created_at"] == datetime(2023, 9, 28, 12, 46, 18, 414000, tzinfo=UTC)
    assert quoted["kind"] == "post" and quoted["parent_id"] is None


def _view(rkey: str, text: str, at: str, embed: dict | None = None, **record) -> dict:
    view = {"uri": f"at://{ANA}/app.bsky.feed.post/{rkey}", "cid": f"cid{rkey}",
            "author": {"did": ANA, "handle": "ana.bsky.social"}, "indexedAt": at,
            "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": at, **record}}
    return view | ({"embed": embed} if embed else {})


def _quoting(view: dict, *embeds: dict) -> dict:
    """The record#view of a quoted post view: its viewRecord (value, not record)."""
    return {"$type": "app.bsky.embed.record#view", "record": {
        "$type": "app.bsky.embed.record#viewRecord", "uri": view["uri"], "cid": view["cid"],
        "author": view["author"], "value": view["record"], "indexedAt": view["indexedAt"], "embeds": list(embeds)}}


def test_quoted_posts_are_posts_wherever_a_view_holds_them(tmp_path: Path):
    """In the embed of a feed item's reply root, and a quote of a quote (a viewRecord's embeds):
    missed there when only the item's own post was looked at (QA, real getTimeline pages)."""
    deepest = _view("q2", "el primero", "2026-03-01T10:00:00Z")
    middle = _view("q1", "cita de la cita", "2026-03-01T11:00:00Z")
    quoted_by_root = _view("q0", "lo que cita la raíz", "2026-03-01T09:00:00Z")
    root = _view("root", "raíz", "2026-03-01T12:00:00Z", embed=_quoting(quoted_by_root))
    post = _view("p", "respuesta", "2026-03-01T13:00:00Z", embed=_quoting(middle, _quoting(deepest)),
                 reply={"root": {"uri": root["uri"]}, "parent": {"uri": root["uri"]}})
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"feed": [{"post": post, "reply": {"root": root, "parent": root}}]}))
    read = read_bluesky(path)
    # (the root is the item's reply root and parent: its copies are one message downstream)
    assert set(read.messages["native_id"]) == {f"{ANA}/{k}" for k in ("p", "root", "q0", "q1", "q2")}
    assert read.records_read == read.messages.height + read.quarantine.height
