"""One folder mixing every archive format, plain, gzip and zip: each file's format is detected
from its content, and the published scorecards cover every platform."""

from __future__ import annotations

import gzip
import shutil
import zipfile

import pytest

from pipelines.sample import generate_sample
from support import FIXTURES, run_brandcare

pytestmark = pytest.mark.e2e

# sample subfolder -> (how it is packed, format expected)
PACKING = {
    "x": ("plain", "x_v2"),
    "blog": ("gzip", "wxr"),
    "twcs": ("gzip", "twcs"),
    "facebook": ("zip", "facebook_graph"),
    "bluesky": ("zip", "bluesky"),
    "disqus": ("plain", "disqus"),
}


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("mixed")
    sample = root / "sample"
    generate_sample(sample, brands=6, days=12, messages=3000)
    mixed = root / "mixed"
    mixed.mkdir()
    expected: dict[str, str] = {}
    for folder, (packing, fmt) in PACKING.items():
        files = sorted((sample / folder).iterdir())
        assert files, f"the sample has no {folder} files"
        if packing == "zip":
            with zipfile.ZipFile(mixed / f"{folder}.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for path in files:
                    archive.write(path, f"{folder}/{path.name}")
                    expected[f"{folder}.zip/{folder}/{path.name}"] = fmt
        for path in files if packing != "zip" else []:
            if packing == "gzip":
                (mixed / f"{path.name}.gz").write_bytes(gzip.compress(path.read_bytes()))
                expected[f"{path.name}.gz"] = fmt
            else:
                shutil.copy(path, mixed / path.name)
                expected[path.name] = fmt
    # a personal archive as its zip, and the canonical schema in its three encodings
    with zipfile.ZipFile(mixed / "twitter-archive.zip", "w") as archive:
        for name in ("account.js", "tweets.js", "tweets-part1.js", "note-tweet.js"):
            archive.write(FIXTURES / "x_archive" / "full" / name, f"data/{name}")
            expected[f"twitter-archive.zip/data/{name}"] = "x_archive"
    for path in sorted((FIXTURES / "canonical").iterdir()):
        shutil.copy(path, mixed / f"converted_{path.name}")
        expected[f"converted_{path.name}"] = "canonical"
    run = run_brandcare(root / "home", [mixed], sample / "brands.yaml")
    return run, expected


def test_every_file_is_detected_and_read(mixed_run):
    run, expected = mixed_run
    files = {r["name"]: r for r in run.query("select * from archive_files")}
    assert set(files) == set(expected)
    wrong = {name: (files[name]["format"], fmt) for name, fmt in expected.items() if files[name]["format"] != fmt}
    assert not wrong
    assert {name for name, r in files.items() if r["status"] != "loaded"} == set()
    for row in files.values():
        assert row["records_read"] == row["records_loaded"] + row["records_quarantined"]
    assert any("gzip decompressed" in (r["notes"] or "") for r in files.values())


def test_published_scorecards_cover_every_platform(mixed_run):
    run, _ = mixed_run
    assert run.result.success
    rows = run.query("select platform, sum(cases) as cases from brand_scorecards where period = 'month' group by 1")
    cases = {r["platform"]: r["cases"] for r in rows}
    assert set(cases) == {"x", "bluesky", "facebook", "blog", "all"}
    assert all(n > 0 for n in cases.values()), cases
