"""The publisher's workspace: a volume's book, kept in the database, and turned into books.

- `settings`: everything a recipe holds (title, ISBN, CIP block, trim, fonts, ...), as
  immutable revisions of a volume; the latest is current.
- `chapters` and `contents`: prefaces, history chapters (in history parts) and afterwords, their
  text in immutable revisions like stories, their order, and the book's structure derived from
  them.
- `recipes`: a volume's settings and chapter list written as a recipe, and a recipe read into a
  volume through anthology's reader (`problems` turns the reader's errors into sentences).
- `sources`: `write_sources`, the complete offline source tree that `anthology` builds, and the
  record of those inputs.
- `builds`: request, join, cancel a build job; the worker's claim, progress, heartbeat and end.
- `editions`: the books a succeeded build left, their downloads, which stories they print.
- `proofs`: one story alone as the volume's book will print it, for the editors (a build of
  the story, through the same queue; no edition).

Verbs flush and leave the commit to the caller; refusals are `OperationError` subclasses.
"""
