"""Shared fixtures. Tests never need a hand-started server or network; keys are test keys."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.settings import DEFAULT_PREFECT_HOME, REPO_ROOT, apply_quiet_offline_env
from tests.lanes import assign_lanes, enter_test, refuse_nightly_outside_e2e
from tests.session_build import build_once, make_read_only, make_writable, session_folder

# The CLI's consoles take their width when first imported; wide, so no test depends on which test imported first.
os.environ["COLUMNS"] = "200"
if worker := os.environ.get("PYTEST_XDIST_WORKER"):  # `make test` runs two workers: one Prefect database each
    os.environ["PREFECT_HOME"] = str(DEFAULT_PREFECT_HOME / f"tests-{worker}")
apply_quiet_offline_env()
os.environ.setdefault("KPI_HMAC_KEY", "test-key-not-secret")
# A developer's own config (SMTP, publish targets) must never reach the tests: point at a file that is not there.
os.environ["KPI_CONFIG_FILE"] = str(Path(__file__).parent / "no-such-config.toml")
os.environ.pop("KPI_PUBLISH_TARGETS", None)

SHARED = Path(os.environ.get("KPI_SHARED_DIR", REPO_ROOT.parent / "shared"))  # the programme's spec, where present
REFERENCE_DIR = REPO_ROOT / "sources" / "reference"
FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = "2026-11-23"


def run_kpi(*args: str, timeout: int = 600, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the installed `kpi` command as an analyst would (`env`: variables added to the environment)."""
    refuse_nightly_outside_e2e(args)
    kpi = Path(sys.executable).with_name("kpi")
    return subprocess.run([str(kpi), *args], capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    assign_lanes(items)  # unit / dbt / e2e / spec from what each test uses (tests/lanes.py)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    enter_test(item)


@pytest.fixture(scope="session")
def reference_figures() -> dict:
    import yaml

    return yaml.safe_load((FIXTURES / "reference_figures.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def parse_context():
    from pipelines.flows.delivery_step import parse_context as make

    return make(REFERENCE_DIR)


class PublishedDemo:
    """The sample deliveries run once through `kpi nightly`: read-only for the tests that share it.

    A test that changes the inbox or the warehouse must work on a copy (`copy_to`), never on this one.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sources = root / "sources"
        self.warehouse = root / "warehouse" / "kpi.duckdb"
        self.first: subprocess.CompletedProcess | None = None

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        import duckdb

        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def copy_to(self, target: Path) -> PublishedDemo:
        import shutil

        shutil.copytree(self.root, target, symlinks=True)
        make_writable(target)  # the shared original is read-only
        copy = PublishedDemo(target)
        copy.first = self.first
        return copy


def build_published_demo(root: Path) -> dict:
    """Sample deliveries and one `kpi nightly` over them in `root`; the run's outcome, read-only afterwards."""
    from pipelines.sample import generate

    demo = PublishedDemo(root)
    generate(demo.sources)
    done = run_kpi("nightly", "--sources", str(demo.sources), "--warehouse", str(demo.warehouse), "--as-of", AS_OF)
    make_read_only(root)
    return {"args": done.args, "returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}


@pytest.fixture(scope="session")
def published_demo(tmp_path_factory) -> PublishedDemo:
    """One `kpi nightly` over freshly generated sample deliveries, shared by every read-only test.

    Built once per test session: under pytest-xdist the first worker builds it, the others reuse it.
    """
    demo = PublishedDemo(session_folder(tmp_path_factory) / "published_demo")
    demo.first = subprocess.CompletedProcess(**build_once(demo.root, build_published_demo))
    assert demo.first.returncode == 0, demo.first.stdout + demo.first.stderr
    return demo
