"""A scripted OpenAI-compatible server on 127.0.0.1 for tests of transport faults and process handling.

Run as a script it serves `/v1/models` until killed (it stands in for llama.cpp's server); imported,
`ScriptedServer` answers each POST with the next scripted reply.
"""

from __future__ import annotations

import json
import sys
import threading
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


Script = list[Reply] | Callable[[dict[str, Any]], Reply]


class ScriptedServer:
    """Answers POSTs with `replies` in order (the last one repeats), or with what a function of the
    request body returns, and records the requests."""

    def __init__(self, replies: Script, port: int = 0) -> None:
        self.replies = replies
        self.requests: list[dict[str, Any]] = []
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


if __name__ == "__main__":
    ScriptedServer([Reply()], port=int(sys.argv[sys.argv.index("--port") + 1]))._httpd.serve_forever()
