"""What the logs may show: no tracking code (a bearer secret, `/track/<code>`), no bound SQL
parameter (stories.db hides them), no author's contact data.

`mask` rewrites a line; `MaskCodes` is a logging filter doing it to every record of a logger
(the development server's request log here, gunicorn's access log in stories.server).
"""

from __future__ import annotations

import logging
import re

from flask import Flask

# /track/ABCD-EFGH-JKMN and the same code typed without dashes, in any case.
_TRACK = re.compile(r"(/track/)[A-Za-z0-9][A-Za-z0-9_.~%-]*", re.I)
MASK = "…"


def mask(text: str) -> str:
    return _TRACK.sub(lambda match: match.group(1) + MASK, text)


class MaskCodes(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def init_app(app: Flask) -> None:
    """The development server's request log (werkzeug) without tracking codes."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, MaskCodes) for f in logger.filters):
        logger.addFilter(MaskCodes())
