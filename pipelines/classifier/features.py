"""Hashed n-gram features of message texts, computed with vectorised NumPy (no Python per row).

A text is normalised (X's HTML entities read back as characters, lower case, accents folded,
links -> ``@url``, e-mail addresses ->
``@email``, @handles -> ``@user``, every digit -> ``0``, whitespace collapsed), then turned
into occurrences of

* character n-grams of the normalised text (``char_min`` to ``char_max``, across word boundaries),
* word unigrams and bigrams (a word is a run of letters, digits, ``_`` and ``'``; every other
  non-space character, such as ``?``, ``!`` or an emoji, is a word of its own),
* lexicon signals of :mod:`pipelines.classify` (optional, ``FeatureSpec.lexicon``): the
  lexicon's complaint / question / thanks matches, its deflection channel, and the sign of
  its sentiment sum (regular expressions over every text: the slowest part when enabled),
* channel cues (optional, ``FeatureSpec.cues``): an e-mail address, a link, a phone number,
  "DM / MD / inbox / privado", read from the normalised text,

each hashed into one of ``2**bits`` buckets by a polynomial hash (modulo 2**32) over the code
points. The texts of a batch are joined into one array of code points: character n-grams are
rolling hashes over it (one multiply-add per n), words are spans of a prefix-sum hash, and
each kind of n-gram becomes a 0/1 CSR matrix built without sorting or filtering (the
character matrices have one extra row per text for the n-grams that cross into the next
text, dropped after the product). Each occurrence weighs ``1 / sqrt(occurrences of its kind
of n-gram in the text)`` (characters, words + bigrams), so long and short texts have
comparable vectors. Scoring (:func:`linear_scores`) multiplies each matrix by the weights and
scales the rows, without ever summing the matrices.

The hash is defined here, not by a library, so it cannot change under a dependency upgrade:
a model trained with one installation reads the same buckets on any other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import polars as pl
from scipy import sparse

#: odd 32-bit multipliers (odd, so that they are invertible modulo 2**32).
_BASE = np.uint32(0x01000193)
_MIX = np.uint32(0x9E3779B1)
_SEPARATOR = 1  # code point placed between texts; never in a normalised text
_SPACE = 32
_MARK = "\x02"  # the '@' of a placeholder until the handles are replaced (a control character: never left)


@dataclass(frozen=True)
class FeatureSpec:
    """What :func:`featurise` extracts. Stored with a model: a model reads only its own spec."""

    bits: int = 18
    char_min: int = 2
    char_max: int = 5
    words: bool = True
    bigrams: bool = True
    lexicon: bool = False
    cues: bool = False

    @property
    def n_features(self) -> int:
        return 1 << self.bits

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Group:
    """0/1 matrices (each with its row stride: 2 when every other row is dropped) whose sum is
    one kind of n-gram, and per text the number of its occurrences (None: weight 1)."""

    parts: list[tuple[sparse.csr_matrix, int]]
    count: np.ndarray | None

    def weight(self) -> np.ndarray:
        return (1.0 / np.sqrt(np.maximum(self.count, 1))).astype(np.float32)


NORMALISED = "__features_normalised"  # working column names of feature_columns()


def normalise(folded: pl.Expr) -> pl.Expr:
    """The text the n-grams are read from, given :func:`pipelines.classify.fold` of the text."""
    from pipelines.classify import EMAIL_PATTERN, HANDLE_PATTERN, LINK_PATTERN
    from pipelines.formats.base import x_text

    # X's '&amp;', '&lt;', '&gt;': the ingest reads them back as '&', '<', '>' (formats.base),
    # the corpus keeps tweets as their public files print them; both must give one text.
    # The placeholders are written with _MARK and turned to '@' last: written '@url' at once,
    # a link or an e-mail address would then match the handle pattern and read '@user'.
    return (
        x_text(folded.fill_null(""))
        .str.replace_all(EMAIL_PATTERN, f" {_MARK}email ")
        .str.replace_all(LINK_PATTERN, f" {_MARK}url ")
        .str.replace_all(HANDLE_PATTERN, f" {_MARK}user ")
        .str.replace_all(_MARK, "@", literal=True)
        .str.replace_all(r"\d", "0")
        # whitespace and control runs -> one space; written as "a run of two or more, or one
        # that is not already a space" so that the common single spaces are not matches at all
        .str.replace_all(r"[\x00-\x20\s]{2,}|[[\x00-\x20\s]--\x20]", " ")
        .str.strip_chars()
    )


def _prefix_hashes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``prefix[i] = sum(codes[k] * B**k, k < i)`` and ``inverse[i] = B**-i`` modulo 2**32.

    The hash of ``codes[a:b]`` is ``(prefix[b] - prefix[a]) * inverse[a]``: the same value
    wherever the substring occurs.
    """
    size = codes.size
    powers, inverse = _power_tables(size + 1)
    prefix = np.zeros(size + 1, dtype=np.uint32)
    np.add.accumulate(codes * powers[:size], dtype=np.uint32, out=prefix[1:])
    return prefix, inverse[: size + 1]


