"""The dbt project and how dbt is invoked: one place for Dagster, the CLI and tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


def dbt_executable() -> str:
    """The dbt of this environment (beside the running Python), so PATH does not matter."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def _project_changed_since(moment: float) -> bool:
    sources = (p for folder in ("models", "macros", "tests", "seeds") for p in (DBT_PROJECT_DIR / folder).rglob("*"))
    return any(p.stat().st_mtime > moment for p in sources) or (DBT_PROJECT_DIR / "dbt_project.yml").stat().st_mtime > moment


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than the project's files.

    The install and test commands prepare it; this keeps an edited checkout honest.
    """
    manifest = dbt_project.manifest_path
    if not manifest.exists() or _project_changed_since(manifest.stat().st_mtime):
        env = {**os.environ, "BRANDCARE_HOME": os.environ.get("BRANDCARE_HOME", str(REPO_ROOT / "data"))}
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
             "--profiles-dir", str(DBT_PROJECT_DIR)],
            check=True, env=env, cwd=DBT_PROJECT_DIR,
        )
    return dbt_project.manifest_path


def dbt_build_args(settings: Settings, min_date: date | None = None, max_date: date | None = None) -> list[str]:
    """Arguments of the ``dbt build`` of one run: configuration and the half-open date window as vars."""
    variables = settings.dbt_vars()
    if min_date is not None:
        variables["min_date"] = min_date.isoformat()
    if max_date is not None:
        variables["max_date"] = max_date.isoformat()
    if min_date is not None and max_date is not None and min_date >= max_date:
        raise ValueError(f"empty date window: from {min_date} is not before to {max_date}")
    return ["build", "--vars", json.dumps(variables, sort_keys=True)]
