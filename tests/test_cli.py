"""`brandcare` as a user meets it: help that explains, errors that name the fix, exit codes, status.

Every test runs the installed console script in a subprocess (conftest.run_cli). Only the
last test runs the pipeline (it needs a finished run and a failed one to show).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from pipelines.settings import Settings
from support import FIXTURES, run_cli

#: A small real X API v2 page (hand-written fixture, see tests/fixtures/x_v2) and its registry.
X_PAGE = FIXTURES / "x_v2" / "two_customers_page.json"
X_BRANDS = FIXTURES / "x_v2" / "brands.yaml"
#: Commands that read no BRANDCARE_* variable: the sample goes to --out, the classifier models live in the repository.
READ_NO_SETTING = {"sample", "train", "evaluate", "classify"}


def _commands() -> list[str]:
    """The subcommands `brandcare --help` lists under COMMAND, read as a user would."""
    usage = run_cli(Path("/nonexistent-home"), "--help").stdout
    listing = usage.split("positional arguments:", 1)[1].split("options:", 1)[0]
    return sorted(re.findall(r"^    ([a-z]+)\b", listing, flags=re.MULTILINE))


def _not_an_archive(folder: Path) -> Path:
    """A text file of no archive format: ingest rejects it whole."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "notes.txt"
    path.write_text("shopping list: milk, eggs\nnot social media at all\n")
    return path


def test_the_commands_are_the_documented_ones():
    assert {"sample", "ingest", "run", "demo", "status", "ui"} <= set(_commands())


@pytest.mark.parametrize("command", _commands())
def test_every_command_help_has_a_description_an_example_and_its_variables(tmp_path, command):
    proc = run_cli(tmp_path / "home", command, "--help")
    out = proc.stdout
    assert out.startswith(f"usage: brandcare {command}")
    description = out.split("\n\n")[1]
    assert len(description.split()) >= 5, f"{command} has no description: {description!r}"
    examples = out.split("examples:\n", 1)[1].split("\n\n")[0].splitlines()
    assert any(line.strip().startswith(("brandcare ", "BRANDCARE_")) and f"brandcare {command}" in line
               for line in examples), f"{command} --help shows no example of itself"
    if command not in READ_NO_SETTING:
        assert "environment:\n  BRANDCARE_HOME=" in out


def test_top_level_help_is_plain_text_and_lists_every_setting(tmp_path):
    out = run_cli(tmp_path / "home", "--help").stdout
    assert "``" not in out and ":mod:" not in out and ":func:" not in out
    for command in _commands():
        assert re.search(rf"^\s+{command}\s+\S", out, re.M), f"{command} missing from the command list"
    # every field of Settings is a variable the user can set: each one documented
    for spec in dataclasses.fields(Settings):
        variable = {"home": "BRANDCARE_HOME", "brands_file": "BRANDCARE_BRANDS"}.get(spec.name,
                                                                                     f"BRANDCARE_{spec.name.upper()}")
        assert f"\n  {variable}=" in out, f"{variable} is not in `brandcare --help`"
    assert "BRANDCARE_RESPONSE_WINDOW_DAYS=7\n" in out
    assert "BRANDCARE_SCORE_WEIGHTS=response_rate=35,speed=25,in_channel=15,equity=10,off_hours=10,recovery=5" in out


def test_help_shows_defaults_and_brands_is_a_file_everywhere(tmp_path):
    home = tmp_path / "home"
    sample = run_cli(home, "sample", "--help").stdout
    assert re.search(r"--brand-count BRAND_COUNT\s+number of brands \(default: 6\)", sample)
    assert re.search(r"--days DAYS\s+days of activity \(default: 60\)", sample)
    assert "--brands" not in sample
    demo = run_cli(home, "demo", "--help").stdout.split("environment:")[0]  # the variables mention run --brands
    assert "--brand-count" in demo and "--brands" not in demo
    run = run_cli(home, "run", "--help").stdout
    assert "--brands FILE" in run
    assert "(default: None)" not in run and "(default: False)" not in run
    ingest = run_cli(home, "ingest", "--help").stdout
    assert "(default: auto)" in ingest
    assert "1  every file was rejected" in ingest and "3  some files were rejected" in ingest
    old = run_cli(home, "sample", "--out", str(tmp_path / "s"), "--brands", "3", check=False)
    assert old.returncode == 2 and "unrecognized arguments: --brands" in old.stderr


