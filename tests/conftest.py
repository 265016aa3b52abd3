"""Fixtures shared by the tests; helpers are in support.py.

Tests that run the pipeline are end-to-end (marker ``e2e``: the ones using ``demo_run`` are marked
here, the others in their module); ``make unit`` runs the rest in seconds. Under xdist, every
test reading the shared demo run goes to one worker (group ``demo``), so it is built once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support import FIXTURES, DemoRun, run_cli

#: Fixtures that run the whole pipeline: a test using one is end-to-end.
PIPELINE_FIXTURES = {"demo_run", "corpus_run"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & PIPELINE_FIXTURES:
            item.add_marker(pytest.mark.e2e)
        if "demo_run" in fixtures:
            item.add_marker(pytest.mark.xdist_group("demo"))


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
    end-to-end tests that only read it (tests that change a home copy it first)."""
    home = tmp_path_factory.mktemp("demo") / "home"
    proc = run_cli(home, "demo", "--days", "40")
    return DemoRun(home=home, stdout=proc.stdout)
