"""What every table shares: enum and time columns, and the vocabularies (enums) of states."""

from __future__ import annotations

import enum

from sqlalchemy import Column, Enum

from stories.db import UTCDateTime


def enum_column(enum_cls: type[enum.Enum], name: str, **kwargs: object) -> Column:
    return Column(
        Enum(
            enum_cls,
            name=name,
            native_enum=False,
            create_constraint=True,
            length=24,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        **kwargs,
    )


def time_column(nullable: bool = False, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class StoryStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    in_review = "in_review"
    revision_requested = "revision_requested"
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"


class ServiceField(enum.StrEnum):
    elderly = "elderly"  # 老年
    children = "children"  # 儿童
    community = "community"  # 社区
    medical = "medical"  # 医务
    school = "school"  # 学校
    drugs = "drugs"  # 禁毒
    assistance = "assistance"  # 社会救助
    other = "other"  # 其他


class Role(enum.StrEnum):
    editor = "editor"
    publisher = "publisher"
    admin = "admin"


class ConsentKind(enum.StrEnum):
    licence = "licence"  # the publication licence
    people = "people"  # the people in the story are anonymised or have agreed


class RevisionSource(enum.StrEnum):
    author = "author"
    editor = "editor"
