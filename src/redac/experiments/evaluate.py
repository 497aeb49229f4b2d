"""Evaluating a program on one split: score each record, in parallel, resuming from finished rows.

The unit both flows (eval, optimise) and the gate build on; a failed example becomes a failed row,
only a spent budget stops the split.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING

from redac.errors import BudgetExceeded, describe
from redac.experiments.layout import RunLayout
from redac.experiments.results import EvalReport, EvalState, ProgressFn, Row, RowStore
from redac.experiments.runtime import Runtime

if TYPE_CHECKING:
    import dspy

    from redac.dataset import Record


def score_record(program: dspy.Module, record: Record, rt: Runtime, *, split: str, repeat: int) -> Row:
    """Run the program on one labelled record and score it; any failure becomes a failed row."""
    import uuid

    import dspy

    from redac.article import Article
    from redac.lm import usage_scope
    from redac.metrics import score

    row = Row(id=record.id, split=split, repeat=repeat)
    start = time.perf_counter()
    try:
        source = rt.source(record)
        scope = f"{split}/{repeat}/{record.id}/{uuid.uuid4().hex[:8]}"
        with usage_scope(scope), dspy.context(lm=rt.lm, adapter=rt.adapter, rollout_id=repeat or None):
            pred = program(source=source)
        usage = rt.lm.usage.totals(scope)
        row.prompt_tokens, row.completion_tokens = usage.prompt_tokens, usage.completion_tokens
        row.cost_usd = usage.cost_usd
        scores = score(pred.article, source, gold=Article(**record.gold.model_dump()), facts=record.facts,
                       cfg=rt.metrics_cfg)
        row.composite = float(scores.composite)
        row.metrics = {k: float(v.value) for k, v in scores.results.items()}
        row.feedback = scores.feedback_text()
        row.output = pred.article.to_markdown()
        row.word_count = pred.article.word_count
    except BudgetExceeded:
        raise
    except Exception as exc:  # an LM timeout, a malformed answer: the run goes on, the reason is kept
        row.error = describe(exc)[:500]
    row.seconds = time.perf_counter() - start
    return row


def evaluate_split(program: dspy.Module, rt: Runtime, split: str, *, repeat: int = 0, store_dir: Path,
                   resume: bool = True, progress: ProgressFn | None = None) -> EvalReport:
    """Evaluate ``program`` on one split, in parallel, resuming from finished rows."""
    records = rt.split(split)
    store = RowStore(store_dir / RunLayout.rows_name(split, repeat))
    done = store.load() if resume else {}
    if not resume and store.path.exists():
        store.path.unlink()
    rows = [done[r.id] for r in records if r.id in done]
    state = EvalState(total=len(records))
    for row in rows:
        state.add(row)
        if progress:
            progress(row, state)
    todo = [r for r in records if r.id not in done]
    stopped = None
    with ThreadPoolExecutor(max_workers=rt.cfg.threads) as pool:
        futures = {pool.submit(score_record, program, r, rt, split=split, repeat=repeat): r for r in todo}
        for future in as_completed(futures):
            try:
                row = future.result()
            except BudgetExceeded as exc:
                stopped = str(exc)
                for pending in futures:
                    pending.cancel()
                continue
            store.append(row)
            rows.append(row)
            state.add(row)
            if progress:
                progress(row, state)
    order = {r.id: i for i, r in enumerate(records)}
    rows.sort(key=lambda r: order[r.id])
    return EvalReport(split=split, rows=rows, stopped=stopped)
