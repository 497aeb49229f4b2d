"""The importable API behind ``redac rewrite``: sources in, articles (and files) out.

Each source is processed on its own: one bad source is reported and the others are still written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redac.errors import RedacError, describe
from redac.result import RewriteResult

if TYPE_CHECKING:  # pragma: no cover
    from redac.lm import LMConfig
    from redac.program import RedacProgram

DEFAULT_PROGRAM = Path(__file__).parent / "resources" / "default_program.json"


def default_program_path(lm: LMConfig | None = None) -> Path:
    """The packaged program for an LM: an embedded model with a fine-tuned adapter gets the program that
    adapter was trained for (its prompts, no demos); every other LM gets the default with few-shot demos."""
    if lm is not None and lm.provider == "embedded":
        from redac.lm.config import resolve_adapter

        adapter = resolve_adapter(lm)
        if adapter is not None and adapter.program is not None:
            return adapter.program
    return DEFAULT_PROGRAM


def load_program(path: str | Path | None = None, *, lm: LMConfig | None = None,
                 overrides: Mapping[str, Any] | None = None) -> RedacProgram:
    """A program with its saved state (instructions, demos, config). ``None`` loads the packaged default
    for ``lm`` (see :func:`default_program_path`). ``overrides``: ProgramConfig settings that win over
    the saved ones (``reasoning`` included: the predictors are built for it).

    State is JSON (``dspy.Module.save`` without pickle); nothing is unpickled.
    """
    from redac.program import build_program, load_program_state

    state_path = Path(path) if path else default_program_path(lm)
    if path and not state_path.exists():
        raise RedacError("no such program file", file=str(state_path))
    if not state_path.exists():
        return build_program(overrides)
    try:
        return load_program_state(state_path, overrides)
    except RedacError:
        raise
    except Exception as exc:  # dspy raises a variety of errors on bad state files
        raise RedacError(f"cannot load program state: {exc}", file=str(state_path)) from None


def rewrite(
    sources: Iterable[str | Path],
    *,
    lm: str | LMConfig = "embedded",
    out: str | Path | None = None,
    program: RedacProgram | str | Path | None = None,
    on_result: Callable[[RewriteResult], Any] | None = None,
) -> list[RewriteResult]:
    """Rewrite each source file into an SEO article; write ``NAME.md`` and ``NAME.json`` into ``out``.

    ``lm`` is an LM spec ("embedded", "openai/gpt-4o-mini", "replay:FILE", a YAML path) or an
    :class:`redac.lm.LMConfig`. Errors that concern the whole run (bad LM config, unreachable server)
    raise before any source is processed; errors of one source are returned in its result.
    """
    import time

    import dspy

    from redac.lm import adapter_for, build_lm, check_lm, parse_lm_spec
    from redac.sources import read_source

    cfg = parse_lm_spec(lm) if isinstance(lm, str) else lm
    check_lm(cfg)
    language_model = build_lm(cfg)
    prog = program if program is not None and not isinstance(program, (str, Path)) else load_program(program, lm=cfg)
    prog.config.context_tokens = language_model.context_window
    adapter = adapter_for(cfg)
    out_dir = Path(out) if out is not None else None
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)

    results = []
    for item in sources:
        path = Path(item)
        result = RewriteResult(name=path.stem)
        start = time.perf_counter()
        try:
            source = read_source(path)
            with dspy.context(lm=language_model, adapter=adapter):
                pred = prog(source=source)
            result.article, result.warnings = pred.article, list(pred.warnings)
            result.repairs, result.facts = list(pred.repairs), list(pred.facts)
            result.seconds = time.perf_counter() - start
            if out_dir:
                result.files = write_outputs(result, out_dir)
        except RedacError as exc:
            result.error, result.error_type = str(exc), type(exc).__name__
        except Exception as exc:  # an LM or parsing failure on one source must not lose the others
            result.error, result.error_type = f"{path}: {describe(exc)}", type(exc).__name__
        result.seconds = result.seconds or time.perf_counter() - start
        results.append(result)
        if on_result:
            on_result(result)
    return results


def write_outputs(result: RewriteResult, out_dir: Path) -> list[Path]:
    """``NAME.md`` (front matter + Markdown) and ``NAME.json`` (article, facts, warnings, repairs)."""
    assert result.article is not None
    md = out_dir / f"{result.name}.md"
    js = out_dir / f"{result.name}.json"
    md.write_text(result.markdown_document, encoding="utf-8")
    payload = result.record(seconds_digits=2)
    js.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [md, js]
