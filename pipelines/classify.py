"""Message classifiers: sentiment, intent, thanks, deflection, agent sign-off, canned text, language.

A lexicon and rule model for Spanish and English, run as vectorised Polars string
expressions (regexes are built once, at import, from the data files in
``pipelines/lexicons/``; see its README for the file formats). Nothing calls the network
and no Python runs per row. Label policy and measured quality: tests/fixtures/classifier_eval.md
and ``benchmarks/classifier_report.py``.

Sentiment, over the folded text (lower case, accents removed) without @handles, links and
e-mail addresses:

1. contrast words (pero, but, however) are marked, and brand apology clauses ("sentimos las
   molestias", "sorry for the delay") are blanked up to the end of their clause: the problem
   they name is the customer's, not the brand's mood;
2. every lexicon term is replaced by a token naming its weight class; multi-word phrases
   first, so "no funciona" / "not working" are one negative term and their negator is
   consumed with them;
3. a token preceded within 3 words by a negator (no, nunca, nada, sin, not, never, don't...)
   is marked negated: its weight changes sign ("no esta mal", "not bad" are positive);
4. a token directly after an intensifier (muy, super, really, so, very...) is marked x1.5;
5. the weights are summed; when the text has a contrast word, the terms after the last one
   count x1.5 and those before it x0.5 ("amable pero el retraso..." is negative);
6. each "!" (up to 3) adds 0.3 in the direction of the sum;
7. the sum is squashed as ``x / sqrt(x^2 + 4)`` into [-1, 1]; scores above 0.05 are
   positive, below -0.05 negative, otherwise neutral.

Language: the Spanish and English lexicons are applied together, which also covers
code-switched messages and messages whose language is unknown (their vocabularies barely
overlap, so weighting them by language did not help on the evaluation set). When the input
has a ``lang`` column, :func:`classify_messages` fills its NULLs with :func:`detect_language`
(frequent function words and Spanish characters); a language given by the source is kept.
"""

from __future__ import annotations

import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.canonical import CLASSIFICATION_COLUMNS

LEXICON_DIR = Path(__file__).with_name("lexicons")

SENTIMENT_FILES = ("sentiment_es.txt", "sentiment_en.txt", "sentiment_emoji.txt")
DEFLECTION_ORDER = ("dm", "phone", "email", "web", "store")
SENTIMENT_THRESHOLD = 0.05
INTENSIFIER_FACTOR = 1.5
#: weights of the terms before / after the last contrast word ("pero", "but").
CONTRAST_HEAD_FACTOR = 0.5
CONTRAST_TAIL_FACTOR = 1.5
#: each "!" adds this much to the raw sum in its direction, for at most EXCLAMATION_MAX of them.
EXCLAMATION_BOOST = 0.3
EXCLAMATION_MAX = 3
#: alpha in x / sqrt(x^2 + alpha): the raw score at which the output reaches ~0.45 is 1.
SQUASH_ALPHA = 4.0
#: a negator reaches a term this many words later at most ("no esta nada mal").
NEGATION_WINDOW_WORDS = 3


def ascii_boundaries(pattern: str) -> str:
    r"""``\b`` as an ASCII word boundary: the same on folded text, and it keeps the regex engine
    on its fast DFA path (a Unicode ``\b`` falls back to a slow one on emoji and other non-ASCII)."""
    return pattern.replace(r"\b", r"(?-u:\b)")


EMAIL_PATTERN = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|__email__"  # __email__: twcs's anonymised address
URL_PATTERN = (
    r"https?://\S+|www\.\S+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|es|net|org|info|io|co|uk|mx|ar|cl|eu|ly|gl|me|fr|de|it"
    r"|pt|us|ca|ie|tv|example)\b(?:/\S*)?"
)
#: links removed before sentiment, intent and language (bare domains stay: "funciona.es un
#: desastre" is a missing space, not a link).
LINK_PATTERN = r"https?://\S+|www\.\S+"
HANDLE_PATTERN = r"@\w+"
#: order, ticket and case numbers, removed before looking for phone numbers.
REFERENCE_PATTERN = (
    r"\b(?:pedido|incidencia|order|ticket|case|caso|ref|referencia|expediente|reserva|booking"
    r"|localizador|factura|invoice|cliente|customer|cuenta|account|contrato|contract|tracking"
    r"|seguimiento|envio|parcel|shipment|claim|poliza|policy|socio|member)"
    r"\s*(?:number|numero|no\.?|n[o°º]\.?|#)?\s*:?\s*#?\d[\d\s-]*"
    r"|#\d[\d\s-]*"
)
URL_PATTERN, REFERENCE_PATTERN = ascii_boundaries(URL_PATTERN), ascii_boundaries(REFERENCE_PATTERN)
EMAIL_PLACEHOLDER = " ⟨email⟩ "
URL_PLACEHOLDER = " ⟨url⟩ "

