"""The vocabularies of book builds: their states, phases, failures and kinds of warning."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from stories.models import BuildFailure, BuildPhase, BuildState

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
