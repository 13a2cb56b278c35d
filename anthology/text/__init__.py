"""The text core, shared by the editorial site and the book builder.

The one Markdown pipeline (`markdown`), the Chinese typesetting pass (`typeset`) and the personal
data detector (`privacy`, with `contacts` and `names`). Nothing here imports Flask, `stories`,
the manuscript or any other part of `anthology`: the site uses it without the book builder.
"""
