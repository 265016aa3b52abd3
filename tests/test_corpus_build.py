"""corpus/build.py on hand-written label rows and on the committed pool.

Run: .venv/bin/pytest tests/test_corpus_build.py -q
The rows below are real rows of pool.csv (texts as published; Citibanamex texts are not
committed, so they are empty here as in pool.csv). The labels are hand-written by reading
the texts with POLICY.md.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[1] / "corpus"
sys.path.insert(0, str(HERE))

import build  # noqa: E402 (corpus/ is not a package: its path is added above)
import sources  # noqa: E402

POOL = """\
row_id,source,source_id,lang,role,brand,conversation_id,text,given_sentiment
twcs-1317476,amazonhelp,1317476,en,customer,AmazonHelp,twcs-1317475,@AmazonHelp Issue resolved. Thanks.,positive
twcs-259735,twcs_small,259735,en,brand,AskAmex,twcs-259733,@177779 Can you clarify what rate you are referring to ? ^K,
twcs-2398762,twcs_small,2398762,en,brand,ArgosHelpers,twcs-2398763,"@690305 Hi, I have checked and can see this is a collection item also so im very confused why you have been told this, please give us a call on 03456402020 we can replace this order for you and possibly take the 5 pounds off for you- Imanni",
usair-568471991889612800,us_airline,568471991889612800,en,customer,USAirways,usair-568471991889612800,@USAirways they finally answered. They were rude and didn't help me at all.,negative
ibm-1239354747464765440,ibm,1239354747464765440,en,brand,MojangSupport,ibm-fbMdc4kLCFQerez7Kfde,"@island777island For technical help, please visit our Help site https://help.minecraft.net/hc/en-us ^JR",
banamex-1476610288682217472,banamex,1476610288682217472,es,customer,Citibanamex,banamex-revan_zeromc,,
banamex-1476610831840391174,banamex,1476610831840391174,es,brand,Citibanamex,banamex-revan_zeromc,,
banamex-1475845693206142983,banamex,1475845693206142983,es,brand,Citibanamex,banamex-mayra_pro,,
"""

LABELS = """\
row_id,intent,sentiment,deflection,note
twcs-1317476,praise,positive,,acknowledgement with thanks
twcs-259735,,neutral,none,
twcs-2398762,,neutral,phone,number given
usair-568471991889612800,complaint,negative,,
ibm-1239354747464765440,,neutral,web,
banamex-1476610288682217472,complaint,negative,,
banamex-1476610831840391174,exclude,,,test of the exclude rule
banamex-1475845693206142983,,neutral,store,sucursal
"""

#: two real rows of tass.csv (TASS texts are not committed: research use only)
TASS = """\
row_id,source,source_id,lang,role,brand,conversation_id,text,given_sentiment
tass-768512386269638656,tass,768512386269638656,es,customer,,tass-768512386269638656,,N
tass-770616744192929792,tass,770616744192929792,es,customer,,tass-770616744192929792,,P
"""


def _corpus(tmp_path: Path, labels: str = LABELS, tass: str | None = TASS) -> Path:
    (tmp_path / "work").mkdir()
    (tmp_path / "pool.csv").write_text(POOL, encoding="utf-8")
    (tmp_path / "work" / "labels_01.csv").write_text(labels, encoding="utf-8")
    if tass is not None:
        (tmp_path / build.TASS_FILE).write_text(tass, encoding="utf-8")
    return tmp_path


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_build_merges_labels_into_messages(tmp_path, capsys):
    corpus = _corpus(tmp_path)
    assert build.main(["build", "--dir", str(corpus)]) == 0
    rows = _read(corpus / "messages.csv")
    assert list(rows[0]) == list(build.MESSAGE_COLUMNS)
    got = {r["row_id"]: (r["intent"], r["sentiment"], r["deflection"]) for r in rows}
    assert got == {
        "twcs-1317476": ("praise", "positive", ""),
        "twcs-259735": ("", "neutral", "none"),
        "twcs-2398762": ("", "neutral", "phone"),
        "usair-568471991889612800": ("complaint", "negative", ""),
        "ibm-1239354747464765440": ("", "neutral", "web"),
        "banamex-1476610288682217472": ("complaint", "negative", ""),
        "banamex-1475845693206142983": ("", "neutral", "store"),
        # TASS: sentiment only, TASS's own label (N, P) in POLICY.md's words
        "tass-768512386269638656": ("", "negative", ""),
        "tass-770616744192929792": ("", "positive", ""),
    }
    by_id = {r["row_id"]: r for r in rows}
    for row_id in ("tass-768512386269638656", "tass-770616744192929792"):
        assert (by_id[row_id]["split"], by_id[row_id]["role"], by_id[row_id]["lang"]) == ("train", "customer", "es")
        assert by_id[row_id]["text"] == "" and by_id[row_id]["licence"].startswith("research use only")
    assert by_id["ibm-1239354747464765440"]["licence"].startswith("Apache-2.0")
    assert by_id["usair-568471991889612800"]["licence"].startswith("CC BY-NC-SA 4.0")
    assert by_id["banamex-1475845693206142983"]["text"] == ""  # never committed
    assert by_id["twcs-1317476"]["text"] == "@AmazonHelp Issue resolved. Thanks."
    assert {r["split"] for r in rows} <= {"train", "dev", "test"}
    assert not (corpus / "messages_full.csv").exists()
    out = capsys.readouterr().out
    assert "pool 8 rows, labelled 8 (1 excluded), 0 without a split (their group sits on two sides), TASS 2 rows, messages.csv 9 rows" in out


def test_build_without_tass_csv_says_how_to_write_it(tmp_path, capsys):
    corpus = _corpus(tmp_path, tass=None)
    assert build.main(["build", "--dir", str(corpus)]) == 1
    assert "tass.csv: missing; write it with `build.py tass --raw DIR`" in capsys.readouterr().err
    assert not (corpus / "messages.csv").exists()


def test_a_tass_label_outside_tass_vocabulary_is_refused(tmp_path, capsys):
    corpus = _corpus(tmp_path, tass=TASS.replace(",,P\n", ",,positive\n"))
    assert build.main(["build", "--dir", str(corpus)]) == 1
    assert "tass.csv:3: tass-770616744192929792: source 'tass', label 'positive'" in capsys.readouterr().err


def test_tass_takes_every_tweet_once_and_drops_conflicts():
    def row(tid: str, text: str, label: str) -> dict:
        return {"row_id": f"tass-{tid}", "text": text, "given_sentiment": label}

    candidates = [
        row("1", "Qué buen día", "P"),
        row("2", "Qué buen día ", "P"),  # the same text again (trimmed): the first is kept
        row("3", "Odio los lunes", "N"),
        row("4", "Odio los lunes", "NEU"),  # one text, two labels: both dropped
        row("5", "Mañana llueve", "NEU"),
        row("5", "Mañana llueve", "P"),  # one id, two labels: both dropped
        row("6", "Otro texto", "N"),
        row("6", "Un texto distinto", "N"),  # one id, two texts: both dropped
        row("7", "RT @alguien: genial", "P"),
        row("8", "   ", "NEU"),
        row("9", "@Citibanamex gracias", "P"),  # a text of the pool: never trained on
        row("10", "Sin más", "NEU"),
    ]
    kept = build.select_tass(candidates, taken_texts={"@Citibanamex gracias"})
    assert [r["row_id"] for r in kept] == ["tass-1", "tass-10"]


def test_conversation_stays_on_one_side(tmp_path):
    pool = build.read_pool(_corpus(tmp_path) / "pool.csv", None)
    splits = build.assign_splits(pool)
    assert splits["banamex-1476610288682217472"] == splits["banamex-1476610831840391174"]
    assert splits == build.assign_splits(list(reversed(pool)))  # order does not matter


def test_a_grown_pool_keeps_every_given_split(tmp_path):
    pool = build.read_pool(_corpus(tmp_path) / "pool.csv", None)
    before = build.assign_splits(pool)
    # pin them on the side the dealing would not choose, to see that pins win
    pinned = {k: {"train": "test", "dev": "train", "test": "dev"}[v] for k, v in before.items()}
    new = [
        # joins the Citibanamex conversation already given a split
        {**pool[5], "row_id": "banamex-1", "source_id": "1"},
        # a new conversation
        {**pool[0], "row_id": "twcs-1", "source_id": "1", "conversation_id": "twcs-new"},
        # a reply of AskAmex (brand group) in ArgosHelpers' conversation: two sides, left out
        {**pool[1], "row_id": "twcs-2", "source_id": "2", "conversation_id": pool[2]["conversation_id"]},
    ]
    pinned["twcs-259735"], pinned["twcs-2398762"] = "train", "test"
    after = build.assign_splits(pool + new, pinned)
    assert {k: after[k] for k in pinned} == pinned
    assert after["banamex-1"] == pinned["banamex-1476610288682217472"]
    assert after["twcs-1"] in {"train", "dev", "test"}
    assert "twcs-2" not in after


def test_build_writes_the_splits_it_gives_and_keeps_them(tmp_path):
    corpus = _corpus(tmp_path)
    assert build.main(["build", "--dir", str(corpus)]) == 0
    given = build.read_splits(corpus / build.SPLITS_FILE)
    assert set(given) == {r["row_id"] for r in _read(corpus / "pool.csv")}
    flipped = {k: "dev" if v != "dev" else "train" for k, v in given.items()}
    (corpus / build.SPLITS_FILE).write_text(
        "row_id,split\n" + "".join(f"{k},{v}\n" for k, v in flipped.items()), encoding="utf-8"
    )
    assert build.main(["build", "--dir", str(corpus)]) == 0
    assert {r["row_id"]: r["split"] for r in _read(corpus / "messages.csv") if r["source"] != "tass"} == {
        k: v for k, v in flipped.items() if k != "banamex-1476610831840391174"  # excluded
    }


def test_batches_deal_only_rows_not_yet_labelled(tmp_path):
    corpus = _corpus(tmp_path)
    pool = build.read_pool(corpus / "pool.csv", None)
    (corpus / "work" / "labels_03.csv").write_text("row_id,intent,sentiment,deflection,note\n", encoding="utf-8")
    assert build.write_batches(pool, corpus / "work") == []  # every row is labelled already
    more = [*pool, {**pool[0], "row_id": "twcs-1", "source_id": "1", "text": "another"}]
    paths = build.write_batches(more, corpus / "work")
    assert [p.name for p in paths] == ["batch_04.csv"]  # numbered after the last labels file
    assert [r["row_id"] for r in _read(paths[0])] == ["twcs-1"]


def test_a_text_with_lone_carriage_returns_survives_the_pool_and_batch_files(tmp_path):
    # a real twcs text (twcs-1661315) holds "\r\r"; csv's writer quotes "\n" but not a lone "\r",
    # which readers take for a line break: the row came back split in two
    row = {
        "row_id": "twcs-1661315",
        "source": "twcs_small",
        "source_id": "1661315",
        "lang": "en",
        "role": "customer",
        "brand": "LondonMidland",
        "conversation_id": "twcs-1661314",
        "text": "@LondonMidland Just finished a conversation about crochet.\r\rI love those random conversations on the train.",
        "given_sentiment": "",
    }
    other = {**row, "row_id": "twcs-1317476", "source_id": "1317476", "text": "@AmazonHelp Issue resolved. Thanks."}
    build.write_pool([row, other], tmp_path / "pool.csv")
    assert build.read_pool(tmp_path / "pool.csv", None) == [row, other]
    (tmp_path / "work").mkdir()
    [batch] = build.write_batches([row, other], tmp_path / "work")
    assert sorted(r["text"] for r in _read(batch)) == sorted([row["text"], other["text"]])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("twcs-1317476,complain,positive,,", "labels_01.csv:2: twcs-1317476: intent 'complain'"),
        ("twcs-259735,,neutral,link,", "labels_01.csv:2: twcs-259735: deflection 'link'"),
        ("twcs-259735,question,neutral,none,", "a brand reply has no intent"),
        ("twcs-1317476,praise,positive,dm,", "a customer message has no deflection"),
        ("twcs-99,praise,positive,,", "twcs-99: not in pool.csv"),
    ],
)
def test_bad_label_names_file_line_and_row(tmp_path, capsys, line, message):
    corpus = _corpus(tmp_path, "row_id,intent,sentiment,deflection,note\n" + line + "\n")
    assert build.main(["build", "--dir", str(corpus)]) == 1
    assert message in capsys.readouterr().err
    assert not (corpus / "messages.csv").exists()


def test_same_row_labelled_twice_differently_is_refused(tmp_path, capsys):
    corpus = _corpus(tmp_path)
    (corpus / "work" / "labels_02.csv").write_text(
        "row_id,intent,sentiment,deflection,note\ntwcs-1317476,other,neutral,,\n", encoding="utf-8"
    )
    assert build.main(["build", "--dir", str(corpus)]) == 1
    assert "labels_02.csv:2: twcs-1317476: labelled twice, differently" in capsys.readouterr().err


# --- the committed pool --------------------------------------------------------------------


@pytest.fixture(scope="module")
def pool() -> list[dict]:
    return build.read_pool(HERE / "pool.csv", None)


def test_pool_meets_the_targets_and_holds_no_reserved_row(pool):
    counts = Counter((r["lang"], r["role"]) for r in pool)
    assert counts["en", "customer"] + counts["es", "customer"] >= 3200
    assert counts["es", "customer"] >= 1100
    assert counts["en", "brand"] + counts["es", "brand"] >= 1100
    assert counts["es", "brand"] >= 400
    twcs_ids = [int(r["source_id"]) for r in pool if r["row_id"].startswith("twcs-")]
    assert twcs_ids and min(twcs_ids) >= sources.TWCS_RESERVED_BELOW
    assert len({r["row_id"] for r in pool}) == len(pool)
    texts = [r["text"].strip() for r in pool if r["text"]]
    assert len(set(texts)) == len(texts)
    assert not any(r["text"] for r in pool if not sources.SOURCES[r["source"]].commit_text)


def test_committed_tass_rows_are_train_only_sentiment_only_and_textless():
    tass = build.read_pool(HERE / build.TASS_FILE, None)
    assert len(tass) > 7000 and len({r["row_id"] for r in tass}) == len(tass)
    assert {r["given_sentiment"] for r in tass} == {"P", "N", "NEU"}
    assert not any(r["text"] for r in tass)
    messages = _read(HERE / "messages.csv")
    from_tass = [m for m in messages if m["source"] == "tass"]
    assert {m["row_id"] for m in from_tass} == {r["row_id"] for r in tass}
    assert {(m["split"], m["lang"], m["role"], m["intent"], m["deflection"], m["text"]) for m in from_tass} == {
        ("train", "es", "customer", "", "", "")
    }
    expected = {r["row_id"]: sources.TASS_SENTIMENT[r["given_sentiment"]] for r in tass}
    assert {m["row_id"]: m["sentiment"] for m in from_tass} == expected
    # the care messages are the pool's labelled rows, their splits drawn without TASS
    pinned = build.read_splits(HERE / build.SPLITS_FILE)
    splits = build.assign_splits(build.read_pool(HERE / "pool.csv", None), pinned)
    assert splits == pinned
    assert all(splits[m["row_id"]] == m["split"] for m in messages if m["source"] != "tass")


def test_pool_splits_keep_brands_and_conversations_whole(pool):
    splits = build.assign_splits(pool, build.read_splits(HERE / build.SPLITS_FILE))
    assert len(splits) == len(pool)
    by_brand, by_conv = defaultdict(set), defaultdict(set)
    for r in pool:
        by_conv[r["conversation_id"]].add(splits[r["row_id"]])
        if r["role"] == "brand" and r["source"] != "banamex":
            by_brand[r["brand"].lower()].add(splits[r["row_id"]])
    assert all(len(s) == 1 for s in by_conv.values())
    assert all(len(s) == 1 for s in by_brand.values())
    strata = Counter((r["lang"], r["role"]) for r in pool)
    for (lang, role), total in strata.items():
        share = Counter(splits[r["row_id"]] for r in pool if (r["lang"], r["role"]) == (lang, role))
        assert 0.62 <= share["train"] / total <= 0.78, (lang, role, share)
        assert 0.10 <= share["test"] / total <= 0.20, (lang, role, share)


def test_policy_examples_are_train_rows():
    """POLICY.md quotes train rows only: an annotator reading it never sees a dev or test label."""
    import re

    cited = set(re.findall(r"\[([a-z0-9_]+-[^\]\s]+)\]", (HERE / "POLICY.md").read_text()))
    splits = build.read_splits(HERE / build.SPLITS_FILE)
    assert len(cited) > 20 and cited <= set(splits)
    assert {row_id: splits[row_id] for row_id in cited if splits[row_id] != "train"} == {}


def test_no_corpus_file_names_a_reserved_row():
    """The happybirds ids (reserved for evaluation) are in reserved_ids.txt and nowhere else:
    not in the pool, the splits, a label file or the policy's examples."""
    import re

    reserved = set((HERE / "reserved_ids.txt").read_text().split())
    files = [HERE / "POLICY.md", HERE / "pool.csv", HERE / build.SPLITS_FILE, *sorted((HERE / "work").glob("*.csv"))]
    named = {path.name: set(re.findall(r"usair-(\d+)", path.read_text())) & reserved for path in files}
    assert len(reserved) > 8000 and {name: ids for name, ids in named.items() if ids} == {}


