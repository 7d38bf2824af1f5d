"""Where a command's logs go: everything into one log file per run, nothing of the libraries on the terminal.

An analyst sees our own short Danish lines only. Prefect's task errors, GX's INFO lines (`Created temporary
directory … ephemeral docs site`), Python warnings and any traceback go to
`<warehouse dir>/logs/kpi-nightly-<timestamp>.log`, whose path a failure names. So does the output of
Prefect's temporary server (pipelines/operate/server.py starts it with the log file as its stdout and
stderr). `--verbose` keeps the libraries' console output as well.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import datetime
from pathlib import Path

from pipelines.privacy.log_masking import mask_cpr_in

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
KEEP_LOG_FILES = 50
# One INFO line per HTTP request to Prefect's server: that is debugging, not a record of the run.
CHATTY_LOGGERS = ("httpx", "httpcore")


def new_log_file(log_dir: Path, command: str = "nightly") -> Path:
    """A fresh log file path for this run; the oldest files beyond KEEP_LOG_FILES are removed."""
    log_dir.mkdir(parents=True, exist_ok=True)
    old = sorted(log_dir.glob(f"kpi-{command}-*.log"))
    for stale in old[: max(0, len(old) - KEEP_LOG_FILES + 1)]:
        stale.unlink(missing_ok=True)
    return log_dir / f"kpi-{command}-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"


def _writes_to_terminal(handler: logging.Handler) -> bool:
    stream = getattr(handler, "stream", None)
    return not isinstance(handler, logging.FileHandler) and stream in (sys.stderr, sys.stdout, sys.__stderr__,
                                                                       sys.__stdout__)


def route_logs(log_file: Path, verbose: bool) -> logging.Handler:
    """Send every log record (INFO and up) to `log_file`; unless verbose, detach the console handlers.

    Call it again after Prefect has been imported (a second call adds no second file handler): Prefect
    configures logging (a console handler on the root logger and on a few of its own) when it is imported,
    and that is what this undoes.
    """
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, logging.FileHandler)
                    and h.baseFilename == os.path.abspath(log_file)), None)
    if handler is None:
        handler = mask_cpr_in(logging.FileHandler(log_file, encoding="utf-8"))  # CPR numbers masked in every record
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.setLevel(logging.INFO)
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    logging.raiseExceptions = False  # a log write that fails (a full disk) must not print "--- Logging error ---"
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    loggers = [root, *(logger for logger in logging.root.manager.loggerDict.values()
                       if isinstance(logger, logging.Logger))]
    for logger in loggers:
        for other in logger.handlers:  # Prefect's API handler and, with --verbose, the consoles: masked too
            mask_cpr_in(other)
        if verbose:
            continue
        for console in [h for h in logger.handlers if _writes_to_terminal(h)]:
            logger.removeHandler(console)
        if logger is not root and not logger.propagate and handler not in logger.handlers:
            logger.addHandler(handler)  # loggers that bypass the root (prefect._internal, uvicorn) still reach the file
    return handler
