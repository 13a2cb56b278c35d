"""Every vocabulary shown to users, defined once: statuses, roles, decisions, service fields,
provinces, privacy kinds, audit actions, where a chapter's text came from. Translated with
Flask-Babel (lazy, so they can be defined at import time).
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from stories.models import (
    BuildFailure,
    BuildPhase,
    BuildState,
    ChapterSource,
    DecisionAction,
    PrivacyKind,
    Role,
    ServiceField,
    StoryStatus,
)

STATUS = {
    StoryStatus.draft: _l("Draft"),
    StoryStatus.submitted: _l("Submitted"),
    StoryStatus.in_review: _l("In review"),
    StoryStatus.revision_requested: _l("Revision requested"),
    StoryStatus.accepted: _l("Accepted"),
    StoryStatus.rejected: _l("Rejected"),
    StoryStatus.withdrawn: _l("Withdrawn"),
}

ROLE = {
    Role.editor: _l("Editor"),
    Role.publisher: _l("Publisher"),
    Role.admin: _l("Admin"),
}

DECISION = {
    DecisionAction.start_review: _l("Started the review"),
    DecisionAction.request_revision: _l("Asked the author for a revision"),
    DecisionAction.accept: _l("Accepted"),
    DecisionAction.reject: _l("Rejected"),
}


DECISION_BUTTON = {
    DecisionAction.start_review: _l("Start the review"),
    DecisionAction.request_revision: _l("Ask the author to revise"),
    DecisionAction.accept: _l("Accept"),
    DecisionAction.reject: _l("Reject"),
}


SERVICE_FIELD = {
    ServiceField.elderly: _l("Elderly (老年)"),
    ServiceField.children: _l("Children (儿童)"),
    ServiceField.community: _l("Community (社区)"),
    ServiceField.medical: _l("Medical (医务)"),
    ServiceField.school: _l("School (学校)"),
    ServiceField.drugs: _l("Drug rehabilitation (禁毒)"),
    ServiceField.assistance: _l("Social assistance (社会救助)"),
    ServiceField.other: _l("Other (其他)"),
}


def service_field_choices() -> list[SelectChoice]:
    """The service fields as the choices of a form's select."""
    return [SelectChoice(field.value, label) for field, label in SERVICE_FIELD.items()]


# Stored in Chinese (as printed in the book); shown translated.
PROVINCES = [
    SelectChoice("北京市", _l("Beijing")),
    SelectChoice("天津市", _l("Tianjin")),
    SelectChoice("河北省", _l("Hebei")),
    SelectChoice("山西省", _l("Shanxi")),
    SelectChoice("内蒙古自治区", _l("Inner Mongolia")),
    SelectChoice("辽宁省", _l("Liaoning")),
    SelectChoice("吉林省", _l("Jilin")),
    SelectChoice("黑龙江省", _l("Heilongjiang")),
    SelectChoice("上海市", _l("Shanghai")),
    SelectChoice("江苏省", _l("Jiangsu")),
    SelectChoice("浙江省", _l("Zhejiang")),
    SelectChoice("安徽省", _l("Anhui")),
    SelectChoice("福建省", _l("Fujian")),
    SelectChoice("江西省", _l("Jiangxi")),
    SelectChoice("山东省", _l("Shandong")),
    SelectChoice("河南省", _l("Henan")),
    SelectChoice("湖北省", _l("Hubei")),
    SelectChoice("湖南省", _l("Hunan")),
    SelectChoice("广东省", _l("Guangdong")),
    SelectChoice("广西壮族自治区", _l("Guangxi")),
    SelectChoice("海南省", _l("Hainan")),
    SelectChoice("重庆市", _l("Chongqing")),
    SelectChoice("四川省", _l("Sichuan")),
    SelectChoice("贵州省", _l("Guizhou")),
    SelectChoice("云南省", _l("Yunnan")),
    SelectChoice("西藏自治区", _l("Tibet")),
    SelectChoice("陕西省", _l("Shaanxi")),
    SelectChoice("甘肃省", _l("Gansu")),
    SelectChoice("青海省", _l("Qinghai")),
    SelectChoice("宁夏回族自治区", _l("Ningxia")),
    SelectChoice("新疆维吾尔自治区", _l("Xinjiang")),
    SelectChoice("其他", _l("Elsewhere")),
]


PRIVACY_KIND = {
    PrivacyKind.phone: _l("Mobile number"),
    PrivacyKind.landline: _l("Landline number"),
    PrivacyKind.id_number: _l("ID number"),
    PrivacyKind.bank_card: _l("Bank card number"),
    PrivacyKind.email: _l("E-mail address"),
    PrivacyKind.wechat: _l("WeChat ID"),
    PrivacyKind.qq: _l("QQ number"),
    PrivacyKind.address: _l("Address"),
    PrivacyKind.plate: _l("Licence plate"),
    PrivacyKind.person_name: _l("Person's name"),
}


