"""How the code is layered: importing the Dagster definitions does no work, and only the
console script imports the CLI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_importing_the_definitions_runs_no_subprocess_and_reads_no_manifest():
    # Dagster's own vendored croniter asks the stdlib's platform module (which runs `file`) for the
    # architecture when dagster is imported: that one is Dagster's; any other subprocess is ours.
    probe = (
        "import subprocess, builtins, traceback\n"
        "original = subprocess.Popen.__init__\n"
        "def refuse(self, *a, **k):\n"
        "    if any(f.filename.endswith('/platform.py') for f in traceback.extract_stack()):\n"
        "        return original(self, *a, **k)\n"
        "    raise SystemExit('a subprocess was started at import: ' + repr(a[:1]))\n"
        "subprocess.Popen.__init__ = refuse\n"
        "real_open = builtins.open\n"
        "def watch(path, *a, **k):\n"
        "    if str(path).endswith('manifest.json'): raise SystemExit('the dbt manifest was read at import')\n"
        "    return real_open(path, *a, **k)\n"
        "builtins.open = watch\n"
        "import pipelines.definitions\n"
        "print('imported')\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "imported", proc.stdout + proc.stderr


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_nothing_imports_the_cli_but_its_console_script():
    importers = [
        str(path.relative_to(REPO))
        for folder in ("pipelines", "data_checks", "benchmarks", "tests", "corpus")
        for path in (REPO / folder).rglob("*.py")
        if path != REPO / "pipelines" / "cli.py" and "pipelines.cli" in _imported_modules(path)
    ]
    assert importers == []
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'brandcare = "pipelines.cli:main"' in pyproject


def test_formats_classifiers_and_calendars_never_import_dagster_and_checks_never_import_pipelines():
    for folder, forbidden in (("pipelines/formats", "dagster"), ("pipelines/classifier", "dagster"),
                              ("data_checks", "pipelines")):
        for path in (REPO / folder).rglob("*.py"):
            assert not any(m == forbidden or m.startswith(forbidden + ".") for m in _imported_modules(path)), path
    for name in ("classify.py", "brands.py", "canonical.py", "ingest.py", "settings.py"):
        assert not any(m.startswith("dagster") for m in _imported_modules(REPO / "pipelines" / name)), name
