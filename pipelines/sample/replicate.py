"""Replicas: a large sample as renamed copies of a small one, with exact truth.

A sample asked for more than ``BASE_MAX`` messages is planted, simulated and written at a base
size (``messages / R`` messages), then copied ``R - 1`` times. Replica ``k`` (1..R-1) is the base
world with:

- every brand renamed: each brand has a *stem*, a word that its id, name, aliases, handles,
  page and blog author names all contain (``pinar`` in ``banco_pinar``, ``Banco Pinar``,
  ``@pinar_responde``, ``Equipo Banco Pinar``); in replica ``k`` the stem's 2nd to 4th
  characters become ``k`` as three digits (``p007r``, ``T007ia``), wherever it occurs. The
  length is unchanged, so X mention offsets and Bluesky facets' UTF-8 byte ranges still hold,
  and word boundaries are unchanged, so an alias matches exactly where it matched in the base;
- every id of the world's messages and brand accounts shifted: decimal ids end in a
  three-digit replica field (``000`` in the base, ``k`` in replica ``k``), atproto record keys
  and brand DIDs in a two-character base32 field (the TID clock id, ``22`` in the base);
- customers shared: the same accounts and handles in every replica (a customer's case in
  replica ``k`` is another case: its conversation and brand differ).

Nothing else changes: times, texts (apart from the renamed stems), follower counts and the
order of records are the base's. So the truth of replica ``k`` is the base truth under the new
keys: its cases are the base cases patched the same way (ids and brand ids), its scorecard rows
the base rows with the brand renamed, its files the base files (X pages of one series joined
into one JSON-lines file of pages; a file the same in every replica, such as the archive
owner's ``account.js``, is one archive file). The copies are byte patches of the base files at the
positions of these fields, found once in the base bytes, so a replica costs a memory copy and a
write.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

#: above this many messages a sample is made of replicas of a base of at most this many
BASE_MAX = 30_000
#: the decimal replica field has three digits (the base32 one allows 1024)
MAX_REPLICAS = 1000
_B32 = "234567abcdefghijklmnopqrstuvwxyz"
_DIGITS = re.compile(rb"\d+")
_B32_RUN = re.compile(rb"[a-z2-7]+")
#: base32 keys and hashes (DIDs with their record keys, CIDs, TIDs in quotes or after a slash):
#: a stem inside one of them is a coincidence, not a brand word
_BLOBS = re.compile(rb"did:plc:[a-z2-7]{24}(?:/[a-z2-7]{13})?|bafyrei[a-z2-7]{52}|(?<=[\"/])[a-z2-7]{13}(?=\")")


def replica_count(messages: int | None, base_max: int = BASE_MAX) -> int:
    """How many replicas a sample of ``messages`` messages is made of (1: no copies)."""
    if messages is None or messages <= base_max:
        return 1
    return min(MAX_REPLICAS, -(-messages // base_max))


def stem_pattern(stems: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True)), re.IGNORECASE)


def rename(text: str, stems: re.Pattern[str], k: int) -> str:
    """``text`` with every brand stem renamed for replica ``k`` (file names, brand ids)."""
    return stems.sub(lambda m: m.group()[0] + f"{k:03d}" + m.group()[4:], text)


class Patch:
    """The replica fields of one base file: where its ids and brand stems are."""

    def __init__(self, data: bytes, ids: set[bytes], keys: set[bytes], stems: re.Pattern[str]) -> None:
        blobs = [(m.start(), m.end()) for m in _BLOBS.finditer(data)]
        starts = np.array([s for s, _ in blobs], np.int64)
        ends = np.array([e for _, e in blobs], np.int64)
        stem_bytes = re.compile(stems.pattern.encode(), re.IGNORECASE)
        dec = [m.end() - 3 for m in _DIGITS.finditer(data) if m.group() in ids]
        for m in stem_bytes.finditer(data):
            i = np.searchsorted(starts, m.start(), side="right") - 1
            if i < 0 or ends[i] <= m.start():  # not inside a key or hash
                dec.append(m.start() + 1)
        self.base = np.frombuffer(data, np.uint8)
        self.dec = np.array(sorted(dec), np.int64)
        self.b32 = np.array([m.end() - 2 for m in _B32_RUN.finditer(data) if m.group() in keys], np.int64)

    def replica(self, k: int) -> bytes:
        if not 0 < k < MAX_REPLICAS:
            raise ValueError(f"replica {k} outside 1..{MAX_REPLICAS - 1}")
        out = self.base.copy()
        for i, c in enumerate(f"{k:03d}".encode()):
            out[self.dec + i] = c
        for i, c in enumerate((_B32[k >> 5] + _B32[k & 31]).encode()):
            out[self.b32 + i] = c
        return out.tobytes()


def replica_path(rel: str, stems: re.Pattern[str], k: int) -> str:
    """``x/search_telvia_0001.json`` of the base -> ``x/r007/search_t007ia.jsonl`` (X pages of a
    series are joined into one JSON-lines file), ``blog/telvia_wordpress.xml`` ->
    ``blog/r007/t007ia_wordpress.xml``."""
    folder, name = rel.split("/", 1)
    if folder == "x":
        name = name.rsplit("_", 1)[0] + ".jsonl"
    return f"{folder}/r{k:03d}/{rename(name, stems, k)}"


def write_replicas(
    out: Path, files: dict[str, dict], replicas: int, ids: set[str], keys: set[str], stems: re.Pattern[str]
) -> dict[str, dict]:
    """Write replicas 1..replicas-1 of the base archive files under ``out``; their truth ``files``."""
    id_bytes = {s.encode() for s in ids}
    key_bytes = {s.encode() for s in keys}
    groups: dict[str, list[str]] = {}
    for rel in files:
        groups.setdefault(replica_path(rel, stems, 1), []).append(rel)
    written: dict[str, dict] = {}
    for rels in groups.values():
        data = b"".join((out / rel).read_bytes() for rel in rels)
        patch = Patch(data, id_bytes, key_bytes, stems)
        meta = {
            "format": files[rels[0]]["format"],
            "records_read": sum(files[r]["records_read"] for r in rels),
            "records_quarantined": sum(files[r]["records_quarantined"] for r in rels),
        }
        for k in range(1, replicas):
            rel = replica_path(rels[0], stems, k)
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(patch.replica(k))
            if patch.dec.size or patch.b32.size:  # a copy the same in every replica is one archive file
                written[rel] = dict(meta)
    return written
