"""The editorial pages under /editor: a story's page (edits, notes, tags, decisions), the queue,
the privacy panel, volumes, a volume's book (settings, chapters, recipes) and the admin pages,
with their forms."""
