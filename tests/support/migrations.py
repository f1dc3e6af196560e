"""A SQLite database as an older ipflow left it: every migration head upgraded but the ones a
test is about, so that test can write old rows and then run those migrations on them."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from engine.kernel.db import MIGRATIONS


def upgraded_but(url: str, *left_out: str) -> Config:
    """Alembic's configuration for ``url``, with every head but ``left_out`` upgraded (name a
    head that depends on a left-out one too, or upgrading it runs that one first)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    for head in ScriptDirectory.from_config(config).get_heads():
        if head not in left_out:
            command.upgrade(config, head)
    return config
