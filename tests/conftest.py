"""Shared fixtures. Tests never need a hand-started server or network; keys are test keys."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.settings import REPO_ROOT, apply_quiet_offline_env

apply_quiet_offline_env()
os.environ.setdefault("KPI_HMAC_KEY", "test-key-not-secret")

SHARED = REPO_ROOT.parent / "shared"
REFERENCE_DIR = REPO_ROOT / "sources" / "reference"
FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = "2026-11-23"


def run_kpi(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the installed `kpi` command as an analyst would."""
    kpi = Path(sys.executable).with_name("kpi")
    return subprocess.run([str(kpi), *args], capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, "COLUMNS": "200"})


@pytest.fixture(scope="session")
def reference_figures() -> dict:
    import yaml

    return yaml.safe_load((FIXTURES / "reference_figures.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def parse_context():
    from pipelines.ingest.ingest import parse_context as make

    return make(REFERENCE_DIR)
