"""The tasks as named stages over one article: no network, no cache, no clock.

read (`read_article`) -> figures (by rule) -> translate -> condense (long articles) -> draft (the
model, re-asked on faults) -> assemble (figures described, names traced, lengths trimmed). Each
stage is a generator of requests in its own module; the drivers in `_driver` send them.
"""

from ._brief import brief_steps
from ._protocol import (
    Budget,
    Builder,
    Env,
    Fork,
    Notes,
    Request,
    Steps,
    estimate_tokens,
    kept_answer,
    read_article,
    request_tokens,
    side_by_side,
    stand_in,
)
from ._summarize import summary_steps
from ._translate import translation_steps

__all__ = [
    "Budget",
    "Builder",
    "Env",
    "Fork",
    "Notes",
    "Request",
    "Steps",
    "brief_steps",
    "estimate_tokens",
    "kept_answer",
    "read_article",
    "request_tokens",
    "side_by_side",
    "stand_in",
    "summary_steps",
    "translation_steps",
]
