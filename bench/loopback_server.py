"""A loopback OpenAI-compatible server for benchmarks: after a fixed delay it answers every chat
completion with a valid brief draft (or, for the map step of a long article, the part's facts), and
counts requests, prompt characters and the time it spent on them.

    python bench/loopback_server.py --port 8765 --delay 0.2

`GET /stats` answers {"requests": n, "server_seconds": s, "prompt_chars": c}; `POST /stats/reset`
zeroes them.
asyncio, HTTP/1.1 keep-alive: one process serves hundreds of concurrent requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from typing import Any

_FIGURE_LINE = re.compile(r"^\[(\d+)\] ", re.MULTILINE)
SUMMARY = (
    "The city council approved a new industrial park on the outskirts of the city this week. "
    "Officials said the project would bring investment, jobs and new roads to the district, "
    "and that the first factories could open within two years. Residents welcomed the plan but "
    "asked for clear rules on land use, pollution and compensation for the farmers who would move."
)


def brief_draft(prompt: str) -> dict[str, Any]:
    """A brief draft that passes the schema, describing every numbered figure of the prompt."""
    ids = sorted({int(n) for n in _FIGURE_LINE.findall(prompt)})
    return {
        "headline": "City approves a new industrial park",
        "summary": SUMMARY,
        "key_points": [
            "The park was approved this week.",
            "Factories may open within two years.",
            "Residents asked for clear rules.",
        ],
        "figures": [{"id": n, "figure": "", "refers_to": "a figure named in the article"} for n in ids],
        "people": [],
        "organizations": [],
        "places": [],
    }


_ARTICLE = re.compile(r"<article>\n(.*?)\n</article>", re.DOTALL)


def chunk_facts(prompt: str) -> dict[str, Any]:
    """The facts of one part: the first sentence of each of its paragraphs (at most 12)."""
    found = _ARTICLE.search(prompt)
    paragraphs = [p for p in (found.group(1) if found else prompt).split("\n\n") if p.strip()]
    return {"facts": [p.split(". ")[0].rstrip(".") + "." for p in paragraphs[:12]]}


class Stats:
    """What the server did."""

    def __init__(self) -> None:
        self.requests = 0
        self.server_seconds = 0.0
        self.prompt_chars = 0


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes] | None:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return method, path, body


def _response(status: int, payload: Any) -> bytes:
    data = json.dumps(payload).encode()
    head = (
        f"HTTP/1.1 {status} OK\r\ncontent-type: application/json\r\ncontent-length: {len(data)}\r\n"
        "connection: keep-alive\r\n\r\n"
    )
    return head.encode() + data


async def serve(port: int, delay: float) -> None:
    """Serve until killed."""
    stats = Stats()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    request = await _read_request(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                if request is None:
                    return
                method, path, body = request
                started = time.perf_counter()
                if path == "/stats":
                    payload: Any = {
                        "requests": stats.requests,
                        "server_seconds": stats.server_seconds,
                        "prompt_chars": stats.prompt_chars,
                    }
                elif path == "/stats/reset":
                    stats.requests, stats.server_seconds, stats.prompt_chars = 0, 0.0, 0
                    payload = {"ok": True}
                elif method == "POST":
                    messages = json.loads(body)["messages"]
                    prompt = "\n".join(m["content"] for m in messages if isinstance(m.get("content"), str))
                    answer = chunk_facts(prompt) if "part of a longer news article" in prompt else brief_draft(prompt)
                    await asyncio.sleep(delay)
                    payload = {
                        "id": "chatcmpl-bench",
                        "object": "chat.completion",
                        "created": 0,
                        "model": "bench-model",
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": json.dumps(answer)},
                            }
                        ],
                        "usage": {"prompt_tokens": 500, "completion_tokens": 150, "total_tokens": 650},
                    }
                    stats.prompt_chars += len(prompt)
                    stats.requests += 1
                    stats.server_seconds += time.perf_counter() - started
                else:
                    payload = {"object": "list", "data": [{"id": "bench-model"}]}
                writer.write(_response(200, payload))
                await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    print(f"ready on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    """Parse the port and delay, then serve."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.2)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.delay))


if __name__ == "__main__":
    main()
