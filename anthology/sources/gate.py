"""The publication gate and other checks of the gather phase (before anything is rendered)."""

from __future__ import annotations

from anthology.errors import BuildWarning, GateError
from anthology.sources.manuscript import Chapter, Manuscript
from anthology.text.pictures import refs
from anthology.text.privacy import detect_contact_data, markdown_text

REQUIRED_CONSENTS = ("licence", "people")
# Detector kinds that are never fine in a printed story (names and places are often pseudonyms).
CONTACT_KINDS = {"id_number", "bank_card", "phone", "landline", "email", "wechat", "qq", "plate"}


def refusals(chapter: Chapter) -> list[str]:
    """Why the gate refuses this story (empty when it may be printed)."""
    story = chapter.story
    if story is None:
        return []
    reasons = [f"no {kind} consent" for kind in REQUIRED_CONSENTS if not story.has_consent(kind)]
    if story.unresolved_flags > 0 and not story.override_reason:
        reasons.append(f"{story.unresolved_flags} unresolved privacy flag(s)")
    # A picture is printed only after an editor's privacy review (no override: a picture still
    # to review has no published file).
    reviewed = {p.ref: p for p in chapter.pictures}
    waiting = [r for r in refs(chapter.body) if r not in reviewed or
               reviewed[r].review not in ("fine", "blurred", "left_out")]  # fmt: skip
    if waiting:
        reasons.append(f"{len(waiting)} picture(s) not reviewed for privacy")
    return reasons


def check_gate(manuscript: Manuscript) -> None:
    """Refuse the volume (GateError listing every refused story) if any story may not be printed."""
    refused = [(c, refusals(c)) for c in manuscript.stories()]
    refused = [(c, reasons) for c, reasons in refused if reasons]
    if refused:
        lines = [f"{c.source}: story {c.id} 《{c.title}》: {'; '.join(r)}" for c, r in refused]
        first = refused[0][0].source
        raise GateError(
            f"the publication gate refuses {len(refused)} story(ies):\n  " + "\n  ".join(lines),
            first.path,
            first.line,
        )


def privacy_warnings(manuscript: Manuscript) -> list[BuildWarning]:
    """Personal data that the detector still finds in a story's title or text (a warning, not
    the gate)."""
    out = []
    for chapter in manuscript.stories():
        # The body is Markdown with escapes (139\-2233...): read it as the reader will.
        flags = detect_contact_data(chapter.title) + detect_contact_data(
            markdown_text(chapter.body)
        )
        kinds = sorted({f.kind for f in flags if f.kind in CONTACT_KINDS})
        if kinds:
            out.append(
                BuildWarning(
                    f"story {chapter.id} 《{chapter.title}》 may still contain personal data: "
                    + ", ".join(kinds),
                    chapter.source.path,
                    chapter.source.line,
                )
            )
    return out
