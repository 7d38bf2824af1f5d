"""The HTML report in a real browser: headless Chromium (Debian package) over the DevTools protocol.

Keeps a full-page screenshot under test-artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.report.vocabulary import STATUS_DA
from pipelines.settings import REPO_ROOT
from tests.browser import open_page
from tests.conftest import PublishedDemo

ARTIFACTS = REPO_ROOT / "test-artifacts"
# The cell the board sees per criterion × area: the newest evaluated period (not_due/missing_data last).
LATEST_SQL = """
    select criterion_id, area_key, status from (
        select criterion_id, area_key, status, row_number() over (
            partition by criterion_id, area_key
            order by case when status in ('not_due', 'missing_data') then 1 else 0 end, period desc) as recency
        from kpi_status)
    where recency = 1
"""
ARTICLE_TEXTS_JS = """
    Object.fromEntries([...document.querySelectorAll('article.criterion')].map(a => [a.id, a.innerText]))
"""


@pytest.mark.e2e
def test_report_in_chromium_has_no_console_errors_and_every_status_word(published_demo: PublishedDemo) -> None:
    html = published_demo.warehouse.parent / "reports" / "kpi_rapport.html"
    with open_page(html) as page:
        articles = page.evaluate(ARTICLE_TEXTS_JS)
        matrix_cells = page.evaluate("document.querySelectorAll('[id^=matrix-] .st').length")
        charts = page.evaluate("document.querySelectorAll('figure.chart svg').length")
        fonts_ok = page.evaluate("document.fonts.check('12px \"Open Sans\"')")
        shot = page.screenshot(ARTIFACTS / "kpi_rapport_fuld_side.png")
        errors = page.errors()
    assert errors == []
    expected: dict[str, set[str]] = {}
    for criterion_id, _area, status in published_demo.query(LATEST_SQL):
        expected.setdefault(criterion_id, set()).add(STATUS_DA[status])
    assert set(articles) == set(expected)
    missing = {c: words - {w for w in words if w in articles[c]} for c, words in expected.items()}
    assert {c: w for c, w in missing.items() if w} == {}
    assert matrix_cells >= len(published_demo.query(LATEST_SQL))
    assert charts > 0 and fonts_ok
    assert shot.stat().st_size > 200_000


@pytest.mark.e2e
def test_the_console_check_catches_an_error(tmp_path: Path) -> None:
    """The check above can fail: a page that logs an error and throws is caught."""
    page_file = tmp_path / "fejl.html"
    page_file.write_text('<p>x</p><img src="findes_ikke.png"><script>console.error("fejl"); throw new Error("x");'
                         "</script>", encoding="utf-8")
    with open_page(page_file) as page:
        page.evaluate("1")
        errors = page.errors()
    assert len(errors) >= 2
