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
from stories.models.people import AuditEvent, User
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
    "AuditEvent",
    "BookChapter",
    "BookSettings",
    "ChapterRevision",
    "ChapterSection",
    "ChapterSource",
    "Consent",
    "ConsentKind",
    "Decision",
    "DecisionAction",
    "FlagStatus",
    "ImmutableRevisionError",
    "Note",
    "PrivacyFlag",
    "PrivacyKind",
    "Pseudonym",
    "RevisionSource",
    "Role",
    "ServiceField",
    "Story",
    "StoryRevision",
    "StoryStatus",
    "StoryTag",
    "Tag",
    "User",
    "Volume",
    "VolumeEntry",
    "VolumePart",
]
