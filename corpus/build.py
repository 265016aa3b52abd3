"""Build the labelled corpus of real customer-care messages (see README.md and POLICY.md).

    python corpus/build.py pool --raw DIR      # sample the public files -> pool.csv + work/batch_NN.csv
    python corpus/build.py batches --raw DIR   # rewrite work/batch_NN.csv from pool.csv (texts from DIR)
    python corpus/build.py tass --raw DIR      # take the TASS tweets -> tass.csv (ids and TASS's labels)
    python corpus/build.py build [--raw DIR]   # pool.csv + work/labels_NN.csv + tass.csv -> messages.csv

``DIR`` holds the public files named in README.md (checked by sha256). No network.
``build`` writes ``messages.csv`` with the texts the licences let us commit (other texts
empty); with ``--raw`` it also writes ``messages_full.csv`` (every text; not committed).
TASS rows are not drawn or labelled here: general tweets with their human sentiment labels,
they join ``messages.csv`` as sentiment-only rows of the train split (README.md).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from collections import Counter, defaultdict
from pathlib import Path

from pipelines.classifier.corpus import COLUMNS as MESSAGE_COLUMNS  # the corpus columns: one list

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import sources  # type: ignore[no-redef]
else:
    from . import sources

HERE = Path(__file__).resolve().parent
SEED = "brandcare-corpus-1"
BATCH_SIZE = 550

#: How many messages to draw from each (source, role), in this order (earlier quotas win a
#: text that appears in two places). Grown twice (README.md, "How the pool was drawn"): a grown
#: quota takes the next rows of the same order, so the rows drawn before stay; Citibanamex's
#: quotas are its file's counts (every message).
QUOTAS = (
    ("amazonhelp", "customer", 300),
    ("spotify", "customer", 900),
    ("twcs_small", "customer", 2678),
    ("twcs_small", "brand", 1800),
    ("us_airline", "customer", 1100),
    ("banamex", "customer", 2723),
    ("banamex", "brand", 1155),
    ("ibm", "brand", 1139),
    ("bbva2020", "brand", 1200),
    ("client_listener", "customer", 2600),
    # the fifth drawing (README.md): brand replies of sources found then
    ("twcs_brands", "brand", 700),
    ("iberia", "brand", 500),
    ("corpoelec", "brand", 500),
    ("delta", "brand", 300),
)

POOL_COLUMNS = (
    "row_id",
    "source",
    "source_id",
    "lang",
    "role",
    "brand",
    "conversation_id",
    "text",
    "given_sentiment",
)
#: What a labeller sees: the pool's columns but the source's own id.
BATCH_COLUMNS = tuple(c for c in POOL_COLUMNS if c != "source_id")
LABEL_COLUMNS = ("row_id", "intent", "sentiment", "deflection", "note")
#: the TASS tweets taken (pool.csv's columns, texts empty: research use only)
TASS_FILE = "tass.csv"

INTENTS = ("complaint", "question", "praise", "other")
SENTIMENTS = ("positive", "neutral", "negative")
#: The channels of pipelines/classify.py's DEFLECTION_ORDER, plus "none" (classify.py: NULL).
DEFLECTIONS = ("dm", "phone", "email", "web", "store", "none")
EXCLUDE = "exclude"
SPLITS = (("train", 0.70), ("dev", 0.15), ("test", 0.15))
#: row_id -> split of every pool row already given one: kept when the pool grows
SPLITS_FILE = "splits.csv"


class CorpusError(Exception):
    """A pool, batch or label file that cannot be used; the message names the file and row."""


def _hash(*parts: str) -> str:
    return hashlib.sha256("|".join((SEED, *parts)).encode()).hexdigest()


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise CorpusError(f"{path}: missing columns {sorted(missing)}")
        return list(reader)


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        # the writer quotes a field holding the line terminator "\n" but not one holding a lone
        # "\r" (twcs texts have them), which every reader takes for a line break: such rows are
        # written with every field quoted
        quoted = csv.DictWriter(
            f, fieldnames=columns, extrasaction="ignore", lineterminator="\n", quoting=csv.QUOTE_ALL
        )
        writer.writeheader()
        for row in rows:
            carriage = any(isinstance(value, str) and "\r" in value for value in row.values())
            (quoted if carriage else writer).writerow(row)
    tmp.replace(path)


# --- pool --------------------------------------------------------------------------------


def sample_pool(candidates: list[dict]) -> list[dict]:
    """The quota of each (source, role), drawn in a fixed pseudo-random order.

    Skipped: empty texts, retweets ("RT @...": not the author's own message) and any text
    already drawn (exact duplicates, after trimming spaces).
    """
    by_stratum: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in candidates:
        by_stratum[row["source"], row["role"]].append(row)
    seen_text: set[str] = set()
    seen_id: set[str] = set()
    pool = []
    for source, role, quota in QUOTAS:
        rows = sorted(by_stratum[source, role], key=lambda r: _hash(r["row_id"]))
        taken = 0
        for row in rows:
            text = row["text"].strip()
            if taken == quota:
                break
            if not text or text.startswith("RT @") or text in seen_text or row["row_id"] in seen_id:
                continue
            seen_text.add(text)
            seen_id.add(row["row_id"])
            pool.append(row)
            taken += 1
    return pool


def write_pool(pool: list[dict], path: Path) -> None:
    """pool.csv: the drawn rows, with the texts of sources we may not commit left empty."""
    rows = [
        {**r, "text": r["text"] if sources.SOURCES[r["source"]].commit_text else ""} for r in pool
    ]
    _write_csv(path, POOL_COLUMNS, rows)


def read_pool(path: Path, raw: Path | None) -> list[dict]:
    """pool.csv, with the texts not committed filled from the public files when ``raw`` is given."""
    pool = _read_csv(path, POOL_COLUMNS)
    hidden = {r["source"] for r in pool if not sources.SOURCES[r["source"]].commit_text}
    if raw is not None and hidden:
        texts = sources.texts_by_row_id(raw, hidden)
        for row in pool:
            if row["source"] in hidden:
                if row["row_id"] not in texts:
                    raise CorpusError(f"{path}: {row['row_id']} not found in the public file")
                row["text"] = texts[row["row_id"]]
    return pool


def write_batches(pool: list[dict], work: Path) -> list[Path]:
    """work/batch_NN.csv: the pool rows that no labels_NN.csv names yet, shuffled (sources and
    languages mixed), ~BATCH_SIZE rows each, numbered after the last labels file (a grown pool
    gets new batches; labelled batches are never dealt again)."""
    labelled, last = set(), 0
    for path in sorted(work.glob("labels_*.csv")):
        labelled.update(r["row_id"] for r in _read_csv(path, LABEL_COLUMNS))
        last = max(last, int(path.stem.removeprefix("labels_")))
    todo = [r for r in pool if r["row_id"] not in labelled]
    if not todo:
        return []
    n = max(1, round(len(todo) / BATCH_SIZE))
    order = sorted(todo, key=lambda r: _hash("batch", r["row_id"]))
    paths = []
    for i in range(n):
        path = work / f"batch_{last + i + 1:02d}.csv"
        _write_csv(path, BATCH_COLUMNS, order[i::n])
        paths.append(path)
    return paths


# --- TASS: sentiment-only rows ------------------------------------------------------------


def select_tass(candidates: list[dict], taken_texts: set[str]) -> list[dict]:
    """Every TASS tweet once, in the files' order (sources.tass), labels as given.

    Left out: every copy of a tweet id given twice with another text or label, and of a text
    (trimmed) given with two labels (which label holds is unknown); later copies of a text;
    empty texts and retweets; any text in ``taken_texts`` (the pool's: a dev or test text is
    never trained on).
    """
    by_id: dict[str, set] = defaultdict(set)
    by_text: dict[str, set] = defaultdict(set)
    for row in candidates:
        by_id[row["row_id"]].add((row["text"], row["given_sentiment"]))
        by_text[row["text"].strip()].add(row["given_sentiment"])
    seen: set[str] = set()
    out = []
    for row in candidates:
        text = row["text"].strip()
        if not text or text.startswith("RT @") or text in taken_texts or text in seen:
            continue
        if len(by_id[row["row_id"]]) > 1 or len(by_text[text]) > 1:
            continue
        seen.add(text)
        out.append(row)
    return out


def tass_messages(rows: list[dict], path: Path) -> list[dict]:
    """The rows of tass.csv as corpus messages: sentiment only (TASS's label in POLICY.md's
    vocabulary), no intent or deflection, all in the train split."""
    out = []
    for line, row in enumerate(rows, start=2):
        sentiment = sources.TASS_SENTIMENT.get(row["given_sentiment"])
        if row["source"] != "tass" or sentiment is None:
            raise CorpusError(
                f"{path.name}:{line}: {row['row_id']}: source {row['source']!r}, label "
                f"{row['given_sentiment']!r} (expected tass and one of {sorted(sources.TASS_SENTIMENT)})"
            )
        out.append(
            {
                **row,
                "licence": sources.SOURCES["tass"].licence,
                "intent": "",
                "sentiment": sentiment,
                "deflection": "",
                "split": "train",
            }
        )
    return out


# --- splits ------------------------------------------------------------------------------


def assign_splits(pool: list[dict], pinned: dict[str, str] | None = None) -> dict[str, str]:
    """row_id -> train/dev/test, grouped so that no group sits on two sides.

    Groups join every message of a conversation and every reply of a brand (one brand's
    templates stay on one side). Exception: Citibanamex is the only source of Spanish brand
    replies, so its replies are grouped by conversation only (README.md says why). Groups
    are dealt, largest first (ties by hash), to the split furthest below its share of each
    language x role stratum the group holds.

    ``pinned`` (row_id -> split, :data:`SPLITS_FILE`): splits given before the pool grew. A
    pinned row keeps its split, a new row joins the split of the pinned rows of its group, and
    only groups with no pinned row are dealt (the pinned rows count as filled), so a test row
    stays a test row. A new row whose group holds pinned rows of two splits (it links a
    conversation and a brand that sit on different sides) gets no split: it is left out.
    """
    pinned = pinned or {}
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for row in pool:
        union("row:" + row["row_id"], "conv:" + row["conversation_id"])
        if row["role"] == "brand" and row["source"] != "banamex" and row["brand"]:
            union("row:" + row["row_id"], "brand:" + row["brand"].lower())

    groups: dict[str, list[dict]] = defaultdict(list)
    for row in pool:
        groups[find("row:" + row["row_id"])].append(row)

    totals = Counter((r["lang"], r["role"]) for r in pool)
    filled: dict[str, Counter] = {name: Counter() for name, _ in SPLITS}
    out: dict[str, str] = {}
    dealt = []
    for key, rows in groups.items():
        sides = {pinned[r["row_id"]] for r in rows if r["row_id"] in pinned}
        if not sides:
            dealt.append(key)
            continue
        for row in rows:
            name = pinned.get(row["row_id"]) or (next(iter(sides)) if len(sides) == 1 else None)
            if name is not None:
                out[row["row_id"]] = name
                filled[name][row["lang"], row["role"]] += 1
    for key in sorted(dealt, key=lambda k: (-len(groups[k]), _hash("split", k))):
        rows = groups[key]
        strata = Counter((r["lang"], r["role"]) for r in rows)

        name = max(SPLITS, key=lambda split: _deficit(split, strata, totals, filled))[0]
        filled[name].update(strata)
        out.update({r["row_id"]: name for r in rows})
    return out


def read_splits(path: Path) -> dict[str, str]:
    """row_id -> split of :data:`SPLITS_FILE` (empty when the file does not exist yet)."""
    if not path.is_file():
        return {}
    rows = _read_csv(path, ("row_id", "split"))
    names = {name for name, _ in SPLITS}
    for line, row in enumerate(rows, start=2):
        if row["split"] not in names:
            raise CorpusError(f"{path}:{line}: {row['row_id']}: split {row['split']!r} not one of {sorted(names)}")
    return {r["row_id"]: r["split"] for r in rows}


def _deficit(split: tuple[str, float], strata: Counter, totals: Counter, filled: dict) -> float:
    """How far ``split`` is below its share of the strata a group holds, weighted by the group."""
    name, share = split
    return sum(c * (share * totals[s] - filled[name][s]) / totals[s] for s, c in strata.items())


# --- labels ------------------------------------------------------------------------------


def read_labels(work: Path, pool_by_id: dict[str, dict]) -> dict[str, dict]:
    """Every labels_NN.csv, checked against the pool and the vocabularies of POLICY.md."""
    labels: dict[str, dict] = {}
    reserved = sources.reserved_ids()
    for path in sorted(work.glob("labels_*.csv")):
        for line, row in enumerate(_read_csv(path, LABEL_COLUMNS), start=2):
            where = f"{path.name}:{line}: {row['row_id']}"
            base = pool_by_id.get(row["row_id"])
            if base is None and row["row_id"].split("-", 1)[-1] in reserved:
                continue  # labelled before the reserved ids were dropped from the pool
            if base is None:
                raise CorpusError(f"{where}: not in pool.csv")
            row = {k: (row.get(k) or "").strip().lower() for k in LABEL_COLUMNS[1:4]} | {
                "row_id": row["row_id"],
                "note": row.get("note") or "",
            }
            if EXCLUDE in (row["intent"], row["sentiment"], row["deflection"]):
                row["excluded"] = True
            else:
                _check_label(row, base["role"], where)
                row["excluded"] = False
            previous = labels.get(row["row_id"])
            if previous is not None and {k: previous[k] for k in LABEL_COLUMNS[1:4]} != {
                k: row[k] for k in LABEL_COLUMNS[1:4]
            }:
                raise CorpusError(f"{where}: labelled twice, differently")
            labels[row["row_id"]] = row
    return labels


def _check_label(row: dict, role: str, where: str) -> None:
    if role == "customer":
        if row["intent"] not in INTENTS:
            raise CorpusError(f"{where}: intent {row['intent']!r} not one of {INTENTS}")
        if row["sentiment"] not in SENTIMENTS:
            raise CorpusError(f"{where}: sentiment {row['sentiment']!r} not one of {SENTIMENTS}")
        if row["deflection"]:
            raise CorpusError(f"{where}: a customer message has no deflection")
    else:
        if row["deflection"] not in DEFLECTIONS:
            raise CorpusError(f"{where}: deflection {row['deflection']!r} not one of {DEFLECTIONS}")
        if row["sentiment"] and row["sentiment"] not in SENTIMENTS:
            raise CorpusError(f"{where}: sentiment {row['sentiment']!r} not one of {SENTIMENTS}")
        if row["intent"]:
            raise CorpusError(f"{where}: a brand reply has no intent")


def build_messages(pool: list[dict], labels: dict[str, dict], splits: dict[str, str]) -> list[dict]:
    """The labelled, not excluded rows of the pool that have a split, with licence and split,
    in pool order."""
    out = []
    for row in pool:
        label = labels.get(row["row_id"])
        if label is None or label["excluded"] or row["row_id"] not in splits:
            continue
        out.append(
            {
                **row,
                "licence": sources.SOURCES[row["source"]].licence,
                "intent": label["intent"],
                "sentiment": label["sentiment"],
                "deflection": label["deflection"],
                "split": splits[row["row_id"]],
            }
        )
    return out


def summary(
    pool: list[dict], messages: list[dict], labels: dict[str, dict], tass: list[dict], splits: dict[str, str]
) -> str:
    """Counts per split x lang x role of the pool, the label distribution of each, and the TASS rows."""
    excluded = sum(1 for v in labels.values() if v["excluded"])
    lines = [
        (
            f"pool {len(pool)} rows, labelled {len(labels)} ({excluded} excluded), "
            f"{len(pool) - len(splits)} without a split (their group sits on two sides), "
            f"TASS {len(tass)} rows, messages.csv {len(messages) + len(tass)} rows"
        )
    ]
    pool_counts = Counter((splits[r["row_id"]], r["lang"], r["role"]) for r in pool if r["row_id"] in splits)
    lines.append("split  lang role      pool labelled  labels")
    for key in sorted(pool_counts):
        rows = [m for m in messages if (m["split"], m["lang"], m["role"]) == key]
        fields = ("intent", "sentiment") if key[2] == "customer" else ("deflection",)
        dist = "; ".join(
            f"{f}: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(m[f] for m in rows).items()))
            for f in fields
        )
        lines.append(f"{key[0]:6} {key[1]:4} {key[2]:9} {pool_counts[key]:5} {len(rows):8}  {dist}")
    dist = ", ".join(f"{k} {v}" for k, v in sorted(Counter(m["sentiment"] for m in tass).items()))
    lines.append(f"train  es   TASS (general tweets, sentiment only) {len(tass)}  sentiment: {dist}")
    return "\n".join(lines)


# --- command line ------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("pool", "batches", "tass", "build"))
    parser.add_argument("--raw", type=Path, help="directory holding the public files")
    parser.add_argument("--dir", type=Path, default=HERE, help="corpus directory (default: here)")
    args = parser.parse_args(argv)
    pool_path, work, tass_path = args.dir / "pool.csv", args.dir / "work", args.dir / TASS_FILE
    try:
        if args.command in ("pool", "batches", "tass") and args.raw is None:
            raise CorpusError(f"{args.command} needs --raw DIR")
        if args.command == "pool":
            pool = sample_pool(sources.read_all(args.raw))
            write_pool(pool, pool_path)
            print(f"{pool_path}: {len(pool)} rows")
        if args.command in ("pool", "batches"):
            pool = read_pool(pool_path, args.raw)
            for path in write_batches(pool, work):
                rows = _read_csv(path, BATCH_COLUMNS)
                counts = Counter((r["lang"], r["role"]) for r in rows)
                print(f"{path}: {len(rows)} rows", dict(sorted(counts.items())))
        if args.command == "tass":
            taken = {r["text"].strip() for r in read_pool(pool_path, args.raw)}
            rows = select_tass(list(sources.tass(args.raw)), taken)
            write_pool(rows, tass_path)
            print(f"{tass_path}: {len(rows)} rows", dict(sorted(Counter(r["given_sentiment"] for r in rows).items())))
        if args.command == "build":
            pool = read_pool(pool_path, args.raw)
            labels = read_labels(work, {r["row_id"]: r for r in pool})
            splits = assign_splits(pool, read_splits(args.dir / SPLITS_FILE))
            messages = build_messages(pool, labels, splits)
            if not tass_path.is_file():
                raise CorpusError(f"{tass_path}: missing; write it with `build.py tass --raw DIR`")
            tass = tass_messages(read_pool(tass_path, args.raw), tass_path)
            committed = [
                {**m, "text": m["text"] if sources.SOURCES[m["source"]].commit_text else ""}
                for m in messages + tass
            ]
            _write_csv(args.dir / "messages.csv", MESSAGE_COLUMNS, committed)
            _write_csv(
                args.dir / SPLITS_FILE,
                ("row_id", "split"),
                [{"row_id": r["row_id"], "split": splits[r["row_id"]]} for r in pool if r["row_id"] in splits],
            )
            if args.raw is not None:
                _write_csv(args.dir / "messages_full.csv", MESSAGE_COLUMNS, messages + tass)
            print(summary(pool, messages, labels, tass, splits))
    except (CorpusError, sources.SourceError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
