"""A scripted OpenAI-compatible server on 127.0.0.1 for tests of transport faults and process handling.

Run as a script it serves `/v1/models` and short completions until killed (it stands in for llama-server); imported,
`ScriptedServer` answers each POST with the next scripted reply.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted HTTP answer."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def chat_completion(content: str, *, prompt_tokens: int = 10, completion_tokens: int = 5) -> dict[str, Any]:
    """A chat completion body whose message is `content`."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def paragraph_numbers(body: dict[str, Any] | str) -> list[int]:
    """The numbers of the paragraphs a translation request (its body or its user message) asks for;
    none for any other request."""
    user = body if isinstance(body, str) else body["messages"][1]["content"]
    if "<paragraphs>" not in user:
        return []
    return [int(n) for n in re.findall(r"^\[(\d+)\]", user.split("<paragraphs>")[1], re.MULTILINE)]


def is_part_points_request(body: dict[str, Any]) -> bool:
    """Whether `body` asks for the key points of one part of an article."""
    return "key points of one part of" in body["messages"][0]["content"]


def part_points_reply(body: dict[str, Any]) -> Reply:
    """The answer to a request for a part's key points that a careful model would give: the part's
    own sentences that state its starred figures, then its first sentences, as many as the fewest
    asked, and a description of each of its numbered figures (the tests of other stages script only
    those)."""
    user = body["messages"][1]["content"]
    part = user.split("<part>", 1)[1].split("</part>", 1)[0].strip()
    asked = re.search(r"^Write (\d+)(?: to (\d+))?", user, re.MULTILINE)
    assert asked is not None, user
    fewest, most = int(asked[1]), int(asked[2] or asked[1])
    listed = user.split("to be written exactly as listed:", 1)[1].split("\n\n", 1)[0]
    starred = [line.split("] ", 1)[1].removesuffix(" *") for line in listed.splitlines() if line.endswith(" *")]
    # Not the note of figures a translation lost (ours, not the article's: a careful model restates them).
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n\n", part) if s.strip() and not s.startswith("(")]
    stating = [s for s in sentences if any(figure in s for figure in starred)]
    points = [*stating, *(s for s in sentences if s not in stating)][: min(most, max(fewest, len(stating)))]
    answer = {"points": sorted(points, key=sentences.index), "figures": figure_notes(user)}
    return Reply(body=chat_completion(json.dumps(answer)))


def figure_notes(prompt: str) -> list[dict[str, Any]]:
    """A description of each numbered figure of a part's request."""
    return [{"id": int(n), "refers_to": "a figure of the part"} for n in re.findall(r"^\[(\d+)\] ", prompt, re.M)]


Script = list[Reply] | Callable[[dict[str, Any]], Reply]


class ScriptedServer:
    """Answers POSTs with `replies` in order (the last one repeats), or with what a function of the
    request body returns, and records the requests. A brief's requests for the key points of its
    parts are answered by `parts` (the part's own sentences, unless told otherwise) and recorded in
    `part_requests` instead, so that a script is that of the other requests."""

    def __init__(
        self, replies: Script, port: int = 0, parts: Callable[[dict[str, Any]], Reply] | None = part_points_reply
    ) -> None:
        self.replies = replies
        self.parts = parts
        self.requests: list[dict[str, Any]] = []
        self.part_requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._send(Reply(body={"object": "list", "data": [{"id": "test-model"}]}))

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length))
                if outer.parts is not None and is_part_points_request(body):
                    with outer.lock:
                        outer.part_requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    self._send(outer.parts(body))
                    return
                with outer.lock:
                    outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    count = len(outer.requests)
                if callable(outer.replies):
                    self._send(outer.replies(body))
                else:
                    self._send(outer.replies[min(count, len(outer.replies)) - 1])

            def _send(self, reply: Reply) -> None:
                data = json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@dataclass
class Fault(Reply):
    """A scripted answer that may misbehave: sent late, sent as raw bytes, or never sent."""

    raw: bytes | None = None
    """Sent verbatim as the body (with `content_type`) instead of `body` as JSON."""
    content_type: str = "application/json"
    delay: float = 0.0
    """Seconds to wait before answering (cut short when the server stops)."""
    drop: bool = False
    """Close the connection without answering."""


FaultScript = list[Reply] | Callable[[dict[str, Any], int], Reply]


class FaultServer:
    """Like `ScriptedServer`, but replies may be `Fault`s, a function also gets the 1-based number of
    the request, and each recorded request holds `at`: the `time.monotonic()` of its arrival. A
    brief's requests for its parts' key points are answered by `parts`, as there."""

    def __init__(
        self, replies: FaultScript, parts: Callable[[dict[str, Any]], Reply] | None = part_points_reply
    ) -> None:
        self.replies = replies
        self.parts = parts
        self.requests: list[dict[str, Any]] = []
        self.part_requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                arrived = time.monotonic()
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length))
                record = {"path": self.path, "headers": dict(self.headers), "body": body, "at": arrived}
                if outer.parts is not None and is_part_points_request(body):
                    with outer.lock:
                        outer.part_requests.append(record)
                    reply = outer.parts(body)
                else:
                    with outer.lock:
                        outer.requests.append(record)
                        count = len(outer.requests)
                    if callable(outer.replies):
                        reply = outer.replies(body, count)
                    else:
                        reply = outer.replies[min(count, len(outer.replies)) - 1]
                fault = reply if isinstance(reply, Fault) else Fault(reply.status, reply.body, reply.headers)
                if fault.delay and outer.stopping.wait(fault.delay):
                    fault = Fault(drop=True)
                if fault.drop:
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                data = fault.raw if fault.raw is not None else json.dumps(fault.body).encode()
                self.send_response(fault.status)
                self.send_header("content-type", fault.content_type)
                self.send_header("content-length", str(len(data)))
                for name, value in fault.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll interval: shutting down waits for the next poll (0.5 s by default).
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def env(self, **extra: str) -> dict[str, str]:
        """The CLI environment for this server: model "m", no transport retries unless `extra` says so."""
        return {"OPENAI_BASE_URL": self.base_url, "SUMMARIZER_MODEL": "m", "SUMMARIZER_RETRIES": "0", **extra}

    def arrivals(self, predicate: Callable[[dict[str, Any]], bool] = lambda body: True) -> list[float]:
        """Arrival times of the requests whose body meets `predicate`."""
        with self.lock:
            return [request["at"] for request in self.requests if predicate(request["body"])]

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()


if __name__ == "__main__":
    # Answers every POST, the embedded server's start-up probe among them, with a short completion.
    ScriptedServer(
        [Reply(body=chat_completion("Yes"))], port=int(sys.argv[sys.argv.index("--port") + 1])
    )._httpd.serve_forever()
