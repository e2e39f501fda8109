"""Download the fidelity articles whose text is not committed here, into bench/fidelity/NN.txt.

    python bench/fidelity/fetch.py            # every article missing
    python bench/fidelity/fetch.py --force    # download again, overwrite
    python bench/fidelity/fetch.py --raw-dir D  # offline: read D/<file name> instead of downloading

Each text comes from a public GitHub repository at a fixed commit (raw.githubusercontent.com). The
downloaded file must have the SHA-256 recorded below, and so must the text written from it: the
corpus's lines become paragraphs separated by blank lines (the title first), the corpus's own
metadata lines ("# url = ...") are dropped, and nothing else is changed. Stdlib only.

The repositories give no licence that covers redistributing these news texts (magizbox/scraper has
no licence; undertheseanlp/resources is GPL-3.0), so only the keys (NN.key.yaml) are committed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
RAW = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"


@dataclass(frozen=True)
class Source:
    name: str  # NN
    repo: str
    commit: str
    path: str
    raw_sha256: str  # of the file as the repository holds it
    text_sha256: str  # of NN.txt as written here

    @property
    def url(self) -> str:
        return RAW.format(repo=self.repo, commit=self.commit, path=self.path)


_BAOMOI = ("magizbox/scraper", "3387ada618569fd73517092f2215a89398d8f7ee")
_UNC = ("undertheseanlp/resources", "cbdb3c3ac065d49bd047dc55ad173181f9e846e3")

SOURCES = [
    Source(
        "01", *_BAOMOI, "vn_news/data/21478990.txt",
        "795c809738195f607f5da1347ce26a4f89f70295a9ea5cacca8223d777dcb3e1",
        "b28866c20cd6c95a5c0c6fbf6582758c24274be8b96c1fa1aa9c475862aa42e7",
    ),
    Source(
        "02", *_BAOMOI, "vn_news/data/21477752.txt",
        "7bf2402dc6cc10cb6bde4e695e3762212d73df53e1464bb875aeeb5aa2989852",
        "457e68007113d52b00c407d5cb6d4546b1f5884782411ed16a59d80e247a9ea0",
    ),
    Source(
        "03", *_BAOMOI, "vn_news/data/22626964.txt",
        "1afbf6dca7c17699181e36b7979835c69a964e85cf6427ec695bde1b05b2c98b",
        "e8cac834a31152ac51d6c0c13733a215b26870740d8eeb264a0141756b4ba547",
    ),
    Source(
        "04", *_BAOMOI, "vn_news/data/22677410.txt",
        "34a1cdc860f83ddfa71195a5ffc00b2f34c786a4395e8fc0dd04699aa5c0b1d2",
        "38ced68e4ec9f14eb9fc6a610588e12df5fdc682e56e043b1d3e4907d1f36754",
    ),
    Source(
        "05", *_BAOMOI, "vn_news/data/22265905.txt",
        "58bdd95c0f56d5b3c951778c1ec5009ad8b5a76cef27cb621a69978690b91231",
        "8c1104c8acb09f2ccceb224a67875e647e808060eafcd365b30ec8a40587c1b3",
    ),
    Source(
        "06", *_UNC, "resources/CP_Vietnamese-UNC/datasets/CP_Vietnamese-UNC/news_business_002.txt",
        "18deb7455d71882612e010b9fd8169269184b5279c613facf20c62e3781c8aa8",
        "94ff70aaa0d0c96b17141c3329f05e6eedfda559342eb0db127bcdabcfd430fe",
    ),
]  # fmt: skip


def to_text(raw: bytes) -> str:
    """The corpus file as an article: one paragraph per non-empty line, blank lines between."""
    lines = raw.decode("utf-8").splitlines()
    paragraphs = [line.strip() for line in lines if line.strip() and not line.startswith("# ")]
    return "\n\n".join(paragraphs) + "\n"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _download(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "summarizer-bench-fidelity"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def fetch(source: Source, raw_dir: Path | None) -> str:
    raw = (raw_dir / Path(source.path).name).read_bytes() if raw_dir else _download(source.url)
    if _sha256(raw) != source.raw_sha256:
        raise ValueError(f"{source.name}: {source.url} has SHA-256 {_sha256(raw)}, expected {source.raw_sha256}")
    text = to_text(raw)
    encoded = text.encode("utf-8")
    if _sha256(encoded) != source.text_sha256:
        got = _sha256(encoded)
        raise ValueError(f"{source.name}: the text written has SHA-256 {got}, expected {source.text_sha256}")
    (FOLDER / f"{source.name}.txt").write_bytes(encoded)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--force", action="store_true", help="download again even where NN.txt exists")
    parser.add_argument("--raw-dir", type=Path, help="read the corpus files from this folder instead of the web")
    args = parser.parse_args()
    failed = 0
    for source in SOURCES:
        target = FOLDER / f"{source.name}.txt"
        if target.exists() and not args.force:
            print(f"{source.name}: {target.name} already there")
            continue
        try:
            text = fetch(source, args.raw_dir)
        except (OSError, ValueError) as exc:
            print(f"{source.name}: not fetched: {exc}", file=sys.stderr)
            failed += 1
            continue
        words = len(text.split())
        print(f"{source.name}: {target.name} written ({words} words) from {source.repo}@{source.commit[:8]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
