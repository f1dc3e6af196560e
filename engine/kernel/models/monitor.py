"""The monitor's computed figures: where open cases wait and the trends, as of a moment.

Computing them reads every open case's position and every milestone event (seconds at
100,000 cases), so the worker computes them every few minutes
(:mod:`engine.features.monitor_snapshot`) and the monitor reads the newest row. Only the
newest row is kept, with any computed for a later moment (an engine clock moved back).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float
from sqlalchemy.orm import Mapped, mapped_column

from engine.kernel.models.base import Base


class MonitorSnapshot(Base):
    """The figures as of ``computed_at`` (``figures``: the heat map per process, the per-step
    and per-area counts, the roles and 60 months of trends) and how long they took."""

    __tablename__ = "monitor_snapshot"
    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(index=True)
    seconds: Mapped[float] = mapped_column(Float)
    figures: Mapped[dict[str, Any]]
