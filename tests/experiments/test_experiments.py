"""`redac eval` / `redac optimize` end to end: a real local OpenAI-compatible HTTP server answering
program-shaped replies, the real metric suite, and a real MLflow store (SQLite file, and an
`mlflow server` process for the remote path)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tests.support.replies import program_reply
from redac.errors import ConfigError
from redac.experiments import estimate, load_experiment, run_eval, run_optimize


SECRET = "sk-redactestSECRET0123456789"

def write_config(tmp_path: Path, api_base: str, **extra) -> Path:
    data = {
        "version": 1,
        "name": "t",
        "lm": {"provider": "openai_compatible", "api_base": api_base, "model": "fake-model",
               "api_key_env": "REDAC_TEST_KEY", "max_tokens": 800, "num_retries": 2, "retry_backoff_s": 0},
        "dataset": {"path": str(ROOT / "datasets/redac-fr-news/redac-fr-news.jsonl"), "eval_splits": ["dev"],
                    "limit": 2},
        "metrics": str(ROOT / "evals/metrics.yaml"),
        "optimizer": {"name": "labeled", "params": {"k": 1}},
        "tracking": {"uri": f"sqlite:///{tmp_path / 'mlflow.db'}", "experiment": "test", "autolog": False},
        "output_dir": str(tmp_path / "runs"),
    }
    for dotted, value in extra.items():
        node = data
        *parents, leaf = dotted.split("__")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def server(fake_openai, lm_dirs, monkeypatch):
    monkeypatch.setenv("REDAC_TEST_KEY", SECRET)
    fake_openai.reply = program_reply
    return fake_openai


def test_config_errors_name_file_and_key_path(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: x\nlm: {provider: embedded}\noptimizer: {name: magic}\n")
    with pytest.raises(ConfigError) as err:
        load_experiment(bad)
    assert "bad.yaml" in str(err.value) and "optimizer.name" in str(err.value)
    bad.write_text("version: 1\nname: x\nlm: {provider: embedded}\nthreads: 2\nthread: 3\n")
    with pytest.raises(ConfigError, match="thread"):
        load_experiment(bad)
    with pytest.raises(ConfigError, match="no such"):
        load_experiment(tmp_path / "missing.yaml")


def test_program_block_is_the_program_config_type(tmp_path):
    """``program:`` takes ProgramConfig's own settings (same bounds, unknown keys named); only the keys
    the YAML sets override the config saved with the state."""
    from redac.program import ProgramConfig

    path = tmp_path / "exp.yaml"
    path.write_text("version: 1\nname: x\nlm: {provider: embedded}\n"
                    "program: {state: null, verify: true, max_sections: 4}\n")
    ref = load_experiment(path).program
    assert isinstance(ref, ProgramConfig) and ref.overrides() == {"max_sections": 4, "verify": True}
    path.write_text("version: 1\nname: x\nlm: {provider: embedded}\nprogram: {max_sections: 0}\n")
    with pytest.raises(ConfigError, match="program.max_sections"):
        load_experiment(path)
    path.write_text("version: 1\nname: x\nlm: {provider: embedded}\nprogram: {reasonning: true}\n")
    with pytest.raises(ConfigError, match="program.reasonning"):
        load_experiment(path)


def test_optimizer_registry_drives_validation_dispatch_and_the_dry_run(tmp_path, monkeypatch):
    """Adding an optimiser is one registry entry: the config accepts its name, compile_program picks it
    by name and the dry run counts its compile rounds (no LM: the toy compile does nothing)."""
    from types import SimpleNamespace

    from redac.dataset import load_jsonl
    from redac.errors import DatasetError
    from redac.experiments import OPTIMIZERS, Compiled, Optimizer, compile_program

    dataset = ROOT / "datasets/redac-fr-news/redac-fr-news.jsonl"
    path = tmp_path / "toy.yaml"

    def write(name: str) -> Path:
        path.write_text(yaml.safe_dump({"version": 1, "name": "toy", "lm": {"provider": "embedded"},
                                        "dataset": {"path": str(dataset), "limit": 1},
                                        "optimizer": {"name": name, "params": {"rounds": 3}}}), encoding="utf-8")
        return path

    with pytest.raises(ConfigError) as err:
        load_experiment(write("toy"))
    assert err.value.field == "optimizer.name" and "unknown optimizer 'toy'" in err.value.message
    assert all(name in err.value.message for name in OPTIMIZERS)

    calls = []

    def toy_compile(program, rt, data):
        calls.append((program, data))
        return Compiled(program="compiled")

    monkeypatch.setitem(OPTIMIZERS, "toy", Optimizer("toy", "a no-op for the test", toy_compile,
                                                     compile_rounds=lambda params: int(params["rounds"])))
    cfg = load_experiment(write("toy"))
    records = load_jsonl(dataset)
    train = [r for r in records if r.split == "train"][:2]
    compiled = compile_program("program", SimpleNamespace(cfg=cfg), train, [])
    assert compiled == Compiled(program="compiled") and compiled.lm is None
    (program, data), = calls
    assert program == "program" and data.records == train and len(data.trainset) == 2 and data.valset is None
    with pytest.raises(DatasetError):  # the test split never reaches an optimiser
        compile_program("program", SimpleNamespace(cfg=cfg), [r for r in records if r.split == "test"][:1], [])
    plan = estimate(cfg, optimize=True)
    (compile_line,) = [line for line in plan.lines if line[0] == "compile (toy)"]
    assert compile_line[1] == 3  # one train example (limit 1), three rounds


def test_every_registered_optimizer_is_declared_once_with_a_summary():
    from redac.experiments import OPTIMIZERS, Optimizer, register

    assert list(OPTIMIZERS) == ["none", "labeled", "bootstrap", "random_search", "mipro", "gepa", "finetune"]
    assert all(o.summary and o.name == name for name, o in OPTIMIZERS.items())
    assert [n for n, o in OPTIMIZERS.items() if o.changes_lm] == ["finetune"]
    with pytest.raises(ValueError, match="already registered"):
        register(Optimizer("none", "again", OPTIMIZERS["none"].compile))


def test_finetune_optimizer_returns_the_adapter_program_and_its_lm():
    """The one optimiser that changes the LM: the shipped adapter's program and the embedded LM with the
    adapter (no LM call); any other provider is refused."""
    from types import SimpleNamespace

    from redac.experiments import compile_program

    ci = ROOT / "experiments" / "ci-gate.yaml"
    cfg = load_experiment(ci, {"lm": {"provider": "embedded"}, "optimizer.name": "finetune"})
    compiled = compile_program(None, SimpleNamespace(cfg=cfg), [], [])
    assert type(compiled.program).__name__ == "RedacProgram"
    assert compiled.lm is not None and compiled.lm.provider == "embedded" and compiled.lm.adapter == "default"
    cfg = load_experiment(ci, {"optimizer.name": "finetune"})  # the replay LM
    with pytest.raises(ConfigError, match="embedded"):
        compile_program(None, SimpleNamespace(cfg=cfg), [], [])


def test_every_shipped_experiment_config_validates():
    from redac.finetune import load_finetune_config

    for path in sorted((ROOT / "experiments").glob("*.yaml")):
        # finetune-*.yaml configs train weights (`redac finetune`); the others are eval/optimize runs
        cfg = load_finetune_config(path) if path.name.startswith("finetune-") else load_experiment(path)
        assert cfg.name


def test_eval_tracks_in_mlflow_resumes_and_keeps_secrets_out(server, tmp_path):
    cfg = load_experiment(write_config(tmp_path, server.api_base))
    result = run_eval(cfg)
    report = result.reports["dev"][0]
    assert [r.error for r in report.rows] == [None, None]
    assert all(0 < r.composite <= 1 and r.word_count > 300 for r in report.rows)
    assert sum(r.prompt_tokens for r in report.rows) == 11 * len(server.posts) and len(server.posts) >= 8
    assert set(report.rows[0].metrics) >= {"fact_recall", "fact_precision", "length", "headings", "seo"}
    calls = len(server.posts)
    assert calls > 0 and all(p["auth"] == f"Bearer {SECRET}" for p in server.posts)

    import mlflow

    run = mlflow.get_run(result.run_id)
    assert run.data.metrics["dev.composite"] == pytest.approx(report.summary()["composite"])
    assert run.data.params["config.lm.provider"] == "openai_compatible"
    assert "dataset_hash" in run.data.params and "git_commit" in run.data.params
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(result.run_id)}
    assert {"tables", "plots", "config.yaml"} <= artifacts

    again = run_eval(cfg)  # resumed: finished examples are not redone
    assert len(server.posts) == calls
    assert [r.composite for r in again.reports["dev"][0].rows] == [r.composite for r in report.rows]

    leaked = [str(p) for p in tmp_path.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert leaked == []


def test_failures_are_recorded_and_the_run_finishes(server, tmp_path):
    cfg = load_experiment(write_config(tmp_path, server.api_base, lm__num_retries=2))
    server.script.extend([500, 500, 500])  # the first example's first call fails after 2 retries
    result = run_eval(cfg)
    rows = result.reports["dev"][0].rows
    assert sum(r.failed for r in rows) == 1 and "500" in next(r.error for r in rows if r.failed)
    assert sum(not r.failed for r in rows) == 1


def test_budget_stops_cleanly_with_partial_results(server, tmp_path):
    cfg = load_experiment(write_config(tmp_path, server.api_base, budget__max_calls=8))
    result = run_eval(cfg)
    assert result.stopped and "budget" in result.stopped.lower()
    assert len(server.posts) <= 8
    saved = list((cfg.run_dir / "eval").glob("*.jsonl"))
    assert saved, "partial results are kept on disk"


def test_unreachable_tracking_server_fails_before_any_lm_call(server, tmp_path):
    from tests.support.lm_servers import free_port

    cfg = load_experiment(write_config(tmp_path, server.api_base,
                                       tracking__uri=f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(ConfigError, match="cannot reach MLflow"):
        run_eval(cfg)
    assert server.posts == []


def test_optimize_saves_json_program_and_reports_lift(server, tmp_path):
    cfg = load_experiment(write_config(tmp_path, server.api_base))
    result = run_optimize(cfg)
    assert set(result.reports) == {"baseline:dev", "baseline:test", "compiled:dev", "compiled:test"}
    state = json.loads(result.program_path.read_text())
    assert state["write"]["demos"], "labelled demos were compiled in"
    assert result.program_path.suffix == ".json"  # plain JSON state (dspy lists package versions in metadata)
    assert {"dev", "test"} <= set(result.lift) and result.lift["dev"]["n"] == 2

    import mlflow

    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(result.run_id)}
    assert {"program", "lift.json", "plots", "tables"} <= artifacts


def test_dry_run_estimates_without_calling_the_lm(server, tmp_path):
    cfg = load_experiment(write_config(tmp_path, server.api_base))
    plan = estimate(cfg, optimize=True)
    stages = [line[0] for line in plan.lines]
    assert stages[0].startswith("eval dev") and any("compiled" in s for s in stages)
    assert plan.calls > 0 and plan.tokens > 0 and server.posts == []


def test_cli_eval_dry_run_and_bad_config(server, tmp_path, capsys):
    from redac.cli import main

    path = write_config(tmp_path, server.api_base)
    assert main(["eval", str(path), "--dry-run"]) == 0
    assert "estimated cost" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: x\nlm: {provider: nope}\n")
    assert main(["eval", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "lm.provider" in err and "Traceback" not in err


@pytest.mark.slow
def test_eval_against_a_real_mlflow_server_and_runs_compare(server, tmp_path):
    from tests.support.lm_servers import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
         "--backend-store-uri", f"sqlite:///{tmp_path / 'server.db'}", "--default-artifact-root",
         str(tmp_path / "server-artifacts"), "--workers", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "MLFLOW_TRACKING_URI": ""})
    uri = f"http://127.0.0.1:{port}"
    try:
        import urllib.request

        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(uri + "/health", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("mlflow server did not start")
                time.sleep(0.5)
        cfg = load_experiment(write_config(tmp_path, server.api_base, tracking__uri=uri))
        first = run_eval(cfg)
        second = run_eval(load_experiment(write_config(tmp_path, server.api_base, tracking__uri=uri,
                                                       dataset__limit=1)))
        from redac.tracking import compare_runs

        diff = compare_runs(first.run_id, second.run_id, uri)
        names = [m[0] for m in diff["metrics"]]
        assert "dev.composite" in names and "dev.n" in names
        assert any(re.match(r"dev", e[0]) for e in diff["examples"])
    finally:
        from tests.support.lm_servers import stop_process

        stop_process(proc)


def test_repeat_runs_nested_and_reports_an_interval(server, tmp_path):
    cfg = load_experiment(write_config(tmp_path, server.api_base, repeat=2, dataset__limit=1))
    result = run_eval(cfg)
    assert len(result.reports["dev"]) == 2
    assert len(server.posts) == 12  # each repeat is a new rollout: no cache sharing between repeats

    import mlflow

    run = mlflow.get_run(result.run_id)
    assert {"dev.composite_mean_over_repeats", "dev.composite_repeat_ci_low"} <= set(run.data.metrics)
    children = mlflow.search_runs(filter_string=f"tags.mlflow.parentRunId = '{result.run_id}'")
    assert len(children) == 2
