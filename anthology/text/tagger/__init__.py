"""The statistical part of the privacy detector: a character-level CRF (python-crfsuite) that
marks person names and addresses, trained on the labelled sentences of tests/text/data."""