# Private-use characters mark lexicon tokens in the text: they are neither word characters
# nor whitespace, so they cannot collide with real words or be taken for window words.
_TOKEN = "\ue000"  # a term that negation can flip
_TOKEN_FIXED = "\ue001"  # a term that negation leaves alone (thanks, emoji)
_TOKEN_NEGATED = "\ue002"
_INTENSIFIED = "\ue003"
_CONTRAST = "\ue004"
_CLASS_BASE = 0xE100
_FOLDED = "__classify_folded_text"  # working columns, dropped before returning
_PLAIN = "__classify_plain_text"
_MARKED = "__classify_marked_text"
_RAW_SCORE = "__classify_raw_sentiment"
_CANNED = "__classify_canned_source"
#: raw-text characters that count for one language (the folded text has lost them): Spanish's
#: ñ ¿ ¡ and accented vowels, Portuguese's nasal vowels, Italian's grave vowels, French's
#: circumflexes and diaereses, German's umlauts and ß.
LANGUAGE_CHAR_CUES = {
    "es": "[ñÑ¿¡áéíóúÁÉÍÓÚ]",
    "pt": "[ãõÃÕ]",
    "it": "[ìòÌÒ]|(?:^|\\s)[èÈ](?:\\s|$)",  # è alone is Italian's "is"
    "fr": "[êëîïûœÊËÎÏÛŒ]",
    "de": "[äöüßÄÖÜ]",
}


def _fold_table() -> dict[str, str]:
    """Precomposed Latin letters -> their unaccented base letter (á -> a, ñ -> n, ç -> c)."""
    table = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0].lower()
        if base != char.lower() and base.isascii() and base.isalpha():
            table[char.lower()] = base
    table["º"] = "o"  # ordinal indicators, as in "nº"
    table["ª"] = "a"
    table["\u2019"] = "'"  # typographic apostrophe in "don’t"
    table["\u2018"] = "'"
    table["\ufe0f"] = ""  # emoji presentation selector: "❤️" and "❤" are the same heart
    return table


FOLD_TABLE = _fold_table()
_COMBINING_MARKS = r"[\u0300-\u036f]"


def fold(expr: pl.Expr) -> pl.Expr:
    """Lower-case and fold accents (á -> a, ñ -> n, ’ -> '), as all matching here expects."""
    return (
        expr.str.to_lowercase()
        .str.replace_many(list(FOLD_TABLE), list(FOLD_TABLE.values()))
        .str.replace_all(_COMBINING_MARKS, "")
    )


def fold_text(text: str) -> str:
    """The Python twin of :func:`fold`, used on lexicon terms when they are loaded."""
    folded = "".join(FOLD_TABLE.get(char, char) for char in text.lower())
    return re.sub(_COMBINING_MARKS, "", folded)


# --------------------------------------------------------------------------- lexicon loading


