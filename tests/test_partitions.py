"""Monthly partitions: a run over a range recomputes the cases opened in its months, and the
cases that new files changed wherever they opened; re-running a partition changes nothing; schedule and sensor ask for the right ranges;
a run's Dagster bookkeeping follows months, not the days of a long sparse archive."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from dagster import AssetKey, DagsterInstance, build_schedule_context, build_sensor_context

from pipelines.defs.partitions import (
    BACKFILL_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    range_tags,
    recent_days,
    window_dates,
)
from pipelines.publish import current_version
from support import brandcare_env, run_cli, run_in


def test_partition_window_is_half_open_dates():
    start = datetime(2026, 10, 10, tzinfo=UTC)
    assert window_dates(start, start + timedelta(days=3)) == (date(2026, 10, 10), date(2026, 10, 13))
    assert range_tags(date(2026, 10, 10), date(2026, 12, 12)) == {
        RANGE_START_TAG: "2026-10-01", RANGE_END_TAG: "2026-12-01"}
    with pytest.raises(ValueError, match="empty partition range"):
        range_tags(date(2026, 10, 10), date(2026, 10, 9))
    assert recent_days(date(2026, 11, 24), 7) == (date(2026, 11, 16), date(2026, 11, 24))


def test_nightly_schedule_recomputes_the_months_whose_window_is_open(tmp_path):
    from pipelines.defs.automation import daily_schedule

    home, _ = _home_with(tmp_path, *[
        {"message_id": f"x:{day}", "conversation_id": f"x:{day}", "author_id": "u1", "text": "hola",
         "created_at": f"2026-11-{day}T10:00:00Z"} for day in (20, 28)])
    with brandcare_env(home):
        context = build_schedule_context(scheduled_execution_time=datetime(2026, 11, 24, 2, 30, tzinfo=UTC))
        request = daily_schedule.evaluate_tick(context).run_requests[0]
        assert request.tags[RANGE_START_TAG] == request.tags[RANGE_END_TAG] == "2026-11-01"
        # early in a month, the open window reaches into the previous one
        context = build_schedule_context(scheduled_execution_time=datetime(2026, 12, 3, 2, 30, tzinfo=UTC))
        request = daily_schedule.evaluate_tick(context).run_requests[0]
        assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2026-11-01", "2026-12-01")
        # no message in the open window (an archive that ends earlier): no run, and the reason; each
        # night rebuilt empty days and published a copy, pruning the versions to roll back to (QA)
        context = build_schedule_context(scheduled_execution_time=datetime(2027, 3, 1, 2, 30, tzinfo=UTC))
        result = daily_schedule.evaluate_tick(context)
    assert not result.run_requests and result.skip_message.startswith("no run tonight: no message of the lake is dated in")
    assert "publishes the warehouse" not in result.skip_message  # a skip runs nothing (QA: it read as a run)


def test_inbox_sensor_loads_new_files_and_asks_for_their_months_only(tmp_path, fixtures_dir):
    from pipelines import ingest
    from pipelines.defs.automation import inbox_sensor
    from pipelines.settings import load_settings

    home = tmp_path / "home"
    with brandcare_env(home):
        inbox = home / "inbox"
        inbox.mkdir(parents=True)
        for name in ("dup_page_1.json", "tweetstorm_page.json"):
            shutil.copy(fixtures_dir / "x_v2" / name, inbox / name)
        # an image beside them: not an archive file, never taken for a new one
        (inbox / "screenshot.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
        # a zip: its entries are registered, not the zip; it must not be unpacked again at each tick
        with zipfile.ZipFile(inbox / "export.zip", "w") as archive:
            archive.write(fixtures_dir / "x_v2" / "dup_page_2.json", "dup_page_2.json")
        first = inbox_sensor.evaluate_tick(build_sensor_context())
        (request,) = first.run_requests
        assert len(ingest.registered(load_settings())) == 3
        # dup_page_1 starts on 2026-03-16; the tweetstorm's last tweet is on 2026-03-24
        assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2026-03-01", "2026-03-01")
        again = inbox_sensor.evaluate_tick(build_sensor_context(cursor=first.cursor))
        assert not again.run_requests and again.skip_message == "no new archive files in the inbox"
        # a corrupt export of binary data is said once, with its reason (QA: it was said nowhere)
        (inbox / "export_binary.json").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 16)
        binary = inbox_sensor.evaluate_tick(build_sensor_context(cursor=again.cursor))
        assert not binary.run_requests and binary.skip_message.startswith(
            "no new archive files in the inbox; skipped export_binary.json: binary data"), binary.skip_message
        assert inbox_sensor.evaluate_tick(build_sensor_context(cursor=binary.cursor)).skip_message == (
            "no new archive files in the inbox")
        # a copy of a file ingested before: said once too (QA: "no new archive files", and nothing of it)
        shutil.copy(fixtures_dir / "x_v2" / "tweetstorm_page.json", inbox / "tweetstorm copy.json")
        copy = inbox_sensor.evaluate_tick(build_sensor_context(cursor=binary.cursor))
        assert not copy.run_requests and copy.skip_message == (
            "no new archive files in the inbox; already ingested tweetstorm copy.json: the same content is registered")
        (inbox / "tweetstorm copy.json").unlink()
        again = binary
        # a file written again with new content is looked at again
        shutil.copy(fixtures_dir / "x_v2" / "two_customers_page.json", inbox / "dup_page_1.json")
        third = inbox_sensor.evaluate_tick(build_sensor_context(cursor=again.cursor))
        assert len(third.run_requests) == 1 and len(ingest.registered(load_settings())) == 4


def _brand_reply_page(case: dict, brand: dict, tweet_id: int) -> dict:
    replied_at = case["opened_at"] + timedelta(hours=1)
    return {"data": [{
        "id": str(tweet_id), "edit_history_tweet_ids": [str(tweet_id)], "author_id": brand["author_id"],
        "text": "@cliente lo revisamos ahora mismo desde aquí",
        "created_at": replied_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "conversation_id": case["conversation_id"].removeprefix("x:"),
        "in_reply_to_user_id": case["customer_id"],
        "referenced_tweets": [{"type": "replied_to", "id": case["opened_message_id"].removeprefix("x:")}],
    }], "includes": {"users": [{"id": brand["author_id"], "username": brand["author_handle"]}]},
        "meta": {"result_count": 1}}


BRANDS_YAML = """
brands:
  - id: nubeluz
    name: Nubeluz
    timezone: Europe/Madrid
    accounts:
      x: [nubeluz_ayuda]
