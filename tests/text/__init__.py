"""Tests of the text core (anthology.text): no Flask app, no database, no book."""
