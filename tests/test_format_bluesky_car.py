"""Bluesky repository exports (CAR files, "Export my data"), on two real exports.

``tests/fixtures/bluesky_car/`` (SOURCE.md: where they come from, licences):

- ``msttest-06-reply.car``: the profile, a like, a post and a reply to it;
- ``bnewbold...car``: 38 records in the repository's tree: 23 posts, a repost, 2 likes,
  3 follows, the profile and 8 records of collections other than Bluesky's.

The figures below were read off the files with a separate tree walk (the recursive one of the
AT Protocol's specification, over libipld's decoding), not with the reader under test.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines import ingest
from pipelines.formats import ArchiveError, detect_format, read_archive
from pipelines.formats.decode import foreign_binary_head, prepare
from pipelines.settings import load_settings

CAR = Path(__file__).parent / "fixtures" / "bluesky_car"
REPLY_CAR = CAR / "msttest-06-reply.car"
ALT_CAR = CAR / "bnewbold.robocracy.org.20250310005405.car"
TEST_DID = "did:plc:tyme6enconikdp7rnxkywdcg"
ALT_DID = "did:plc:nhxcyu4ewwhl5pqil4dotqjo"


def read_car(path: Path, work: Path):
    readable, notes = prepare(path, work)
    return detect_format(readable), read_archive(readable, detect_format(readable)), notes


def test_a_car_export_reads_its_posts_and_quarantines_the_other_records(tmp_path: Path):
    fmt, read, notes = read_car(REPLY_CAR, tmp_path)
    assert fmt == "bluesky"
    posts = {row["message_id"]: row for row in read.messages.to_dicts()}
    first, reply = f"bluesky:{TEST_DID}/3malwzvfmmk2t", f"bluesky:{TEST_DID}/3malx3qc2es2t"
    assert set(posts) == {first, reply}
    assert posts[first]["text"] == "doing a quick test of mst"
    assert posts[first]["created_at"] == datetime(2025, 12, 22, 19, 15, 23, 411000, tzinfo=UTC)
    assert posts[reply]["text"] == "and a quick reply"
    assert (posts[reply]["parent_id"], posts[reply]["conversation_id"]) == (first, first)
    assert posts[reply]["in_reply_to_author_id"] == TEST_DID
    assert posts[reply]["author_id"] == TEST_DID and posts[reply]["author_handle"] is None
    assert posts[reply]["lang"] == "en"
    assert sorted(read.quarantine["reason"]) == ["excluded: app.bsky.actor.profile", "excluded: app.bsky.feed.like"]
    # every block is the commit, a tree node or a record: no other block to note
    assert notes == [f"Bluesky repository export (CAR) of {TEST_DID}: 4 record(s) read from its tree"]


def test_every_record_of_a_real_repository_is_a_message_or_a_quarantined_row(tmp_path: Path):
    _, read, notes = read_car(ALT_CAR, tmp_path)
    kinds = read.messages["kind"].value_counts().sort("kind").rows()
    assert kinds == [("post", 23), ("repost", 1)]
    assert read.quarantine["reason"].value_counts().sort("reason").rows() == [
        ("excluded: app.bsky.actor.profile", 1),
        ("excluded: app.bsky.feed.like", 2),
        ("excluded: app.bsky.graph.follow", 3),
        ("excluded: blue.linkat.board", 1),
        ("excluded: com.atproto.lexicon.record", 1),
        ("excluded: com.atproto.lexicon.schema", 5),
        ("excluded: net.bnewbold.demo.mushroom", 1),
    ]
    # the tree's key order: records numbered 0..37 without a gap
    positions = sorted([*read.messages["position"], *read.quarantine["position"]])
    assert positions == list(range(38))
    rows = {row["native_id"]: row for row in read.messages.to_dicts()}
    mention = rows[f"{ALT_DID}/3ktbn5b7zkc26"]
    assert mention["text"] == "what about this @bnewbold.net"
    assert mention["mentions"] == ["bnewbold.net", "did:plc:44ybard66vv44zksje25o7dz"]
    reply = rows[f"{ALT_DID}/3kyozfaqkgc23"]  # a reply in someone else's thread, an image only
    assert reply["conversation_id"] == f"bluesky:{ALT_DID}/3ktbqfmhvak26"
    assert reply["parent_id"] == "bluesky:did:plc:oio4hkxaop4ao4wz2pp3f4cr/3ktbrpnp5x227"
    assert reply["in_reply_to_author_id"] == "did:plc:oio4hkxaop4ao4wz2pp3f4cr"
    assert reply["text"] == ""
    repost = rows[f"repost:{ALT_DID}/3klyeqyfh3k26"]
    assert repost["reposted_id"] == "bluesky:did:plc:xgs3qrwos3dwxmixoflcxrhu/3kly6ksx2kk27"
    assert notes[0] == f"Bluesky repository export (CAR) of {ALT_DID}: 38 record(s) read from its tree"


def test_ingest_loads_a_car_export_plain_or_gzipped_and_counts_every_record(tmp_path: Path):
    gzipped = tmp_path / "in" / "repo.car.gz"
    gzipped.parent.mkdir()
    gzipped.write_bytes(gzip.compress(ALT_CAR.read_bytes()))
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path / "home")})
    records = ingest.ingest([str(REPLY_CAR), str(gzipped)], settings)
    assert [(r.format, r.status, r.records_read, r.records_loaded, r.records_quarantined) for r in records] == [
        ("bluesky", "loaded", 4, 2, 2),
        ("bluesky", "loaded", 38, 24, 14),
    ]
    assert ingest.reconcile(settings).is_empty()


def test_a_car_file_is_not_skipped_as_foreign_binary_data():
    head = ALT_CAR.read_bytes()[:4096]
    assert b"\x00" in head  # content ids hold NUL bytes: without the CAR check it would be skipped
    assert not foreign_binary_head(head)
    assert foreign_binary_head(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_a_damaged_car_file_is_rejected_with_a_reason_and_the_others_load(tmp_path: Path):
    damaged = tmp_path / "in" / "damaged.car"
    damaged.parent.mkdir()
    damaged.write_bytes(ALT_CAR.read_bytes()[:5000])
    with pytest.raises(ArchiveError, match="damaged CAR file"):
        prepare(damaged, tmp_path)
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path / "home")})
    records = ingest.ingest([str(damaged), str(REPLY_CAR)], settings)
    assert [(r.status, r.records_loaded) for r in records] == [("rejected", 0), ("loaded", 2)]
    assert "damaged CAR file" in records[0].error
    assert records[0].format == "bluesky"  # recognised before it failed: not '?' (QA)


def varint(n: int) -> bytes:
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def car_bytes(root: bytes, blocks: dict[bytes, object]) -> bytes:
    """A CAR v1 file of ``blocks`` (content id -> value, DAG-CBOR encoded here) with ``root``."""
    import libipld

    header = libipld.encode_dag_cbor({"roots": [root], "version": 1})
    out = varint(len(header)) + header
    for cid, value in blocks.items():
        data = libipld.encode_dag_cbor(value)
        out += varint(len(cid) + len(data)) + cid + data
    return out


def cid_of(value) -> bytes:
    import hashlib

    import libipld

    return bytes.fromhex("01711220") + hashlib.sha256(libipld.encode_dag_cbor(value)).digest()


def decoded(path: Path) -> tuple[bytes, dict]:
    import libipld

    header, blocks = libipld.decode_car(path.read_bytes())
    return header["roots"][0], blocks


def test_a_truncated_export_is_rejected_not_read_in_part(tmp_path: Path):
    root, blocks = decoded(REPLY_CAR)
    reply = next(cid for cid, block in blocks.items() if isinstance(block, dict) and block.get("text") == "and a quick reply")
    partial = tmp_path / "partial.car"
    partial.write_bytes(car_bytes(root, {cid: block for cid, block in blocks.items() if cid != reply}))
    with pytest.raises(ArchiveError, match=r"damaged CAR file: record app\.bsky\.feed\.post/3malx3qc2es2t \S+ is not in "
                                           r"the file \(a truncated or partial export\)"):
        prepare(partial, tmp_path)


def test_a_corrupted_block_is_rejected(tmp_path: Path):
    data = REPLY_CAR.read_bytes()
    at = data.index(b"and a quick reply")
    corrupted = tmp_path / "corrupted.car"
    corrupted.write_bytes(data[:at] + b"And" + data[at + 3:])  # one letter: the file still decodes
    with pytest.raises(ArchiveError, match=r"damaged CAR file: record app\.bsky\.feed\.post/3malx3qc2es2t \S+ does not "
                                           r"match its content id"):
        prepare(corrupted, tmp_path)


def test_a_crafted_tree_that_reaches_a_node_twice_is_rejected(tmp_path: Path):
    # 40 such nodes would name 2**40 entries: the walk must stop at the first node seen twice
    record = {"$type": "app.bsky.feed.post", "text": "hi", "createdAt": "2025-01-01T00:00:00Z"}
    leaf = {"l": None, "e": [{"p": 0, "k": b"app.bsky.feed.post/3aaaaaaaaaaaa", "v": cid_of(record), "t": None}]}
    top = {"l": cid_of(leaf), "e": [{"p": 0, "k": b"app.bsky.feed.post/3bbbbbbbbbbbb", "v": cid_of(record),
                                     "t": cid_of(leaf)}]}
    commit = {"did": "did:plc:crafted", "version": 3, "data": cid_of(top), "rev": "3l", "prev": None}
    car = tmp_path / "dag.car"
    car.write_bytes(car_bytes(cid_of(commit), {cid_of(b): b for b in (commit, top, leaf, record)}))
    with pytest.raises(ArchiveError, match="reaches one node twice"):
        prepare(car, tmp_path)


def test_an_empty_repository_is_rejected_with_its_reason(tmp_path: Path):
    tree = {"l": None, "e": []}
    commit = {"did": "did:plc:newaccount", "version": 3, "data": cid_of(tree), "rev": "3l", "prev": None}
    car = tmp_path / "empty.car"
    car.write_bytes(car_bytes(cid_of(commit), {cid_of(commit): commit, cid_of(tree): tree}))
    with pytest.raises(ArchiveError, match="Bluesky repository export of did:plc:newaccount that holds no records"):
        prepare(car, tmp_path)


def test_records_of_any_collection_cannot_make_the_export_another_format(tmp_path: Path):
    # a custom collection's record holding an Apify tweet's keys, first in key order
    custom = {"$type": "com.example.bookmark", "type": "tweet", "twitterUrl": "https://x.com/a/status/1", "userName": "a"}
    post = {"$type": "app.bsky.feed.post", "text": "hola", "createdAt": "2025-01-01T00:00:00Z"}
    tree = {"l": None, "e": [{"p": 0, "k": b"app.bsky.feed.post/3aaaaaaaaaaaa", "v": cid_of(post), "t": None},
                             {"p": 0, "k": b"com.example.bookmark/3aaaaaaaaaaaa", "v": cid_of(custom), "t": None}]}
    commit = {"did": "did:plc:crafted", "version": 3, "data": cid_of(tree), "rev": "3l", "prev": None}
    car = tmp_path / "mixed.car"
    car.write_bytes(car_bytes(cid_of(commit), {cid_of(b): b for b in (commit, tree, post, custom)}))
    fmt, read, _ = read_car(car, tmp_path)
    assert fmt == "bluesky"
    assert read.messages["text"].to_list() == ["hola"]
    assert read.quarantine["reason"].to_list() == ["excluded: com.example.bookmark"]


def test_a_header_with_several_roots_is_a_car_header():
    from pipelines.formats.car import is_car

    header = car_bytes(b"\x01" * 36, {})  # one root: a one-byte length
    assert is_car(header)
    import libipld

    many = libipld.encode_dag_cbor({"roots": [cid_of({"n": n}) for n in range(4)], "version": 1})
    assert len(many) > 127  # a two-byte length, "version" past the first 64 bytes
    assert is_car(varint(len(many)) + many)
    assert not is_car(b'X\xa2eroots gversion')  # the length (88) is longer than what follows


def test_a_gzipped_file_without_a_gz_name_keeps_its_stored_archive(tmp_path: Path):
    compressed = tmp_path / "in" / "repo.car"
    compressed.parent.mkdir()
    compressed.write_bytes(gzip.compress(REPLY_CAR.read_bytes()))
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path / "home")})
    [record] = ingest.ingest([str(compressed)], settings)
    assert (record.status, record.records_read, record.records_loaded) == ("loaded", 4, 2)
    stored = list((settings.archives_dir).glob("*/content"))
    assert [p.read_bytes() for p in stored] == [compressed.read_bytes()]  # was truncated to 0 bytes


def test_a_record_without_its_value_is_quarantined_with_its_reason(tmp_path: Path):
    records = tmp_path / "records.jsonl"
    records.write_text('{"uri": "at://did:plc:abc/app.bsky.feed.post/3aaaaaaaaaaaa", "cid": "bafy", "value": null}\n')
    read = read_archive(records, detect_format(records))
    assert read.quarantine["reason"].to_list() == [
        "missing required field: value (the record of at://did:plc:abc/app.bsky.feed.post/3aaaaaaaaaaaa)"]
def test_a_car_file_without_a_repository_commit_is_rejected(tmp_path: Path):
    import hashlib

    import libipld

    # a valid CAR whose root block is a plain record, not a repository's commit
    record = {"$type": "app.bsky.feed.post", "text": "hi"}
    cid = bytes.fromhex("01711220") + hashlib.sha256(libipld.encode_dag_cbor(record)).digest()
    car = tmp_path / "notarepo.car"
    car.write_bytes(car_bytes(cid, {cid: record}))
    with pytest.raises(ArchiveError, match="holds no Bluesky repository"):
        prepare(car, tmp_path)
