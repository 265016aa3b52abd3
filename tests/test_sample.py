"""The sample archive generator: determinism, truth consistency, planted edge cases.

The truth is re-derived here from the written files with a small independent reading of
docs/metrics.md (addressing from @mentions, aliases, replies and blog post ownership), so that the
planted labels and the texts/structure written agree.
"""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from pipelines.sample import SAMPLE_MARK, _generate, generate_sample

WP = "{http://wordpress.org/export/1.2/}"
DC = "{http://purl.org/dc/elements/1.1/}"
WINDOW = timedelta(days=7)
END = date(2026, 11, 1)
FORMAT_OF_FOLDER = {"x": "x_v2", "blog": "wxr", "twcs": "twcs", "bluesky": "bluesky", "facebook": "facebook_graph",
                    "disqus": "disqus", "x_archive": "x_archive"}

COMPLAINT = re.compile(r"no funciona|sin |desastre|fatal|terrible|broken|not working|cancel|worst|still waiting|still not|esperando|peor|roto|perdid|lost|retrasado|delay|bloquead|blocked|duplicado|double|charged|cobr|down|never|zero|cero|unacceptable|ridiculous|nothing works|crashing|no signal|vergonzoso|harta|p[eé]simo|verg[uü]enza|nadie", re.IGNORECASE)
QUESTION = re.compile(r"\?")
PRAISE = re.compile(r"gracias|genial|excelente|thanks|thank you|great|love|amazing|encanta|awesome|los mejores|contenta|para bien", re.IGNORECASE)
#: what a customer's text says once @handles and links are set aside
ASIDES = re.compile(r"@\w+|https?://\S+")
DEFLECTION = re.compile(r"\bDM\b|\bMD\b|mensaje (privado|directo)|direct message|llámanos|te llamamos|call us|give us a call|\b90[02] \d|\d-800-|escríbenos a|email us at|\S+@\S+\.example|https?://|visit (a|your nearest|any of our) stores?|visita una tienda|acércate a tu tienda|pásate por cualquier tienda", re.IGNORECASE)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    summary = generate_sample(out, brands=6, days=35, seed=7, messages=4000)
    assert summary["messages"] > 3000
    return out


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_sample(a, brands=3, days=20, seed=11, messages=1500)
    generate_sample(b, brands=3, days=20, seed=11, messages=1500)
    generate_sample(c, brands=3, days=20, seed=12, messages=1500)
    fa, fb, fc = _files(a), _files(b), _files(c)
    assert fa == fb
    assert fa["truth.json"] != fc["truth.json"]
    # re-running into the same folder replaces the sample (no stale pages)
    generate_sample(a, brands=3, days=20, seed=11, messages=600)
    written = json.loads((a / "truth.json").read_text())["files"]
    assert set(_files(a)) == set(written) | {"brands.yaml", "truth.json", SAMPLE_MARK} and set(written) != set(fa)
    # a sample made of replicas too, and a smaller one written over it leaves no replica behind
    d, e = tmp_path / "d", tmp_path / "e"
    _generate(d, 3, 10, 4, 1500, END, 500)
    _generate(e, 3, 10, 4, 1500, END, 500)
    fd = _files(d)
    assert fd == _files(e) and any("/r002/" in name for name in fd)
    generate_sample(d, brands=3, days=10, seed=4, messages=400)
    assert not any("/r00" in name for name in _files(d))


def test_summary_lines_shorten_a_long_brand_list() -> None:
    from pipelines.sample import summary_lines

    brands = [f"b{i}" for i in range(2004)]
    assert summary_lines({"brands": brands, "messages": 10076446}) == [
        "brands: 2,004: b0, b1, b2, b3, b4, b5, ... (brands.yaml has them all)",
        "messages: 10076446",
    ]
    # the default sample's six brands print whole
    assert summary_lines({"brands": brands[:6]}) == ["brands: ['b0', 'b1', 'b2', 'b3', 'b4', 'b5']"]


def test_small_and_single_brand_runs(tmp_path: Path) -> None:
    s = generate_sample(tmp_path / "one", brands=1, days=10, seed=1, messages=300)
    assert s["cases"] > 0 and s["brands"] == ["telvia"]
    s = generate_sample(tmp_path / "all", brands=12, days=14, seed=2, messages=3000)
    assert len(s["brands"]) == 12
    truth = json.loads((tmp_path / "all" / "truth.json").read_text())
    assert {c["brand_id"] for c in truth["cases"]} == set(s["brands"])


def test_default_size(tmp_path: Path) -> None:
    s = generate_sample(tmp_path)
    assert 18_000 <= s["messages"] <= 28_000 and s["records_read"] <= 30_000
    assert s["files_by_format"].keys() == {"x_v2", "wxr", "twcs", "bluesky", "facebook_graph", "disqus", "x_archive"}


# --------------------------------------------------------------------------------------------
# An independent reading of the written files
# --------------------------------------------------------------------------------------------


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).lower()


