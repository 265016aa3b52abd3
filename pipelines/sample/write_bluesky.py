"""Bluesky Jetstream JSON lines (``bluesky/jetstream_<n>.jsonl``)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from pipelines.sample.model import Msg, _at_uri, _cid, _fmt_x, _is_json, _tid
from pipelines.sample.world import World


def _handles(w: World) -> dict[str, str]:
    handles = {w.bsky_dids[b.id]: b.formats["bluesky"] for b in w.brands if b.id in w.bsky_dids}
    for (fmt, _lang), pool in w.ext_customers.items():
        if fmt == "bluesky":
            for c in pool:
                handles[c.uid] = c.handle
    return handles


def _record(w: World, m: Msg, handle_dids: dict[str, str], text: str | None = None) -> dict:
    text = m.text if text is None else text
    rec: dict = {"$type": "app.bsky.feed.post", "text": text, "createdAt": _fmt_x(m.created), "langs": [m.lang]}
    facets = []
    for match in re.finditer(r"(?<![\w.])@([a-z0-9.-]+\.bsky\.social)", text):
        did = handle_dids.get(match.group(1))
        if did:
            start = len(text[: match.start()].encode("utf-8"))
            end = len(text[: match.end()].encode("utf-8"))
            facets.append(
                {
                    "index": {"byteStart": start, "byteEnd": end},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
                }
            )
    if facets:
        rec["facets"] = facets
    if m.parent:
        root, parent = w.msgs[m.conv], w.msgs[m.parent]
        rec["reply"] = {
            "root": {"uri": _at_uri(root), "cid": _cid(root.mid)},
            "parent": {"uri": _at_uri(parent), "cid": _cid(parent.mid)},
        }
    return rec


def write_bluesky(w: World, out: Path) -> dict[str, dict]:
    rng = w.rng
    msgs = sorted(w.ext_msgs("bluesky"), key=lambda m: (m.created, m.mid))
    if not msgs:
        return {}
    handles = _handles(w)
    handle_dids = {h: d for d, h in handles.items()}
    customers = [m for m in msgs if m.brand is None]
    openers = [
        m
        for m in customers
        if m.parent is None or (w.msgs[m.parent].brand is not None and w.msgs[m.parent].parent is None)
    ]
    edited = {m.mid for m in rng.sample(openers, min(3, len(openers)))}
    follow_ups = [
        m
        for m in customers
        if m.parent
        and w.msgs[m.parent].brand is not None
        and m.mid not in edited
        and m.thanks is False
        and m.intent == "complaint"
    ]
    deleted = {m.mid for m in rng.sample(follow_ups, min(2, len(follow_ups)))}
    events: list[tuple[int, int, dict]] = []  # (time_us, order, event)
    for i, m in enumerate(msgs):
        did, rkey = m.native.split("/")
        us = int(m.created.timestamp()) * 1_000_000 + rng.randrange(1000, 900_000)
        text = m.text + " …" if m.mid in edited else m.text
        events.append(
            (
                us,
                i,
                {
                    "did": did,
                    "time_us": us,
                    "kind": "commit",
                    "commit": {
                        "rev": _tid(us + 1),
                        "operation": "create",
                        "collection": "app.bsky.feed.post",
                        "rkey": rkey,
                        "record": _record(w, m, handle_dids, text),
                        "cid": _cid(m.mid),
                    },
                },
            )
        )
        if m.mid in edited:  # the newest version drops the trailing ellipsis
            us2 = us + rng.randrange(60, 300) * 1_000_000
            events.append(
                (
                    us2,
                    i,
                    {
                        "did": did,
                        "time_us": us2,
                        "kind": "commit",
                        "commit": {
                            "rev": _tid(us2 + 1),
                            "operation": "update",
                            "collection": "app.bsky.feed.post",
                            "rkey": rkey,
                            "record": _record(w, m, handle_dids),
                            "cid": _cid(m.mid + "@2"),
                        },
                    },
                )
            )
        if m.mid in deleted:  # a deleted post stays a message (flagged deleted)
            us3 = min(
                us + rng.randrange(3600, 86400) * 1_000_000,
                int((w.limit - timedelta(minutes=1)).timestamp()) * 1_000_000,
            )
            events.append(
                (
                    us3,
                    i,
                    {
                        "did": did,
                        "time_us": us3,
                        "kind": "commit",
                        "commit": {
                            "rev": _tid(us3 + 1),
                            "operation": "delete",
                            "collection": "app.bsky.feed.post",
                            "rkey": rkey,
                        },
                    },
                )
            )
    events.sort(key=lambda e: (e[0], e[1]))
    lines = [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for _, _, e in events]
    # records the reader quarantines: a like (excluded), a createdAt without zone, a truncated line
    n_bad = 0
    likers = [d for d in handles if d not in w.bsky_dids.values()]
    if customers and len(likers) > 1:
        like_src = customers[len(customers) // 2]
        liker = next(d for d in likers if d != like_src.author)
        us = events[len(events) // 2][0] + 5
        like = {
            "did": liker,
            "time_us": us,
            "kind": "commit",
            "commit": {
                "rev": _tid(us),
                "operation": "create",
                "collection": "app.bsky.feed.like",
                "rkey": _tid(us + 2),
                "record": {
                    "$type": "app.bsky.feed.like",
                    "subject": {"uri": _at_uri(like_src), "cid": _cid(like_src.mid)},
                    "createdAt": _fmt_x(like_src.created + timedelta(minutes=5)),
                },
                "cid": _cid("like"),
            },
        }
        lines.insert(len(lines) // 2 + 1, json.dumps(like, separators=(",", ":")))
        n_bad += 1
    pos = next(
        (
            i
            for i in range(len(lines) // 3, len(lines))
            if '"operation":"create","collection":"app.bsky.feed.post"' in lines[i]
        ),
        None,
    )
    if pos is not None:
        naive = json.loads(lines[pos])
        naive["commit"]["rkey"] = _tid(naive["time_us"] + 7)
        naive["commit"]["record"]["createdAt"] = naive["commit"]["record"]["createdAt"][:19]
        lines.insert(pos + 1, json.dumps(naive, ensure_ascii=False, separators=(",", ":")))
        n_bad += 1
    cut = 2 * len(lines) // 3
    lines.insert(cut, lines[cut][:57])  # a truncated event: not JSON
    n_bad += 1
    # split into files of ~1500 events; each file starts with the identity events of its DIDs
    files: dict[str, dict] = {}
    (out / "bluesky").mkdir(parents=True, exist_ok=True)
    size = -(-len(lines) // -(-len(lines) // 1500))  # ~1500 events a file, files of equal size
    chunks = [lines[i : i + size] for i in range(0, len(lines), size)]
    for n, chunk in enumerate(chunks, 1):
        dids: list[str] = []
        for line in chunk:
            for d in re.findall(r'"did":"(did:plc:[a-z2-7]+)"', line):
                if d not in dids and d in handles:
                    dids.append(d)
        t0 = int(w.start.timestamp()) * 1_000_000 if n == 1 else json.loads(chunk[0])["time_us"] - 1000
        ident = [
            json.dumps(
                {
                    "did": d,
                    "time_us": t0 + i,
                    "kind": "identity",
                    "identity": {"did": d, "handle": handles[d], "seq": 1000 + i, "time": _fmt_x(w.start)},
                },
                separators=(",", ":"),
            )
            for i, d in enumerate(sorted(dids))
        ]
        fname = f"bluesky/jetstream_{n}.jsonl"
        (out / fname).write_text("\n".join(ident + chunk) + "\n", encoding="utf-8")
        bad = sum(
            1
            for line in chunk
            if not _is_json(line) or '"app.bsky.feed.like"' in line or re.search(r'"createdAt":"[^"Z]*"', line)
        )
        files[fname] = {"format": "bluesky", "records_read": len(ident) + len(chunk), "records_quarantined": bad}
    assert sum(f["records_quarantined"] for f in files.values()) == n_bad
    return files
