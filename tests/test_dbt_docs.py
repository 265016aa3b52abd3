"""dbt docs say what every published column is, and name every metric of METRICS.md."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from pipelines.project import DBT_PROJECT_DIR, dbt_executable

METRICS_MD = Path(__file__).parents[2] / "shared" / "METRICS.md"

#: Marts an analyst reads: each of their warehouse columns needs a description.
PUBLISHED_MARTS = (
    "brand_scorecards", "care_cases", "unanswered_cases", "messages", "archive_files",
    "quarantine", "agent_activity",
)


@pytest.fixture(scope="module")
def dbt_docs(demo_run, tmp_path_factory) -> tuple[dict, dict]:
    """(manifest, catalog) of ``dbt docs generate`` over the demo warehouse, written to a temp dir."""
    target = tmp_path_factory.mktemp("dbt_docs")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRANDCARE_", "DAGSTER_", "DBT_"))}
    env["BRANDCARE_HOME"] = str(demo_run.home)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    proc = subprocess.run(
        [dbt_executable(), "docs", "generate",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(target), "--log-path", str(target / "logs")],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, f"dbt docs generate failed:\n{proc.stdout}\n{proc.stderr}"
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    return manifest, catalog


def _documented_columns(manifest: dict, model: str) -> dict[str, str]:
    """Column name (lower case) -> description, as the model's yml gives it."""
    node = manifest["nodes"][f"model.brandcare.{model}"]
    return {name.lower(): (column.get("description") or "").strip() for name, column in node["columns"].items()}


def _warehouse_columns(catalog: dict, model: str) -> list[str]:
    """The model's columns in the warehouse (lower case), as the catalog read them."""
    node = catalog["nodes"].get(f"model.brandcare.{model}")
    assert node is not None, f"{model} is not in the warehouse catalog: was it built?"
    return [name.lower() for name in node["columns"]]


def metrics_table_fields(text: str, heading: str) -> list[str]:
    """Field names (backticked, first cell) of the table under the '## <heading>...' section."""
    section = re.search(rf"^## {re.escape(heading)}.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section is not None, f"METRICS.md has no section '## {heading}'"
    names: list[str] = []
    for line in section.group(1).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or len(cells) < 2 or set(cells[0]) <= set("-: "):
            continue
        names += re.findall(r"`([^`]+)`", cells[0])
    assert names, f"no fields found in the table of '## {heading}'"
    return names


@pytest.mark.parametrize("model", PUBLISHED_MARTS)
def test_every_published_column_is_described(dbt_docs, model: str) -> None:
    manifest, catalog = dbt_docs
    documented = _documented_columns(manifest, model)
    undocumented = [name for name in _warehouse_columns(catalog, model) if not documented.get(name)]
    assert not undocumented, f"{model}: columns without a description in its yml: {undocumented}"


@pytest.mark.parametrize(
    ("heading", "model"),
    [("Per case", "care_cases"), ("Per brand and period", "brand_scorecards")],
)
def test_every_metric_of_metrics_md_is_a_documented_column(dbt_docs, heading: str, model: str) -> None:
    if not METRICS_MD.exists():
        pytest.skip(f"{METRICS_MD} not found: clone the shared/ folder beside the repo to check dbt docs against it")
    fields = metrics_table_fields(METRICS_MD.read_text(encoding="utf-8"), heading)
    manifest, catalog = dbt_docs
    documented = _documented_columns(manifest, model)
    in_warehouse = set(_warehouse_columns(catalog, model))
    missing = [name for name in fields if not documented.get(name) or name not in in_warehouse]
    assert not missing, f"METRICS.md '{heading}' fields not documented columns of {model}: {missing}"
