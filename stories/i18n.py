"""Flask-Babel: zh_CN by default, en available; chosen by ?lang=, the session or the browser."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel, get_locale, lazy_gettext

babel = Babel()

LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and scripts: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    stored = session.get("lang")
    if stored in languages:
        return stored
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    if best in ("zh", "zh_CN", None):
        return "zh_CN"
    return best if best in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path) + "/translations")
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _languages() -> dict[str, object]:
        current = get_locale()
        locale = "zh_CN" if current is None or current.language == "zh" else str(current)
        return {
            "language_names": LANGUAGE_NAMES,
            "current_locale": locale,
            "html_lang": "zh-CN" if locale == "zh_CN" else locale,
            "language_url": language_url,
        }


def current_language() -> str:
    """The language of this request as the settings name it: zh_CN or en."""
    current = get_locale()
    return "zh_CN" if current is None or current.language == "zh" else str(current)


def language_url(code: str) -> str:
    """This page in another language, keeping its query (the queue's filters, a search)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return request.path + "?" + urlencode(args, doseq=True)


_l = lazy_gettext
