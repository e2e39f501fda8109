"""summarizer: Vietnamese news articles into English briefs, translations and summaries."""

from ._api import Summarizer, estimate_tokens
from ._config import Mode, Settings, resolve_settings
from ._embedded import LocalServer, ensure_model
from ._errors import (
    BackendError,
    ConfigError,
    EmbeddedBackendError,
    InputError,
    OutputValidationError,
    PromptError,
    SummarizerError,
    Usage,
)
from ._hygiene import Article, clean_article
from ._prompts import PromptTemplate, load_prompt
from ._reading import decode_article, read_article
from ._render import brief_markdown, summary_markdown, translation_markdown
from ._schema import Brief, Entity, Figure, ParagraphPair, RunInfo, Summary, Translation
from ._text import Language, detect_language

__version__ = "0.1.0"

__all__ = [
    "Article",
    "BackendError",
    "Brief",
    "ConfigError",
    "EmbeddedBackendError",
    "Entity",
    "Figure",
    "InputError",
    "Language",
    "LocalServer",
    "Mode",
    "OutputValidationError",
    "ParagraphPair",
    "PromptError",
    "PromptTemplate",
    "RunInfo",
    "Settings",
    "Summarizer",
    "SummarizerError",
    "Summary",
    "Translation",
    "Usage",
    "__version__",
    "brief_markdown",
    "clean_article",
    "decode_article",
    "detect_language",
    "ensure_model",
    "estimate_tokens",
    "load_prompt",
    "read_article",
    "resolve_settings",
    "summary_markdown",
    "translation_markdown",
]
