"""Readers of the public files the corpus is drawn from (see README.md for where to get them).

Each reader takes the directory holding the downloaded files and yields one dict per message:
``row_id, source, source_id, lang, role, brand, conversation_id, text, given_sentiment``.
``row_id`` is stable: ``<family>-<tweet id>``, so the same tweet read from two copies of
Customer Support on Twitter (twcs) gets one id and is kept once.

Reserved for independent evaluation and dropped here before anything else: twcs rows with
``tweet_id`` below 10,000.

TASS (:func:`tass`) is read apart from the others: general Spanish tweets with their own human
sentiment labels, taken whole for the train split only (README.md, "Sentiment-only rows").
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

TWCS_RESERVED_BELOW = 10_000


@dataclass(frozen=True)
class Source:
    name: str
    repo: str
    path: str
    file: str  # the file name expected in the raw directory
    sha256: str
    licence: str
    commit_text: bool  # may the text be committed to this repository?


TWCS_LICENCE = "CC BY-NC-SA 4.0 (Customer Support on Twitter, Thought Vector, Kaggle)"

#: TASS 2020 task 1 as pysentimiento ships it: one file per part and Spanish variant (Spain,
#: Costa Rica, Mexico, Peru, Uruguay), saved as tass_<part>_<variant>.tsv.
TASS_FILES = tuple(
    f"tass_{part}_{variant}.tsv" for part in ("train", "dev") for variant in ("es", "cr", "mx", "pe", "uy")
)
TASS_SHA256 = (
    "61c90f527425be9606d05c26e2c9b16610e90efc573950c7136726e7344319ee",  # train/es
    "5bfd010e1963434343372c4e4654d264e78a9824bb1c8ccca39058767841d85d",  # train/cr
    "20b1a97148807406412f9f46a51d9b175e0a33cc5ea9537733ab168a4f2bf324",  # train/mx
    "9e065fc4d8bb9fe355726d5a2662da2572e3a281ae4f432dcd7355c1ddea896b",  # train/pe
    "420094387e466226adbdfdb6af5d525e9aa7066ed1a8a61e88e8e3506497c410",  # train/uy
    "59d6b31d760d5395ada21cad306083e4450531eb09926dece7032e598c7e399a",  # dev/es
    "3e850f23079153baabd479b2b4b831e7b8ff6587fa1813983fda5db285978e93",  # dev/cr
    "45a85ae7b395a2f3d988ac510315ffa4f899d7678d55d6c3c9f2f9a9123f3bd9",  # dev/mx
    "0925b310d03e9967d84b5889a78489ef5048b51ffcf3a0df92b460fc9ffd135f",  # dev/pe
    "9f81d46b711b3d1c600a57d2f7f8e5334b31e1cff50c893cea52048ecc39148d",  # dev/uy
)
#: TASS's labels in the corpus's vocabulary (POLICY.md). NONE (no sentiment expressed; not in
#: the 2020 files, which have P, N and NEU only) would be neutral: POLICY.md's neutral is a
#: message that expresses no feeling.
TASS_SENTIMENT = {"P": "positive", "N": "negative", "NEU": "neutral", "NONE": "neutral"}

#: Client-Listener's TAGS archives, one per bank, each of the search ``<bank> to:<bank>``
#: (Oct 2020), saved as client_listener_<bank>.xlsx; the bank is the file's X handle.
CLIENT_LISTENER_BRANDS = (
    "BBVA_Colombia", "BBVA_Mex", "BBVA_espana", "Bancolombia", "Bankinter", "Citibanamex", "Davivienda", "ING_es",
    "SantanderMx",
)
CLIENT_LISTENER_SHA256 = (
    "99c2ab4ef5080bfcafe954162e866e30097be09e8f47ab9e900611834ce604e0",
    "a10a43755180dcc2a178132908e5ec64f2b54f45441d09b2796049b8b76a6889",
    "4ee8f62aa7d06da4d164e0b54689903f5376e2959924fa8c27e1a93758a2961c",
    "4cb735c3258d52359aed23138b61b10e84f300fd92ed839a14abfc55252bada9",
    "d7d7a3821acf7d9ba1fe3fd4aeb095f641c6b33d646de6317d6fd0d9da7cf474",
    "76a0342f62e71121418317be7364fc8e37ba2edb1ce5bf582a8511b0501bafbe",
    "58087faba4507e90b6782802cf8679d7947d1d52b18dd783468cf63e87ecce06",
    "13082e8a307b9d63fb1045b0e71095b8875c9717644b9ee48b4724687ccc3b0b",
    "d200c86e350e27516191aaefe8828fe2a89fda83a71e507a24cbfa513bac33b1",
)

#: Single-brand extracts of twcs (brand replies only, 2017), one file per brand, saved as
#: twcs_brand_<handle>.csv: Sophie-X31/JSC270-Assignment4 at commit 39ac119.
TWCS_BRAND_FILES = ("AirAsiaSupport", "AppleSupport", "AskRBC", "McDonalds", "NikeSupport", "SpotifyCares", "Walmart")
TWCS_BRAND_SHA256 = (
    "45d00fe790b72f82f0116990b3a1230b24e8452c77048a38099353208d7305cc",
    "0dc8629f74c2d89b0b5ab088d039621816f26699fe55548a0ba8cd0f548908a7",
    "ed3d242a1352a828ea228f77dad8d19a8b2b8caa7f406a09bc4b1c444f492de6",
    "416ca7393e9cc59ec5230f4a682fcb8e4b51ea1d6770b62995f4d46c783db280",
    "38de7f2a179d294d568045441476d830ace61ab4f1197b6d2c42ef9aa944cf25",
    "9883613b94bdf048333b27d9fdfba51642420a2a258f9909c69c9074c3ad6a36",
    "4c852fe9e1260969529fe34915cdd4f016c53043c11845f5e1faf3d88019bd39",
)
#: rtweet timelines of three accounts of Corpoelec (Venezuela's power company), 2018, saved as
#: corpoelec_<account>_<mmdd>.csv: mablan/TwitterAnalysis at commit d937db5, folder
#: "datos institucionales" (the minister's and a journalist's timelines there are not read).
CORPOELEC_FILES = (
    ("corpoelec_info_0517.csv", "datos_tweets_@CORPOELECinfo 17 de mayo.csv",
     "28a29a07795fdd6f086f76741409eccf980cf1f7623b818102491d40211a97ba"),
    ("corpoelec_info_0825.csv", "datos_tweets_@CORPOELECinfo 25 de agosto.csv",
     "ee26d953faf7981acc7a4db3d852b851b07d2addc62dcb4506be0dc3f1d5348a"),
    ("corpoelec_zulia_0827.csv", "datos_tweets_@CorpoelecZulia_27 de agosto.csv",
     "6f439d0cae5892c033e98032697459064eaec4f760013eca02ddff08b3c3c381"),
    ("corpoelec_merida_0529.csv", "datos_tweets_@corpoelecmerida 29 de mayo.csv",
     "a3bcfcf1d67fca9cff3e652310330c78b764a7100fa57abb4b9ca877969d35c1"),
)
NO_LICENCE = "no licence stated (all rights reserved): text not committed, rebuilt from the public file"

SOURCES = {
    s.name: s
    for s in (
        Source(
            "twcs_small",
            "divya-gh/conversational-ai-analyst",
            "data/twcs_small.csv",
            "twcs_small.csv",
            "10f8e12b778aeb7821c0d9eeb1ea5be6fa7a18c75eaee912da2a1fe0e2bdb8de",
            TWCS_LICENCE,
            True,
        ),
        Source(
            "spotify",
            "stepanaromanov/python_for_marketing_research_and_analytics",
            "_legacy/2_analyzing_social_media_data_in_python/support_requests.csv",
            "spotify_support_requests.csv",
            "5f2a9cb3ff9f75230be2e31b6aa7a3c2af6d572fdea990bc55a02572cc493353",
            TWCS_LICENCE,
            True,
        ),
        Source(
            "amazonhelp",
            "hassanj47/sentiment_analysis",
            "data/amazonhelp_annotations.csv",
            "amazonhelp_annotations.csv",
            "0ba84cc0407a86c5c784c545f47495d4ed605d9263781d4ae926e0fd82bc586b",
            TWCS_LICENCE + "; sentiment annotations GPL-3.0 (hassanj47/sentiment_analysis)",
            True,
        ),
        Source(
            "us_airline",
            "Ramlah0/Twitter-US-Airline-Sentiment-Analysis",
            "Tweets.csv",
            "us_airline_tweets.csv",
            "459a0a7259369f3c831bb9adba509703c76b0e3707614b1be65883bc8e6bab9e",
            "CC BY-NC-SA 4.0 (Twitter US Airline Sentiment, Figure Eight / Kaggle)",
            True,
        ),
        Source(
            "banamex",
            "arojasmor/data-science-projects",
            "Mineria-Texto-Quejas-Banamex/tweets.csv",
            "banamex_tweets.csv",
            "a3258bcdbec348d52e5acd680536b9191a2295ebe034bf7acc4bfd85f252aa0b",
            NO_LICENCE,
            False,
        ),
        Source(
            "ibm",
            "IBM/twitter-customer-care-document-prediction",
            "dev.json + test.json",
            "ibm_dev.json ibm_test.json",
            "5d42ec6f900d81c6e803e4bd7b1f4a07697fed96ed61792d5ced72f634c348dc "
            "1f80246bea00339a4e742ec98e81da0d86e4ce8a940bb492a3d42844b1635364",
            "Apache-2.0 (IBM/twitter-customer-care-document-prediction)",
            True,
        ),
        Source(
            "bbva2020",
            "IanPerri/Hackaton-BBVA-2020",
            "BBVA.xlsx (commit 8eba5b55654ae514c74417dfb224433af9cf7190)",
            "bbva_hackaton_2020.xlsx",
            "fa9da8523d29ac47c321ca297daba0b44ef06567f8c66a2c5eaddfaa4214ff4a",
            NO_LICENCE,
            False,
        ),
        Source(
            "client_listener",
            "alejandrarchbold/Client-Listener",
            "data/{" + ",".join(CLIENT_LISTENER_BRANDS) + "}.xlsx (commit 48f6554fb1fa640d8f274a05839d35723848ad97)",
            " ".join(f"client_listener_{b}.xlsx" for b in CLIENT_LISTENER_BRANDS),
            " ".join(CLIENT_LISTENER_SHA256),
            "no licence stated (all rights reserved): text not committed, rebuilt from the public files",
            False,
        ),
        Source(
            "twcs_brands",
            "Sophie-X31/JSC270-Assignment4",
            "{" + ",".join(TWCS_BRAND_FILES) + "}.csv (commit 39ac11954a7a6f293c6322a29763ccde64c1dd29)",
            " ".join(f"twcs_brand_{b}.csv" for b in TWCS_BRAND_FILES),
            " ".join(TWCS_BRAND_SHA256),
            TWCS_LICENCE,
            True,
        ),
        Source(
            "iberia",
            "drbonis/tweetgenerator",
            "iberia.csv (commit 27e77881c1650a3e8e2e1bd0d74d283217a94beb)",
            "iberia.csv",
            "45af2fc11507f752184c9befe3628a0066e21c11921b2ed495ba29f9f6dce7cc",
            NO_LICENCE,
            False,
        ),
        Source(
            "corpoelec",
            "mablan/TwitterAnalysis",
            "datos institucionales/{" + ",".join(name for _, name, _ in CORPOELEC_FILES)
            + "} (commit d937db52cf353152a3bd5d384f7b243d6044a29d)",
            " ".join(saved for saved, _, _ in CORPOELEC_FILES),
            " ".join(sha for _, _, sha in CORPOELEC_FILES),
            NO_LICENCE,
            False,
        ),
        Source(
            "delta",
            "julianencisoizquierdo/NLP_Python_Airline_Customer_Service",
            "airline.csv (commit b8a10adc0d95734836f0482ce8f34a0d2bdf6227)",
            "delta_airline.csv",
            "08593fb2b53004ec517eb9ee573a40ecfb45d8e653f0786de366a1102f7eb410",
            NO_LICENCE,
            False,
        ),
        Source(
            "tass",
            "git-lu/lit-analysis",
            "pysentimiento/data/sent/{train,dev}/{es,cr,mx,pe,uy}.tsv",
            " ".join(TASS_FILES),
            " ".join(TASS_SHA256),
            "research use only (TASS 2020, SEPLN): text not committed, rebuilt from the public files",
            False,
        ),
    )
}

#: Twitter US Airline Sentiment names the airline; the brand key is its X handle, as in twcs.
US_AIRLINE_HANDLES = {
    "Virgin America": "VirginAmerica",
    "United": "united",
    "Southwest": "SouthwestAir",
    "Delta": "Delta",
    "US Airways": "USAirways",
    "American": "AmericanAir",
}

HANDLE = re.compile(r"@(\w+)")


class SourceError(Exception):
    """A public file is missing or is not the checked copy."""


def check_files(raw: Path, name: str) -> list[Path]:
    """The raw files of source ``name``, after checking each one's sha256."""
    src = SOURCES[name]
    paths = [raw / f for f in src.file.split()]
    for path, want in zip(paths, src.sha256.split(), strict=True):
        if not path.is_file():
            raise SourceError(f"{path}: missing; get {src.repo} : {src.path}")
        got = hashlib.sha256(path.read_bytes()).hexdigest()
        if got != want:
            raise SourceError(f"{path}: sha256 {got}, expected {want} ({src.repo} : {src.path})")
    return paths


