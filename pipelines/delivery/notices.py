"""Notices a parser attaches to a loaded delivery, and how the nightly's terminal output summarises them.

Most notices are expected: a person list covers the whole municipality, so persons living outside the
programme's areas are left out of every file. Those are written here (`outside_areas_notice`) and read back
here (`summarise`), so the wording and its pattern cannot drift apart. The terminal gets one line per kind
of expected notice with the number of files, persons and rows; every other notice (an unknown column, an
unknown sheet, …) needs the analyst's attention and is printed as it is. Every notice stays in the run's log
and in the ledger (`kpi deliveries` shows them per file).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_OUTSIDE_AREAS = re.compile(r"^(?P<file>.+): (?P<persons>\d+) personer uden for områderne udeladt "
                            r"\((?P<rows>\d+) rækker\)$")


def outside_areas_notice(file_name: str, persons: int, rows: int) -> str:
    """The notice of a person list: how many persons (and their rows) live outside the programme's areas."""
    return f"{file_name}: {persons} personer uden for områderne udeladt ({rows} rækker)"


def count_da(value: int) -> str:
    """An integer with the Danish thousands point (58.214)."""
    return f"{value:,}".replace(",", ".")


@dataclass(frozen=True)
class NoticeSummary:
    expected: list[str]  # one line per kind of expected notice
    to_act_on: list[str]  # notices the analyst should read, as they are


def summarise(notices: Iterable[str]) -> NoticeSummary:
    """Expected notices counted into one line per kind; the others kept in order."""
    files = persons = rows = 0
    to_act_on = []
    for notice in notices:
        match = _OUTSIDE_AREAS.match(notice)
        if match is None:
            to_act_on.append(notice)
            continue
        files += 1
        persons += int(match["persons"])
        rows += int(match["rows"])
    expected = []
    if files:
        lists = "personliste" if files == 1 else "personlister"
        expected.append(f"{count_da(files)} {lists}: {count_da(persons)} personer ({count_da(rows)} rækker) uden for "
                        "områderne udeladt, som forventet (listerne dækker hele kommunen).")
    return NoticeSummary(expected, to_act_on)


def stored_notices(internal: Path) -> dict[str, str]:
    """File name → its notices (one per line) from the internal ledger; empty when the file cannot be read.

    The published load_ledger keeps the contract's columns only; the notices stay in the internal file
    (`raw.load_ledger.warnings`), which holds no personal data in that column (file names and counts).
    """
    import duckdb

    if not internal.is_file():
        return {}
    try:
        with duckdb.connect(str(internal), read_only=True) as con:
            rows = con.execute("select file_name, warnings from raw.load_ledger where warnings is not null").fetchall()
    except duckdb.Error:  # held by a running nightly, or an older layout: the notices are in the run's log
        return {}
    return {name: "\n".join(line.removeprefix(f"{name}: ") for line in text.splitlines()) for name, text in rows}
