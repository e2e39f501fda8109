"""The README's picture of the desk: the brief of the Vietnamese seed, its "$1.6 billion" clicked.

    python docs/desk_screenshot.py OUT_DIR docs/desk-brief.png

OUT_DIR is a batch's output folder holding the seed's brief (`summarizer batch seeds/ -o OUT_DIR`).
Needs Playwright (the test extra) and Chromium from the distribution (apt-get install chromium).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

from summarizer import resolve_settings
from summarizer._desk import open_desk

SEED = "000_80db828453ebe2ea.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("picture", type=Path)
    parser.add_argument("--input", default=SEED, help="the article's name in the manifest")
    parser.add_argument("--click", default="$1.6 billion", help="the figure to click")
    args = parser.parse_args()
    # Only reads: no backend is started (the settings name one so that none is looked for).
    server = open_desk(args.folder, resolve_settings(base_url="http://127.0.0.1:9/v1", model="none", env={}))
    server.start()
    chromium = shutil.which("chromium") or "chromium"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
            )
            page = browser.new_page(viewport={"width": 1280, "height": 820})
            page.goto(f"{server.url}#/a/{quote(args.input)}")
            page.wait_for_selector(".brief .headline")
            page.locator(".brief .mark", has_text=args.click).first.click()
            page.screenshot(path=str(args.picture))
            browser.close()
    finally:
        server.close()


if __name__ == "__main__":
    main()
