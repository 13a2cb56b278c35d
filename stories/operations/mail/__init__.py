"""Mail: every message is written to the outbox first (`outbox`), then sent by the task
queue's worker (stories.jobs.mail). `links` makes the private links the mails carry,
`messages` the authors' messages about their story, `digest` the editors' daily digest."""
