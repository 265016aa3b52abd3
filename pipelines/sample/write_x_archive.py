"""An X/Twitter personal archive (``x_archive/<handle>/data/tweets.js`` and ``account.js``)."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.sample.model import _fmt_v11
from pipelines.sample.world import World


def _tweet(w: World, m) -> dict:
    mentions = []
    for handle, uid in w.handle_ids.items():
        start = m.text.lower().find("@" + handle)
        end = start + 1 + len(handle)
        if start >= 0 and (end == len(m.text) or not (m.text[end].isalnum() or m.text[end] == "_")):
            mentions.append(
                {
                    "name": w.users[uid]["name"],
                    "screen_name": w.users[uid]["username"],
                    "indices": [str(start), str(end)],
                    "id_str": uid,
                    "id": uid,
                }
            )
    tweet = {
        "edit_info": {
            "initial": {"editTweetIds": [m.native], "editableUntil": "", "editsRemaining": "5", "isEditEligible": True}
        },
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {
            "hashtags": [],
            "symbols": [],
            "user_mentions": sorted(mentions, key=lambda x: int(x["indices"][0])),
            "urls": [],
        },
        "display_text_range": ["0", str(len(m.text))],
        "favorite_count": "0",
        "id_str": m.native,
        "truncated": False,
        "retweet_count": "0",
        "id": m.native,
        "created_at": _fmt_v11(m.created),
        "favorited": False,
        "full_text": m.text,
        "lang": m.lang,
    }
    if m.parent:
        parent = w.msgs[m.parent]
        tweet.update(
            in_reply_to_status_id_str=parent.native,
            in_reply_to_status_id=parent.native,
            in_reply_to_user_id_str=parent.author,
            in_reply_to_user_id=parent.author,
            in_reply_to_screen_name=w.users[parent.author]["username"],
        )
    return {"tweet": tweet}


def write_x_archive(w: World, out: Path) -> dict[str, dict]:
    owner = w.archive_owner
    if owner is None:
        return {}
    mine = sorted((m for m in w.msgs.values() if m.author == owner.uid), key=lambda m: (m.created, m.mid), reverse=True)
    folder = out / "x_archive" / owner.handle / "data"
    folder.mkdir(parents=True, exist_ok=True)
    tweets = json.dumps([_tweet(w, m) for m in mine], ensure_ascii=False, indent=2)
    (folder / "tweets.js").write_text(f"window.YTD.tweets.part0 = {tweets}\n", encoding="utf-8")
    account = {
        "account": {
            "email": f"{owner.handle}@correo.example",
            "createdVia": "web",
            "username": owner.handle,
            "accountId": owner.uid,
            "createdAt": "2014-03-09T18:22:41.000Z",
            "accountDisplayName": owner.name,
        }
    }
    (folder / "account.js").write_text(
        "window.YTD.account.part0 = " + json.dumps([account], ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    base = f"x_archive/{owner.handle}/data/"
    return {
        base + "account.js": {"format": "x_archive", "records_read": 1, "records_quarantined": 0},
        base + "tweets.js": {"format": "x_archive", "records_read": len(mine), "records_quarantined": 0},
    }
