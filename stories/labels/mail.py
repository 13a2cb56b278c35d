"""The vocabulary of the outbox: its messages' states and kinds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from stories.models import MailKind, MailState

# The names of states and kinds differ, so one table holds both.
MAIL = {
    MailState.held: _l("Kept (no mail server)"), MailState.queued: _l("Waiting"),
    MailState.sending: _l("Sending"), MailState.sent: _l("Sent"), MailState.failed: _l("Failed"),
    MailKind.receipt: _l("Receipt"), MailKind.revision: _l("Revision request"),
    MailKind.accepted: _l("Accepted"), MailKind.rejected: _l("Not accepted"),
    MailKind.withdrawn: _l("Withdrawal confirmed"), MailKind.published: _l("Published"),
    MailKind.draft: _l("Draft link"), MailKind.links: _l("New private links"),
    MailKind.digest: _l("Daily digest"),
}  # fmt: skip


def mail_label(value: MailState | MailKind | str) -> str:
    return str(MAIL.get(value, value))  # type: ignore[arg-type]
