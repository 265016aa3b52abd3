"""The dbt unit tests (the metric definitions as given rows -> expected rows) pass.

A pipeline run builds models and runs the data tests only; the unit tests check the SQL, so
they run here, against the demo's warehouse (a copy: nothing of the demo changes)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from pipelines.project import DBT_PROJECT_DIR, dbt_executable
from pipelines.settings import load_settings


def test_every_dbt_unit_test_passes(demo_run, tmp_path):
    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    shutil.copy(demo_run.home / "warehouse" / "brandcare.duckdb", home / "warehouse" / "brandcare.duckdb")
    shutil.copytree(demo_run.home / "lake", home / "lake")
    env = {**os.environ, "BRANDCARE_HOME": str(home)}
    target = tmp_path / "target"
    variables = json.dumps(load_settings({"BRANDCARE_HOME": str(home)}).dbt_vars())
    proc = subprocess.run(
        [dbt_executable(), "test", "--select", "test_type:unit", "--vars", variables, "--target-path", str(target),
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) >= 20, "every dbt unit test ran"
    assert all(r["status"] == "pass" for r in unit_tests)
