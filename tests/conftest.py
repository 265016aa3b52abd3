"""Fixtures shared by the tests; helpers are in support.py.

Tests that run the pipeline are end-to-end (marker ``e2e``: the ones using ``demo_run`` are marked
here, the others in their module); ``make unit`` runs the rest in seconds. Under xdist, each
worker builds the demo run once (two builds in parallel cost less wall time than one worker
reading it alone: measured 10m17s for ``make test`` with every reader on one worker); the tests
of a module that share a module-scoped fixture (a pipeline run, a trained model) go to one
worker (group: the module), so that fixture is not built once per worker.
"""

from __future__ import annotations

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
    end-to-end tests that only read it (tests that change a home copy it first)."""
    home = tmp_path_factory.mktemp("demo") / "home"
    proc = run_cli(home, "demo", "--days", "40")
    return DemoRun(home=home, stdout=proc.stdout)