def privacy_kind_label(kind: PrivacyKind | str) -> str:
    return str(PRIVACY_KIND.get(PrivacyKind(kind), kind))


# Audit events: the action codes recorded by the operations, and the keys of their details.
AUDIT_ACTION = {
    "login": _l("Logged in"),
    "login.failed": _l("Failed login"),
    "logout": _l("Logged out"),
    "user.create": _l("Account created"),
    "user.role": _l("Role changed"),
    "user.activate": _l("Account activated"),
    "user.deactivate": _l("Account deactivated"),
    "user.password_reset": _l("Password reset"),
    "story.submit": _l("Story submitted"),
    "story.revise": _l("Revised by the author"),
    "story.withdraw": _l("Withdrawn by the author"),
    "story.start_review": _l("Review started"),
    "story.request_revision": _l("Revision requested"),
    "story.accept": _l("Accepted"),
    "story.reject": _l("Rejected"),
    "story.override": _l("Admin override"),
    "story.edit": _l("Text edited"),
    "story.edit_conflict": _l("Edit refused (conflict)"),
    "story.export": _l("Story exported"),
    "story.note": _l("Note added"),
    "story.tag": _l("Tag added"),
    "story.untag": _l("Tag removed"),
    "flag.pseudonymise": _l("Pseudonym applied"),
    "flag.dismiss": _l("Flag dismissed"),
    "volume.create": _l("Volume created"),
    "volume.update": _l("Volume changed"),
    "volume.assign": _l("Placed in a volume"),
    "volume.unassign": _l("Removed from a volume"),
    "volume.export": _l("Volume exported"),
    "book.settings": _l("Book settings saved"),
    "book.chapter_add": _l("Chapter added"),
    "book.chapter_edit": _l("Chapter edited"),
    "book.chapter_place": _l("Chapter moved to another place"),
    "book.chapter_move": _l("Chapter moved up or down"),
    "book.part_move": _l("History part moved up or down"),
    "book.chapter_remove": _l("Chapter taken out of the book"),
    "book.chapter_restore": _l("Chapter put back into the book"),
    "book.recipe_export": _l("Recipe downloaded"),
    "book.recipe_import": _l("Recipe imported"),
    "build.request": _l("Build requested"),
    "build.cancel": _l("Build cancelled"),
    "edition.download": _l("Edition downloaded"),
}

AUDIT_DETAIL = {
    "from": _l("from"),
    "to": _l("to"),
    "revision": _l("revision"),
    "version": _l("version"),
    "expected_version": _l("started from version"),
    "current_version": _l("saved version"),
    "changed": _l("changed"),
    "title": _l("title"),
    "body": _l("text"),
    "note": _l("note"),
    "tag": _l("tag"),
    "message": _l("message"),
    "reason": _l("reason"),
    "flags": _l("flags"),
    "kind": _l("kind"),
    "pseudonym": _l("pseudonym"),
    "replaced": _l("replaced"),
    "volume": _l("volume"),
    "stories": _l("stories"),
    "user": _l("account"),
    "username": _l("user name"),
    "role": _l("role"),
    "chapter": _l("chapter"),
    "section": _l("section"),
    "part": _l("part"),
    "step": _l("step"),
    "added": _l("added"),
    "removed": _l("taken out"),
    "build": _l("build"),
    "joined": _l("joined the running build"),
    "edition": _l("edition"),
    "format": _l("format"),
    "state": _l("state"),
}


def audit_action_label(action: str) -> str:
    """The translated name of an audit action; an unknown code is shown as it is."""
    label = AUDIT_ACTION.get(action)
    return str(label) if label is not None else action


def audit_detail(key: str, value: object) -> tuple[str, str]:
    """(label, text) of one audit detail: known keys translated, status codes named."""
    label = AUDIT_DETAIL.get(key)
    if isinstance(value, list | tuple):  # e.g. changed: ["body"], flags: [4]
        text = "、".join(str(AUDIT_DETAIL.get(str(item), item)) for item in value)
    else:
        text = str(value)
    if key in ("from", "to", "status") and text in StoryStatus.__members__:
        text = status_label(text)
    elif key == "role" and text in Role.__members__:
        text = role_label(text)
    elif key == "kind" and text in PrivacyKind.__members__:
        text = privacy_kind_label(text)
    elif key == "state" and text in BuildState.__members__:
        text = build_state_label(text)
    elif isinstance(value, bool):
        text = str(_l("yes") if value else _l("no"))
    return (str(label) if label is not None else key), text


