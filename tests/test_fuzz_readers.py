"""Every reader, fed any bytes (random, or a real fixture damaged at random): reading gives a
result whose records add up (read = loaded + quarantined) or a clear rejection
(ArchiveError), never another exception. Bounded: a few hundred examples in all."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipelines.formats import READERS, ArchiveError, detect_format, read_archive
from pipelines.formats.decode import prepare

FIXTURES = Path(__file__).parent / "fixtures"
#: format -> real fixtures of it, damaged by the mutations below
SEEDS = {
    "x_v2": ["ingest/x_page_with_bad_records.json", "twarc2/stream.jsonl"],
    "x_v11": ["x_v11/stream.jsonl", "x_v11/search_page.json"],
    "snscrape": ["snscrape/bitcoin_search.jsonl", "snscrape/ifmg_search.jsonl"],
    "apify_x": ["apify_x/dataset.json"],
    "x_archive": ["x_archive/full/tweets.js"],
    "twcs": ["twcs/sample.csv"],
    "twarc_csv": ["twarc2/stream.csv"],
    "tags": ["tags/archive.csv"],
    "bluesky": ["bluesky/jetstream.jsonl", "bluesky/list_records.json"],
    "facebook_graph": ["facebook/comments_pages.jsonl", "facebook/page_posts_with_comments.json"],
    "wxr": ["ingest/blog_wordpress.xml"],
    "disqus": ["disqus/export.xml"],
    "canonical": ["canonical/messages.csv", "canonical/messages.jsonl"],
}
EXAMPLES = 10  # per format and strategy: 13 formats x 2 strategies x 10 = 260 reads


def _read(data: bytes, fmt: str) -> None:
    """Read ``data`` as ``fmt`` as ingest does (prepare, then the reader); detection too."""
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        work = Path(tmp)
        original = work / "archive"
        original.write_bytes(data)
        try:
            readable, _ = prepare(original, work)
            with contextlib.suppress(ArchiveError):
                detect_format(readable)
            read = read_archive(readable, fmt)
        except ArchiveError as exc:
            assert str(exc)  # a rejection says why
            return
        assert read.records_read == read.messages.height + read.quarantine.height
        assert read.quarantine["reason"].null_count() == 0


def _mutate(seed: bytes, cuts: list[tuple[int, int, bytes]]) -> bytes:
    """The seed with a few spans replaced (deleted, overwritten, duplicated bytes)."""
    data = bytearray(seed)
    for position, length, insert in cuts:
        at = position % (len(data) + 1)
        data[at:at + length] = insert
    return bytes(data)


FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("fmt", sorted(READERS))
@FUZZ
@given(data=st.binary(max_size=600))
@example(data=b"PK\x03\x04")  # a zip's magic and no zip: an Excel workbook's reading raised (found by this test)
def test_any_bytes_give_a_result_or_a_rejection(fmt, data):
    _read(data, fmt)


@pytest.mark.parametrize("fmt", sorted(READERS))
@FUZZ
@given(choice=st.integers(min_value=0, max_value=9),
       cuts=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 40), st.binary(max_size=12)),
                     min_size=1, max_size=4))
def test_damaged_real_files_give_a_result_or_a_rejection(fmt, choice, cuts):
    seeds = SEEDS[fmt]
    seed = (FIXTURES / seeds[choice % len(seeds)]).read_bytes()
    _read(_mutate(seed, cuts), fmt)
