"""`brandcare ui` however it is started: the installed script called by its path, with a PATH that
lacks the virtual environment, in the background (SIGINT ignored, as `brandcare ui &` from a
script has it). The code location loads (dbt and dagster of the script's own environment) and
SIGTERM to the script's PID stops the UI and every process it started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import free_port, graphql

pytestmark = pytest.mark.e2e

#: Assets of every stage: the lake, the dbt models, the Great Expectations-checked mart, the publication.
EXPECTED_ASSETS = {"lake/archive_files", "int_cases_measured", "brand_scorecards", "published"}


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_ui_through_the_script_path_loads_the_code_location_and_stops_on_sigterm(tmp_path):
    script = Path(sys.executable).with_name("brandcare")  # .venv/bin/brandcare, not resolved
    venv_bin = str(script.parent)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BRANDCARE_", "DAGSTER_")) and k not in ("VIRTUAL_ENV", "PATH")}
    env |= {"BRANDCARE_HOME": str(tmp_path / "home"), "PATH": "/usr/local/bin:/usr/bin:/bin"}
    assert venv_bin not in env["PATH"]
    port = free_port()
    log = (tmp_path / "ui.log").open("w")
    ui = subprocess.Popen([str(script), "ui", "--port", str(port)], env=env, cwd=tmp_path,
                          stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_ignore_sigint)
    started = time.monotonic()
    try:
        locations = None
        while time.monotonic() - started < 150:
            assert ui.poll() is None, f"brandcare ui exited {ui.returncode}:\n{(tmp_path / 'ui.log').read_text()}"
            try:
                entries = graphql(port, "{ workspaceOrError { ... on Workspace { locationEntries { name "
                                         "loadStatus locationOrLoadError { __typename ... on PythonError "
                                         "{ message } } } } } }")["data"]["workspaceOrError"]["locationEntries"]
            except OSError:
                entries = []
            if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                locations = entries
                break
            time.sleep(1)
        assert locations, f"the UI did not load its code location:\n{(tmp_path / 'ui.log').read_text()}"
        assert [e["locationOrLoadError"]["__typename"] for e in locations] == ["RepositoryLocation"], locations
        assets = graphql(port, "{ assetNodes { assetKey { path } } }")["data"]["assetNodes"]
        keys = {"/".join(a["assetKey"]["path"]) for a in assets}
        assert keys >= EXPECTED_ASSETS, sorted(keys)
        came_up = time.monotonic() - started

        # stopped by its PID, as a user stops a background job: the script exec'd dagster, same PID
        processes = _descendants(ui.pid)
        assert processes, "dagster dev started no webserver or daemon"
        os.kill(ui.pid, signal.SIGTERM)
        ui.wait(timeout=40)
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in processes) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not [p for p in processes if _alive(p)], "processes of the UI outlived it"
        print(f"UI up in {came_up:.0f}s, stopped in {time.monotonic() - started - came_up:.0f}s")
    finally:
        with contextlib.suppress(ProcessLookupError):  # what is left of the session this test started, by its id
            os.killpg(ui.pid, signal.SIGKILL)
        ui.wait()
        log.close()


def test_a_port_in_use_is_refused_at_once(tmp_path):
    """`brandcare ui --port N` with N taken logged Dagster's "address already in use" and ran on
    for good, with no UI (QA)."""
    import socket

    from support import run_cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        proc = run_cli(tmp_path / "home", "ui", "--port", str(port), check=False)
    assert proc.returncode == 2 and f"port {port} on 127.0.0.1 cannot be used" in proc.stderr, proc.stderr
    assert time.monotonic() - started < 30
    assert not (tmp_path / "home").exists()
