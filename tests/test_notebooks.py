"""The notebooks in notebooks/ run top to bottom, offline, with a throw-away MLflow store.

Each notebook is executed with nbclient in a kernel of this interpreter (the venv), from the notebooks/
folder as Jupyter would; ``REDAC_NOTEBOOK_DIR`` sends everything it writes (MLflow store and artifacts,
run rows, articles) to a temp dir. Besides "no cell raised", each test checks what the notebook is for:
the tables and plots it shows and the MLflow runs it leaves.

``python tests/test_notebooks.py [NAME...]`` executes the notebooks in place (outputs refreshed), the
same way, for committing them with their outputs.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import nbclient  # installed with nbmake (dev extra), with nbformat and ipykernel
import nbformat
from tests.conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
TIMEOUT_S = 300  # per cell; each notebook takes well under a minute
RUN_ID = re.compile(r"MLflow run: ([0-9a-f]{32})")


def execute(name: str, workdir: Path) -> tuple[object, float]:
    """Run one notebook in a fresh kernel; raise on the first failing cell. Returns (notebook, seconds)."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    env = {"REDAC_NOTEBOOK_DIR": str(workdir)}
    saved = {k: os.environ.get(k) for k in (*env, "MLFLOW_TRACKING_URI", "MPLBACKEND")}
    os.environ.update(env)
    os.environ.pop("MLFLOW_TRACKING_URI", None)  # the notebook derives the store from REDAC_NOTEBOOK_DIR
    os.environ.pop("MPLBACKEND", None)  # keep the inline backend: figures must appear as outputs
    start = time.perf_counter()
    try:
        # "python3" resolves to this interpreter (jupyter_client swaps a bare "python" for sys.executable)
        client = nbclient.NotebookClient(nb, timeout=TIMEOUT_S, kernel_name="python3",
                                         resources={"metadata": {"path": str(NOTEBOOKS)}})
        client.execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return nb, time.perf_counter() - start


def outputs(nb) -> list[dict]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]


def text_of(nb) -> str:
    parts = []
    for out in outputs(nb):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
            parts.append(out["data"].get("text/html", ""))
    return "\n".join(parts)


def images(nb) -> int:
    return sum(1 for out in outputs(nb) if "image/png" in out.get("data", {}))


def errors(nb) -> list[str]:
    return [out.get("ename", "") for out in outputs(nb) if out.get("output_type") == "error"]


def mlflow_runs(workdir: Path, experiment: str):
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{workdir / 'mlflow.db'}")
    exp = client.get_experiment_by_name(experiment)
    assert exp is not None, f"no MLflow experiment {experiment!r} in {workdir}"
    assert str(workdir) in exp.artifact_location, "artifacts must stay in the temp dir"
    return client, client.search_runs([exp.experiment_id])


def test_quickstart(tmp_path):
    nb, seconds = execute("01_quickstart.ipynb", tmp_path)
    print(f"01_quickstart: {seconds:.1f} s")
    assert not errors(nb)
    text = text_of(nb)
    run_id = RUN_ID.search(text)
    assert run_id, "the notebook prints the id of its MLflow run"
    client, runs = mlflow_runs(tmp_path, "redac-notebooks")
    assert [r.info.run_id for r in runs] == [run_id.group(1)]
    metrics = runs[0].data.metrics
    assert metrics["dev.n"] == 4 and metrics["dev.failed"] == 0
    assert 0.5 < metrics["dev.composite"] <= 1.0
    assert "tables/dev.json" in {a.path for a in client.list_artifacts(run_id.group(1), "tables")}
    assert "pieces removed" in text  # what cleaning took out of the scraped page
    assert "fact_precision" in text and "labelled_facts" in text  # the score table
    assert "identical articles: [True, True]" in text  # the replay reproduced the recorded answers
    assert images(nb) >= 1  # the run's plot, read back from MLflow
    assert sorted(p.name for p in (tmp_path / "out/notebook/articles").glob("*.md")) == \
        ["culture-d08.md", "economie-b03.md"]
    assert not (NOTEBOOKS / "mlruns").exists() and not (NOTEBOOKS / "mlflow.db").exists()


def test_metrics(tmp_path):
    import pandas as pd

    nb, seconds = execute("02_metrics.ipynb", tmp_path)
    print(f"02_metrics: {seconds:.1f} s")
    assert not errors(nb)
    assert images(nb) >= 3  # gold distribution, effect heatmap, composite per variant
    effects = pd.read_csv(tmp_path / "out/notebook/metric_effects.csv", index_col=0)
    assert set(effects.index) == {"changed number", "dropped section", "translated paragraph", "invented fact"}
    # each perturbation moves the metric built to catch it, and lowers the composite on average
    assert effects.loc["changed number", "fact_precision"] < 0
    assert effects.loc["invented fact", "fact_precision"] < 0
    assert effects.loc["dropped section", "fact_recall"] < 0
    assert effects.loc["dropped section", "labelled_facts"] < 0
    assert effects.loc["translated paragraph", "language"] < 0
    assert (effects["composite"] < 0).all()
    assert "unsupported_figures" in text_of(nb)  # the figures behind fact_precision


def test_compare_runs(tmp_path):
    nb, seconds = execute("03_compare_runs.ipynb", tmp_path)
    print(f"03_compare_runs: {seconds:.1f} s")
    assert not errors(nb)
    text = text_of(nb)
    client, runs = mlflow_runs(tmp_path, "redac-notebooks-compare")
    by_name = {r.info.run_name: r.data.metrics for r in runs}
    assert set(by_name) == {"eval:notebook-gold-writer", "eval:notebook-extractive-writer"}
    assert all(m["dev.n"] == 12 and m["dev.failed"] == 0 for m in by_name.values())
    # the writer that follows the gold sections beats the one that copies its facts
    assert by_name["eval:notebook-gold-writer"]["dev.composite"] > by_name["eval:notebook-extractive-writer"]["dev.composite"]
    assert re.search(r"verdict: B is (worse than|better than|not distinguishable from) A", text)
    assert "12 examples compared" in text  # compare_runs paired every dev example
    assert images(nb) >= 2  # per-example composite deltas, per-metric heatmap


if __name__ == "__main__":  # refresh the committed outputs: python tests/test_notebooks.py [NAME...]
    import tempfile

    names = sys.argv[1:] or sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    for name in names:
        with tempfile.TemporaryDirectory(prefix="redac-nb-") as tmp:
            nb, seconds = execute(name, Path(tmp))
        nbformat.write(nb, NOTEBOOKS / name)
        print(f"{name}: {seconds:.1f} s, {images(nb)} figures")
