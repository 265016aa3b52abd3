"""`brandcare ui` serves the Dagster UI on 127.0.0.1 over the same instance as the CLI's runs.

One UI (started through the installed script's path) serves the module: GraphQL shows the
CLI's runs and the assets; headless Chromium opens the lineage of the partitioned asset
``int_cases_measured`` and its backfill dialog, and saves both as the screenshots of
docs/backfill.md (docs/images/ui_assets.png, docs/images/ui_backfill.png).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import free_port, graphql

DOCS_IMAGES = Path(__file__).parents[1] / "docs" / "images"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
#: The partitioned asset a backfill selects (with its downstream models) to recompute months.
PARTITIONED_ASSET = "lake/run_window"


@pytest.fixture(scope="module")
def ui_port(demo_run, tmp_path_factory):
    """`brandcare ui` on a copy of the demo's home (its daemon writes to the instance while other
    tests copy the shared home), started by the installed script's path; its port."""
    home = demo_run.copy(tmp_path_factory.mktemp("ui"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRANDCARE_", "DAGSTER_"))}
    env["BRANDCARE_HOME"] = str(home)
    script = Path(sys.executable).with_name("brandcare")
    ui = subprocess.Popen([str(script), "ui", "--port", str(port)], env=env, start_new_session=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                graphql(port, "{ version }")
                break
            except OSError:
                if time.monotonic() > deadline or ui.poll() is not None:
                    raise AssertionError("the Dagster UI did not come up") from None
                time.sleep(1)
        yield port
    finally:
        os.killpg(ui.pid, signal.SIGTERM)
        try:
            ui.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(ui.pid, signal.SIGKILL)
            ui.wait()


@pytest.mark.e2e
def test_ui_shows_the_runs_of_the_cli(ui_port):
    runs = graphql(ui_port, "{ runsOrError { ... on Runs { results { runId status jobName } } } }")
    results = runs["data"]["runsOrError"]["results"]
    assert any(r["jobName"] == "brandcare" and r["status"] == "SUCCESS" for r in results), results
    assets = graphql(ui_port, "{ assetNodes { assetKey { path } isPartitioned } }")["data"]["assetNodes"]
    keys = {"/".join(a["assetKey"]["path"]): a["isPartitioned"] for a in assets}
    assert {"brand_scorecards", "care_cases", "published", "lake/archive_files"} <= set(keys)
    assert keys[PARTITIONED_ASSET] is True


@pytest.mark.e2e
def test_ui_screenshots_of_the_asset_graph_and_the_backfill_dialog(ui_port, demo_run):
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing: apt-get install chromium (see Makefile)")
    from playwright.sync_api import sync_playwright

    # the months (UTC) holding the demo's cases: the backfill range the docs show
    months = [row["month"] for row in demo_run.query(
        "select distinct strftime(timezone('UTC', opened_at), '%Y-%m-01') as month from care_cases order by month"
    )]
    selection = f"[{months[0]}...{months[-1]}]"
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{ui_port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            # the UI's first-visit newsletter prompt, answered "skip" as a user would
            context.add_init_script("window.localStorage.setItem('communityNux', '\"1\"')")
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{base}/assets/{PARTITIONED_ASSET}?view=lineage&lineageScope=downstream&lineageDepth=2")
            page.get_by_text("care_cases", exact=True).first.wait_for()
            page.get_by_text(PARTITIONED_ASSET.split("/")[-1], exact=True).last.wait_for()
            page.wait_for_timeout(2_500)  # materialisation status colours arrive after the graph
            page.screenshot(path=str(DOCS_IMAGES / "ui_assets.png"))

            page.get_by_role("button", name="Materialize…").first.click()
            dialog = page.get_by_role("dialog").filter(has_text=f"materialize {PARTITIONED_ASSET.replace('/', ' / ')}")
            dialog.get_by_text("Partition selection").wait_for()
            page.wait_for_timeout(1_000)
            # the dialog opens on the last 90 days: widen it when the demo's months are older
            show_all = dialog.get_by_text("Show all partitions")
            if show_all.count():
                show_all.click()
            ranges = dialog.locator('input:not([type="checkbox"])').first
            ranges.fill(selection)
            ranges.press("Enter")
            dialog.get_by_text(f"{len(months)} partitions", exact=True).wait_for()
            text = dialog.inner_text()
            assert "Launch backfill" in text
            assert "in a single run" in text  # the asset's single-run backfill policy
            page.wait_for_timeout(500)
            page.screenshot(path=str(DOCS_IMAGES / "ui_backfill.png"))
            dialog.get_by_role("button", name="Cancel", exact=True).click()
        finally:
            browser.close()
    for name in ("ui_assets.png", "ui_backfill.png"):
        assert (DOCS_IMAGES / name).stat().st_size > 20_000
