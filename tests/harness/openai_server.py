"""A scripted OpenAI-compatible Chat Completions server on localhost, for tests and benchmarks.

Real HTTP (stdlib server in a thread), real SSE streaming and tool calls, and a log of every
request it received:

    with ScriptedOpenAI() as server:
        server.script(Reply(text="Hello there. How are you?"),
                      Reply(tool_calls=[Call("control_device", {"device": "x", ...})]))
        ... point the openai SDK at server.base_url ...
        server.requests[0].body["messages"]

Replies are used in order; when the script runs out, `default` answers. `token_interval`
paces the stream (seconds per token), `delay` holds the first byte back (for timeouts).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Call:
    name: str
    arguments: dict[str, Any] | str  # a str is sent as is (to test invalid JSON)
    id: str | None = None

    def raw_arguments(self) -> str:
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[Call] = field(default_factory=list)
    delay: float = 0.0
    token_interval: float | None = None
    status: int = 200
    echo_key: bool = False  # an error body quoting the Authorization header, as some servers do


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # names in lower case
    body: dict[str, Any]
    at: float

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def tool_names(self) -> list[str]:
        return [t["function"]["name"] for t in self.body.get("tools", [])]


def tokens(text: str) -> list[str]:
    """Word-ish tokens with their leading space, punctuation separate, like a real tokenizer."""
    return re.findall(r"\s*[\w']+|\s*[^\w\s]", text)


class ScriptedOpenAI:
    def __init__(self, *, token_interval: float = 0.0, model: str = "scripted") -> None:
        self.token_interval = token_interval
        self.model = model
        self.default = Reply(text="I'm not sure.")
        self.requests: list[Received] = []
        self._script: list[Reply] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control ------------------------------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._script.pop(0) if self._script else self.default

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> ScriptedOpenAI:
        handler = type("Handler", (_Handler,), {"owner": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a delay so they end now
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        deadline = time.monotonic() + 5
        while any(t.name.startswith("openai-scripted") for t in threading.enumerate()):
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)

    def __enter__(self) -> ScriptedOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the server is stopping; True if it is."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()


class _Handler(BaseHTTPRequestHandler):
    owner: ScriptedOpenAI
    protocol_version = "HTTP/1.0"  # one response per connection: no chunked encoding needed

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [
                {"id": self.owner.model, "object": "model", "owned_by": "tests"}]})
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        threading.current_thread().name = "openai-scripted-handler"
        length = int(self.headers.get("content-length", 0))
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            self._json(400, {"error": {"message": "invalid JSON"}})
            return
        owner = self.owner
        headers = {k.lower(): v for k, v in self.headers.items()}
        owner.requests.append(Received(self.path, headers, body, time.time()))
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._json(404, {"error": {"message": f"no route {self.path}"}})
            return
        reply = owner._next_reply()
        if owner.sleep(reply.delay):
            return
        if reply.status != 200:
            message = "scripted failure"
            if reply.echo_key:
                message = f"Incorrect API key provided: {headers.get('authorization', '')}"
            self._json(reply.status, {"error": {"message": message, "type": "server_error"}})
            return
        try:
            if body.get("stream"):
                self._stream(reply)
            else:
                self._complete(reply)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to do

    def _json(self, status: int, data: dict[str, Any]) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _complete(self, reply: Reply) -> None:
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
        if reply.tool_calls:
            message["tool_calls"] = [
                {"id": c.id or f"call_{i}", "type": "function",
                 "function": {"name": c.name, "arguments": c.raw_arguments()}}
                for i, c in enumerate(reply.tool_calls)]
        self._json(200, {
            "id": "chatcmpl-scripted", "object": "chat.completion", "created": int(time.time()),
            "model": self.owner.model,
            "choices": [{"index": 0, "message": message,
                         "finish_reason": "tool_calls" if reply.tool_calls else "stop"}]})

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> None:
        data = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": self.owner.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        self.wfile.write(b"data: " + json.dumps(data).encode() + b"\n\n")
        self.wfile.flush()

    def _stream(self, reply: Reply) -> None:
        interval = (reply.token_interval if reply.token_interval is not None
                    else self.owner.token_interval)
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.end_headers()
        self._chunk({"role": "assistant", "content": ""})
        for token in tokens(reply.text):
            if self.owner.sleep(interval):
                return
            self._chunk({"content": token})
        for index, call in enumerate(reply.tool_calls):
            raw = call.raw_arguments()
            self._chunk({"tool_calls": [{"index": index, "id": call.id or f"call_{index}",
                                         "type": "function",
                                         "function": {"name": call.name, "arguments": ""}}]})
            half = len(raw) // 2  # arguments arrive in pieces, as real servers send them
            for piece in (raw[:half], raw[half:]):
                self._chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        self._chunk({}, "tool_calls" if reply.tool_calls else "stop")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