def test_ingest_exit_codes_say_whether_files_were_rejected(tmp_path):
    home = tmp_path / "home"
    junk = _not_an_archive(tmp_path / "junk")

    every = run_cli(home, "ingest", str(junk), check=False)
    assert every.returncode == 1, every.stdout + every.stderr
    assert "REJECTED" in every.stdout and "notes.txt" in every.stdout
    assert "every file was rejected" in every.stderr and "--format" in every.stderr

    some = run_cli(home, "ingest", str(X_PAGE), str(junk), check=False)
    assert some.returncode == 3, some.stdout + some.stderr
    assert "1 of 2 files rejected" in some.stderr
    assert re.search(r"two_customers_page\.json\s+x_v2\s+read\s+\d+", some.stdout)

    again = run_cli(home, "ingest", str(X_PAGE), check=False)
    assert again.returncode == 0 and "already registered" in again.stdout

    missing = run_cli(home, "ingest", str(tmp_path / "nowhere.json"), check=False)
    assert missing.returncode == 2 and "no archive file matches" in missing.stderr

    # a file --format cannot help (binary data; likewise a failed download or checksum): no such hint (QA)
    image = tmp_path / "photo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    binary = run_cli(home, "ingest", str(image), check=False)
    assert binary.returncode == 1 and "binary data" in binary.stdout
    assert "every file was rejected (1); nothing was loaded.\n" in binary.stderr and "--format" not in binary.stderr


def test_ingest_prints_plain_lines_when_not_on_a_terminal(tmp_path):
    proc = run_cli(tmp_path / "home", "ingest", str(X_PAGE))
    assert "\x1b[" not in proc.stdout and "\r" not in proc.stdout  # no progress bar in logs
    assert re.search(r"^  \S*two_customers_page\.json\s+x_v2 .*\(new\)$", proc.stdout, re.M)


def test_run_without_a_registry_names_the_option_and_the_variable(tmp_path):
    proc = run_cli(tmp_path / "home", "run", check=False)
    assert proc.returncode == 2
    assert "no brand registry at" in proc.stderr
    assert "--brands FILE" in proc.stderr and "BRANDCARE_BRANDS" in proc.stderr
    example = proc.stderr.split("an annotated example: ", 1)[1].split(")")[0]
    assert Path(example).is_file(), "the example's path works from any folder (QA: relative to the repository)"
    assert not (tmp_path / "home").exists()  # refused before anything is written (QA: its dagster.yaml)
    empty = run_cli(tmp_path / "home", "run", "--brands", "", check=False)  # QA: read the sample's registry
    assert empty.returncode == 2 and "--brands: an empty path" in empty.stderr
    folder = run_cli(tmp_path / "home", "run", "--brands", str(tmp_path), check=False)
    assert folder.returncode == 2 and f"{tmp_path} is a folder" in folder.stderr
    assert not (tmp_path / "home").exists()


def test_run_with_a_broken_registry_names_the_problem(tmp_path):
    broken = tmp_path / "brands.yaml"
    broken.write_text("brands:\n  - name: Telvia\n    business_hours: {mon-fri: '9-21'}\n")
    proc = run_cli(tmp_path / "home", "run", "--brands", str(broken), check=False)
    assert proc.returncode == 2 and proc.stderr.startswith("error: brand registry: ")


