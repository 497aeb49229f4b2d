"""Where responses are kept: request keys, the disk cache, and the JSONL record/replay file.

One key for everything: the SHA-256 of the request as it goes on the wire (messages
and the parameters that change the output), without the model name and without
any credential. Replay files are looked up by that key alone, so a recording made
with one model can stand in for any; the disk cache prefixes the key with provider
and model, so two models never share an answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redac.errors import ConfigError

KEY_VERSION = 1


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def request_key(body: dict, rollout_id: Any = None) -> str:
    """Stable hash of an OpenAI-chat request body (see docs/lm.md for what it holds)."""
    material: dict[str, Any] = {"v": KEY_VERSION, "request": body}
    if rollout_id is not None:
        material["rollout_id"] = rollout_id
    return hashlib.sha256(canonical_json(material).encode("utf-8")).hexdigest()[:32]


def cache_key(provider: str, model: str, key: str) -> str:
    return f"{provider}/{model}/{key}"


class ResponseCache:
    """Disk cache of responses (diskcache/SQLite), shared by processes; values are JSON text, never pickles.

    Eviction is off: an entry stays until the directory is deleted, so a re-run is predictable.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._cache = None
        self._lock = threading.Lock()

    def _open(self):
        with self._lock:
            if self._cache is None:
                import diskcache

                self.directory.mkdir(parents=True, exist_ok=True)
                self._cache = diskcache.Cache(str(self.directory), eviction_policy="none")
            return self._cache

    def get(self, key: str) -> dict | None:
        raw = self._open().get(key)
        if not isinstance(raw, str):
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def set(self, key: str, value: dict) -> None:
        self._open().set(key, canonical_json(value))

    def __len__(self) -> int:
        return len(self._open())

    def close(self) -> None:
        with self._lock:
            if self._cache is not None:
                self._cache.close()
                self._cache = None


def record_line(*, key: str, provider: str, model: str, context_window: int, body: dict,
                rollout_id: Any, text: str, finish_reason: str, response_model: str | None,
                prompt_tokens: int, completion_tokens: int) -> dict:
    """One JSONL line of a record file (format documented in docs/lm.md)."""
    line: dict[str, Any] = {
        "key": key, "provider": provider, "model": model, "context_window": context_window,
        "request": body,
        "response": {"text": text, "finish_reason": finish_reason, "model": response_model or model},
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if rollout_id is not None:
        line["rollout_id"] = rollout_id
    return line


class Recorder:
    """Appends record lines to a JSONL file: one write per line under an exclusive file lock,
    skipping keys already in the file (also those written by other processes meanwhile)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._keys: set[str] = set()
        self._offset = 0
        self._lock = threading.Lock()

    def _catch_up(self, fh) -> bool:
        """Read lines appended since last time; return whether the file ends mid-line."""
        fh.seek(self._offset)
        data = fh.read()
        end = data.rfind(b"\n") + 1
        for raw in data[:end].splitlines():
            try:
                key = json.loads(raw).get("key")
            except (ValueError, AttributeError):
                continue
            if isinstance(key, str):
                self._keys.add(key)
        self._offset += end
        return end < len(data)

    def append(self, line: dict) -> bool:
        """Write the line unless its key is already recorded; True if written."""
        import fcntl

        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a+b") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                try:
                    torn = self._catch_up(fh)
                    if line["key"] in self._keys:
                        return False
                    data = (b"\n" if torn else b"") + canonical_json(line).encode("utf-8") + b"\n"
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                    self._keys.add(line["key"])
                    fh.seek(0, os.SEEK_END)
                    self._offset = fh.tell()
                    return True
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)


class ReplayStore:
    """Recorded responses by key, read from a JSONL record file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.entries: dict[str, dict] = {}
        if not self.path.is_file():
            raise ConfigError(f"replay file not found: {self.path}", file=str(self.path), field="lm.replay_from")
        with open(self.path, encoding="utf-8") as fh:
            for number, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    entry = json.loads(raw)
                except ValueError as exc:
                    if not raw.endswith("\n"):
                        continue  # a line torn by a crash while recording: ignore it
                    raise ConfigError(f"invalid JSON: {exc}", file=str(self.path), line=number) from None
                if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) \
                        or not isinstance(entry.get("response", {}).get("text"), str):
                    raise ConfigError("a record line needs 'key' and 'response.text'", file=str(self.path),
                                      line=number)
                self.entries.setdefault(entry["key"], entry)

    def get(self, key: str) -> dict | None:
        return self.entries.get(key)

    def add(self, entry: dict) -> None:
        self.entries.setdefault(entry["key"], entry)

    def first(self) -> dict | None:
        return next(iter(self.entries.values()), None)
