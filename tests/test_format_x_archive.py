"""The X/Twitter personal archive reader (``window.YTD`` parts), on hand-written archives.

``tests/fixtures/x_archive/``:

Each folder stands for an archive's ``data/`` folder (not named so: the repository ignores
``data/``).

- ``full/``: a current archive of @Telvia_Ayuda (account 1400000000000000001):
  ``tweets.js`` (wrapped items: a reply with mentions, a post, a retweet, a record without
  created_at, one with an unreadable date), ``tweets-part1.js`` (a split part with a BOM and
  a trailing ``;``), ``note-tweet.js`` (a long post), ``account.js``, ``like.js`` (no posts);
- ``old/``: an older archive of @kuboenergia: ``tweet.js`` (``window.YTD.tweet``, one
  bare item with ``text``, one wrapped, a string item, a damaged id) and its ``account.js``;
- ``no_account/tweets.js``: a tweets file copied without its account.js.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from pipelines import ingest
from pipelines.formats import ArchiveError, detect_format
from pipelines.formats.x_archive import NO_ACCOUNT, read_x_archive
from pipelines.settings import load_settings

ARCHIVES = Path(__file__).parent / "fixtures" / "x_archive"
FULL = ARCHIVES / "full"
OWNER_ID = "1400000000000000001"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def by_id(read) -> dict[str, dict]:
    return {row["message_id"]: row for row in read.messages.to_dicts()}


def test_tweets_are_the_owners_posts_replies_and_reposts():
    read = read_x_archive(FULL / "tweets.js")
    assert read.records_read == 5
    rows = by_id(read)
    assert set(rows) == {"x:1627000000000000001", "x:1627000000000000002", "x:1627000000000000003"}
    reply = rows["x:1627000000000000001"]
    assert reply | {
        "version_id": "x:1627000000000000001", "platform": "x", "native_id": "1627000000000000001",
        "kind": "post",
        "conversation_id": None, "parent_id": "x:1627000000000000000", "reposted_id": None,
        "author_id": OWNER_ID, "author_handle": "Telvia_Ayuda", "author_followers": None,
        "in_reply_to_author_id": "900000000000000001", "mentions": ["ana_g", "900000000000000001"],
        "created_at": utc(2023, 2, 18, 12, 33, 11), "lang": "es",
        "url": "https://x.com/Telvia_Ayuda/status/1627000000000000001", "position": 0,
    } == reply
    assert reply["text"].startswith("@Ana_G Hola Ana")
    post = rows["x:1627000000000000002"]
    assert post["parent_id"] is None and post["in_reply_to_author_id"] is None and post["mentions"] == []
    retweet = rows["x:1627000000000000003"]
    assert retweet["kind"] == "repost" and retweet["reposted_id"] is None  # the archive does not say which post
    assert retweet["author_id"] == OWNER_ID
    assert dict(zip(read.quarantine["position"], read.quarantine["reason"], strict=False)) == {
        3: "missing required field: created_at",
        4: "invalid created_at: ayer por la tarde",
    }
    assert '"1627000000000000004"' in read.quarantine["excerpt"][0]


def test_split_part_with_bom_and_trailing_semicolon():
    read = read_x_archive(FULL / "tweets-part1.js")
    (row,) = read.messages.to_dicts()
    assert row["message_id"] == "x:1626900000000000001" and row["parent_id"] == "x:1626900000000000000"
    assert row["author_handle"] == "Telvia_Ayuda"
    assert row["mentions"] == ["luis_m", "telvia", "900000000000000002", "1400000000000000009"]
    assert row["created_at"] == utc(2023, 2, 17, 23, 59, 59)
    assert read.quarantine.is_empty()


def test_older_tweet_js_with_and_without_the_tweet_wrapper():
    read = read_x_archive(ARCHIVES / "old" / "tweet.js")
    rows = by_id(read)
    bare = rows["x:210000000000000001"]
    # 'text', not 'full_text'
    assert bare["text"] == "@Marta_R Lamentamos el cobro duplicado, Marta. Ya lo hemos devuelto."
    assert bare["parent_id"] == "x:210000000000000000" and bare["in_reply_to_author_id"] == "900000000000000003"
    assert bare["author_id"] == "1400000000000000002" and bare["author_handle"] == "kuboenergia"
    assert rows["x:210000000000000002"]["created_at"] == utc(2012, 6, 6, 7, 0, 0)
    assert dict(zip(read.quarantine["position"], read.quarantine["reason"], strict=False)) == {
        2: "record is not a JSON object",
        3: "invalid id_str: 2.1e17",
    }


def test_without_account_js_every_tweet_is_quarantined():
    read = read_x_archive(ARCHIVES / "no_account" / "tweets.js")
    assert read.messages.is_empty()
    assert read.quarantine["reason"].to_list() == [NO_ACCOUNT, NO_ACCOUNT]
    assert read.quarantine["position"].to_list() == [0, 1]


def test_account_js_is_a_profile_row_not_a_message():
    (row,) = read_x_archive(FULL / "account.js").messages.to_dicts()
    assert row | {
        "message_id": f"x:profile:{OWNER_ID}", "kind": "profile", "author_id": OWNER_ID,
        "author_handle": "Telvia_Ayuda", "created_at": utc(2015, 3, 2, 9, 0, 0), "text": None,
    } == row


def test_an_account_js_quarantined_keeps_its_owners_email_and_phone_out(tmp_path: Path):
    # QA: account.js with a bad createdAt published the owner's e-mail address and phone in the
    # quarantine excerpt (the analyst database); X never shows them
    account = tmp_path / "account.js"
    account.write_text('window.YTD.account.part0 = [ { "account" : { "email" : "owner@correo.example", '
                       '"phone" : "+34 699 000 111", "createdVia" : "web", "username" : "Telvia_Ayuda", '
                       '"accountId" : "1400000000000000001", "createdAt" : "ayer" } } ]')
    read = read_x_archive(account)
    assert read.quarantine["reason"].to_list() == ["invalid createdAt: ayer"]
    assert "Telvia_Ayuda" in read.quarantine["excerpt"][0]
    assert not any(secret in read.quarantine["excerpt"][0] for secret in ("correo", "699", "createdVia"))


def test_an_archives_posts_say_what_their_scorecards_lack():
    """QA, a real 2012-2018 archive: every one of its 2,116 cases was a tweet its owner had
    retweeted, the retweet read as 'unanswered'; nothing said that the archive holds no message
    written to its owner. Each file of posts says so; the account and the notes need not."""
    from pipelines.formats.x_archive import OWNER_ONLY

    assert read_x_archive(FULL / "tweets.js").notes == (OWNER_ONLY,)
    assert read_x_archive(GRAILBIRD / "data" / "js" / "tweets" / "2013_01.js").notes == (OWNER_ONLY,)
    assert read_x_archive(FULL / "account.js").notes == () == read_x_archive(FULL / "note-tweet.js").notes


def test_note_tweets_are_long_posts_with_their_own_ids():
    (row,) = read_x_archive(FULL / "note-tweet.js").messages.to_dicts()
    assert row["message_id"] == "x:note:1627100000000000001" and row["kind"] == "post"
    assert row["author_id"] == OWNER_ID and row["mentions"] == ["luis_m"]
    assert row["created_at"] == utc(2023, 2, 20, 10, 0, 0)
    assert len(row["text"]) > 280


def test_parts_without_posts_load_nothing_and_say_so_broken_files_are_rejected(tmp_path: Path):
    # an archive holds some forty parts without posts (likes, followers...): read, nothing to load
    likes = read_x_archive(FULL / "like.js")
    assert likes.records_read == 0 and likes.notes == (
        "X archive part 'like' holds no public posts: nothing loaded (only tweets, notes and the account are)",)
    broken = tmp_path / "tweets.js"
    broken.write_text('window.YTD.tweets.part0 = [ { "tweet" : { "id_str" : "1" }')
    with pytest.raises(ArchiveError, match="not valid JSON"):
        read_x_archive(broken)
    not_array = tmp_path / "object.js"
    not_array.write_text('window.YTD.tweets.part0 = { "tweet" : {} }')
    with pytest.raises(ArchiveError, match="not a JSON array"):
        read_x_archive(not_array)


def test_community_tweets_are_the_owners_posts_too(tmp_path: Path):
    """community-tweet.js (a real archive holds it: the owner's posts in X Communities) is shaped
    as tweets.js: read as the owner's posts, not as a part without any."""
    archive = shutil.copytree(FULL, tmp_path / "data")
    community = archive / "community-tweet.js"
    community.write_text((FULL / "tweets.js").read_text().replace("window.YTD.tweets.part0", "window.YTD.community_tweet.part0"))
    read, tweets = read_x_archive(community), read_x_archive(FULL / "tweets.js")
    assert read.notes == tweets.notes and read.records_read == tweets.records_read
    assert read.messages.drop("archive_sha256", strict=False).equals(tweets.messages.drop("archive_sha256", strict=False))


def test_unreadable_account_js_names_the_problem(tmp_path: Path):
    shutil.copy(FULL / "tweets-part1.js", tmp_path / "tweets-part1.js")
    (tmp_path / "account.js").write_text('window.YTD.account.part0 = [ { "account" : { "username" : "x" } } ]')
    read = read_x_archive(tmp_path / "tweets-part1.js")
    assert read.quarantine["reason"].to_list() == ["author unknown: account.js beside the file names no accountId"]


def test_ingesting_the_archive_folder_detects_each_part_and_counts_every_record(tmp_path: Path):
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path / "home")})
    records = ingest.ingest([str(FULL), str(ARCHIVES / "no_account")], settings)
    counts = {
        Path(r.source).relative_to(ARCHIVES.resolve()).as_posix():
            (r.format, r.status, r.records_read, r.records_loaded, r.records_quarantined)
        for r in records
    }
    assert counts == {
        "full/account.js": ("x_archive", "loaded", 1, 1, 0),
        "full/like.js": ("x_archive", "loaded", 0, 0, 0),  # read: no posts in it (its notes say so)
        "full/note-tweet.js": ("x_archive", "loaded", 1, 1, 0),
        "full/tweets-part1.js": ("x_archive", "loaded", 1, 1, 0),
        "full/tweets.js": ("x_archive", "loaded", 5, 3, 2),  # its account.js travels with it
        "no_account/tweets.js": ("x_archive", "loaded", 2, 0, 2),
    }
    assert ingest.reconcile(settings).is_empty()
    like = next(r for r in records if r.name == "like.js")
    assert "'like' holds no public posts" in like.notes and like.error is None