def test_run_on_an_empty_lake_refuses_and_publishes_nothing(tmp_path):
    home = tmp_path / "home"
    proc = run_cli(home, "run", "--from", "2026-10-01", "--to", "2026-11-01", brands=X_BRANDS, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "holds no messages" in proc.stderr and "brandcare ingest SOURCE" in proc.stderr
    assert "nothing was published" in proc.stderr
    assert not (home / "published" / "current").exists()
    assert not list((home / "published" / "versions").glob("*")) if (home / "published").exists() else True


def test_a_window_that_ends_before_it_starts_is_refused(tmp_path):
    home = tmp_path / "home"
    run_cli(home, "ingest", str(X_PAGE))
    proc = run_cli(home, "run", "--from", "2026-11-01", "--to", "2026-10-01", brands=X_BRANDS, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--from 2026-11-01 must be before --to 2026-10-01" in proc.stderr
    assert not (home / "published" / "current").exists()
    bad = run_cli(home, "run", "--from", "01/10/2026", brands=X_BRANDS, check=False)
    assert bad.returncode == 2 and "not a date (YYYY-MM-DD): '01/10/2026'" in bad.stderr
    # before the first month a message may fall in: said in a line, not a Dagster traceback (QA)
    early = run_cli(home, "run", "--from", "1999-01-01", "--to", "2026-11-01", brands=X_BRANDS, check=False)
    assert early.returncode == 2 and "--from 1999-01-01 is before 2000-01-01" in early.stderr
    assert "Traceback" not in early.stderr


def test_status_of_a_new_home_says_what_to_do_and_creates_nothing(tmp_path):
    home = tmp_path / "home"
    proc = run_cli(home, "status")
    assert "archives: 0 files" in proc.stdout
    assert "lake: empty (`brandcare ingest SOURCE...`)" in proc.stdout
    assert "runs: none yet" in proc.stdout and "publication: none yet" in proc.stdout
    assert not home.exists()


def test_status_counts_archives_and_the_lake_days(tmp_path):
    home = tmp_path / "home"
    run_cli(home, "ingest", str(X_PAGE), str(_not_an_archive(tmp_path / "junk")), check=False)
    page = json.loads(X_PAGE.read_text())
    days = sorted(t["created_at"][:10] for t in page["data"] + page.get("includes", {}).get("tweets", []))
    proc = run_cli(home, "status")
    assert "archives: 2 files (1 rejected)" in proc.stdout
    assert f"lake: {days[0]} to {days[-1]} (UTC days)" in proc.stdout


def _as_an_older_version_left_it(home: Path) -> None:
    """The lake's archive_files as brandcare wrote it before it recorded what read each file:
    the parts and the placeholder without readers_version and classifier_version."""
    for path in (home / "lake" / "archive_files").glob("*.parquet"):
        pl.read_parquet(path).drop("readers_version", "classifier_version").write_parquet(path)


@pytest.mark.e2e
def test_files_read_by_an_older_version_are_told_until_read_again(tmp_path):
    """An upgraded home published labels of the old classifiers under the new one's name, and
    messages of readers whose ids changed twice; nothing said to read the files again (QA)."""
    home = tmp_path / "home"
    run_cli(home, "ingest", str(X_PAGE))
    _as_an_older_version_left_it(home)
    more = run_cli(home, "ingest", str(FIXTURES / "wxr" / "edge_cases.xml"))  # new files beside old ones: said
    assert "warning: 1 archive files of this home were read by another version" in more.stderr, more.stderr
    status = run_cli(home, "status").stdout
    assert "1 of them read by another version of brandcare's readers or classifiers" in status, status
    assert "`brandcare ingest --reread`" in status

    run = run_cli(home, "run", "--quiet", brands=X_BRANDS)
    assert "warning: check lake/archive_files:read_by_this_version" in run.stderr, run.stderr
    # a warning of a dbt test names its rows (QA: "an account ... wrote no message" named none)
    silent = run.stderr.split("warn_brand_accounts_silent", 1)[1].splitlines()[1:]
    assert any(line.startswith("    brand_id=") and "account=" in line for line in silent), run.stderr
    assert "1 of 2 archive files were read by another version" in run.stderr
    manifest = json.loads((home / "published" / "current" / "manifest.json").read_text())
    page = json.loads(X_PAGE.read_text())
    current, older = manifest["classifiers"]["lake"]  # sorted by version, unknown last
    assert older == {"version": None, "files": 1, "records": len(page["data"]) + len(
        page.get("includes", {}).get("tweets", []))}, "the labels' classifiers: unknown, not the current ones"
    assert current["version"] == manifest["classifiers"]["version"] and current["files"] == 1

    run_cli(home, "ingest", "--reread")
    assert "of them read by another version" not in run_cli(home, "status").stdout
    files = pl.read_parquet(home / "lake" / "archive_files" / "*.parquet")
    assert files["classifier_version"].to_list() == [manifest["classifiers"]["version"]] * 2


def _plant_stray_lake_row(home: Path) -> str:
    """A row in the lake that no archive file accounts for: the blocking reconcile check fails."""
    victim = next(p for p in (home / "lake" / "message_rows").rglob("*.parquet") if pl.read_parquet(p).height)
    rows = pl.read_parquet(victim)
    pl.concat([rows, rows.head(1).with_columns(pl.lit("x:999").alias("message_id"))]).write_parquet(victim)
    return "check lake/archive_files:records_reconcile failed"


@pytest.mark.e2e
def test_status_shows_runs_their_failed_checks_months_and_the_publication(demo_run, tmp_path):
    home = demo_run.copy(tmp_path)
    failed_check = _plant_stray_lake_row(home)
    assert run_cli(home, "run", "--quiet", check=False).returncode == 1

    out = run_cli(home, "status").stdout
    manifest = json.loads((home / "published" / "current" / "manifest.json").read_text())
    assert (f"publication: {manifest['version']} (created {manifest['created_at']}, "
            f"data horizon {manifest['data_horizon']})") in out
    runs = re.findall(r"^  ([0-9a-f]{8})  (\w+)", out, re.M)
    assert [status for _, status in runs[:2]] == ["FAILURE", "SUCCESS"]  # newest first
    failure_lines = out.split(runs[0][0], 1)[1].split(runs[1][0], 1)[0]
    assert failed_check in failure_lines
    # the months of the sample's days, each materialised by the demo's run
    posts = pl.concat([pl.read_parquet(p, columns=["kind", "created_at"])
                       for p in (home / "lake" / "message_rows").rglob("*.parquet")]).filter(
        pl.col("kind").is_in(["post", "repost", "delete"]))
    first, last = (f"{moment:%Y-%m}" for moment in (posts["created_at"].min(), posts["created_at"].max()))
    assert re.search(rf"months materialised: \d+ \({first} to {last}\)", out), out


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("BRANDCARE_RESPONSE_WINDOW_DAYS", "soon", "BRANDCARE_RESPONSE_WINDOW_DAYS: 'soon' is not a whole number"),
    ("BRANDCARE_REPORT_LANGUAGE", "fr", "BRANDCARE_REPORT_LANGUAGE: 'fr' is not en or es"),
    ("BRANDCARE_SCORE_WEIGHTS", "kindness=50", "BRANDCARE_SCORE_WEIGHTS: unknown part 'kindness'"),
    ("BRANDCARE_SCORE_WEIGHTS", "response_rate=0,speed=0,in_channel=0,equity=0,off_hours=0,recovery=0",
     "BRANDCARE_SCORE_WEIGHTS: every weight is 0"),
    ("BRANDCARE_SCORE_WEIGHTS", "speed=-5", "BRANDCARE_SCORE_WEIGHTS: speed=-5 is negative"),
])
def test_a_setting_that_does_not_parse_is_named_without_a_traceback(tmp_path, variable, value, message):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRANDCARE_", "DAGSTER_"))}
    env |= {"BRANDCARE_HOME": str(tmp_path / "home"), variable: value}
    script = Path(sys.executable).with_name("brandcare")
    proc = subprocess.run([str(script), "status"], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {message}") and "Traceback" not in proc.stderr
    assert not (tmp_path / "home").exists()


def test_a_home_that_is_a_file_is_named_and_an_empty_home_variable_is_the_default(tmp_path):
    """BRANDCARE_HOME naming a file: tracebacks (NotADirectoryError, FileExistsError), status
    said the home was empty; an empty BRANDCARE_HOME made the working folder the home (QA)."""
    afile = tmp_path / "afile"
    afile.write_text("not a home")
    for command in (["status"], ["ingest", str(X_PAGE)], ["run"], ["publications"], ["rollback", "abc"]):
        proc = run_cli(afile, *command, check=False)
        assert proc.returncode == 2, (command, proc.stderr)
        assert proc.stderr.startswith(f"error: BRANDCARE_HOME: {afile} is a file, not a folder"), proc.stderr
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRANDCARE_", "DAGSTER_"))} | {"BRANDCARE_HOME": ""}
    proc = subprocess.run([str(Path(sys.executable).with_name("brandcare")), "status"], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    assert proc.stdout.startswith(f"home {cwd / 'data'}\n"), proc.stdout + proc.stderr


def test_sample_and_demo_refuse_to_overwrite_or_mix_and_numbers_are_checked_where_given(tmp_path):
    """sample --out over a folder of one's own replaced its brands.yaml; demo mixed its invented
    messages into a home of real archives; --days 0, --brand-count 99, --max-rows -1, --port
    99999 ended in tracebacks, or a UI on no port (QA)."""
    home = tmp_path / "home"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "brands.yaml").write_text("brands: []  # my own registry\n")
    refused = {
        ("sample", "--out", str(mine)): "holds other files than a sample's",
        ("sample", "--out", str(mine / "brands.yaml")): "is a file, not a folder",
        ("sample", "--out", str(tmp_path / "s"), "--brand-count", "99"): "--brand-count: 99 is not in 1..",
        ("sample", "--out", str(tmp_path / "s"), "--days", "0"): "argument --days: 0 is not in 1..",
        ("sql", "--max-rows", "-1", "select 1"): "argument --max-rows: -1 is not in 1..",
        ("ui", "--port", "99999"): "argument --port: 99999 is not in 1..65535",
    }
    refused[("run", "--frobnicate")] = "usage: brandcare run"  # the command's usage, not brandcare's (QA)
    refused[("sample", "--out", "")] = "argument --out: an empty path"  # QA: wrote into the working folder
    for command, message in refused.items():
        proc = run_cli(home, *command, check=False)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr, (command, proc)
    assert (mine / "brands.yaml").read_text() == "brands: []  # my own registry\n"
    assert not (tmp_path / "s").exists()
    cut = tmp_path / "cut"  # a sample interrupted before its truth.json (review: refused for good)
    run_cli(home, "sample", "--out", str(cut), "--days", "2", "--brand-count", "1")
    (cut / "truth.json").unlink()
    assert run_cli(home, "sample", "--out", str(cut), "--days", "2", "--brand-count", "1").returncode == 0

    (tmp_path / "empty").mkdir()
    for command in (["ingest", str(tmp_path / "typo")], ["ingest", str(tmp_path / "empty")], ["rollback", "abc"],
                    ["demo", "--brand-count", "99"]):  # refused before the home is made (QA)
        assert run_cli(home, *command, check=False).returncode in (1, 2) and not home.exists(), command
    run_cli(home, "ingest", str(X_PAGE))
    demo = run_cli(home, "demo", "--days", "2", check=False)
    assert demo.returncode == 2 and "holds 1 archive files that are not this sample's" in demo.stderr, demo.stderr
    assert not (home / "sample").exists(), "a refused demo leaves no sample (its registry would be the default)"
    assert not any((home / "tmp").glob("demo-sample-*"))
    other = tmp_path / "demo"  # a demo home holding an interrupted demo's files of other settings (QA)
    run_cli(other, "sample", "--out", str(other / "sample"), "--days", "3", "--brand-count", "1")
    run_cli(other, "ingest", str(other / "sample"))
    demo = run_cli(other, "demo", "--days", "2", "--brand-count", "1", check=False)
    assert demo.returncode == 2 and "that are not this sample's" in demo.stderr, demo.stderr


def test_classify_labels_a_csv_of_texts_beside_its_own_columns(tmp_path):
    """`brandcare classify`: the classifiers on anyone's texts, CSV in and CSV out, a labelled
    file's own labels kept beside the predictions; nothing written but standard output."""
    import csv
    import io

    from pipelines.classify import PREDICTED_COLUMNS

    path = tmp_path / "texts.csv"
    path.write_text(
        "id,message,intent,lang\n"
        '1,"Llevo tres días sin internet y nadie me responde",complaint,\n'
        '2,"Please DM us your order number and we will look into it",,en-GB\n', encoding="utf-8")
    home = tmp_path / "home"
    proc = run_cli(home, "classify", "--text-column", "message", str(path))
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert list(rows[0]) == ["id", "message", "intent", "lang", *(f"predicted_{name}" for name in PREDICTED_COLUMNS)]
    assert [row["intent"] for row in rows] == ["complaint", ""]  # the file's own labels, untouched
    assert [row["predicted_lang"] for row in rows] == ["es", "en"]  # detected; read from the tag
    assert rows[0]["predicted_intent"] == "complaint" and rows[1]["predicted_deflection"] == "dm"
    assert all(0 < float(row["predicted_intent_confidence"]) <= 1 for row in rows)
    assert "classified 2 texts with classifiers" in proc.stderr and not home.exists()
    # a file without the texts' column says which columns it has
    proc = run_cli(home, "classify", str(path), check=False)
    assert proc.returncode == 2 and "no column 'text' (columns: id, message, intent, lang)" in proc.stderr


def test_classify_reads_tab_and_semicolon_separated_texts(tmp_path):
    """Labelled sets are often tab- or semicolon-separated: read as commas, a TSV whose texts
    hold commas failed ("more fields than defined") and a semicolon file had no text column.
    The separator is the one whose header names the texts' column; a BOM is no part of it."""
    import csv
    import io

    tsv = tmp_path / "texts.tsv"
    tsv.write_text("id\ttext\tlabel\n1\tmy order never arrived, and nobody answers\tcomplaint\n", encoding="utf-8")
    semicolons = tmp_path / "texts.csv"
    semicolons.write_text("\ufefftext;label\nLlevo tres días sin internet, nadie responde;complaint\n", encoding="utf-8")
    for path, own in ((tsv, ["id", "text", "label"]), (semicolons, ["text", "label"])):
        proc = run_cli(tmp_path / "home", "classify", str(path))
        rows = list(csv.DictReader(io.StringIO(proc.stdout)))
        assert list(rows[0])[: len(own)] == own and len(rows) == 1
        assert "," in rows[0]["text"] and rows[0]["predicted_intent"] == "complaint"


def test_output_piped_into_a_reader_that_stops_early_ends_quietly(tmp_path):
    # `brandcare sql "..." | head` printed a BrokenPipeError traceback (QA); a long CSV of
    # classified texts into `head -1` is the same, without a publication to set up
    path = tmp_path / "texts.csv"
    path.write_text("text\n" + "Llevo tres días sin internet y nadie me responde\n" * 20_000,
                    encoding="utf-8")
    brandcare = Path(sys.executable).with_name("brandcare")
    proc = subprocess.run(f"'{brandcare}' classify '{path}' | head -1; exit ${{PIPESTATUS[0]}}",
                          shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=120,
                          env={**os.environ, "BRANDCARE_HOME": str(tmp_path / "home")})
    assert proc.stdout.startswith("text,predicted_")
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr
    assert proc.returncode == 141


def test_a_full_disk_or_an_unwritable_home_is_one_line_whatever_reports_it(tmp_path):
    """`brandcare status` on a full disk printed SQLAlchemy's traceback (Dagster's SQLite says
    "database or disk is full", not ENOSPC); on a read-only home, "unable to open database
    file" and OSError's read-only file system were tracebacks too (QA)."""
    import sqlalchemy

    from pipelines.settings import write_failure

    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'small.db'}")
    with pytest.raises(sqlalchemy.exc.OperationalError) as sqlite_full, engine.begin() as con:
        con.exec_driver_sql("PRAGMA max_page_count = 2")  # a database that cannot grow: SQLite's full disk
        con.exec_driver_sql("CREATE TABLE t (x BLOB)")
        con.exec_driver_sql("INSERT INTO t VALUES (zeroblob(100000))")
    assert write_failure(sqlite_full.value).startswith("no space left on the device")
    with pytest.raises(OSError) as device_full, open("/dev/full", "w") as full:
        full.write("x")
        full.flush()
    assert write_failure(device_full.value).startswith("no space left on the device")
    unopenable = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}")
    with pytest.raises(sqlalchemy.exc.OperationalError) as cannot_open:
        unopenable.connect()
    assert write_failure(cannot_open.value).startswith("cannot write the home's databases")
    read_only = OSError(30, "Read-only file system", str(tmp_path / "home" / "lake"))
    assert write_failure(read_only) == f"Read-only file system: {tmp_path / 'home' / 'lake'}"
    assert write_failure(ValueError("a damaged file")) is None

    # the whole command: its standard output on a full device (classify writes a CSV to it)
    path = tmp_path / "texts.csv"
    path.write_text("text\n" + "no me llega el pedido\n" * 5_000, encoding="utf-8")
    with open("/dev/full", "w") as stdout:
        proc = subprocess.run([str(Path(sys.executable).with_name("brandcare")), "classify", str(path)],
                              stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120,
                              env={**os.environ, "BRANDCARE_HOME": str(tmp_path / "home")})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines()[-1].startswith("error: no space left on the device"), proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.e2e
