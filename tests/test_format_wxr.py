"""WordPress WXR 1.2: posts, threaded comments, and what is not public conversation."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.formats.base import ArchiveError
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
    assert post["text"] == "Nuevas tarifas de fibra.\nDesde hoy, más velocidad & el mismo precio."  # <p>: a line
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
    # the quarantine is published: what is private keeps its id, not its content
    excerpts = dict(zip(read.quarantine["position"], read.quarantine["excerpt"], strict=True))
    assert excerpts[16].endswith(": private, its content is not kept") and "wp:" not in excerpts[16]
    assert excerpts[17].endswith(": private, its content is not kept")
    # so does what the site does not show: spam, trashed and pending comments, a draft (QA)
    assert all(excerpts[p].endswith(": private, its content is not kept") for p in (5, 6, 7, 10))
    assert "comment_type>pingback<" in excerpts[3]  # what is shown keeps its excerpt


def test_a_jetpack_contact_form_message_is_private(tmp_path: Path):
    """Jetpack stores a site's contact-form messages as items of type feedback: they were
    quarantined as 'missing required field: dc:creator', with the sender's name and e-mail in
    the published excerpt (QA, a real export: 10 of them)."""
    path = tmp_path / "feedback.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">'
        "<channel><link>https://blog.example</link><item><title>Ana Ruiz - Contact</title><dc:creator></dc:creator>"
        "<content:encoded>ana@example.com: my order never came</content:encoded><wp:post_id>4099</wp:post_id>"
        "<wp:post_date_gmt>2013-02-08 11:40:00</wp:post_date_gmt><wp:status>publish</wp:status>"
        "<wp:post_type>feedback</wp:post_type></item></channel></rss>", encoding="utf-8")
    read = read_wxr(path)
    assert read.messages.is_empty()
    assert read.quarantine.select("reason", "excerpt").rows() == [
        ("excluded: private contact-form message (Jetpack feedback)", "id 4099: private, its content is not kept")]


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
    # no channel link: the blog's base address; none: the host of its posts' links (a real
    # export, isso's test file, has neither; WooCommerce's sample data writes <link>http:</link>)
    base = tmp_path / "base.xml"
    base.write_text(xml.replace("<link>https://blog.telvia.example</link>",
                                "<wp:base_blog_url>http://telvia.example/blog</wp:base_blog_url>"))
    assert "blog:telvia.example/blog:41" in set(read_wxr(base).messages["message_id"])
    for channel_link in ("", "<link>http:</link>"):
        hostless = tmp_path / "hostless.xml"
        hostless.write_text(xml.replace("<link>https://blog.telvia.example</link>", channel_link))
        assert set(read_wxr(hostless).messages["message_id"]) == ours
    # a relative first link names no host: the first absolute one does
    relative = tmp_path / "relative.xml"
    relative.write_text(re.sub(r"<link>https://blog\.telvia\.example</link>", "", xml, count=1).replace(
        "<link>https://blog.telvia.example/2026", "<link>/2026", 1))
    assert set(read_wxr(relative).messages["message_id"]) == ours
    # any host is a site: non-ASCII, underscores, a port
    for host in ("bücher.example", "my_site.example", "localhost:8080"):
        other_host = tmp_path / "host.xml"
        other_host.write_text(xml.replace("<link>https://blog.telvia.example</link>", f"<link>https://{host}/</link>"))
        assert f"blog:{host}:41" in set(read_wxr(other_host).messages["message_id"])
    bare = tmp_path / "bare.xml"  # no address anywhere: the bare ids
    bare.write_text(re.sub(r"<link>[^<]*</link>", "", xml))
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


def _export(tmp_path: Path, items: str) -> Path:
    path = tmp_path / "export.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">'
        f"<channel><link>https://shop.example</link>{items}</channel></rss>", encoding="utf-8")
    return path


def _item(post_id: int, title: str, content: str, *, status: str = "publish", post_type: str = "post",
          comments: str = "") -> str:
    return (f"<item><title>{title}</title><link>https://shop.example/?p={post_id}</link><dc:creator>shop</dc:creator>"
            f"<content:encoded><![CDATA[{content}]]></content:encoded><wp:post_id>{post_id}</wp:post_id>"
            f"<wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt><wp:status>{status}</wp:status>"
            f"<wp:post_type>{post_type}</wp:post_type>{comments}</item>")


def _comment(comment_id: int, author: str, text: str, *, parent: int = 0, kind: str = "comment") -> str:
    return (f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id><wp:comment_author><![CDATA[{author}]]>"
            f"</wp:comment_author><wp:comment_date_gmt>2024-05-02 10:00:00</wp:comment_date_gmt>"
            f"<wp:comment_content><![CDATA[{text}]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
            f"<wp:comment_type>{kind}</wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>")


def test_a_comment_without_a_name_is_anonymous_and_its_replies_keep_their_parent(tmp_path: Path):
    # a real export (kevin-deldycke-blog's quoted WordPress export) holds 24 comments whose
    # author left no name: they were quarantined, and the author's replies pointed at nothing
    read = read_wxr(_export(tmp_path, _item(7, "Hola", "Post", comments=(
        _comment(1883, "", "¿Funciona con Disqus?") + _comment(1884, "shop", "Sí.", parent=1883)))))
    rows = {row["native_id"]: row for row in read.messages.to_dicts()}
    assert (rows["c1883"]["author_id"], rows["c1883"]["text"]) == ("Anonymous", "¿Funciona con Disqus?")
    assert rows["c1884"]["parent_id"] == "blog:shop.example:c1883"
    assert read.quarantine.is_empty()


def test_comments_on_a_post_that_is_not_public_are_not_public(tmp_path: Path):
    # wordpress-importer's test export: an approved comment on a draft loaded as public
    read = read_wxr(_export(tmp_path, _item(10, "Borrador", "x", status="draft", comments=_comment(1, "ana", "hola"))
                            + _item(11, "Privado", "x", status="private", comments=_comment(2, "luis", "hey"))))
    assert read.messages.is_empty()
    assert read.quarantine["reason"].to_list() == [
        "excluded: post status draft", "excluded: comment on a post with status draft",
        "excluded: post status private", "excluded: comment on a post with status private"]


def test_editors_notes_are_private_and_no_excerpt_publishes_an_email_or_ip(tmp_path: Path):
    """WordPress 6.9 stores its editors' notes on a post's blocks as comments of type note
    (wordpress-importer's own test export): they were quarantined as unapproved readers'
    comments, their excerpt (published in the analyst database) holding the editor's e-mail
    address and IP, as every quarantined comment's did (QA)."""
    private = ("<wp:comment_author_email>admin@blog.example</wp:comment_author_email>"
               "<wp:comment_author_IP>203.0.113.7</wp:comment_author_IP>")
    note = _comment(2, "admin", "Note on para 1", kind="note").replace("<wp:comment_date_gmt>", private + "<wp:comment_date_gmt>")
    undated = _comment(3, "ana", "Mi pedido 4411 no llega").replace(
        "<wp:comment_date_gmt>2024-05-02 10:00:00", private + "<wp:comment_date_gmt>0000-00-00 00:00:00")
    read = read_wxr(_export(tmp_path, _item(8, "Page with notes", "x", comments=note + undated)))
    assert read.quarantine.select("reason", "excerpt").rows()[0] == (
        "excluded: an editor's private note (comment_type=note)", "id 2: private, its content is not kept")
    assert read.quarantine["reason"][1] == "invalid wp:comment_date_gmt: '0000-00-00 00:00:00'"
    assert "Mi pedido 4411" in read.quarantine["excerpt"][1]  # what the site shows keeps its excerpt...
    assert "203.0.113.7" not in read.quarantine["excerpt"][1] and "@blog.example" not in read.quarantine["excerpt"][1]
    # ... but never what it does not: the commenter's e-mail address and IP
    quarantined_post = read_wxr(_export(tmp_path, _item(9, "x", "x", comments=undated).replace(
        "<dc:creator>shop</dc:creator>", ""))).quarantine["excerpt"][0]
    assert "<wp:comment" not in quarantined_post and quarantined_post.startswith("<item")  # the post's, not its comments
    missing = _comment(4, "ana", "hola").replace("<wp:comment_date_gmt>2024-05-02 10:00:00</wp:comment_date_gmt>", "")
    read = read_wxr(_export(tmp_path, _item(10, "x", "x", comments=missing).replace(
        "<wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt>", "")))
    assert read.quarantine["reason"].to_list() == [
        "missing required field: wp:post_date_gmt", "missing required field: wp:comment_date_gmt"]  # not "invalid …: None"


def test_shop_items_variations_are_not_posts_and_product_reviews_are_read(tmp_path: Path):
    # WooCommerce's sample data: its variations ('V-Neck T-Shirt - Red', no content) loaded as posts
    read = read_wxr(_export(tmp_path, _item(6, "V-Neck T-Shirt", "A shirt.", post_type="product", comments=(
        _comment(3, "marta", "Encogió al lavarla.", kind="review"))) + _item(7, "V-Neck T-Shirt - Red", "",
                                                                             post_type="product_variation")))
    assert read.messages["native_id"].to_list() == ["6", "c3"]
    assert read.quarantine["reason"].to_list() == ["excluded: post type product_variation"]


@pytest.mark.parametrize(("title", "content", "text"), [
    ("Hello world!", "Welcome to WordPress.", "Hello world! Welcome to WordPress."),  # was 'Hello world!. Welcome'
    ("Tarifas", "Suben en enero.", "Tarifas. Suben en enero."),
    ("", "This post has no title.", "This post has no title."),  # was '. This post has no title.'
    ("Hello, World…", "", "Hello, World…"),
])
def test_a_post_is_its_title_as_a_sentence_then_its_content(tmp_path: Path, title: str, content: str, text: str):
    assert read_wxr(_export(tmp_path, _item(1, title, content))).messages["text"].to_list() == [text]


def test_wordpress_media_shortcodes_are_not_text(tmp_path: Path):
    # the theme unit test data (real WordPress exports) left '[caption id="attachment_612" ...]' in 9 posts
    content = ('[caption id="attachment_612" align="aligncenter" width="640" caption="Boat"]<img src="x.jpg" />'
               ' Un barco en el puerto[/caption] Texto. [gallery columns="1"] [audio https://x.example/a.mp3]')
    assert read_wxr(_export(tmp_path, _item(1, "Fotos", content))).messages["text"].to_list() == [
        "Fotos. Un barco en el puerto Texto."]


DISQUS_IMPORT = Path(__file__).parent / "fixtures" / "wxr" / "disqus_import.xml"


def test_disqus_import_files_are_read_as_threads_and_their_comments():
    """Disqus's import format (items named by dsq:thread_identifier, no wp:post_id, no
    dc:creator) loaded nothing: every thread was quarantined for its missing post id, and its
    comments with it."""
    read = read_wxr(DISQUS_IMPORT)
    rows = {row["native_id"]: row for row in read.messages.to_dicts()}
    site = "blog:blog.telvia.example:"
    assert set(rows) == {"c65", "c66", "c9"}
    assert rows["c65"]["conversation_id"] == rows["c65"]["parent_id"] == f"{site}tnode/812"
    assert rows["c66"]["parent_id"] == f"{site}c65"
    assert (rows["c66"]["author_id"], rows["c66"]["text"]) == ("Equipo Telvia", "Hola Lucía, lo revisamos ahora mismo.")
    assert rows["c9"]["conversation_id"] == f"{site}thttps://blog.telvia.example/guestbook"
    assert rows["c9"]["created_at"].isoformat() == "2017-05-06T08:30:00+00:00"
    assert rows["c66"]["thread_owner"] is None
    # read = loaded + quarantined: the two threads (no author) and the unapproved comment
    assert read.quarantine["reason"].to_list() == [
        "excluded: a Disqus import thread, which names no author (its comments are read)",
        "excluded: comment_approved=0",
        "excluded: a Disqus import thread, which names no author (its comments are read)",
    ]
    assert read.messages.height + read.quarantine.height == 6


def test_a_post_that_cannot_be_read_keeps_its_comments(tmp_path: Path):
    """A post without an author or a date is quarantined; its comments are whole messages of
    their own, read in its conversation (they were quarantined with it)."""
    item = _item(5, "Hola", "Post", comments=_comment(51, "ana", "¿Y el envío?")).replace(
        "<dc:creator>shop</dc:creator>", "")
    read = read_wxr(_export(tmp_path, item))
    assert read.messages["native_id"].to_list() == ["c51"]
    assert read.messages["conversation_id"].to_list() == ["blog:shop.example:5"]
    assert read.quarantine["reason"].to_list() == ["missing required field: dc:creator"]


def test_a_comment_by_one_of_the_sites_users_is_theirs_under_their_login():
    """A real export (CC Labs): a post's author is its login (dc:creator), his comments show his
    display name; the comment's user id names him in the export's <wp:author> list. Read by the
    name shown, his reply was a customer's comment and the question it answers went unanswered."""
    read = read_wxr(Path(__file__).parent / "fixtures" / "wxr" / "cc_labs" / "post_107.xml")
    rows = {row["native_id"]: row for row in read.messages.to_dicts()}
    assert rows["107"]["author_id"] == rows["107"]["thread_owner"] == "nkinkade"
    reply = rows["c81"]
    assert (reply["author_id"], reply["author_handle"]) == ("nkinkade", "Nathan Kinkade")
    assert reply["parent_id"] == "blog:labs.creativecommons.org:c80"
    # a reader (no user id) is the name they gave
    assert (rows["c80"]["author_id"], rows["c80"]["author_handle"]) == ("IZ", "IZ")
    assert read.messages.height + read.quarantine.height == 13
    assert set(read.quarantine["reason"]) == {"excluded: comment_type=pingback"}


def test_a_wordpress_com_export_using_atom_without_declaring_it_is_read(tmp_path: Path):
    """WordPress.com writes <atom:link> without declaring xmlns:atom: the whole export was
    rejected as "unbound prefix" (QA, two real WordPress.com exports: 405 and 57 records lost).
    The prefix is declared for reading, with a note; a file broken otherwise is still rejected."""

    head = ('<?xml version="1.0" encoding="UTF-8" ?>\n<!-- generator="WordPress.com" created="2012-09-06 04:08"-->\n'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            '  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n'
            "<channel><title>Timothy Fitz</title><link>http://timothyfitz.wordpress.com</link>\n"
            "<atom:link rel='hub' href='http://timothyfitz.wordpress.com/?pushpress=hub'/>\n")
    item = ("<item><title>Hello</title><dc:creator>timothyfitz</dc:creator>"
            "<content:encoded><![CDATA[A post.]]></content:encoded><wp:post_id>3</wp:post_id>"
            "<wp:post_date_gmt>2009-02-08 20:00:00</wp:post_date_gmt><wp:status>publish</wp:status>"
            "<wp:post_type>post</wp:post_type><wp:comment><wp:comment_id>10</wp:comment_id>"
            "<wp:comment_author><![CDATA[Ben McGraw]]></wp:comment_author>"
            "<wp:comment_date_gmt>2009-02-09 08:00:00</wp:comment_date_gmt>"
            "<wp:comment_content><![CDATA[Why does the deploy fail?]]></wp:comment_content>"
            "<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment></item>")
    path = tmp_path / "wordpress.xml"
    path.write_text(head + item + "</channel></rss>\n", encoding="utf-8")
    read = read_wxr(path)
    assert read.messages["text"].to_list() == ["Hello. A post.", "Why does the deploy fail?"]
    assert read.quarantine.height == 0
    assert read.notes == ("namespace prefix(es) used without a declaration, declared for reading: atom "
                          "(WordPress.com exports do so with atom)",)
    # not well-formed besides the prefix: rejected, naming the error left once it is declared
    path.write_text(head + item.replace("</wp:comment></item>", "</item>") + "</channel></rss>\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match="not well-formed XML: mismatched tag"):
        read_wxr(path)


def test_the_site_is_the_host_most_posts_link_to_not_the_first_posts(tmp_path: Path):
    """A channel without a link names its site by its posts' links: the first post's host was
    taken, and a real Hexo blog migrated to Disqus (hippo-jessy) still had Hexo's "Hello World"
    linking to the placeholder yoursite.com: every id was blog:yoursite.com:..., shared by every
    such blog (QA). Most of its 26 items link to hippo-jessy.com."""
    thread = ("<item><title>{title}</title><link>http://{host}/{path}</link><content:encoded><![CDATA[]]>"
              "</content:encoded><dsq:thread_identifier>{path}</dsq:thread_identifier>{comment}</item>")
    comment = ("<wp:comment><wp:comment_id>6382893761579451138</wp:comment_id><wp:comment_author>lpouyang2005"
               "</wp:comment_author><wp:comment_date_gmt>2017-02-03 22:47:42</wp:comment_date_gmt>"
               "<wp:comment_content><![CDATA[已添加友链]]></wp:comment_content><wp:comment_approved>1"
               "</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>")
    path = tmp_path / "disqus.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dsq="http://www.disqus.com/" xmlns:wp="http://wordpress.org/export/1.0/" version="2.0"><channel>'
        + thread.format(title="Hello World", host="yoursite.com", path="2017/01/11/hello-world/", comment="")
        + thread.format(title="About", host="hippo-jessy.com", path="about/index.html", comment=comment)
        + thread.format(title="Java", host="hippo-jessy.com", path="2017/02/java/", comment="")
        + "</channel></rss>", encoding="utf-8")
    (row,) = read_wxr(path).messages.to_dicts()
    assert row["message_id"] == "blog:hippo-jessy.com:c6382893761579451138"
    assert row["conversation_id"] == "blog:hippo-jessy.com:tabout/index.html"


def test_a_squarespace_export_with_raw_ampersands_is_read_and_no_login_email_is_published(tmp_path: Path):
    """Ghost's sample of a Squarespace export (MIT): a raw '&' and '&mdash;' in a title, which XML
    does not allow, rejected the whole file (QA: one character lost every post); its logins are
    e-mail addresses, published as the posts' author_id and handle, which the site never shows."""
    export = EDGE_CASES.parent / "squarespace" / "export_first_item.xml"
    read = read_wxr(export)
    assert read.notes == ("2 '&' that XML does not allow outside CDATA (a raw '&', an HTML entity such as &mdash;) "
                          "escaped or written as its character for reading",)
    assert read.quarantine["reason"].to_list() == ["excluded: post status draft"]
    published = tmp_path / "published.xml"
    published.write_text(export.read_text().replace("<wp:status>draft", "<wp:status>publish").replace(
        "<dc:creator>HarrySquatter", "<dc:creator>hermione@example.com"))
    (post,) = read_wxr(published).messages.to_dicts()
    assert (post["author_id"], post["author_handle"]) == ("Hermione Granger", "Hermione Granger")
    assert post["text"].startswith("Draft & Post & More—More.\nLorem ipsum")
    # an '&' inside CDATA is text, left as it is; a file broken otherwise still names its first error
    broken = tmp_path / "broken.xml"
    broken.write_text(export.read_text().replace("</channel>", "<item><title>Q&A</title></channel>"))
    with pytest.raises(ArchiveError, match="not well-formed XML: mismatched tag"):
        read_wxr(broken)


def test_an_export_with_no_item_under_its_channel_says_so(tmp_path: Path):
    """Items wrapped in <items> instead of <channel> read 0 records as a success, nothing said
    (QA, a new user's hand-trimmed export)."""
    odd = tmp_path / "odd.xml"
    odd.write_text('<?xml version="1.0"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.0/">'
                   "<items><item><title>Hola</title><wp:post_id>1</wp:post_id></item></items></rss>")
    read = read_wxr(odd)
    assert read.records_read == 0 and read.notes[-1].startswith("no <item> under <rss><channel>: nothing read")
