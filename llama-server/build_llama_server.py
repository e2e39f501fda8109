"""PEP 517 build backend: llama.cpp's llama-server, built from source with portable CPU flags.

The source is the llama.cpp tree that llama-cpp-python's sdist carries (fetched from the package
registry by pip, checked against its SHA-256). llama.cpp's own default, `GGML_NATIVE=ON`, compiles for
every instruction the build machine reports, AMX included; on cloud VMs that report AMX without
enabling it, the server dies with SIGILL on its first real prompt, and a wheel built on one CPU can die
on another. So the build targets a named CPU level instead (`SUMMARIZER_LLAMA_CPU`, or
`--config-settings cpu=LEVEL`):

- `x86-64-v3` (the default on x86-64): SSE4.2, AVX, AVX2, BMI2, FMA and F16C; no AVX-512, no AMX.
  Any x86-64 CPU since about 2015 (Intel Haswell, AMD Excavator and Zen) runs it.
- `x86-64`: no instruction-set extension at all, for older CPUs (much slower).
- `native`: llama.cpp's default for this machine's CPU, with AMX left out (not portable).

On other architectures (arm64 Linux, macOS) llama.cpp's portable baseline is built (`GGML_NATIVE=OFF`).
The CPU features a build needs are written to build.json, so summarizer can refuse to start it on a CPU
that lacks one, with the command to rebuild, instead of letting it die.

A finished build is kept in the user's cache folder, keyed by everything that goes into it (source,
level, flags, compiler, platform, recipe version), so that reinstalling into a new virtual environment takes seconds,
as pip's own wheel cache does for packages from the registry. `SUMMARIZER_LLAMA_REBUILD=1` ignores it.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import tomllib
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCE_REQUIREMENT = "llama-cpp-python==0.3.36"
SOURCE_ARCHIVE = "llama_cpp_python-0.3.36.tar.gz"
SOURCE_SHA256 = "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
SOURCE_TREE = "llama_cpp_python-0.3.36/vendor/llama.cpp/"
PACKAGE = "summarizer_llama_server"
BUILD_RECIPE = 1
"""Raise it when `_build` changes what it makes: cached builds of the old recipe are then not reused."""

# What every build leaves out: no TLS (the server listens on loopback only), no web UI (llama.cpp
# would download a prebuilt one), no tests, examples or other tools, one static executable.
COMMON_ARGS = [
    "-DCMAKE_BUILD_TYPE=Release",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DLLAMA_OPENSSL=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
    "-DLLAMA_BUILD_APP=OFF",
    "-DGGML_CCACHE=OFF",
]
_NO_AMX = ["-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF"]
_NO_AMX_FLAGS = "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
_X86_EXTENSIONS = ["SSE42", "AVX", "AVX2", "BMI2", "FMA", "F16C"]
_AVX512 = ["AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16", "AVX_VNNI"]
# Each level: the cmake arguments, and the /proc/cpuinfo flags a CPU needs to run the build.
X86_LEVELS: dict[str, tuple[list[str], list[str]]] = {
    "x86-64-v3": (
        ["-DGGML_NATIVE=OFF", *(f"-DGGML_{ext}=ON" for ext in _X86_EXTENSIONS)]
        + [f"-DGGML_{ext}=OFF" for ext in _AVX512]
        + _NO_AMX,
        ["sse4_2", "avx", "avx2", "bmi2", "fma", "f16c"],
    ),
    "x86-64": (
        ["-DGGML_NATIVE=OFF"] + [f"-DGGML_{ext}=OFF" for ext in [*_X86_EXTENSIONS, *_AVX512]] + _NO_AMX,
        [],
    ),
    # -march=native turns AMX on in the compiler itself (ggml then compiles its AMX kernels): turn it off.
    "native": (
        ["-DGGML_NATIVE=ON", *_NO_AMX, f"-DCMAKE_C_FLAGS={_NO_AMX_FLAGS}", f"-DCMAKE_CXX_FLAGS={_NO_AMX_FLAGS}"],
        [],
    ),
}
DEFAULT_LEVEL = "x86-64-v3"


def _log(message: str) -> None:
    print(f"summarizer-llama-server: {message}", file=sys.stderr, flush=True)


def _metadata() -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads((HERE / "pyproject.toml").read_text())["project"]
    return project


def _is_x86() -> bool:
    return platform.machine().lower() in {"x86_64", "amd64", "i686", "x86"}


def _level(config_settings: dict[str, Any] | None) -> str:
    level = str((config_settings or {}).get("cpu") or os.environ.get("SUMMARIZER_LLAMA_CPU") or "")
    if not _is_x86():
        if level not in ("", "portable"):
            _log(f"cpu={level} is for x86-64; building llama.cpp's portable baseline for this architecture")
        return "portable"
    level = level or DEFAULT_LEVEL
    if level not in X86_LEVELS:
        raise SystemExit(f"summarizer-llama-server: unknown cpu level {level!r}: use one of {', '.join(X86_LEVELS)}")
    return level


def _cmake_args(level: str) -> tuple[list[str], list[str]]:
    if level == "portable":
        return [*COMMON_ARGS, "-DGGML_NATIVE=OFF"], []
    args, needs = X86_LEVELS[level]
    return [*COMMON_ARGS, *args], needs


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"summarizer-llama-server: {name} is not on PATH (it is a build requirement)")
    return path


def _compiler_id() -> str:
    compiler = os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++") or shutil.which("clang++") or "c++"
    try:
        done = subprocess.run([compiler, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    except OSError:
        return compiler
    return f"{compiler}: {done.stdout.splitlines()[0] if done.stdout else ''}"


def _cache_root() -> Path:
    configured = os.environ.get("SUMMARIZER_LLAMA_BUILD_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "summarizer" / "llama-server-builds"


def _fetch_source(into: Path) -> Path:
    """llama-cpp-python's sdist, by pip from the configured index (pip's own cache serves repeats)."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--dest", str(into)]
    # The sdist of that one package (`:all:` would also build its build tools from source).
    command += ["--no-binary", SOURCE_REQUIREMENT.partition("==")[0]]
    _log(f"fetching the llama.cpp source ({SOURCE_REQUIREMENT}, sdist)")
    done = subprocess.run([*command, SOURCE_REQUIREMENT], capture_output=True, text=True, check=False)  # noqa: S603
    archive = into / SOURCE_ARCHIVE
    if done.returncode != 0 or not archive.is_file():
        raise SystemExit(f"summarizer-llama-server: could not download {SOURCE_REQUIREMENT}:\n{done.stderr[-2000:]}")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != SOURCE_SHA256:
        raise SystemExit(f"summarizer-llama-server: {SOURCE_ARCHIVE} has sha256 {digest}, expected {SOURCE_SHA256}")
    return archive


