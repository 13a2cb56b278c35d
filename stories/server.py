"""gunicorn's settings for the production site: `gunicorn -c python:stories.server`.

    gunicorn -c python:stories.server "stories:create_app()"

Every setting can be changed on gunicorn's command line or by its environment variables
(`GUNICORN_CMD_ARGS`, `WEB_CONCURRENCY` for the workers). The defaults: 4 sync workers (right
for a 2-core machine: requests wait on the database as often as on the CPU), listening on
127.0.0.1:8000 behind a reverse proxy that speaks HTTPS (`BIND` to change it), a 60 s timeout
(a send never takes that long: the costly work is bounded or queued), the access log on stdout
with the tracking codes masked, and a check before the workers start that the rate limits are
shared between them (Redis) when there is more than one.
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.glogging import Logger

from stories.logs import mask

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
timeout = 60
graceful_timeout = 30
max_requests = 2000  # a worker is replaced now and then (memory held by jieba, WeasyPrint)
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# No query string (a mistyped code could be in it) and no referrer in the access log.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips


class MaskedLogger(Logger):
    """gunicorn's logger, with tracking codes masked in every access log line."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        values = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f", "{raw_uri}e"):
            if isinstance(values.get(key), str):
                values[key] = mask(values[key])
        return values


logger_class = MaskedLogger


def on_starting(server: Any) -> None:
    """Refuse to start several workers whose rate limits would each live in their own memory;
    then load the word segmenter and the privacy detector once, in the master, so that every
    worker forked from it has them ready (loading them takes a worker about 7 s of CPU)."""
    from stories import create_app
    from stories.throttle import check_workers

    app = create_app()
    try:
        check_workers(app.config, server.cfg.workers)
    finally:
        app.extensions["db_engine"].dispose()
    warm(tuple(app.config["LANGUAGES"]))


def warm(languages: tuple[str, ...] = ("zh_CN", "en")) -> None:
    """Load what every worker would otherwise load on its first requests: jieba and its
    models, the detector, and Babel's data for the site's languages (dates on the pages)."""
    from datetime import UTC, datetime

    from babel.dates import format_datetime

    from stories.operations import flags
    from stories.queries import search

    for language in languages:
        format_datetime(datetime.now(UTC), locale=language)

    search.field_words("社区服务中心")
    flags.detect_body("张阿姨每天来活动中心，电话 13800138000。")
    search.field_words.cache_clear()
    flags.detect_body.cache_clear()
