"""Facebook Graph API posts-with-comments pages (``facebook/<brand>_comments_<n>.json``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipelines.sample.model import Msg, _fmt_fb
from pipelines.sample.world import World


def write_facebook(w: World, out: Path) -> dict[str, dict]:
    rng = w.rng
    files: dict[str, dict] = {}
    for brand in w.brands:
        msgs = w.ext_msgs("facebook", brand.id)
        if not msgs:
            continue
        page_id, page_name = brand.formats["facebook"]
        posts = sorted((m for m in msgs if m.parent is None), key=lambda m: m.created, reverse=True)
        comments: dict[str, list[Msg]] = {}
        for m in msgs:
            if m.parent is not None:
                comments.setdefault(m.conv, []).append(m)
        n_children: dict[str, int] = {}
        for m in msgs:
            if m.parent and w.msgs[m.parent].parent is not None:
                n_children[m.parent] = n_children.get(m.parent, 0) + 1

        def frm(m: Msg, page_id: str = page_id, page_name: str = page_name) -> dict:
            if m.brand:
                return {"id": page_id, "name": page_name}
            return {"id": m.author, "name": w.ext_names[m.author]}

        pages = [posts[i : i + 8] for i in range(0, len(posts), 8)]
        (out / "facebook").mkdir(parents=True, exist_ok=True)
        for pi, page_posts in enumerate(pages):
            data = []
            n_records = n_bad = 0
            for post in page_posts:
                cs = []
                for c in sorted(comments.get(post.conv, []), key=lambda m: (m.created, m.mid)):
                    obj: dict = {
                        "id": c.native,
                        "message": c.text,
                        "created_time": _fmt_fb(c.created),
                        "from": frm(c),
                        "like_count": rng.randrange(0, 4),
                        "comment_count": n_children.get(c.mid, 0),
                    }
                    if w.msgs[c.parent].parent is not None:
                        obj["parent"] = {"id": w.msgs[c.parent].native}
                    cs.append(obj)
                data.append(
                    {
                        "id": post.native,
                        "message": post.text,
                        "created_time": _fmt_fb(post.created),
                        "from": {"id": page_id, "name": page_name},
                        "permalink_url": f"https://www.facebook.com/{page_id}/posts/{post.native.split('_')[1]}",
                        "comments": {"data": cs, "summary": {"total_count": len(cs)}},
                    }
                )
                n_records += 1 + len(cs)
            # quarantined: a comment read without a page token (no "from"), a hidden comment
            host = next((d for d in data if d["comments"]["data"]), None)
            if host is not None and pi in (0, len(pages) - 1):
                src = host["comments"]["data"][0]
                post_key = host["id"].split("_")[1]
                w.seq += 1
                bad = {k: v for k, v in src.items() if k not in ("from", "parent")}
                bad["id"] = f"{post_key}_{w.rid(3_000_000_000_000 + w.seq * 17)}"
                if pi == 0:
                    bad.pop("from", None)
                else:
                    bad["from"] = dict(src["from"])
                    bad["is_hidden"] = True
                host["comments"]["data"].insert(1, bad)
                n_records += 1
                n_bad += 1
            page: dict = {
                "data": data,
                "paging": {
                    "cursors": {
                        "before": hashlib.sha1(f"{brand.id}:b{pi}".encode()).hexdigest()[:24],
                        "after": hashlib.sha1(f"{brand.id}:a{pi}".encode()).hexdigest()[:24],
                    }
                },
            }
            if pi < len(pages) - 1:
                page["paging"]["next"] = (
                    f"https://graph.facebook.com/v19.0/{page_id}/posts?"
                    f"fields=comments&after={page['paging']['cursors']['after']}"
                )
            fname = f"facebook/{brand.id}_comments_{pi + 1}.json"
            (out / fname).write_text(json.dumps(page, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            files[fname] = {"format": "facebook_graph", "records_read": n_records, "records_quarantined": n_bad}
    return files