def _extract_tree(archive: Path, into: Path) -> Path:
    with tarfile.open(archive) as tar:
        members = [member for member in tar.getmembers() if member.name.startswith(SOURCE_TREE)]
        tar.extractall(into, members=members, filter="data")
    return into / SOURCE_TREE


def _build(level: str, out: Path) -> None:
    """Configure and build llama-server into `out` (bin/llama-server, build.json, licence)."""
    args, needs = _cmake_args(level)
    with tempfile.TemporaryDirectory(prefix="llama-server-build-") as scratch:
        work = Path(scratch)
        source = _extract_tree(_fetch_source(work), work / "src")
        build_dir = work / "build"
        generator = ["-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={_tool('ninja')}"] if shutil.which("ninja") else []
        cmake = _tool("cmake")
        _log(f"building llama-server for cpu level {level} with {os.cpu_count()} jobs: {' '.join(args)}")
        for step in (
            [cmake, "-S", str(source), "-B", str(build_dir), *generator, *args],
            [cmake, "--build", str(build_dir), "--target", "llama-server", "-j", str(os.cpu_count() or 1)],
        ):
            done = subprocess.run(step, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)  # noqa: S603
            if done.returncode != 0:
                raise SystemExit(f"summarizer-llama-server: {' '.join(step[:3])} failed:\n{done.stdout[-4000:]}")
        binary = next(build_dir.rglob("llama-server"), None)
        if binary is None or not binary.is_file():
            raise SystemExit("summarizer-llama-server: the build finished without a llama-server executable")
        staging = out.with_name(out.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "bin").mkdir(parents=True)
        shutil.copy2(binary, staging / "bin" / "llama-server")
        shutil.copy2(source / "LICENSE", staging / "LICENSE.llama.cpp")
        info = {"source": SOURCE_REQUIREMENT, "cpu_level": level, "cmake_args": args, "cpu_flags_needed": needs}
        (staging / "build.json").write_text(json.dumps(info, indent=1) + "\n")
        shutil.rmtree(out, ignore_errors=True)
        staging.rename(out)


