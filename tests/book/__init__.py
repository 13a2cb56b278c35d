"""Tests of the book builder (anthology/, apart from its text core): no Flask app, no database."""
