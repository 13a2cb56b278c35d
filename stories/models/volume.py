"""Volumes: books in the making, their parts, and the stories placed in them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from stories.db import utcnow
from stories.models.base import (
    time_column as _time_column,
)


class Volume(SQLModel, table=True):
    """A book in the making: its stories, parts and order."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())


class VolumePart(SQLModel, table=True):
    __tablename__ = "volume_part"

    id: int | None = Field(default=None, primary_key=True)
    volume_id: int = Field(foreign_key="volume.id", index=True)
    title: str = Field(max_length=200)
    position: int = Field(default=0)


class VolumeEntry(SQLModel, table=True):
    """A story's place in a volume: at most one volume per story."""

    __tablename__ = "volume_entry"

    id: int | None = Field(default=None, primary_key=True)
    volume_id: int = Field(foreign_key="volume.id", index=True)
    story_id: int = Field(foreign_key="story.id", unique=True)
    part_id: int | None = Field(default=None, foreign_key="volume_part.id", index=True)
    position: int = Field(default=0)
