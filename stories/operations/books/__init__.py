"""The publisher's verbs: turning a volume into books.

`builds` (request, join, cancel a build job; the worker's claim, progress, heartbeat and end),
`editions` (the books a succeeded build left, their downloads, which stories they print),
`sources` (the volume's complete offline source tree for one build: recipe, chapters,
stories.json, and the record of those inputs).
"""
