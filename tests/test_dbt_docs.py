"""The documentation is the repository's own and agrees with the dbt docs.

- docs/metrics.md defines every column of the published marts, and every column it defines
  exists (checked against the warehouse ``dbt docs generate`` reads, after a demo run);
- every column of a published mart has a dbt description;
- no file of the repository points outside it (the team's reference notes beside the checkout);
- docs/formats.md documents every archive reader;
- docs/configuration.md lists every setting of pipelines.settings.Settings with its default;
- every relative link of the README and of docs/ reaches a file, and its #anchor a heading
  (except the screenshots of docs/images/, which the browser tests make).

Nothing here is skipped: the repository alone is enough.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from pipelines.project import DBT_PROJECT_DIR, dbt_executable

REPO = Path(__file__).resolve().parents[1]
METRICS_MD = REPO / "docs" / "metrics.md"
IMAGES = REPO / "docs" / "images"

#: Marts an analyst reads: each of their warehouse columns needs a description.
PUBLISHED_MARTS = (
    "brand_scorecards", "care_cases", "unanswered_cases", "messages", "archive_files",
    "quarantine", "agent_activity", "brands",
)
#: Marts whose every column docs/metrics.md defines (a section whose heading names the mart).
METRIC_MARTS = ("care_cases", "brand_scorecards", "agent_activity", "unanswered_cases")

#: Where the repository's own files are; what a pointer outside it looks like.
SEARCHED = ("pipelines", "data_checks", "dbt_project", "tests", "benchmarks", "docs", "examples",
            "README.md", "Makefile", "pyproject.toml")
NOT_SEARCHED_DIRS = {"target", "logs", "dbt_packages", "__pycache__", ".venv"}
#: the team notes' folder beside the checkout, and their file names
OUTSIDE = re.compile(r"\.\./" + "sh" + r"ared\b|\b(?:METRICS|DESIGN|FORMATS|STYLE|DATASETS)\.md\b")


# --------------------------------------------------------------------------- Markdown helpers


def _without_code(text: str) -> str:
    """Markdown with fenced code blocks blanked (lines kept, so line numbers stay right)."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            out.append("")
        else:
            out.append("" if fenced else line)
    return "\n".join(out)


def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown text (repeats get -1, -2, ...)."""
    seen: Counter[str] = Counter()
    anchors = set()
    for match in re.finditer(r"^#{1,6}\s+(.+?)\s*#*$", _without_code(text), re.M):
        slug = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower()).replace(" ", "-")
        anchors.add(slug if not seen[slug] else f"{slug}-{seen[slug]}")
        seen[slug] += 1
    return anchors


def defined_columns(text: str) -> dict[str, list[str]]:
    """Mart -> the columns its section of docs/metrics.md defines.

    A section is a ``## `` heading naming the mart in backticks; a column is defined by a
    ``### `column` ...`` heading or by the first cell of a ``| column | meaning |`` table row.
    """
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    in_column_table = False
    for line in _without_code(text).splitlines():
        if line.startswith("## "):
            names = re.findall(r"`([a-z_]+)`", line)
            current = sections.setdefault(names[0], []) if names else None
            in_column_table = False
        elif current is None:
            continue
        elif line.startswith("### "):
            name = re.match(r"### `([a-z_0-9]+)`", line)
            if name:
                current.append(name.group(1))
        elif line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if cells[0] == "column":
                in_column_table = True
            elif in_column_table and not set(cells[0]) <= set("-: "):
                current += re.findall(r"^`([a-z_0-9]+)`$", cells[0])
        else:
            in_column_table = False
    return sections


# --------------------------------------------------------------------------- without a pipeline run


def test_metrics_md_defines_each_published_mart() -> None:
    sections = defined_columns(METRICS_MD.read_text(encoding="utf-8"))
    for mart in METRIC_MARTS:
        columns = sections.get(mart)
        assert columns, f"docs/metrics.md has no section naming `{mart}` with its columns"
        repeated = [name for name, count in Counter(columns).items() if count > 1]
        assert not repeated, f"docs/metrics.md defines these columns of {mart} twice: {repeated}"


def test_metric_anchors_are_the_column_names() -> None:
    """docs/metrics.md#equity_index and the like: a heading per metric, named by its column."""
    anchors = heading_anchors(METRICS_MD.read_text(encoding="utf-8"))
    for name in ("equity_index", "care_score", "response_rate", "first_response_min", "is_final", "rank"):
        assert name in anchors, f"docs/metrics.md has no anchor #{name}"


def _searched_files() -> list[Path]:
    files = []
    for entry in SEARCHED:
        path = REPO / entry
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        files += [p for p in candidates if not NOT_SEARCHED_DIRS & set(p.relative_to(REPO).parts)]
    return files


