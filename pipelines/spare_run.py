"""`python -m pipelines.spare_run`: a spare run process of `kpi watch` (pipelines/operate/warm_run.py).

It sits above the `kpi` app in the layers (.importlinter), because its one run is `kpi nightly` itself.
"""

from __future__ import annotations

import sys

from pipelines.operate.warm_run import main


def run_kpi(arguments: list[str]) -> None:
    from pipelines.cli import app

    app(args=arguments, prog_name="kpi")


if __name__ == "__main__":
    sys.exit(main(run_kpi))
