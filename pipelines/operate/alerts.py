"""After a nightly run: a Danish summary beside the warehouse, and an e-mail when something went wrong.

`seneste_koersel.md` is rewritten after every run that ran (not after one skipped for the lock), so it
describes the latest one. An e-mail goes
out (SMTP, when configured: mail_config.py) only after a run with rejected files or a failure. Nothing
here may fail the run: an SMTP error is logged and noted in the summary file.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from pipelines.operate.history import outcome_da
from pipelines.operate.mail_config import MailConfigError, SmtpConfig, load_smtp_config
from pipelines.runtime.places import summary_path
from pipelines.runtime.run_records import FAILED, PUBLISHED_WITH_REJECTIONS, SKIPPED_LOCKED

logger = logging.getLogger("kpi.alerts")
SMTP_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class RunSummary:
    """What the analysts are told about one run."""

    warehouse: Path
    outcome: str
    finished_at: datetime
    files_loaded: int
    files_duplicate: int
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file name, Danish error)
    failure: str | None = None
    run_id: str | None = None
    state_notes: list[str] = field(default_factory=list)  # damaged state files set aside (operate/healing.py)
    waiting: list[str] = field(default_factory=list)  # files left in modtaget/ with the reason (pipelines/receive)

    @property
    def needs_attention(self) -> bool:
        return self.outcome in (FAILED, PUBLISHED_WITH_REJECTIONS) or bool(self.state_notes or self.waiting)

    @classmethod
    def from_result(cls, warehouse: Path, result, finished_at: datetime | None = None) -> RunSummary:
        """From a `NightlyResult` (pipelines.flows.nightly)."""
        statuses = [o.status for o in result.outcomes]
        rejected = [(o.file_name, o.error or "") for o in result.outcomes if o.status == "rejected"]
        return cls(warehouse=warehouse, outcome=result.outcome, finished_at=finished_at or datetime.now(),
                   files_loaded=statuses.count("loaded"), files_duplicate=statuses.count("duplicate"),
                   rejected=rejected, failure=result.failure, run_id=result.run.run_id if result.run else None,
                   state_notes=list(getattr(result, "state_notes", [])),
                   waiting=list(getattr(result, "waiting", [])))

    def subject_da(self) -> str:
        if self.outcome == FAILED:
            return "kpi-warehouse: natkørslen fejlede; det tidligere lager er stadig publiceret"
        if self.rejected:
            return f"kpi-warehouse: {len(self.rejected)} fil(er) afvist ved natkørslen"
        if self.waiting:
            return f"kpi-warehouse: {len(self.waiting)} fil(er) venter i modtaget/; natkørslen er publiceret"
        if self.state_notes:
            return "kpi-warehouse: beskadigede eller manglende filer er erstattet; natkørslen er publiceret"
        return "kpi-warehouse: natkørslen er publiceret"

    def markdown_da(self) -> str:
        lines = [f"# Seneste natkørsel: {outcome_da(self.outcome)}", "",
                 f"- Afsluttet: {self.finished_at:%Y-%m-%d %H:%M:%S}"
                 + (f" (kørsel {self.run_id}, se 'kpi runs')" if self.run_id else ""),
                 f"- Lager: {self.warehouse}",
                 f"- Indlæst: {self.files_loaded} filer, dubletter: {self.files_duplicate}, "
                 f"afvist: {len(self.rejected)}", ""]
        if self.state_notes:
            lines += ["## Beskadigede eller manglende filer", ""]
            lines += [f"- {note}" for note in self.state_notes]
            lines += ["", "Intet er slettet: det, der er lagt til side, kan undersøges og derefter slettes "
                      "(se docs/operations.md).", ""]
        if self.failure:
            lines += ["## Fejl", "", "Kørslen fejlede, og intet nyt er publiceret; det tidligere lager står "
                      "uændret.", "", f"    {self.failure}", ""]
        if self.waiting:
            lines += ["## Filer der venter i modtaget/", ""]
            lines += [f"- {line}" for line in self.waiting]
            lines += ["", "Filerne er ikke lagt i indbakken. Modtag dem med 'kpi receive FIL --system … --period …' "
                      "(se docs/receiving.md), eller bed leverandøren om en fil, hvis indhold viser kilde og periode.",
                      ""]
        if self.rejected:
            lines += ["## Afviste filer", ""]
            lines += [f"- `{name}`: {error}" for name, error in self.rejected]
            lines += ["", "De øvrige filer er indlæst og publiceret. Ret de afviste filer (eller bed "
                      "leverandøren om en rettet fil med en senere leveringsdato i navnet) og læg dem i "
                      "indbakken igen; næste natkørsel tager dem med.", ""]
        return "\n".join(lines)


def send_mail(config: SmtpConfig, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = ", ".join(config.recipients)
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config.host, config.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if config.starttls:
            smtp.starttls(context=ssl.create_default_context(cafile=config.cafile))
        if config.username:
            smtp.login(config.username, config.password or "")
        smtp.send_message(message)


def _mail_note(summary: RunSummary) -> str:
    """Send the e-mail when it is due and configured; the Danish line that says what happened."""
    if not summary.needs_attention:
        return "Ingen e-mail: kørslen gik godt."
    try:
        config = load_smtp_config()
    except (MailConfigError, OSError) as exc:
        logger.warning("SMTP settings unusable: %s", exc)
        return f"E-mail kunne ikke sendes: {exc}"
    if config is None:
        return "Ingen e-mail: SMTP er ikke sat op (se deploy/kpi.toml.example)."
    try:
        send_mail(config, summary.subject_da(), summary.markdown_da())
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("alert e-mail to %s failed: %s", config.describe_da(), exc)
        return f"E-mail kunne ikke sendes via {config.host}:{config.port}: {type(exc).__name__}: {exc}"
    return f"E-mail sendt {datetime.now():%Y-%m-%d %H:%M:%S} via {config.describe_da()}."


def alert_after_run(warehouse: Path, result) -> Path | None:
    """Write `seneste_koersel.md` and, after rejections or a failure, e-mail it. Never raises.

    A run skipped because another held the lock did nothing: it leaves the summary of the last real run.
    """
    try:
        summary = RunSummary.from_result(Path(warehouse), result)
        if summary.outcome == SKIPPED_LOCKED:
            return None
        note = _mail_note(summary)
        path = summary_path(Path(warehouse))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(summary.markdown_da() + f"\n## E-mail\n\n{note}\n", encoding="utf-8")
        return path
    except Exception:  # an alert must never fail the run it reports on
        logger.exception("writing the run summary failed")
        return None