def test_nothing_points_outside_the_repository() -> None:
    """Users clone the repository only: no docstring, comment or doc may send them elsewhere."""
    assert len(_searched_files()) > 100, "the search finds the repository's files"
    pointers = []
    for path in _searched_files():
        if path == Path(__file__).resolve():
            continue  # this file names what it looks for
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary files (model weights, Parquet fixtures)
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE.search(line):
                pointers.append(f"{path.relative_to(REPO)}:{number}: {line.strip()[:120]}")
    assert not pointers, "pointers outside the repository (use docs/...):\n" + "\n".join(pointers)


def _markdown_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def test_relative_links_reach_files_and_headings() -> None:
    broken = []
    for page in _markdown_files():
        text = _without_code(page.read_text(encoding="utf-8"))
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # http(s), mailto
            file_part, _, anchor = target.partition("#")
            linked = (page.parent / file_part).resolve() if file_part else page
            if linked.parent == IMAGES:
                continue  # screenshots the browser tests make (tests/test_report.py, tests/test_ui.py)
            if not linked.exists():
                broken.append(f"{page.relative_to(REPO)}: {target}: no such file")
            elif anchor and linked.suffix == ".md" and anchor not in heading_anchors(linked.read_text(encoding="utf-8")):
                broken.append(f"{page.relative_to(REPO)}: {target}: no such heading")
    assert not broken, "broken links:\n" + "\n".join(broken)


def _variable(field: str) -> str:
    return "BRANDCARE_BRANDS" if field == "brands_file" else f"BRANDCARE_{field.upper()}"


def _shown(value: object) -> str:
    """A default as docs/configuration.md shows it."""
    if isinstance(value, dict):
        return ",".join(f"{key}={number:g}" for key, number in value.items())
    return str(value)


def test_configuration_md_lists_every_setting_with_its_default() -> None:
    from pipelines.settings import Settings, load_settings

    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| \[`(BRANDCARE_[A-Z_]+)`\]\(#[a-z_]+\) \| `([^`]*)` \|", text, re.M))
    fields = [f.name for f in dataclasses.fields(Settings)]
    assert sorted(rows) == sorted(_variable(name) for name in fields)
    defaults = load_settings({"BRANDCARE_HOME": "/nonexistent/home"})
    for name in fields:
        if name not in ("home", "brands_file"):
            assert rows[_variable(name)] == _shown(getattr(defaults, name)), f"default of {name}"
    assert heading_anchors(text) >= set(fields), "each setting has its own heading"


def test_formats_md_documents_every_reader() -> None:
    from pipelines.formats import READERS

    text = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    in_table = set(re.findall(r"^\| \[`([a-z_0-9]+)`\]\(#", text, re.M))
    with_heading = set(re.findall(r"^### .*\(`([a-z_0-9]+)`\)$", text, re.M))
    assert in_table == with_heading == set(READERS)


def test_the_readme_links_every_page_of_docs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    unlinked = [page.name for page in sorted((REPO / "docs").glob("*.md")) if f"(docs/{page.name}" not in readme]
    assert not unlinked, f"README.md does not link these pages of docs/: {unlinked}"


# --------------------------------------------------------------------------- against the built warehouse


@pytest.fixture(scope="module")
def dbt_docs(demo_run, tmp_path_factory) -> tuple[dict, dict]:
    """(manifest, catalog) of ``dbt docs generate`` over the demo warehouse, written to a temp dir."""
    target = tmp_path_factory.mktemp("dbt_docs")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRANDCARE_", "DAGSTER_", "DBT_"))}
    env["BRANDCARE_HOME"] = str(demo_run.copy(target))  # dbt opens the warehouse to write
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


@pytest.mark.e2e
@pytest.mark.parametrize("model", PUBLISHED_MARTS)
def test_every_published_column_is_described(dbt_docs, model: str) -> None:
    manifest, catalog = dbt_docs
    documented = _documented_columns(manifest, model)
    undocumented = [name for name in _warehouse_columns(catalog, model) if not documented.get(name)]
    assert not undocumented, f"{model}: columns without a description in its yml: {undocumented}"


@pytest.mark.e2e
@pytest.mark.parametrize("model", METRIC_MARTS)
def test_metrics_md_defines_exactly_the_columns_of_the_mart(dbt_docs, model: str) -> None:
    _, catalog = dbt_docs
    in_warehouse = _warehouse_columns(catalog, model)
    defined = defined_columns(METRICS_MD.read_text(encoding="utf-8")).get(model, [])
    undefined = [name for name in in_warehouse if name not in defined]
    missing = [name for name in defined if name not in in_warehouse]
    assert not undefined, f"columns of {model} that docs/metrics.md does not define: {undefined}"
    assert not missing, f"docs/metrics.md defines columns {model} does not have: {missing}"