def _csv_rows(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:  # -sig: the twcs brand extracts start with a BOM
        for row in csv.DictReader(f):
            if None in row or None in row.values():  # ragged line: not a record
                continue
            yield row


def _tweet_id(value: str) -> str | None:
    """A tweet id as digits ("848.0" -> "848"), or None."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return str(int(float(value))) if "." in value else str(int(value))
    except ValueError:
        return None


def _twcs_rows(raw: Path) -> list[dict]:
    """Every usable twcs-derived record, one per tweet id (labelled copies first), reserved ids dropped."""
    out: dict[str, dict] = {}
    readers = (("amazonhelp", "AmazonHelp"), ("spotify", "SpotifyCares"), ("twcs_small", None), ("twcs_brands", None))
    for name, brand in readers:
        for row in (row for path in check_files(raw, name) for row in _csv_rows(path)):
            tid = _tweet_id(row.get("tweet_id", ""))
            if tid is None or int(tid) < TWCS_RESERVED_BELOW or tid in out:
                continue
            inbound = row["inbound"].strip().lower() == "true"
            out[tid] = {
                "source": name,
                "tweet_id": tid,
                "author": row["author_id"],
                "inbound": inbound,
                "text": row["text"],
                "parent": _tweet_id(row.get("in_response_to_tweet_id", "")),
                "responses": [
                    r
                    for r in (_tweet_id(x) for x in row.get("response_tweet_id", "").split(","))
                    if r
                ],
                "given_sentiment": row.get("label", "") if name == "amazonhelp" else "",
                "brand": brand if inbound else row["author_id"],
            }
    return list(out.values())


def _twcs_conversation(rows: dict[str, dict], tid: str) -> str:
    """The topmost tweet id known or referenced above ``tid``: the same for every tweet of a thread."""
    seen = set()
    while tid in rows and rows[tid]["parent"] and tid not in seen:
        seen.add(tid)
        tid = rows[tid]["parent"]
    return tid


def twcs(raw: Path, brand_handles: set[str]) -> Iterator[dict]:
    """twcs_small, the Spotify extract, the AmazonHelp annotations and the single-brand extracts
    of brand replies (all twcs, English).

    The brands, the links between tweets and so the conversations are read from the first three
    only (``base``), as they were before the extracts came: a reply of an extract takes the
    conversation of the tweet it answers, and changes no earlier row's."""
    rows = {r["tweet_id"]: r for r in _twcs_rows(raw)}
    base = {tid: r for tid, r in rows.items() if r["source"] != "twcs_brands"}
    brands = {r["author"] for r in base.values() if not r["inbound"]} | brand_handles
    by_lower = {b.lower(): b for b in brands}
    for tid, r in rows.items():
        brand = r["brand"]
        if brand is None:  # a customer message in twcs_small: the brand it addresses
            brand = next(
                (by_lower[h.lower()] for h in HANDLE.findall(r["text"]) if h.lower() in by_lower),
                None,
            )
            related = [base.get(x) for x in [*r["responses"], r["parent"]] if x]
            brand = brand or next((x["author"] for x in related if x and not x["inbound"]), "")
        yield {
            "row_id": f"twcs-{tid}",
            "source": r["source"],
            "source_id": tid,
            "lang": "en",
            "role": "customer" if r["inbound"] else "brand",
            "brand": brand,
            "conversation_id": f"twcs-{_twcs_conversation(base, tid if tid in base else r['parent'] or tid)}",
            "text": r["text"],
            "given_sentiment": r["given_sentiment"],
        }


def reserved_ids() -> set[str]:
    """Tweet ids reserved for independent evaluation (happybirds' English copy of US Airline
    Sentiment): ids only, kept in reserved_ids.txt beside this file."""
    lines = (Path(__file__).with_name("reserved_ids.txt").read_text().splitlines())
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def us_airline(raw: Path) -> Iterator[dict]:
    """Twitter US Airline Sentiment: customer tweets to six US airlines, with sentiment.

    The tweets of happybirds' English file (reserved_ids.txt) are never drawn."""
    (path,) = check_files(raw, "us_airline")
    reserved = reserved_ids()
    for row in _csv_rows(path):
        tid = _tweet_id(row["tweet_id"])
        if tid is None or tid in reserved:
            continue
        yield {
            "row_id": f"usair-{tid}",
            "source": "us_airline",
            "source_id": tid,
            "lang": "en",
            "role": "customer",
            "brand": US_AIRLINE_HANDLES.get(row["airline"], row["airline"]),
            "conversation_id": f"usair-{tid}",
            "text": row["text"],
            "given_sentiment": row["airline_sentiment"],
        }


def banamex(raw: Path) -> Iterator[dict]:
    """Spanish (Mexico) tweets to @Citibanamex and its replies, 21-30 Dec 2021.

    The file has no reply links: a conversation is one customer handle (the customer's own
    tweets, and the bank's replies starting with ``@that_handle``).
    """
    (path,) = check_files(raw, "banamex")
    for row in _csv_rows(path):
        sid = _tweet_id(row["status_id"])
        if sid is None:
            continue
        is_brand = row["screen_name"] == "Citibanamex"
        customer = _customer_handle(row["text"], f"status{sid}") if is_brand else row["screen_name"]
        yield {
            "row_id": f"banamex-{sid}",
            "source": "banamex",
            "source_id": sid,
            "lang": "es",
            "role": "brand" if is_brand else "customer",
            "brand": "Citibanamex",
            "conversation_id": f"banamex-{customer.lower()}",
            "text": row["text"],
            "given_sentiment": "",
        }


def _xlsx_rows(path: Path, sheet: str) -> Iterator[dict]:
    """The rows of one sheet of a workbook as dicts keyed by its first row (cells as text)."""
    import openpyxl  # imported where used: only the xlsx sources need it

    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = workbook[sheet].iter_rows(values_only=True)
        header = [str(h) for h in next(rows)]
        for values in rows:
            if values and values[0] is not None:
                yield {h: "" if v is None else str(v) for h, v in zip(header, values, strict=False)}
    finally:
        workbook.close()


def _customer_handle(text: str, fallback: str) -> str:
    """The customer a brand reply answers: the first @handle it starts with (lower case)."""
    handles = HANDLE.findall(text)
    return (handles[0] if handles else fallback).lower()


def bbva2020(raw: Path) -> Iterator[dict]:
    """Spanish replies of BBVA's (and Santander Mexico's) care accounts, Jun-Oct 2020, from a
    hackathon's collection: the official accounts' tweets that answer a customer (start with
    ``@``). The file has no tweet ids nor reply links: its ``id`` (account, time, length) names
    a row, and a conversation is the customer the reply answers. Citibanamex's few rows are left
    out: its replies come from the Citibanamex file only."""
    (path,) = check_files(raw, "bbva2020")
    return bbva2020_rows(path)


def bbva2020_rows(path: Path) -> Iterator[dict]:
    """:func:`bbva2020` of a checked file."""
    for row in _xlsx_rows(path, "BBVA"):
        text, account = row["full_text"], row["screen_Name"]
        if row["procedencia"] != "oficial" or not text.startswith("@") or account == "Citibanamex":
            continue
        yield {
            "row_id": f"bbva2020-{row['id']}",
            "source": "bbva2020",
            "source_id": row["id"],
            "lang": "es",
            "role": "brand",
            "brand": account,
            "conversation_id": f"bbva2020-{_customer_handle(text, row['id'])}",
            "text": text,
            "given_sentiment": "",
        }


def client_listener(raw: Path) -> Iterator[dict]:
    """Spanish customer tweets to nine banks of Colombia, Mexico and Spain (October 2020), each
    file a TAGS archive of the search ``<bank> to:<bank>``: the customers' tweets (the bank's own
    few are left out). A tweet found in two files is read once (the first file's bank)."""
    return client_listener_rows(zip(CLIENT_LISTENER_BRANDS, check_files(raw, "client_listener"), strict=True))


def client_listener_rows(files: Iterable[tuple[str, Path]]) -> Iterator[dict]:
    """:func:`client_listener` of checked files, given as (bank's handle, path)."""
    seen: set[str] = set()
    for brand, path in files:
        for row in _xlsx_rows(path, "Archive"):
            tid = _tweet_id(row["id_str"])
            if tid is None or tid in seen or row["from_user"].lower() == brand.lower():
                continue
            seen.add(tid)
            parent = _tweet_id(row["in_reply_to_status_id_str"])
            yield {
                "row_id": f"tw-{tid}",
                "source": "client_listener",
                "source_id": tid,
                "lang": "es",
                "role": "customer",
                "brand": brand,
                "conversation_id": f"tw-{parent or tid}",
                "text": row["text"],
                "given_sentiment": "",
            }


def ibm(raw: Path) -> Iterator[dict]:
    """IBM's 2020 customer-care conversations (dev and test files): every agent turn."""
    for path in check_files(raw, "ibm"):
        for conv in json.loads(path.read_text(encoding="utf-8")):
            company = conv["dialogHeader"]["company"]
            conversation = f"ibm-{conv['dialogHeader']['sessionID']}"
            turns = [(m["tweet_ID"], m["message"]) for m in conv["dialogContent"] if "agent" in m]
            final = conv["agentURL"]
            turns.append((final["tweet_ID"], final["url_utterance"]))
            for tid, text in turns:
                yield {
                    "row_id": f"ibm-{tid}",
                    "source": "ibm",
                    "source_id": tid,
                    "lang": "en",
                    "role": "brand",
                    "brand": company,
                    "conversation_id": conversation,
                    "text": text,
                    "given_sentiment": "",
                }


def _rtweet_id(value: str) -> str | None:
    """A status id of an rtweet export: digits, or digits after the "x" some exports put in
    front to keep spreadsheets from rounding them."""
    return _tweet_id((value or "").removeprefix("x"))


def rtweet_replies(paths: Iterable[Path]) -> Iterator[tuple[dict, str]]:
    """(row, status id) of every reply of a brand's rtweet timeline files (checked files): its
    tweets that start with an @handle, not retweets, each id once."""
    seen: set[str] = set()
    for path in paths:
        for row in _csv_rows(path):
            tid = _rtweet_id(row["status_id"])
            text = row["text"]
            if tid is None or tid in seen or row.get("is_retweet") == "TRUE" or not text.startswith("@"):
                continue
            seen.add(tid)
            yield row, tid


def _rtweet_messages(raw: Path, source: str, only_lang: str | None = None) -> Iterator[dict]:
    """The corpus rows of a source's rtweet timeline replies (:func:`rtweet_replies`), those the
    file's ``lang`` gives as ``only_lang`` when given. A reply's conversation is the tweet it
    answers where the file says (``reply_to_status_id``), else the customer it answers."""
    for row, tid in rtweet_replies(check_files(raw, source)):
        if only_lang is not None and row.get("lang") != only_lang:
            continue
        parent = _rtweet_id(row.get("reply_to_status_id", ""))
        yield {
            "row_id": f"tw-{tid}",
            "source": source,
            "source_id": tid,
            "lang": "es",
            "role": "brand",
            "brand": row["screen_name"],
            "conversation_id": f"tw-{parent}" if parent else f"{source}-{_customer_handle(row['text'], tid)}",
            "text": row["text"],
            "given_sentiment": "",
        }


def iberia(raw: Path) -> Iterator[dict]:
    """@Iberia's replies in Spanish, July-August 2018 (an rtweet timeline): the file's ``lang``
    says es (its English, Portuguese, ... replies are left out)."""
    return _rtweet_messages(raw, "iberia", only_lang="es")


def corpoelec(raw: Path) -> Iterator[dict]:
    """Replies of three Corpoelec accounts (Venezuela's power company), 2018, Spanish: rtweet
    timelines without reply links (their ``reply_to_status_id`` is NA or absent: a conversation
    is the customer the reply answers)."""
    return _rtweet_messages(raw, "corpoelec")


def delta(raw: Path) -> Iterator[dict]:
    """@Delta's replies of 1-15 October 2015, signed with agent initials: the file has no tweet
    ids (a row is named by its line) nor reply links (a conversation is the customer answered)."""
    (path,) = check_files(raw, "delta")
    for line, row in enumerate(_csv_rows(path), start=2):
        yield {
            "row_id": f"delta2015-{line}",
            "source": "delta",
            "source_id": str(line),
            "lang": "en",
            "role": "brand",
            "brand": "Delta",
            "conversation_id": f"delta2015-{_customer_handle(row['text'], str(line))}",
            "text": row["text"],
            "given_sentiment": "",
        }


def tass(raw: Path) -> Iterator[dict]:
    """TASS 2020 (task 1): general Spanish tweets, not addressed to brands, each with its human
    sentiment label (P, N, NEU) in ``given_sentiment``. Lines are ``id<TAB>text<TAB>label``."""
    for path in check_files(raw, "tass"):
        with path.open(encoding="utf-8", newline="") as f:
            for line_no, line in enumerate(f, start=1):
                parts = line.rstrip("\n").split("\t")
                tid = _tweet_id(parts[0]) if len(parts) == 3 else None
                if tid is None or parts[2] not in TASS_SENTIMENT:
                    raise SourceError(f"{path}:{line_no}: not an id, a text and one of {sorted(TASS_SENTIMENT)}")
                yield {
                    "row_id": f"tass-{tid}",
                    "source": "tass",
                    "source_id": tid,
                    "lang": "es",
                    "role": "customer",
                    "brand": "",
                    "conversation_id": f"tass-{tid}",
                    "text": parts[1],
                    "given_sentiment": parts[2],
                }


def read_all(raw: Path) -> list[dict]:
    """Every candidate message of every source the pool is drawn from (all but TASS), in a fixed order."""
    ibm_rows = list(ibm(raw))
    brands = {r["brand"] for r in ibm_rows} | set(US_AIRLINE_HANDLES.values())
    return [
        *twcs(raw, brands), *us_airline(raw), *banamex(raw), *ibm_rows, *bbva2020(raw), *client_listener(raw),
        *iberia(raw), *corpoelec(raw), *delta(raw),
    ]


def texts_by_row_id(raw: Path, sources: set[str]) -> dict[str, str]:
    """The published text of every message of ``sources`` (used to rebuild texts not committed)."""
    readers = {
        "banamex": banamex, "us_airline": us_airline, "ibm": ibm, "tass": tass, "bbva2020": bbva2020,
        "client_listener": client_listener, "iberia": iberia, "corpoelec": corpoelec, "delta": delta,
    }
    out: dict[str, str] = {}
    for name in sources:
        # the twcs family is read from the one twcs file
        rows = readers[name](raw) if name in readers else (r for r in twcs(raw, set()) if r["source"] == name)
        out.update({r["row_id"]: r["text"] for r in rows})
    return out
