"""Disqus export XML (``disqus/<brand>_disqus.xml``)."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from pipelines.sample.model import _fmt_z, _fold
from pipelines.sample.world import World


def write_disqus(w: World, out: Path) -> dict[str, dict]:
    files: dict[str, dict] = {}
    for brand in w.brands:
        msgs = w.ext_msgs("disqus", brand.id)
        if not msgs:
            continue
        forum = brand.id.replace("_", "")
        threads = [m for m in msgs if m.parent is None]
        posts = sorted((m for m in msgs if m.parent is not None), key=lambda m: (m.created, m.mid))
        lines = [
            '<?xml version="1.0" encoding="utf-8"?>',
            (
                '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals"'
                ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            ),
            (
                f'  <category dsq:id="{brand.index + 1}"><forum>{forum}</forum><title>General</title>'
                "<isDefault>true</isDefault></category>"
            ),
        ]
        for t in threads:
            slug = _fold(t.title or "").lower().replace(" ", "-").replace("'", "")
            lines += [
                f'  <thread dsq:id="{t.native}">',
                f"    <id>{slug}-{t.native}</id>",
                f"    <forum>{forum}</forum>",
                f'    <category dsq:id="{brand.index + 1}"/>',
                f"    <link>https://{brand.domain}/blog/{slug}-{t.native}/</link>",
                f"    <title>{escape(t.title or '')}</title>",
                "    <message/>",
                f"    <createdAt>{_fmt_z(t.created)}</createdAt>",
                f"    <author><name>{escape(t.author)}</name><isAnonymous>false</isAnonymous></author>",
                "    <isClosed>false</isClosed>",
                "    <isDeleted>false</isDeleted>",
                "  </thread>",
            ]
        # quarantined: a deleted comment and a spam comment (copies with their own ids)
        extra = []
        if posts:
            for kind in ("deleted", "spam"):
                src = posts[len(posts) // (2 if kind == "deleted" else 3)]
                w.disqus_seq += 1
                extra.append((src, kind, w.rid(9_000_000_000 + w.disqus_seq * 11)))
        n_records = len(threads)
        n_bad = 0
        for p in posts:
            for src, kind, native in [(p, None, p.native)] + [e for e in extra if e[0] is p]:
                a = src.author
                if src.brand:
                    author = f"<name>{escape(a)}</name><isAnonymous>false</isAnonymous>"
                elif " " in a:  # anonymous guest: display name only
                    author = f"<name>{escape(a)}</name><isAnonymous>true</isAnonymous>"
                else:
                    author = (
                        f"<name>{escape(w.ext_names[a])}</name><isAnonymous>false</isAnonymous>"
                        f"<username>{escape(a)}</username>"
                    )
                parent = w.msgs[src.parent]
                lines += [
                    f'  <post dsq:id="{native}">',
                    "    <id/>",
                    f"    <message><![CDATA[<p>{escape(src.text)}</p>]]></message>",
                    f"    <createdAt>{_fmt_z(src.created)}</createdAt>",
                    f"    <isDeleted>{'true' if kind == 'deleted' else 'false'}</isDeleted>",
                    f"    <isSpam>{'true' if kind == 'spam' else 'false'}</isSpam>",
                    f"    <author>{author}</author>",
                    f'    <thread dsq:id="{w.msgs[src.conv].native}"/>',
                ]
                if parent.parent is not None:
                    lines.append(f'    <parent dsq:id="{parent.native}"/>')
                lines.append("  </post>")
                n_records += 1
                n_bad += kind is not None
        lines += ["</disqus>", ""]
        fname = f"disqus/{brand.id}_disqus.xml"
        (out / "disqus").mkdir(parents=True, exist_ok=True)
        (out / fname).write_text("\n".join(lines), encoding="utf-8")
        files[fname] = {"format": "disqus", "records_read": n_records, "records_quarantined": n_bad}
    return files
