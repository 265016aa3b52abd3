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
import json
from pathlib import Path

from pipelines.formats.base import ArchiveError

#: a CAR v1 header is a varint length, then a DAG-CBOR map of two keys (0xa2): "roots" and "version"
_HEADER_KEYS = (b"\x65roots", b"\x67version")
#: a content id as libipld returns it: CIDv1 (0x01), then codec and multihash (sha-256: 36 bytes)
_CID_VERSION = 1
_CID_MIN_BYTES = 36


def is_car(head: bytes) -> bool:
    """The first bytes of a file are a CAR v1 header (a varint length, then a two-key map
    holding ``roots`` and ``version``)."""
    start = 1 if head[:1] and head[0] < 0x80 else 2
    return head[start:start + 1] == b"\xa2" and all(key in head[start:start + 64] for key in _HEADER_KEYS)


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, bytes):
        import libipld

        if len(value) >= _CID_MIN_BYTES and value[0] == _CID_VERSION:
            try:
                return {"$link": libipld.encode_cid(value)}
            except ValueError:
                pass
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    return value


def _tree_entries(blocks: dict, root: bytes) -> tuple[list[tuple[str, bytes]], int]:
    """``(key, value cid)`` of every entry of the tree under ``root``, in key order, and the
    number of tree nodes named but absent from the file (a partial export).

    A node is ``{"l": left subtree, "e": [{"p": prefix length, "k": key suffix, "v": value,
    "t": right subtree}]}``; a key is the previous entry's first ``p`` bytes and ``k``.
    """
    entries: list[tuple[str, bytes]] = []
    missing = 0
    stack: list[tuple[str, object]] = [("node", root)]
    while stack:
        kind, item = stack.pop()
        if kind == "entry":
            entries.append(item)
            continue
        node = blocks.get(item)
        if not isinstance(node, dict) or not isinstance(node.get("e"), list):
            missing += 1
            continue
        # pushed in reverse: left subtree, then each entry and its right subtree, in order
        todo: list[tuple[str, object]] = []
        if node.get("l") is not None:
            todo.append(("node", node["l"]))
        key = b""
        for entry in node["e"]:
            key = key[: entry["p"]] + entry["k"]
            todo.append(("entry", (key.decode("utf-8", errors="replace"), entry["v"])))
            if entry.get("t") is not None:
                todo.append(("node", entry["t"]))
        stack.extend(reversed(todo))
    return entries, missing


def car_to_json_lines(path: Path, target: Path) -> list[str]:
    """Write the records of the repository in the CAR file ``path`` to ``target`` (JSON lines
    of listRecords records, in key order); the notes to keep on the archive file."""
    import libipld

    try:
        header, blocks = libipld.decode_car(path.read_bytes())
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ArchiveError(f"damaged CAR file: {exc}") from exc
    roots = header.get("roots") if isinstance(header, dict) else None
    commit = blocks.get(roots[0]) if roots else None
    if not isinstance(commit, dict) or not isinstance(commit.get("did"), str) or commit.get("data") is None:
        raise ArchiveError("CAR file that holds no Bluesky repository: its root is not a repository commit")
    did = commit["did"]
    entries, missing_nodes = _tree_entries(blocks, commit["data"])
    missing_records = 0
    with target.open("w", encoding="utf-8") as out:
        for key, value_cid in entries:
            collection, _, rkey = key.partition("/")
            record = blocks.get(value_cid)
            missing_records += record is None
            line = {"uri": f"at://{did}/{collection}/{rkey}", "cid": libipld.encode_cid(value_cid),
                    "value": _jsonable(record)}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    notes = [f"Bluesky repository export (CAR) of {did}: {len(entries)} record(s) read from its tree"]
    outside = len(blocks) - len(entries) + missing_records - 1
    if outside > 0:
        notes.append(f"{outside} other block(s) (tree nodes, earlier commits, deleted records) not read as records")
    if missing_nodes or missing_records:
        notes.append(f"partial export: {missing_nodes} tree node(s) and {missing_records} record(s) named "
                     "by the tree are not in the file")
    return notes
