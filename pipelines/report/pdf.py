"""The PDF report: the HTML report laid out on A4 by WeasyPrint, with its print rules (page numbers,
a new page per indsatsområde)."""

from __future__ import annotations

import logging
from pathlib import Path


def write_pdf(html: str, path: Path) -> Path:
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # unsupported screen-only CSS is not an error
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html, media_type="print").write_pdf(path)
    return path
