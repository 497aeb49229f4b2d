"""MLflow "models from code" definition of a redac bundle (logged by :func:`redac.bundle.register_bundle`).

MLflow copies this file into the logged model and runs it at load time instead of unpickling an object, so
``mlflow.pyfunc.load_model("models:/redac@champion")`` works without ``MLFLOW_ALLOW_PICKLE_DESERIALIZATION``.
The bundle travels as the model's ``bundle`` artifact and is read by :func:`redac.bundle.load` (JSON only).
Never import this module from redac itself: running it registers the model with MLflow.

The LM is chosen at load: ``model_config={"lm": "openai/gpt-4o-mini"}``, else the ``REDAC_LM`` environment
variable, else the LM the program was compiled with (from the manifest; API keys from the environment).
``predict`` takes a list of raw sources and returns one dict per source (article fields, Markdown, warnings,
repairs), or an ``error`` entry for a source that could not be rewritten.
"""

from __future__ import annotations

import os
from typing import Any

import mlflow
from mlflow.pyfunc import PythonModel
from pydantic import BaseModel

from redac.bundle.registry import MLFLOW_BUNDLE_ARTIFACT
from redac.errors import first_line
from redac.result import RewriteResult


class Rewritten(BaseModel):
    """One output row: a :class:`~redac.result.RewriteResult` flattened (typed, so MLflow records a real
    signature). ``error`` is set instead of the article fields when this source could not be rewritten."""

    title: str = ""
    meta_description: str = ""
    slug: str = ""
    keyphrase: str = ""
    markdown: str = ""  # the article body, starting with "# title" (Article.markdown)
    markdown_document: str = ""  # front matter + Markdown, as `redac rewrite` writes NAME.md
    word_count: int = 0
    warnings: list[str] = []
    repairs: list[str] = []
    seconds: float = 0.0
    error: str | None = None
    error_type: str | None = None

    @classmethod
    def from_result(cls, result: RewriteResult) -> Rewritten:
        article = result.article
        if article is None:
            return cls(error=result.error, error_type=result.error_type)
        return cls(title=article.title, meta_description=article.meta_description, slug=article.slug,
                   keyphrase=article.keyphrase, markdown=article.markdown,
                   markdown_document=result.markdown_document,
                   word_count=article.word_count, warnings=result.warnings, repairs=result.repairs,
                   seconds=round(result.seconds, 3))


class RedacModel(PythonModel):
    """pyfunc wrapper around :class:`redac.bundle.LoadedProgram`."""

    def load_context(self, context: Any) -> None:
        from redac.bundle import load

        self.loaded = load(context.artifacts[MLFLOW_BUNDLE_ARTIFACT])
        self.lm = (context.model_config or {}).get("lm") or os.environ.get("REDAC_LM") or None

    def predict(self, context: Any, model_input: list[str], params: dict[str, Any] | None = None) -> list[Rewritten]:
        out: list[Rewritten] = []
        for raw in model_input:
            try:
                result = self.loaded.run(str(raw), lm=self.lm)
            except Exception as exc:  # one bad source (or LM failure) must not lose the rest of the batch
                result = RewriteResult(error=first_line(exc), error_type=type(exc).__name__)
            out.append(Rewritten.from_result(result))
        return out


mlflow.models.set_model(RedacModel())
