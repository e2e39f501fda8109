"""A job: one task and its options, to apply to one article or to many."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ._results import Brief, Summary, Translation
from ._text import Language

TaskName = Literal["brief", "translate", "summarize"]
Result = Brief | Summary | Translation
DEFAULT_SUMMARY_WORDS = 120
MIN_SUMMARY_WORDS = 20


@dataclass(frozen=True)
class Job:
    """One task and its options, to apply to many articles (see `abatch` and `FolderBatch`)."""

    task: TaskName = "brief"
    to: Language = "en"
    """The target language of a translation."""
    lang: Language = "en"
    """The language of a summary."""
    max_words: int = DEFAULT_SUMMARY_WORDS
    """The longest summary paragraph."""

    @property
    def prompt_names(self) -> tuple[str, ...]:
        """The prompt templates the task may use (translation first for Vietnamese sources)."""
        return ("translate",) if self.task == "translate" else ("translate", "facts", self.task)

    @property
    def options(self) -> dict[str, Any]:
        """The options that shape this task's result (not those of other tasks)."""
        if self.task == "translate":
            return {"task": self.task, "to": self.to}
        if self.task == "summarize":
            return {"task": self.task, "lang": self.lang, "max_words": self.max_words}
        return {"task": self.task}
