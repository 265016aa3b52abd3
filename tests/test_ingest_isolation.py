"""Every file isolated, every line isolated: a hostile file is rejected with a reason that
names what went wrong, a bad line of a JSON-lines archive is quarantined with its line
number, and everything around them loads (records read = loaded + quarantined)."""

from __future__ import annotations

import dataclasses
import gzip
import json
import re
import shutil
import zipfile
from dataclasses import asdict
from pathlib import Path

import polars as pl
import pytest

from pipelines import ingest
from pipelines.settings import load_settings

FIXTURES = Path(__file__).parent / "fixtures"
X_PAGE = FIXTURES / "ingest" / "x_page_with_bad_records.json"
X_BRANDS = FIXTURES / "x_v2" / "brands.yaml"
WXR = FIXTURES / "ingest" / "blog_wordpress.xml"
DISQUS = FIXTURES / "disqus" / "export.xml"
TWARC2 = FIXTURES / "twarc2" / "stream.jsonl"  # real twarc2 output whose 8th line was cut off (SOURCE.md)


def _deeply_nested_json(levels: int) -> bytes:
    """A JSON document nested ``levels`` objects deep (what a hostile archive may hold)."""
    return b'{"a": ' * levels + b"1" + b"}" * levels


def _facebook_page_with_nested_replies(depth: int) -> bytes:
    """A Graph API page whose comment thread nests ``depth`` replies deep: valid JSON, plausible
    shape, too deep for the reader (it recurses)."""
    node: dict = {"id": "1_2", "from": {"id": "9"}, "created_time": "2026-10-05T09:00:00+0000", "message": "x"}
    text = json.dumps(node)
    for level in range(depth):
        text = (f'{{"id": "1_{level + 3}", "from": {{"id": "9"}}, "created_time": "2026-10-05T09:00:00+0000", '
                f'"message": "x", "comments": {{"data": [{text}]}}}}')
    return ('{\n"data": [' + text + "]}\n").encode()


def _lake(settings) -> tuple[pl.DataFrame, pl.DataFrame]:
    return (pl.read_parquet(settings.message_rows_dir / "*.parquet"), pl.read_parquet(settings.quarantine_dir / "*.parquet"))


def test_hostile_files_between_good_ones_are_rejected_each_with_its_reason(settings, tmp_path: Path):
    batch = tmp_path / "batch"
    batch.mkdir()
    files = {
        "1_good_page.json": X_PAGE.read_bytes(),
        "2_nested.json": _deeply_nested_json(300_000),
        "3_good_blog.xml": WXR.read_bytes(),
        "4_bomb.json.gz": gzip.compress(b"{" + b" " * (16 << 20)),
        "5_reader_crash.json": _facebook_page_with_nested_replies(3000),
        "6_good_stream.jsonl": TWARC2.read_bytes(),
    }
    for name, content in files.items():
        (batch / name).write_bytes(content)

    records = {r.name: r for r in ingest.ingest([str(batch)], settings)}

    assert list(records) == list(files)  # every file reported, in order
    assert records["2_nested.json"].status == "rejected"
    assert records["2_nested.json"].error.startswith("detecting the format failed: RecursionError: nested too deeply")
    assert records["4_bomb.json.gz"].status == "rejected"
    assert "refused as a decompression bomb" in records["4_bomb.json.gz"].error
    assert records["5_reader_crash.json"].status == "rejected"
    assert records["5_reader_crash.json"].format == "facebook_graph"
    assert records["5_reader_crash.json"].error.startswith("reading as facebook_graph failed: RecursionError")
    good = {name: records[name] for name in ("1_good_page.json", "3_good_blog.xml", "6_good_stream.jsonl")}
    assert {r.status for r in good.values()} == {"loaded"}
    assert [r.records_loaded for r in good.values()] == [3, 3, 11]
    messages, quarantine = _lake(settings)
    assert messages.height == 3 + 3 + 11
    assert set(messages["archive_sha256"]) == {r.sha256 for r in good.values()}
    for record in records.values():
        assert record.records_read == record.records_loaded + record.records_quarantined
    assert ingest.reconcile(settings).is_empty()
    # nothing of the run is left in the lake's work folder
    assert not any((settings.lake_dir / "tmp").iterdir())