_POWERS: tuple[np.ndarray, np.ndarray] = (np.ones(1, dtype=np.uint32), np.ones(1, dtype=np.uint32))


def _power_tables(size: int) -> tuple[np.ndarray, np.ndarray]:
    """(``B**i``, ``B**-i``) modulo 2**32 for i < at least ``size``, computed once and kept (a
    text's hashes never depend on how long the table is)."""
    global _POWERS
    tables = _POWERS
    if tables[0].size < size:
        size = max(size, 2 * tables[0].size, 1 << 16)
        powers = np.full(size, _BASE, dtype=np.uint32)
        powers[0] = 1
        np.multiply.accumulate(powers, dtype=np.uint32, out=powers)  # wraps modulo 2**32, as intended
        inverse = np.full(size, pow(int(_BASE), -1, 1 << 32), dtype=np.uint32)
        inverse[0] = 1
        np.multiply.accumulate(inverse, dtype=np.uint32, out=inverse)
        powers.flags.writeable = inverse.flags.writeable = False
        tables = _POWERS = (powers, inverse)  # one assignment: threads see the old or the new pair
    return tables


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


_LEX_CHANNEL = "__features_lexicon_channel"
_LEX_CHANNELS = ("lex_dm", "lex_phone", "lex_email", "lex_web", "lex_store")

#: high-precision signs of a deflection channel, read from the normalised text (cheap:
#: literal placeholders and one short pattern each).
CUE_PATTERNS = {
    "cue_email": r"@email",
    "cue_url": r"@url",
    "cue_phone": r"(?-u:\b)(?:0[ .-]?){7,}(?-u:\b)",
    "cue_private": r"(?-u:\b)(?:dm|dms|md|inbox|privado|direct message|mensaje directo)(?-u:\b)",
}
SIGNALS = LEXICON_SIGNALS + tuple(CUE_PATTERNS)


def signal_names(spec: FeatureSpec) -> tuple[str, ...]:
    """The 0/1 signal columns a spec reads, in :data:`SIGNALS` order."""
    return (LEXICON_SIGNALS if spec.lexicon else ()) + (tuple(CUE_PATTERNS) if spec.cues else ())


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
            channel.alias(_LEX_CHANNEL),  # one column: features_of splits it by channel
        ]
    return columns


def features_of(frame: pl.DataFrame, spec: FeatureSpec) -> tuple[pl.Series, np.ndarray | None]:
    """(normalised texts, lexicon signal matrix or None) of a frame holding :func:`feature_columns`."""
    names = signal_names(spec)
    if not names:
        return frame[NORMALISED], None
    channel = frame[_LEX_CHANNEL] if spec.lexicon else None
    columns = [
        (channel == name.removeprefix("lex_")).fill_null(False)
        if name in _LEX_CHANNELS
        else frame[NORMALISED].str.contains(CUE_PATTERNS[name])  # cues read the normalised text
        if name in CUE_PATTERNS
        else frame[name]
        for name in names
    ]
    return frame[NORMALISED], np.column_stack([column.to_numpy() for column in columns]).astype(bool)


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


def _codes(texts: pl.Series) -> np.ndarray:
    """All texts as one uint32 array of code points: `` text `` blocks joined by a separator."""
    joined = (" " + texts.fill_null("") + " ").str.join(chr(_SEPARATOR)).item()
    return np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)


