"""Receive one file: identify it, then copy it into `inbox/<system>/` under its contract name.

The original is never changed or removed, a file in the inbox is never overwritten, and a file whose bytes are
already in the system's inbox is not copied again. Only the masked name (`mask_cpr`) of a file is ever shown.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path

from pipelines.delivery.discover import sha256_of, shown_name
from pipelines.receive.forms import Form, all_forms
from pipelines.receive.identify import Identification, identify
from pipelines.receive.reading import Unreadable, extension_of, read_grid


class Outcome(Enum):
    FILED = "filed"
    WOULD_FILE = "would_file"  # --dry-run
    ALREADY_THERE = "already_there"  # the same bytes are in the inbox already
    WAITING = "waiting"  # not identified, or nowhere to put it: nothing changed


@dataclass
class Receipt:
    """What happened to one received file, in Danish."""

    source: Path
    outcome: Outcome
    target: Path | None = None
    reasons: list[str] = field(default_factory=list)
    problem: str | None = None
    hint: str | None = None  # which option settles it
    considered: list[str] = field(default_factory=list)
    headers_seen: list[str] = field(default_factory=list)

    @property
    def shown(self) -> str:
        return shown_name(self.source)

    @property
    def filed(self) -> bool:
        return self.outcome in (Outcome.FILED, Outcome.ALREADY_THERE)

    def lines_da(self) -> list[str]:
        """The decision and why, one line each."""
        target = self.target.name if self.target else None
        head = {
            Outcome.FILED: f"{self.shown} → inbox/{self.target.parent.name}/{target}" if self.target else "",
            Outcome.WOULD_FILE: f"{self.shown} → inbox/{self.target.parent.name}/{target} (prøvekørsel: intet "
                                f"kopieret)" if self.target else "",
            Outcome.ALREADY_THERE: f"{self.shown}: samme indhold ligger allerede i indbakken som {target}; "
                                   "intet kopieret",
            Outcome.WAITING: f"{self.shown}: ikke modtaget: {self.problem}",
        }[self.outcome]
        lines = [head, *(f"  fordi {reason}" for reason in self.reasons)]
        if self.outcome is Outcome.WAITING:
            if self.considered:
                lines.append("  overvejede kilder: " + ", ".join(self.considered))
            if self.headers_seen:
                lines.append("  fandt disse første rækker: " + " | ".join(self.headers_seen))
            if self.hint:
                lines.append(f"  {self.hint}")
        return lines

    def reason_da(self) -> str:
        """One line for a run's summary: why the file waits."""
        return f"{self.shown}: {self.problem}" + (f" ({self.hint})" if self.hint else "")


def contract_name(form: Form, period: str, delivered: date, extension: str) -> str:
    return f"{form.stem}_{period}_{delivered:%Y%m%d}.{extension}"


def _hint(identification: Identification) -> str:
    if identification.form is None:
        return "Angiv kilden med --system <kilde> (og evt. perioden med --period)."
    return "Angiv perioden med --period (fx 2018, 2018Q3, 2018-19 eller 2016-2025)."


def _same_bytes_in(folder: Path, sha: str) -> Path | None:
    if not folder.is_dir():
        return None
    return next((p for p in sorted(folder.iterdir()) if p.is_file() and sha256_of(p) == sha), None)


def receive_file(path: Path, inbox: Path, catalog_file: Path, *, system: str | None = None,
                 period: str | None = None, delivered: date | None = None, dry_run: bool = False,
                 forms: list[Form] | None = None) -> Receipt:
    """Identify `path` and file a copy of it; nothing changes unless the outcome is FILED."""
    try:
        grid = read_grid(path)
    except Unreadable as exc:
        return Receipt(path, Outcome.WAITING, problem=str(exc))
    found = identify(grid, forms if forms is not None else all_forms(catalog_file), system=system, period=period)
    if found.problem is not None or found.form is None or found.period is None:
        # the first rows are shown only when the system is in doubt: a known person-level file's rows stay unshown
        seen = found.headers_seen if found.form is None else []
        return Receipt(path, Outcome.WAITING, reasons=found.reasons, problem=found.problem, hint=_hint(found),
                       considered=found.considered, headers_seen=seen)
    folder = inbox / found.form.source_system
    target = folder / contract_name(found.form, found.period, delivered or date.today(), extension_of(path))
    sha = sha256_of(path)
    if (twin := _same_bytes_in(folder, sha)) is not None:
        return Receipt(path, Outcome.ALREADY_THERE, twin, found.reasons)
    if target.exists():
        return Receipt(path, Outcome.WAITING, target, found.reasons,
                       problem=f"en anden fil hedder allerede {target.name} i indbakken; den overskrives ikke",
                       hint="Angiv en anden leveringsdato med --delivered ÅÅÅÅ-MM-DD.")
    if dry_run:
        return Receipt(path, Outcome.WOULD_FILE, target, found.reasons)
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")  # the inbox never shows a half-copied file
    shutil.copyfile(path, partial)
    partial.rename(target)
    return Receipt(path, Outcome.FILED, target, found.reasons)
