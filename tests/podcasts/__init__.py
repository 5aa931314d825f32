"""A fourth content kind, made by following docs/ARCHITECTURE.md's walkthrough ("Adding
a fourth kind of content"): podcast episodes. Not installed in the suite's settings (every
page, count and schema the suite pins would change); tests/config/test_fourth_kind.py runs
``checks.py`` in a pytest of its own with ``tests.podcasts.settings``."""
