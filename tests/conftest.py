"""Fixtures shared by the tests; helpers are in support.py.

Tests that run the pipeline are end-to-end (marker ``e2e``: the ones using ``demo_run`` are marked
here, the others in their module); ``make unit`` runs the rest in seconds. Under xdist, the
demo run is built once and read by both workers (every reader on one worker cost more wall
time: measured 10m17s for ``make test``); the tests of a module that share a module-scoped
fixture (a pipeline run, a trained model) go to one worker (group: the module), so that fixture
is not built once per worker.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support import FIXTURES, DemoRun, run_cli

#: Fixtures that run the whole pipeline: a test using one is end-to-end.
PIPELINE_FIXTURES = {"demo_run", "corpus_run"}


# first: xdist's own hook (registered after this file) turns the groups into node ids
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & PIPELINE_FIXTURES:
            item.add_marker(pytest.mark.e2e)
        if _uses_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    # modules that run the pipeline first, the others after them (each module's tests stay
    # together, in their order): xdist hands out the single tests in this order once the groups
    # are out, so the long runs start early and the short tests fill the end, where the last
    # long run otherwise kept one worker busy while the other sat idle
    slow = {item.module.__name__ for item in items if item.get_closest_marker("e2e")}
    items.sort(key=lambda item: item.module.__name__ not in slow)


def _uses_module_fixture(item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    return info is not None and any(
        d.scope == "module" for defs in info.name2fixturedefs.values() for d in defs
    )


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def settings(tmp_path: Path):
    """Settings of a fresh BRANDCARE_HOME below the test's tmp_path (nothing of the environment)."""
    from pipelines.settings import load_settings

    return load_settings({"BRANDCARE_HOME": str(tmp_path / "home")})


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    """One sample (6 brands, 40 days) through the whole pipeline via the CLI, shared by the
    end-to-end tests that only read it (tests that change a home copy it first). Under xdist the
    first worker to ask builds it in the session's shared temporary folder, and the other waits
    for it and reads the same home (built once per worker, it cost some 35 s of CPU twice)."""
    import fcntl

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this session
    folder = root / "demo"
    folder.mkdir(exist_ok=True)
    home, stdout = folder / "home", folder / "demo.stdout"
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stdout.exists():  # written last: the demo is whole
            if home.exists():
                pytest.fail(f"the demo run in {home} failed in another worker: see its error")
            proc = run_cli(home, "demo", "--days", "40")
            stdout.write_text(proc.stdout)
    return DemoRun(home=home, stdout=stdout.read_text())
