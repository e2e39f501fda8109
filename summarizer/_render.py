"""Markdown renderings of results: what an editor pastes."""

from __future__ import annotations

from ._answers import Entity
from ._results import Brief, Summary, Translation
from ._text import LANGUAGE_NAMES


def _entities(title: str, entities: list[Entity]) -> list[str]:
    if not entities:
        return []
    lines = [f"## {title}", ""]
    for entity in entities:
        source = f" ({entity.source})" if entity.source != entity.english else ""
        role = f": {entity.role}" if entity.role else ""
        lines.append(f"- **{entity.english}**{source}{role}")
    return [*lines, ""]


def _footer(result: Brief | Summary | Translation) -> list[str]:
    """The checks' warnings, which must never be dropped silently, then how the result was made."""
    meta = result.meta
    source = f"; source: {meta.source_url}" if meta.source_url else ""
    source += f"; credits: {', '.join(meta.source_credits)}" if meta.source_credits else ""
    cached = f", {meta.cached_answers} answer(s) from the cache" if meta.cached_answers else ""
    warnings = ["## Warnings", "", *(f"- {warning}" for warning in meta.warnings), ""] if meta.warnings else []
    return [
        *warnings,
        f"_{meta.source_name} ({LANGUAGE_NAMES[meta.source_language]}); model {meta.model}, "
        f"prompt {meta.prompt_version}; {meta.usage.prompt_tokens:,} prompt + "
        f"{meta.usage.completion_tokens:,} completion tokens in {meta.attempts} attempt(s), "
        f"{meta.seconds:.1f} s{cached}{source}_",
    ]


def brief_markdown(brief: Brief) -> str:
    """The brief as Markdown: headline, summary, key points, figures, names, provenance."""
    lines = [f"# {brief.headline}", "", brief.summary, "", "## Key points", ""]
    lines += [f"- {point}" for point in brief.key_points]
    lines.append("")
    if brief.figures:
        lines += ["## Figures", "", "| Figure | In the source | Refers to |", "| --- | --- | --- |"]
        lines += [f"| {f.english} | {f.source} | {f.refers_to} |" for f in brief.figures]
        lines.append("")
    lines += _entities("People", brief.people)
    lines += _entities("Organizations", brief.organizations)
    lines += _entities("Places", brief.places)
    return "\n".join([*lines, *_footer(brief)]) + "\n"


def summary_markdown(summary: Summary) -> str:
    """The summary as Markdown: title, lead, summary, key points."""
    lines = [f"# {summary.title}", "", f"**{summary.lead}**", "", summary.summary, ""]
    lines += [f"- {point}" for point in summary.key_points]
    return "\n".join([*lines, "", *_footer(summary)]) + "\n"


def translation_markdown(translation: Translation) -> str:
    """The translation as Markdown: one paragraph per source paragraph, in order, each followed by
    what it is flagged for (a figure lost or changed, Vietnamese left, not translated)."""
    body = "\n\n".join(
        pair.translation + "".join(f"\n\n> ⚠ {flag}" for flag in pair.flags) for pair in translation.paragraphs
    )
    return body + "\n\n" + "\n".join(_footer(translation)) + "\n"


def render_markdown(result: Brief | Summary | Translation) -> str:
    """Any result as Markdown."""
    if isinstance(result, Brief):
        return brief_markdown(result)
    if isinstance(result, Summary):
        return summary_markdown(result)
    return translation_markdown(result)


def render_json(result: Brief | Summary | Translation) -> str:
    """Any result as indented JSON (UTF-8 text, Vietnamese unescaped), ending with a newline."""
    return result.model_dump_json(indent=2) + "\n"