GRAILBIRD = Path(__file__).parent / "fixtures" / "x_archive_grailbird"


def test_a_month_of_the_2012_2018_archive_reads_its_tweets_by_the_author_they_name():
    # 'Grailbird.data.tweets_YYYY_MM = [...]': rejected as an unknown format before
    path = GRAILBIRD / "data" / "js" / "tweets" / "2013_01.js"
    assert detect_format(path) == "x_archive"
    rows = {row["message_id"]: row for row in read_x_archive(path).messages.to_dicts()}
    reply = rows["x:296989299709202001"]
    assert (reply["author_id"], reply["author_handle"]) == ("793000", "AcmeAyuda")
    assert reply["created_at"] == datetime(2013, 1, 31, 14, 32, 21, tzinfo=UTC)
    assert (reply["parent_id"], reply["in_reply_to_author_id"]) == ("x:296988544247947001", "1200")
    assert reply["mentions"] == ["ana_garcia", "1200"]
    assert reply["text"] == "@ana_garcia Lo sentimos, Ana. ¿Nos das el número de pedido por DM y lo revisamos?"
    retweet = rows["x:296070721836929002"]
    assert (retweet["kind"], retweet["reposted_id"]) == ("repost", "x:296060413533745002")
    original = rows["x:296060413533745002"]  # the tweet it repeats, embedded whole: a message of its author
    assert (original["kind"], original["author_handle"], original["position"]) == ("post", "Acme", 2)
    assert original["created_at"] == datetime(2013, 1, 28, 20, 30, tzinfo=UTC)


