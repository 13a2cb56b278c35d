"""Pictures on the site's pages: signed addresses, never the store's folder.

A story's text refers to its pictures by content hash (`anthology.text.pictures`). The pages
that show a story (the author's preview and status page, the editors' story page) resolve the
references with `addresses`: each picture gets an address signed with the site's secret that
stays valid for two days, so knowing a hash (it is in every export) never shows anyone a
picture, and the original of a picture published blurred stays with the editors and its
author. `/pictures/<signed>` is the picture, `/pictures/<signed>/thumb` its thumbnail.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, Response, abort, current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from anthology.text.pictures import Picture
from stories import pictures

bp = Blueprint("pictures", __name__, url_prefix="/pictures")
MAX_AGE = 2 * 24 * 3600


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="stories.picture")


def token(ref: str) -> str:
    return _signer().dumps(ref)


def address(ref: str, thumb: bool = False) -> str:
    endpoint = "pictures.thumb" if thumb else "pictures.show"
    return url_for(endpoint, signed=token(ref))


def addresses(refs: Iterable[str]) -> dict[str, Picture]:
    """The references of a text -> their signed addresses, for `render(text, pictures=...)`."""
    return {ref: Picture(ref, address(ref)) for ref in refs}


def _ref(signed: str) -> str:
    try:
        ref = _signer().loads(signed, max_age=MAX_AGE)
    except BadSignature:
        abort(404)
    if not isinstance(ref, str):
        abort(404)
    return ref


def _send(data: bytes, media_type: str) -> Response:
    response = Response(data, mimetype=media_type)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.get("/<signed>")
def show(signed: str) -> Response:
    store = pictures.store()
    path = store.path(_ref(signed))
    if path is None:
        abort(404)
    return _send(path.read_bytes(), "image/png" if path.suffix == ".png" else "image/jpeg")


@bp.get("/<signed>/thumb")
def thumb(signed: str) -> Response:
    found = pictures.store().thumbnail(_ref(signed))
    if found is None:
        abort(404)
    return _send(*found)
