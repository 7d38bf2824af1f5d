"""The repository's copies of the programme's spec are byte copies, and `make sync-spec` makes them.

The copies let a clone stand on its own (no ../shared beside it). Where ../shared exists, any copy that
differs from its original fails; `make sync-spec` is the fix.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pipelines.settings import REPO_ROOT
from tests.conftest import SHARED

# spec file in ../shared/spec → its copy in this repository
SPEC_COPIES = {
    "criteria.yaml": "sources/reference/criteria.yaml",
    "reference_figures.yaml": "tests/fixtures/reference_figures.yaml",
    "warehouse_contract.md": "docs/warehouse_contract.md",
    "source_formats.md": "docs/source_formats.md",
}


def make_sync_spec(repo: Path, shared: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "-C", str(repo), "sync-spec", f"SHARED={shared}"],
                          capture_output=True, text=True, check=False)


def test_every_copy_is_in_the_repository() -> None:
    for copy in SPEC_COPIES.values():
        assert (REPO_ROOT / copy).is_file(), f"{copy} is missing; run make sync-spec beside ../shared"


def test_make_sync_spec_copies_every_spec_file_byte_for_byte(tmp_path: Path) -> None:
    """On a throwaway repository layout (the Makefile alone) and a made-up spec, so the real files stay."""
    repo, shared = tmp_path / "repo", tmp_path / "shared"
    repo.mkdir()
    shutil.copy(REPO_ROOT / "Makefile", repo / "Makefile")
    (shared / "spec").mkdir(parents=True)
    for number, (spec, copy) in enumerate(SPEC_COPIES.items()):
        (shared / "spec" / spec).write_bytes(f"spec file {number}: æøå\r\n".encode())
        (repo / copy).parent.mkdir(parents=True, exist_ok=True)
        (repo / copy).write_text("an old copy\n", encoding="utf-8")
    done = make_sync_spec(repo, shared)
    assert done.returncode == 0, done.stdout + done.stderr
    for spec, copy in SPEC_COPIES.items():
        assert (repo / copy).read_bytes() == (shared / "spec" / spec).read_bytes(), copy


def test_make_sync_spec_without_the_shared_spec_says_so(tmp_path: Path) -> None:
    done = make_sync_spec(REPO_ROOT, tmp_path / "no_shared_here")
    assert done.returncode != 0
    assert "Den fælles spec findes ikke" in done.stdout


@pytest.mark.skipif(not (SHARED / "spec").is_dir(), reason="../shared/spec is not beside this clone")
@pytest.mark.parametrize("spec", list(SPEC_COPIES))
def test_copy_equals_the_shared_spec(spec: str) -> None:
    original, copy = SHARED / "spec" / spec, REPO_ROOT / SPEC_COPIES[spec]
    assert copy.read_bytes() == original.read_bytes(), f"{SPEC_COPIES[spec]} differs from {original}: make sync-spec"
