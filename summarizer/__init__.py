"""summarizer: Vietnamese news articles into English briefs, translations and summaries."""

from ._answers import Entity
from ._batch import BatchResult, FolderBatch, abatch
from ._config import Mode, Settings, resolve_settings
from ._embedded import LocalServer
from ._errors import (
    BackendError,
    ConfigError,
    EmbeddedBackendError,
    InputError,
    OutputValidationError,
    PromptError,
    SummarizerError,
    TruncatedOutputError,
    Usage,
)
from ._events import Progress
from ._factcheck import CheckReport, check_result
from ._glossary import Glossary, load_glossary
from ._hygiene import Article, clean_article
from ._job import Job
from ._manifest import ManifestEntry
from ._model_file import ensure_model
from ._pipeline import estimate_tokens
from ._prompts import PromptTemplate, load_prompt
from ._reading import decode_article, read_article
from ._render import brief_markdown, render_json, render_markdown, summary_markdown, translation_markdown
from ._results import Brief, Figure, ParagraphPair, RunInfo, Summary, Translation, read_result
from ._summarizer import Summarizer
from ._text import Language, detect_language

__version__ = "0.1.0"

__all__ = [
    "Article",
    "BackendError",
    "BatchResult",
    "Brief",
    "CheckReport",
    "ConfigError",
    "EmbeddedBackendError",
    "Entity",
    "Figure",
    "FolderBatch",
    "Glossary",
    "InputError",
    "Job",
    "Language",
    "LocalServer",
    "ManifestEntry",
    "Mode",
    "OutputValidationError",
    "ParagraphPair",
    "Progress",
    "PromptError",
    "PromptTemplate",
    "RunInfo",
    "Settings",
    "Summarizer",
    "SummarizerError",
    "Summary",
    "Translation",
    "TruncatedOutputError",
    "Usage",
    "__version__",
    "abatch",
    "brief_markdown",
    "check_result",
    "clean_article",
    "decode_article",
    "detect_language",
    "ensure_model",
    "estimate_tokens",
    "load_glossary",
    "load_prompt",
    "read_article",
    "read_result",
    "render_json",
    "render_markdown",
    "resolve_settings",
    "summary_markdown",
    "translation_markdown",
]
