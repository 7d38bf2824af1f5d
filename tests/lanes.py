"""Test lanes, assigned from what a test uses so that a new test lands in the right one unasked.

`e2e`  runs a subprocess nightly, starts a server process (PostgreSQL, Prefect), a browser, or kills a run;
`dbt`  runs dbt itself (dbt's unit tests, `kpi docs`);
`spec` compares with the programme's shared spec beside the clone (`KPI_SHARED_DIR`, ../shared);
`unit` none of these.
`make test-fast` runs `not e2e and not spec`, `make check-spec` runs `spec`, `make test` everything but `spec`.

How a test is read (deterministic, no timings): the source of the test function, of every fixture it uses
(by name, defined in its module or in tests/conftest.py) and of every module-level function those call,
followed through the module; test methods of classes are read through their fixtures only. A marker written
by hand (`@pytest.mark.e2e`, a module `pytestmark`) is kept besides what is found; write one when a test
reaches a nightly through something this reading cannot see (a method, another module).
A test that slips through fails loudly rather than slowing the fast lane: `run_kpi("nightly", …)` refuses to
run in a test that is not `e2e` (see `refuse_nightly_outside_e2e`).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

LANES = ("unit", "dbt", "e2e", "spec")
# fixtures and functions that start a nightly, a server process or a browser
E2E_NAMES = frozenset({"published_demo", "start_local_cluster", "open_page", "ensure_chromium"})
DBT_NAMES = frozenset({"dbt_executable", "dbtRunner"})
NAME_LANES = {**dict.fromkeys(E2E_NAMES, "e2e"), **dict.fromkeys(DBT_NAMES, "dbt")}
DBT_COMMANDS = frozenset({"docs"})  # `kpi docs` runs `dbt docs generate`
SHARED_NAME = re.compile(r"^SHARED\w*$")  # tests/conftest.py's SHARED and the names built on it
CONFTEST = Path(__file__).with_name("conftest.py")

_current_lanes: set[str] = set()


@cache
def _functions(path: Path) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def _reached(item: pytest.Function) -> list[ast.AST]:
    """The test function, its fixtures and the module functions they call, as AST nodes."""
    module = {**_functions(CONFTEST), **_functions(Path(item.path))}
    todo = [name for name in (item.originalname, *item.fixturenames) if name in module]
    seen: dict[str, ast.AST] = {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen[name] = module[name]
        todo += [node.func.id for node in ast.walk(module[name])
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in module]
    return list(seen.values())


def _command_words(node: ast.AST) -> list[str]:
    """The string constants of a call's arguments or of a list: a command line such as `run_kpi("nightly", …)`,
    `Popen([kpi, "nightly", …])` or `command = [kpi, "docs", …]`. Other nodes have none."""
    if isinstance(node, ast.Call):
        values = [a for arg in node.args for a in (arg.elts if isinstance(arg, ast.List | ast.Tuple) else [arg])]
    elif isinstance(node, ast.List):
        values = node.elts
    else:
        return []
    return [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]


def lanes_of(item: pytest.Function) -> set[str]:
    """The lanes a test belongs to; `unit` when it is in none of the others."""
    marked = {lane for lane in LANES if item.get_closest_marker(lane)} | (
        {"e2e"} if item.get_closest_marker("flow") else set())
    found: set[str] = set()
    if E2E_NAMES & set(item.fixturenames):
        found.add("e2e")
    for node in (n for root in _reached(item) for n in ast.walk(root)):
        if isinstance(node, ast.Name):
            found.add(NAME_LANES.get(node.id, "spec" if SHARED_NAME.match(node.id) else "unit"))
        words = _command_words(node)
        if words[:1] == ["nightly"] and "--help" not in words:
            found.add("e2e")
        if words[:1] and words[0] in DBT_COMMANDS:
            found.add("dbt")
    lanes = marked | found
    return lanes - {"unit"} or {"unit"}


def assign_lanes(items: list[pytest.Item]) -> None:
    """Add the lane markers to every collected test (pytest_collection_modifyitems)."""
    for item in items:
        if isinstance(item, pytest.Function):
            for lane in sorted(lanes_of(item) - {m.name for m in item.iter_markers()}):
                item.add_marker(lane)


def enter_test(item: pytest.Item) -> None:
    """Remember the running test's lanes (pytest_runtest_setup, before its fixtures are built)."""
    _current_lanes.clear()
    _current_lanes.update(m.name for m in item.iter_markers() if m.name in LANES)


def refuse_nightly_outside_e2e(args: tuple[str, ...]) -> None:
    """A nightly in a test the lanes did not see as `e2e` would slow `make test-fast`: fail and say why."""
    if args[:1] == ("nightly",) and "--help" not in args and _current_lanes and "e2e" not in _current_lanes:
        pytest.fail("This test runs a nightly but is not in the e2e lane: mark it `@pytest.mark.e2e` "
                    "(tests/lanes.py could not see the nightly).", pytrace=False)