def _cached_build(level: str) -> Path:
    args, _ = _cmake_args(level)
    recipe = json.dumps([BUILD_RECIPE, SOURCE_SHA256, level, args, _compiler_id(), sysconfig.get_platform()])
    key = hashlib.sha256(recipe.encode()).hexdigest()[:20]
    out = _cache_root() / key
    if (out / "build.json").is_file() and os.environ.get("SUMMARIZER_LLAMA_REBUILD") != "1":
        _log(f"using the build in {out} (same source, flags and compiler)")
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    _build(level, out)
    return out


def _platform_tag() -> str:
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


def _record_line(name: str, data: bytes) -> list[str]:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [name, f"sha256={digest}", str(len(data))]


def _dist_info(tag: str) -> tuple[str, list[tuple[str, bytes]]]:
    """The wheel's .dist-info folder name and its METADATA and WHEEL files."""
    meta = _metadata()
    name, version = meta["name"].replace("-", "_"), meta["version"]
    folder = f"{name}-{version}.dist-info"
    metadata = (
        f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {version}\nSummary: {meta['description']}\n"
        f"License: {meta['license']}\nRequires-Python: {meta['requires-python']}\n"
    )
    wheel = f"Wheel-Version: 1.0\nGenerator: build_llama_server\nRoot-Is-Purelib: false\nTag: {tag}\n"
    return folder, [(f"{folder}/METADATA", metadata.encode()), (f"{folder}/WHEEL", wheel.encode())]


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    """The metadata alone, so that pip resolves without building (the build comes with the wheel)."""
    folder, files = _dist_info(f"py3-none-{_platform_tag()}")
    for path, data in files:
        target = Path(metadata_directory) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def build_wheel(
    wheel_directory: str, config_settings: dict[str, Any] | None = None, metadata_directory: str | None = None
) -> str:
    """Build (or take from the cache) llama-server and pack it into a platform wheel."""
    built = _cached_build(_level(config_settings))
    tag = f"py3-none-{_platform_tag()}"
    dist_info, metadata_files = _dist_info(tag)
    files: list[tuple[str, bytes, int]] = [
        (f"{PACKAGE}/__init__.py", (HERE / PACKAGE / "__init__.py").read_bytes(), 0o644),
        (f"{PACKAGE}/bin/llama-server", (built / "bin" / "llama-server").read_bytes(), 0o755),
        (f"{PACKAGE}/build.json", (built / "build.json").read_bytes(), 0o644),
        (f"{PACKAGE}/LICENSE.llama.cpp", (built / "LICENSE.llama.cpp").read_bytes(), 0o644),
        *((path, data, 0o644) for path, data in metadata_files),
    ]
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data, _ in files:
        writer.writerow(_record_line(path, data))
    writer.writerow([f"{dist_info}/RECORD", "", ""])
    files.append((f"{dist_info}/RECORD", record.getvalue().encode(), 0o644))
    wheel_name = f"{dist_info.removesuffix('.dist-info')}-{tag}.whl"
    with zipfile.ZipFile(Path(wheel_directory) / wheel_name, "w", compression=zipfile.ZIP_DEFLATED) as wheel:
        for path, data, mode in files:
            info = zipfile.ZipInfo(path, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
    return wheel_name


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    """Nothing beyond build-system.requires."""
    return []
