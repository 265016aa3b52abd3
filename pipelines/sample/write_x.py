"""X API v2 search pages (``x/search_<series>_<NNNN>.json``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipelines.sample.model import PAGE_SIZE, Msg, _fmt_x
from pipelines.sample.world import World


def tweet_obj(w: World, m: Msg) -> dict:
    d: dict = {
        "id": m.native,
        "text": m.text,
        "edit_history_tweet_ids": [m.native],
        "author_id": m.author,
        "created_at": _fmt_x(m.created),
        "conversation_id": m.conv.split(":", 1)[1],
        "lang": m.lang,
    }
    if m.in_reply_to_user:
        d["in_reply_to_user_id"] = m.in_reply_to_user
    refs = []
    if m.parent:
        refs.append({"type": "replied_to", "id": w.msgs[m.parent].native})
    if m.reposted:
        refs.append({"type": "retweeted", "id": w.msgs[m.reposted].native})
    if refs:
        d["referenced_tweets"] = refs
    mentions = []
    pos = 0
    text = m.text
    while (i := text.find("@", pos)) >= 0:
        j = i + 1
        while j < len(text) and (text[j].isalnum() or text[j] == "_") and text[j].isascii():
            j += 1
        handle = text[i + 1 : j]
        uid = w.handle_ids.get(handle.lower())
        if uid and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            mentions.append({"start": i, "end": j, "username": w.users[uid]["username"], "id": uid})
        pos = j
    if mentions:
        d["entities"] = {"mentions": mentions}
    d["public_metrics"] = m.metrics
    return d


def write_x(w: World, out: Path) -> dict[str, dict]:
    rng = w.rng
    series: dict[str, list[Msg]] = {}
    for k in w.order:
        m = w.msgs[k]
        if m.platform == "x" and not (w.archive_owner and m.author == w.archive_owner.uid):
            series.setdefault(m.series, []).append(m)
    names = [b.id for b in w.brands if b.id in series] + (["all"] if "all" in series else [])
    files: dict[str, dict] = {}
    bad_targets = {
        "no_id": names[0],
        "bad_date": names[1] if len(names) > 1 and names[1] != "all" else names[0],
        "no_author": "all" if "all" in series else names[-1],
    }
    dup_series = {names[0], [n for n in names if n != "all"][-1]}
    (out / "x").mkdir(parents=True, exist_ok=True)
    for name in names:
        msgs = sorted(series[name], key=lambda m: (m.created, int(m.native)), reverse=True)
        pages = [msgs[i : i + PAGE_SIZE] for i in range(0, len(msgs), PAGE_SIZE)]
        page_objs: list[list[dict]] = [[tweet_obj(w, m) for m in p] for p in pages]
        page_includes: list[list[dict]] = [[] for _ in pages]
        page_bad = [0 for _ in pages]
        for pi, p in enumerate(pages):
            for m in p:
                if m.reposted:
                    page_includes[pi].append(tweet_obj(w, w.msgs[m.reposted]))
        if name in dup_series and len(page_objs) >= 2:
            page_objs[1].insert(0, json.loads(json.dumps(page_objs[0][-1])))
        for kind, target in bad_targets.items():
            if target != name:
                continue
            pi = 1 if kind == "bad_date" and len(pages) > 1 else 0
            src = pages[pi][min(len(pages[pi]) - 1, 5)]
            obj = tweet_obj(w, src)
            if kind == "no_id":
                del obj["id"]
                obj["edit_history_tweet_ids"] = []
            else:
                nid = w.tweet_id(src.created)
                obj["id"] = nid
                obj["edit_history_tweet_ids"] = [nid]
                obj["conversation_id"] = nid
                obj.pop("in_reply_to_user_id", None)
                obj.pop("referenced_tweets", None)
                if kind == "bad_date":
                    obj["created_at"] = "not-a-date"
                else:
                    del obj["author_id"]
            pos = next(i for i, o in enumerate(page_objs[pi]) if o.get("id") == src.native)
            page_objs[pi].insert(pos + rng.randrange(2), obj)  # next to its source: order kept
            page_bad[pi] += 1
        for pi, objs in enumerate(page_objs):
            fname = f"x/search_{name}_{pi + 1:04d}.json"
            authors: list[str] = []
            for o in objs + page_includes[pi]:
                a = o.get("author_id")
                if a and a not in authors:
                    authors.append(a)
            ids = [m.native for m in pages[pi]]
            meta: dict = {"newest_id": max(ids, key=int), "oldest_id": min(ids, key=int), "result_count": len(objs)}
            if pi < len(page_objs) - 1:
                meta["next_token"] = hashlib.sha1(f"{name}:{pi + 1}".encode()).hexdigest()[:20]
            includes: dict = {"users": [w.users[a] for a in authors]}
            if page_includes[pi]:
                includes["tweets"] = page_includes[pi]
            page = {"data": objs, "includes": includes, "meta": meta}
            (out / fname).write_text(
                json.dumps(page, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
            )
            files[fname] = {
                "format": "x_v2",
                "records_read": len(objs) + len(page_includes[pi]),
                "records_quarantined": page_bad[pi],
            }
    return files
