"""Canned-reply normalisation and word-set Jaccard similarity (the metric definition of canned replies)."""

from __future__ import annotations

import re
import zlib

from pipelines.sample.model import _fold

_SIGNOFF_RES = (
    re.compile(r"\s*[\^*]\s?[A-Za-z]{1,3}\s*$"),  # ^JK, ^ JK, *AB
    re.compile(r"\s*[-~]\s?(?:[A-ZÁÉÍÓÚÑ][a-záéíóúñ]+|[A-Z]{1,3})\s*$"),  # -Becky, - Becky, ~Ana, -JK
)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_HANDLE_RE = re.compile(r"@\w+")
CANNED_MIN_REPLIES = 3
CANNED_SIMILARITY = 0.8
#: a personal reply is kept only if its similarity with every other reply of the brand-month is below this
PERSONAL_MAX_SIMILARITY = 0.7


def canned_normalise(text: str) -> str:
    """The canned-reply normalisation (see the brief in truth docs): sign-off, case, accents,
    e-mails, URLs, @handles, numbers and punctuation removed, whitespace collapsed."""
    for rx in _SIGNOFF_RES:
        stripped = rx.sub("", text, count=1)
        if stripped != text:
            text = stripped
            break
    text = _fold(text.lower())
    text = _EMAIL_RE.sub(" ", text)
    text = _URL_RE.sub(" ", text)
    text = _HANDLE_RE.sub(" ", text)
    text = re.sub(r"\d+", " ", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _words(text: str) -> frozenset:
    return frozenset(canned_normalise(text).split())


def _jaccard(a: frozenset, b: frozenset) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


class _SimIndex:
    """Word sets with a fast "which stored sets have Jaccard >= num/den with this one" (prefix
    filtering: two sets that similar share a word among the first n - ceil(t*n) + 1 words of each,
    in any fixed word order; here the CRC-32 order, which puts common words anywhere)."""

    def __init__(self, num: int, den: int) -> None:
        self.num, self.den = num, den
        self.sets: list[frozenset] = []
        self.index: dict[str, list[int]] = {}

    def _prefix(self, w: frozenset) -> list[str]:
        n = len(w)
        need = (self.num * n + self.den - 1) // self.den  # ceil(t * n)
        return sorted(w, key=lambda x: (zlib.crc32(x.encode()), x))[: n - need + 1]

    def add(self, w: frozenset) -> int:
        i = len(self.sets)
        self.sets.append(w)
        for word in self._prefix(w):
            self.index.setdefault(word, []).append(i)
        return i

    def similar(self, w: frozenset) -> list[int]:
        if not w:
            return []
        cands = {i for word in self._prefix(w) for i in self.index.get(word, ())}
        t = self.num / self.den
        return sorted(i for i in cands if _jaccard(w, self.sets[i]) >= t)
