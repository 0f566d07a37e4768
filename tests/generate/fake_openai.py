"""A tiny OpenAI-compatible chat completions server for the generate tests, run as its own process.

    python fake_openai.py            # prints "PORT <n>" on stdout once listening on 127.0.0.1

`POST …/chat/completions` answers according to a marker in the request (put it in the tour goal):

    (none)            one entry per `"step_id": N` found in the user prompt, in order
    [[reverse]]       the same, in reverse order
    [[extra-index]]   the normal answer plus an entry for the unknown index 99
    [[bad-json]]      message content that is not JSON
    [[wrong-shape]]   valid JSON that does not match the schema
    [[refusal]]       a refusal (content null, refusal text)
    [[http-500]]      HTTP 500 with an OpenAI-style error body
    [[sleep-N]]       sleep N seconds, then the normal answer

`GET /_last` returns the last completions request as `{"path", "headers", "body"}` (404 before any);
`GET /_count` how many completions requests arrived.
"""

import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STEP_ID = re.compile(r'"step_id":\s*(\d+)')
SLEEP = re.compile(r"\[\[sleep-(\d+(?:\.\d+)?)\]\]")

_last: dict | None = None
_count = 0
_lock = threading.Lock()


def user_text(body: dict) -> str:
    parts = []
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts.extend(p.get("text", "") for p in content if isinstance(p, dict))
    return "\n".join(parts)


def completion(content: str | None, refusal: str | None = None, model: str = "fake") -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content, "refusal": refusal},
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def answer(body: dict) -> tuple[int, dict]:
    text = user_text(body)
    model = body.get("model", "fake")
    if "[[http-500]]" in text:
        return 500, {"error": {"message": "boom", "type": "server_error", "param": None, "code": None}}
    if "[[refusal]]" in text:
        return 200, completion(None, refusal="I'm sorry, I can't help with that.", model=model)
    if "[[bad-json]]" in text:
        return 200, completion('{"steps": [ this is not json', model=model)
    if "[[wrong-shape]]" in text:
        return 200, completion(json.dumps({"steps": [{"step_id": "zero", "heading": "x"}]}), model=model)
    sleep = SLEEP.search(text)
    if sleep:
        time.sleep(float(sleep.group(1)))
    # Only the user message lists steps (the system prompt has no step_id numbers).
    indices = [int(n) for n in STEP_ID.findall(text)]
    if "[[reverse]]" in text:
        indices.reverse()
    if "[[extra-index]]" in text:
        indices.append(99)
    steps = [{"step_id": i, "title": f"Title {i}", "description": f"Description of step {i}."} for i in indices]
    return 200, completion(json.dumps({"steps": steps}), model=model)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # keep the test output quiet
        pass

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/_count":
            with _lock:
                self._send(200, {"count": _count})
        elif self.path == "/_last":
            with _lock:
                last = _last
            self._send(200, last) if last is not None else self._send(404, {"error": "no request yet"})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        global _last, _count
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": {"message": f"unknown path {self.path}"}})
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send(400, {"error": {"message": "invalid JSON body"}})
            return
        with _lock:
            _count += 1
            _last = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        status, payload = answer(body)
        try:
            self._send(status, payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
