"""The analyst baseline (issue 8): brand x day cases, responded_cases and median_first_response_min
in plain pandas, as a notebook would compute them: json.load every page, DataFrames, merges.

Same scope and rules as benchmarks/floor.sql (X API v2 pages only; read its header), written
independently of it and of the pipeline.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pandas as pd


def _fold(text: str) -> str:
    """Lower case, accents removed, every run of non-word characters one space, padded."""
    text = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")
    return " " + re.sub(r"\W+", " ", text).strip() + " "


def brand_days(sample_dir: Path, brands: list[dict], window_days: int = 7) -> pd.DataFrame:
    """One row per brand and local day of opening: cases, responded_cases, median_first_response_min,
    from the JSON files of the archive folders below ``sample_dir``."""
    pages = []
    folders = [folder for folder in Path(sample_dir).iterdir() if folder.is_dir()]
    for path in sorted(p for folder in folders for p in folder.rglob("*.json*") if p.suffix in (".json", ".jsonl")):
        text = path.read_text(encoding="utf-8")
        for chunk in text.splitlines() if path.suffix == ".jsonl" else [text]:
            try:
                page = json.loads(chunk)
            except json.JSONDecodeError:  # a truncated line (Bluesky's sample has one) is not X
                continue
            if isinstance(page, dict) and "meta" in page and "paging" not in page:
                pages.append(page)
    raw = pd.DataFrame([t for p in pages for t in p.get("data", []) + p.get("includes", {}).get("tweets", [])])
    users = pd.DataFrame([u for p in pages for u in p.get("includes", {}).get("users", [])])
    handles = users.groupby("id")["username"].last().str.lower()

    refs = raw["referenced_tweets"].apply(lambda r: {x["type"]: x["id"] for x in r} if isinstance(r, list) else {})
    tweets = pd.DataFrame({
        "message_id": raw["edit_history_tweet_ids"].apply(lambda e: e[0] if isinstance(e, list) and e else None)
        .fillna(raw["id"]),
        "id": raw["id"],
        "author_id": raw["author_id"],
        "created_at": pd.to_datetime(raw["created_at"], utc=True, errors="coerce", format="ISO8601"),
        "conversation_id": raw["conversation_id"],
        "in_reply_to_user_id": raw.get("in_reply_to_user_id"),
        "text": raw["text"],
        "parent_id": refs.apply(lambda r: r.get("replied_to")),
        "quoted_id": refs.apply(lambda r: r.get("quoted")),
        "retweet": refs.apply(lambda r: "retweeted" in r),
        "mentions": raw["entities"].apply(
            lambda e: [m["username"].lower() for m in e.get("mentions", []) if "username" in m]
            + [m["id"] for m in e.get("mentions", []) if "id" in m] if isinstance(e, dict) else []),
    })
    tweets = tweets[tweets["id"].notna() & tweets["author_id"].notna() & tweets["created_at"].notna()
                    & tweets["text"].notna() & ~tweets["retweet"]]
    tweets = tweets.sort_values("created_at")
    messages = tweets.groupby("message_id").agg(
        author_id=("author_id", "first"), created_at=("created_at", "min"),
        conversation_id=("conversation_id", "first"),
        in_reply_to_user_id=("in_reply_to_user_id", "first"), text=("text", "last"), parent_id=("parent_id", "first"),
        quoted_id=("quoted_id", "first"), mentions=("mentions", "last"),
    ).reset_index()

    accounts = pd.DataFrame([(b["brand_id"], a.lower().lstrip("@")) for b in brands for a in b["x_accounts"]],
                            columns=["brand_id", "account"])
    brand_of = accounts.groupby("account")["brand_id"].min()
    by_handle = messages["author_id"].map(handles).map(brand_of)
    by_id = messages["author_id"].str.lower().map(brand_of)
    messages["brand_id"] = pd.concat([by_handle, by_id], axis=1).min(axis=1)
    keys = pd.concat([accounts, messages.loc[messages["brand_id"].notna(), ["brand_id", "author_id"]]
                      .rename(columns={"author_id": "account"}).assign(account=lambda d: d["account"].str.lower())])
    keys = keys.drop_duplicates()

    brand_by_id = messages.set_index("message_id")["brand_id"]
    customers = messages[messages["brand_id"].isna()].copy()
    customers["parent_brand"] = customers["parent_id"].map(brand_by_id)
    customers["quoted_brand"] = customers["quoted_id"].map(brand_by_id)
    customers["parent_missing"] = customers["parent_id"].notna() & ~customers["parent_id"].isin(messages["message_id"])

    by_mention = customers[["message_id", "mentions"]].explode("mentions").merge(
        keys, left_on="mentions", right_on="account")[["message_id", "brand_id"]]
    aliases = pd.DataFrame([(b["brand_id"], _fold(a)) for b in brands for a in b["aliases"]],
                           columns=["brand_id", "words"])
    folded = customers["text"].map(_fold)
    by_alias = pd.concat([customers.loc[folded.str.contains(words, regex=False), ["message_id"]].assign(brand_id=brand)
                          for brand, words in aliases.itertuples(index=False)])
    by_reply = customers.loc[customers["parent_brand"].notna(), ["message_id", "parent_brand"]].rename(
        columns={"parent_brand": "brand_id"})
    by_reply_to_user = customers[customers["parent_missing"]].drop(columns="brand_id").assign(
        account=lambda d: d["in_reply_to_user_id"].str.lower()).merge(keys, on="account")[["message_id", "brand_id"]]
    by_quote = customers.loc[customers["quoted_brand"].notna(), ["message_id", "quoted_brand"]].rename(
        columns={"quoted_brand": "brand_id"})
    addressed = pd.concat([by_mention, by_alias, by_reply, by_reply_to_user, by_quote]).drop_duplicates()

    replies = messages[messages["brand_id"].notna() & messages["parent_id"].notna()]
    with_parent = replies.merge(messages, left_on="parent_id", right_on="message_id", suffixes=("", "_parent"))
    replied_to = with_parent[with_parent["brand_id_parent"].isna()
                             & (with_parent["conversation_id"] == with_parent["conversation_id_parent"])]
    openers = pd.concat([
        addressed.merge(messages.drop(columns="brand_id"), on="message_id")[
            ["conversation_id", "brand_id", "author_id", "created_at"]],
        replied_to[["conversation_id_parent", "brand_id", "author_id_parent", "created_at_parent"]].set_axis(
            ["conversation_id", "brand_id", "author_id", "created_at"], axis=1),
    ]).rename(columns={"author_id": "customer_id"})
    cases = openers.groupby(["conversation_id", "brand_id", "customer_id"], as_index=False)["created_at"].min()
    cases = cases.rename(columns={"created_at": "opened_at"})

    # a brand reply: parent written by the customer, or (parent missing) replying to the customer
    parent_author = replies["parent_id"].map(messages.set_index("message_id")["author_id"])
    parent_is_brand = replies["parent_id"].map(brand_by_id).notna()
    replies = replies.assign(
        customer_id=parent_author.where(~parent_is_brand & parent_author.notna(),
                                        replies["in_reply_to_user_id"].where(parent_author.isna())))
    answered = cases.merge(replies[["brand_id", "conversation_id", "customer_id", "created_at"]],
                           on=["brand_id", "conversation_id", "customer_id"])
    window = pd.Timedelta(days=window_days)
    answered = answered[(answered["created_at"] >= answered["opened_at"])
                        & (answered["created_at"] <= answered["opened_at"] + window)]
    first = answered.groupby(["conversation_id", "brand_id", "customer_id"], as_index=False)["created_at"].min()
    cases = cases.merge(first.rename(columns={"created_at": "first_response_at"}), how="left",
                        on=["conversation_id", "brand_id", "customer_id"])
    cases["first_response_min"] = (cases["first_response_at"] - cases["opened_at"]).dt.total_seconds() / 60

    zones = {b["brand_id"]: b["timezone"] for b in brands}
    cases["day"] = [opened.tz_convert(zones[brand]).date()
                    for brand, opened in zip(cases["brand_id"], cases["opened_at"], strict=True)]
    out = cases.groupby(["brand_id", "day"]).agg(
        cases=("opened_at", "size"), responded_cases=("first_response_at", "count"),
        median_first_response_min=("first_response_min", "median"),
    ).reset_index()
    return out.sort_values(["brand_id", "day"]).reset_index(drop=True)

