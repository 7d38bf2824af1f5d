"""Defence in depth for logs: every record a project handler writes has its CPR numbers masked.

Parsers never put a CPR number into a message, but a library's error (a traceback quoting a cell, a file
path with a CPR in its name) might. The filter rewrites the record's message, its traceback text and its
stack text with `mask_cpr` (number renderings included: over-masking a count in a log costs nothing).
"""

from __future__ import annotations

import logging

from pipelines.privacy.detector import mask_cpr


class CprMaskingFilter(logging.Filter):
    """Masks CPR numbers in a record's message, traceback and stack; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string: log what there is, masked
            message = f"{record.msg} {record.args}"
        masked = mask_cpr(message, numeric=True)
        if masked != message or record.args:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_cpr(record.exc_text, numeric=True)
        if record.stack_info:
            record.stack_info = mask_cpr(record.stack_info, numeric=True)
        return True


def mask_cpr_in(handler: logging.Handler) -> logging.Handler:
    """The handler, with the masking filter attached once."""
    if not any(isinstance(f, CprMaskingFilter) for f in handler.filters):
        handler.addFilter(CprMaskingFilter())
    return handler
