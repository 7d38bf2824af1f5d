"""`kpi init-key`: create the local key that pseudonymises CPR numbers (outside the repository and warehouse)."""

from __future__ import annotations

import typer

from pipelines.commands.common import console


def init_key() -> None:
    """Opret en lokal nøgle til pseudonymisering af CPR-numre (uden for repo og lager)."""
    from pipelines.privacy.cpr import ensure_key_file

    console.print(f"Nøgle: {ensure_key_file()}")


def register(app: typer.Typer) -> None:
    app.command("init-key")(init_key)
