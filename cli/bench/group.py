"""The ``ipflow bench`` group, apart from its commands so each can import it."""

import click


@click.group(name="bench")
def bench() -> None:
    """Measure the engine, reads at scale and the served application."""
