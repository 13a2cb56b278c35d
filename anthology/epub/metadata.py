"""The EPUB package metadata of a volume: identifier, people with roles, subjects, dates and the
accessibility metadata, which is derived from what the built book actually contains.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from anthology.errors import BuildError
from anthology.sources.manuscript import Kind, Manuscript

# A fixed namespace, so the same volume slug always gives the same UUID.
VOLUME_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:social-work-stories:volume")
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str  # MARC relator: edt (editor), aut (author)
    element: str  # "creator" or "contributor"


@dataclass(frozen=True)
class Facts:
    """What the built book contains, counted by the writer."""

    images: int = 0  # images in the reading order, the cover included
    images_with_alt: int = 0
    page_list: bool = False
    notes: int = 0
    tables: int = 0


def _isbn_digits(isbn: str) -> str:
    return re.sub(r"[^0-9Xx]", "", isbn).upper()


def identifier(manuscript: Manuscript) -> str:
    """`urn:isbn:` for a real ISBN, else a UUID derived from the volume slug (stable)."""
    meta = manuscript.meta
    if meta.isbn and not meta.isbn_is_demo:
        return f"urn:isbn:{_isbn_digits(meta.isbn)}"
    return f"urn:uuid:{uuid.uuid5(VOLUME_NAMESPACE, meta.slug)}"


def print_source(manuscript: Manuscript) -> str:
    """The print edition the page-list follows (its ISBN, or the volume's identifier)."""
    if manuscript.meta.isbn:
        return f"urn:isbn:{_isbn_digits(manuscript.meta.isbn)}"
    return identifier(manuscript)


def people(manuscript: Manuscript) -> list[Person]:
    """Editors as creators (edt), then authors of chapters and stories as contributors (aut)."""
    out: list[Person] = []
    seen: set[tuple[str, str]] = set()

    def add(name: str, role: str, element: str) -> None:
        name = name.strip()
        if name and (name, role) not in seen:
            seen.add((name, role))
            out.append(Person(f"{element}-{len(out) + 1}", name, role, element))

    for editor in manuscript.meta.editors:
        add(editor, "edt", "creator")
    editors = set(manuscript.meta.editors)
    for chapter in manuscript.chapters():
        name = chapter.story.pen_name if chapter.story else chapter.author
        if name not in editors:
            add(name, "aut", "contributor")
    return out


def subjects(manuscript: Manuscript) -> list[str]:
    """社会工作, then the service fields of the stories in reading order."""
    out = ["社会工作"]
    for chapter in manuscript.stories():
        if chapter.story and chapter.story.service_field_label not in out:
            out.append(chapter.story.service_field_label)
    return out


def description(manuscript: Manuscript) -> str:
    """The recipe's `description`, else a sentence made from the contents."""
    meta = manuscript.meta
    if meta.description:
        return meta.description
    stories = len(manuscript.stories())
    history = sum(1 for c in manuscript.chapters() if c.kind is Kind.history)
    name = f"{meta.title}：{meta.subtitle}" if meta.subtitle else meta.title
    parts = [f"收录{stories}篇一线社会工作者的实务故事"] if stories else []
    if history:
        parts.append(f"{history}章社会工作历史回顾")
    return f"《{name}》" + ("，" + "，以及".join(parts) if parts else "") + "。"


def modified(explicit: datetime | None = None) -> datetime:
    """dcterms:modified: `explicit`, else SOURCE_DATE_EPOCH (reproducible builds), else now."""
    if explicit is not None:
        return explicit.astimezone(UTC).replace(microsecond=0)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise BuildError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time") from exc
    return datetime.now(UTC).replace(microsecond=0)


def w3cdtf(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def accessibility(facts: Facts, publisher: str = "") -> list[tuple[str, str]]:
    """schema.org accessibility metadata (EPUB Accessibility 1.1), derived from `facts`."""
    all_alt = facts.images_with_alt == facts.images
    out = [("schema:accessMode", "textual")]
    if facts.images:
        out.append(("schema:accessMode", "visual"))
    if all_alt:
        out.append(("schema:accessModeSufficient", "textual"))
    if facts.images:
        out.append(("schema:accessModeSufficient", "textual,visual"))
    features = ["tableOfContents", "readingOrder", "structuralNavigation"]
    if facts.page_list:
        features += ["pageBreakMarkers", "printPageNumbers", "pageNavigation"]
    if facts.images and all_alt:
        features.append("alternativeText")
    features.append("displayTransformability")
    out += [("schema:accessibilityFeature", f) for f in features]
    out.append(("schema:accessibilityHazard", "none"))
    out.append(("schema:accessibilitySummary", summary(facts)))
    if all_alt:
        out.append(("dcterms:conformsTo", CONFORMANCE))
        if publisher:
            out.append(("a11y:certifiedBy", publisher))
    return out


def summary(facts: Facts) -> str:
    """A plain-language accessibility summary in Chinese, from the same facts."""
    said = [
        "本书为可重排的文字版电子书，字号与版式可由读者调整",
        "提供完整目录、章节标题结构和合理的阅读顺序",
    ]
    if facts.page_list:
        said.append("标注了对应纸质版的页码，可按页码跳转")
    if facts.notes:
        said.append("脚注以可跳转的注释链接呈现")
    if facts.images:
        if facts.images_with_alt == facts.images:
            said.append("所有图片均配有替代文字")
        else:
            missing = facts.images - facts.images_with_alt
            said.append(f"有{missing}张图片缺少替代文字")
    said.append("不含闪烁、声音或动态效果等已知风险")
    return "；".join(said) + "。"
