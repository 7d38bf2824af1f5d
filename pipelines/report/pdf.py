"""The PDF report: the HTML report laid out on A4 by WeasyPrint, with its print rules (page numbers,
a new page per indsatsområde)."""

from __future__ import annotations

import atexit
import functools
import logging
from pathlib import Path


@functools.cache
def font_configuration():
    """One font configuration per process, shared by every PDF it writes.

    WeasyPrint unpacks the report's @font-face fonts into a `weasyprint-*` temp folder per configuration and
    removes it only when the configuration is garbage-collected. Shared, the fonts are unpacked once and a
    long-running `kpi watch` keeps one folder, removed when the process exits.
    """
    from weasyprint.text.fonts import FontConfiguration

    configuration = FontConfiguration()
    atexit.register(configuration.__del__)  # its own clean-up: removes the folder
    return configuration


def write_pdf(html: str, path: Path) -> Path:
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # unsupported screen-only CSS is not an error
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html, media_type="print").write_pdf(path, font_config=font_configuration())
    return path
