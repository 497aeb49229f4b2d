"""A bundle loaded for use: a callable that turns a raw source into an article with any LM, thread-safe, one
LM and one context-sized program copy built per LM and reused."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from redac.bundle.default_lm import default_lm_config
from redac.bundle.manifest import Manifest
from redac.errors import ConfigError
from redac.result import RewriteResult

if TYPE_CHECKING:  # pragma: no cover
    from redac.article import Article
    from redac.program import RedacProgram


class LoadedProgram:
    """A bundle loaded for use: ``loaded(raw_source) -> Article``; ``loaded.run(...)`` for the details.

    ``lm`` (per call or as the default) is an LM spec (``"openai/gpt-4o-mini"``, ``"embedded"``, ``"replay:F"``),
    an :class:`~redac.lm.LMConfig`, or any ``dspy.BaseLM``; without one, the LM the program was compiled with is
    rebuilt from the manifest (API keys come from the environment variable it names). Calls are thread-safe for
    remote LMs; the embedded model serialises its own calls.
    """

    def __init__(self, path: Path, manifest: Manifest, program: RedacProgram, warnings: list[str]) -> None:
        self.path = path
        self.manifest = manifest
        self.program = program
        self.warnings = warnings
        self._lms: dict[Any, tuple[Any, Any]] = {}
        self._programs: dict[int, RedacProgram] = {}
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        return self.manifest.id

    def __repr__(self) -> str:
        return f"LoadedProgram(id={self.id!r}, path={str(self.path)!r})"

    def __call__(self, raw_source: str, *, lm: Any = None, targets: Mapping[str, Any] | None = None) -> Article:
        article = self.run(raw_source, lm=lm, targets=targets).article
        assert article is not None  # run raises instead of returning an error
        return article

    def run(self, raw_source: str, *, lm: Any = None, targets: Mapping[str, Any] | None = None,
            name: str = "source") -> RewriteResult:
        """Clean the raw source, run the program, return the article with facts, warnings and repairs.

        Raises :class:`~redac.errors.SourceError` for an unusable source, :class:`~redac.errors.LMError`
        when the LM fails, :class:`~redac.errors.ConfigError` for bad targets or LM settings.
        """
        import dspy

        from redac.sources import Targets, clean

        start = time.perf_counter()
        source = clean(raw_source, name=name)
        if targets:
            unknown = sorted(set(targets) - set(Targets.model_fields))
            if unknown:
                raise ConfigError(f"unknown target {unknown[0]!r}", field=f"targets.{unknown[0]}")
            try:
                Targets.model_validate({**source.targets.model_dump(), **dict(targets)})
            except ValidationError as exc:
                err = exc.errors()[0]
                raise ConfigError(err["msg"], field="targets." + ".".join(str(p) for p in err["loc"])) from None
        language_model, adapter = self.resolve_lm(lm)
        program = self._program_for(getattr(language_model, "context_window", None))
        with dspy.context(lm=language_model, adapter=adapter):
            pred = program(source=source, targets=dict(targets) if targets else None)
        return RewriteResult(name=name, article=pred.article, facts=list(pred.facts), warnings=list(pred.warnings),
                             repairs=list(pred.repairs), seconds=time.perf_counter() - start)

    def resolve_lm(self, lm: Any = None) -> tuple[Any, Any]:
        """``(dspy LM, adapter)`` for a call; built once per spec/config and reused."""
        import dspy

        from redac.lm import LMConfig, adapter_for, build_lm, parse_lm_spec

        if isinstance(lm, dspy.BaseLM):
            config = getattr(lm, "redac_config", None)
            if isinstance(config, LMConfig):
                return lm, adapter_for(config)
            own = getattr(lm, "adapter", None)  # DummyLM formats its answers for this adapter
            return lm, own if isinstance(own, dspy.Adapter) else dspy.ChatAdapter()
        key = lm.model_dump_json() if isinstance(lm, LMConfig) else lm
        with self._lock:
            if key not in self._lms:
                if lm is None:
                    cfg = default_lm_config(self.manifest)
                elif isinstance(lm, str):
                    cfg = parse_lm_spec(lm)
                elif isinstance(lm, LMConfig):
                    cfg = lm
                else:
                    raise ConfigError(f"lm must be a spec string, an LMConfig or a dspy.BaseLM, not "
                                      f"{type(lm).__name__}", field="lm")
                self._lms[key] = (build_lm(cfg), adapter_for(cfg))
            return self._lms[key]

    def _program_for(self, context_window: int | None) -> RedacProgram:
        """The program sized for an LM's context window (a copy per window, so concurrent LMs never race)."""
        if not context_window:
            return self.program
        with self._lock:
            if context_window not in self._programs:
                copy = self.program.deepcopy()
                copy.config.context_tokens = int(context_window)
                self._programs[context_window] = copy
            return self._programs[context_window]
