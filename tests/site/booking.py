"""Helpers for the book tests: a volume, the settings form's fields, reading rows back."""

from __future__ import annotations

from typing import Any

from flask import Flask

from stories import db
from stories.models import User
from stories.operations import volumes
from stories.operations.books import settings

SETTINGS_FORM = {
    "title": "一线之光",
    "subtitle": "社会工作实务故事集",
    "series": "讲述社会工作的故事",
    "editors": "编委会甲\n编委会乙",
    "publisher": "示例出版社",
    "isbn": "978-7-5123-4567-6",
    "isbn_demo": "y",
    "cip": "图书在版编目（CIP）数据\n\n一线之光 / 编委会编. —— 北京：示例出版社，2026.12",
    "edition": "2026年12月第1版",
    "printing": "2026年12月第1次印刷",
    "year": "2026",
    "price": "68.00元",
    "copyright": "版权所有，侵权必究。",
    "description": "一线社工的故事。",
    "trim": "大32开",
    "width_mm": "",
    "height_mm": "",
    "bleed_mm": "3",
    "font_body": "Noto Serif CJK SC",
    "font_heading": "Noto Sans CJK SC",
    "font_quote": "AR PL UKai CN",
    "contributors": "y",
    "stories": "after",
    "note": "",
}


def make_volume(app: Flask, user: Any, slug: str = "vol-b", title: str = "工作书名") -> None:
    with app.app_context(), db.session_scope() as session:
        volumes.create_volume(session, session.get(User, user.id), slug, title, "说明")


def current_settings(app: Flask, slug: str = "vol-b") -> dict[str, Any] | None:
    with app.app_context(), db.session_scope() as session:
        latest = settings.current(session, volumes.get(session, slug))
        return None if latest is None else dict(latest.data)


def with_app(app: Flask, slug: str, call: Any) -> Any:
    """`call(session, volume)` inside an app context and a committed session."""
    with app.app_context(), db.session_scope() as session:
        return call(session, volumes.get(session, slug))
