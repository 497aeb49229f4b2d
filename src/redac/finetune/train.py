"""LoRA training of the embedded model on a 2-core CPU, with bounded memory.

Train with torch, serve with llama.cpp: the pip-shipped GGUF is dequantised into transformers
(``Gemma3ForCausalLM``, 268M parameters), LoRA adapters from ``peft`` are trained on the step examples,
and :mod:`redac.finetune.convert` writes them in llama.cpp's adapter format.

Memory stays low because the 262k-token vocabulary never meets the whole sequence: the loss is computed
on target positions only, in chunks, each chunk's logits recomputed in the backward pass
(``torch.utils.checkpoint``) instead of kept. A run saves a checkpoint (adapter, optimiser, position)
every few examples and at its wall-clock budget; ``resume`` continues from it with the same order.
"""

from __future__ import annotations

import json
import math
import random
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redac.finetune.config import LoraSettings
from redac.finetune.examples import StepExample


@dataclass
class Encoded:
    id: str
    step: str
    ids: list[int]
    n_prompt: int

    @property
    def n_target(self) -> int:
        return len(self.ids) - self.n_prompt


@dataclass
class TrainState:
    """Where a run is; saved with every checkpoint."""

    epoch: int = 0
    index: int = 0  # position in this epoch's order
    step: int = 0  # optimiser updates done
    seen: int = 0  # examples trained on
    seconds: float = 0.0  # training time over all sessions of this run
    losses: list[float] = field(default_factory=list)  # per example, in training order
    finished: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class TrainResult:
    state: TrainState
    adapter_dir: Path
    peak_rss_gb: float
    stopped: str | None  # "budget" when the wall-clock budget ended the run before the last epoch


