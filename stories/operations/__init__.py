"""Every state change, as verbs that views, CLI commands and tests all call.

Submodules group the verbs: `submission` (authors), `review` (editors' decisions and edits),
`privacy` (flag resolution), `volumes` (arrangement and export), `accounts` (users), and the
sub-package `books` (a volume's book: settings, chapters, recipes, the build's source tree).
Each verb takes the SQLModel session first, validates, changes rows, records audit events, and
raises a typed `OperationError` subclass when the change is not allowed.
"""

from __future__ import annotations


class OperationError(Exception):
    """A state change was refused; the message is safe to show to the user."""
