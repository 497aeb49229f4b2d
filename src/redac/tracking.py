"""Everything MLflow: where runs go, what each run records, and nothing else.

The default store is a SQLite file in the working directory (``mlflow.db``), created on first use;
``--tracking-uri`` or ``MLFLOW_TRACKING_URI`` point at a server. Secrets never reach MLflow: only
``LMConfig.public_dict()`` is logged and every logged string passes through :func:`redact`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redac.errors import ConfigError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from mlflow.tracking import MlflowClient

DEFAULT_URI = "sqlite:///mlflow.db"
PACKAGES = ("redac", "dspy", "litellm", "openai", "mlflow", "spacy", "sentence-transformers", "llama_cpp_python")
_SECRET_RE = re.compile(r"(sk-[A-Za-z0-9_\-]{8,}|(?i:bearer)\s+[A-Za-z0-9._\-]{8,})")


def resolve_uri(uri: str | None = None) -> str:
    return uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_URI


def check_reachable(uri: str, timeout: float = 5.0) -> None:
    """Fail before any LM money is spent when a tracking server does not answer."""
    if not uri.startswith(("http://", "https://")):
        return
    import urllib.error
    import urllib.request

    url = uri.rstrip("/") + "/health"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (user-given URI)
            if response.status >= 400:
                raise ConfigError(f"MLflow server answered {response.status} at {url}", field="tracking.uri")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConfigError(f"cannot reach MLflow at {uri}: {reason}", field="tracking.uri") from None


@contextlib.contextmanager
def mlflow_env(uri: str) -> Iterator[None]:
    """MLflow's environment switches for the calls inside the block only, restored on exit.

    MLflow reads these from the environment, never from an argument: a local file store (``file:`` or a bare
    path) is refused unless ``MLFLOW_ALLOW_FILE_STORE`` is set, and artifact downloads draw a progress bar
    unless ``MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR`` is false. A value already in the environment wins and is
    left as it was.
    """
    wanted = {"MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}
    if uri.startswith("file:") or not re.match(r"^[a-z]+:", uri):
        wanted["MLFLOW_ALLOW_FILE_STORE"] = "true"
    added = [key for key in wanted if key not in os.environ]
    for key in added:
        os.environ[key] = wanted[key]
    try:
        yield
    finally:
        for key in added:
            os.environ.pop(key, None)


def setup(uri: str | None, experiment: str) -> str:
    import mlflow

    resolved = resolve_uri(uri)
    check_reachable(resolved)
    with mlflow_env(resolved):  # MLflow builds (and caches) the store here
        mlflow.set_tracking_uri(resolved)
        mlflow.set_experiment(experiment)
    return resolved


@contextlib.contextmanager
def run(name: str, *, nested: bool = False, tags: dict[str, str] | None = None) -> Iterator[Any]:
    import mlflow

    with mlflow.start_run(run_name=name, nested=nested, tags=tags or {}) as active:
        yield active


def autolog_dspy() -> None:
    """DSPy traces (and compile/eval spans) into the active run; silently skipped if unsupported."""
    import mlflow

    with contextlib.suppress(Exception):
        mlflow.dspy.autolog(log_compiles=True, log_evals=True, log_traces_from_compile=False)


def redact(value: Any) -> Any:
    """Mask anything that looks like an API key in strings, lists and dicts."""
    if isinstance(value, str):
        return _SECRET_RE.sub("***", value)
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = str(redact(value))[:6000]
    return out


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                              check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def file_hash(path: str | Path) -> str:
    from redac.digest import file_sha256

    return file_sha256(path)[:16]


def package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def log_params(params: dict[str, Any]) -> None:
    import mlflow

    flat = flatten(params)
    items = list(flat.items())
    for start in range(0, len(items), 100):
        mlflow.log_params(dict(items[start:start + 100]))


def log_metrics(values: dict[str, float], step: int | None = None) -> None:
    import math

    import mlflow

    clean = {re.sub(r"[^\w\-. /]", "_", k): float(v) for k, v in values.items()
             if isinstance(v, (int, float)) and not math.isnan(float(v))}
    if clean:
        mlflow.log_metrics(clean, step=step)


def log_table(rows: list[dict[str, Any]], name: str) -> None:
    import mlflow

    if not rows:
        return
    columns = list(dict.fromkeys(k for row in rows for k in row))
    data = {c: [redact(_cell(row.get(c))) for row in rows] for c in columns}
    mlflow.log_table(data=data, artifact_file=name)


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def log_json(data: Any, name: str) -> None:
    import mlflow

    mlflow.log_dict(redact(data), name)


def log_file(path: str | Path, folder: str | None = None) -> None:
    import mlflow

    mlflow.log_artifact(str(path), artifact_path=folder)


def log_figure(fig: Any, name: str) -> None:
    import mlflow

    mlflow.log_figure(fig, name)


def active_run_id() -> str | None:
    import mlflow

    active = mlflow.active_run()
    return active.info.run_id if active else None


def log_file_text(text: str, name: str) -> None:
    import mlflow

    mlflow.log_text(redact(text), name)


# ------------------------------------------------------------------------------------------------
# Plots (matplotlib, headless)
# ------------------------------------------------------------------------------------------------


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    """A standalone Figure: no pyplot state, no backend switch (inline plots in notebooks keep working)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