def _data_lines(name: str) -> list[list[str]]:
    """Tab-separated fields of the non-comment, non-blank lines of a lexicon file."""
    rows = []
    for line in (LEXICON_DIR / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            rows.append(line.rstrip("\n").split("\t"))
    return rows


def _keyed_patterns(name: str) -> dict[str, list[str]]:
    """``key<TAB>regex`` lines grouped by key, in file order."""
    grouped: dict[str, list[str]] = {}
    for fields in _data_lines(name):
        key, pattern = fields[0].strip(), "\t".join(fields[1:]).strip()
        grouped.setdefault(key, []).append(pattern)
    return grouped


def _any_of(patterns: list[str]) -> str:
    return ascii_boundaries("|".join(f"(?:{pattern})" for pattern in patterns))


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _term_regex(term: str, *, presence: bool = False) -> str:
    r"""A literal lexicon term as a regex: spaces match whitespace, ' is optional, * a word end.

    ``presence``: for ``str.contains`` only, a prefix term (``*``) stops at its prefix: its
    ``\w*`` tail can match nothing, so whether a text matches is the same, and a large
    alternation without Unicode ``\w*`` tails keeps a much smaller automaton (several times faster).
    """
    prefix = term.endswith("*")
    body = term[:-1] if prefix else term
    parts = [re.escape(word).replace("'", "'?") for word in body.split()]
    regex = r"\s+".join(parts)
    if _is_word_char(body[0]):
        regex = r"\b" + regex
    if prefix:
        regex += "" if presence else r"\w*"
    elif _is_word_char(body[-1]):
        regex += r"\b"
    return ascii_boundaries(regex)


@dataclass(frozen=True)
class _TermClass:
    """Lexicon terms sharing one weight and negation behaviour, replaced by one token."""

    token: str
    weight: float
    terms: tuple[str, ...]


def _load_sentiment() -> list[_TermClass]:
    entries: dict[str, tuple[float, bool]] = {}  # a term listed twice keeps its last entry
    for name in SENTIMENT_FILES:
        for fields in _data_lines(name):
            weight = round(float(fields[1]) * 2) / 2
            fixed = len(fields) > 2 and fields[2].strip() == "fixed"
            entries[fold_text(fields[0].strip())] = (weight, fixed)
    grouped: dict[tuple[float, bool], list[str]] = {}
    for term, key in entries.items():
        grouped.setdefault(key, []).append(term)
    return [
        _TermClass(
            token=(_TOKEN_FIXED if fixed else _TOKEN) + chr(_CLASS_BASE + index),
            weight=weight,
            # Longest first: a regex alternation takes the first alternative that matches.
            terms=tuple(sorted(terms, key=len, reverse=True)),
        )
        for index, ((weight, fixed), terms) in enumerate(sorted(grouped.items()))
    ]


def _load_modifiers() -> tuple[list[str], list[str], list[str]]:
    kinds = _keyed_patterns("modifiers.txt")
    return tuple(  # type: ignore[return-value]
        sorted({fold_text(word) for word in kinds[kind]}, key=len, reverse=True)
        for kind in ("negator", "intensifier", "contrast")
    )


TERM_CLASSES = _load_sentiment()
NEGATORS, INTENSIFIERS, CONTRASTS = _load_modifiers()
CLAUSE_PATTERNS = {
    kind: _any_of(patterns) for kind, patterns in _keyed_patterns("clauses.txt").items()
}
LANGUAGE_WORDS = {
    lang: sorted({fold_text(word) for word in words}, key=len, reverse=True)
    for lang, words in _keyed_patterns("language.txt").items()
}
INTENT_PATTERNS = {
    kind: _any_of(patterns) for kind, patterns in _keyed_patterns("intent.txt").items()
}
THANKS_PATTERNS = {
    kind: _any_of(patterns) for kind, patterns in _keyed_patterns("thanks.txt").items()
}
DEFLECTION_PATTERNS = {
    kind: _any_of(patterns) for kind, patterns in _keyed_patterns("deflection.txt").items()
}
#: a link whose address names a help page (deflection.txt, ``link``): the link and a help mark.
HELP_LINK_PATTERN = ascii_boundaries(
    r"(?:https?://|www\.)\S*?(?:" + "|".join(_keyed_patterns("deflection.txt")["link"]) + r")\S*"
)
HELP_LINK_PLACEHOLDER = " ⟨url⟩ ⟨help⟩ "
SIGNOFF_PATTERNS = [fields[0] for fields in _data_lines("signoffs.txt")]

_NEGATOR_RE = r"(?:^|[^\w'])(?:" + "|".join(map(_term_regex, NEGATORS)) + r")\s+"
_INTENSIFIER_RE = r"(?:^|[^\w'])(?:" + "|".join(map(_term_regex, INTENSIFIERS)) + r")\s+"
_CONTRAST_RE = "|".join(map(_term_regex, CONTRASTS))
#: an apology up to the end of its clause: punctuation or a contrast word.
_APOLOGY_RE = r"(?:" + CLAUSE_PATTERNS["apology"] + r")[^.!?;,:" + _CONTRAST + "]*"
_WINDOW_RE = r"(?:[\w']+\s+){0," + str(NEGATION_WINDOW_WORDS - 1) + "}"
_LANGUAGE_RE = {
    lang: "|".join(map(_term_regex, words))
    for lang, words in LANGUAGE_WORDS.items()
}
_SOLVED_NEGATED_RE = _NEGATOR_RE + _WINDOW_RE + r"(?:" + THANKS_PATTERNS["solved"] + ")"


def _token_weights() -> dict[str, float]:
    """Every token as it can appear after marking (negated, intensified) -> signed weight."""
    weights = {}
    for term_class in TERM_CLASSES:
        marker, class_char = term_class.token
        negations = [(marker, 1.0)]
        if marker == _TOKEN:
            negations.append((_TOKEN_NEGATED, -1.0))
        for negation_marker, sign in negations:
            for prefix, factor in (("", 1.0), (_INTENSIFIED, INTENSIFIER_FACTOR)):
                weights[prefix + negation_marker + class_char] = term_class.weight * sign * factor
    return weights


TOKEN_WEIGHTS = _token_weights()


# --------------------------------------------------------------------------- expressions


def _tokenise_sentiment(folded: pl.Expr) -> pl.Expr:
    """Replace lexicon terms by class tokens, longer phrases (in words) before shorter ones."""
    word_counts = sorted({len(t.split()) for c in TERM_CLASSES for t in c.terms}, reverse=True)
    for word_count in word_counts:
        for term_class in TERM_CLASSES:
            terms = [term for term in term_class.terms if len(term.split()) == word_count]
            if terms:
                pattern = "|".join(map(_term_regex, terms))
                folded = folded.str.replace_all(pattern, f" {term_class.token} ")
    return folded


def sentiment_marked(plain: pl.Expr) -> pl.Expr:
    """Text with contrast marks, apologies blanked, and lexicon terms as marked tokens (steps 1-4)."""
    clauses = plain.str.replace_all(_CONTRAST_RE, f" {_CONTRAST} ").str.replace_all(_APOLOGY_RE, " ")
    tokens = _tokenise_sentiment(clauses)
    negated = tokens.str.replace_all(
        f"({_NEGATOR_RE}{_WINDOW_RE}){_TOKEN}", "${1}" + _TOKEN_NEGATED
    )
    return negated.str.replace_all(
        f"({_INTENSIFIER_RE})([{_TOKEN}{_TOKEN_FIXED}{_TOKEN_NEGATED}])",
        "${1}" + _INTENSIFIED + "${2}",
    )


def _token_sum(marked: pl.Expr) -> pl.Expr:
    return (
        marked.str.extract_all(f"{_INTENSIFIED}?[{_TOKEN}{_TOKEN_FIXED}{_TOKEN_NEGATED}].")
        .list.eval(pl.element().replace_strict(TOKEN_WEIGHTS, default=0.0, return_dtype=pl.Float64))
        .list.sum()
        .fill_null(0.0)
    )


def sentiment_raw(marked: pl.Expr) -> pl.Expr:
    """Unbounded lexicon sum of :func:`sentiment_marked` text, contrast-weighted (step 5)."""
    whole = _token_sum(marked)
    tail = _token_sum(marked.str.extract(f"{_CONTRAST}([^{_CONTRAST}]*)$", 1))
    return (
        pl.when(marked.str.contains(_CONTRAST, literal=True))
        .then(CONTRAST_HEAD_FACTOR * (whole - tail) + CONTRAST_TAIL_FACTOR * tail)
        .otherwise(whole)
    )


def emphasise(raw: pl.Expr, plain: pl.Expr) -> pl.Expr:
    """A raw sum moved away from 0 by the text's exclamation marks (step 6); pass a column."""
    marks = plain.str.count_matches("!", literal=True).clip(upper_bound=EXCLAMATION_MAX)
    return raw + raw.sign() * EXCLAMATION_BOOST * marks


def squash(raw: pl.Expr) -> pl.Expr:
    """A raw lexicon sum mapped into [-1, 1] as x / sqrt(x^2 + 4); pass a column, not a long expression."""
    # An empty list sums to -0.0: report a plain 0.0.
    return pl.when(raw == 0.0).then(pl.lit(0.0)).otherwise(raw / (raw.pow(2) + SQUASH_ALPHA).sqrt())


def sentiment_label(score: pl.Expr) -> pl.Expr:
    """positive | neutral | negative from a score, with thresholds at +-0.05."""
    return (
        pl.when(score > SENTIMENT_THRESHOLD)
        .then(pl.lit("positive"))
        .when(score < -SENTIMENT_THRESHOLD)
        .then(pl.lit("negative"))
        .otherwise(pl.lit("neutral"))
    )


def is_thanks(folded: pl.Expr) -> pl.Expr:
    """The message thanks (not "no gracias", "thanks in advance") or says the problem is solved."""
    thanked = folded.str.count_matches(THANKS_PATTERNS["thanks"]) > folded.str.count_matches(
        THANKS_PATTERNS["not"]
    )
    solved = folded.str.count_matches(THANKS_PATTERNS["solved"]) > folded.str.count_matches(
        _SOLVED_NEGATED_RE
    )
    return thanked | solved


def intent(folded: pl.Expr, sentiment: pl.Expr, thanks: pl.Expr) -> pl.Expr:
    """complaint | question | praise | other, in that order of precedence."""
    return (
        pl.when((sentiment == "negative") | folded.str.contains(INTENT_PATTERNS["complaint"]))
        .then(pl.lit("complaint"))
        .when(folded.str.contains(INTENT_PATTERNS["question"]))
        .then(pl.lit("question"))
        .when((sentiment == "positive") | thanks)
        .then(pl.lit("praise"))
        .otherwise(pl.lit("other"))
    )


def deflection(folded: pl.Expr) -> pl.Expr:
    """First channel (dm, phone, email, web, store) the text sends the reader to, else NULL."""
    masked = (
        folded.str.replace_all(r"\s+", " ")
        .str.replace_all(EMAIL_PATTERN, EMAIL_PLACEHOLDER)
        .str.replace_all(HELP_LINK_PATTERN, HELP_LINK_PLACEHOLDER)
        .str.replace_all(URL_PATTERN, URL_PLACEHOLDER)
        .str.replace_all(HANDLE_PATTERN, " ")
        .str.replace_all(REFERENCE_PATTERN, " ")
        .str.replace_all(DEFLECTION_PATTERNS["not"], " ")
    )
    first, *rest = DEFLECTION_ORDER
    result = pl.when(masked.str.contains(DEFLECTION_PATTERNS[first])).then(pl.lit(first))
    for kind in rest:
        result = result.when(masked.str.contains(DEFLECTION_PATTERNS[kind])).then(pl.lit(kind))
    return result.otherwise(pl.lit(None, pl.String))


def plain_text(folded: pl.Expr) -> pl.Expr:
    """Folded text without links, e-mail addresses and @handles: what sentiment and intent read."""
    return (
        folded.str.replace_all(EMAIL_PATTERN, " ")
        .str.replace_all(LINK_PATTERN, " ")
        .str.replace_all(HANDLE_PATTERN, " ")
    )


#: the languages the corpus holds: their cues are counted in every text without a language; the
#: others' only in the texts holding one of their cues (few, where most are Spanish or English)
_CORPUS_LANGUAGES = ("es", "en")


def detect_language(frame: pl.LazyFrame, plain: str, text: str) -> pl.Series:
    """The language (es, en, pt, it, fr, de) of each text of ``frame`` whose cue words
    (language.txt) and characters (:data:`LANGUAGE_CHAR_CUES`) it holds most; NULL when none,
    or on a tie.

    ``plain`` names the :func:`plain_text` column, ``text`` the raw text's (for ñ ¿ ¡ and
    accented vowels). Each count is computed once, the other languages' only for the texts
    holding one of their cues.
    """
    def count(lang: str) -> pl.Expr:
        cues = pl.col(plain).str.count_matches(_LANGUAGE_RE[lang])
        if lang in LANGUAGE_CHAR_CUES:
            cues = cues + pl.col(text).str.count_matches(LANGUAGE_CHAR_CUES[lang])
        return cues.alias(f"__lang_{lang}")

    others = [lang for lang in _LANGUAGE_RE if lang not in _CORPUS_LANGUAGES]
    other_cues = pl.col(plain).str.contains("|".join(_LANGUAGE_RE[lang] for lang in others)) | pl.col(
        text).str.contains("|".join(LANGUAGE_CHAR_CUES[lang] for lang in others if lang in LANGUAGE_CHAR_CUES))
    base = frame.with_row_index("__lang_row").with_columns(*map(count, _CORPUS_LANGUAGES), other_cues.alias("__other"))
    none = [pl.lit(0, pl.UInt32).alias(f"__lang_{lang}") for lang in others]
    # collected, then sorted: a lazy sort by a column the result does not keep is optimised away
    counted = pl.concat([base.filter("__other").with_columns(*map(count, others)),
                         base.filter(~pl.col("__other")).with_columns(none)], how="vertical_relaxed").collect()
    names = [f"__lang_{lang}" for lang in _LANGUAGE_RE]
    counted = counted.sort("__lang_row").with_columns(pl.max_horizontal(*names).alias("__most"))
    most = pl.col("__most")
    ties = pl.sum_horizontal(*((pl.col(name) == most).cast(pl.Int32) for name in names))
    first = pl.coalesce(*(pl.when(pl.col(name) == most).then(pl.lit(name.removeprefix("__lang_"))) for name in names))
    return counted.select(pl.when((most > 0) & (ties == 1)).then(first).otherwise(pl.lit(None, pl.String))).to_series()


def signoff(text: pl.Expr) -> pl.Expr:
    """Agent sign-off at the end of the raw text ("^JK" -> "JK", "- Becky" -> "Becky"), else NULL."""
    return pl.coalesce([text.str.extract(pattern, 1) for pattern in SIGNOFF_PATTERNS])


def normalise_for_canned(text: pl.Expr) -> pl.Expr:
    """Text reduced to what canned replies share; NULL when nothing is left.

    Lower case, accents folded, the trailing agent sign-off, e-mail addresses, URLs,
    @handles, numbers and punctuation removed, whitespace collapsed and stripped.
    """
    return canned_of_folded(fold(without_signoff(text)))


def without_signoff(text: pl.Expr) -> pl.Expr:
    """The raw text without its trailing agent sign-off (:data:`SIGNOFF_PATTERNS`, in order).
    A text in which no pattern matches (its :func:`signoff` is NULL) is returned unchanged."""
    for pattern in SIGNOFF_PATTERNS:
        text = text.str.replace(pattern, "")
    return text


def canned_of_folded(folded: pl.Expr) -> pl.Expr:
    """:func:`normalise_for_canned` of a text, given :func:`fold` of :func:`without_signoff` of it."""
    normalised = (
        folded.str.replace_all(EMAIL_PATTERN, " ")
        .str.replace_all(URL_PATTERN, " ")
        .str.replace_all(HANDLE_PATTERN, " ")
        # digits, punctuation, _ and whitespace runs: one space (a run of two or more, or one
        # that is not already a space: the single spaces between words are left alone)
        .str.replace_all(r"[\W_\d]{2,}|[[\W_\d]--\x20]", " ")
        .str.strip_chars()
    )
    return pl.when(normalised != "").then(normalised)


def lexicon_classify(frame: pl.DataFrame) -> pl.DataFrame:
    """The lexicon and rule model alone: ``frame`` plus ``sentiment``, ``sentiment_score``
    (the squashed lexicon sum), ``intent`` and ``deflection``, from ``text``.

    The model the learned classifiers replaced, kept as their features' source and as the
    baseline that evaluation compares them with.
    """
    text = pl.col("text").fill_null("")
    folded, plain = pl.col(_FOLDED), pl.col(_PLAIN)
    # Thresholds and squashing read the raw sum several times: it is materialised first.
    return (
        frame.lazy()
        .with_columns(fold(text).alias(_FOLDED))
        .with_columns(plain_text(folded).alias(_PLAIN), deflection(folded).alias("deflection"))
        .with_columns(sentiment_marked(plain).alias(_MARKED), is_thanks(plain).alias("is_thanks"))
        .with_columns(sentiment_raw(pl.col(_MARKED)).alias(_RAW_SCORE))
        .with_columns(emphasise(pl.col(_RAW_SCORE), plain).alias(_RAW_SCORE))
        .with_columns(squash(pl.col(_RAW_SCORE)).alias("sentiment_score"))
        .with_columns(sentiment_label(pl.col("sentiment_score")).alias("sentiment"))
        .with_columns(intent(plain, pl.col("sentiment"), pl.col("is_thanks")).alias("intent"))
        .drop(_FOLDED, _PLAIN, _MARKED, _RAW_SCORE, "is_thanks")
        .collect()
    )


@lru_cache(maxsize=1)
def polar_term_patterns() -> tuple[str, str]:
    """One regex of every positive sentiment lexicon term and one of every negative term, for
    ``str.contains`` (whether any occurs: see ``presence`` in :func:`_term_regex`)."""
    positive = [_term_regex(t, presence=True) for c in TERM_CLASSES if c.weight > 0 for t in c.terms]
    negative = [_term_regex(t, presence=True) for c in TERM_CLASSES if c.weight < 0 for t in c.terms]
    return "|".join(positive), "|".join(negative)


#: where a text splits into clauses: a contrast word ("pero", "por contra", "sin embargo",
#: "but", "whereas", "however") or the end of a sentence (. ! ? ; or a line break).
CLAUSE_BREAK_PATTERN = ascii_boundaries(
    r"\b(?:pero|por contra|por el contrario|sin embargo|en cambio|but|whereas|however)\b"
    r"|[.!?;…]+(?:\s|$)|\n"
)
_CLAUSE_MARK = "\ue005"
CLAUSE_DTYPE = pl.List(pl.Struct({"text": pl.String, "sentiment": pl.String, "sentiment_score": pl.Float64}))


#: a word that may name a brand: an @handle, or a capitalised word that does not start a sentence.
NAME_CUE_PATTERN = r"@\w+|[^\s.!?¡¿:;]\s+[A-ZÁÉÍÓÚÑ][\w-]*[A-Za-zñáéíóú]"


def names_several(text: pl.Expr) -> pl.Expr:
    """The raw text holds at least two name cues (:data:`NAME_CUE_PATTERN`): it may address
    several brands, so its clauses are classified one by one."""
    return text.str.count_matches(NAME_CUE_PATTERN) >= 2


def clause_texts(folded: pl.Expr) -> pl.Expr:
    """The non-blank clauses of a folded text (lower case, accents folded, @handles kept)."""
    return (
        folded.str.replace_all(CLAUSE_BREAK_PATTERN, _CLAUSE_MARK)
        .str.split(_CLAUSE_MARK)
        .list.eval(pl.element().str.strip_chars(" \t,;:-").filter(pl.element().str.contains(r"\w")))
    )


def _labels(probabilities: np.ndarray, classes: tuple[str | None, ...]) -> pl.Series:
    """The most probable class of each row (a String column, gathered without Python per row)."""
    return pl.Series(classes, dtype=pl.String).gather(probabilities.argmax(axis=1))


def _sentiment_columns(probabilities: np.ndarray, classes: tuple[str, ...]) -> tuple[pl.Series, np.ndarray]:
    """(label, P(positive) - P(negative)) per row of sentiment probabilities."""
    labels = _labels(probabilities, classes)
    score = probabilities[:, classes.index("positive")] - probabilities[:, classes.index("negative")]
    return labels, score


def _clause_rows(prepared: pl.DataFrame) -> pl.DataFrame:
    """(row, text) of every clause of the messages that name several brands
    (:func:`names_several`) and have more than one clause; ``row`` is the message's index."""
    return (
        prepared.select(pl.col(_FOLDED), several=names_several(pl.col("text")))
        .with_row_index("row")
        .filter(pl.col("several"))
        .select("row", text=clause_texts(pl.col(_FOLDED)))
        .filter(pl.col("text").list.len() > 1)
        .explode("text")
    )


def _clause_column(clauses: pl.DataFrame, labels: pl.Series, score: np.ndarray, height: int) -> pl.Series:
    """Per message, its clauses with their sentiment (NULL when it has none)."""
    if clauses.height == 0:
        return pl.Series("clauses", [None] * height, dtype=CLAUSE_DTYPE)
    grouped = (
        clauses.with_columns(sentiment=labels, sentiment_score=pl.Series(score, dtype=pl.Float64))
        .group_by("row", maintain_order=True)
        .agg(pl.struct("text", "sentiment", "sentiment_score").alias("clauses"))
    )
    return (
        pl.DataFrame({"row": pl.arange(0, height, eager=True, dtype=pl.UInt32)})
        .join(grouped, on="row", how="left", maintain_order="left")["clauses"]
        .cast(CLAUSE_DTYPE)
    )


#: Retired ISO 639 codes that X still writes, and the codes replacing them.
RETIRED_LANGUAGE_CODES = {"in": "id", "iw": "he", "ji": "yi"}
#: Codes that name no language: undetermined, no linguistic content, uncoded, several, and the
#: ones X gives tweets without a language (art: emoji only; qme, qam, qct, qht, qst: media,
#: mentions, cashtags, hashtags only, or too short, from ISO 639's private-use range qaa-qtz).
NOT_LANGUAGES = r"^(?:und|zxx|mis|mul|art|q[a-t][a-z])$"


def source_language(lang: pl.Expr) -> pl.Expr:
    """A source's language tag as its ISO 639 code: the primary subtag of a BCP 47 tag, lower
    case ("en-US" -> "en"; two letters where ISO 639-1 has the language, three otherwise: fil,
    ckb, yue); NULL for a code that names no language (:data:`NOT_LANGUAGES`) or is no code at
    all, so that the language is detected instead."""
    primary = lang.str.to_lowercase().str.extract(r"^([a-z]{2,3})(?:[-_][0-9a-z-]*)?$", 1)
    return pl.when(primary.str.contains(NOT_LANGUAGES)).then(None).otherwise(primary.replace(RETIRED_LANGUAGE_CODES))


def _fill_language(prepared: pl.DataFrame) -> pl.DataFrame:
    """``lang`` as :func:`source_language` reads it, its NULLs filled with
    :func:`detect_language`, computed for those rows only."""
    prepared = prepared.with_columns(source_language(pl.col("lang")).alias("lang"))
    missing = prepared["lang"].is_null()
    if not missing.any():
        return prepared
    where = missing.arg_true()
    candidates = prepared.lazy().filter(missing).with_columns(pl.col("text").fill_null(""))
    return prepared.with_columns(prepared["lang"].scatter(where, detect_language(candidates, _PLAIN, "text")))


def classify_messages(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` plus the CLASSIFICATION_COLUMNS of pipelines.canonical, computed from ``text``.

    Intent, sentiment and deflection come from the learned classifiers of
    :mod:`pipelines.classifier` (loaded once per process, no network): ``sentiment_score`` is
    P(positive) - P(negative), ``intent_confidence`` the probability of the chosen intent, and
    ``clauses`` lists, for a text of several clauses, each clause (folded text) with its own
    sentiment. Thanks, sign-offs, canned text and language stay the lexicon rules of this
    module. A NULL text is classified as empty text (no thanks, deflection or sign-off, and a
    NULL canned_text). When ``frame`` has a ``lang`` column, its NULLs are filled with the
    detected language (:func:`detect_language`, itself NULL when the text gives no cue);
    other columns are returned unchanged.

    Every column of a row depends on that row alone, so a large frame is cut into blocks of
    rows classified in threads, one per CPU (``threads_for`` of :mod:`pipelines.classifier.model`;
    Polars, NumPy and SciPy release the GIL), and the blocks are put back together in order: the
    same result as one block, bit for bit.
    """
    from pipelines.classifier.model import default, threads_for

    models = default()
    workers = threads_for(frame.height)
    if workers == 1:
        return _classify_block(frame, models)
    # one block per thread (not more: each block compiles its regular expressions again)
    bounds = np.linspace(0, frame.height, workers + 1).astype(int)
    parts = [frame.slice(start, end - start) for start, end in zip(bounds[:-1], bounds[1:], strict=True)]
    with ThreadPoolExecutor(workers) as pool:
        return pl.concat(list(pool.map(lambda part: _classify_block(part, models), parts)), how="vertical")


#: What ``brandcare classify`` adds to a table of texts, each as ``predicted_<name>``.
PREDICTED_COLUMNS = ("intent", "intent_confidence", "sentiment", "sentiment_score", "deflection", "is_thanks", "lang")


def predict_table(frame: pl.DataFrame, text_column: str = "text", lang_column: str | None = None) -> pl.DataFrame:
    """``frame`` (any columns) with ``predicted_<name>`` for each of :data:`PREDICTED_COLUMNS`,
    classified from ``text_column`` by :func:`classify_messages`; the language is
    ``lang_column``'s tag where it gives one (en-US -> en), else detected from the text. The
    prefix keeps a labelled file's own columns (intent, sentiment...) beside the predictions."""
    unknown = pl.Series([None] * frame.height, dtype=pl.String)
    texts = pl.DataFrame({
        "text": frame[text_column].cast(pl.String),
        "lang": frame[lang_column].cast(pl.String) if lang_column else unknown,
    })
    predicted = classify_messages(texts)
    return frame.with_columns(predicted[name].alias(f"predicted_{name}") for name in PREDICTED_COLUMNS)


def _canned_source(prepared: pl.DataFrame) -> pl.Series:
    """:func:`fold` of :func:`without_signoff` of each text (NULL for a NULL text), given the
    frame's folded text and ``signoff``: a text without a sign-off is its folded text already,
    so only the texts with one are stripped and folded again."""
    source = prepared.select(pl.when(pl.col("text").is_not_null()).then(pl.col(_FOLDED)).alias(_CANNED)).to_series()
    signed = prepared["signoff"].is_not_null()
    if not signed.any():
        return source
    stripped = prepared.lazy().filter(signed).select(fold(without_signoff(pl.col("text")))).collect().to_series()
    return source.scatter(signed.arg_true(), stripped)


def _classify_block(frame: pl.DataFrame, models) -> pl.DataFrame:
    """:func:`classify_messages` of one block of rows, in the calling thread."""
    from pipelines.classifier.features import feature_columns, features_of

    text = pl.col("text").fill_null("")
    folded, plain = pl.col(_FOLDED), pl.col(_PLAIN)
    prepared = frame.lazy().with_columns(fold(text).alias(_FOLDED), signoff(text).alias("signoff")).collect()
    prepared = (
        prepared.with_columns(_canned_source(prepared))
        .lazy()
        .with_columns(plain_text(folded).alias(_PLAIN), canned_of_folded(pl.col(_CANNED)).alias("canned_text"))
        .with_columns(is_thanks(plain).alias("is_thanks"), *feature_columns(models.spec, folded, plain))
        .drop(_CANNED)
        .collect()
    )
    if "lang" in frame.columns:
        prepared = _fill_language(prepared)
    # The clauses are scored for their sentiment only (the other tasks' columns are not read).
    clauses = _clause_rows(prepared)
    clause_features = (  # lazy, so that repeated subexpressions (the lexicon's) run once
        clauses.lazy()
        .select(pl.col("text").alias(_FOLDED), plain_text(pl.col("text")).alias(_PLAIN))
        .with_columns(feature_columns(models.spec, folded, plain))
        .collect()
    )
    probabilities = models.probabilities(*features_of(prepared, models.spec), threads=False)
    sentiment, score = _sentiment_columns(probabilities["sentiment"], models.classes["sentiment"])
    clause_sentiment, clause_score = _sentiment_columns(
        models.probabilities(*features_of(clause_features, models.spec), ("sentiment",), threads=False)["sentiment"],
        models.classes["sentiment"],
    )
    n = prepared.height
    channels = tuple(None if name == "none" else name for name in models.classes["deflection"])
    classified = prepared.with_columns(
        sentiment=sentiment,
        sentiment_score=pl.Series(score, dtype=pl.Float64),
        intent=_labels(probabilities["intent"], models.classes["intent"]),
        intent_confidence=pl.Series(probabilities["intent"].max(axis=1), dtype=pl.Float64),
        deflection=_labels(probabilities["deflection"], channels),
        clauses=_clause_column(clauses, clause_sentiment, clause_score, n),
    )
    kept = [name for name in frame.columns if name not in CLASSIFICATION_COLUMNS]
    return classified.select(
        *kept, *(pl.col(name).cast(dtype) for name, (dtype, _) in CLASSIFICATION_COLUMNS.items())
    )
