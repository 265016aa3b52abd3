"""The dbt invocation and the shape of the Dagster code location."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pipelines.project import dbt_build_args
from pipelines.settings import load_settings


def _vars(args: list[str]) -> dict:
    assert args[:2] == ["build", "--vars"]
    return json.loads(args[2])


def test_default_window_is_everything_and_config_flows_to_dbt(tmp_path: Path):
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path), "BRANDCARE_SCORE_WEIGHTS": "speed=40"})
    variables = _vars(dbt_build_args(settings))
    assert "min_date" not in variables and "max_date" not in variables
    assert variables["response_window_days"] == 7
    assert variables["score_weights"]["speed"] == 40.0
    assert variables["score_weights"]["response_rate"] == 35.0


def test_date_window_is_half_open_iso_dates(tmp_path: Path):
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path)})
    variables = _vars(dbt_build_args(settings, date(2026, 9, 1), date(2026, 10, 1)))
    assert (variables["min_date"], variables["max_date"]) == ("2026-09-01", "2026-10-01")


def test_empty_window_is_refused(tmp_path: Path):
    settings = load_settings({"BRANDCARE_HOME": str(tmp_path)})
    with pytest.raises(ValueError, match="empty date window"):
        dbt_build_args(settings, date(2026, 10, 1), date(2026, 10, 1))


def test_unknown_score_weight_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ValueError, match="unknown part 'sped'"):
        load_settings({"BRANDCARE_HOME": str(tmp_path), "BRANDCARE_SCORE_WEIGHTS": "sped=3"})


EXPECTED_ASSET_KEYS = {
    # lake (Python) -> the dbt sources they feed
    "lake/message_rows", "lake/quarantine", "lake/archive_files",
    "lake/brands", "lake/brand_accounts", "lake/brand_aliases", "lake/brand_open_hours",
    # dbt models: asset keys are warehouse names
    "stg_lake__message_rows", "stg_archive_files", "stg_quarantine", "stg_brands",
    "stg_brand_accounts", "stg_brand_aliases", "stg_brand_open_hours",
    "int_message_versions", "int_messages_deduplicated", "int_messages_attributed",
    "int_brand_account_keys", "int_messages_addressing_brands", "int_cases_opened",
    "int_case_brand_replies", "int_cases_measured", "int_author_profiles", "int_canned_replies", "int_reposts",
    "care_cases", "brand_scorecards", "unanswered_cases", "messages", "archive_files", "quarantine",
    "agent_activity",
    # publication
    "published",
}


def test_asset_keys_snapshot():
    """A renamed model or asset changes what users and BI tools see: notice it here."""
    from pipelines.definitions import defs

    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == EXPECTED_ASSET_KEYS


def test_published_waits_for_blocking_checks():
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    assert ("brand_scorecards", "brand_scorecards_expectations") in checks
    assert ("lake/archive_files", "records_reconcile") in checks
    assert ("care_cases", "unique_care_cases_case_id") in checks


def test_cli_format_names_are_the_readers():
    from pipelines.cli import FORMAT_NAMES
    from pipelines.formats import KNOWN_FORMATS, READERS

    assert set(FORMAT_NAMES) == set(READERS) == set(KNOWN_FORMATS)
