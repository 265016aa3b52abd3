"""The fast classification path against a plain reference computation of the published model.

``classify_messages`` (and ``Classifiers.probabilities``) hash n-grams of whole batches with
vectorised NumPy, multiply sparse matrices, score clauses for sentiment only and cut large
frames into blocks scored in threads. Here the same numbers are computed the slow, obvious way,
one message at a time in Python, from what the model publishes: the feature layout documented in
``pipelines/classifier/features.py`` and the arrays of ``models/classifiers.npz`` and
``classifiers.json`` (read here, not through ``model.load``). Nothing is a stored expectation, so
the test holds for any retrained model of the same layout.

The reference does the model's arithmetic in its own order and precision (float32: each kind of
n-gram summed occurrence by occurrence, scaled by 1/sqrt(its count), the kinds added, then the
biases and a softmax), so labels must be equal and probabilities equal to 1e-9. Its inputs are
the normalised texts and lexicon signals of ``features.prepare`` (the rules that turn a text
into what the model reads; the lexicon's own tests are in test_classify.py).
"""

from __future__ import annotations

import json
import math
import string
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from pipelines.classifier.features import SIGNALS, FeatureSpec, prepare, signal_names
from pipelines.classifier.model import MODEL_DIR, TASKS, default
from pipelines.classify import classify_messages

REPO = Path(__file__).resolve().parents[1]
TOLERANCE = 1e-9
MASK = 0xFFFFFFFF
BASE = 0x01000193  # the documented hash: polynomial modulo 2**32 over code points
MIX = 0x9E3779B1

# ----------------------------------------------------------------------------- the reference


def bucket(value: int, salt: int, bits: int) -> int:
    """Multiplicative hashing of a salted 32-bit hash into 2**bits buckets."""
    salted = value ^ (salt * 0x632BE59B & MASK)
    return (salted * MIX & MASK) >> (32 - bits)


def is_word(char: str) -> bool:
    """ASCII letters and digits, _ ' and @ (of the @user placeholders), and U+00C0 to U+1FFF."""
    return char in string.ascii_letters + string.digits + "_'@" or 0xC0 <= ord(char) < 0x2000


def tokens(text: str) -> list[str]:
    """Words (runs of word characters) and every other non-space character on its own."""
    out, word = [], ""
    for char in text:
        if is_word(char):
            word += char
            continue
        if word:
            out.append(word)
            word = ""
        if ord(char) > 32:
            out.append(char)
    return out + ([word] if word else [])


def char_hash(gram: str) -> int:
    """Character n-grams: Horner's rule, first character highest."""
    value = 0
    for char in gram:
        value = (value * BASE + ord(char)) & MASK
    return value


def word_hash(word: str) -> int:
    """Words: sum of code * BASE**position, first character lowest."""
    return sum(ord(char) * pow(BASE, k, 1 << 32) for k, char in enumerate(word)) & MASK


def occurrences(normalised: str, signals: list[str], spec: FeatureSpec) -> list[tuple[list[list[int]], float | None]]:
    """The text's features as groups: (buckets of each part, in order of occurrence; weight)."""
    padded = f" {normalised} "
    groups = []
    if spec.char_max >= spec.char_min:
        parts = [
            [bucket(char_hash(padded[i : i + n]), n, spec.bits) for i in range(len(padded) - n + 1)]
            for n in range(spec.char_min, spec.char_max + 1)
        ]
        count = sum(map(len, parts))
        groups.append((parts, 1.0 / math.sqrt(max(count, 1))))
    if spec.words:
        hashes = [word_hash(token) for token in tokens(padded)]
        parts = [[bucket(h, 100, spec.bits) for h in hashes]]
        if spec.bigrams:
            parts.append(
                [bucket((a * BASE + b) & MASK, 101, spec.bits) for a, b in zip(hashes, hashes[1:], strict=False)]
            )
        groups.append((parts, 1.0 / math.sqrt(max(sum(map(len, parts)), 1))))
    if signal_names(spec):
        groups.append(([[bucket(SIGNALS.index(name), 200, spec.bits) for name in signals]], None))
    return groups


class Reference:
    """The published model (classifiers.npz + classifiers.json), scored one text at a time."""

    def __init__(self, directory: Path = MODEL_DIR) -> None:
        card = json.loads((directory / "classifiers.json").read_text(encoding="utf-8"))
        self.spec = FeatureSpec(**card["spec"])
        self.classes = {task: card["classes"][task] for task in TASKS}
        with np.load(directory / "classifiers.npz", allow_pickle=False) as arrays:
            self.rows = {int(row): i for i, row in enumerate(arrays["rows"])}
            self.stored = arrays["weights"].astype(np.float32)
            self.bias = arrays["bias"].astype(np.float32)
        self.zero = np.zeros(self.stored.shape[1], dtype=np.float32)

    def weight_row(self, bucket_: int) -> np.ndarray:
        return self.stored[self.rows[bucket_]] if bucket_ in self.rows else self.zero

    def score(self, normalised: str, signals: list[str]) -> np.ndarray:
        """float32 linear scores of one text, biases included."""
        total = np.zeros_like(self.zero)
        for parts, weight in occurrences(normalised, signals, self.spec):
            summed = np.zeros_like(self.zero)
            for part in parts:
                partial = np.zeros_like(self.zero)
                for bucket_ in part:
                    partial += self.weight_row(bucket_)
                summed += partial
            total += summed if weight is None else summed * np.float32(weight)
        return total + self.bias

    def probabilities(self, texts: pl.Series) -> dict[str, np.ndarray]:
        normalised, signals = prepare(texts, self.spec)
        names = signal_names(self.spec)
        scores = np.vstack(
            [
                self.score(text, [] if signals is None else [n for n, on in zip(names, row, strict=True) if on])
                for text, row in zip(
                    normalised, signals if signals is not None else [()] * len(normalised), strict=True
                )
            ]
        )
        out, start = {}, 0
        for task in TASKS:
            block = scores[:, start : start + len(self.classes[task])]
            start += block.shape[1]
            exp = np.exp(block - block.max(axis=1, keepdims=True))
            out[task] = exp / exp.sum(axis=1, keepdims=True)
        return out

    def labels(self, task: str, probabilities: np.ndarray) -> list[str]:
        return [self.classes[task][i] for i in probabilities.argmax(axis=1)]


