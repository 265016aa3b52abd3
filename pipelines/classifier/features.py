"""Hashed n-gram features of message texts, computed with vectorised NumPy (no Python per row).

A text is normalised (lower case, accents folded, links -> ``@url``, e-mail addresses ->
``@email``, @handles -> ``@user``, every digit -> ``0``, whitespace collapsed), then turned
into occurrences of

* character n-grams of the normalised text (``CHAR_NGRAMS``, across word boundaries),
* word unigrams and bigrams (a word is a run of letters, digits, ``_`` and ``'``; every other
  non-space character, such as ``?``, ``!`` or an emoji, is a word of its own),
* lexicon signals of :mod:`pipelines.classify` (optional, ``FeatureSpec.lexicon``): the
  lexicon's complaint / question / thanks matches, its deflection channel, and the sign of
  its sentiment sum,

each hashed into one of ``2**bits`` buckets by a polynomial hash over the code points (a
prefix sum, so every n-gram's hash is O(1) and the whole batch is a handful of array
operations). Each occurrence weighs ``1 / sqrt(occurrences of its group in the text)``, so
long and short texts have comparable vectors. The result is a CSR matrix whose duplicate
entries (an n-gram seen twice) add up in any product, which is all a linear model needs.

The hash is defined here, not by a library, so it cannot change under a dependency upgrade:
a model trained with one installation reads the same buckets on any other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import polars as pl
from scipy import sparse

#: odd 64-bit multipliers (odd, so that they are invertible modulo 2**64).
_BASE = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SEPARATOR = 1  # code point placed between texts; never in a normalised text
_SPACE = 32


@dataclass(frozen=True)
class FeatureSpec:
    """What :func:`featurise` extracts. Stored with a model: a model reads only its own spec."""

    bits: int = 18
    char_min: int = 2
    char_max: int = 5
    words: bool = True
    bigrams: bool = True
    lexicon: bool = False

    @property
    def n_features(self) -> int:
        return 1 << self.bits

    def as_dict(self) -> dict:
        return asdict(self)


NORMALISED = "__features_normalised"  # working column names of feature_columns()


def normalise(folded: pl.Expr) -> pl.Expr:
    """The text the n-grams are read from, given :func:`pipelines.classify.fold` of the text."""
    from pipelines.classify import EMAIL_PATTERN, HANDLE_PATTERN, LINK_PATTERN

    return (
        folded.fill_null("")
        .str.replace_all(EMAIL_PATTERN, " @email ")
        .str.replace_all(LINK_PATTERN, " @url ")
        .str.replace_all(HANDLE_PATTERN, " @user ")
        .str.replace_all(r"\d", "0")
        .str.replace_all(r"[\x00-\x20\s]+", " ")
        .str.strip_chars()
    )


def _codes(texts: pl.Series) -> np.ndarray:
    """All texts as one uint64 array of code points: `` text `` blocks joined by a separator."""
    joined = (" " + texts.fill_null("") + " ").str.join(chr(_SEPARATOR)).item()
    return np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _prefix_hashes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``prefix[i] = sum(codes[k] * B**k, k < i)`` and ``inverse[i] = B**-i`` modulo 2**64.

    The hash of ``codes[a:b]`` is ``(prefix[b] - prefix[a]) * inverse[a]``: the same value
    wherever the substring occurs.
    """
    size = codes.size
    powers = np.empty(size + 1, dtype=np.uint64)
    powers[0] = 1
    powers[1:] = _BASE
    np.cumprod(powers, out=powers)  # wraps modulo 2**64, as intended
    inverse_base = np.uint64(pow(int(_BASE), -1, 1 << 64))
    inverse = np.empty(size + 1, dtype=np.uint64)
    inverse[0] = 1
    inverse[1:] = inverse_base
    np.cumprod(inverse, out=inverse)
    prefix = np.zeros(size + 1, dtype=np.uint64)
    np.cumsum(codes * powers[:-1], out=prefix[1:])
    return prefix, inverse


