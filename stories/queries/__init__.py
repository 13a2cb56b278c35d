"""The read side: the editorial queue's listing, full-text search (and its index), revision diffs.

Nothing here changes a story; the verbs are in `stories.operations`.
"""