def score_distribution_plot(rows: list[dict[str, float]], title: str) -> Figure:
    """One box per metric: where the examples sit and which metric holds the composite down."""
    names = sorted({k for row in rows for k in row}, key=lambda n: (n != "composite", n))
    fig, ax = _figure(max(6, 0.6 * len(names) + 2), 4)
    ax.boxplot([[row[n] for row in rows if n in row] for n in names], tick_labels=names)
    ax.set_ylim(-0.05, 1.05)
    ax.set_title(f"{title}: score per metric ({len(rows)} examples)")
    ax.tick_params(axis="x", rotation=60)
    fig.tight_layout()
    return fig


def paired_plot(before: dict[str, float], after: dict[str, float], title: str) -> Figure:
    ids = [i for i in before if i in after]
    fig, ax = _figure(max(6, 0.35 * len(ids) + 2), 4)
    xs = range(len(ids))
    ax.bar([x - 0.2 for x in xs], [before[i] for i in ids], width=0.4, label="baseline")
    ax.bar([x + 0.2 for x in xs], [after[i] for i in ids], width=0.4, label="compiled")
    ax.set_xticks(list(xs), ids, rotation=70, fontsize=7)
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def trajectory_plot(values: list[float]) -> Figure:
    fig, ax = _figure(6, 3.5)
    best = [max(values[: i + 1]) for i in range(len(values))]
    ax.plot(values, "o", label="candidate")
    ax.plot(best, "-", label="best so far")
    ax.set_xlabel("candidate")
    ax.set_ylabel("score")
    ax.set_title("optimisation trajectory")
    ax.legend()
    fig.tight_layout()
    return fig


def loss_plot(losses: list[float], smoothed: list[float], per_epoch: int) -> Figure:
    """Training loss per example (and its running mean), with epoch boundaries."""
    fig, ax = _figure(6, 3.5)
    ax.plot(losses, ".", alpha=0.3, label="example")
    ax.plot(smoothed, "-", label="running mean")
    for x in range(per_epoch, len(losses), max(1, per_epoch)):
        ax.axvline(x, color="grey", linestyle=":")
    ax.set_xlabel("example")
    ax.set_ylabel("loss (target tokens)")
    ax.set_title("fine-tuning loss")
    ax.legend()
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------------
# Reading runs back
# ------------------------------------------------------------------------------------------------


def compare_runs(run_a: str, run_b: str, uri: str | None = None, top: int = 10) -> dict[str, Any]:
    """Metric deltas (B - A) and the examples whose composite changed most, read from MLflow."""
    import mlflow
    from mlflow.tracking import MlflowClient

    mlflow.set_tracking_uri(resolve_uri(uri))
    check_reachable(resolve_uri(uri))
    client = MlflowClient()
    runs = {}
    for run_id in (run_a, run_b):
        try:
            runs[run_id] = client.get_run(run_id)
        except Exception:
            raise ConfigError(f"no such MLflow run {run_id!r} in {resolve_uri(uri)}", field="run") from None
    ma, mb = runs[run_a].data.metrics, runs[run_b].data.metrics
    deltas = sorted(((k, ma[k], mb[k], mb[k] - ma[k]) for k in ma.keys() & mb.keys()), key=lambda t: t[0])
    examples: list[tuple[str, str, float, float, float]] = []
    tables_a, tables_b = _tables(client, run_a), _tables(client, run_b)
    for name in tables_a.keys() & tables_b.keys():
        a, b = tables_a[name], tables_b[name]
        for ex_id in a.keys() & b.keys():
            examples.append((name, ex_id, a[ex_id], b[ex_id], b[ex_id] - a[ex_id]))
    examples.sort(key=lambda t: -abs(t[4]))
    return {"metrics": deltas, "examples": examples[:top]}


def _tables(client: MlflowClient, run_id: str) -> dict[str, dict[str, float]]:
    import tempfile

    out: dict[str, dict[str, float]] = {}
    try:
        artifacts = client.list_artifacts(run_id, "tables")
    except Exception:
        return out
    for art in artifacts:
        with tempfile.TemporaryDirectory() as tmp:
            local = client.download_artifacts(run_id, art.path, tmp)
            data = json.loads(Path(local).read_text(encoding="utf-8"))
        cols = data.get("columns", [])
        if "id" in cols and "composite" in cols:
            i, c = cols.index("id"), cols.index("composite")
            out[Path(art.path).stem] = {row[i]: float(row[c]) for row in data.get("data", [])}
    return out
