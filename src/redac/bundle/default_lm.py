"""The LM a bundle runs with when the caller names none: the one it was compiled with, rebuilt from the
manifest's public settings (secrets come from the environment), and the fine-tuned adapter it needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from redac.bundle.manifest import MANIFEST_FILE, Manifest
from redac.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from redac.lm import LMConfig


def unflatten_lm(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``LMConfig.public_dict()`` (dotted keys) back to a nested mapping; price keys may hold dots (gpt-4.1)."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        parts = key.split(".")
        if "prices" in parts and parts[-1] in ("input", "output"):
            i = parts.index("prices")
            parts = [*parts[: i + 1], ".".join(parts[i + 1:-1]), parts[-1]]
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def default_lm_config(manifest: Manifest) -> LMConfig:
    """The LM the program was compiled with, from the manifest's public settings (secrets from the environment).

    A replay recording stands for its live fallback; run-local paths (record/replay files, cache folder)
    are dropped.
    """
    from redac.lm import LMConfig

    if not manifest.lm:
        raise ConfigError("the bundle names no LM: choose one (--lm SPEC, or lm= in Python)", file=MANIFEST_FILE,
                          field="lm")
    data = unflatten_lm(manifest.lm)
    data.pop("model_name", None)
    if data.get("provider") == "replay":
        if not isinstance(data.get("fallback"), dict):
            raise ConfigError("the program was compiled against a replay recording with no live fallback: "
                              "choose an LM (--lm SPEC, or lm= in Python)", file=MANIFEST_FILE, field="lm")
        data = data["fallback"]
    for key in ("record_to", "replay_from", "cache_dir", "fallback"):
        data.pop(key, None)
    expected = data.pop("adapter_sha256", None)
    cfg = LMConfig.from_dict(data, file=MANIFEST_FILE, prefix="lm")
    check_adapter(cfg, expected)
    return cfg


def check_adapter(cfg: LMConfig, expected_sha256: str | None) -> None:
    """A bundle compiled with a fine-tuned adapter runs only with those exact weights."""
    from redac.lm.config import resolve_adapter

    adapter = resolve_adapter(cfg)
    found = adapter.sha256 if adapter is not None else None
    if expected_sha256 and found != expected_sha256:
        raise ConfigError(f"the bundle was compiled with adapter {cfg.adapter!r} sha256 {expected_sha256[:12]}, "
                          f"this installation has {found[:12] if found else 'none'}: install that adapter or "
                          "choose an LM (--lm SPEC)", file=MANIFEST_FILE, field="lm.adapter")