def _bucket(hashes: np.ndarray, salt: int, bits: int) -> np.ndarray:
    """Multiplicative hashing of salted 32-bit hashes into ``2**bits`` buckets (int32)."""
    salted = hashes ^ np.uint32(salt * 0x632BE59B & 0xFFFFFFFF)
    salted *= _MIX
    salted >>= np.uint32(32 - bits)
    return salted.view(np.int32)


def _word_code(codes: np.ndarray) -> np.ndarray:
    """Whether each code point belongs to a word (the rule; :data:`_WORD_TABLE` holds it)."""
    lower = codes | np.uint32(0x20)  # ASCII letters in lower case (and digits unchanged)
    return (
        ((lower >= 97) & (lower <= 122))
        | ((codes >= 48) & (codes <= 57))
        | (codes == 95)  # _
        | (codes == 39)  # '
        | (codes == 64)  # @ of the @url / @user placeholders
        | ((codes >= 0xC0) & (codes < 0x2000))
    )


_WORD_LIMIT = 0x2000  # no code point from here on is a word character
_WORD_TABLE = _word_code(np.arange(_WORD_LIMIT + 1, dtype=np.uint32))


def _is_word(codes: np.ndarray) -> np.ndarray:
    """:func:`_word_code` of every code point, as one table look-up."""
    return _WORD_TABLE[np.minimum(codes, np.uint32(_WORD_LIMIT))]


def _csr(indices: np.ndarray, indptr: np.ndarray, n_features: int) -> sparse.csr_matrix:
    """A 0/1 CSR matrix with 32-bit indices (scipy would copy mixed index types). Its data is a
    read-only view of one array of ones shared by every matrix (nothing writes into it)."""
    data = _ones(indices.size)
    return sparse.csr_matrix((data, indices, indptr.astype(np.int32)), shape=(indptr.size - 1, n_features))


_ONES = np.ones(0, dtype=np.float32)


def _ones(size: int) -> np.ndarray:
    """``size`` float32 ones, read-only: a view of an array kept and grown as needed."""
    global _ONES
    ones = _ONES
    if ones.size < size:
        ones = np.ones(max(size, 2 * ones.size), dtype=np.float32)
        ones.flags.writeable = False
        _ONES = ones  # one assignment: threads see the old array or the new one
    return ones[:size]


def _groups(normalised: pl.Series, signals: np.ndarray | None, spec: FeatureSpec) -> list[_Group]:
    """The feature matrix as groups of 0/1 CSR matrices, each with its per-text weight.

    A character n-gram matrix has two rows per text (the text's n-grams, then the n-grams that
    run into the separator and the next text, which are dropped): every position of the joined
    texts is one entry, so nothing is sorted or filtered.
    """
    n_docs = len(normalised)
    codes = _codes(normalised)
    size = codes.size
    separators = np.flatnonzero(codes == _SEPARATOR)
    starts = np.concatenate(([0], separators + 1))
    ends = np.concatenate((separators, [size]))
    lengths = ends - starts
    groups = []
    if spec.char_max >= spec.char_min:
        parts = []
        count = np.zeros(n_docs, dtype=np.int64)
        rolling = codes.copy()  # rolling[i] = hash of codes[i:i + n], n growing by one per step
        for n in range(1, spec.char_max + 1):
            if n > 1:
                rolling = rolling[:-1] * _BASE + codes[n - 1 :]
            if n < spec.char_min or not rolling.size:
                continue
            inside_end = np.maximum(starts, ends - n + 1)
            indptr = np.empty(2 * n_docs + 1, dtype=np.int64)
            indptr[0:-1:2] = starts
            indptr[1::2] = inside_end
            indptr[-1] = rolling.size
            np.minimum(indptr, rolling.size, out=indptr)  # texts at the end shorter than n: no entries
            parts.append((_csr(_bucket(rolling, n, spec.bits), indptr, spec.n_features), 2))
            count += np.maximum(lengths - n + 1, 0)
        groups.append(_Group(parts, count))
    if spec.words:
        word = _is_word(codes)
        previous = np.zeros(size, dtype=bool)
        previous[1:] = word[:-1]
        following = np.zeros(size, dtype=bool)
        following[:-1] = word[1:]
        token_start = np.flatnonzero((word & ~previous) | (~word & (codes > _SPACE)))
        # a symbol is one character; the k-th word token is the k-th run of word characters,
        # so it ends where the k-th run ends
        token_end = token_start + 1
        token_end[word[token_start]] = np.flatnonzero(word & ~following) + 1
        prefix, inverse = _prefix_hashes(codes)
        token_hash = (prefix[token_end] - prefix[token_start]) * inverse[token_start]
        indptr = np.searchsorted(token_start, np.append(starts, size))
        parts = [(_csr(_bucket(token_hash, 100, spec.bits), indptr, spec.n_features), 1)]
        count = np.diff(indptr)
        if spec.bigrams and token_hash.size > 1:
            token_doc = np.repeat(np.arange(n_docs), count)
            same = token_doc[1:] == token_doc[:-1]
            pair = token_hash[:-1][same] * _BASE + token_hash[1:][same]
            pairs = np.maximum(count - 1, 0)  # consecutive tokens of one text
            indptr = np.concatenate(([0], np.cumsum(pairs)))
            parts.append((_csr(_bucket(pair, 101, spec.bits), indptr, spec.n_features), 1))
            count = count + pairs
        groups.append(_Group(parts, count))
    if signals is not None and n_docs:
        doc, which = np.nonzero(signals)  # row-major: sorted by document
        indptr = np.searchsorted(doc, np.arange(n_docs + 1))
        index = np.asarray([SIGNALS.index(name) for name in signal_names(spec)], dtype=np.uint32)
        buckets = _bucket(index[which], 200, spec.bits)
        groups.append(_Group([(_csr(buckets, indptr, spec.n_features), 1)], None))
    return groups