def test_status_says_a_ui_runs_month_and_why_its_step_failed(tmp_path):
    """A run launched from the UI over one month is tagged with its partition, not a range: status
    said "all months" (QA); and a step that fails says the error that failed it, not Dagster's
    wrapper line ("Error occurred while executing op ...", QA)."""
    from dagster import DagsterInstance

    from pipelines.definitions import defs
    from pipelines.defs.automation import BRANDCARE_JOB
    from pipelines.defs.partitions import PARTITION_TAG
    from support import brandcare_env

    home = tmp_path / "home"
    run_cli(home, "ingest", str(X_PAGE))
    broken = tmp_path / "brands.yaml"
    broken.write_text(X_BRANDS.read_text() + "    business_hours: {mon-fri: '9-21'}\n")
    with brandcare_env(home, broken), DagsterInstance.get() as instance:
        result = defs().resolve_job_def(BRANDCARE_JOB).execute_in_process(
            instance=instance, raise_on_error=False, tags={PARTITION_TAG: "2026-03-01"})
    assert not result.success
    out = run_cli(home, "status").stdout
    assert re.search(r"FAILURE .* month 2026-03$", out, re.M), out
    (line,) = [line.strip() for line in out.splitlines() if "step brand_registry failed" in line]
    # the registry's own words head the failure (the UI showed "Error occurred while executing op
    # brand_registry", the reason under the stack trace, QA)
    assert line.startswith(f"step brand_registry failed: Failure: {broken}: ") and "'9-21'" in line, line
    # the path once, and what to do in the UI (QA: "brand registry X: X: brand registry file not found")
    assert line.count(str(broken)) == 1 and "set it before brandcare ui and start the UI again" in line, line