def _parse_dt(s: str) -> datetime | None:
    try:
        return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _read(root: Path) -> dict:
    registry = yaml.safe_load((root / "brands.yaml").read_text())["brands"]
    handle_brand = {h.lower(): b["id"] for b in registry for h in b["accounts"].get("x", [])}
    blog_brand = {a: b["id"] for b in registry for a in b["accounts"].get("blog", [])}
    alias_re = {b["id"]: [re.compile(r"(?<!\w)" + re.escape(_fold(a)) + r"(?!\w)") for a in b["aliases"]]
                for b in registry}
    msgs: dict[str, dict] = {}
    reposts: list[dict] = []
    read: dict[str, list[int]] = {}
    raw_ids: list[str] = []
    usernames: dict[str, str] = {}
    followers: dict[str, int] = {}
    for path in sorted((root / "x").rglob("*.json*")):
        pages = [json.loads(line) for line in path.read_text().splitlines()]  # a page, or JSON lines of pages
        for page in pages:
            for u in page["includes"]["users"]:
                usernames[u["id"]] = u["username"].lower()
                followers[u["id"]] = u["public_metrics"]["followers_count"]
        objs = [t for page in pages for t in page["data"] + page["includes"].get("tweets", [])]
        bad = 0
        for t in objs:
            created = _parse_dt(t.get("created_at"))
            if "id" not in t or "author_id" not in t or created is None:
                bad += 1
                continue
            raw_ids.append(t["id"])
            refs = {r["type"]: r["id"] for r in t.get("referenced_tweets", [])}
            m = {"mid": "x:" + t["id"], "platform": "x", "conv": "x:" + t["conversation_id"],
                 "parent": "x:" + refs["replied_to"] if "replied_to" in refs else None,
                 "author": t["author_id"], "created": created, "text": t["text"],
                 "mentions": [x["username"].lower() for x in t.get("entities", {}).get("mentions", [])]}
            if "retweeted" in refs:
                m["reposted"] = "x:" + refs["retweeted"]
                reposts.append(m)
            else:
                msgs[m["mid"]] = m
        read[str(path.relative_to(root))] = [len(objs), bad]
    for path in sorted((root / "blog").rglob("*.xml")):
        tree = ET.parse(path)
        n = bad = 0
        # WordPress ids are the site's: blog:<the channel link without scheme>:<id>
        blog = "blog:" + tree.getroot().find("channel").findtext("link").removeprefix("https://") + ":"
        for item in tree.getroot().iter("item"):
            n += 1
            pid = item.findtext(f"{WP}post_id")
            owner = blog_brand[item.findtext(f"{DC}creator")]
            created = datetime.strptime(item.findtext(f"{WP}post_date_gmt"), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            msgs[blog + pid] = {"mid": blog + pid, "platform": "blog", "conv": blog + pid, "parent": None,
                                   "author": item.findtext(f"{DC}creator"), "created": created,
                                   "text": item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded"),
                                   "mentions": [], "owner": owner}
            for c in item.findall(f"{WP}comment"):
                n += 1
                gmt = c.findtext(f"{WP}comment_date_gmt")
                if gmt.startswith("0000"):
                    bad += 1
                    continue
                parent = c.findtext(f"{WP}comment_parent")
                mid = blog + "c" + c.findtext(f"{WP}comment_id")
                msgs[mid] = {"mid": mid, "platform": "blog", "conv": blog + pid,
                             "parent": None if parent == "0" else blog + "c" + parent,
                             "author": c.findtext(f"{WP}comment_author"),
                             "created": datetime.strptime(gmt, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC),
                             "text": c.findtext(f"{WP}comment_content"), "mentions": [], "owner": owner}
        read[str(path.relative_to(root))] = [n, bad]
    _read_extra(root, registry, msgs, read)
    _read_x_archive(root, msgs, read)
    for m in list(msgs.values()) + reposts:
        if "brand" in m:
            continue
        if m["platform"] == "x":
            m["brand"] = handle_brand.get(usernames.get(m["author"], ""))
        else:
            m["brand"] = blog_brand.get(m["author"])
    for m in list(msgs.values()) + reposts:
        if m["brand"] is not None:
            m["addresses"] = set()
            continue
        a = {handle_brand[h] for h in m["mentions"] if h in handle_brand} | m.get("mention_brands", set())
        text = _fold(m["text"])
        a |= {b for b, res in alias_re.items() if any(r.search(text) for r in res)}
        p = msgs.get(m["parent"]) if m.get("parent") else None
        if p is not None and p["brand"] is not None:
            a.add(p["brand"])
        if m.get("owner"):
            a.add(m["owner"])
        m["addresses"] = a
    return {"registry": {b["id"]: b for b in registry}, "msgs": msgs, "reposts": reposts, "read": read,
            "raw_ids": raw_ids, "followers": followers}


def _read_extra(root: Path, registry: list[dict], msgs: dict[str, dict], read: dict[str, list[int]]) -> None:
    """twcs CSV, Bluesky Jetstream, Facebook Graph and Disqus files, read as docs/formats.md describes them."""
    import csv

    x_brand = {h.lower(): b["id"] for b in registry for h in b["accounts"].get("x", [])}
    bsky_brand = {h.lower(): b["id"] for b in registry for h in b["accounts"].get("bluesky", [])}
    fb_brand = {str(p): b["id"] for b in registry for p in b["accounts"].get("facebook", [])}
    blog_brand = {a: b["id"] for b in registry for a in b["accounts"].get("blog", [])}
    # twcs: conversation = topmost ancestor present
    for path in sorted((root / "twcs").rglob("*.csv")):
        rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
        bad = 0
        local: dict[str, dict] = {}
        for r in rows:
            try:
                created = datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
            except ValueError:
                created = None
            if created is None or not r["author_id"]:
                bad += 1
                continue
            parent = r["in_response_to_tweet_id"].split(".")[0]
            local["x:twcs:" + r["tweet_id"]] = {
                "mid": "x:twcs:" + r["tweet_id"], "platform": "x", "parent": "x:twcs:" + parent if parent else None,
                "author": r["author_id"], "created": created, "text": r["text"],
                "mentions": [h.lower() for h in re.findall(r"(?<![\w@])@(\w+)", r["text"])],
                "brand": x_brand.get(r["author_id"].lower())}
        for m in local.values():
            top = m
            while top["parent"] in local:
                top = local[top["parent"]]
            m["conv"] = top["mid"]
        msgs.update(local)
        read[str(path.relative_to(root))] = [len(rows), bad]
    # Bluesky Jetstream: identity events give handles; updates replace the text; deletes keep the post
    handles: dict[str, str] = {}
    events: list[tuple[str, dict]] = []
    for path in sorted((root / "bluesky").rglob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        bad = 0
        for line in lines:
            try:
                e = json.loads(line)
            except ValueError:
                bad += 1
                continue
            if e["kind"] == "identity":
                handles[e["did"]] = e["identity"]["handle"].lower()
                continue
            c = e["commit"]
            if c["collection"] != "app.bsky.feed.post" or (
                    c["operation"] != "delete" and not c["record"]["createdAt"].endswith("Z")):
                bad += 1
                continue
            events.append((path.name, e))
        read[str(path.relative_to(root))] = [len(lines), bad]
    for _name, e in events:
        c = e["commit"]
        mid = f"bluesky:{e['did']}/{c['rkey']}"
        if c["operation"] == "delete":
            assert mid in msgs  # a deleted post stays a message
            continue
        rec = c["record"]
        if c["operation"] == "update":
            msgs[mid]["text"] = rec["text"]
            continue

        def ref(uri: str) -> str:
            return "bluesky:" + uri.removeprefix("at://").replace("/app.bsky.feed.post/", "/")

        raw = rec["text"].encode("utf-8")
        mentions = []
        for f in rec.get("facets", []):
            covered = raw[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode("utf-8")
            assert covered.startswith("@")
            mentions += [handles[x["did"]] for x in f["features"] if x["did"] in handles]
        msgs[mid] = {"mid": mid, "platform": "bluesky", "conv": ref(rec["reply"]["root"]["uri"]) if "reply" in rec else mid,
                     "parent": ref(rec["reply"]["parent"]["uri"]) if "reply" in rec else None, "author": e["did"],
                     "created": datetime.fromisoformat(rec["createdAt"]), "text": rec["text"],
                     "mentions": mentions, "brand": bsky_brand.get(handles.get(e["did"], ""))}
    for m in msgs.values():
        if m["platform"] == "bluesky":
            m["mention_brands"] = {bsky_brand[h] for h in m["mentions"] if h in bsky_brand}
    # Facebook Graph: a post '<page>_<post>' is facebook:<post>, its comments share that conversation
    for path in sorted((root / "facebook").rglob("*.json")):
        page = json.loads(path.read_text(encoding="utf-8"))
        n = bad = 0
        for post in page["data"]:
            n += 1
            post_key = post["id"].split("_")[1]
            owner = fb_brand[post["from"]["id"]]
            conv = f"facebook:{post_key}"
            msgs[conv] = {"mid": conv, "platform": "facebook", "conv": conv, "parent": None,
                          "author": post["from"]["id"], "created": _parse_fb(post["created_time"]),
                          "text": post["message"], "mentions": [], "brand": owner}
            for c in post["comments"]["data"]:
                n += 1
                if "from" not in c or c.get("is_hidden"):
                    bad += 1
                    continue
                mid = "facebook:" + c["id"]
                msgs[mid] = {"mid": mid, "platform": "facebook", "conv": conv,
                             "parent": "facebook:" + c["parent"]["id"] if "parent" in c else conv,
                             "author": c["from"]["id"], "created": _parse_fb(c["created_time"]), "text": c["message"],
                             "mentions": [], "brand": fb_brand.get(c["from"]["id"]), "owner": owner}
        read[str(path.relative_to(root))] = [n, bad]
    # Disqus: threads are brand posts; authors by username, else display name
    ns = {"d": "http://disqus.com", "dsq": "http://disqus.com/disqus-internals"}
    dsq_id = "{http://disqus.com/disqus-internals}id"
    for path in sorted((root / "disqus").rglob("*.xml")):
        tree = ET.parse(path).getroot()
        n = bad = 0
        owners = {}
        for t in tree.findall("d:thread", ns):
            n += 1
            mid = "blog:disqus:t" + t.get(dsq_id)
            author = t.find("d:author/d:name", ns).text
            owners[mid] = blog_brand[author]
            msgs[mid] = {"mid": mid, "platform": "blog", "conv": mid, "parent": None, "author": author,
                         "created": datetime.fromisoformat(t.find("d:createdAt", ns).text),
                         "text": t.find("d:title", ns).text, "mentions": [], "brand": owners[mid]}
        for p in tree.findall("d:post", ns):
            n += 1
            if p.find("d:isDeleted", ns).text == "true" or p.find("d:isSpam", ns).text == "true":
                bad += 1
                continue
            conv = "blog:disqus:t" + p.find("d:thread", ns).get(dsq_id)
            parent = p.find("d:parent", ns)
            user = p.find("d:author/d:username", ns)
            author = user.text if user is not None else p.find("d:author/d:name", ns).text
            mid = "blog:disqus:" + p.get(dsq_id)
            msgs[mid] = {"mid": mid, "platform": "blog", "conv": conv,
                         "parent": "blog:disqus:" + parent.get(dsq_id) if parent is not None else conv,
                         "author": author, "text": re.sub(r"<[^>]+>", "", p.find("d:message", ns).text),
                         "created": datetime.fromisoformat(p.find("d:createdAt", ns).text),
                         "mentions": [], "brand": blog_brand.get(author) if user is None else None,
                         "owner": owners[conv]}
        read[str(path.relative_to(root))] = [n, bad]


def _read_x_archive(root: Path, msgs: dict[str, dict], read: dict[str, list[int]]) -> None:
    """X personal archives: the owner's posts (tweets.js), the owner from account.js beside it; a
    file whose content was read already is the same archive file (content-addressed)."""
    seen: set[bytes] = set()
    for path in sorted((root / "x_archive").rglob("*.js")):
        raw = path.read_bytes()
        items = json.loads(raw.decode("utf-8").split("=", 1)[1])
        if raw not in seen:
            read[str(path.relative_to(root))] = [len(items), 0]
            seen.add(raw)
        if path.name != "tweets.js":
            continue
        owner = json.loads((path.parent / "account.js").read_text(encoding="utf-8").split("=", 1)[1])[0]["account"]
        for t in sorted((i["tweet"] for i in items), key=lambda t: _parse_v11(t["created_at"])):
            mid = "x:" + t["id_str"]
            parent = "x:" + t["in_reply_to_status_id_str"] if "in_reply_to_status_id_str" in t else None
            msgs[mid] = {"mid": mid, "platform": "x", "conv": msgs[parent]["conv"] if parent in msgs else mid,
                         "parent": parent, "author": owner["accountId"], "created": _parse_v11(t["created_at"]),
                         "text": t["full_text"], "brand": None,
                         "mentions": [m["screen_name"].lower() for m in t["entities"]["user_mentions"]]}


def _parse_v11(s: str) -> datetime:
    return datetime.strptime(s, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)


def _parse_fb(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)


def _derive_cases(data: dict) -> dict[tuple, dict]:
    msgs = data["msgs"]
    cands: dict[tuple, list[dict]] = {}
    for m in msgs.values():
        if m["brand"] is None:
            for b in m["addresses"]:
                cands.setdefault((m["conv"], b, m["author"]), []).append(m)
        elif m["parent"] in msgs and msgs[m["parent"]]["brand"] is None:
            p = msgs[m["parent"]]
            cands.setdefault((m["conv"], m["brand"], p["author"]), []).append(p)
    out = {}
    for (conv, b, cust), cs in cands.items():
        opener = min(cs, key=lambda m: (m["created"], m["mid"]))
        replies = sorted((r for r in msgs.values() if r["brand"] == b and r["conv"] == conv and r["parent"] in msgs
                          and msgs[r["parent"]]["brand"] is None and msgs[r["parent"]]["author"] == cust
                          and opener["created"] <= r["created"] <= opener["created"] + WINDOW),
                         key=lambda r: (r["created"], r["mid"]))
        out[(conv, b, cust)] = {"opener": opener, "replies": replies}
    return out


@pytest.fixture(scope="module")
def derived(sample: Path) -> tuple[dict, dict, dict]:
    truth = json.loads((sample / "truth.json").read_text())
    data = _read(sample)
    return truth, data, _derive_cases(data)


def test_truth_matches_files(derived) -> None:
    _check_truth_matches_files(*derived)


def _check_truth_matches_files(truth: dict, data: dict, cases: dict) -> None:
    assert {k: v for k, v in truth["files"].items()} == {
        k: {"format": FORMAT_OF_FOLDER[k.split("/")[0]], "records_read": v[0], "records_quarantined": v[1]}
        for k, v in data["read"].items()}
    by_key = {(c["conversation_id"], c["brand_id"], c["customer_id"]): c for c in truth["cases"]}
    assert by_key.keys() == cases.keys()
    for key, c in by_key.items():
        d = cases[key]
        assert c["opened_message_id"] == d["opener"]["mid"]
        assert c["opened_at"] == d["opener"]["created"].strftime("%Y-%m-%dT%H:%M:%SZ")
        assert c["responded"] == bool(d["replies"])
        if d["replies"]:
            first = d["replies"][0]
            assert c["first_response_at"] == first["created"].strftime("%Y-%m-%dT%H:%M:%SZ")
            assert c["first_response_min"] == (first["created"] - d["opener"]["created"]).total_seconds() / 60
        assert c["deflected"] == any(DEFLECTION.search(r["text"]) for r in d["replies"]), (c, [r["text"] for r in d["replies"]])
        if c["platform"] == "x" and not c["opened_message_id"].startswith("x:twcs:"):
            assert c["author_followers"] == data["followers"].get(c["customer_id"])  # None: the archive owner
        else:
            assert c["author_followers"] is None
    horizon = max(m["created"] for m in data["msgs"].values())
    assert truth["data_horizon"] == horizon.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_mentions_match_files(derived) -> None:
    _check_mentions(derived[0], derived[1])


def _check_mentions(truth: dict, data: dict) -> None:
    counts: dict[tuple, int] = {}
    for m in data["msgs"].values():
        for b in m["addresses"] if m["brand"] is None else ():
            tz = ZoneInfo(data["registry"][b]["timezone"])
            period = m["created"].astimezone(tz).date().replace(day=1).isoformat()
            for pl in (m["platform"], "all"):
                counts[(b, pl, period)] = counts.get((b, pl, period), 0) + 1
    rows = {(r["brand_id"], r["platform"], r["period_start"]): r for r in truth["scorecards_monthly"]}
    assert {k: r["mentions"] for k, r in rows.items() if r["mentions"]} == counts


def test_intent_vocabulary(derived) -> None:
    truth, data, _ = derived
    for c in truth["cases"]:
        text = data["msgs"][c["opened_message_id"]]["text"]
        text = ASIDES.sub("", text)
        if c["intent"] == "complaint":
            assert COMPLAINT.search(text) and not QUESTION.search(text) and not PRAISE.search(text), text
        elif c["intent"] == "question":
            assert QUESTION.search(text) and not PRAISE.search(text), text
            assert not re.search(r"no funciona|desastre|fatal|terrible|broken|not working|cancel|worst", text, re.IGNORECASE), text
        elif c["intent"] == "praise":
            assert PRAISE.search(text) and not QUESTION.search(text), text
            assert not re.search(r"no funciona|desastre|fatal|terrible|broken|not working|cancel|worst", text, re.IGNORECASE), text
        else:
            assert not (QUESTION.search(text) or PRAISE.search(text) or re.search(r"desastre|fatal|terrible|not working|worst", text, re.IGNORECASE)), text


def test_truth_internal_consistency(sample: Path) -> None:
    truth = json.loads((sample / "truth.json").read_text())
    assert truth["response_window_days"] == 7
    assert truth["generator"] == {"brands": 6, "days": 35, "seed": 7, "messages": 4000, "end": "2026-11-01"}
    assert truth["data_horizon"] == "2026-10-31T23:58:00Z"
    cases = truth["cases"]
    registry = {b["id"]: b for b in yaml.safe_load((sample / "brands.yaml").read_text())["brands"]}
    groups: dict[tuple, list[dict]] = {}
    for c in cases:
        tz = ZoneInfo(registry[c["brand_id"]]["timezone"])
        opened = datetime.fromisoformat(c["opened_at"])
        period = opened.astimezone(tz).date().replace(day=1).isoformat()
        for pl in (c["platform"], "all"):
            groups.setdefault((c["brand_id"], pl, period), []).append(c)
        if c["responded"]:
            assert 0 <= c["first_response_min"] <= 7 * 24 * 60
        else:
            assert c["first_response_at"] is None and c["first_response_min"] is None and not c["deflected"]
    for r in truth["scorecards_monthly"]:
        cs = groups.get((r["brand_id"], r["platform"], r["period_start"]), [])
        act = [c for c in cs if c["intent"] in ("complaint", "question")]
        resp = [c for c in act if c["responded"]]
        assert r["cases"] == len(cs)
        assert r["actionable_cases"] == len(act)
        assert r["responded_cases"] == len(resp) <= r["actionable_cases"] <= r["cases"]
        assert r["response_rate"] == (len(resp) / len(act) if act else None)
        med = statistics.median([c["first_response_min"] for c in resp]) if resp else None
        assert r["median_first_response_min"] == med
        assert r["deflection_rate"] == (sum(c["deflected"] for c in resp) / len(resp) if resp else None)
        off = [c for c in act if c["off_hours"]]
        assert r["off_hours_response_rate"] == (sum(c["responded"] for c in off) / len(off) if off else None)
    assert set(groups) <= {(r["brand_id"], r["platform"], r["period_start"]) for r in truth["scorecards_monthly"]}


def test_off_hours_and_business_only(derived) -> None:
    truth, data, _ = derived
    reg = data["registry"]

    def is_open(b: dict, dt: datetime) -> bool:
        hours = b.get("business_hours")
        if not hours:
            return True
        local = dt.astimezone(ZoneInfo(b["timezone"]))
        if local.date().isoformat() in b["holidays"]:
            return False
        days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        minute = local.hour * 60 + local.minute + local.second / 60
        for key, spans in hours.items():
            a, _, z = key.partition("-")
            if not days.index(a) <= local.weekday() <= days.index(z or a):
                continue
            for span in spans.split(","):
                s, e = span.split("-")
                if int(s[:2]) * 60 + int(s[3:]) <= minute < int(e[:2]) * 60 + int(e[3:]):
                    return True
        return False

    for c in truth["cases"]:
        opened = datetime.fromisoformat(c["opened_at"])
        assert c["off_hours"] == (not is_open(reg[c["brand_id"]], opened))
    # banco_pinar answers only in business hours (apart from the planted 7-day edge replies)
    late = [m for m in data["msgs"].values() if m["brand"] == "banco_pinar" and m["parent"]
            and not is_open(reg["banco_pinar"], m["created"])]
    assert len(late) <= 2
    assert any(c["off_hours"] and c["responded"] for c in truth["cases"] if c["brand_id"] == "banco_pinar")
    # a holiday inside the data range, and a brand with no business hours
    assert "2026-10-12" in reg["telvia"]["holidays"] and "business_hours" not in reg["aerosol"]
    assert any(c["off_hours"] and c["opened_at"].startswith("2026-10-12T1") for c in truth["cases"]
               if c["brand_id"] == "telvia")
    assert not any(c["off_hours"] for c in truth["cases"] if c["brand_id"] == "aerosol")


def test_planted_edge_cases(sample: Path, derived) -> None:
    truth, data, cases = derived
    msgs = data["msgs"]
    tc = truth["cases"]
    # exact duplicates and malformed records
    raw = [t for p in sorted((sample / "x").glob("*.json")) for t in json.loads(p.read_text())["data"]]
    ids = [t["id"] for t in raw if "id" in t]
    dups = {i for i in ids if ids.count(i) > 1}
    assert len(dups) >= 2
    for i in dups:
        copies = [json.dumps(t, sort_keys=True) for t in raw if t.get("id") == i]
        assert len(set(copies)) == 1  # exact duplicates
    assert any("id" not in t for t in raw)
    assert any(t.get("created_at") == "not-a-date" for t in raw)
    assert any("id" in t and "author_id" not in t for t in raw)
    assert sum(v["records_quarantined"] for v in truth["files"].values()) >= 4
    assert all(v["records_quarantined"] >= 1 for k, v in truth["files"].items() if k.startswith("blog/"))
    assert len([k for k in truth["files"] if k.startswith("blog/")]) >= 2
    # retweets: never cases, never messages
    assert data["reposts"] and all(r["text"].startswith("RT @") for r in data["reposts"])
    assert not {r["mid"] for r in data["reposts"]} & {c["opened_message_id"] for c in tc}
    assert sum(r.get("amplification", 0) for r in truth["scorecards_monthly"] if r["platform"] == "all") >= len(data["reposts"]) - 2
    # two brands in one tweet: two cases
    openers: dict[str, set] = {}
    for c in tc:
        openers.setdefault(c["opened_message_id"], set()).add(c["brand_id"])
    assert any(len(v) == 2 for v in openers.values())
    # several customers under one brand post
    per_conv: dict[tuple, int] = {}
    for c in tc:
        if c["platform"] == "x" and msgs[c["conversation_id"]]["brand"] is not None:
            per_conv[(c["conversation_id"], c["brand_id"])] = per_conv.get((c["conversation_id"], c["brand_id"]), 0) + 1
    assert max(per_conv.values()) >= 2
    # tweets naming no brand answered by the brand: cases, not mentions
    assert any(not msgs[c["opened_message_id"]]["addresses"] and c["responded"] for c in tc)
    # tweetstorms: a customer replying to their own tweet inside a case
    assert any(m["parent"] in msgs and msgs[m["parent"]]["author"] == m["author"] and m["brand"] is None
               and not m["addresses"] for m in msgs.values())
    # follow-ups after brand replies
    assert any(m["brand"] is None and m["parent"] in msgs and msgs[m["parent"]]["brand"] for m in msgs.values()
               if m["platform"] == "x")
    assert any(m["brand"] is None and m["parent"] in msgs and msgs[m["parent"]]["brand"] for m in msgs.values()
               if m["platform"] == "blog")
    # 7-day window: a reply at exactly 7 days counts, later replies do not
    assert any(c["first_response_min"] == 7 * 24 * 60 for c in tc)
    late = 0
    for (conv, b, _cust), d in cases.items():
        opened = d["opener"]["created"]
        if not d["replies"] and any(m["brand"] == b and m["conv"] == conv and m["created"] > opened + WINDOW
                                    for m in msgs.values()):
            late += 1
    assert late >= 3
    # replies after midnight, days later
    assert any(c["responded"] and c["first_response_min"] > 24 * 60 for c in tc)
    # canned replies with agent sign-offs, reused
    texts = [m["text"].split(" ", 1)[1] for m in msgs.values() if m["platform"] == "x" and m["brand"] and m["parent"]]
    assert any(re.search(r" (\^[A-Z]{2}|-[A-Z][a-z]+|\*[A-Z]{2})$", t) for t in texts)
    assert max(texts.count(t) for t in set(texts)) >= 10
    # deflection and in-channel replies both present
    assert any(DEFLECTION.search(t) for t in texts) and any(not DEFLECTION.search(t) for t in texts)
    # follower bands: equity computable, and lumena favours large accounts
    eq = {(r["brand_id"], r["period_start"]): r["equity_index"] for r in truth["scorecards_monthly"] if r["platform"] == "all"}
    assert any(v is not None for v in eq.values())
    assert any(v is not None and v < 0.6 for (b, _), v in eq.items() if b == "lumena")
    bands = {0, 1, 2, 3, 4}
    seen = {sum(c["author_followers"] >= e for e in (100, 1000, 10_000, 100_000)) for c in tc if c["author_followers"]}
    assert seen == bands


def test_x_page_shape(sample: Path) -> None:
    series: dict[str, list[Path]] = {}
    for p in sorted((sample / "x").glob("search_*.json")):
        series.setdefault(p.stem.rsplit("_", 1)[0], []).append(p)
    assert "search_all" in series and len(series) >= 7
    for pages in series.values():
        for n, p in enumerate(pages):
            page = json.loads(p.read_text())
            assert set(page) == {"data", "includes", "meta"}
            assert page["meta"]["result_count"] == len(page["data"]) <= 110
            assert ("next_token" in page["meta"]) == (n < len(pages) - 1)
            valid = [t for t in page["data"] if "id" in t and _parse_dt(t["created_at"])]
            times = [t["created_at"] for t in valid]
            assert times == sorted(times, reverse=True)
            authors = {t["author_id"] for t in page["data"] + page["includes"].get("tweets", []) if "author_id" in t}
            assert authors <= {u["id"] for u in page["includes"]["users"]}
            for t in valid:
                assert t["edit_history_tweet_ids"] == [t["id"]]
                assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", t["created_at"])
                assert t["lang"] in ("es", "en")
                for m in t.get("entities", {}).get("mentions", []):
                    assert t["text"][m["start"]:m["end"]] == "@" + m["username"]
                if any(r["type"] == "replied_to" for r in t.get("referenced_tweets", [])):
                    assert "in_reply_to_user_id" in t


def test_independent_of_hash_seed(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from pipelines.sample import generate_sample; "
            "generate_sample(Path(sys.argv[1]), brands=4, days=12, seed=3, messages=1200)")
    for n in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": n}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / n)], check=True, env=env,
                       cwd=Path(__file__).resolve().parents[1])
    assert _files(tmp_path / "1") == _files(tmp_path / "2")


# --------------------------------------------------------------------------------------------
# Business minutes, resolution, recovery, canned replies (docs/metrics.md), re-derived from the files
# --------------------------------------------------------------------------------------------

NEGATIVE = re.compile(r"no funciona|no ha llegado|desastre|fatal|terrible|broken|not working|cancel|worst|still waiting|still not|sigue sin|sigo igual|sigo esperando|horas esperando|peor|joke|frustrating|unacceptable|ridiculous|nothing works|crashing|no signal|vergonzoso|harta|p[eé]simo|verg[uü]enza|nadie|sin (internet|servicio|cobertura)", re.IGNORECASE)
POSITIVE = re.compile(r"gracias|thanks|thank you|solucionado|fixed|genial|great|amazing|perfecto", re.IGNORECASE)


def _utc(s: str) -> datetime:
    return datetime.fromisoformat(s)


def _open_checker(b: dict):
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    tz = ZoneInfo(b["timezone"])
    spans: dict[int, list[tuple[int, int]]] = {i: [] for i in range(7)}
    for key, value in (b.get("business_hours") or {}).items():
        a, _, z = key.partition("-")
        for d in range(days.index(a), days.index(z or a) + 1):
            for span in value.split(","):
                s, e = span.split("-")
                spans[d].append((int(s[:2]) * 60 + int(s[3:]), int(e[:2]) * 60 + int(e[3:])))

    def is_open(dt: datetime) -> bool:
        if not b.get("business_hours"):
            return True
        local = dt.astimezone(tz)
        if local.date().isoformat() in b["holidays"]:
            return False
        minute = local.hour * 60 + local.minute
        return any(s <= minute < e for s, e in spans[local.weekday()])

    return is_open


def test_business_minutes_minute_by_minute(derived) -> None:
    """first_response_business_min: open seconds of [opened_at, first_response_at), counted per minute slot."""
    truth, data, _ = derived
    checkers = {b: _open_checker(r) for b, r in data["registry"].items()}
    responded = [c for c in truth["cases"] if c["responded"]]
    long_ones = [c for c in responded if c["first_response_min"] > 1440]
    chosen = [c for c in responded if c["first_response_min"] <= 1440] + long_ones[::max(1, len(long_ones) // 40)]
    assert len(chosen) > 1000 and len(long_ones) > 20
    for c in chosen:
        a, b = _utc(c["opened_at"]), _utc(c["first_response_at"])
        is_open = checkers[c["brand_id"]]
        t, seconds = a, 0
        while t < b:
            nxt = min(b, t.replace(second=0) + timedelta(minutes=1))
            if is_open(t):
                seconds += (nxt - t).total_seconds()
            t = nxt
        assert c["first_response_business_min"] == seconds / 60, c
        if not data["registry"][c["brand_id"]].get("business_hours"):
            assert c["first_response_business_min"] == c["first_response_min"]
    # closed nights and weekends make business time shorter for some cases, equal for others
    pinar = [c for c in responded if c["brand_id"] == "banco_pinar"]
    assert any(c["first_response_business_min"] < c["first_response_min"] - 60 for c in pinar)
    assert any(c["first_response_business_min"] == c["first_response_min"] for c in pinar)
    assert any(c["first_response_business_min"] == 0 and c["first_response_min"] > 0 for c in responded)
    for c in truth["cases"]:
        if not c["responded"]:
            assert c["first_response_business_min"] is None


def test_resolution_and_recovery_from_files(derived) -> None:
    truth, data, cases = derived
    msgs = data["msgs"]
    by_author: dict[tuple, list[dict]] = {}
    for m in msgs.values():
        if m["brand"] is None:
            by_author.setdefault((m["conv"], m["author"]), []).append(m)
    outcomes: dict[str, int] = {}
    for c in truth["cases"]:
        d = cases[(c["conversation_id"], c["brand_id"], c["customer_id"])]
        opener_text = ASIDES.sub("", d["opener"]["text"])
        negative_opening = bool(NEGATIVE.search(opener_text)) and not PRAISE.search(opener_text)
        assert (c["opening_sentiment"] == "negative") == (c["intent"] == "complaint") == negative_opening, c
        assert c["opening_sentiment"] == {"complaint": "negative", "praise": "positive"}.get(c["intent"], "neutral")
        last = None
        if d["replies"]:
            first = d["replies"][0]["created"]
            later = [m for m in by_author.get((c["conversation_id"], c["customer_id"]), []) if m["created"] > first]
            last = max(later, key=lambda m: (m["created"], m["mid"])) if later else None
        text = ASIDES.sub("", last["text"]) if last else ""
        resolved = last is not None and bool(POSITIVE.search(text))
        recovered = negative_opening and last is not None and not NEGATIVE.search(text)
        assert c["resolved"] == resolved, (c, text)
        assert c["recovered"] == recovered, (c, text)
        if c["responded"]:
            kind = "none" if last is None else "positive" if resolved else "negative" if NEGATIVE.search(text) else "neutral"
            outcomes[kind] = outcomes.get(kind, 0) + 1
        else:
            assert not c["resolved"] and not c["recovered"]
    # every outcome planted: thanks, still negative, neutral ("ok, lo reviso"), no follow-up at all
    assert all(outcomes.get(k, 0) >= 20 for k in ("none", "positive", "negative", "neutral")), outcomes
    assert any(c["recovered"] and not c["resolved"] for c in truth["cases"])
    assert any(c["resolved"] and c["recovered"] for c in truth["cases"])
    # a last word that overrides an earlier one (still negative, then thanks after a second reply)
    overridden = 0
    for c in truth["cases"]:
        if c["resolved"]:
            later = [m for m in by_author.get((c["conversation_id"], c["customer_id"]), [])
                     if m["created"] > _utc(c["first_response_at"])]
            if any(NEGATIVE.search(ASIDES.sub("", m["text"])) for m in later):
                overridden += 1
    assert overridden >= 3


_SIGNOFF = (re.compile(r"\s*[\^*]\s?[A-Za-z]{1,3}\s*$"),
            re.compile(r"\s*[-~]\s?(?:[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+|[A-Z]{1,3})\s*$"))


def _canned_words(text: str) -> frozenset:
    for rx in _SIGNOFF:
        if rx.search(text):
            text = rx.sub("", text, count=1)
            break
    text = _fold(text)
    text = re.sub(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", " ", text)
    text = re.sub(r"https?://\S+|www\.\S+", " ", text)
    text = re.sub(r"@\w+", " ", text)
    text = re.sub(r"\d+", " ", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    return frozenset(text.split())


def test_canned_replies_from_files(derived) -> None:
    truth, data, cases = derived
    msgs = data["msgs"]
    reg = data["registry"]

    def month(b: str, dt: datetime) -> str:
        return dt.astimezone(ZoneInfo(reg[b]["timezone"])).date().replace(day=1).isoformat()

    case_keys = set(cases)
    replies: dict[tuple, list[dict]] = {}
    for m in msgs.values():
        p = msgs.get(m["parent"]) if m["brand"] and m["parent"] else None
        if p is not None and p["brand"] is None:
            assert (m["conv"], m["brand"], p["author"]) in case_keys
            replies.setdefault((m["brand"], month(m["brand"], m["created"])), []).append(m)
    counts: dict[tuple, list[int]] = {}
    kinds = {"canned": 0, "empty": 0, "personal": 0}
    for (b, period), rs in replies.items():
        words = [_canned_words(r["text"]) for r in rs]
        for r, w in zip(rs, words, strict=True):
            similar = sum(1 for o in words if w and o and len(w & o) / len(w | o) >= 0.8)
            canned = bool(w) and similar >= 3
            kinds["canned" if canned else "empty" if not w else "personal"] += 1
            for pl in (r["platform"], "all"):
                n = counts.setdefault((b, pl, period), [0, 0])
                n[0] += 1
                n[1] += canned
    assert kinds["canned"] > 400 and kinds["personal"] > 300 and kinds["empty"] >= 3, kinds
    rows = {(r["brand_id"], r["platform"], r["period_start"]): r for r in truth["scorecards_monthly"]}
    assert set(counts) <= set(rows)  # every brand reply falls in a row
    for key, r in rows.items():
        n, canned = counts.get(key, (0, 0))
        assert r["brand_replies"] == n, key
        assert r["canned_reply_share"] == (canned / n if n else None), key
    # sign-off variants are planted: ^JK and ^ JK, -Becky, - Becky and ~Becky, *AB
    texts = [m["text"] for rs in replies.values() for m in rs]
    for pattern in (r" \^[A-Z]{2}$", r" \^ [A-Z]{2}$", r" -[A-Z][a-z]+$", r" - [A-Z][a-z]+$", r" ~ ?[A-Z][a-z]+$", r" \*[A-Z]{2}$"):
        assert any(re.search(pattern, t) for t in texts), pattern
    # canned templates with a case number that differs reply to reply
    assert any(re.search(r"(incidencia|case) \d{5,6}\.", t) for t in texts)


def test_new_monthly_fields_consistent(sample: Path) -> None:
    truth = json.loads((sample / "truth.json").read_text())
    registry = {b["id"]: b for b in yaml.safe_load((sample / "brands.yaml").read_text())["brands"]}
    groups: dict[tuple, list[dict]] = {}
    for c in truth["cases"]:
        tz = ZoneInfo(registry[c["brand_id"]]["timezone"])
        period = _utc(c["opened_at"]).astimezone(tz).date().replace(day=1).isoformat()
        for pl in ({"x": "x"}.get(c["platform"], c["platform"]), "all"):
            groups.setdefault((c["brand_id"], pl, period), []).append(c)
        if c["responded"]:
            assert 0 <= c["first_response_business_min"] <= c["first_response_min"]
        if c["recovered"]:
            assert c["opening_sentiment"] == "negative" and c["responded"]
        if c["resolved"]:
            assert c["responded"]
    for r in truth["scorecards_monthly"]:
        cs = groups.get((r["brand_id"], r["platform"], r["period_start"]), [])
        act = [c for c in cs if c["intent"] in ("complaint", "question")]
        resp = [c for c in act if c["responded"]]
        neg = [c for c in resp if c["opening_sentiment"] == "negative"]
        sla = registry[r["brand_id"]]["sla_minutes"]
        assert r["median_first_response_business_min"] == (
            statistics.median([c["first_response_business_min"] for c in resp]) if resp else None)
        assert r["sla_met_rate"] == (sum(c["first_response_min"] <= sla for c in resp) / len(act) if act else None)
        assert r["resolution_rate"] == (sum(c["resolved"] for c in resp) / len(resp) if resp else None)
        assert r["recovery_rate"] == (sum(c["recovered"] for c in neg) / len(neg) if neg else None)
        assert (r["canned_reply_share"] is None) == (r["brand_replies"] == 0)
    # the planted behaviour shows: orbilink answers within its 30-minute SLA far more often than kestrel_mart
    sla = {(r["brand_id"], r["period_start"]): r["sla_met_rate"] for r in truth["scorecards_monthly"]
           if r["platform"] == "all" and r["sla_met_rate"] is not None}
    assert min(v for (b, _), v in sla.items() if b == "orbilink") > max(v for (b, _), v in sla.items() if b == "kestrel_mart")


def test_extra_formats(sample: Path, derived) -> None:
    """twcs, Bluesky, Facebook and Disqus files: shapes, planted edge cases, their cases and rows."""
    truth, data, _ = derived
    registry = data["registry"]
    files = truth["files"]
    for fmt, folder in (("twcs", "twcs"), ("bluesky", "bluesky"), ("facebook_graph", "facebook"), ("disqus", "disqus")):
        mine = {k: v for k, v in files.items() if k.startswith(folder + "/")}
        assert mine and all(v["format"] == fmt for v in mine.values()), fmt
        assert sum(v["records_quarantined"] for v in mine.values()) >= 2, fmt
    # brand accounts of the new formats are in the registry
    assert "TelviaSupport" in registry["telvia"]["accounts"]["x"]
    assert registry["telvia"]["accounts"]["bluesky"] == ["telvia.bsky.social"]
    assert registry["banco_pinar"]["accounts"]["facebook"] and "Orbilink Team" in registry["orbilink"]["accounts"]["blog"]
    # twcs: v1.1 dates, customers as numbers, parents written as floats, a text spanning two lines
    raw = (sample / "twcs" / "twcs_telvia.csv").read_text(encoding="utf-8")
    assert raw.startswith("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n")
    assert re.search(r",\d+\.0\n", raw) and re.search(r",\d+\n", raw)
    assert re.search(r",TelviaSupport,False,[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \+0000 2026,\"@\d+ ", raw)
    assert "not-a-date" in raw and re.search(r"\n\d+,,(True|False),", raw)  # no date, no author
    msgs = data["msgs"]
    assert any(m["mid"].startswith("x:twcs:") and "\n" in m["text"] for m in msgs.values())
    # Bluesky: identity events, facets, an edit (update), deletes, a like, a bad line
    events = [line for p in sorted((sample / "bluesky").glob("*.jsonl")) for line in p.read_text().splitlines()]
    for needle in ('"kind":"identity"', '"operation":"update"', '"operation":"delete"', '"app.bsky.feed.like"',
                   '"app.bsky.richtext.facet#mention"', '"reply":{"root"'):
        assert any(needle in e for e in events), needle
    # Facebook: posts with comments, replies with parent, a comment without from, a hidden one
    pages = [json.loads(p.read_text()) for p in sorted((sample / "facebook").glob("*.json"))]
    comments = [c for pg in pages for post in pg["data"] for c in post["comments"]["data"]]
    assert any("parent" in c for c in comments) and any("from" not in c for c in comments)
    assert any(c.get("is_hidden") for c in comments)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", c["created_time"]) for c in comments)
    # Disqus: anonymous guests, usernames, nested replies, deleted and spam posts
    xml = "".join(p.read_text() for p in sorted((sample / "disqus").glob("*.xml")))
    for needle in ("<isAnonymous>true</isAnonymous>", "<username>", "<parent dsq:id=", "<isDeleted>true</isDeleted>",
                   "<isSpam>true</isSpam>"):
        assert needle in xml, needle
    # their cases: platform x (twcs), bluesky, facebook, blog (disqus); followers unknown
    fams = {"x:twcs:": "x", "bluesky:": "bluesky", "facebook:": "facebook", "blog:disqus:": "blog"}
    for prefix, platform in fams.items():
        cs = [c for c in truth["cases"] if c["opened_message_id"].startswith(prefix)]
        assert len(cs) >= 30 and all(c["platform"] == platform and c["author_followers"] is None for c in cs), prefix
        assert any(c["responded"] for c in cs) and any(c["resolved"] for c in cs) and any(not c["responded"] for c in cs)
    platforms = {r["platform"] for r in truth["scorecards_monthly"]}
    assert platforms == {"all", "x", "blog", "bluesky", "facebook"}
    # an X personal archive: its owner's cases (no follower count: the owner is in no API page)
    archive = {"x:" + item["tweet"]["id_str"] for p in sample.glob("x_archive/*/data/tweets.js")
               for item in json.loads(p.read_text(encoding="utf-8").split("=", 1)[1])}
    cs = [c for c in truth["cases"] if c["opened_message_id"] in archive]
    assert len(cs) >= 10 and all(c["platform"] == "x" and c["author_followers"] is None for c in cs)
    assert any(c["responded"] for c in cs) and any(not c["responded"] for c in cs)
    # several customers under one Facebook post and one Disqus thread
    per_conv: dict[str, int] = {}
    for c in truth["cases"]:
        per_conv[c["conversation_id"]] = per_conv.get(c["conversation_id"], 0) + 1
    assert max(v for k, v in per_conv.items() if k.startswith("facebook:")) >= 3
    assert max(v for k, v in per_conv.items() if k.startswith("blog:disqus:t")) >= 3


# --------------------------------------------------------------------------------------------
# Replicas: a large sample made of renamed copies of a small one (pipelines.sample.replicate)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replicated(tmp_path_factory) -> Path:
    """About 3,600 messages as 3 replicas of a 1,200-message base of 6 brands (as 10 million
    messages are 334 replicas of a 30,000-message base)."""
    out = tmp_path_factory.mktemp("replicated")
    summary = _generate(out, 6, 14, 5, 3600, END, 1200)
    assert summary["replicas"] == 3 and len(summary["brands"]) == 18
    return out


def test_replicated_truth_matches_files(replicated: Path) -> None:
    """The same independent reading of the files as for a plain sample: every replica's cases,
    mentions and file counts are what truth.json says."""
    truth = json.loads((replicated / "truth.json").read_text())
    data = _read(replicated)
    assert len(data["registry"]) == 18 and any("/r002/" in name for name in data["read"])
    _check_truth_matches_files(truth, data, _derive_cases(data))
    _check_mentions(truth, data)


def _source_brand(brand_id: str, base: list[str]) -> tuple[str, int]:
    """The base brand a replica brand renames, and the replica number (three digits in place of
    three letters of the brand's name)."""
    for b in base:
        diff = [i for i, (x, y) in enumerate(zip(brand_id, b, strict=False)) if x != y]
        if len(b) == len(brand_id) and len(diff) <= 3 and all(brand_id[i].isdigit() for i in diff):
            digits = re.search(r"\d{3}", brand_id)
            return b, int(digits.group()) if digits and diff else 0
    raise AssertionError(f"{brand_id} renames no base brand")


def _unshifted(message_id: str) -> str:
    """An id with its replica fields as in the base: decimal ids end in 000, atproto keys in 22."""
    if message_id.startswith("bluesky:"):
        return re.sub(r"([a-z2-7]{11})[a-z2-7]{2}(?=/|$)", r"\g<1>22", message_id)
    return re.sub(r"(\d{4,})\d{3}(?!\d)", r"\g<1>000", message_id)


def test_replica_truth_is_the_source_truth_renamed(replicated: Path) -> None:
    truth = json.loads((replicated / "truth.json").read_text())
    registry = yaml.safe_load((replicated / "brands.yaml").read_text())["brands"]
    base = [b["id"] for b in registry[:6]]
    by_replica: dict[int, dict[str, list]] = {}
    for c in truth["cases"]:
        source, k = _source_brand(c["brand_id"], base)

        def unrenamed(message_id: str, brand: str = c["brand_id"], source: str = source) -> str:
            # a blog's ids hold its site, <brand id without '_'>.example/blog: renamed with the brand
            return _unshifted(message_id).replace(brand.replace("_", ""), source.replace("_", ""))

        key = dict(c, brand_id=source, opened_message_id=unrenamed(c["opened_message_id"]),
                   conversation_id=unrenamed(c["conversation_id"]))
        by_replica.setdefault(k, {"cases": [], "ids": set(), "rows": []})["cases"].append(json.dumps(key, sort_keys=True))
        by_replica[k]["ids"].add(c["opened_message_id"])
    for r in truth["scorecards_monthly"]:
        source, k = _source_brand(r["brand_id"], base)
        by_replica[k]["rows"].append(json.dumps(dict(r, brand_id=source), sort_keys=True))
    assert sorted(by_replica) == [0, 1, 2]
    for k in (1, 2):
        assert sorted(by_replica[k]["cases"]) == sorted(by_replica[0]["cases"]), k
        assert sorted(by_replica[k]["rows"]) == sorted(by_replica[0]["rows"]), k
        assert not by_replica[k]["ids"] & by_replica[0]["ids"]  # other messages, same behaviour
    # the replica's registry entries: the base's with renamed accounts and the same calendars
    for entry in registry[6:]:
        source = next(b for b in registry[:6] if b["id"] == _source_brand(entry["id"], base)[0])
        assert {k: v for k, v in entry.items() if k not in ("id", "name", "accounts", "aliases")} == \
            {k: v for k, v in source.items() if k not in ("id", "name", "accounts", "aliases")}
        assert len(entry["aliases"]) == len(source["aliases"]) and entry["aliases"] != source["aliases"]
    # a replica's files hold what its source's files hold (X pages of a series in one file; the
    # archive owner's account.js, the same in every replica, is one archive file, copied beside
    # each replica's tweets.js)
    files = {n: f for n, f in truth["files"].items() if not n.endswith("/account.js")}
    accounts = sorted(replicated.glob("x_archive/**/account.js"))
    assert len(accounts) == 3 and len({p.read_bytes() for p in accounts}) == 1
    for k in (1, 2):
        mine = {n: f for n, f in files.items() if f"/r{k:03d}/" in n}
        base_files = {n: f for n, f in files.items() if "/r0" not in n}
        for fmt in ("x_v2", "wxr", "twcs", "bluesky", "facebook_graph", "disqus", "x_archive"):
            assert sum(f["records_read"] for f in mine.values() if f["format"] == fmt) == \
                sum(f["records_read"] for f in base_files.values() if f["format"] == fmt) > 0, fmt


def test_replicated_sample_ingests_as_truth_says(replicated: Path, settings) -> None:
    """The pipeline's own readers (real ingest) read, load and quarantine what truth.json says,
    file by file, replicas included."""
    from pipelines import ingest

    records = ingest.ingest([str(p) for p in sorted(replicated.iterdir()) if p.is_dir()], settings)
    got = {str(Path(r.source).relative_to(replicated)): (r.status, r.format, r.records_read, r.records_quarantined)
           for r in records}
    truth = json.loads((replicated / "truth.json").read_text())
    assert got == {name: ("loaded", f["format"], f["records_read"], f["records_quarantined"])
                   for name, f in truth["files"].items()}
