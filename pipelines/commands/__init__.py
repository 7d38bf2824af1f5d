"""`kpi` sub-commands that live in modules of their own.

Each module here defines `register(app: typer.Typer) -> None`; the CLI calls it for every module, so a
new command is a new module and no edit of `pipelines/cli.py`.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer


def register_all(app: typer.Typer) -> None:
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
