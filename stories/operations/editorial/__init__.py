"""The editors' work on stories besides deciding: an editor's edits of a story's title and text
(`editing`), notes and tags (`curation`), who looks after a story and whether the author revised
it (`assignment`), decision message templates (`templates`), near-duplicates (`duplicates`) and
decisions taken from the queue for several stories at once (`bulk`)."""

from __future__ import annotations
