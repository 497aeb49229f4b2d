"""`redac serve`: a real uvicorn server on 127.0.0.1, real HTTP requests, JSON everywhere.

The LM is redac's real OpenAI-compatible backend talking over HTTP to a local fake server
(``conftest_lm.FakeOpenAI``) whose answers are extractive: facts are the source's sentences (split by
``redac.text.sentences``), the plan and sections are cut from those facts. So every request runs the whole
program (clean -> extract -> plan -> write -> Article) on real French text, deterministically and offline.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from tests.support.lm_servers import FakeOpenAI, free_port

from tests.conftest import ROOT, SEEDS
from redac.program import (
    RedacProgram,
    clip,
    demos_from_records,
    fallback_keyphrase,
    with_demos,
)
from redac.text import sentences

DATASET = ROOT / "datasets" / "redac-fr-news" / "redac-fr-news.jsonl"
MAX_CHARS = 20_000


# ---- an extractive OpenAI-compatible fake (shared with test_export) ------------------------


def _field(text: str, name: str) -> str:
    match = re.search(rf"\[\[ ## {name} ## \]\]\n(.*?)(?=\n\n\[\[ ## |\n\nRespond with|\Z)", text, re.DOTALL)
    return match.group(1).strip() if match else ""


def extractive_reply(body: dict) -> str:
    """ChatAdapter-formatted answer built from the request's own input fields (never from elsewhere)."""
    last = body["messages"][-1]["content"]
    if "[[ ## source ## ]]" in last:
        fields = {"facts": json.dumps(sentences(_field(last, "source")), ensure_ascii=False)}
    elif "[[ ## sections ## ]]" in last:
        facts = json.loads(_field(last, "facts"))
        n = int(_field(last, "sections") or 3)
        keyphrase = " ".join(fallback_keyphrase(facts).split()[:4])
        fields = {"keyphrase": keyphrase, "title": clip(f"{keyphrase} : {facts[0]}", 60),
                  "meta_description": clip(" ".join(facts[:2]), 150),
                  "outline": json.dumps([f"## {clip(f.rstrip('.'), 50)}" for f in facts[1:n + 1]], ensure_ascii=False)}
    elif "[[ ## heading ## ]]" in last:
        facts = json.loads(_field(last, "facts"))
        fields = {"text": "\n\n".join(" ".join(facts[i:i + 3]) for i in range(0, len(facts), 3))}
    else:
        raise AssertionError(f"unexpected request: {last[:200]}")
    return "".join(f"[[ ## {k} ## ]]\n{v}\n\n" for k, v in fields.items()) + "[[ ## completed ## ]]"


def make_fake() -> FakeOpenAI:
    fake = FakeOpenAI()
    fake.reply = extractive_reply
    fake.thread.start()
    return fake


def stop_fake(fake: FakeOpenAI) -> None:
    fake.server.shutdown()
    fake.server.server_close()


def program_with_demos(path: Path) -> Path:
    """The default program with labelled demos from two train pairs, saved as JSON state."""
    from redac.dataset import load_jsonl

    records = [r for r in load_jsonl(DATASET) if r.split == "train"]
    with_demos(RedacProgram(), demos_from_records(records, k=2)).save(str(path))
    return path


# ---- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    from redac.bundle import export

    tmp = tmp_path_factory.mktemp("serve")
    return export(program_with_demos(tmp / "program.json"), tmp / "bundle", register=False).bundle


@pytest.fixture(scope="module")
def fake():
    fake = make_fake()
    yield fake
    stop_fake(fake)


@pytest.fixture(scope="module")
def server(bundle, fake, tmp_path_factory):
    """uvicorn in a thread, serving the bundle with the fake LM (cache off, no retries: each request is live)."""
    import uvicorn

    from redac.lm import LMConfig
    from redac.serve import create_app

    lm = LMConfig(provider="openai_compatible", api_base=fake.api_base, model="fake-model", cache=False,
                  num_retries=0, timeout_s=10)
    app = create_app(bundle, lm, max_source_chars=MAX_CHARS)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


def post(base: str, payload=None, **kw) -> httpx.Response:
    if payload is not None:
        kw["json"] = payload
    return httpx.post(f"{base}/v1/rewrite", timeout=30, **kw)


