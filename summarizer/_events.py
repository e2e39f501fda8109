"""What a running task reports as it goes: its stage, its requests done and the model's speed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Stage = Literal["reading", "translating", "condensing", "writing", "checking"]
"""Reading and checking are the library's own work; the others wait on the model."""


@dataclass(frozen=True)
class Progress:
    """One step of a task: the stage it is in, that stage's requests done of those known so far,
    and the model's generating speed over the last answers (tokens per second), once known."""

    name: str
    """The article's name, as given to the task."""
    stage: Stage
    done: int = 0
    total: int = 0
    tokens_per_second: float | None = None

    def __str__(self) -> str:
        counted = f" {self.done}/{self.total}" if self.total > 1 else ""
        speed = f" · {self.tokens_per_second:.1f} tok/s" if self.tokens_per_second else ""
        return f"{self.stage}{counted}{speed}"


ProgressHandler = Callable[[Progress], None]
"""Called with each step of a task, on the thread (or event loop) that runs it; keep it quick."""
