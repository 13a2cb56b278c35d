"""The publisher's workspace: a volume's book, kept in the database.

- `settings`: everything a recipe holds (title, ISBN, CIP block, trim, fonts, ...), as
  immutable revisions of a volume; the latest is current.
- `chapters`: prefaces, history chapters (in history parts) and afterwords, their text in
  immutable revisions like stories, their order, and the book's structure derived from them.
- `recipes`: a volume's settings and chapter list written as a recipe
  (content/volumes/<slug>.toml), and a recipe read into a volume through anthology's reader.
- `sources`: `write_sources`, the complete offline source tree that `anthology` builds.

Verbs flush and leave the commit to the caller; refusals are `OperationError` subclasses.
"""
