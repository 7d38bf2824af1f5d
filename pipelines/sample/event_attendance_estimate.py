"""Sample attendance estimates for the cross-cutting events (act_aktivtliv_citizen_participants: ≥ 300 a year).

2017 counts the plan's first months only and 2020 the corona year, so both fall short of 300.
Written with CRLF line ends, as Excel on Windows saves them.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sample._indicator_table import FileStyle, count_row, write_years

SOURCE = "event_attendance_estimate"
PARTICIPANTS = {2017: 240, 2018: 420, 2019: 515, 2020: 120, 2021: 380}
KILDE = "Arbejdsgruppen, anslået med foreningerne (billetsalg og boder)"


def write(inbox: Path) -> list[Path]:
    rows = {year: [count_row(str(year), "combined", "deltagere_anslaaet", n, KILDE)]
            for year, n in PARTICIPANTS.items()}
    return write_years(inbox, SOURCE, rows, FileStyle(line_end="\r\n", title="Tværgående arrangementer"))
