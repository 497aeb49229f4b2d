"""HTTP service over a bundle: ``redac serve BUNDLE`` (FastAPI + uvicorn).

    GET  /health       -> {"status": "ok", "bundle": ID, "redac_version", "dspy_version", "lm", "busy"}
    POST /v1/rewrite   {"source": "...", "targets": {"min_words": 700, ...}}
                       -> {"article": {...}, "markdown_document": "...", "word_count", "facts", "warnings",
                           "repairs", "seconds", "bundle"}

The answer is a :class:`redac.result.RewriteResult` as JSON: ``article.markdown`` is the body,
``markdown_document`` the front matter + body.

Every error is JSON, ``{"error": {"type", "message", ...}}``: 400 unusable source or targets, 404/405 unknown
route, 413 body or source too large, 422 request not matching the schema, 502 the LM failed or answered
something the program cannot parse, 503 busy for longer than ``busy_timeout_s``, 500 anything else (logged,
not leaked).

One rewrite runs at a time (a lock around the program): the embedded llama.cpp model is one process-wide
instance that cannot serve two generations at once, and one remote LM call sequence per request keeps the
budget predictable. Waiting requests queue on the lock. Run several processes behind a proxy to scale.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field

from redac.configfile import StrictModel

if TYPE_CHECKING:  # pragma: no cover
    from starlette.types import ASGIApp, Message, Receive, Scope, Send
    from fastapi import FastAPI

    from redac.bundle import LoadedProgram

log = logging.getLogger("redac.serve")

DEFAULT_MAX_SOURCE_CHARS = 100_000
BODY_OVERHEAD_BYTES = 16_384  # room for the JSON envelope and targets around the source


class TargetsIn(StrictModel):
    """Overrides of what the source's instruction line asked (see :class:`redac.sources.Targets`)."""

    language: str | None = Field(None, pattern=r"^[a-z]{2}$")
    min_words: int | None = Field(None, ge=50, le=5000)
    max_words: int | None = Field(None, ge=50, le=10000)
    subheadings: bool | None = None
    min_subheadings: int | None = Field(None, ge=0, le=12)
    max_subheadings: int | None = Field(None, ge=0, le=12)


class RewriteIn(StrictModel):

    source: str = Field(description="The raw source: text, Markdown or HTML; an instruction line may come first.")
    targets: TargetsIn | None = None


def error_body(kind: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, **extra}}


def _lm_label(lm: Any) -> str:
    config = getattr(lm, "redac_config", None)
    if config is not None:
        return f"{config.provider}/{config.model_name}"
    return str(getattr(lm, "model", type(lm).__name__))


