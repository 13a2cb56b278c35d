"""The privacy scan and the search index of a long text, in the queue: an author's send answers
at once and the worker finds the personal data a few seconds later (the detector and the word
segmentation need about 2 s of CPU for 28,000 characters, which 30 authors sending at once
would otherwise wait for in turn).

Until the scan has run, `story.scan_pending` is true and whoever decides on the flags scans
first (stories.operations.flags.ensure_scanned), so a story is never accepted unscanned, even
when the queue is down or slow.
"""

from __future__ import annotations

import logging

from flask import current_app

from stories.jobs import queue, tasks

log = logging.getLogger(__name__)


def queue_scan(story_id: int) -> None:
    """Hand the scan to the queue (after the story's transaction is committed)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        queue.huey(app)  # made, and its tasks registered, on first use
        tasks.task(app, tasks.SCAN)(story_id)
    except Exception:  # the queue is down: the story page and the gate scan when needed
        log.warning("could not queue the privacy scan of story %s", story_id, exc_info=True)
