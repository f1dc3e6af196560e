"""Helpers the tests share; the fixtures built on them live in the conftest.py files."""
