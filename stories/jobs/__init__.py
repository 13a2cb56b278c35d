"""The task queue (huey) and its jobs: the publishers' book builds, the outbox's mail.

- `queue` the huey instance of an app (SQLite file in the instance folder, or Redis when
  `REDIS_URL` is set), `tasks` the tasks registered on it, `worker` the consumer that
  `flask --app stories worker` runs;
- `builds` what pages and commands call: queue a build (or join the running one);
- `runner` one build on the worker's side, `render` the build's own process (no database),
  `progress` its progress and heartbeat in the Build row, `settings` the configuration.

- `mail` sends the outbox's messages (and the periodic drafts' expiry and editors' digests),
  `handover` gives the messages of a committed transaction to the queue.

Layering: pages and commands call jobs, jobs call operations; operations never import jobs.
"""


def init_app(app: object) -> None:
    """Flask-Mailman, and the hook that hands committed messages to the queue."""
    from stories.jobs import handover, mail

    mail.init_app(app)  # type: ignore[arg-type]
    handover.install()
