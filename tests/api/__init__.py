"""Tests of ipflow."""
