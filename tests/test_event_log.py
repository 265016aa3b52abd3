"""The home's Dagster event log (pipelines.event_log): Dagster's SQLite files, kept connected.

What must hold: the files stay Dagster's own (the stock storage reads them), the UI's watchdog
still sees a run's new events as they are written, and a home's instance file is brought up
to date when brandcare wrote it, never when its owner did.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from dagster import AssetKey, DagsterEventType, EventRecordsFilter
from dagster._core.events import AssetMaterializationPlannedData, DagsterEvent
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from pipelines.event_log import BrandcareEventLogStorage
from pipelines.runner import INSTANCE_YAML, prepare_environment
from pipelines.settings import load_settings


def _planned(run_id: str, asset: str) -> EventLogEntry:
    event = DagsterEvent(
        event_type_value=DagsterEventType.ASSET_MATERIALIZATION_PLANNED.value,
        job_name="brandcare",
        event_specific_data=AssetMaterializationPlannedData(AssetKey(asset), partition=None),
    )
    return EventLogEntry(
        error_info=None, level=10, user_message="", run_id=run_id, timestamp=time.time(), dagster_event=event,
        job_name="brandcare",
    )


def test_events_written_kept_connected_are_read_by_dagsters_own_storage(tmp_path: Path):
    ours = BrandcareEventLogStorage(str(tmp_path))
    for asset in ("care_cases", "brand_scorecards"):
        ours.store_event(_planned("run-1", asset))
    ours.dispose()

    stock = SqliteEventLogStorage(str(tmp_path))
    planned = stock.get_records_for_run("run-1").records
    assert [r.event_log_entry.dagster_event.asset_key for r in planned] == [
        AssetKey("care_cases"), AssetKey("brand_scorecards")
    ]
    # the cross-run index (what the UI's asset pages read) has them too
    index = stock.get_event_records(EventRecordsFilter(DagsterEventType.ASSET_MATERIALIZATION_PLANNED))
    assert {r.asset_key for r in index} == {AssetKey("care_cases"), AssetKey("brand_scorecards")}


def test_the_ui_watchdog_sees_each_new_event_of_a_run(tmp_path: Path):
    """The UI follows a running run through a file watch on the run's database: another
    process's writes, kept connected, must still change that file as they happen."""
    watcher = SqliteEventLogStorage(str(tmp_path))
    writer = BrandcareEventLogStorage(str(tmp_path))
    writer.store_event(_planned("run-2", "care_cases"))  # the run's database exists before the watch
    seen: list[EventLogEntry] = []
    arrived = threading.Event()

    def on_event(entry, _cursor):
        seen.append(entry)
        arrived.set()

    watcher.watch("run-2", None, on_event)
    try:
        seen.clear()
        arrived.clear()
        writer.store_event(_planned("run-2", "brand_scorecards"))
        assert arrived.wait(10), "the watchdog saw no change of the run's database"
        assert seen[-1].dagster_event.asset_key == AssetKey("brand_scorecards")
    finally:
        watcher.end_watch("run-2", on_event)
        watcher.dispose()
        writer.dispose()


def test_the_home_instance_file_is_updated_when_brandcare_wrote_it_only(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("BRANDCARE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    settings = prepare_environment(load_settings())
    instance_yaml = settings.dagster_home / "dagster.yaml"
    assert instance_yaml.read_text() == INSTANCE_YAML
    assert "pipelines.event_log" in INSTANCE_YAML

    older = INSTANCE_YAML.splitlines()[0] + "\ntelemetry:\n  enabled: false\n"
    instance_yaml.write_text(older)
    prepare_environment(load_settings())
    assert instance_yaml.read_text() == INSTANCE_YAML

    own = "# my Postgres storage\nstorage:\n  postgres: {}\n"
    instance_yaml.write_text(own)
    prepare_environment(load_settings())
    assert instance_yaml.read_text() == own


def test_a_table_found_is_remembered_and_a_missing_one_is_asked_again(tmp_path: Path, monkeypatch):
    """Dagster checks a table of the index before each asset check event it stores, with a new
    engine each time; ours asks once per table found (tables are added by migrations, never dropped)."""
    asked: list[str] = []
    stock_has_table = SqliteEventLogStorage.has_table

    def counting(self, table_name):
        asked.append(table_name)
        return stock_has_table(self, table_name)

    monkeypatch.setattr(SqliteEventLogStorage, "has_table", counting)
    ours = BrandcareEventLogStorage(str(tmp_path))
    try:
        asked.clear()
        assert all(ours.supports_asset_checks for _ in range(5))
        assert asked == ["asset_check_executions"]
        assert not ours.has_table("no_such_table") and not ours.has_table("no_such_table")
        assert asked.count("no_such_table") == 2
        ours.wipe()
        assert ours.supports_asset_checks and asked.count("asset_check_executions") == 1
    finally:
        ours.dispose()


def test_the_daemon_frees_the_slots_a_run_that_ended_still_holds(tmp_path: Path, monkeypatch):
    """A UI run killed with kill -9 was marked failed by run monitoring but kept its slot of the
    warehouse pool: every later UI, schedule or sensor run waited (QA). The home's instance has
    the daemon free such slots a minute after the run ended."""
    import logging
    from datetime import timedelta
    from types import SimpleNamespace

    from dagster import DagsterInstance, DagsterRun, DagsterRunStatus
    from dagster._daemon.monitoring import concurrency

    monkeypatch.setenv("BRANDCARE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    prepare_environment(load_settings())
    with DagsterInstance.get() as instance:
        run = DagsterRun(job_name="brandcare", run_id="ui-run", status=DagsterRunStatus.STARTED)
        instance.add_run(run)
        instance.event_log_storage.claim_concurrency_slot("warehouse", "ui-run", "warehouse")
        instance.report_run_failed(run, "killed")
        assert instance.event_log_storage.get_concurrency_run_ids() == {"ui-run"}
        daemon = SimpleNamespace(instance=instance)
        list(concurrency.execute_concurrency_slots_iteration(daemon, logging.getLogger("test")))
        assert instance.event_log_storage.get_concurrency_run_ids() == {"ui-run"}, "not before a minute"
        later = concurrency.get_current_datetime() + timedelta(seconds=61)
        monkeypatch.setattr(concurrency, "get_current_datetime", lambda: later)
        list(concurrency.execute_concurrency_slots_iteration(daemon, logging.getLogger("test")))
        assert instance.event_log_storage.get_concurrency_run_ids() == set()
