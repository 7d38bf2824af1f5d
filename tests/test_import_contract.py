"""The import contract (.importlinter): the tree is the pipeline, imports point down only, no cycles."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipelines.settings import REPO_ROOT

CONFIG = REPO_ROOT / ".importlinter"


def _lint_imports(config) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
               str(config), "--no-cache"]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)


def test_every_import_points_down_the_pipeline_layers() -> None:
    result = _lint_imports(CONFIG)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(("importer", "imported", "broken"), [
    ("pipelines/parse/base.py", "pipelines.flows.nightly", "0 kept, 2 broken"),  # a stage importing the flow
    ("pipelines/delivery/filenames.py", "pipelines.load.raw_layer", "0 kept, 2 broken"),  # a later stage
    ("pipelines/catalog/plan.py", "pipelines.catalog.load", "1 kept, 1 broken"),  # a cycle inside a package
])
def test_an_upward_import_or_a_cycle_breaks_the_contract(tmp_path, importer, imported, broken) -> None:
    """The contract can fail: a copy of the package with one bad import added is refused."""
    import shutil

    copy = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "pipelines", copy / "pipelines", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CONFIG, copy / ".importlinter")
    module = copy / importer
    module.write_text(module.read_text(encoding="utf-8") + f"\nimport {imported}  # noqa\n", encoding="utf-8")
    command = [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
               "sys.argv = sys.argv[:1] + sys.argv[2:]; "
               "from importlinter.cli import lint_imports_command; lint_imports_command()",
               str(copy), str(copy / ".importlinter"), "--no-cache"]
    result = subprocess.run(command, cwd=copy, capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken in result.stdout
    assert imported.rpartition(".")[2] in result.stdout  # the report names the offending import
