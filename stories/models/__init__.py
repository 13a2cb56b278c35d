"""The tables (SQLModel), in modules by what they hold; every name is importable from here.

Workflow states are enums (`base`), and the database enforces the invariants with constraints.
"""

from __future__ import annotations

from stories.models.base import ConsentKind, RevisionSource, Role, ServiceField, StoryStatus
from stories.models.book import (
    BookChapter,
    BookSettings,
    ChapterRevision,
    ChapterSection,
    ChapterSource,
)
from stories.models.build import (
    ACTIVE_STATES,
    FINISHED_STATES,
    Build,
    BuildFailure,
    BuildPhase,
    BuildState,
    Edition,
    EditionStory,
)
from stories.models.editorial import (
    MATCH_KINDS,
    TEMPLATE_ACTIONS,
    MessageTemplate,
    StoryBand,
    StoryMatch,
)
from stories.models.mail import Draft, MailKind, MailState, OutboxMessage
from stories.models.people import AuditEvent, User
from stories.models.picture import PictureReview, StoryPicture
from stories.models.story import (
    Consent,
    Decision,
    DecisionAction,
    FlagStatus,
    ImmutableRevisionError,
    Note,
    PrivacyFlag,
    PrivacyKind,
    Pseudonym,
    Story,
    StoryRevision,
    StoryTag,
    Tag,
)
from stories.models.volume import Volume, VolumeEntry, VolumePart

__all__ = [
    "ACTIVE_STATES",
    "FINISHED_STATES",
    "MATCH_KINDS",
    "TEMPLATE_ACTIONS",
    "AuditEvent",
    "BookChapter",
    "BookSettings",
    "ChapterRevision",
    "ChapterSection",
    "ChapterSource",
    "Build",
    "BuildFailure",
    "BuildPhase",
    "BuildState",
    "Consent",
    "ConsentKind",
    "Decision",
    "DecisionAction",
    "Draft",
    "Edition",
    "EditionStory",
    "FlagStatus",
    "ImmutableRevisionError",
    "MailKind",
    "MailState",
    "Note",
    "OutboxMessage",
    "PictureReview",
    "PrivacyFlag",
    "PrivacyKind",
    "Pseudonym",
    "RevisionSource",
    "Role",
    "ServiceField",
    "Story",
    "StoryPicture",
    "StoryBand",
    "StoryMatch",
    "MessageTemplate",
    "StoryRevision",
    "StoryStatus",
    "StoryTag",
    "Tag",
    "User",
    "Volume",
    "VolumeEntry",
    "VolumePart",
]