def test_a_2012_2018_archive_folder_loads_its_months_and_skips_its_viewer(tmp_path: Path):
    folder = tmp_path / "archive"
    shutil.copytree(GRAILBIRD, folder, ignore=shutil.ignore_patterns("README.md"))
    months = folder / "data" / "js" / "tweets"
    (months / "old").mkdir()  # a month kept in a folder of its own is still data
    # the downloads of the first years keep tweets.csv at the archive's root (QA: a real zip of
    # 2016, whose rejected tweets.csv made the whole ingest exit with status 3)
    shutil.copy(folder / "data" / "tweets.csv", folder / "tweets.csv")
    (months / "old" / "2012_12.js").write_text((months / "2013_02.js").read_text().replace("tweets_2013_02",
                                                                                          "tweets_2012_12"))
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path / "home")})
    skipped = []
    records = ingest.ingest([str(folder)], settings, on_skip=lambda candidate: skipped.append(candidate.name))
    loaded = {Path(r.name).name: (r.status, r.records_read, r.records_loaded, r.records_quarantined) for r in records}
    assert loaded == {"2013_01.js": ("loaded", 3, 3, 0), "2013_02.js": ("loaded", 2, 1, 1),
                      "2012_12.js": ("loaded", 2, 1, 1)}
    assert sorted(skipped) == ["README.txt", "app.js", "application.min.css", "bird.png", "index.html",
                               "payload_details.js", "tweet_index.js", "tweets.csv", "tweets.csv",
                               "user_details.js"]
    quarantined = pl.read_parquet(settings.lake_dir / "quarantine" / "*.parquet")
    assert quarantined["reason"].to_list() == ["invalid created_at: yesterday"] * 2