def test_tables_in_the_ui_metadata_keep_one_row_per_line():
    """QA: the UI's per-file and mismatch tables wrapped every long cell (a sha256 on six rows)."""
    import polars as pl

    from pipelines.defs.lake import markdown_table

    frame = pl.DataFrame({"archive_name": ["banco_pinar_wordpress_export_2026.xml"] * 2, "sha256": ["ab" * 32] * 2,
                          "records_quarantined": [3, 4]})
    lines = markdown_table(frame).splitlines()
    assert len(lines) == 4 and all(line.count("|") == 4 for line in lines)


def test_status_says_the_months_materialised_as_their_spans():
    """'9 (2025-11 to 2026-10)' read as twelve months from before the lake's first (QA)."""
    from pipelines.status import month_spans

    months = ["2025-11", *(f"2026-{m:02d}" for m in range(3, 11))]
    assert month_spans(months) == "2025-11, 2026-03 to 2026-10"
    assert month_spans(["2025-12", "2026-01", "2026-02"]) == "2025-12 to 2026-02"
    assert month_spans(["2026-05"]) == "2026-05"


@pytest.mark.parametrize(("damage", "words"), [
    ("blocks", "Corrupt database file: "), ("cut", "Could not read enough bytes from file "),
    ("header", "is not a valid DuckDB database file")])