# ----------------------------------------------------------------------------- the texts


@pytest.fixture(scope="module")
def texts() -> pl.Series:
    """About 300 real texts of the corpus (every k-th by row id), and a few edge cases."""
    corpus = pl.read_csv(REPO / "corpus" / "messages.csv", infer_schema=False, columns=["row_id", "text"])
    real = corpus.filter(pl.col("text").str.strip_chars() != "").sort("row_id")["text"]
    sample = real.gather_every(max(len(real) // 300, 1))
    edge = ["", None, "?", "@user", "https://t.co/x", "¡¡Genial!! 😀😀", "ÑANDÚ  \t\n 123-456", "x" * 2000]
    return pl.concat([sample, pl.Series(edge, dtype=pl.String)])


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference()


@pytest.fixture(scope="module")
def expected(reference: Reference, texts: pl.Series) -> dict[str, np.ndarray]:
    return reference.probabilities(texts)


def test_the_reference_reads_the_documented_layout() -> None:
    # the two hash conventions and the tokeniser, on cases small enough to check by hand
    assert char_hash("ab") == (ord("a") * BASE + ord("b")) & MASK
    assert word_hash("ab") == (ord("a") + ord("b") * BASE) & MASK
    assert tokens(" hola, @user ¿qué? ") == ["hola", ",", "@user", "¿", "qué", "?"]
    spec = FeatureSpec(char_min=2, char_max=3, lexicon=False)
    (chars, char_weight), (words, word_weight) = occurrences("ab", [], spec)
    assert [len(part) for part in chars] == [3, 2] and char_weight == pytest.approx(1 / math.sqrt(5))
    assert [len(part) for part in words] == [1, 0] and word_weight == 1.0


def test_the_model_scores_as_the_reference(reference: Reference, texts: pl.Series, expected: dict) -> None:
    fast = default().probabilities(*prepare(texts, default().spec))
    for task in TASKS:
        assert fast[task].shape == expected[task].shape
        assert reference.labels(task, fast[task]) == reference.labels(task, expected[task]), task
        assert np.abs(fast[task].astype(np.float64) - expected[task]).max() <= TOLERANCE, task
    # only the sentiment columns, as clauses are scored
    alone = default().probabilities(*prepare(texts, default().spec), ("sentiment",), threads=False)
    assert np.abs(alone["sentiment"].astype(np.float64) - expected["sentiment"]).max() <= TOLERANCE


def test_the_classification_step_publishes_the_reference(
    reference: Reference, texts: pl.Series, expected: dict
) -> None:
    lang = pl.Series([None, "es", "en"] * len(texts), dtype=pl.String)[: len(texts)]
    out = classify_messages(pl.DataFrame({"text": texts, "lang": lang}))
    assert out["intent"].to_list() == reference.labels("intent", expected["intent"])
    assert out["sentiment"].to_list() == reference.labels("sentiment", expected["sentiment"])
    channels = reference.labels("deflection", expected["deflection"])
    assert out["deflection"].to_list() == [None if c == "none" else c for c in channels]
    positive, negative = (reference.classes["sentiment"].index(c) for c in ("positive", "negative"))
    score = expected["sentiment"][:, positive] - expected["sentiment"][:, negative]  # float32, as published
    assert np.abs(out["sentiment_score"].to_numpy() - score).max() <= TOLERANCE
    assert np.abs(out["intent_confidence"].to_numpy() - expected["intent"].max(axis=1)).max() <= TOLERANCE

    # each clause of a message naming several brands: its own sentiment, as the reference reads it
    clauses = out.select(pl.col("clauses").explode()).unnest("clauses").drop_nulls("text")
    assert clauses.height > 20, "the sample should hold messages split into clauses"
    clause_expected = reference.probabilities(clauses["text"])["sentiment"]
    assert clauses["sentiment"].to_list() == reference.labels("sentiment", clause_expected)
    clause_score = clause_expected[:, positive] - clause_expected[:, negative]
    assert np.abs(clauses["sentiment_score"].to_numpy() - clause_score).max() <= TOLERANCE


def test_a_large_frame_in_threaded_blocks_is_classified_as_its_rows_alone(texts: pl.Series) -> None:
    # more than two blocks' worth of rows: cut into blocks, classified in threads, put back in
    # order; every row must read as it does in a small frame of its own texts
    from pipelines.classifier.model import PARALLEL_ROWS

    repeats = 2 * PARALLEL_ROWS // len(texts) + 2
    frame = pl.DataFrame({"text": texts, "lang": pl.Series([None] * len(texts), dtype=pl.String)})
    alone = classify_messages(frame)
    copies = [frame.with_columns(copy=pl.lit(k, pl.UInt32)) for k in range(repeats)]
    large = classify_messages(pl.concat(copies))
    assert large.height == repeats * len(texts)
    expected = pl.concat([alone.with_columns(copy=pl.lit(k, pl.UInt32)) for k in range(repeats)])
    assert large.select(expected.columns).equals(expected)
