"""The engine, in tiers that import only downward: ``features`` → ``runtime`` → ``kernel``.

``demo`` (demo data) sits apart: only the CLI and the tests import it. The rule is checked by
``tests/test_layers.py``.
"""
