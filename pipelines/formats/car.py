"""Bluesky repository exports: a CAR file (Settings > Account > Export my data, ``repo.car``,
the output of ``com.atproto.sync.getRepo``) read as the account's records.

A CAR v1 file is a header ``{"version": 1, "roots": [cid]}`` and DAG-CBOR blocks keyed by
content id. The root is the repository's signed commit ``{"did", "data", "rev", ...}``; its
``data`` is the root of a Merkle search tree whose keys are ``<collection>/<rkey>`` and whose
values are the records. Only the tree says which blocks are the account's records, under which
collection and key: an older export also holds earlier commits and deleted records, which are
not walked. :func:`car_to_json_lines` writes each record in key order as a
``com.atproto.repo.listRecords`` record ``{"uri": "at://<did>/<collection>/<rkey>", "cid",
"value"}``, one per line, which the Bluesky reader reads as any other file of records (posts
and reposts are messages, likes, follows and the profile are quarantined as ``excluded:``).

Byte strings in records are written as the AT Protocol's JSON writes them: a content id as
``{"$link": "bafy..."}`` (blob references), other bytes as ``{"$bytes": "<base64>"}``.
Decoding uses ``libipld`` (DAG-CBOR and CAR, imported here only).
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from pipelines.formats.base import ArchiveError

#: a CAR v1 header is a varint length, then a DAG-CBOR map of two keys (0xa2): "roots" and "version"
_HEADER_KEYS = (b"\x65roots", b"\x67version")
#: the content ids checked against their blocks: CIDv1, DAG-CBOR (0x71), SHA-256 (0x12, 32 bytes)
_DAG_CBOR_SHA256 = bytes([0x01, 0x71, 0x12, 0x20])
#: a content id as libipld returns it: CIDv1 (0x01), then codec and multihash (sha-256: 36 bytes)
_CID_VERSION = 1
_CID_MIN_BYTES = 36
#: nesting of a record deeper than this is not a Bluesky record (its JSON is not written)
_MAX_DEPTH = 200


def _varint(data: bytes) -> tuple[int, int] | None:
    """The unsigned LEB128 varint at the start of ``data`` and its length in bytes."""
    value = 0
    for i, byte in enumerate(data[:9]):
        value |= (byte & 0x7F) << (7 * i)
        if byte < 0x80:
            return value, i + 1
    return None


def is_car(head: bytes) -> bool:
    """The first bytes of a file are a CAR v1 header: a varint length, then a map of two keys,
    ``roots`` and ``version``, within that length."""
    parsed = _varint(head)
    if parsed is None:
        return False
    length, start = parsed
    header = head[start:start + length]
    return 0 < length == len(header) and header[:1] == b"\xa2" and all(key in header for key in _HEADER_KEYS)


#: the format a CAR file's records are read as (its JSON lines: pipelines.formats.bluesky)
CAR_FORMAT = "bluesky"


class _Damaged(ArchiveError):
    def __init__(self, what: str) -> None:
        super().__init__(f"damaged CAR file: {what}", fmt=CAR_FORMAT)


def _jsonable(value, depth: int = 0):
    if depth > _MAX_DEPTH:
        raise _Damaged(f"a record nested more than {_MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        return {key: _jsonable(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item, depth + 1) for item in value]
    if isinstance(value, bytes):
        import libipld

        if len(value) >= _CID_MIN_BYTES and value[0] == _CID_VERSION:
            try:
                return {"$link": libipld.encode_cid(value)}
            except ValueError:
                pass
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    return value


class _Repository:
    """The blocks of a CAR file, each checked against its content id when it is used."""

    def __init__(self, data: bytes) -> None:
        import libipld

        self._ipld = libipld
        try:
            header, self.blocks = libipld.decode_car(data)
        except ValueError as exc:
            raise _Damaged(str(exc)) from exc
        self.used: set[bytes] = set()
        roots = header.get("roots") if isinstance(header, dict) else None
        if not isinstance(roots, list) or not roots or not isinstance(roots[0], bytes):
            raise _Damaged("its header names no root")
        self.root = roots[0]

    def block(self, cid, what: str):
        """The block ``cid`` names (``what`` it should be, for errors), checked against its id."""
        if not isinstance(cid, bytes):
            raise _Damaged(f"{what}: a link that is not a content id")
        if cid not in self.blocks:
            raise _Damaged(f"{what} {self.cid(cid)} is not in the file (a truncated or partial export)")
        value = self.blocks[cid]
        if cid[:4] == _DAG_CBOR_SHA256 and cid not in self.used \
                and hashlib.sha256(self._ipld.encode_dag_cbor(value)).digest() != cid[4:]:
            raise _Damaged(f"{what} {self.cid(cid)} does not match its content id")
        self.used.add(cid)
        return value

    def cid(self, cid: bytes) -> str:
        try:
            return self._ipld.encode_cid(cid)
        except ValueError:
            return cid.hex()


def _tree_entries(repo: _Repository, root: bytes) -> tuple[list[tuple[str, bytes]], int]:
    """``(key, record cid)`` of every entry of the tree under ``root``, in key order, and the
    number of tree nodes.

    A node is ``{"l": left subtree, "e": [{"p": prefix length, "k": key suffix, "v": value,
    "t": right subtree}]}``; a key is the previous entry's first ``p`` bytes and ``k``; keys
    increase strictly along the walk. A node reached twice (a cycle, a shared subtree) or
    malformed makes the file damaged.
    """
    entries: list[tuple[str, bytes]] = []
    seen: set[bytes] = set()
    stack: list[tuple[str, object]] = [("node", root)]
    previous = b""
    while stack:
        kind, item = stack.pop()
        if kind == "entry":
            key, value = item
            if entries and key <= previous:
                raise _Damaged(f"the repository tree's keys are out of order ({key!r} after {previous!r})")
            previous = key
            try:
                entries.append((key.decode("ascii"), value))
            except UnicodeDecodeError:
                raise _Damaged(f"a repository tree key that is not ASCII: {key!r}") from None
            continue
        if item in seen:
            raise _Damaged("the repository tree reaches one node twice: not a tree")
        seen.add(item)
        node = repo.block(item, "repository tree node")
        if not isinstance(node, dict) or not isinstance(node.get("e"), list):
            raise _Damaged(f"repository tree node {repo.cid(item)} is not a tree node")
        # pushed in reverse: left subtree, then each entry and its right subtree, in order
        todo: list[tuple[str, object]] = []
        if node.get("l") is not None:
            todo.append(("node", node["l"]))
        key = b""
        for entry in node["e"]:
            p, k = (entry.get("p"), entry.get("k")) if isinstance(entry, dict) else (None, None)
            if not isinstance(p, int) or isinstance(p, bool) or not 0 <= p <= len(key) or not isinstance(k, bytes):
                raise _Damaged(f"repository tree node {repo.cid(item)} holds a malformed entry")
            key = key[:p] + k
            todo.append(("entry", (key, entry.get("v"))))
            if entry.get("t") is not None:
                todo.append(("node", entry["t"]))
        stack.extend(reversed(todo))
    return entries, len(seen)


def car_to_json_lines(path: Path, target: Path) -> list[str]:
    """Write the records of the repository in the CAR file ``path`` to ``target`` (JSON lines
    of listRecords records, in key order); the notes to keep on the archive file.

    Every block read is checked against its content id, and every record the tree names must
    be in the file: a truncated, corrupted or crafted file is rejected (ArchiveError), never
    read in part.
    """
    repo = _Repository(path.read_bytes())
    commit = repo.block(repo.root, "the root (the repository's commit)")
    if not isinstance(commit, dict) or not isinstance(commit.get("did"), str) or commit.get("data") is None:
        raise ArchiveError("CAR file that holds no Bluesky repository: its root is not a repository commit",
                           fmt=CAR_FORMAT)
    did = commit["did"]
    entries, nodes = _tree_entries(repo, commit["data"])
    if not entries:
        raise ArchiveError(f"Bluesky repository export of {did} that holds no records", fmt=CAR_FORMAT)
    with target.open("w", encoding="utf-8") as out:
        for key, value_cid in entries:
            collection, _, rkey = key.partition("/")
            record = repo.block(value_cid, f"record {key}")
            line = {"uri": f"at://{did}/{collection}/{rkey}", "cid": repo.cid(value_cid), "value": _jsonable(record)}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    notes = [f"Bluesky repository export (CAR) of {did}: {len(entries)} record(s) read from its tree"]
    unread = len(repo.blocks) - len(repo.used)
    if unread:
        notes.append(f"{unread} block(s) outside the repository's tree (earlier commits, deleted records) not read")
    return notes
