"""docs/evaluator_guide.md works as written: every SQL block and the Python example run on the published demo."""

from __future__ import annotations

import re

import pytest

from pipelines.evaluator_cookbook import blocks, cookbook
from pipelines.publish.duckdb_file import PUBLISHED_STORAGE_VERSION
from pipelines.settings import REPO_ROOT

GUIDE = REPO_ROOT / "docs" / "evaluator_guide.md"


def test_the_cookbook_has_ten_numbered_questions_each_with_its_sql() -> None:
    questions = cookbook()
    assert [int(q.split(".")[0]) for q in questions] == list(range(1, 11))
    assert len(blocks("sql")) == 10


@pytest.mark.parametrize("question", list(cookbook()))
def test_every_cookbook_query_returns_rows_on_the_demo(question: str, published_demo) -> None:
    rows = published_demo.query(cookbook()[question])
    assert rows, f"'{question}' returned no rows on the demo warehouse"


def test_answers_hold_the_reference_figures(published_demo) -> None:
    """Question 3 shows the documents' figures: Motalavej 34,2 and the mean of the areas 30,65 for 2015."""
    rows = {(area, period): value for area, period, value, _, _ in published_demo.query(cookbook()[next(
        q for q in cookbook() if q.startswith("3."))])}
    assert rows[("motalavej", "2015")] == pytest.approx(34.2)
    assert rows[("combined_mean", "2015")] == pytest.approx(30.65)


def test_the_python_example_runs_as_written(published_demo, monkeypatch) -> None:
    (example,) = blocks("python")
    monkeypatch.chdir(published_demo.root)  # the example opens warehouse/kpi.duckdb relative to the checkout
    namespace: dict = {}
    exec(compile(example, str(GUIDE), "exec"), namespace)
    assert set(namespace["status"]["status"]) >= {"met", "not_met", "missing_data"}


def test_the_guide_states_what_publish_really_does() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert f"storage version {PUBLISHED_STORAGE_VERSION}" in text
    for opening in ("duckdb -readonly warehouse/kpi.duckdb", "read_only=True", "read_only = TRUE",
                    "`duckdb.read_only`"):
        assert opening in text


@pytest.mark.parametrize("page", ["README.md", "evaluator_guide.md"])
def test_the_links_of_the_docs_lead_to_files_in_the_repository(page: str) -> None:
    text = (GUIDE.parent / page).read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", text)
    assert links
    for link in links:
        assert (GUIDE.parent / link).is_file(), f"{page}: broken link {link}"