def peak_rss_gb() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def load_base(gguf_path: Path, *, threads: int = 2):
    """(model, tokenizer) in float32 from the GGUF file (dequantised by transformers; needs ``gguf``)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(threads)
    folder, name = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    model.config.use_cache = False
    return model, tokenizer


def encode(tokenizer, examples: Sequence[StepExample], max_tokens: int) -> tuple[list[Encoded], list[str]]:
    """Token ids as llama.cpp sees them at inference: BOS + prompt, then the target tokenised on its own
    (generation starts after the prompt's last token). Examples over ``max_tokens`` are skipped, not cut:
    a cut target would teach the model to stop mid-article or never to stop."""
    out, skipped = [], []
    bos = tokenizer.bos_token_id
    for ex in examples:
        prompt = tokenizer(ex.prompt, add_special_tokens=False)["input_ids"]
        target = tokenizer(ex.target, add_special_tokens=False)["input_ids"]
        ids = ([bos] if bos is not None else []) + prompt + target
        if len(ids) > max_tokens or not target:
            skipped.append(ex.id)
            continue
        out.append(Encoded(id=ex.id, step=ex.step, ids=ids, n_prompt=len(ids) - len(target)))
    return out, skipped


def attach_lora(model, settings: LoraSettings):
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(r=settings.rank, lora_alpha=settings.alpha, lora_dropout=settings.dropout,  # type: ignore[arg-type]  # peft annotates an int; it only computes alpha / r
                        target_modules=list(settings.target_modules), bias="none", task_type="CAUSAL_LM")
    peft_model = get_peft_model(model, config)
    if settings.gradient_checkpointing:
        peft_model.gradient_checkpointing_enable()
        peft_model.enable_input_require_grads()
    return peft_model


def target_loss(model, example: Encoded, chunk: int):
    """Mean cross-entropy over the target tokens, logits computed ``chunk`` positions at a time."""
    import torch
    import torch.nn.functional as F
    from torch.utils.checkpoint import checkpoint

    causal = model.get_base_model()
    ids = torch.tensor([example.ids])
    hidden = causal.model(input_ids=ids).last_hidden_state[0]
    states = hidden[example.n_prompt - 1:-1]
    labels = ids[0, example.n_prompt:]
    cap = getattr(causal.config, "final_logit_softcapping", None)

    def chunk_loss(h, y):
        logits = causal.lm_head(h)
        if cap:
            logits = torch.tanh(logits / cap) * cap
        return F.cross_entropy(logits.float(), y, reduction="sum")

    total = states.new_zeros(())
    for start in range(0, labels.shape[0], chunk):
        total = total + checkpoint(chunk_loss, states[start:start + chunk], labels[start:start + chunk],
                                   use_reentrant=False)
    return total / labels.shape[0]


def epoch_order(n: int, seed: int, epoch: int) -> list[int]:
    order = list(range(n))
    random.Random(seed * 1000 + epoch).shuffle(order)
    return order


def lr_factor(step: int, total: int, warmup: int) -> float:
    """Linear warm-up, then cosine decay to 10 % of the peak rate."""
    if step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))


def save_checkpoint(folder: Path, model, optimizer, scheduler, state: TrainState) -> None:
    """Adapter (safetensors), optimiser and position; written beside, then renamed, so a kill never
    leaves half a checkpoint."""
    import shutil

    import torch

    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.save_pretrained(str(tmp / "adapter"))
    torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, tmp / "optimizer.pt")
    (tmp / "state.json").write_text(json.dumps(state.to_dict()), encoding="utf-8")
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def load_checkpoint(folder: Path, model, optimizer, scheduler) -> TrainState:
    import torch
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    weights = load_file(str(folder / "adapter" / "adapter_model.safetensors"))
    set_peft_model_state_dict(model, weights)
    saved = torch.load(folder / "optimizer.pt", weights_only=True)
    optimizer.load_state_dict(saved["optimizer"])
    scheduler.load_state_dict(saved["scheduler"])
    return TrainState(**json.loads((folder / "state.json").read_text(encoding="utf-8")))


def train(model, data: Sequence[Encoded], settings: LoraSettings, out_dir: Path, *, resume: bool = True,
          budget_s: float | None = None, on_example: Callable[[TrainState, Encoded, float], None] | None = None,
          on_update: Callable[[TrainState, float], None] | None = None) -> TrainResult:
    """Train the LoRA weights of ``model`` (a peft model) on ``data``; checkpoints under ``out_dir``.

    ``on_example(state, example, loss)`` is called after each example (progress bars),
    ``on_update(state, lr)`` after each optimiser update (metric logging).
    """
    import torch

    torch.manual_seed(settings.seed)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=settings.learning_rate, weight_decay=0.0)
    updates_per_epoch = math.ceil(len(data) / settings.grad_accum)
    total = updates_per_epoch * settings.epochs
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, total, settings.warmup_steps))
    ckpt = out_dir / "checkpoint"
    state = TrainState()
    if resume and (ckpt / "state.json").is_file():
        state = load_checkpoint(ckpt, model, optimizer, scheduler)
    model.train()
    start, session_start_s = time.monotonic(), state.seconds
    stopped = None
    pending = 0
    while state.epoch < settings.epochs and not state.finished:
        order = epoch_order(len(data), settings.seed, state.epoch)
        while state.index < len(order):
            if budget_s is not None and state.seconds >= budget_s and pending == 0:
                stopped = "budget"
                break
            example = data[order[state.index]]
            loss = target_loss(model, example, settings.loss_chunk)
            (loss / settings.grad_accum).backward()
            value = float(loss.detach())
            if not math.isfinite(value):
                raise FloatingPointError(f"non-finite loss on {example.id}")
            state.losses.append(round(value, 4))
            state.index += 1
            state.seen += 1
            pending += 1
            last_of_epoch = state.index == len(order)
            if pending == settings.grad_accum or last_of_epoch:
                torch.nn.utils.clip_grad_norm_(params, settings.max_grad_norm)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad(set_to_none=True)
                state.step += 1
                pending = 0
                if on_update:
                    on_update(state, float(scheduler.get_last_lr()[0]))
            state.seconds = session_start_s + time.monotonic() - start
            if on_example:
                on_example(state, example, value)
            if state.seen % settings.checkpoint_every == 0 and pending == 0:
                save_checkpoint(ckpt, model, optimizer, scheduler, state)
        if stopped:
            break
        state.epoch += 1
        state.index = 0
    if not stopped:
        state.finished = True
    save_checkpoint(ckpt, model, optimizer, scheduler, state)
    final = out_dir / "adapter"
    model.save_pretrained(str(final))
    return TrainResult(state=state, adapter_dir=final, peak_rss_gb=peak_rss_gb(), stopped=stopped)