"""


def _home_with(tmp_path, *rows: dict):
    """A home holding ``rows`` (canonical JSON lines, ingested) and its registry (BRANDS_YAML)."""
    home, brands = tmp_path / "home", tmp_path / "brands.yaml"
    brands.write_text(BRANDS_YAML)
    run_cli(home, "ingest", _canonical(tmp_path / "first.jsonl", *rows))
    return home, brands


def _canonical(path, *rows: dict) -> str:
    path.write_text("".join(json.dumps({"platform": "x", "author_handle": r["author_id"], **r}) + "\n" for r in rows))
    return str(path)


def _cases(home) -> dict[str, dict]:
    rows = pl.read_parquet(home / "published" / "current" / "care_cases.parquet").to_dicts()
    assert len({r["case_id"] for r in rows}) == len(rows), "one row per case"
    return {r["conversation_id"]: r for r in rows}


#: January cases that February's files and registry change only by what they say of them (QA:
#: a run over February kept them stale, and final): a customer's thanks, a newer follower count,
#: an edit of the opening message, the brand's business hours.
JANUARY = [
    # Friday 30 January 18:30 UTC = 19:30 in Madrid, answered 30 minutes later
    {"message_id": "x:400", "conversation_id": "x:400", "author_id": "u4", "author_followers": 100,
     "created_at": "2026-01-30T18:30:00Z", "mentions": ["nubeluz_ayuda"],
     "text": "@nubeluz_ayuda sin fibra desde ayer y nadie me lo soluciona"},
    {"message_id": "x:401", "conversation_id": "x:400", "parent_id": "x:400", "author_id": "nubeluz_ayuda",
     "created_at": "2026-01-30T19:00:00Z", "text": "@u4 Lo revisamos ahora mismo."},
    {"message_id": "x:410", "conversation_id": "x:410", "author_id": "u5", "created_at": "2026-01-20T10:00:00Z",
     "mentions": ["nubeluz_ayuda"], "text": "@nubeluz_ayuda hola, ¿a qué hora abre la oficina de Sol?"},
    # changed by nothing but the brand's hours: a week earlier, the same times
    {"message_id": "x:420", "conversation_id": "x:420", "author_id": "u6", "created_at": "2026-01-23T18:30:00Z",
     "mentions": ["nubeluz_ayuda"], "text": "@nubeluz_ayuda sin línea desde ayer, ¿qué pasa?"},
    {"message_id": "x:421", "conversation_id": "x:420", "parent_id": "x:420", "author_id": "nubeluz_ayuda",
     "created_at": "2026-01-23T19:00:00Z", "text": "@u6 Lo miramos ahora."},
]
FEBRUARY = [
    {"message_id": "x:402", "conversation_id": "x:400", "parent_id": "x:401", "author_id": "u4",
     "author_followers": 5000, "created_at": "2026-02-04T09:00:00Z", "text": "@nubeluz_ayuda ya funciona, ¡muchas gracias!"},
    {"message_id": "x:410", "version_id": "x:411", "conversation_id": "x:410", "author_id": "u5",
     "created_at": "2026-01-20T10:05:00Z", "mentions": ["nubeluz_ayuda"],
     "text": "@nubeluz_ayuda me habéis cobrado dos veces la factura, vaya desastre"},
]


@pytest.mark.e2e
def test_a_windowed_run_recomputes_the_cases_new_files_changed_wherever_they_opened(tmp_path):
    # QA found: a late reply to a case of the month before the window was lost (the case
    # published unanswered and final); a backfill that moved a case's opening to the window's
    # month failed the build (the case twice); and a run over February kept January cases stale,
    # and final, that February's files or registry changed otherwise (JANUARY). Runs as the
    # tutorial says: --from/--to the new days. A windowed run publishes what a full run would.
    home, brands = _home_with(
        tmp_path,
        {"message_id": "x:100", "conversation_id": "x:100", "author_id": "u1", "created_at": "2026-01-30T10:00:00Z",
         "text": "@nubeluz_ayuda llevo tres días sin internet y nadie me lo soluciona", "mentions": ["nubeluz_ayuda"]},
        # replies to x:299, which no file holds yet
        {"message_id": "x:300", "conversation_id": "x:299", "parent_id": "x:299", "author_id": "u2",
         "created_at": "2026-02-03T10:00:00Z", "text": "@nubeluz_ayuda sigue sin funcionar, fatal servicio",
         "mentions": ["nubeluz_ayuda"]},
        *JANUARY,
    )
    run_in(home, brands)
    cases = _cases(home)
    assert not cases["x:100"]["responded"] and cases["x:299"]["opened_message_id"] == "x:300"
    assert not cases["x:400"]["resolved"] and not cases["x:420"]["off_hours"]

    # a brand reply on 2 February to the complaint of 30 January, run over February, with the
    # rest of February's news and new business hours
    late = _canonical(tmp_path / "late.jsonl", {
        "message_id": "x:200", "conversation_id": "x:100", "parent_id": "x:100", "author_id": "nubeluz_ayuda",
        "created_at": "2026-02-02T10:00:00Z", "text": "@u1 Hola, ya hemos resuelto la avería de tu zona."}, *FEBRUARY)
    hours = tmp_path / "hours.yaml"
    hours.write_text(BRANDS_YAML + "    business_hours: {mon-fri: '09:00-18:00'}\n")
    run_cli(home, "ingest", late)
    run_in(home, hours, date(2026, 2, 1), date(2026, 3, 1))
    cases = _cases(home)
    assert (cases["x:100"]["responded"], cases["x:100"]["first_response_min"]) == (True, 3 * 24 * 60)
    assert cases["x:400"]["resolved"] and cases["x:400"]["author_followers"] == 5000
    assert cases["x:410"]["opened_text"] == FEBRUARY[1]["text"]
    for name in ("x:400", "x:420"):  # closed from 18:00 in Madrid
        assert (cases[name]["off_hours"], cases[name]["first_response_business_min"]) == (True, 0)

    # the first message of x:299's conversation, of 28 January, run over January (the hours
    # back as they were)
    earlier = _canonical(tmp_path / "earlier.jsonl", {
        "message_id": "x:299", "conversation_id": "x:299", "author_id": "u2", "created_at": "2026-01-28T10:00:00Z",
        "text": "@nubeluz_ayuda llevo tres días sin internet", "mentions": ["nubeluz_ayuda"]})
    run_cli(home, "ingest", earlier)
    run_in(home, brands, date(2026, 1, 1), date(2026, 2, 1))
    cases = _cases(home)
    assert (cases["x:299"]["opened_message_id"], str(cases["x:299"]["opened_at"])[:10]) == ("x:299", "2026-01-28")
    assert cases["x:100"]["responded"], "kept as computed"
    assert len(cases) == 5

    # a window without a message (a mistyped year): said, in the command's output and in the UI's
    # run_window materialisation, not published silently (QA)
    said = run_in(home, brands, date(2025, 1, 1), date(2025, 3, 1)).said
    assert ("note: no message of the lake is dated in [2025-01-01, 2025-03-01) (the lake's messages are dated "
            "2026-01-20 to 2026-02-04): the run has no case to compute there and publishes the warehouse as it "
            "stands") in said
    assert _cases(home) == cases
    from pipelines.defs.warehouse import RUN_WINDOW

    with brandcare_env(home), DagsterInstance.get() as instance:
        events = instance.fetch_materializations(RUN_WINDOW, limit=4).records
    # the two months of 2025, then the runs of January and February 2026 before them
    assert [e.asset_materialization.metadata["messages_in_window"].value for e in events] == [False, False, True, True]

    # what a full run of the same files (the newer first: the newest data's follower count wins
    # whatever the order of ingest, QA) and registry publishes
    fresh = tmp_path / "fresh"
    run_cli(fresh, "ingest", *(str(tmp_path / name) for name in ("late.jsonl", "earlier.jsonl", "first.jsonl")))
    run_in(fresh, brands)
    assert _cases(fresh)["x:400"]["author_followers"] == 5000
    for table in ("care_cases", "brand_scorecards"):
        a = pl.read_parquet(home / "published" / "current" / f"{table}.parquet")
        b = pl.read_parquet(fresh / "published" / "current" / f"{table}.parquet")
        assert a.equals(b), table


def test_a_partition_run_recomputes_its_month_and_the_cases_new_replies_answer_and_is_rerunnable(demo_run, tmp_path):
    home = demo_run.copy(tmp_path)
    cases = demo_run.query(
        "select case_id, brand_id, opened_at, conversation_id, customer_id, opened_message_id from care_cases "
        "where platform = 'x' and is_actionable and not responded and opened_message_id like 'x:%' "
        "and opened_message_id not like 'x:twcs:%' and opened_at < (select max(opened_at) from care_cases) - interval 9 day "
        "order by opened_at")
    day_one = cases[0]
    day_two = next(c for c in cases if c["opened_at"].strftime("%Y-%m") != day_one["opened_at"].strftime("%Y-%m"))
    brand = demo_run.query(
        "select author_id, author_handle from messages where is_brand and platform = 'x' and author_brand_id = $b "
        "and message_id not like 'x:twcs:%' limit 1", {"b": day_one["brand_id"]})[0]
    brand_two = demo_run.query(
        "select author_id, author_handle from messages where is_brand and platform = 'x' and author_brand_id = $b "
        "and message_id not like 'x:twcs:%' limit 1", {"b": day_two["brand_id"]})[0]
    late = tmp_path / "late_replies"
    late.mkdir()
    (late / "one.json").write_text(json.dumps(_brand_reply_page(day_one, brand, 2999999999999999001)))
    (late / "two.json").write_text(json.dumps(_brand_reply_page(day_two, brand_two, 2999999999999999002)))
    run_cli(home, "ingest", str(late))

    day = day_one["opened_at"].date()
    before = current_version(home / "published")
    run_in(home, None, day, day + timedelta(days=1))
    first = current_version(home / "published")
    published = pl.read_parquet(home / "published" / "current" / "care_cases.parquet")
    responded = dict(zip(published["case_id"], published["responded"], strict=True))
    assert responded[day_one["case_id"]] is True, "the case of the recomputed month sees the new reply"
    assert responded[day_two["case_id"]] is True, "so does a case of another month that a new reply answers"
    old = pl.read_parquet(home / "published" / "versions" / before / "care_cases.parquet")
    changed = published.join(old, on="case_id", suffix="_old").filter(
        pl.col("responded") != pl.col("responded_old"))["case_id"].to_list()
    assert sorted(changed) == sorted([day_one["case_id"], day_two["case_id"]])

    # the same partition again: identical publication, row for row
    run_in(home, None, day, day + timedelta(days=1))
    second = current_version(home / "published")
    for table in ("care_cases", "brand_scorecards", "unanswered_cases"):
        a = pl.read_parquet(home / "published" / "versions" / first / f"{table}.parquet")
        b = pl.read_parquet(home / "published" / "versions" / second / f"{table}.parquet")
        assert a.equals(b), table

    # the run was one Dagster run over the range, in the home's instance
    with brandcare_env(home), DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
    assert run.tags[RANGE_START_TAG] == run.tags[RANGE_END_TAG] == day.replace(day=1).isoformat()


@pytest.mark.e2e
def test_a_machine_in_another_time_zone_works_in_utc_days(tmp_path, monkeypatch):
    # QA: on a machine set to Tokyo, DuckDB's session zone was Tokyo's: the lake's first day
    # read 1 February for a case of 31 January 20:00 UTC, so a full run left January out of
    # its months, and the data horizon was published at +09:00
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    home, brands = _home_with(
        tmp_path,
        {"message_id": "x:200", "conversation_id": "x:200", "author_id": "u1", "created_at": "2026-01-31T20:00:00Z",
         "text": "@nubeluz_ayuda llevo tres días sin internet", "mentions": ["nubeluz_ayuda"]},
        {"message_id": "x:300", "conversation_id": "x:300", "author_id": "u2", "created_at": "2026-02-20T10:00:00Z",
         "text": "@nubeluz_ayuda ¿por qué me cobran dos veces?", "mentions": ["nubeluz_ayuda"]},
    )
    run_cli(home, "run", "--quiet", brands=brands)
    manifest = json.loads((home / "published" / "current" / "manifest.json").read_text())
    assert manifest["data_horizon"] == "2026-02-20T10:00:00+00:00"
    with brandcare_env(home), DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
    assert (run.tags[RANGE_START_TAG], run.tags[RANGE_END_TAG]) == ("2026-01-01", "2026-02-01")
    assert "2026-01-31" in run_cli(home, "status").stdout
    assert "31 Jan 2026" in (home / "published" / "current" / "report.html").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_a_build_recomputes_its_own_runs_months_whatever_window_another_run_wrote(tmp_path):
    """QA: a run from the UI (or the sensor, the schedule) and one from the command line each
    write the window in their run_window step, and the builds queue on the warehouse pool: a
    build recomputed the other run's months and reported success. The build writes its own
    run's window itself, inside the pool, before dbt reads it."""
    from pipelines.definitions import defs
    from pipelines.defs.automation import BRANDCARE_JOB
    from pipelines.defs.warehouse import RUN_WINDOW, write_run_window
    from pipelines.settings import load_settings

    # a complaint of Saturday 31 January: always open, it is not off hours
    home, brands = _home_with(tmp_path, {
        "message_id": "x:100", "conversation_id": "x:100", "author_id": "u1", "created_at": "2026-01-31T10:00:00Z",
        "text": "@nubeluz_ayuda llevo tres días sin internet y nadie me lo soluciona", "mentions": ["nubeluz_ayuda"]})
    # a UI backfill's first run builds the models upstream of the window: on a fresh home it
    # failed, running care_cases' relationship tests (one of their models, brands, was selected:
    # dbt's eager indirect selection) before care_cases existed (QA)
    with brandcare_env(home, brands), DagsterInstance.get() as instance:
        definitions = defs()
        graph, downstream, todo = definitions.resolve_asset_graph(), set(), [RUN_WINDOW]
        while todo:
            downstream |= (children := graph.get(todo.pop()).child_keys - downstream)
            todo += children
        job = definitions.resolve_job_def(BRANDCARE_JOB)
        upstream = [key for key in job.asset_layer.executable_asset_keys if key not in downstream | {RUN_WINDOW}]
        assert AssetKey("brands") in upstream and AssetKey("care_cases") not in upstream
        assert job.execute_in_process(instance=instance, asset_selection=upstream, raise_on_error=False).success
        # the backfill's next run builds the window and what follows: it tests care_cases and
        # agent_activity against the brands the first run built (QA: no run of the backfill did; it
        # published without them). care_cases' test against messages, a model of the first run that
        # is not upstream of care_cases, still runs in neither (docs/backfill.md says so)
        window = job.execute_in_process(instance=instance, asset_selection=[RUN_WINDOW, *downstream],
                                        raise_on_error=False, tags=range_tags(date(2026, 1, 1), date(2026, 1, 31)))
        assert window.success
        evaluated = {e.check_name for e in window.get_asset_check_evaluations()}
        assert {"relationships_care_cases_brand_id__brand_id__ref_stg_brands_",
                "relationships_agent_activity_brand_id__brand_id__ref_stg_brands_"} <= evaluated
    assert not _cases(home)["x:100"]["off_hours"]  # as the backfill published it

    # open on weekdays only: January must be recomputed for the case to be off hours
    brands.write_text(BRANDS_YAML + '    business_hours: {mon-fri: "09:00-17:00"}\n')
    with brandcare_env(home, brands), DagsterInstance.get() as instance:
        # another run's window step wrote February last; this run's own step already ran
        write_run_window(load_settings(), (date(2026, 2, 1), date(2026, 3, 1)))
        job = defs().resolve_job_def(BRANDCARE_JOB)
        keys = [key for key in job.asset_layer.executable_asset_keys if key != RUN_WINDOW]
        backfill = {BACKFILL_TAG: "qa-backfill"}
        result = job.execute_in_process(instance=instance, asset_selection=keys, raise_on_error=False,
                                        tags={**range_tags(date(2026, 1, 1), date(2026, 1, 31)), **backfill})
        assert result.success
        assert _cases(home)["x:100"]["off_hours"], "the build recomputed its own run's January"
        checked = json.loads((home / "published" / "current" / "manifest.json").read_text())["checks"]

        # a UI backfill publishes in a later run than the builds: its manifest holds the checks of
        # every run of the backfill (QA: 81 of 153, a warning hidden)
        published = job.execute_in_process(instance=instance, asset_selection=[AssetKey("published")],
                                           raise_on_error=False, tags=backfill)
        assert published.success
        manifest = json.loads((home / "published" / "current" / "manifest.json").read_text())
        assert len(checked) > 100 and manifest["checks"] == checked

        # another run's build started (or failed a check) since: a run that builds nothing publishes
        # nothing (QA: a UI run published the row a command-line run's failed check had just refused)
        from pipelines.defs.warehouse import read_build_state, write_build_state

        state = read_build_state(load_settings())
        assert state["state"] == "checked"  # built, and its blocking check passed
        # a build whose blocking check did not run (the launchpad can leave the checks out): the
        # run published it, its manifest listing no check (QA)
        write_build_state(load_settings(), state["run_id"], "built")
        unchecked = job.execute_in_process(instance=instance, asset_selection=[AssetKey("published")],
                                           raise_on_error=False)
        assert not unchecked.success
        (failure,) = [e for e in unchecked.all_events if e.event_type_value == "STEP_FAILURE"]
        assert "brand_scorecards_expectations) failed or did not run" in str(failure.event_specific_data.error)
        write_build_state(load_settings(), "another-run", "building")
        refused = job.execute_in_process(instance=instance, asset_selection=[AssetKey("published")],
                                         raise_on_error=False)
        assert not refused.success
        (failure,) = [e for e in refused.all_events if e.event_type_value == "STEP_FAILURE"]
        assert "last build (run another-run) did not finish, or failed a check" in str(failure.event_specific_data.error)
    assert current_version(home / "published") == manifest["version"]


def test_a_backfill_over_months_that_are_not_contiguous_recomputes_every_one_of_them(settings):
    """Two months clicked in the UI (or *Missing*) are one window run per stretch: each wrote the
    backfill's window and the last won, so its build recomputed October alone while August turned
    green too (QA). The backfill's window is the span of what its runs wrote."""
    from pipelines.defs.warehouse import _backfill_window, write_run_window

    write_run_window(settings, (date(2026, 8, 1), date(2026, 9, 1)), backfill="bf1")
    write_run_window(settings, (date(2026, 10, 1), date(2026, 11, 1)), backfill="bf1")
    assert pl.read_parquet(_backfill_window(settings, "bf1")).row(0) == (date(2026, 8, 1), date(2026, 11, 1))
    # another backfill's window is its own; a run's window file is its own run's
    write_run_window(settings, (date(2026, 5, 1), date(2026, 6, 1)), backfill="bf2")
    assert pl.read_parquet(_backfill_window(settings, "bf2")).row(0) == (date(2026, 5, 1), date(2026, 6, 1))
    assert pl.read_parquet(settings.lake_dir / "run" / "window.parquet").row(0) == (date(2026, 5, 1), date(2026, 6, 1))
