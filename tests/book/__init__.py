"""Tests of the book builder (anthology/, apart from its text core): no Flask app, no database.

`DATA` is the small test volume (recipe `volumes/small.toml`); the site's --from-db test uses it
too.
"""

from pathlib import Path

DATA = Path(__file__).parent / "data"