def test_a_retweeted_tweet_that_is_a_hand_written_retweet_stays_a_message(tmp_path: Path):
    """The owner retweeted a tweet whose own text was a hand-written 'RT @tqbf: ...' (real
    Grailbird months, QA): the embedded tweet, another account's API object, became a repost
    and disappeared from the messages; in an API file (x_v11) it is a message."""
    month = (GRAILBIRD / "data" / "js" / "tweets" / "2013_01.js").read_text(encoding="utf-8")
    month = month.replace('"text" : "Rebajas de enero: envío gratis hasta el domingo"',
                          '"text" : "RT @tqbf: Rebajas de enero: envío gratis hasta el domingo"')
    path = tmp_path / "2013_01.js"
    path.write_text(month, encoding="utf-8")
    rows = {row["message_id"]: row for row in read_x_archive(path).messages.to_dicts()}
    assert rows["x:296060413533745002"]["kind"] == "post"
    assert rows["x:296070721836929002"]["kind"] == "repost"  # the owner's retweet still is one
    # the owner's own hand-written retweet (no retweeted_status, the owner's comment after it):
    # dropped as a repost, while this archive's retweets all embed what they repeat (QA)
    owners = next(r for r in rows.values() if r["kind"] == "post" and r["author_handle"] == rows[
        "x:296070721836929002"]["author_handle"])
    month = month.replace(f'"text" : "{owners["text"]}"', f'"text" : "RT @Support: ayuda &lt;-- {owners["text"]}"', 1)
    path.write_text(month, encoding="utf-8")
    again = {row["message_id"]: row for row in read_x_archive(path).messages.to_dicts()}
    assert again[owners["message_id"]]["kind"] == "post"
    assert again[owners["message_id"]]["text"].startswith("RT @Support: ayuda <-- ")


def test_a_2012_2018_archive_tweet_older_than_snowflake_ids_has_no_time_and_is_quarantined(tmp_path: Path):
    """These archives write midnight for every tweet before November 2010 (ids without a time
    in them; QA, two real archives: all 1,832 such tweets). Loaded at midnight, a reply read
    as earlier than its question, and response minutes were made up."""
    month = (GRAILBIRD / "data" / "js" / "tweets" / "2013_01.js").read_text(encoding="utf-8")
    old = month.replace('"2013-01-31 14:32:21 +0000"', '"2009-02-27 00:00:00 +0000"').replace(
        '"296989299709202001"', '"1256027524"').replace("296989299709202001", "1256027524")
    path = tmp_path / "2009_02.js"
    path.write_text(old.replace("tweets_2013_01", "tweets_2009_02"), encoding="utf-8")
    read = read_x_archive(path)
    assert "x:1256027524" not in read.messages["message_id"].to_list()
    assert read.quarantine.select("position", "reason").rows() == [(0, (
        "time of day unknown: this archive gives only the date of tweets from before November 2010 "
        "('2009-02-27 00:00:00 +0000'), and a time is never guessed"))]
    assert read.records_read == read.messages.height + read.quarantine.height == 3
    # a Snowflake tweet posted at midnight keeps its time
    path.write_text(month.replace('"2013-01-31 14:32:21 +0000"', '"2013-01-31 00:00:00 +0000"'), encoding="utf-8")
    rows = {row["message_id"]: row for row in read_x_archive(path).messages.to_dicts()}
    assert rows["x:296989299709202001"]["created_at"] == datetime(2013, 1, 31, tzinfo=UTC)


