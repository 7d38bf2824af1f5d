"""`publish_targets`: where the nightly publishes besides the DuckDB file (PostgreSQL connection strings).

From `KPI_PUBLISH_TARGETS` (connection strings one per line; `postgresql://` URIs may also be separated
by spaces) or, when that is unset, from
`[publish] targets = [...]` in the config file outside the repository (`pipelines/runtime/places.py`).
Passwords belong in `~/.pgpass` or `PGPASSWORD`, not in the strings. A failed target never fails the run:
the DuckDB file is published, the target keeps its previous version and the run's message says so.
"""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path

from pipelines.runtime.places import config_file

log = logging.getLogger(__name__)


def publish_targets() -> list[str]:
    if (value := os.environ.get("KPI_PUBLISH_TARGETS")) is not None:
        lines = [line.strip() for line in value.splitlines() if line.strip()]
        uris = [part for line in lines for part in line.split()]
        # "host=… port=…" strings contain spaces themselves; only a line of URIs is split on spaces
        return uris if all(u.startswith(("postgresql://", "postgres://")) for u in uris) else lines
    path = config_file()
    if not path.is_file():
        return []
    try:
        targets = tomllib.loads(path.read_text(encoding="utf-8")).get("publish", {}).get("targets", [])
    except (OSError, tomllib.TOMLDecodeError):
        log.exception("the config file %s cannot be read; no publish targets", path)
        return []
    return [str(t) for t in targets]


def _where(dsn: str) -> str:
    """A target named without its password, for messages."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(dsn)
    except Exception:  # an unparsable string: name it by its kind only
        return "PostgreSQL"
    return f"PostgreSQL {parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


def publish_to_targets(published: Path, plan_id: str) -> list[str]:
    """Publish to every target; one Danish line per target saying how it went."""
    from pipelines.publish.postgres import PostgresPublishError, publish_to_postgres

    lines = []
    for dsn in publish_targets():
        try:
            report = publish_to_postgres(published, dsn, plan_id)
            lines.append(f"Publiceret til {_where(dsn)}, skemaet {report.schema}.")
        except PostgresPublishError as exc:
            log.exception("publishing to %s failed", _where(dsn))
            lines.append(f"Publiceringen til {_where(dsn)} fejlede; den forrige version står: {exc}")
    return lines
