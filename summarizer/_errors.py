"""The exception tree: every error the library raises is a SummarizerError."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    """Token counts of one or more chat completions."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Prompt and completion tokens together."""
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )


class SummarizerError(Exception):
    """Base class of every error summarizer raises."""

    task_usage: Usage = Usage()
    """Tokens the failed task had spent, over all its requests and attempts (set by the Summarizer)."""
    task_attempts: int = 0
    """Model answers the failed task had received, invalid ones included."""


class ConfigError(SummarizerError):
    """The configuration is missing or contradictory (endpoint, model, prompts)."""


class PromptError(ConfigError):
    """A prompt template is missing, malformed or lacks a variable."""


class InputError(SummarizerError):
    """The article cannot be used: unreadable, empty, binary, badly encoded or too long."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class BackendError(SummarizerError):
    """The model server could not be reached or answered with an error."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class EmbeddedBackendError(BackendError):
    """The embedded llama.cpp server or its model could not be set up."""


class OutputValidationError(SummarizerError):
    """The model's answer never matched the schema within the allowed attempts."""

    def __init__(
        self,
        message: str,
        *,
        attempts: int,
        usage: Usage,
        last_output: str | None,
    ) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.usage = usage
        self.last_output = last_output


class TruncatedOutputError(OutputValidationError):
    """The answer hit the output token limit before its JSON was complete."""