# --- the workbook sources ------------------------------------------------------------------


def _workbook(path: Path, sheet: str, rows: list[tuple]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "ReadmeSettings"  # a TAGS archive's first sheet is not the data
    data = book.create_sheet(sheet)
    for row in rows:
        data.append(row)
    book.save(path)
    return path


def test_bbva2020_reads_the_official_accounts_replies_only(tmp_path):
    # the columns of the hackathon's BBVA.xlsx that the reader uses; texts shaped as its rows
    path = _workbook(tmp_path / "bbva.xlsx", "BBVA", [
        ("id", "screen_Name", "procedencia", "full_text"),
        ("bbva_peru_2020-10-20;19:04:05_148", "bbva_peru", "oficial",
         "@EduJay Hola, lamentamos la experiencia. Bríndanos mayor detalle por mensaje interno."),
        ("bbva_peru_2020-10-20;19:10:00_40", "bbva_peru", "oficial", "Conoce nuestra nueva app 👉 bbva.pe"),
        ("EduJay_2020-10-20;18:00:00_30", "EduJay", "usuario", "@bbva_peru no me llega el token"),
        ("Citibanamex_2020-10-20;18:00:00_30", "Citibanamex", "oficial", "@ana Hola, te apoyamos por DM"),
        ("SantanderMx_2020-10-21;09:00:00_60", "SantanderMx", "oficial", "@EduJay Hola, llámanos al 55 5169 4300"),
    ])
    rows = list(sources.bbva2020_rows(path))
    assert [(r["row_id"], r["brand"], r["role"], r["lang"]) for r in rows] == [
        ("bbva2020-bbva_peru_2020-10-20;19:04:05_148", "bbva_peru", "brand", "es"),
        ("bbva2020-SantanderMx_2020-10-21;09:00:00_60", "SantanderMx", "brand", "es"),
    ]
    # no reply links in the file: a conversation is the customer answered, across accounts
    assert {r["conversation_id"] for r in rows} == {"bbva2020-edujay"}


def test_client_listener_reads_each_customer_tweet_once(tmp_path):
    header = ("id_str", "from_user", "text", "in_reply_to_status_id_str")
    mex = _workbook(tmp_path / "mex.xlsx", "Archive", [
        header,
        ("1317275612260691969", "pattyliz76", "@BBVA_Mex me dieron una tarjeta que no puedo activar", None),
        ("1317277287977504770", "juan_csgz", "@BBVA_Mex @SantanderMx ¿y el rendimiento?", "1317208698209566720"),
        ("1317208698209566720", "BBVA_Mex", "Invierte desde la app", None),  # the bank's own post
    ])
    santander = _workbook(tmp_path / "santander.xlsx", "Archive", [
        header,
        ("1317277287977504770", "juan_csgz", "@BBVA_Mex @SantanderMx ¿y el rendimiento?", "1317208698209566720"),
    ])
    rows = list(sources.client_listener_rows([("BBVA_Mex", mex), ("SantanderMx", santander)]))
    assert [(r["row_id"], r["brand"], r["role"], r["conversation_id"]) for r in rows] == [
        ("tw-1317275612260691969", "BBVA_Mex", "customer", "tw-1317275612260691969"),
        ("tw-1317277287977504770", "BBVA_Mex", "customer", "tw-1317208698209566720"),
    ]


def test_rtweet_timelines_give_each_reply_once_without_retweets(tmp_path):
    # the columns of an rtweet export that the readers use; ids with and without the "x" some
    # exports put in front (Iberia's file), a reply found in two files (Corpoelec's: 9 such ids)
    header = ("status_id", "screen_name", "text", "is_retweet")
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    for path, rows in ((one, [
        ("x1025767427601309696", "Iberia", "@titocharly Hola, Carlitos. Compártenos los datos por DM.", "FALSE"),
        ("994726015766290432", "CORPOELECinfo", "RT @LMOTTAD: Trabajamos en la zona", "TRUE"),
        ("994726015766290433", "CORPOELECinfo", "Mantenimiento programado en Caracas", "FALSE"),
    ]), (two, [
        ("1025767427601309696", "Iberia", "@titocharly Hola, Carlitos. Compártenos los datos por DM.", "FALSE"),
        ("996912561835724800", "corpoelecmerida", "@nilicerra Estimada, indique su NIC", "FALSE"),
    ])):
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([header, *rows])
    assert [(tid, row["screen_name"]) for row, tid in sources.rtweet_replies([one, two])] == [
        ("1025767427601309696", "Iberia"), ("996912561835724800", "corpoelecmerida")]
