"""The book builder: turns a manuscript (content/ plus approved stories) into PDF and EPUB.

This package never imports Flask and never touches the database while rendering.
"""
