"""SMTP settings for the alerts: a TOML file outside the repository, or environment variables.

```toml
[smtp]
host = "smtp.kommune.dk"
port = 587
sender = "kpi-warehouse@kommune.dk"
recipients = ["analytiker@kommune.dk"]
starttls = true
username = "kpi-warehouse"      # optional
password = "..."                # optional; or password_file = "/etc/kpi-warehouse/smtp.pw"
cafile = "/etc/ssl/certs/kommune-ca.pem"   # optional: the CA that signed the server's certificate
```

Env vars (they win over the file): KPI_SMTP_HOST, KPI_SMTP_PORT, KPI_SMTP_SENDER, KPI_SMTP_RECIPIENTS
(comma separated), KPI_SMTP_STARTTLS (true/false), KPI_SMTP_USERNAME, KPI_SMTP_PASSWORD, KPI_SMTP_CAFILE. No host means
no e-mail: the summary file beside the warehouse is still written.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipelines.runtime.places import config_file

TRUE_WORDS = {"1", "true", "yes", "ja", "on"}
FIELDS = ("host", "port", "sender", "recipients", "starttls", "username", "password", "cafile")


class MailConfigError(ValueError):
    """The SMTP settings cannot be used; the message is Danish and names the setting."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    cafile: str | None = None

    def describe_da(self) -> str:
        tls = " med STARTTLS" if self.starttls else ""
        return f"{self.host}:{self.port}{tls} til {', '.join(self.recipients)}"


def _from_file(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get("smtp", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MailConfigError(f"Konfigurationsfilen {path} kan ikke læses: {exc}") from exc
    if "password_file" in section and "password" not in section:
        section["password"] = Path(section["password_file"]).expanduser().read_text(encoding="utf-8").strip()
    return section


def _from_env(env: dict[str, str]) -> dict:
    values: dict = {}
    for name in FIELDS:
        value = env.get(f"KPI_SMTP_{name.upper()}")
        if value is not None and value != "":
            values[name] = value
    return values


def _recipients(value) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return tuple(item.strip() for item in items if item.strip())


def _flag(value) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in TRUE_WORDS


def load_smtp_config(path: Path | None = None, env: dict[str, str] | None = None) -> SmtpConfig | None:
    """The SMTP settings, or None when no host is configured anywhere."""
    values = {**_from_file(path or config_file()), **_from_env(dict(os.environ) if env is None else env)}
    if not values.get("host"):
        return None
    recipients = _recipients(values.get("recipients"))
    sender = str(values.get("sender") or "").strip()
    if not sender or not recipients:
        raise MailConfigError("SMTP er sat op uden afsender eller modtagere (sender, recipients / "
                              "KPI_SMTP_SENDER, KPI_SMTP_RECIPIENTS).")
    starttls = _flag(values.get("starttls", False))
    try:
        port = int(values.get("port") or (587 if starttls else 25))
    except ValueError:
        raise MailConfigError(f"SMTP-porten skal være et tal; fundet '{values.get('port')}'.") from None
    return SmtpConfig(host=str(values["host"]), port=port, sender=sender, recipients=recipients, starttls=starttls,
                      username=values.get("username") or None, password=values.get("password") or None,
                      cafile=values.get("cafile") or None)