# Fixed notes the operations write on revisions (in English, like codes); shown translated.
REVISION_NOTE = {
    "original submission": _l("Original submission"),
    "original submission (demo)": _l("Original submission (demo)"),
    "imported from a recipe": _l("Imported from a recipe"),
}


CHAPTER_SOURCE = {
    ChapterSource.typed: _l("typed in the website"),
    ChapterSource.word: _l("from a Word file"),
    ChapterSource.recipe: _l("from a recipe"),
}


def chapter_source_label(source: ChapterSource | str) -> str:
    return str(CHAPTER_SOURCE.get(ChapterSource(source), source))


def revision_note(note: str | None) -> str:
    label = REVISION_NOTE.get(note or "")
    return str(label) if label is not None else (note or "")


def status_label(status: StoryStatus | str) -> str:
    return str(STATUS.get(StoryStatus(status), status))


def role_label(role: Role | str) -> str:
    return str(ROLE.get(Role(role), role))


def decision_label(action: DecisionAction | str) -> str:
    return str(DECISION.get(DecisionAction(action), action))


REOPEN_BUTTON = _l("Reopen for review")


def decision_button(action: DecisionAction | str, status: StoryStatus | str | None = None) -> str:
    """The button's label; starting the review of a decided story is reopening it."""
    decided = status is not None and StoryStatus(status) in (
        StoryStatus.accepted,
        StoryStatus.rejected,
    )
    if DecisionAction(action) == DecisionAction.start_review and decided:
        return str(REOPEN_BUTTON)
    return str(DECISION_BUTTON[DecisionAction(action)])


def field_label(field: ServiceField | str) -> str:
    """The service field as shown in the submission form."""
    return str(SERVICE_FIELD.get(ServiceField(field), field))


BUILD_STATE = {
    BuildState.queued: _l("Queued"),
    BuildState.running: _l("Running"),
    BuildState.succeeded: _l("Finished"),
    BuildState.failed: _l("Failed"),
    BuildState.cancelled: _l("Cancelled"),
}

BUILD_PHASE = {
    BuildPhase.gathering: _l("Gathering the sources"),
    BuildPhase.print: _l("Print PDF"),
    BuildPhase.screen: _l("Screen PDF"),
    BuildPhase.epub: _l("EPUB"),
    BuildPhase.checking: _l("Checking the EPUB"),
    BuildPhase.saving: _l("Saving the edition"),
}

BUILD_FAILURE = {
    BuildFailure.content: _l("A source of the book is wrong (the recipe, a chapter or a story)."),
    BuildFailure.gate: _l(
        "The publication gate refused stories: a consent is missing or privacy flags are open."
    ),
    BuildFailure.font: _l("A font the volume needs is not installed."),
    BuildFailure.build: _l("The book builder could not go on."),
    BuildFailure.crashed: _l("A process of the build crashed."),
    BuildFailure.out_of_memory: _l(
        "The build was stopped by the system, most often because the machine ran out of memory."
    ),
    BuildFailure.disk_full: _l(
        "The disk is full: nothing was kept. Free some space and build again."
    ),
    BuildFailure.worker_stopped: _l(
        "The worker stopped during the build (it was killed, crashed, ran out of memory, or the "
        "machine restarted). Nothing was kept; build again."
    ),
    BuildFailure.queue: _l("The task queue could not take the build."),
    BuildFailure.internal: _l(
        "An unexpected error stopped the build (the worker's log has the details)."
    ),
}

BUILD_WARNING = {
    "privacy": _l("Personal data"),
    "font": _l("Font"),
    "image": _l("Image"),
    "system": _l("System"),
    "epub": _l("EPUB"),
    "cover": _l("Cover"),
    "other": _l("Warning"),
}


def build_state_label(state: BuildState | str) -> str:
    return str(BUILD_STATE.get(BuildState(state), state))


def build_phase_label(phase: BuildPhase | str | None) -> str:
    return str(BUILD_PHASE.get(BuildPhase(phase), phase)) if phase else ""


def build_failure_label(failure: BuildFailure | str | None) -> str:
    return str(BUILD_FAILURE.get(BuildFailure(failure), failure)) if failure else ""


def build_warning_label(kind: str) -> str:
    return str(BUILD_WARNING.get(kind, BUILD_WARNING["other"]))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        status_label=status_label,
        role_label=role_label,
        decision_label=decision_label,
        decision_button=decision_button,
        audit_action_label=audit_action_label,
        audit_detail=audit_detail,
        revision_note=revision_note,
        field_label=field_label,
        privacy_kind_label=privacy_kind_label,
        chapter_source_label=chapter_source_label,
        build_state_label=build_state_label,
        build_phase_label=build_phase_label,
        build_failure_label=build_failure_label,
        build_warning_label=build_warning_label,
    )