def featurise(texts: pl.Series, spec: FeatureSpec) -> sparse.csr_matrix:
    """The feature matrix (one row per text, ``spec.n_features`` columns) of raw ``texts``."""
    return matrix_of(*prepare(texts, spec), spec)


def matrix_of(normalised: pl.Series, signals: np.ndarray | None, spec: FeatureSpec) -> sparse.csr_matrix:
    """The feature matrix of prepared texts (:func:`prepare` or :func:`features_of`)."""
    total = sparse.csr_matrix((len(normalised), spec.n_features), dtype=np.float32)
    for group in _groups(normalised, signals, spec):
        summed = sparse.csr_matrix((len(normalised), spec.n_features), dtype=np.float32)
        for matrix, stride in group.parts:
            summed = summed + matrix[::stride]
        total = total + (summed if group.count is None else sparse.diags(group.weight()) @ summed)
    return total.tocsr()


#: texts per block of :func:`linear_scores`: a block's working arrays stay small enough to be
#: reused from the allocator (and mostly from the CPU caches) instead of fresh pages each time.
SCORE_BLOCK_ROWS = 4096


def linear_scores(
    normalised: pl.Series, signals: np.ndarray | None, spec: FeatureSpec, weights: np.ndarray
) -> np.ndarray:
    """``features @ weights`` (weights: ``n_features`` x k, float32) of prepared texts, one
    sparse product per n-gram kind, without building the feature matrix.

    Texts are scored in blocks of :data:`SCORE_BLOCK_ROWS`: a text's features and score do not
    depend on the other texts, and every block does the same float32 operations in the same
    order for each of its rows, so the result is the same, bit for bit, whatever the blocks.
    """
    rows = len(normalised)
    scores = np.zeros((rows, weights.shape[1]), dtype=np.float32)
    for start in range(0, rows, SCORE_BLOCK_ROWS):
        end = min(start + SCORE_BLOCK_ROWS, rows)
        block = normalised.slice(start, end - start)
        scores[start:end] = _block_scores(block, None if signals is None else signals[start:end], spec, weights)
    return scores


def _block_scores(
    normalised: pl.Series, signals: np.ndarray | None, spec: FeatureSpec, weights: np.ndarray
) -> np.ndarray:
    scores = np.zeros((len(normalised), weights.shape[1]), dtype=np.float32)
    for group in _groups(normalised, signals, spec):
        summed = np.zeros_like(scores)
        for matrix, stride in group.parts:
            summed += (matrix @ weights)[::stride]
        scores += summed if group.count is None else summed * group.weight()[:, None]
    return scores
