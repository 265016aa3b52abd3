"""The dbt invocation and the shape of the Dagster code location."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster import AssetKey

from pipelines.project import dbt_build_args
from pipelines.settings import load_settings


def _vars(args: list[str]) -> dict:
    assert args[0] == "build" and args[-2] == "--vars"
    return json.loads(args[-1])


def test_config_flows_to_dbt_and_the_window_is_not_a_var(tmp_path: Path):
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path), "BRANDCARE_SCORE_WEIGHTS": "speed=40"})
    variables = _vars(dbt_build_args(settings))
    assert "min_date" not in variables and "max_date" not in variables
    assert variables["response_window_days"] == 7
    assert variables["score_weights"]["speed"] == 40.0
    assert variables["score_weights"]["response_rate"] == 35.0


def test_every_dbt_var_is_a_setting_with_the_same_default(tmp_path: Path):
    """One source for each setting: dbt_project.yml's vars are Settings' defaults, key for key."""
    import yaml

    from pipelines.project import DBT_PROJECT_DIR

    project_vars = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    defaults = load_settings({"BRANDCARE_HOME": str(tmp_path)}).dbt_vars()
    assert project_vars == defaults


def test_each_setting_is_read_from_its_environment_variable(tmp_path: Path):
    settings = load_settings({
        "BRANDCARE_HOME": str(tmp_path), "BRANDCARE_RESPONSE_WINDOW_DAYS": "14",
        "BRANDCARE_CANNED_SIMILARITY": "0.75", "BRANDCARE_KEEP_VERSIONS": "2",
        "BRANDCARE_DUCKDB_MEMORY_LIMIT": "1GB", "BRANDCARE_REPORT_LANGUAGE": "es",
    })
    assert (settings.response_window_days, settings.canned_similarity, settings.keep_versions) == (14, 0.75, 2)
    assert (settings.duckdb_memory_limit, settings.report_language) == ("1GB", "es")
    with pytest.raises(ValueError, match="BRANDCARE_MIN_RANKED_CASES: 'many' is not a whole number"):
        load_settings({"BRANDCARE_HOME": str(tmp_path), "BRANDCARE_MIN_RANKED_CASES": "many"})


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("KEEP_VERSIONS", "0", "BRANDCARE_KEEP_VERSIONS: '0' is under its minimum, 1"),
        ("RESPONSE_WINDOW_DAYS", "0", "BRANDCARE_RESPONSE_WINDOW_DAYS: '0' is under its minimum, 1"),
        ("CANNED_MIN_REPLIES", "1", "BRANDCARE_CANNED_MIN_REPLIES: '1' is under its minimum, 2"),
        ("MIN_RANKED_CASES", "-3", "BRANDCARE_MIN_RANKED_CASES: '-3' is under its minimum, 0"),
        ("CANNED_SIMILARITY", "1.5", r"BRANDCARE_CANNED_SIMILARITY: 1.5 is not in \(0, 1\]"),
        ("CANNED_SIMILARITY", "0", r"BRANDCARE_CANNED_SIMILARITY: 0.0 is not in \(0, 1\]"),
        # a run started and failed at its first query; ingest died with a traceback (QA)
        ("DUCKDB_MEMORY_LIMIT", "2560", "BRANDCARE_DUCKDB_MEMORY_LIMIT: '2560' is not a DuckDB memory size, e.g. 2560MB"),
        ("DUCKDB_MEMORY_LIMIT", "lots", "BRANDCARE_DUCKDB_MEMORY_LIMIT: 'lots' is not a DuckDB memory size"),
        # every brand got the full speed part: scores up by 15 points (QA)
        ("SPEED_BEST_MIN", "2000", r"BRANDCARE_SPEED_BEST_MIN \(2000\) must be under BRANDCARE_SPEED_WORST_MIN \(1440\)"),
        ("SPEED_WORST_MIN", "15", r"BRANDCARE_SPEED_BEST_MIN \(15\) must be under BRANDCARE_SPEED_WORST_MIN \(15\)"),
        # a run failed inside dbt, its warehouse half rebuilt (QA)
        ("SPEED_BEST_MIN", "nan", "BRANDCARE_SPEED_BEST_MIN: 'nan' is not a finite number"),
        ("SPEED_WORST_MIN", "inf", "BRANDCARE_SPEED_WORST_MIN: 'inf' is not a finite number"),
        ("CANNED_SIMILARITY", "nan", "BRANDCARE_CANNED_SIMILARITY: 'nan' is not a finite number"),
        ("SCORE_WEIGHTS", "speed=nan", "BRANDCARE_SCORE_WEIGHTS: speed=nan is not a finite number"),
        ("SCORE_WEIGHTS", "speed=fast", "BRANDCARE_SCORE_WEIGHTS: speed=fast is not a number"),
    ],
)
def test_a_value_out_of_range_is_refused_at_start_naming_its_variable(tmp_path: Path, variable, value, message):
    """Not halfway through a run (keep_versions 0 failed the publish step after the whole build)."""
    with pytest.raises(ValueError, match=message):
        load_settings({"BRANDCARE_HOME": str(tmp_path), f"BRANDCARE_{variable}": value})
    assert load_settings({"BRANDCARE_HOME": str(tmp_path), "BRANDCARE_KEEP_VERSIONS": "1"}).keep_versions == 1


def test_unknown_score_weight_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ValueError, match="unknown part 'sped'"):
        load_settings({"BRANDCARE_HOME": str(tmp_path), "BRANDCARE_SCORE_WEIGHTS": "sped=3"})


EXPECTED_ASSET_KEYS = {
    # lake (Python) -> the dbt sources they feed
    "lake/message_rows", "lake/quarantine", "lake/archive_files",
    "lake/brands", "lake/brand_accounts", "lake/brand_aliases", "lake/brand_open_hours",
    # the run's window of days (monthly partitions), read by int_cases_measured
    "lake/run_window",
    # dbt models: asset keys are warehouse names
    "stg_lake__message_rows", "stg_archive_files", "stg_quarantine", "stg_brands",
    "stg_brand_accounts", "stg_brand_aliases", "stg_brand_open_hours",
    "int_message_versions", "int_messages_deduplicated", "int_message_keys", "int_message_roots",
    "int_message_links", "int_messages_attributed",
    "int_brand_account_keys", "int_messages_addressing_brands", "int_cases_opened",
    "int_case_brand_replies", "int_cases_measured", "int_author_profiles", "int_canned_replies", "int_reposts",
    "int_reply_coverage", "int_data_horizon", "int_scorecard_cases", "int_scorecard_equity", "int_scorecard_messages",
    "int_scorecard_metrics",
    "care_cases", "brand_scorecards", "brands", "unanswered_cases", "messages", "archive_files", "quarantine",
    "agent_activity",
    # publication
    "published",
}


def test_asset_keys_snapshot():
    """A renamed model or asset changes what users and BI tools see: notice it here."""
    from pipelines.definitions import defs

    keys = {key.to_user_string() for key in defs().resolve_asset_graph().get_all_asset_keys()}
    assert keys == EXPECTED_ASSET_KEYS


def test_months_are_partitions_of_the_window_alone_and_dbt_is_one_build():
    """One partitioned asset (the window) upstream of the case model; every dbt model in one
    asset definition, so a run makes one `dbt build`."""
    from pipelines.definitions import defs

    graph = defs().resolve_asset_graph()
    partitioned = {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).partitions_def}
    assert partitioned == {"lake/run_window"}
    assert AssetKey(["lake", "run_window"]) in graph.get(AssetKey(["int_cases_measured"])).parent_keys
    dbt_models = {AssetKey([m]) for m in ("stg_lake__message_rows", "int_cases_measured", "care_cases")}
    assert len({graph.assets_def_for_key(k) for k in dbt_models}) == 1


def test_published_waits_for_blocking_checks():
    from pipelines.definitions import defs

    graph = defs().resolve_asset_graph()
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    assert ("brand_scorecards", "brand_scorecards_expectations") in checks
    assert ("lake/archive_files", "records_reconcile") in checks
    assert ("care_cases", "unique_care_cases_case_id") in checks


def test_dbt_checks_carry_their_tests_description_into_the_ui():
    """The UI shows a check's description beside it: a warning check said "No description
    provided" where the command line says what it means (QA)."""
    from dagster import AssetCheckKey

    from pipelines.definitions import defs

    graph = defs().resolve_asset_graph()
    silent = graph.get_check_spec(AssetCheckKey(AssetKey(["stg_brand_accounts"]), "warn_brand_accounts_silent"))
    assert silent.description.startswith("An account of the brand registry wrote no message")
    cut = graph.get_check_spec(AssetCheckKey(AssetKey(["int_reply_coverage"]), "warn_conversations_cut"))
    assert "response rates undercount" in cut.description
    lonely = graph.get_check_spec(AssetCheckKey(AssetKey(["stg_brands"]), "warn_brands_without_accounts"))
    assert lonely.description.startswith("A brand of the registry lists no account")


