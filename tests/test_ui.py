"""`brandcare ui` serves the Dagster UI on 127.0.0.1 over the same instance as the CLI's runs."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_ui_shows_the_runs_of_the_cli(demo_run):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRANDCARE_", "DAGSTER_"))}
    env["BRANDCARE_HOME"] = str(demo_run.home)
    script = Path(sys.executable).with_name("brandcare")
    ui = subprocess.Popen([str(script), "ui", "--port", str(port)], env=env, start_new_session=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                runs = _graphql(port, "{ runsOrError { ... on Runs { results { runId status jobName } } } }")
                break
            except OSError:
                if time.monotonic() > deadline or ui.poll() is not None:
                    raise AssertionError("the Dagster UI did not come up")
                time.sleep(1)
        results = runs["data"]["runsOrError"]["results"]
        assert any(r["jobName"] == "brandcare" and r["status"] == "SUCCESS" for r in results), results
        assets = _graphql(port, "{ assetNodes { assetKey { path } } }")["data"]["assetNodes"]
        keys = {"/".join(a["assetKey"]["path"]) for a in assets}
        assert {"brand_scorecards", "care_cases", "published", "lake/archive_files"} <= keys
    finally:
        os.killpg(ui.pid, signal.SIGTERM)
        try:
            ui.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(ui.pid, signal.SIGKILL)
            ui.wait()
