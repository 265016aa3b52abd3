"""WordPress WXR 1.2: posts, threaded comments, and what is not public conversation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.formats.wxr import _gmt, read_wxr
from pipelines.formats.xml import plain_text

EDGE_CASES = Path(__file__).parent / "fixtures" / "wxr" / "edge_cases.xml"
#: the ids of the fixture's blog: its channel link https://blog.telvia.example, without scheme
B = "blog:blog.telvia.example:"


def test_posts_and_comments_map_to_canonical_rows():
    read = read_wxr(EDGE_CASES)
    rows = {r["message_id"]: r for r in read.messages.to_dicts()}
    assert set(rows) == {f"{B}41", f"{B}c501", f"{B}c502", f"{B}c509", f"{B}43", f"{B}c520"}
    post = rows[f"{B}41"]
    assert (post["author_id"], post["conversation_id"], post["parent_id"]) == ("Equipo Telvia", f"{B}41", None)
    assert post["native_id"] == "41" and rows[f"{B}c501"]["native_id"] == "c501"
    assert post["created_at"] == datetime(2026, 10, 1, 10, 0, tzinfo=UTC)  # post_date_gmt, not local post_date
    # title and content as plain text: inline tags inside the words, entities decoded, no runs of spaces
    assert post["text"] == "Nuevas tarifas de fibra. Desde hoy, más velocidad & el mismo precio."
    question, reply, thanks = rows[f"{B}c501"], rows[f"{B}c502"], rows[f"{B}c509"]
    assert question["parent_id"] == f"{B}41" and question["author_id"] == "Lucía P."
    assert question["created_at"] == datetime(2026, 10, 1, 11, 15, tzinfo=UTC)
    assert reply["parent_id"] == f"{B}c501" and reply["author_id"] == "Equipo Telvia"
    assert thanks["parent_id"] == f"{B}c502"
    assert {r["conversation_id"] for r in rows.values()} == {f"{B}41", f"{B}43"}
    assert {r["thread_owner"] for r in rows.values()} == {"Equipo Telvia"}
    # a page is writing people comment on, as a post is
    assert rows[f"{B}c520"]["parent_id"] == f"{B}43" and rows[f"{B}c520"]["conversation_id"] == f"{B}43"
    assert question["url"] == "https://blog.telvia.example/2026/10/tarifas#comment-501"


def test_what_is_not_public_conversation_is_quarantined_with_its_reason():
    read = read_wxr(EDGE_CASES)
    assert read.records_read == 18  # 7 items + 11 comments
    assert read.records_read == read.messages.height + read.quarantine.height
    assert dict(zip(read.quarantine["position"], read.quarantine["reason"], strict=False)) == {
        3: "excluded: comment_type=pingback",
        4: "excluded: comment_type=trackback",
        5: "excluded: comment_approved=spam",
        6: "excluded: comment_approved=trash",
        7: "excluded: comment_approved=0",
        8: "invalid wp:comment_date_gmt: '0000-00-00 00:00:00'",
        10: "excluded: post status draft",
        # the site's other items: a menu entry, a media attachment (status inherit), a reusable block
        13: "excluded: post type nav_menu_item",
        14: "excluded: post type attachment",
        15: "excluded: post type wp_block",
        # what only the holders of the post's password read
        16: "excluded: password-protected post",
        17: "excluded: comment on a password-protected post",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2013-02-08 11:40:00", datetime(2013, 2, 8, 11, 40, tzinfo=UTC)),  # what WordPress writes
        ("2013-2-8 9:05:00", datetime(2013, 2, 8, 9, 5, tzinfo=UTC)),  # single-digit fields still read
        ("٢٠١٣-02-08 11:40:00", datetime(2013, 2, 8, 11, 40, tzinfo=UTC)),  # other digits, as strptime reads them
        ("2013-02-30 11:40:00", None),
        ("2013-02-08 24:00:00", None),
        ("2013-02-08T11:40:00", None),  # not WordPress's layout
        ("2013-02-08 11:40:00 ", None),
        ("0000-00-00 00:00:00", None),  # WordPress's "no date"
        ("", None),
    ],
)
def test_gmt_dates_read_as_strptime_reads_them(value: str, expected: datetime | None):
    assert _gmt(value) == expected


def test_ids_are_the_sites_two_blogs_never_share_one_two_exports_of_a_blog_do(tmp_path: Path):
    """WordPress numbers posts and comments per site: post 41 and comment 501 exist on every
    blog (a real case: WordPress's theme test exports and isso's test export share comment 2,
    and one blog's comment was published as another blog's brand reply)."""
    xml = EDGE_CASES.read_text()
    other = tmp_path / "other.xml"
    other.write_text(xml.replace("<link>https://blog.telvia.example</link>", "<link>https://www.Kubo.example/blog/</link>"))
    again = tmp_path / "again.xml"  # the same blog exported again
    again.write_text(xml)
    ours, theirs, twice = (set(read_wxr(p).messages["message_id"]) for p in (EDGE_CASES, other, again))
    assert f"{B}c501" in ours and "blog:kubo.example/blog:c501" in theirs
    assert not ours & theirs and ours == twice
    # a query names a page of the site, not another site
    query = tmp_path / "query.xml"
    query.write_text(xml.replace("<link>https://blog.telvia.example</link>", "<link>https://blog.telvia.example/?p=1</link>"))
    assert set(read_wxr(query).messages["message_id"]) == ours
    # no channel link: the blog's base address; none at all: the bare ids
    base = tmp_path / "base.xml"
    base.write_text(xml.replace("<link>https://blog.telvia.example</link>",
                                "<wp:base_blog_url>http://telvia.example/blog</wp:base_blog_url>"))
    assert "blog:telvia.example/blog:41" in set(read_wxr(base).messages["message_id"])
    bare = tmp_path / "bare.xml"
    bare.write_text(xml.replace("<link>https://blog.telvia.example</link>", ""))
    assert "blog:41" in set(read_wxr(bare).messages["message_id"])


def test_block_editor_markup_leaves_lines_of_text():
    """WordPress's block editor wraps each block in comments and indents it; a comment's line
    breaks are the writer's (and end a clause for the sentiment of each brand it names)."""
    content = ("<!-- wp:paragraph -->\n<p>Title <em>With</em> <b>Mark up</b>.</p>\n<!-- /wp:paragraph -->\n\n   \n"
               "<!-- wp:list -->\n<ul>\n\t<li>one</li>\n\t<li>two &amp; three</li>\n</ul>")
    assert plain_text(content) == "Title With Mark up.\none\ntwo & three"
    assert plain_text("Banco Sabadell bien.\n\nCortefiel   fatal") == "Banco Sabadell bien.\nCortefiel fatal"


def test_a_sites_own_post_types_are_read_wordpress_internal_ones_are_not(tmp_path: Path):
    """Custom post types (events, recipes, forum topics) hold writing people comment on; only
    WordPress's own items (menus, media, blocks...) are left out."""
    xml = EDGE_CASES.read_text().replace("<wp:post_type><![CDATA[page]]></wp:post_type>",
                                         "<wp:post_type><![CDATA[event]]></wp:post_type>")
    path = tmp_path / "event.xml"
    path.write_text(xml)
    read = read_wxr(path)
    assert {f"{B}43", f"{B}c520"} <= set(read.messages["message_id"])
    assert set(read.quarantine["reason"]) >= {"excluded: post type nav_menu_item", "excluded: post type attachment",
                                               "excluded: post type wp_block"}
