"""`kpi docs` builds the dbt documentation as one self-contained HTML page that holds the Danish definitions."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.publish.contract_audit import GAP_TYPES, LEDGER_STATUSES, STATUSES
from pipelines.settings import DBT_PROJECT_DIR
from pipelines.transform.dbt_docs import external_references

DOC_BLOCKS = DBT_PROJECT_DIR / "models" / "docs"


def network_is_cut_off() -> bool:
    """`unshare -n` runs a command with no network at all (as root or with user namespaces)."""
    unshare = shutil.which("unshare")
    return bool(unshare) and subprocess.run([unshare, "-n", "true"], capture_output=True, check=False).returncode == 0


def in_page(html: str, text: str) -> bool:
    """dbt embeds its manifest as JSON, so æ, ø and å appear as \\u escapes."""
    return json.dumps(text)[1:-1] in html


@pytest.fixture(scope="module")
def docs_page(published_demo, tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """`kpi docs` on the demo warehouse, with the network cut off where the machine allows it."""
    out = tmp_path_factory.mktemp("dbt_docs") / "dokumentation.html"
    command = [str(Path(sys.executable).with_name("kpi")), "docs", "--out", str(out), "--warehouse",
               str(published_demo.warehouse)]
    if network_is_cut_off():
        command = ["unshare", "-n", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "COLUMNS": "200"})
    return done, out


def test_kpi_docs_writes_one_page_offline(docs_page) -> None:
    done, out = docs_page
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Dokumentation skrevet: {out}" in done.stdout.replace("\n", "")
    assert "Traceback" not in done.stdout + done.stderr
    assert out.stat().st_size > 500_000  # the manifest and catalog are inlined
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]


def test_the_page_is_self_contained(docs_page) -> None:
    html = docs_page[1].read_text(encoding="utf-8")
    assert external_references(html) == []
    assert not re.search(r"<script\b[^>]*\bsrc=", html, re.IGNORECASE)
    assert '"send_anonymous_usage_stats": false' in html  # dbt's page tracker (a CDN script) stays off


def test_the_page_holds_the_danish_definitions(docs_page) -> None:
    html = docs_page[1].read_text(encoding="utf-8")
    assert in_page(html, "**Mangler baseline**: der er en værdi, men ikke det nulpunkt, den skal vurderes mod")
    assert in_page(html, "**Manglende leverance**: en forfalden periode, som kilden ikke har leveret.")
    assert in_page(html, "read back from is NULL.\n\n**Vurderingsregler**")  # rules 1-8 in kpi_status's description
    assert in_page(html, "'2017/18'")
    assert '"catalog"' in html and "kpi_status" in html


def test_the_page_detects_a_cdn_script() -> None:
    assert external_references('<script src="https://cdn.example.org/d3.js"></script>')
    assert external_references("<link rel=stylesheet href=//fonts.example.org/a.css>")
    assert external_references("body { background: url( 'https://example.org/x.png') }")
    assert not external_references('<a href="https://docs.getdbt.com/">dbt</a><script>var a = 1;</script>')


def test_the_doc_blocks_cover_the_contract_vocabularies() -> None:
    statuses = (DOC_BLOCKS / "statuses.md").read_text(encoding="utf-8")
    gaps = (DOC_BLOCKS / "gap_types.md").read_text(encoding="utf-8")
    rules = (DOC_BLOCKS / "evaluation_rules.md").read_text(encoding="utf-8")
    table_rows = set(re.findall(r"^\| `(\w+)` \|", statuses + gaps, re.M))
    assert table_rows >= STATUSES | GAP_TYPES | LEDGER_STATUSES
    assert re.findall(r"^(\d)\. \*\*", rules, re.M) == [str(n) for n in range(1, 9)]


def test_the_model_descriptions_use_the_doc_blocks() -> None:
    blocks = set(re.findall(r"\{% docs (\w+) %\}", "".join(p.read_text(encoding="utf-8")
                                                         for p in DOC_BLOCKS.glob("*.md"))))
    used = set(re.findall(r"doc\(\"(\w+)\"\)", "".join(p.read_text(encoding="utf-8")
                                                      for p in (DBT_PROJECT_DIR / "models").rglob("*.yml"))))
    assert blocks == used, f"doc blocks not used: {blocks - used}; used but missing: {used - blocks}"