def test_cli_format_names_are_the_readers(tmp_path):
    """`brandcare ingest --format` offers exactly the readers (read from its help, as a user would)."""
    import re

    from pipelines.formats import KNOWN_FORMATS, READERS
    from support import run_cli

    usage = run_cli(tmp_path / "home", "ingest", "--help").stdout
    offered = set(re.search(r"--format \{([a-z0-9_,]+)\}", usage).group(1).split(",")) - {"auto"}
    assert offered == set(READERS) == set(KNOWN_FORMATS)


def test_the_dbt_resource_reads_the_version_of_the_dbt_it_runs_without_running_it():
    """BrandcareDbtCliResource takes dbt's version from the installed package instead of a
    `dbt --version` subprocess: it must be the version of the dbt executable a run starts."""
    import subprocess

    from pipelines.defs.resources import resources

    dbt = resources()["dbt"]
    printed = subprocess.run(
        [dbt.dbt_executable, "--version"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert f"installed: {dbt._cli_version}" in printed


def test_processes_parsing_the_project_at_once_leave_one_whole_manifest():
    """After an edit of the checkout, the first command of each process parses the project: two
    test workers did so at once, wrote one manifest.json together, and every later command failed
    to read it ("unexpected content after document"). They now parse one at a time, each into a
    folder of its own, and the manifest is replaced whole."""
    import subprocess
    import sys
    import time

    from pipelines.project import MANIFEST_PATH

    code = "from pipelines.project import parse_project; parse_project()"
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(3)]
    broken = 0  # what a reader (a Dagster process loading its definitions) meets meanwhile
    while any(proc.poll() is None for proc in procs):
        try:
            json.loads(MANIFEST_PATH.read_bytes())
        except ValueError:
            broken += 1
        time.sleep(0.01)  # some hundred reads, not a core taken from the parses (and the other worker)
    assert [proc.wait(timeout=300) for proc in procs] == [0, 0, 0], [proc.stderr.read() for proc in procs]
    assert broken == 0, f"a reader met a manifest being written {broken} times"
    manifest = json.loads(MANIFEST_PATH.read_bytes())
    assert "model.brandcare.int_cases_measured" in manifest["nodes"]
    assert not [p.name for p in MANIFEST_PATH.parent.glob(".parse-*")], "no scratch folder left"
