"""The dbt project and how dbt is invoked: one place for Dagster, the CLI and tests."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from pipelines.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
#: Where `make setup` writes the parsed project; Dagster reads the manifest from here.
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
#: dbt's partial-parse state, kept beside the manifest
PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def dbt_executable() -> str:
    """The dbt of this environment (beside the running Python), so PATH does not matter."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def _project_changed_since(moment: float) -> bool:
    sources = (p for folder in ("models", "macros", "tests", "seeds") for p in (DBT_PROJECT_DIR / folder).rglob("*"))
    project_file = DBT_PROJECT_DIR / "dbt_project.yml"
    return any(p.stat().st_mtime > moment for p in sources) or project_file.stat().st_mtime > moment


def parse_project(if_stale: bool = False) -> Path:
    """`dbt parse` of the project (what `make setup` runs); the manifest's path. ``if_stale``:
    only when the manifest is missing or older than the project's files, as seen once the lock
    is held (another process may have just parsed).

    Processes may parse at once (after an edit of the checkout, the first command of each
    starts one; QA: two test workers wrote one manifest together and every later command failed
    to read it): a lock makes them parse one at a time, each into a folder of its own (with the
    partial-parse state of the last one), and the manifest is replaced whole, so a reader never
    meets half of one."""
    target = MANIFEST_PATH.parent
    target.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "BRANDCARE_HOME": os.environ.get("BRANDCARE_HOME", str(REPO_ROOT / "data"))}
    env.pop("DBT_TARGET_PATH", None)
    with open(target / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if if_stale and not _stale():
            return MANIFEST_PATH
        with tempfile.TemporaryDirectory(dir=target, prefix=".parse-") as scratch:
            state = target / PARTIAL_PARSE_FILE
            if state.exists():
                shutil.copy2(state, Path(scratch) / PARTIAL_PARSE_FILE)
            subprocess.run(
                [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
                 "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", scratch],
                check=True, env=env, cwd=DBT_PROJECT_DIR,
            )
            for name in (PARTIAL_PARSE_FILE, MANIFEST_PATH.name):  # the manifest last: it says "parsed"
                if (Path(scratch) / name).exists():
                    os.replace(Path(scratch) / name, target / name)
    return MANIFEST_PATH


def ensure_manifest() -> Path:
    """The parsed project's manifest: prepared by `make setup`; parsed again only when it is
    missing or older than the project's files (an edited checkout). Called when Dagster loads
    the definitions, never at import."""
    return parse_project(if_stale=True) if _stale() else MANIFEST_PATH


def _stale() -> bool:
    return not MANIFEST_PATH.exists() or _project_changed_since(MANIFEST_PATH.stat().st_mtime)


def check_description(evaluation) -> str | None:
    """What an asset check evaluation means: its own description, else its dbt test's (a
    singular test's, from dbt_project/tests/_tests.yml)."""
    return evaluation.description or _dbt_tests().get(evaluation.check_name, {}).get("description")


def check_severity(evaluation) -> str:
    """The severity a check is configured with ("ERROR": a failure stops the publication;
    "WARN"): a dbt test's own, since dagster-dbt reports a test of warning severity that passes as
    ERROR (a manifest listed the three warning tests of a clean run as blocking ones)."""
    return _dbt_tests().get(evaluation.check_name, {}).get("severity") or evaluation.severity.value


@cache
def _dbt_tests() -> dict[str, dict]:
    """The configured severity and the description (when it has one) of each dbt data test, by
    the name its asset check carries."""
    tests = {}
    for node in json.loads(ensure_manifest().read_text())["nodes"].values():
        if node["resource_type"] == "test":
            tests[node["name"]] = {"severity": node["config"]["severity"].upper()}
            if node.get("description"):
                tests[node["name"]]["description"] = " ".join(node["description"].split())
    return tests


@cache
def dbt_project():
    """The dbt project for dagster-dbt (built on first use, not at import)."""
    from dagster_dbt import DbtProject

    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_build_args(settings: Settings) -> list[str]:
    """Arguments of a run's ``dbt build``: the configuration as vars (the same every run, so dbt's
    partial parse holds; the run's date window is data, see pipelines.defs.warehouse).

    dbt unit tests check the SQL, not the data: they run in the test suite
    (tests/test_dbt_unit_tests.py), not in every run; data tests run in every build."""
    return ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(settings.dbt_vars(), sort_keys=True)]