def _span_hash(prefix: np.ndarray, inverse: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    return (prefix[end] - prefix[start]) * inverse[start]


def _bucket(hashes: np.ndarray, salt: int, bits: int) -> np.ndarray:
    """Multiplicative hashing of salted 64-bit hashes into ``2**bits`` buckets."""
    salted = hashes ^ np.uint64(salt * 0x632BE59BD9B4E019 & 0xFFFFFFFFFFFFFFFF)
    salted *= _MIX
    salted >>= np.uint64(64 - bits)
    return salted.astype(np.int32)


def _is_word(codes: np.ndarray) -> np.ndarray:
    ascii_word = (
        ((codes >= 48) & (codes <= 57))
        | ((codes >= 97) & (codes <= 122))
        | ((codes >= 65) & (codes <= 90))
        | (codes == 95)  # _
        | (codes == 39)  # '
        | (codes == 64)  # @ of the @url / @user placeholders
    )
    return ascii_word | ((codes >= 0xC0) & (codes < 0x2000))


def _occurrences(codes: np.ndarray, spec: FeatureSpec) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """(document index, bucket) of every n-gram occurrence, grouped: the character n-grams,
    then the words and bigrams. Within a group, each part is sorted by document."""
    size = codes.size
    separator = codes == _SEPARATOR
    doc_of = np.cumsum(separator)  # document index of each position (separators excluded below)
    prefix, inverse = _prefix_hashes(codes)
    groups = []
    chars = []
    rolling = codes.copy()  # rolling[i] = hash of codes[i:i + n], n growing by one per step
    for n in range(1, spec.char_max + 1):
        if n > 1:
            rolling = rolling[:-1] * _BASE + codes[n - 1 :]
        if n >= spec.char_min and rolling.size:
            # an n-gram inside one text: no separator among its n characters
            inside = doc_of[: size - n + 1] == doc_of[n - 1 :]
            inside &= ~separator[: size - n + 1]
            chars.append((doc_of[: size - n + 1][inside], _bucket(rolling[inside], n, spec.bits)))
    if chars:
        groups.append(chars)
    if spec.words:
        word = _is_word(codes)
        previous = np.concatenate(([False], word[:-1]))
        following = np.concatenate((word[1:], [False]))
        is_start = (word & ~previous) | (~word & ~separator & (codes != _SPACE))
        token_start = np.flatnonzero(is_start)  # in text order, so sorted by document
        ends = np.flatnonzero(word & ~following) + 1
        # a word ends at the first word end at or after its start; a symbol is one character
        following_end = np.minimum(np.searchsorted(ends, token_start, "right"), max(ends.size - 1, 0))
        token_end = np.where(word[token_start], ends[following_end] if ends.size else 0, token_start + 1)
        token_hash = _span_hash(prefix, inverse, token_start, token_end)
        token_doc = doc_of[token_start]
        parts = [(token_doc, _bucket(token_hash, 100, spec.bits))]
        if spec.bigrams and token_hash.size > 1:
            same = token_doc[1:] == token_doc[:-1]
            pair = token_hash[:-1][same] * _BASE + token_hash[1:][same]
            parts.append((token_doc[1:][same], _bucket(pair, 101, spec.bits)))
        groups.append(parts)
    return groups


LEXICON_SIGNALS = (
    "lex_complaint",
    "lex_question",
    "lex_thanks",
    "lex_positive",
    "lex_negative",
    "lex_dm",
    "lex_phone",
    "lex_email",
    "lex_web",
    "lex_store",
)


def feature_columns(spec: FeatureSpec, folded: pl.Expr, plain: pl.Expr) -> list[pl.Expr]:
    """The columns :func:`features_of` reads, from the folded and plain text of
    :mod:`pipelines.classify` (pass columns, not long expressions: each is read several times).

    The lexicon signals are cheap matches of that module's lexicons: its complaint and
    question patterns, its thanks rule, its deflection channel, and whether any positive or
    negative sentiment term occurs (no negation or weighting: the model learns those).
    """
    from pipelines import classify

    columns = [normalise(folded).alias(NORMALISED)]
    if spec.lexicon:
        channel = classify.deflection(folded)
        positive, negative = classify.polar_term_patterns()
        columns += [
            plain.str.contains(classify.INTENT_PATTERNS["complaint"]).alias("lex_complaint"),
            plain.str.contains(classify.INTENT_PATTERNS["question"]).alias("lex_question"),
            classify.is_thanks(plain).alias("lex_thanks"),
            plain.str.contains(positive).alias("lex_positive"),
            plain.str.contains(negative).alias("lex_negative"),
            *((channel == kind).fill_null(False).alias(f"lex_{kind}") for kind in classify.DEFLECTION_ORDER),
        ]
    return columns


def features_of(frame: pl.DataFrame, spec: FeatureSpec) -> tuple[pl.Series, np.ndarray | None]:
    """(normalised texts, lexicon signal matrix or None) of a frame holding :func:`feature_columns`."""
    signals = frame.select(LEXICON_SIGNALS).to_numpy().astype(bool) if spec.lexicon else None
    return frame[NORMALISED], signals


def prepare(texts: pl.Series, spec: FeatureSpec) -> tuple[pl.Series, np.ndarray | None]:
    """:func:`features_of` raw texts."""
    from pipelines.classify import fold, plain_text

    frame = (
        pl.DataFrame({"text": texts}, schema={"text": pl.String})
        .lazy()
        .with_columns(fold(pl.col("text").fill_null("")).alias("folded"))
        .with_columns(plain_text(pl.col("folded")).alias("plain"))
        .with_columns(feature_columns(spec, pl.col("folded"), pl.col("plain")))
        .collect()
    )
    return features_of(frame, spec)


def _parts(normalised: pl.Series, signals: np.ndarray | None, spec: FeatureSpec) -> list[sparse.csr_matrix]:
    """The feature matrix as a sum of CSR matrices, each built without sorting."""
    n_docs = len(normalised)
    matrices = []
    for group in _occurrences(_codes(normalised), spec):
        counts = sum(np.bincount(doc, minlength=n_docs) for doc, _ in group)
        weight = (1.0 / np.sqrt(np.maximum(counts, 1))).astype(np.float32)
        for doc, bucket in group:
            indptr = np.zeros(n_docs + 1, dtype=np.int64)
            np.cumsum(np.bincount(doc, minlength=n_docs), out=indptr[1:])
            matrices.append(sparse.csr_matrix((weight[doc], bucket, indptr), shape=(n_docs, spec.n_features)))
    if signals is not None and n_docs:
        doc, which = np.nonzero(signals)  # row-major: sorted by document
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(doc, minlength=n_docs), out=indptr[1:])
        buckets = _bucket(np.asarray(which, dtype=np.uint64), 200, spec.bits)
        matrices.append(
            sparse.csr_matrix((np.ones(doc.size, np.float32), buckets, indptr), shape=(n_docs, spec.n_features))
        )
    return matrices


def featurise(texts: pl.Series, spec: FeatureSpec) -> sparse.csr_matrix:
    """The feature matrix (one row per text, ``spec.n_features`` columns) of raw ``texts``."""
    parts = _parts(*prepare(texts, spec), spec)
    total = sparse.csr_matrix((len(texts), spec.n_features), dtype=np.float32)
    for part in parts:
        total = total + part
    return total.tocsr()


def linear_scores(
    normalised: pl.Series, signals: np.ndarray | None, spec: FeatureSpec, weights: np.ndarray
) -> np.ndarray:
    """``features @ weights`` (weights: ``n_features`` x k) of prepared texts, without summing
    the feature matrix first."""
    scores = np.zeros((len(normalised), weights.shape[1]), dtype=np.float32)
    for part in _parts(normalised, signals, spec):
        scores += part @ weights
    return scores