def test_a_tweets_file_read_alone_first_is_read_again_with_its_account(tmp_path: Path):
    """QA, a real archive: tweets.js ingested alone (its posts quarantined: author unknown, "ingest
    the whole archive folder") stayed quarantined when the folder was ingested as advised, the
    file being registered already; nor did --reread or --format help. Its account.js, found
    beside it now, is stored with it, and the file is read again."""
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path / "home")})
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(FULL / "tweets.js", alone / "tweets.js")
    (first,) = ingest.ingest([str(alone / "tweets.js")], settings)
    assert first.records_loaded == 0 and first.records_quarantined == first.records_read > 0
    records = {Path(r.source).name: r for r in ingest.ingest([str(FULL)], settings)}
    again = records["tweets.js"]
    fresh = {Path(r.source).name: r for r in ingest.ingest(
        [str(FULL)], load_settings({"BRANDCARE_HOME": str(tmp_path / "fresh")}))}["tweets.js"]
    assert again.sha256 == first.sha256 == fresh.sha256 and fresh.records_loaded > 0
    assert (again.records_loaded, again.records_quarantined) == (fresh.records_loaded, fresh.records_quarantined)
    assert ingest.reconcile(settings).is_empty()
    (reread,) = [r for r in ingest.reread(settings) if r.sha256 == first.sha256]  # and it stays so
    assert reread.records_loaded == fresh.records_loaded


def test_an_edited_tweet_is_one_message_with_its_versions(tmp_path: Path):
    """An archive holds each version of an edited tweet, linked by edit_info (X's own layout, as
    in a real 2024 archive): they loaded as two messages; X API v2's edit history makes one."""
    archive = shutil.copytree(FULL, tmp_path / "data", ignore=shutil.ignore_patterns("tweets-part1.js", "note-tweet.js"))
    prefix, items = (FULL / "tweets.js").read_text().split("=", 1)
    first = json.loads(items)[0]["tweet"]
    chain = ["1627000000000000001", "1627000000000000091"]
    original = {**first, "edit_info": {"initial": {"editTweetIds": chain, "editsRemaining": "4"}}}
    edited = {**first, "id_str": chain[1], "id": chain[1], "created_at": "Sat Feb 18 12:40:00 +0000 2023",
              "full_text": first["full_text"].replace("DM", "mensaje directo"),
              "edit_info": {"edit": {"initialTweetId": chain[0], "editControlInitial": {"editTweetIds": chain}}}}
    (archive / "tweets.js").write_text(prefix + "= " + json.dumps([{"tweet": edited}, {"tweet": original}]))
    read = read_x_archive(archive / "tweets.js")
    assert read.messages.select("message_id", "version_id").rows() == [
        (f"x:{chain[0]}", f"x:{chain[1]}"), (f"x:{chain[0]}", f"x:{chain[0]}")]


def _snowflake(when: datetime, sequence: int) -> str:
    """An X id of that instant (milliseconds since X's epoch, shifted by 22 bits)."""
    return str((int(when.timestamp() * 1000) - 1288834974657) << 22 | sequence)