def assert_error(response: httpx.Response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["type"] == kind and error["message"], error
    return error


# ---- tests -----------------------------------------------------------------------------------


def test_health_names_the_bundle_and_versions(server, bundle):
    import dspy

    from redac import __version__

    data = httpx.get(f"{server}/health", timeout=5).json()
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert data["status"] == "ok" and data["bundle"] == manifest["id"]
    assert data["redac_version"] == __version__ and data["dspy_version"] == dspy.__version__
    assert data["lm"] == "openai_compatible/fake-model" and data["busy"] is False


def test_rewrite_returns_an_article_built_from_the_source(server, fake):
    raw = (SEEDS / "source_003.txt").read_text(encoding="utf-8")
    before = len(fake.posts)
    response = post(server, {"source": raw})
    assert response.status_code == 200, response.text
    data = response.json()
    article = data["article"]
    assert article["title"] and article["slug"] and article["keyphrase"]
    assert article["markdown"].startswith(f"# {article['title']}\n")
    # `markdown` is the body everywhere (Article.markdown); the front matter + body form is `markdown_document`
    assert "markdown" not in data and data["markdown_document"].startswith("---\n")
    assert article["markdown"].strip() in data["markdown_document"]
    assert data["facts"] and all(fact in raw.replace("’", "'") or fact in raw for fact in data["facts"][:3])
    assert "Poutine" in article["markdown"] and data["word_count"] > 200
    assert data["seconds"] > 0 and isinstance(data["warnings"], list) and isinstance(data["repairs"], list)
    assert len(fake.posts) - before >= 3  # extract, plan, and one call per section went over HTTP


def test_targets_override_the_instruction(server):
    raw = (SEEDS / "source_000.txt").read_text(encoding="utf-8")
    data = post(server, {"source": raw, "targets": {"max_subheadings": 2, "min_words": 300}}).json()
    h2 = [line for line in data["article"]["markdown"].splitlines() if line.startswith("## ")]
    assert len(h2) == 2


@pytest.mark.parametrize("payload, where", [
    ({}, "source"),
    ({"source": 12}, "source"),
    ({"source": "Texte.", "extra": 1}, "extra"),
    ({"source": "Texte.", "targets": {"min_words": 10}}, "targets.min_words"),
    ({"source": "Texte.", "targets": {"colour": "bleu"}}, "targets.colour"),
])
def test_invalid_requests_are_422_json(server, payload, where):
    error = assert_error(post(server, payload), 422, "validation_error")
    assert error["message"].startswith(where) and error["details"]


def test_malformed_json_is_422(server):
    response = post(server, content=b'{"source": "x"', headers={"content-type": "application/json"})
    assert_error(response, 422, "validation_error")


def test_body_over_the_limit_is_413_before_reading(server):
    huge = json.dumps({"source": "a" * (MAX_CHARS * 7)})
    assert_error(post(server, content=huge.encode(), headers={"content-type": "application/json"}), 413,
                 "payload_too_large")


def test_chunked_body_over_the_limit_is_413(server):
    def chunks():
        yield b'{"source": "'
        for _ in range(MAX_CHARS * 7 // 10_000 + 1):
            yield b"a" * 10_000
        yield b'"}'

    assert_error(post(server, content=chunks(), headers={"content-type": "application/json"}), 413,
                 "payload_too_large")


def test_source_over_the_character_limit_is_413(server):
    error = assert_error(post(server, {"source": "é" * (MAX_CHARS + 1)}), 413, "payload_too_large")
    assert str(MAX_CHARS) in error["message"]


@pytest.mark.parametrize("source, message", [
    ("   \n ", "source is empty"),
    ("<html><body><nav>Accueil</nav><nav>Menu</nav></body></html>", "empty after cleaning"),
])
def test_unusable_source_is_400_with_the_source_error(server, source, message):
    error = assert_error(post(server, {"source": source}), 400, "source_error")
    assert message in error["message"]


def test_lm_failure_is_502(server, fake):
    fake.script.append(400)
    try:
        error = assert_error(post(server, {"source": (SEEDS / "source_003.txt").read_text(encoding="utf-8")}),
                             502, "lm_error")
    finally:
        fake.script.clear()
    assert "HTTP 400" in error["message"]


def test_unknown_routes_are_json(server):
    assert_error(httpx.get(f"{server}/nope", timeout=5), 404, "not_found")
    assert_error(httpx.get(f"{server}/v1/rewrite", timeout=5), 405, "method_not_allowed")


def test_one_rewrite_at_a_time(server, fake):
    """Concurrent requests queue on the server's lock: the LM never sees two requests' calls interleaved."""
    state = {"now": 0, "max": 0}
    guard = threading.Lock()

    def slow_reply(body: dict) -> str:
        with guard:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.03)
        with guard:
            state["now"] -= 1
        return extractive_reply(body)

    fake.reply = slow_reply
    raws = [(SEEDS / f"source_00{i}.txt").read_text(encoding="utf-8") for i in (0, 1, 3)]
    results: list[int] = []
    try:
        threads = [threading.Thread(target=lambda r=r: results.append(post(server, {"source": r}).status_code))
                   for r in raws]
        for t in threads:
            t.start()
        busy = []
        while any(t.is_alive() for t in threads):  # /health answers while rewrites hold the lock
            busy.append(httpx.get(f"{server}/health", timeout=5).json()["busy"])
            time.sleep(0.01)
        for t in threads:
            t.join(60)
    finally:
        fake.reply = extractive_reply
    assert results == [200, 200, 200]
    assert state["max"] == 1 and True in busy


def test_serve_command_runs_uvicorn_in_a_subprocess(bundle, fake, tmp_path):
    """`redac serve BUNDLE --lm SPEC`: starts, answers, stops on SIGTERM."""
    port = free_port()
    env = {**os.environ, "REDAC_CACHE_DIR": str(tmp_path / "cache"), "PYTHONUNBUFFERED": "1"}
    log_path = tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "redac.cli", "serve", str(bundle), "--port", str(port), "--lm",
                                 f"openai_compatible:{fake.api_base}@fake-model"], stdout=log,
                                stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 40
        while True:
            assert proc.poll() is None, log_path.read_text(errors="replace")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "redac serve did not answer /health within 40 s"
            time.sleep(0.2)
        response = post(base, {"source": (SEEDS / "source_004.txt").read_text(encoding="utf-8")})
        assert response.status_code == 200, response.text
        assert response.json()["article"]["title"]
        assert "Lire aussi" not in response.json()["article"]["markdown"]  # boilerplate cleaned before the LM
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    output = log_path.read_text(errors="replace")
    # uvicorn shuts down gracefully, then re-raises SIGTERM (exit status -15) as a well-behaved server does
    assert "ready" in output and "Finished server process" in output and proc.returncode in (0, -15), output


def test_serve_command_fails_fast_on_a_bad_bundle(tmp_path):
    result = subprocess.run([sys.executable, "-m", "redac.cli", "serve", str(tmp_path / "missing")], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == f"error: {tmp_path / 'missing'}: no such bundle directory"