def create_app(bundle_ref: str | Path | LoadedProgram, lm: Any = None, *,
               max_source_chars: int = DEFAULT_MAX_SOURCE_CHARS, max_body_bytes: int | None = None,
               busy_timeout_s: float = 600.0, check: bool = True, tracking_uri: str | None = None) -> FastAPI:
    """The FastAPI app for a bundle (path, ``models:/...`` URI, or an already loaded program).

    ``lm``: spec string, :class:`~redac.lm.LMConfig` or ``dspy.BaseLM`` (default: the bundle's own LM). The
    bundle and the LM are loaded now, so a bad bundle or LM config fails at start-up, not on the first request;
    ``check`` also runs the LM preflight (server reachable, model file present).
    """
    import dspy
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    from redac import __version__
    from redac.bundle import LoadedProgram, default_lm_config, load
    from redac.errors import ConfigError, LMError, RedacError, SourceError, describe

    loaded = bundle_ref if isinstance(bundle_ref, LoadedProgram) else load(bundle_ref, tracking_uri=tracking_uri)
    if check and not isinstance(lm, dspy.BaseLM):
        from redac.lm import LMConfig, check_lm, parse_lm_spec

        if lm is None:
            cfg = default_lm_config(loaded.manifest)
        else:
            cfg = parse_lm_spec(lm) if isinstance(lm, str) else lm
        if not isinstance(cfg, LMConfig):
            raise ConfigError(f"lm must be a spec string, an LMConfig or a dspy.BaseLM, not {type(lm).__name__}",
                              field="lm")
        check_lm(cfg)
        lm = cfg
    language_model, _ = loaded.resolve_lm(lm)
    # 6 bytes a character covers a source sent with ASCII-only JSON escapes (\u00e9); the exact cap is on characters.
    body_limit = max_body_bytes if max_body_bytes is not None else max_source_chars * 6 + BODY_OVERHEAD_BYTES
    lock = threading.Lock()

    app = FastAPI(title="redac", version=__version__,
                  description="French news source -> French SEO article, from a compiled redac bundle.")
    app.state.loaded = loaded
    app.state.lock = lock
    app.add_middleware(BodyLimit, max_bytes=body_limit)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"loc": [str(p) for p in err.get("loc", ())], "message": str(err.get("msg", ""))}
                   for err in exc.errors()]
        loc: list[str] = details[0]["loc"] if details else []  # type: ignore[assignment]
        first_message = str(details[0]["message"]) if details else "invalid request"
        where = ".".join(p for p in loc if p != "body")
        message = f"{where}: {first_message}" if where else first_message
        return JSONResponse(error_body("validation_error", message, details=details), status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        kinds = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}
        message = f"request body is over {body_limit} bytes" if exc.status_code == 413 else str(exc.detail)
        return JSONResponse(error_body(kinds.get(exc.status_code, "http_error"), message),
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.get("/health")
    async def health() -> dict[str, Any]:  # async: answers even while every worker thread waits on the lock
        return {"status": "ok", "bundle": loaded.id, "redac_version": __version__,
                "bundle_redac_version": loaded.manifest.redac_version, "dspy_version": dspy.__version__,
                "bundle_dspy_version": loaded.manifest.dspy_version, "lm": _lm_label(language_model),
                "max_source_chars": max_source_chars, "busy": lock.locked()}

    @app.post("/v1/rewrite")
    def rewrite(body: RewriteIn) -> JSONResponse:  # sync: FastAPI runs it in a worker thread
        if len(body.source) > max_source_chars:
            return JSONResponse(error_body("payload_too_large", f"source has {len(body.source)} characters; "
                                           f"the limit is {max_source_chars}"), status_code=413)
        targets = body.targets.model_dump(exclude_none=True) if body.targets else None
        if not lock.acquire(timeout=busy_timeout_s):
            return JSONResponse(error_body("busy", f"waited {busy_timeout_s:g} s for the rewrites ahead; retry later"),
                                status_code=503, headers={"Retry-After": "30"})
        try:
            result = loaded.run(body.source, lm=language_model, targets=targets, name="request")
        except SourceError as exc:
            return JSONResponse(error_body("source_error", exc.message), status_code=400)
        except ConfigError as exc:
            if (exc.field or "").startswith("targets."):  # targets the program cannot honour
                return JSONResponse(error_body("invalid_targets", str(exc)), status_code=400)
            log.error("configuration error while serving: %s", exc)
            return JSONResponse(error_body("config_error", str(exc)), status_code=500)
        except LMError as exc:
            log.warning("LM failure: %s", exc)
            return JSONResponse(error_body("lm_error", str(exc)), status_code=502)
        except RedacError as exc:  # user-facing messages, never secrets
            log.error("rewrite failed: %s", exc)
            return JSONResponse(error_body(type(exc).__name__, str(exc)), status_code=500)
        except Exception as exc:
            if _is_lm_failure(exc):
                log.warning("LM failure: %s: %s", type(exc).__name__, exc)
                return JSONResponse(error_body("lm_error", describe(exc)), status_code=502)
            log.exception("rewrite failed")
            return JSONResponse(error_body("internal_error", f"{type(exc).__name__} (see the server log)"),
                                status_code=500)
        finally:
            lock.release()
        record = result.record(seconds_digits=3)
        return JSONResponse({"article": record.pop("article"), "markdown_document": result.markdown_document,
                             **record, "bundle": loaded.id})

    return app


def _is_lm_failure(exc: Exception) -> bool:
    """DSPy's own LM errors and unparseable answers: the upstream model failed, not the request."""
    from dspy.utils.exceptions import AdapterParseError

    try:
        from dspy.utils.exceptions import LMError as DSPyLMError
    except ImportError:  # pragma: no cover - older DSPy
        DSPyLMError = ()
    return isinstance(exc, (AdapterParseError, DSPyLMError))


class BodyLimit:
    """ASGI middleware: a JSON 413 before reading a body whose Content-Length is over the limit, and while
    reading a chunked one as soon as it passes the limit, so nothing large is buffered.

    (FastAPI's own ``max_body_size`` answers a Content-Length overflow in text/plain, replacing any handler's
    response; this service promises JSON errors.)
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._reject(send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    from starlette.exceptions import HTTPException

                    # FastAPI's body reader lets HTTPException through; the app's handler renders it as JSON.
                    raise HTTPException(413, f"request body is over {self.max_bytes} bytes")
            return message

        await self.app(scope, limited, send)

    async def _reject(self, send: Send) -> None:
        data = json.dumps(error_body("payload_too_large", f"request body is over {self.max_bytes} bytes")).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": data})


def serve_command(bundle: str, host: str = "127.0.0.1", port: int = 8000, lm: str | None = None,
                  max_source_chars: int = DEFAULT_MAX_SOURCE_CHARS, tracking_uri: str | None = None,
                  log_level: str = "info") -> None:
    """Body of ``redac serve``: load the bundle and the LM (failing fast), then run uvicorn until Ctrl-C."""
    import uvicorn

    started = time.perf_counter()
    app = create_app(bundle, lm, max_source_chars=max_source_chars, tracking_uri=tracking_uri)
    loaded = app.state.loaded
    for warning in loaded.warnings:
        log.warning("%s", warning)
    print(f"redac serve: bundle {loaded.id} from {loaded.path} ready in {time.perf_counter() - started:.1f} s; "
          f"http://{host}:{port}/health", flush=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=5)
