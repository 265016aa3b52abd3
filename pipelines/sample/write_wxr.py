"""WordPress WXR 1.2 exports (``blog/<brand>_wordpress.xml``)."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from pipelines.sample.model import Msg, _fold
from pipelines.sample.world import World


def write_wxr(w: World, out: Path) -> dict[str, dict]:
    files: dict[str, dict] = {}
    bad = getattr(w, "blog_bad", {})
    for brand in w.brands:
        if not brand.blog:
            continue
        msgs = [w.msgs[k] for k in w.order if w.msgs[k].platform == "blog" and w.msgs[k].series == brand.id]
        posts = [m for m in msgs if m.title is not None]
        if not posts:
            continue
        lang = w.brand_lang(brand)
        comments: dict[str, list[Msg]] = {}
        for m in msgs:
            if m.title is None:
                comments.setdefault(m.conv, []).append(m)
        if brand.id in bad:
            comments.setdefault(bad[brand.id].conv, []).append(bad[brand.id])
        site = f"https://{brand.domain}"
        lines = [
            '<?xml version="1.0" encoding="UTF-8" ?>',
            '<rss version="2.0"',
            '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"',
            '\txmlns:content="http://purl.org/rss/1.0/modules/content/"',
            '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"',
            '\txmlns:dc="http://purl.org/dc/elements/1.1/"',
            '\txmlns:wp="http://wordpress.org/export/1.2/"',
            ">",
            "<channel>",
            f"\t<title>Blog {escape(brand.name)}</title>",
            f"\t<link>{site}/blog</link>",
            f"\t<description>{'Noticias de' if lang == 'es' else 'News from'} {escape(brand.name)}</description>",
            f"\t<pubDate>{w.end.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>",
            f"\t<language>{'es-ES' if lang == 'es' else 'en-US'}</language>",
            "\t<wp:wxr_version>1.2</wp:wxr_version>",
            f"\t<wp:base_site_url>{site}</wp:base_site_url>",
            f"\t<wp:base_blog_url>{site}/blog</wp:base_blog_url>",
            (
                "\t<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[equipo]]></wp:author_login>"
                f"<wp:author_display_name><![CDATA[{brand.blog}]]></wp:author_display_name></wp:author>"
            ),
            "\t<generator>https://wordpress.org/?v=6.6.2</generator>",
        ]
        n_records = 0
        n_bad = 0
        for post in posts:
            local = post.created.astimezone(brand.tz)
            slug = _fold(post.title).lower().replace(" ", "-").replace("'", "") + f"-{post.native}"
            lines += [
                "\t<item>",
                f"\t\t<title><![CDATA[{post.title}]]></title>",
                f"\t\t<link>{site}/blog/{slug}/</link>",
                f"\t\t<pubDate>{post.created.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>",
                f"\t\t<dc:creator><![CDATA[{post.author}]]></dc:creator>",
                f'\t\t<guid isPermaLink="false">{site}/blog/?p={post.native}</guid>',
                "\t\t<description></description>",
                f"\t\t<content:encoded><![CDATA[<p>{post.text}</p>]]></content:encoded>",
                "\t\t<excerpt:encoded><![CDATA[]]></excerpt:encoded>",
                f"\t\t<wp:post_id>{post.native}</wp:post_id>",
                f"\t\t<wp:post_date><![CDATA[{local.strftime('%Y-%m-%d %H:%M:%S')}]]></wp:post_date>",
                f"\t\t<wp:post_date_gmt><![CDATA[{post.created.strftime('%Y-%m-%d %H:%M:%S')}]]></wp:post_date_gmt>",
                "\t\t<wp:comment_status><![CDATA[open]]></wp:comment_status>",
                f"\t\t<wp:post_name><![CDATA[{slug}]]></wp:post_name>",
                "\t\t<wp:status><![CDATA[publish]]></wp:status>",
                "\t\t<wp:post_parent>0</wp:post_parent>",
                "\t\t<wp:post_type><![CDATA[post]]></wp:post_type>",
            ]
            n_records += 1
            for c in sorted(comments.get(post.conv, []), key=lambda m: int(m.native)):
                is_bad = bad.get(brand.id) is c
                if is_bad:
                    date_local = date_gmt = "0000-00-00 00:00:00"
                    n_bad += 1
                else:
                    date_local = c.created.astimezone(brand.tz).strftime("%Y-%m-%d %H:%M:%S")
                    date_gmt = c.created.strftime("%Y-%m-%d %H:%M:%S")
                parent = w.msgs[c.parent].native if c.parent else "0"
                ctype = "comment" if int(c.native) % 3 else ""
                lines += [
                    "\t\t<wp:comment>",
                    f"\t\t\t<wp:comment_id>{c.native}</wp:comment_id>",
                    f"\t\t\t<wp:comment_author><![CDATA[{c.author}]]></wp:comment_author>",
                    f"\t\t\t<wp:comment_author_email><![CDATA[{c.email}]]></wp:comment_author_email>",
                    "\t\t\t<wp:comment_author_url></wp:comment_author_url>",
                    "\t\t\t<wp:comment_author_IP><![CDATA[]]></wp:comment_author_IP>",
                    f"\t\t\t<wp:comment_date><![CDATA[{date_local}]]></wp:comment_date>",
                    f"\t\t\t<wp:comment_date_gmt><![CDATA[{date_gmt}]]></wp:comment_date_gmt>",
                    f"\t\t\t<wp:comment_content><![CDATA[{c.text}]]></wp:comment_content>",
                    "\t\t\t<wp:comment_approved><![CDATA[1]]></wp:comment_approved>",
                    f"\t\t\t<wp:comment_type><![CDATA[{ctype}]]></wp:comment_type>",
                    f"\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>",
                    f"\t\t\t<wp:comment_user_id>{1 if c.brand else 0}</wp:comment_user_id>",
                    "\t\t</wp:comment>",
                ]
                n_records += 1
            lines.append("\t</item>")
        lines += ["</channel>", "</rss>", ""]
        fname = f"blog/{brand.id}_wordpress.xml"
        (out / "blog").mkdir(parents=True, exist_ok=True)
        (out / fname).write_text("\n".join(lines), encoding="utf-8")
        files[fname] = {"format": "wxr", "records_read": n_records, "records_quarantined": n_bad}
    return files


# ---- writing the extra formats ------------------------------------------------------------