def _long_post_archive(archive: Path) -> tuple[str, str, datetime]:
    """An archive folder (account.js, note-tweet.js, tweets.js) whose tweets.js shows two notes
    of three: (the long note's text, the short one's, the instant of the posts)."""
    archive.mkdir()
    shutil.copy(FULL / "account.js", archive / "account.js")
    at = utc(2024, 9, 6, 11, 30, 10)
    whole = ("Sentimos mucho lo del corte de fibra en Toledo: ya está localizado en un nodo de agregación "
             "y los técnicos trabajan en él desde las 08:00. Lo sigue en https://t.co/noteLink1 y, si mañana "
             "sigues sin servicio, llámanos al 900 100 200 y lo revisamos contigo; si prefieres, escríbenos "
             "por DM con tu número de cliente y te llamamos nosotros en cuanto podamos.")
    cut = whole.replace("https://t.co/noteLink1", "https://t.co/postLink1")[:270] + "… https://t.co/media1"
    short = "Gracias por la paciencia & por avisarnos, @Ana_G: ya funciona."
    notes = [(_snowflake(at, 1), whole, [{"screenName": "Luis_M"}]), (_snowflake(at, 2), short, []),
             (_snowflake(utc(2024, 9, 7), 1), "Una nota sin post: el post se borró.", [])]
    (archive / "note-tweet.js").write_text("window.YTD.note_tweet.part0 = " + json.dumps([
        {"noteTweet": {"noteTweetId": note_id, "createdAt": "2024-09-06T11:30:10.000Z",
                       "core": {"text": text, "mentions": mentions, "urls": []}}}
        for note_id, text, mentions in notes]))
    later = utc(2024, 9, 6, 11, 30, 10, 40_000)  # 40 ms after the notes

    def tweet(sequence: int, text: str, **fields) -> dict:
        return {"tweet": {"id_str": _snowflake(later, sequence), "created_at": "Fri Sep 06 11:30:10 +0000 2024",
                          "full_text": text, "entities": {"user_mentions": [
                              {"screen_name": "Ana_G", "id_str": "900000000000000001"}]}, **fields}}

    (archive / "tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps([
        tweet(1, "@Ana_G " + cut, in_reply_to_status_id_str="1831000000000000000"),
        tweet(2, short.replace("&", "&amp;")),
        tweet(3, "RT @kuboenergia: Nuevo horario de atención al cliente a partir del lunes, con más…"),
        tweet(4, "Un post corto sin nota."),
    ]))
    return whole, short, later


def test_a_long_post_is_read_with_its_notes_whole_text(tmp_path: Path):
    """A long post is in tweets.js cut at 280 characters and in note-tweet.js whole, unlinked
    (as in a real 2023-2024 archive: 41 notes, each shown by the post whose id follows it by 21
    to 155 ms). The post was loaded with the cut text (a deflection at its end unread) and the
    note as another message; the post now reads the note's text and mentions."""
    archive = tmp_path / "data"
    whole, short, later = _long_post_archive(archive)
    read = read_x_archive(archive / "tweets.js")
    posts = {str(k): row for row in read.messages.to_dicts() for k in range(1, 5)
             if row["native_id"] == _snowflake(later, k)}
    assert posts["1"]["text"] == whole and "900 100 200" in posts["1"]["text"]
    assert posts["1"]["parent_id"] == "x:1831000000000000000", "the post keeps its reply links"
    assert set(posts["1"]["mentions"]) == {"ana_g", "900000000000000001", "luis_m"}
    assert posts["2"]["text"] == short
    assert posts["3"]["text"].endswith("…") and posts["4"]["text"] == "Un post corto sin nota."
    assert read.notes[-1].startswith("2 long posts read with their whole text from note-tweet.js")
    # the notes themselves still load (the warehouse keeps one message of a note and its post:
    # int_messages_deduplicated's unit test), the same texts
    note_texts = read_x_archive(archive / "note-tweet.js").messages["text"].to_list()
    assert note_texts[:2] == [posts["1"]["text"], posts["2"]["text"]]


def test_reread_finds_a_companion_beside_the_file_ingested_before_it_was_one(tmp_path: Path):
    """A tweets.js registered by a version that stored account.js alone was read again by
    `ingest --reread` without its note-tweet.js, long posts cut, and stamped as read by this
    version (QA). Reread stores the companions still beside the ingested file first."""
    archive = tmp_path / "data"
    whole, _, _ = _long_post_archive(archive)
    notes = (archive / "note-tweet.js").rename(tmp_path / "note-tweet.js")  # as the older version saw it
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path / "home")})
    ingest.ingest([str(archive / "tweets.js")], settings)
    notes.rename(archive / "note-tweet.js")
    (tweets,) = [r for r in ingest.reread(settings) if r.name == "tweets.js"]
    assert "2 long posts read with their whole text from note-tweet.js" in tweets.notes
    texts = pl.read_parquet(settings.message_rows_dir / "*.parquet")["text"].to_list()
    assert whole in texts