def test_a_run_on_a_damaged_warehouse_says_what_to_do_not_a_traceback(tmp_path, damage, words):
    """A run opens the working warehouse before its build, to wait for another holder of its
    lock: a damaged file (random blocks, a file cut short, a header that is not DuckDB's) failed
    there with DuckDB's traceback, not the build's words (QA, review)."""
    import duckdb

    home = tmp_path / "home"
    run_cli(home, "ingest", str(FIXTURES / "x_v2" / "two_customers_page.json"))
    warehouse = home / "warehouse" / "brandcare.duckdb"
    warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table t as select range as i, repeat('x', 100) as s from range(200000)")
    size = warehouse.stat().st_size
    if damage == "cut":
        os.truncate(warehouse, size // 3)
    else:
        with warehouse.open("r+b") as handle:  # every block after the file's headers, or the headers
            handle.seek(12288 if damage == "blocks" else 0)
            handle.write(os.urandom(size - 12288 if damage == "blocks" else 12288))
    proc = run_cli(home, "run", "--quiet", check=False, brands=FIXTURES / "x_v2" / "brands.yaml")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith(f"error: the working warehouse {warehouse} is damaged ("), proc.stderr
    assert words in proc.stderr and "remove it and run again; it is rebuilt from the lake" in proc.stderr
    assert not (home / "published" / "current").exists()


def test_a_damaged_warehouse_is_told_from_dbts_log_of_this_build_only(tmp_path):
    """QA: a truncated warehouse failed every run with '90 of 189 ERROR creating ...', DuckDB's
    'Corrupt database file' only in dbt.log. The step now says so, and what to do; a line of an
    earlier build's failure is not this build's."""
    from pipelines.defs.warehouse import _corrupt_warehouse

    log = tmp_path / "dbt.log"
    log.write_text('{"msg": "Runtime Error: Corrupt database file: computed checksum 1 does not match"}\n')
    earlier = log.stat().st_size
    assert _corrupt_warehouse(log, 0) == "Corrupt database file: computed checksum 1 does not match"
    with log.open("a") as handle:
        handle.write("12:00:01 1 of 189 ERROR creating sql table model main.stg_brands: Binder Error\n")
    assert _corrupt_warehouse(log, earlier) is None
    assert _corrupt_warehouse(tmp_path / "none.log", 0) is None
