"""Code comments cite the measured stack facts in docs/stack_facts.md, never notes a clone does not have.

What it protects: a comment that explains a workaround by a fact must lead a newcomer to that fact.
Reproduce a failure: cite `notes/stack.md §4` (or `docs/stack_facts.md fact 99`) in a comment.
"""

from __future__ import annotations

import re
import subprocess

from pipelines.settings import REPO_ROOT

FACTS = REPO_ROOT / "docs" / "stack_facts.md"
CITATION = re.compile(r"stack_facts\.md,? fact (\d+)")
ELSEWHERE = re.compile(r"notes/stack\.md|stack\.md §|tools/check_contract\.py")
# the dated log quotes the notes as they were; the tests and the Makefile run the shared checker by its path
MAY_NAME_THE_SHARED_FILES = {"NOTES.md", "Makefile", "tests/test_contract_check.py", "tests/test_nightly_flow.py",
                             "tests/test_stack_facts.py"}


def tracked_text_files() -> dict[str, str]:
    names = subprocess.run(["git", "ls-files", "*.py", "*.md", "*.sql", "*.toml", "*.yml", "*.yaml", "Makefile"],
                           cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.split()
    return {name: (REPO_ROOT / name).read_text(encoding="utf-8") for name in names if (REPO_ROOT / name).is_file()}


def test_every_cited_fact_exists() -> None:
    facts = set(re.findall(r"^## (\d+)\. ", FACTS.read_text(encoding="utf-8"), flags=re.MULTILINE))
    cited = {(name, number) for name, text in tracked_text_files().items() for number in CITATION.findall(text)
             if name != "tests/test_stack_facts.py"}  # its docstring names a missing fact on purpose
    assert cited, "no comment cites docs/stack_facts.md"
    assert [(name, number) for name, number in sorted(cited) if number not in facts] == []


def test_no_comment_cites_notes_a_clone_does_not_have() -> None:
    stale = {name: ELSEWHERE.findall(text) for name, text in tracked_text_files().items()
             if name not in MAY_NAME_THE_SHARED_FILES and ELSEWHERE.search(text)}
    assert stale == {}
