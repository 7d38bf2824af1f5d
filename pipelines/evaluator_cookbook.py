"""The ten evaluator questions of docs/evaluator_guide.md with their SQL (run by its test and by the benchmark)."""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.settings import REPO_ROOT

GUIDE = REPO_ROOT / "docs" / "evaluator_guide.md"
FENCED = re.compile(r"^```(?P<language>\w+)\n(?P<code>.*?)^```$", re.S | re.M)
QUESTION = re.compile(r"^### (?P<number>\d+)\. (?P<question>.+\?)$", re.M)


def blocks(language: str, guide: Path = GUIDE) -> list[str]:
    return [m.group("code") for m in FENCED.finditer(guide.read_text(encoding="utf-8"))
            if m.group("language") == language]


def cookbook(guide: Path = GUIDE) -> dict[str, str]:
    """Question → the SQL block that follows its heading in the cookbook."""
    text = guide.read_text(encoding="utf-8")
    headings = list(QUESTION.finditer(text))
    questions = {}
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        section = text[heading.end():following.start() if following else len(text)]
        sql = [m.group("code") for m in FENCED.finditer(section) if m.group("language") == "sql"]
        if len(sql) != 1:
            raise ValueError(f"question {heading.group('number')} needs exactly one SQL block, has {len(sql)}")
        questions[f"{heading.group('number')}. {heading.group('question')}"] = sql[0]
    return questions
