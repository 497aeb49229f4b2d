"""Reading versioned YAML configs: one place that turns file and validation problems into a
:class:`ConfigError` naming the file, the line and the key path (used by every config loader)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from redac.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def read_yaml_mapping(path: str | Path, what: str = "config") -> tuple[dict[str, Any], str]:
    """The YAML mapping in ``path`` and its text (kept to point errors at lines)."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no such {what}", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        raise ConfigError(f"cannot read {what}: {reason}", file=str(path)) from None
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', None) or exc}", file=str(path),
                          line=mark.line + 1 if mark else None) from None
    if not isinstance(raw, dict):
        raise ConfigError(f"a {what} must be a mapping", file=str(path))
    return raw, text


def yaml_line(text: str | None, path: list[str]) -> int | None:
    """1-based line of the node at a key path (or its deepest existing parent) in YAML text."""
    if not text:
        return None
    import yaml

    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for key in path:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if str(k.value) == key), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and key.isdigit() and int(key) < len(node.value):
            node = node.value[int(key)]
            line = node.start_mark.line + 1
        else:
            break
    return line


def validation_error(exc: ValidationError, *, file: str | None, text: str | None = None,
                     prefix: list[str] | None = None) -> ConfigError:
    """The first pydantic error as a ConfigError (``unknown key 'x'`` for extra keys), with a count of the rest."""
    err = exc.errors()[0]
    loc = [*(prefix or []), *(str(p) for p in err["loc"])]
    if err["type"] == "extra_forbidden" and loc:
        message = f"unknown key {loc[-1]!r}"
    else:
        message = err["msg"].removeprefix("Value error, ")
    more = len(exc.errors()) - 1
    return ConfigError(message + (f" (+{more} more)" if more else ""), file=file, line=yaml_line(text, loc),
                       field=".".join(loc) or None)


def apply_overrides(raw: dict[str, Any], overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Set dotted keys (``{"dataset.limit": 2}``) in a raw config mapping, before validation."""
    for dotted, value in (overrides or {}).items():
        node = raw
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return raw


def load_model(model: type[M], path: str | Path, what: str = "config", overrides: dict[str, Any] | None = None) -> M:
    """Read, validate and return ``model`` from a YAML file (``overrides``: see :func:`apply_overrides`)."""
    raw, text = read_yaml_mapping(path, what)
    apply_overrides(raw, overrides)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc, file=str(path), text=text) from None


class StrictModel(BaseModel):
    """Base of every config and file schema: unknown keys are errors (reported with their key path)."""

    model_config = ConfigDict(extra="forbid")
