"""The Disqus export reader, on a hand-written export.

``tests/fixtures/disqus/export.xml``: a category; a thread by Equipo Telvia (username
telvia_equipo, title with an entity); ana's comment (HTML with inline markup and an
entity); the team's reply to it (``+02:00``, ``<br/>``); an anonymous guest's reply to the
team; a deleted comment; a spam comment; a comment without zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines import ingest
from pipelines.formats import ArchiveError, detect_format
from pipelines.formats.disqus import read_disqus
from pipelines.settings import load_settings

EXPORT = Path(__file__).parent / "fixtures" / "disqus" / "export.xml"
THREAD = "blog:disqus:t5001"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def by_id(read) -> dict[str, dict]:
    return {row["message_id"]: row for row in read.messages.to_dicts()}


def test_thread_is_the_blog_post_message_and_its_own_conversation():
    thread = by_id(read_disqus(EXPORT))[THREAD]
    assert thread == {
        "message_id": THREAD, "version_id": THREAD, "platform": "blog", "native_id": "disqus:t5001", "kind": "post",
        "conversation_id": THREAD, "parent_id": None, "quoted_id": None, "reposted_id": None,
        "author_id": "telvia_equipo", "author_handle": "Equipo Telvia", "author_followers": None,
        "in_reply_to_author_id": None, "mentions": [], "thread_owner": "telvia_equipo",
        "created_at": utc(2026, 10, 1, 8, 0), "text": "Nuevas tarifas de fibra & móvil", "lang": None,
        "url": "https://blog.telvia.example/2026/10/nuevas-tarifas/", "deleted": None, "archive_sha256": None,
        "position": 0,
    }


def test_comments_nest_under_their_parent_or_the_thread():
    rows = by_id(read_disqus(EXPORT))
    assert set(rows) == {THREAD, "blog:disqus:9001", "blog:disqus:9002", "blog:disqus:9003"}
    question, answer, guest = rows["blog:disqus:9001"], rows["blog:disqus:9002"], rows["blog:disqus:9003"]
    assert question["parent_id"] == THREAD  # top level
    assert answer["parent_id"] == "blog:disqus:9001" and guest["parent_id"] == "blog:disqus:9002"
    assert {r["conversation_id"] for r in rows.values()} == {THREAD}
    assert {r["thread_owner"] for r in rows.values()} == {"telvia_equipo"}
    assert (question["author_id"], question["author_handle"]) == ("anagomez", "Ana Gómez")
    assert (guest["author_id"], guest["author_handle"]) == ("Invitado", "Invitado")  # anonymous: no username
    assert question["text"] == "¿Y los clientes antiguos? Llevo 2 días sin línea & nadie responde."
    assert answer["text"] == "Hola Ana, te escribimos por email.\nUn saludo"  # its <br/>: the writer's line break
    assert answer["created_at"] == utc(2026, 10, 2, 9, 30)  # 11:30+02:00
    assert question["url"] == "https://blog.telvia.example/2026/10/nuevas-tarifas/#comment-9001"


def test_deleted_spam_and_zoneless_comments_are_quarantined():
    read = read_disqus(EXPORT)
    assert read.records_read == 7  # the category is not a record
    assert dict(zip(read.quarantine["position"], read.quarantine["reason"], strict=False)) == {
        4: "excluded: deleted comment",
        5: "excluded: spam comment",
        6: "timestamp without zone in createdAt: 2026-10-02T10:07:00",
    }
    # deleted and spam comments are not shown: their id only in the (published) quarantine (QA)
    assert read.quarantine["excerpt"][:2].to_list() == [
        f"id {i}: private, its content is not kept" for i in read.quarantine["excerpt"][:2].str.extract(r"id (\d+)")]
    assert 'id="9006"' in read.quarantine["excerpt"][2]  # the element itself, as XML


def test_comments_before_their_thread_still_know_its_owner(tmp_path: Path):
    text = EXPORT.read_text()
    thread_start, thread_end = text.index("  <thread dsq:id=\"5001\">"), text.index("</thread>") + len("</thread>\n")
    moved = text[:thread_start] + text[thread_end:].replace("</disqus>", text[thread_start:thread_end] + "</disqus>")
    path = tmp_path / "reordered.xml"
    path.write_text(moved)
    rows = by_id(read_disqus(path))
    assert rows["blog:disqus:9001"]["thread_owner"] == "telvia_equipo"
    assert rows[THREAD]["position"] == 6


def test_unsafe_or_foreign_xml_is_rejected(tmp_path: Path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY a "aaaa">]><disqus>&a;</disqus>')
    with pytest.raises(ArchiveError, match="unsafe XML rejected"):
        read_disqus(bomb)
    other = tmp_path / "other.xml"
    other.write_text("<rss><channel/></rss>")
    with pytest.raises(ArchiveError, match="not a Disqus export"):
        read_disqus(other)
    truncated = tmp_path / "truncated.xml"
    truncated.write_text(EXPORT.read_text()[:800])
    with pytest.raises(ArchiveError, match="not well-formed XML"):
        read_disqus(truncated)


def test_ingest_detects_disqus_and_counts_every_record(tmp_path: Path):
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path)})
    assert detect_format(EXPORT) == "disqus"
    (record,) = ingest.ingest([str(EXPORT)], settings)
    assert (record.format, record.status, record.records_read, record.records_loaded, record.records_quarantined) == (
        "disqus", "loaded", 7, 4, 3,
    )
    assert ingest.reconcile(settings).is_empty()


def test_a_message_keeps_its_writers_lines_and_no_markup(tmp_path: Path):
    """Seen in a real export (2,693 comments of a blog): a ``>`` inside a link's quoted address
    ended the tag early and its attributes leaked into the text, and every ``<br>`` and
    paragraph became a space (a four-line code snippet as one line). The markup's own line
    breaks are layout: spaces."""
    message = ('<p>lo pregunté aquí <a href="http://example.com/q?x=1&amp;y=a>>>" rel="nofollow">http://example.com/q'
               '</a> elements+=\'4\'<br>&gt;&gt;&gt; elements<br>[1, 2]</p><p>otra\nlínea de HTML, I &lt;3 it, 2 < 3</p>')
    xml = EXPORT.read_text(encoding="utf-8")
    start = xml.index("<message>", xml.index('dsq:id="9001"'))
    end = xml.index("</message>", start) + len("</message>")
    path = tmp_path / "lines.xml"
    path.write_text(xml[:start] + f"<message><![CDATA[{message}]]></message>" + xml[end:], encoding="utf-8")
    assert by_id(read_disqus(path))["blog:disqus:9001"]["text"] == (
        "lo pregunté aquí http://example.com/q elements+='4'\n>>> elements\n[1, 2]\notra línea de HTML, I <3 it, 2 < 3")


def _post_xml(dsq_id: int, thread: int, import_id: str, author: str, created: str, text: str,
              parent: int | None = None) -> str:
    return (f'<post dsq:id="{dsq_id}"><id>{import_id}</id><message><![CDATA[<p>{text}</p>]]></message>'
            f"<createdAt>{created}</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>"
            f"<author><name>{author}</name><isAnonymous>true</isAnonymous></author>"
            + (f'<parent dsq:id="{parent}" />' if parent else "") + f'<thread dsq:id="{thread}" /></post>')


def _thread_xml(dsq_id: int, link: str, created: str) -> str:
    return (f'<thread dsq:id="{dsq_id}"><id>{link}</id><link>https://blog.example/{link}</link><title>Post</title>'
            f"<createdAt>{created}</createdAt><author><name>Tang</name><username>tanglei</username>"
            f"</author><isDeleted>false</isDeleted></thread>")


def _export(tmp_path: Path, records: str) -> Path:
    path = tmp_path / "export.xml"
    path.write_text('<?xml version="1.0" encoding="utf-8"?><disqus xmlns="http://disqus.com" '
                    f'xmlns:dsq="http://disqus.com/disqus-internals">{records}</disqus>', encoding="utf-8")
    return path


def test_a_comment_imported_twice_is_one_comment(tmp_path: Path):
    """A real export (a Chinese blog whose post addresses changed): Disqus held two threads per
    post and each imported comment in both, same import id, author, time and text; 974 of its
    2,687 comments were copies, each opening a case of its own. A comment written on Disqus
    (no import id) is never taken for a copy."""
    threads = _thread_xml(1, "blog/post.html", "2010-12-01T10:00:00Z") + _thread_xml(2, "?p=198", "2010-12-01T10:00:00Z")
    posts = (_post_xml(11, 1, "wp_id=2", "Coder", "2010-12-05T21:24:25Z", "前来围观 真正的沙发")
             + _post_xml(21, 2, "wp_id=2", "Coder", "2010-12-05T21:24:25Z", "前来围观 真正的沙发")
             + _post_xml(22, 2, "wp_id=3", "Tang", "2010-12-06T08:00:00Z", "谢谢", parent=21)
             + _post_xml(12, 1, "", "Ana", "2010-12-07T08:00:00Z", "hola")
             + _post_xml(13, 1, "", "Ana", "2010-12-07T08:00:00Z", "hola"))
    read = read_disqus(_export(tmp_path, threads + posts))
    rows = by_id(read)
    assert set(rows) == {"blog:disqus:t1", "blog:disqus:t2", "blog:disqus:11", "blog:disqus:22",
                         "blog:disqus:12", "blog:disqus:13"}
    assert rows["blog:disqus:22"]["parent_id"] == "blog:disqus:11"  # the reply to the copy replies to the first
    # ... in the first's conversation, where its parent is: the owner's answer was in the other
    # thread's, and the case read unanswered (QA, the same real export)
    assert rows["blog:disqus:22"]["conversation_id"] == rows["blog:disqus:11"]["conversation_id"] == "blog:disqus:t1"
    assert read.quarantine["reason"].to_list() == [
        "excluded: a copy of comment blog:disqus:11 (imported into the forum twice: the same import id, author, "
        "time and text)"]
    assert read.messages.height + read.quarantine.height == 7


def test_a_thread_made_after_its_comments_is_dated_by_its_first_comment(tmp_path: Path):
    """The same real export (QA): its threads' createdAt is when Disqus made them, for many the
    import of 2016, while their comments date from 2010 on: 410 comments were older than the
    post they answer, and the brand's 98 "posts" of January 2016 were imports. A thread is dated
    by its first comment when that is earlier; a thread dated before its comments keeps its date."""
    threads = _thread_xml(1, "1", "2016-01-24T05:58:58Z") + _thread_xml(2, "2", "2010-12-01T10:00:00Z")
    posts = (_post_xml(11, 1, "", "Coder", "2011-01-03T09:25:53Z", "可以分享一下实现代码吗？")
             + _post_xml(12, 1, "", "Tang", "2011-01-04T08:00:00Z", "好的", parent=11)
             + _post_xml(21, 2, "", "Ana", "2010-12-07T08:00:00Z", "hola"))
    read = read_disqus(_export(tmp_path, threads + posts))
    rows = by_id(read)
    assert rows["blog:disqus:t1"]["created_at"] == utc(2011, 1, 3, 9, 25, 53)  # its first comment's time
    assert rows["blog:disqus:t2"]["created_at"] == utc(2010, 12, 1, 10, 0)  # before its comment: its own
    assert read.notes == ("1 thread(s) dated by their first comment: Disqus's createdAt for them is later (the "
                          "thread was made by an import or a later page view, not when the post was written)",)
