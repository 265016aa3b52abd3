"""`brandcare ingest` on hostile files, as a user runs it: the reason is printed, there is no
traceback, and `--format` reads a file rejected before again. (Exit statuses and --help:
tests/test_cli.py.)"""

from __future__ import annotations

from pathlib import Path

from support import FIXTURES, run_cli

X_PAGE = FIXTURES / "ingest" / "x_page_with_bad_records.json"


def test_a_hostile_file_is_reported_without_traceback_and_read_again_with_a_format(tmp_path: Path):
    home = tmp_path / "home"
    nested = tmp_path / "nested.json"
    nested.write_bytes(b'{"a": ' * 300_000 + b"1" + b"}" * 300_000)
    disguised = tmp_path / "page.txt"
    disguised.write_bytes(X_PAGE.read_bytes() + b"\n")  # other content than X_PAGE: its own archive file

    hostile = run_cli(home, "ingest", str(nested), str(X_PAGE), check=False)
    assert hostile.returncode == 3, hostile.stdout + hostile.stderr
    assert "RecursionError: nested too deeply" in hostile.stdout
    assert "Traceback" not in hostile.stdout + hostile.stderr

    wrong = run_cli(home, "ingest", "--format", "twcs", str(disguised), check=False)
    assert wrong.returncode == 1 and "not a twcs CSV" in wrong.stdout
    right = run_cli(home, "ingest", "--format", "x_v2", str(disguised), check=False)
    assert right.returncode == 0, right.stdout + right.stderr
    assert "REJECTED" not in right.stdout and "loaded" in right.stdout


def test_a_folder_holding_the_home_is_read_without_the_homes_own_files(tmp_path: Path):
    """`brandcare ingest ~/brandcare/` with the home in it (the README's layout) read the home's
    store, lake and Dagster files as archives: 429 of 433 rejected, kept for good (QA). They are
    skipped; the inbox, where files are dropped to be ingested, is not."""
    import shutil

    root = tmp_path / "brandcare"
    home, archives = root / "home", root / "archives"
    archives.mkdir(parents=True)
    shutil.copy(FIXTURES / "x_v2" / "two_customers_page.json", archives / "page.json")
    run_cli(home, "ingest", str(archives))
    (home / "inbox").mkdir()
    shutil.copy(FIXTURES / "wxr" / "edge_cases.xml", home / "inbox" / "blog.xml")
    proc = run_cli(home, "ingest", str(root))
    assert proc.returncode == 0, proc.stderr
    assert "a file brandcare wrote in its home" in proc.stdout, proc.stdout
    status = run_cli(home, "status").stdout
    assert "archives: 2 files (0 rejected)" in status, status
    # archives kept in the home's folder (the default home ./data beside one's exports): read (review)
    (home / "exports").mkdir()
    shutil.copy(FIXTURES / "wxr" / "edge_cases.xml", home / "exports" / "other.xml")
    named = run_cli(home, "ingest", str(home / "exports"), str(home / "dagster" / "dagster.yaml"), check=False)
    assert "other.xml" in named.stdout and "dagster.yaml" in named.stdout, named.stdout  # found, and named alone
    (tmp_path / "empty").mkdir()  # and an empty folder is said as a glob matching nothing: exit 2 (QA: 0, "0 files")
    empty = run_cli(home, "ingest", str(tmp_path / "empty"), check=False)
    assert empty.returncode == 2 and f"error: no file in {tmp_path / 'empty'}" in empty.stderr, empty.stderr


def test_reread_forgets_rejected_files_this_version_skips(tmp_path: Path, settings, monkeypatch):
    """A home whose older version ingested a sample folder whole kept its brands.yaml and
    truth.json rejected for good: reread rejected them again and exited 3 (QA). Reread forgets
    a rejected file that ingest now skips; the loaded files are read again."""
    from pipelines import ingest, sources

    home = tmp_path / "home"
    registry = tmp_path / "brands.yaml"
    registry.write_text("brands: []\n")
    with monkeypatch.context() as older:  # the older version read a YAML file (and rejected it)
        older.setattr(sources, "_notes_name", lambda name: False)
        ingest.ingest([str(FIXTURES / "x_v2" / "two_customers_page.json"), str(registry)], settings)
    assert "archives: 2 files (1 rejected)" in run_cli(home, "status").stdout
    reread = run_cli(home, "ingest", "--reread", check=False)
    assert reread.returncode == 0, reread.stdout + reread.stderr
    assert "brands.yaml: forgotten, YAML, Markdown or HTML" in reread.stdout, reread.stdout
    assert "archives: 1 files (0 rejected)" in run_cli(home, "status").stdout
    assert len(list((home / "archives").iterdir())) == 1
    assert run_cli(home, "ingest", "--reread").returncode == 0


def test_a_file_name_that_is_not_utf8_is_read_and_shown_with_a_replacement_character(tmp_path: Path):
    """A name whose bytes are not UTF-8 (a file copied from an old Latin-1 system) stopped the
    whole ingest with a UnicodeEncodeError when its record was stored: nothing registered (QA)."""
    import os
    import shutil

    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(FIXTURES / "x_v2" / "two_customers_page.json", folder / os.fsdecode(b"caf\xe9.json"))
    shutil.copy(FIXTURES / "wxr" / "edge_cases.xml", folder / "good.xml")
    import zipfile  # a zip of such a name too (review: its entries' folder was named from the raw name)

    with zipfile.ZipFile(folder / os.fsdecode(b"d\xe9j\xe0.zip"), "w") as bundle:
        bundle.write(FIXTURES / "twcs" / "excel_index_crlf.csv", "inner.csv")
    proc = run_cli(tmp_path / "home", "ingest", str(folder))
    assert "caf\ufffd.json" in proc.stdout and "3 files (0 rejected)" in proc.stdout, proc.stdout
    assert "d\ufffdj\ufffd.zip/inner.csv" in proc.stdout, proc.stdout


def test_the_columns_of_ingest_line_up_whatever_the_format(tmp_path: Path):
    """facebook_graph, wider than the format column, pushed its line's counts out of line (QA)."""
    proc = run_cli(tmp_path / "home", "ingest", str(FIXTURES / "x_v2" / "two_customers_page.json"),
                   str(next((FIXTURES / "facebook").glob("*.json"))))
    lines = [line for line in proc.stdout.splitlines() if line.startswith("  ") and " read " in line]
    assert len(lines) == 2 and {"x_v2", "facebook_graph"} <= set(" ".join(lines).split())
    assert len({line.index(" read ") for line in lines}) == 1, lines


def test_a_file_whose_every_record_is_quarantined_says_why_and_run_does_not_say_ingest_first(tmp_path: Path):
    """A personal archive's tweets.js copied without its account.js (QA, a real 2024 archive):
    ingest printed "loaded 0, quarantined 1223" and nothing else, and `run` answered "the lake
    holds no messages: `brandcare ingest SOURCE...` first", after the ingest; the reason was in
    the lake's quarantine files alone."""
    home = tmp_path / "home"
    proc = run_cli(home, "ingest", str(FIXTURES / "x_archive" / "no_account" / "tweets.js"))
    assert ("loaded      0  quarantined    2  (new): nothing loaded: every record quarantined, 2 of 2 as "
            "'author unknown: personal archive without account.js") in proc.stdout, proc.stdout
    run = run_cli(home, "run", "--brands", str(Path(__file__).resolve().parents[1] / "examples" / "brands.yaml"),
                  check=False)
    assert run.returncode != 0 and "ingest SOURCE...` first" not in run.stderr
    assert "every record of its 1 loaded file(s) (2 records) was quarantined" in run.stderr, run.stderr