def _tweets_per_line(path: Path) -> dict[int, int]:
    """Tweets each line of a twarc2 stream holds (data + includes.tweets), by line number;
    lines that are not JSON are left out. Computed with the json module, not the reader."""
    counts = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        try:
            message = json.loads(line)
        except ValueError:
            continue
        counts[number] = 1 + len(message.get("includes", {}).get("tweets", []))
    return counts


def test_real_twarc2_stream_with_cut_lines_loads_every_other_line(settings, tmp_path: Path):
    # as published: the 8th (last) line is cut off; and a copy whose 4th line is cut too
    lines = TWARC2.read_text().split("\n")
    cut = tmp_path / "stream_cut_inside.jsonl"
    cut.write_text("\n".join(lines[:3] + [lines[3][: len(lines[3]) // 2]] + lines[4:]))
    records = ingest.ingest([str(TWARC2), str(cut)], settings)

    for record, path, bad_lines in zip(records, (TWARC2, cut), ([8], [4, 8]), strict=False):
        expected = sum(_tweets_per_line(path).values())
        assert (record.status, record.format) == ("loaded", "x_v2")
        assert (record.records_loaded, record.records_quarantined) == (expected, len(bad_lines))
        _, quarantine = _lake(settings)
        reasons = quarantine.filter(pl.col("archive_sha256") == record.sha256)["reason"].to_list()
        assert reasons == [f"not valid JSON (line {n})" for n in bad_lines]
    assert records[0].records_loaded == 11 and records[1].records_loaded == 11 - 1  # line 4 held one tweet
    messages, _ = _lake(settings)
    first = messages.filter(pl.col("archive_sha256") == records[0].sha256)
    assert "x:1377650090978992134" in first["message_id"].to_list()  # the first line's tweet, with its handle
    assert first.filter(pl.col("author_id") == "4602771083")["author_handle"].drop_nulls().len() >= 1
    assert ingest.reconcile(settings).is_empty()


def test_a_stray_byte_before_the_xml_declaration_is_removed_and_noted(settings, tmp_path: Path):
    damaged = tmp_path / "disqus_export.xml"
    damaged.write_bytes(b"\x1a" + DISQUS.read_bytes())
    (record,) = ingest.ingest([str(damaged)], settings)
    assert (record.status, record.format) == ("loaded", "disqus")
    assert "1 stray byte(s) before the XML declaration removed" in record.notes
    (clean,) = ingest.ingest([str(DISQUS)], settings)
    assert (record.records_loaded, record.records_quarantined) == (clean.records_loaded, clean.records_quarantined)


def test_a_file_rejected_before_is_read_again_with_a_forced_format(settings, tmp_path: Path):
    (wrong,) = ingest.ingest([str(X_PAGE)], settings, fmt="twcs")
    assert wrong.status == "rejected" and "not a twcs CSV" in wrong.error
    (again,) = ingest.ingest([str(X_PAGE)], settings)  # auto: the recorded outcome, not read again
    assert again == wrong
    (right,) = ingest.ingest([str(X_PAGE)], settings, fmt="x_v2")
    assert (right.sha256, right.status, right.format, right.records_read) == (wrong.sha256, "loaded", "x_v2", 8)
    (same,) = ingest.ingest([str(X_PAGE)], settings, fmt="x_v2")  # same format again: nothing to do
    assert same == right
    files = ingest.load_archive_files(settings)
    assert files["sha256"].to_list() == [right.sha256]  # one record, the newest
    messages, quarantine = _lake(settings)
    assert (messages.height, quarantine.height) == (3, 5)
    assert ingest.reconcile(settings).is_empty()


def test_a_loaded_file_keeps_its_load_when_a_forced_format_cannot_read_it(settings, tmp_path: Path):
    """A mistyped --format on a file loaded before rejected it and took its messages out of the
    lake; the next run published without them and said nothing (QA)."""
    (loaded,) = ingest.ingest([str(X_PAGE)], settings)
    before = _lake(settings)
    (wrong,) = ingest.ingest([str(X_PAGE)], settings, fmt="wxr")
    assert (wrong.status, wrong.format) == ("rejected", "wxr")
    assert "not readable as wxr" in wrong.error and "its earlier load as x_v2 is kept (3 records)" in wrong.error
    after = _lake(settings)
    assert all(a.equals(b) for a, b in zip(before, after, strict=True)), "the lake is as the first load left it"
    assert ingest.load_archive_files(settings).to_dicts() == [asdict(loaded)]
    assert ingest.reconcile(settings).is_empty()
    (again,) = ingest.ingest([str(X_PAGE)], settings)  # and it is still the loaded file
    assert again == loaded
    for fmt in ("x_v11", "apify_x"):  # read, but nothing loaded (all quarantined; no record): kept too (review)
        (nothing,) = ingest.ingest([str(X_PAGE)], settings, fmt=fmt)
        assert nothing.status == "rejected" and "its earlier load as x_v2 is kept (3 records)" in nothing.error
        assert all(a.equals(b) for a, b in zip(before, _lake(settings), strict=True))


def test_a_malformed_csv_is_rejected_without_showing_a_work_path(settings, tmp_path: Path):
    broken = tmp_path / "converted.csv"
    broken.write_text('message_id,platform,author_id,created_at,text\nx:1,x,a,2026-10-01T00:00:00Z,"never closed\n')
    (record,) = ingest.ingest([str(broken)], settings, fmt="canonical")
    assert record.status == "rejected" and "not readable as a canonical CSV file" in record.error
    assert str(settings.home) not in record.error and "/tmp" not in record.error
    assert "converted.csv" in record.error


def test_every_file_rejected_is_visible_in_what_ingest_returns(settings, tmp_path: Path):
    (tmp_path / "a.txt").write_text("dear diary")
    (tmp_path / "b.json").write_text("")
    records = ingest.ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.json")], settings)
    assert [r.status for r in records] == ["rejected", "rejected"]
    assert [r.error for r in records] == ["unknown format: not JSON, XML, an X archive, or a twcs, twarc-csv or TAGS CSV", "empty file"]


def test_lake_dates_are_the_posts_dates_for_the_lake_and_for_given_files(settings, tmp_path: Path):
    profile_then_posts = tmp_path / "converted.jsonl"
    rows = [
        {"message_id": "bluesky:profile:did:plc:a", "platform": "bluesky", "kind": "profile", "author_id": "did:plc:a",
         "created_at": "2019-03-01T10:00:00Z", "text": None},
        {"message_id": "x:1", "platform": "x", "author_id": "7", "created_at": "2026-09-30T23:59:00Z", "text": "hola"},
        {"message_id": "x:2", "platform": "x", "author_id": "7", "created_at": "2026-10-01T00:01:00+02:00", "text": "?"},
    ]
    profile_then_posts.write_text("".join(json.dumps(r) + "\n" for r in rows))
    converted, page = ingest.ingest([str(profile_then_posts), str(X_PAGE)], settings)
    from datetime import date

    # the profile (2019) says when an account was created: not a day the lake holds posts for
    assert ingest.lake_dates(settings, [converted.sha256]) == (date(2026, 9, 30), date(2026, 9, 30))
    # the page's loaded tweets: 2026-10-02 and the one in includes.tweets, 2026-10-01
    assert ingest.lake_dates(settings, [page.sha256]) == (date(2026, 10, 1), date(2026, 10, 2))
    assert ingest.lake_dates(settings) == (date(2026, 9, 30), date(2026, 10, 2))
    assert ingest.lake_dates(settings, []) is None


def test_same_content_twice_in_one_ingest_is_read_once(settings, tmp_path: Path):
    copy = tmp_path / "copy.json"
    shutil.copy(X_PAGE, copy)
    first, second = ingest.ingest([str(X_PAGE), str(copy)], settings)
    assert dataclasses.replace(first, name="copy.json") == second  # the same file, said under its own name
    messages, _ = _lake(settings)
    assert messages.height == first.records_loaded


def test_quotes_semicolons_and_non_ascii_in_paths_and_values_are_data_not_sql(settings, tmp_path: Path):
    folder = tmp_path / "a'b; drop table messages; --ñ"
    folder.mkdir()
    shutil.copy(X_PAGE, folder / 'it\'s "q"; ñ.json')
    handle = "o'brien\"; drop table messages; --ñ"
    row = {"message_id": "x:42", "platform": "x", "author_id": "a'); --", "author_handle": handle,
           "created_at": "2026-10-01T10:00:00Z", "text": "it's \"fine\"; select 1; ñ"}
    (folder / "converted.jsonl").write_text(json.dumps(row) + "\n")
    records = {r.name: r for r in ingest.ingest([str(folder)], settings)}
    assert {r.status for r in records.values()} == {"loaded"}
    assert records['it\'s "q"; ñ.json'].records_loaded == 3
    messages, _ = _lake(settings)
    loaded = messages.filter(pl.col("message_id") == "x:42").row(0, named=True)
    assert (loaded["author_id"], loaded["author_handle"], loaded["text"]) == (row["author_id"], handle, row["text"])
    assert ingest.lake_dates(settings, [records["converted.jsonl"].sha256]) is not None
    assert ingest.reconcile(settings).is_empty()


def test_a_source_refused_twice_in_one_ingest_is_recorded_once(settings, tmp_path: Path):
    import zipfile

    slip = tmp_path / "slip.zip"
    with zipfile.ZipFile(slip, "w") as archive:
        archive.writestr("../../escaped.json", X_PAGE.read_bytes())
    told: list[bool] = []
    first, second = ingest.ingest([str(slip), str(slip)], settings, on_file=lambda _record, new: told.append(new))
    assert first.sha256 == second.sha256 and first.status == "rejected" and "unsafe zip entry path" in first.error
    assert ingest.load_archive_files(settings)["sha256"].to_list() == [first.sha256]
    (again,) = ingest.ingest([str(slip)], settings, on_file=lambda _record, new: told.append(new))
    assert again == first
    assert ingest.reconcile(settings).is_empty()
    # reported as new the first time only (it was "already registered" even in a fresh home)
    assert told == [True, False, False]


def test_reread_applies_this_versions_readers_to_a_lake_an_older_version_wrote(tmp_path: Path):
    """After an upgrade that changes a reader (here WordPress ids, which gained their site), the
    files a home holds are read again in place: the lake then holds what a fresh ingest gives."""
    from support import run_cli

    home = tmp_path / "home"
    wxr = FIXTURES / "wxr" / "edge_cases.xml"
    run_cli(home, "ingest", str(wxr), str(X_PAGE))
    settings = load_settings({"BRANDCARE_HOME": str(home)})
    fresh = pl.read_parquet(settings.message_rows_dir / "*.parquet").sort("archive_sha256", "position")
    # the lake as the version before b32ddd2 wrote it: blog ids without their site
    for part in settings.message_rows_dir.glob("*.parquet"):
        old = pl.read_parquet(part).with_columns(
            pl.col(c).str.replace("blog:blog.telvia.example:", "blog:", literal=True)
            for c in ("message_id", "version_id", "conversation_id", "parent_id"))
        old.write_parquet(part)
    assert "blog:41" in pl.read_parquet(settings.message_rows_dir / "*.parquet")["message_id"].to_list()

    proc = run_cli(home, "ingest", "--reread")
    assert proc.stdout.count("(read again)") == 2 and "without --from/--to" in proc.stdout
    again = pl.read_parquet(settings.message_rows_dir / "*.parquet").sort("archive_sha256", "position")
    assert again.drop("ingested_at", strict=False).equals(fresh.drop("ingested_at", strict=False))
    assert ingest.reconcile(settings).is_empty()
    # --reread alone: with sources (or a forced format) it is refused
    assert run_cli(home, "ingest", "--reread", str(wxr), check=False).returncode == 2
    # a home whose files were all rejected: nothing changed, no advice to recompute every month (QA)
    rejected_home = tmp_path / "rejected"
    (tmp_path / "notes.txt").write_text("dear diary, today the router broke")
    run_cli(rejected_home, "ingest", str(tmp_path / "notes.txt"), check=False)
    again = run_cli(rejected_home, "ingest", "--reread", check=False)
    assert "(read again)" in again.stdout and "without --from/--to" not in again.stdout


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 64
#: the parts of a real X archive beside its data: its HTML viewer, assets, manifest and README
X_ARCHIVE_VIEWER = {
    "Your archive.html": b"<!DOCTYPE html><html><head><title>Your archive</title></head><body></body></html>",
    "assets/js/main.js": b"!function(e){var t={};function n(r){return t[r]}}([]);",
    "assets/images/twemoji/1f600.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>',
    "data/manifest.js": b'window.__THAR_CONFIG = {"userInfo": {"userName": "telvia_fan"}, "dataTypes": {}}',
    "data/README.txt": b"Twitter Archive README\nThis archive contains ...",
}


def test_media_and_viewer_of_an_x_archive_are_skipped_before_they_are_copied(tmp_path: Path):
    """A personal X archive holds its media beside its data (data/tweets_media/*.jpg, *.mp4: often
    gigabytes) and an HTML viewer (Your archive.html, assets/, thousands of files). Found in the
    archive's folder they are skipped with the reason, never copied into the store nor recorded
    as rejected files, and the ingest ends well; a binary file named on its own is rejected."""
    from support import run_cli

    root = tmp_path / "archive"
    shutil.copytree(FIXTURES / "x_archive" / "full", root / "data")
    for name, content in X_ARCHIVE_VIEWER.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    media = root / "data" / "tweets_media"
    media.mkdir()
    (media / "1627000000000000001-a.jpg").write_bytes(JPEG)
    (media / "1627000000000000002-b.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64)
    # another export put beside the archive is no part of it: read as always
    shutil.copy(FIXTURES / "twcs" / "sample.csv", root / "twcs_export.csv")
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path / "home")})
    skipped = []
    records = {r.name: r for r in ingest.ingest([str(root)], settings, on_skip=skipped.append)}
    assert sorted(c.name for c in skipped) == sorted(
        [Path(name).name for name in X_ARCHIVE_VIEWER] + ["1627000000000000001-a.jpg", "1627000000000000002-b.mp4"])
    assert all(c.skipped and c.path is None for c in skipped)
    assert records.pop("twcs_export.csv").format == "twcs"
    assert sorted(records) == sorted(p.name for p in (FIXTURES / "x_archive" / "full").iterdir())
    assert all(r.status == "loaded" for r in records.values()) and records["tweets.js"].records_loaded == 3
    stored = [p.read_bytes() for p in settings.archives_dir.glob("*/*") if p.is_file() and p.name != "source.json"]
    assert JPEG not in stored and len(stored) == len(records) + 1
    assert ingest.reconcile(settings).is_empty()
    # the command says what it skipped, once per reason, and ends well
    proc = run_cli(tmp_path / "home2", "ingest", str(root))
    assert "skipped 7 file(s), part of an X archive that holds no messages" in proc.stdout
    assert "REJECTED" not in proc.stdout and "6 files (0 rejected, 7 skipped)" in proc.stdout
    # without the manifest (and its README), the media are still skipped, as binary data
    (root / "data" / "manifest.js").unlink()
    (root / "data" / "README.txt").unlink()
    proc = run_cli(tmp_path / "home3", "ingest", str(root / "data"))
    assert "skipped 2 file(s), binary data" in proc.stdout and "REJECTED" not in proc.stdout
    # named on its own, the same image is a file the user asked for: rejected with the reason
    proc = run_cli(tmp_path / "home2", "ingest", str(media / "1627000000000000001-a.jpg"), check=False)
    assert proc.returncode == 1 and "REJECTED (new): binary data" in proc.stdout


def test_a_registry_a_readme_and_a_samples_truth_beside_the_exports_are_skipped(demo_run, tmp_path: Path):
    """A brand registry (brands.yaml) or a README kept in the exports' folder, and the truth.json
    of a `brandcare sample` folder, are not messages: found in a folder they are skipped with the
    reason, and the ingest ends well (they were rejected: exit status 3 on every sample folder
    ingested whole). Named on its own, a registry is skipped with the same reason, not recorded
    (QA: it was rejected as an unknown format, "give it with --format", and counted in status)."""
    from support import run_cli

    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(demo_run.home / "sample" / "brands.yaml", folder / "brands.yaml")
    shutil.copy(demo_run.home / "sample" / "truth.json", folder / "truth.json")
    (folder / "README.md").write_text("# Exports of November\n\nFrom the X API, by the care team.\n")
    # an X archive's viewer, renamed to publish it (QA: three real archives on GitHub): rejected
    (folder / "index.html").write_text("<!DOCTYPE html><html><head><title>Your archive</title></head></html>")
    shutil.copy(FIXTURES / "twcs" / "sample.csv", folder / "twcs_export.csv")
    proc = run_cli(tmp_path / "home", "ingest", str(folder))
    assert "1 files (0 rejected, 4 skipped)" in proc.stdout and "REJECTED" not in proc.stdout
    assert "skipped 3 file(s), YAML, Markdown or HTML" in proc.stdout
    assert "README.md, brands.yaml, index.html" in proc.stdout
    assert "skipped 1 file(s), what `brandcare sample` planted (truth.json)" in proc.stdout
    # a file found twice (beside its zip) is counted once in the totals (QA: 3,706 read of 1,853)
    read = int(re.search(r"read (\d+)", proc.stdout.splitlines()[-1]).group(1))
    with zipfile.ZipFile(folder / "copy.zip", "w") as archive:
        archive.write(folder / "twcs_export.csv", "twcs_export.csv")
    proc = run_cli(tmp_path / "home_twice", "ingest", str(folder))
    assert f"2 files (0 rejected, 4 skipped): read {read}," in proc.stdout
    # a truth.json of another tool is read as any JSON file (here: of no known format, rejected)
    (folder / "truth.json").write_text('{"verdict": true}')
    proc = run_cli(tmp_path / "home", "ingest", str(folder), check=False)
    assert "truth.json" in proc.stdout and "REJECTED" in proc.stdout
    proc = run_cli(tmp_path / "home2", "ingest", str(folder / "brands.yaml"), check=False)
    assert proc.returncode == 1 and "REJECTED" not in proc.stdout
    assert "skipped 1 file(s), YAML, Markdown or HTML" in proc.stdout and "give a registry to `run --brands`" in proc.stdout
    assert "0 files (0 rejected, 1 skipped)" in proc.stdout


@pytest.fixture
def extracted(monkeypatch) -> list[str]:
    """The names of the zip entries written out during a test (extraction observed, passed through)."""
    from pipelines import sources

    written: list[str] = []
    copy = sources._copy_capped
    monkeypatch.setattr(sources, "_copy_capped", lambda stream, target, limit: (written.append(target.name),
                                                                                 copy(stream, target, limit)))
    return written


def _ingest_noting_skips(path: Path, home: Path) -> tuple[list, list]:
    """(records, skipped candidates) of an ingest of ``path`` into ``home``."""
    skipped: list = []
    records = ingest.ingest([str(path)], load_settings({"BRANDCARE_HOME": str(home)}), on_skip=skipped.append)
    return records, skipped


def test_media_and_viewer_in_a_zipped_x_archive_are_skipped_without_being_extracted(tmp_path: Path, extracted):
    """The archive's zip is the documented way to ingest it: its media and viewer entries are
    skipped (media from their first bytes), never written out (extraction is observed)."""
    import zipfile

    from pipelines import sources

    path = tmp_path / "twitter-archive.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in (FIXTURES / "x_archive" / "full").iterdir():
            archive.write(part, f"data/{part.name}")
        for name, content in X_ARCHIVE_VIEWER.items():
            archive.writestr(name, content)
        archive.writestr("data/tweets_media/1627000000000000001-a.jpg", JPEG)
        archive.writestr("../escaped.js", b"window.YTD.tweets.part0 = []")  # refused as unsafe, not skipped
        archive.writestr("__MACOSX/data/._tweets.js", b"\x00\x05\x16\x07")  # left out as always
    found, skipped = _ingest_noting_skips(path, tmp_path / "home")
    records = {r.name: r for r in found}
    assert {c.name: c.skipped for c in skipped} == {
        **{f"twitter-archive.zip/{name}": sources.SKIPPED_X_EXTRA for name in X_ARCHIVE_VIEWER},
        "twitter-archive.zip/data/tweets_media/1627000000000000001-a.jpg": sources.SKIPPED_X_EXTRA,
    }
    assert sorted(extracted) == sorted(p.name for p in (FIXTURES / "x_archive" / "full").iterdir())
    assert records["twitter-archive.zip/data/tweets.js"].records_loaded == 3
    unsafe = records.pop("twitter-archive.zip/../escaped.js")
    assert unsafe.status == "rejected" and unsafe.error.startswith("unsafe zip entry path")
    assert all(r.status == "loaded" for r in records.values())


def test_binary_entries_of_a_zip_are_skipped_without_being_extracted(tmp_path: Path, extracted):
    """Outside an X archive's layout too, an entry of binary data is told from its first bytes."""
    import zipfile

    from pipelines import sources

    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(X_PAGE, "page.json")
        archive.writestr("photos/1.jpg", JPEG)
    records, skipped = _ingest_noting_skips(path, tmp_path / "home")
    assert [(c.name, c.skipped) for c in skipped] == [("export.zip/photos/1.jpg", sources.SKIPPED_BINARY)]
    assert extracted == ["page.json"] and [r.status for r in records] == ["loaded"]


def test_a_zip_entry_that_cannot_be_extracted_is_refused_alone(settings, tmp_path: Path):
    """QA (adversarial zips): an entry whose folder name is too long for the file system, or that
    needs a folder where an entry wrote a file, stopped the whole ingest with a traceback (nothing
    registered); a second entry of one name replaced the first, which was lost without a reason;
    a symbolic link entry was written as a file; 300 entries of 1 MiB each (each under the bomb
    floor) filled the home with 800 times the zip's size. Each is refused alone now."""
    import stat
    import zipfile

    from pipelines.formats.decode import MAX_COMPRESSION_RATIO

    page = X_PAGE.read_bytes()
    path = tmp_path / "odd.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("good.json", page)
        archive.writestr("d" * 300 + "/long.json", page)
        archive.writestr("a", page)
        archive.writestr("a/b.json", page)
        archive.writestr("twice.json", page)
        archive.writestr("twice.json", b"{}")
        link = zipfile.ZipInfo("link.json")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    records = ingest.ingest([str(path)], settings)
    loaded = [r for r in records if r.status == "loaded"]
    assert sorted(r.name for r in loaded) == ["odd.zip/a", "odd.zip/good.json", "odd.zip/twice.json"]
    assert [r.records_loaded for r in loaded if r.name == "odd.zip/twice.json"] != [0]  # the first of the two
    errors = sorted(r.error for r in records if r.status == "rejected")
    assert errors == [
        "a second zip entry named 'twice.json': refused (the first one is read)",
        "zip entry 'a/b.json' cannot be written here: File exists",
        f"zip entry '{'d' * 300}/long.json' cannot be written here: File name too long",
        "zip entry 'link.json' is a symbolic link: refused",
    ]
    assert ingest.reconcile(settings).is_empty()
    # many entries, each under MIN_BOMB_BYTES, past the ratio together: the rest is refused
    bomb = tmp_path / "many.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for i in range(40):
            archive.writestr(f"e{i:02}.json", b" " * ((1 << 20) - 10) + b"{}")
    budget = MAX_COMPRESSION_RATIO * bomb.stat().st_size
    refused = [r for r in ingest.ingest([str(bomb)], settings) if r.error and "decompression bomb" in r.error]
    assert 0 < len(refused) < 40 and (40 - len(refused)) * (1 << 20) <= budget + (1 << 20)


def test_reread_keeps_the_format_a_file_was_forced_to(settings, tmp_path: Path):
    """A page that detection takes for another format loads only with --format; reading the home
    again must not undo that (it would replace its good rows with a quarantined record)."""
    page = json.loads(X_PAGE.read_text())
    page["data"] = [t for t in page["data"] if isinstance(t, dict) and t.get("id") and t.get("author_id")][:1]
    page["data"][0]["text"] = "@telvia my app.bsky.feed.post crosspost is lost"  # Bluesky's detection cue
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps(page))
    (detected,) = ingest.ingest([str(odd)], settings)
    assert detected.format == "bluesky" and detected.records_loaded == 0
    (forced,) = ingest.ingest([str(odd)], settings, fmt="x_v2")
    assert forced.format == "x_v2" and forced.records_loaded >= 1
    (again,) = ingest.reread(settings)
    assert (again.format, again.records_loaded, again.records_quarantined) == ("x_v2", forced.records_loaded, 0)
    assert ingest.reconcile(settings).is_empty()


def test_a_damaged_lake_part_is_named_with_what_to_do(tmp_path: Path):
    """QA: a lake part cut short (a disk error, a hand edit) made status, run and ingest fail
    with a Parquet traceback, and re-ingesting said 'already registered'. The commands name the
    part and the way back: remove it, then ingest --reread."""
    from support import run_cli

    home = tmp_path / "home"
    run_cli(home, "ingest", str(X_PAGE))
    settings = load_settings({"BRANDCARE_HOME": str(home)})
    (part,) = sorted(settings.message_rows_dir.glob("part-*.parquet"))
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    for command in (["status"], ["run", "--brands", str(X_BRANDS)]):
        proc = run_cli(home, *command, check=False)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, command
        assert f"damaged part(s) ({part}" in proc.stderr and "then run `brandcare ingest --reread`" in proc.stderr
    part.unlink()
    run_cli(home, "ingest", "--reread")
    assert ingest.reconcile(settings).is_empty() and ingest.lake_dates(settings) is not None
