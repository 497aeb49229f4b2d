"""Bundles: contents, no pickle anywhere, load round-trip, version and tampering checks, the MLflow Model
Registry with the `champion` alias (real local SQLite store), and loading from `models:/NAME@champion`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import dspy
import pytest
import yaml
from dspy.utils import DummyLM
from tests.test_serve import DATASET, ROOT, SEEDS, make_fake, program_with_demos, stop_fake

from redac.errors import RedacError
from redac.result import RewriteResult
from redac.bundle import (
    MANIFEST_FILE,
    PROGRAM_FILE,
    default_lm_config,
    export,
    load,
    read_manifest,
    sha256_file,
    unflatten_lm,
)

PICKLE_MAGIC = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")


def experiment_yaml(path: Path, *, lm: dict | None = None, name: str = "exp", output_dir: Path | None = None) -> Path:
    data = {"version": 1, "name": name, "lm": lm or {"provider": "openai", "model": "gpt-4o-mini"},
            "metrics": str(ROOT / "evals" / "metrics.yaml"), "dataset": {"path": str(DATASET)},
            "program": {"context_tokens": 16384, "max_sections": 5},
            "output_dir": str(output_dir or path.parent / "runs")}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def pickle_free(folder: Path) -> list[str]:
    """Files that are, or look like, pickles (by name or by their first bytes)."""
    bad = []
    for path in folder.rglob("*"):
        if path.is_file() and (path.suffix in (".pkl", ".pickle") or path.read_bytes()[:2] in PICKLE_MAGIC):
            bad.append(str(path.relative_to(folder)))
    return bad


@pytest.fixture(scope="module")
def program_file(tmp_path_factory) -> Path:
    return program_with_demos(tmp_path_factory.mktemp("prog") / "program.json")


@pytest.fixture
def bundle(program_file, tmp_path) -> Path:
    return export(program_file, tmp_path / "bundle", register=False).bundle


def edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def rehash(bundle: Path) -> None:
    """Make the manifest agree with an edited program.json (a tampering the digest alone cannot catch)."""
    edit_json(bundle / MANIFEST_FILE, lambda m: m["files"].update({PROGRAM_FILE: sha256_file(bundle / PROGRAM_FILE)}))


# ---- bundle contents -------------------------------------------------------------------------


def test_bundle_holds_state_manifest_metrics_and_card_and_no_secret_or_pickle(program_file, tmp_path, monkeypatch):
    from redac import tracking
    from redac.program import RedacProgram

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-value-123456")
    cfg = experiment_yaml(tmp_path / "exp.yaml")
    result = export(program_file, tmp_path / "bundle", config=cfg, register=False)
    files = sorted(p.name for p in result.bundle.iterdir())
    assert files == ["manifest.json", "metrics.yaml", "model_card.md", "program.json"]
    assert pickle_free(result.bundle) == []
    for path in result.bundle.iterdir():
        assert "sk-test-secret" not in path.read_text(encoding="utf-8")

    m = result.manifest
    assert (m.format, m.format_version, m.dspy_version) == ("redac-bundle", 1, dspy.__version__)
    assert list(m.predictors) == ["extract", "plan", "write"]
    assert {k: v.demos for k, v in m.predictors.items()} == {"extract": 2, "plan": 2, "write": 4}
    fresh = RedacProgram()
    assert m.predictors["plan"].instructions == fresh.plan.signature.instructions
    assert [f.name for f in m.predictors["write"].inputs] == list(fresh.write.signature.input_fields)
    assert m.predictors["plan"].signature == "PlanArticle"
    assert m.program_config["context_tokens"] == 16384 and m.program_config["max_sections"] == 5
    assert m.lm["provider"] == "openai" and m.lm["model"] == "gpt-4o-mini" and m.lm["api_key_env"] == "OPENAI_API_KEY"
    assert m.dataset == {"path": str(DATASET), "hash": tracking.file_hash(DATASET)}
    assert (result.bundle / "metrics.yaml").read_bytes() == (ROOT / "evals" / "metrics.yaml").read_bytes()
    assert m.metrics["sha256"] == sha256_file(result.bundle / "metrics.yaml")
    assert m.packages["exported_with"]["dspy"] == dspy.__version__
    assert all(sha256_file(result.bundle / name) == digest for name, digest in m.files.items())
    state = json.loads((result.bundle / PROGRAM_FILE).read_text(encoding="utf-8"))
    assert state["write"]["demos"][0]["heading"] == "Introduction"  # demos travel verbatim, as JSON


def test_model_card_is_readable_and_names_the_limits(program_file, tmp_path):
    cfg = experiment_yaml(tmp_path / "exp.yaml", lm={"provider": "embedded"})
    m = export(program_file, tmp_path / "bundle", config=cfg, register=False).manifest
    card = (tmp_path / "bundle" / "model_card.md").read_text(encoding="utf-8")
    assert card.startswith(f"# redac program {m.id}")
    for heading in ("## Intended use", "## Scores", "## Limits", "## Use"):
        assert heading in card
    assert "270M" in card and "base" in card
    assert "No scores were recorded" in card


def test_run_folder_export_carries_the_run_scores(program_file, tmp_path):
    from redac.experiments import Row, RowStore, load_experiment

    cfg_path = experiment_yaml(tmp_path / "exp.yaml")
    run_dir = load_experiment(cfg_path).run_dir
    run_dir.mkdir(parents=True)
    shutil.copy(program_file, run_dir / "compiled_program.json")
    for split, values in (("test", [0.5, 0.7, 0.6]), ("dev", [0.4, 0.5])):
        store = RowStore(run_dir / "compiled" / f"{split}-r0.jsonl")
        for i, value in enumerate(values):
            store.append(Row(id=f"{split}-{i}", split=split, composite=value))
    m = export(run_dir, tmp_path / "bundle", config=cfg_path, register=False).manifest
    assert m.score("test") == pytest.approx(0.6) and m.scores["test"]["n"] == 3
    assert m.score("dev") == pytest.approx(0.45)
    card = (tmp_path / "bundle" / "model_card.md").read_text(encoding="utf-8")
    assert "| test | 0.600 |" in card


def test_existing_output_is_not_overwritten_without_force(program_file, bundle):
    with pytest.raises(RedacError, match="--force"):
        export(program_file, bundle, register=False)
    assert export(program_file, bundle, register=False, force=True).bundle == bundle


def test_pickled_program_and_non_program_json_are_refused(tmp_path):
    (tmp_path / "p.pkl").write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(RedacError, match="pickled programs are not exported"):
        export(tmp_path / "p.pkl", tmp_path / "b1", register=False)
    (tmp_path / "x.json").write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(RedacError, match="not a DSPy program state"):
        export(tmp_path / "x.json", tmp_path / "b2", register=False)


def test_an_lm_left_on_a_predictor_is_dropped(program_file, tmp_path):
    state = json.loads(program_file.read_text(encoding="utf-8"))
    state["plan"]["lm"] = {"model": "openai/gpt-4o-mini", "redac_config": {"provider": "openai"}}
    (tmp_path / "p.json").write_text(json.dumps(state), encoding="utf-8")
    m = export(tmp_path / "p.json", tmp_path / "bundle", register=False).manifest
    assert json.loads((tmp_path / "bundle" / PROGRAM_FILE).read_text(encoding="utf-8"))["plan"]["lm"] is None
    assert any("plan" in note and "dropped" in note for note in m.notes)


# ---- loading ---------------------------------------------------------------------------------


def test_load_round_trips_the_state(program_file, bundle):
    import redac

    loaded = redac.load(bundle)
    saved = json.loads(program_file.read_text(encoding="utf-8"))
    saved.pop("metadata")
    live = loaded.program.dump_state()
    live.pop("metadata", None)
    assert live == saved
    assert loaded.warnings == [] and loaded.manifest.id == read_manifest(bundle).id


def test_loaded_program_turns_a_raw_source_into_an_article(bundle):
    plan = {"keyphrase": "Corée du Nord", "title": "Poutine invité en Corée du Nord",
            "meta_description": "La Corée du Nord affirme que Vladimir Poutine veut visiter Pyongyang prochainement, "
                                "selon l'agence officielle KCNA.",
            "outline": ["## Une visite annoncée", "## La coopération avec Moscou", "## La guerre en Ukraine"]}
    text = "Vladimir Poutine a manifesté sa volonté de visiter la Corée du Nord, selon l'agence KCNA. " * 8
    lm = DummyLM({"[[ ## source ## ]]": {"facts": ["Poutine veut visiter la Corée du Nord."]},
                  "[[ ## sections ## ]]": plan, "[[ ## heading ## ]]": {"text": text}})
    loaded = load(bundle)
    raw = (SEEDS / "source_003.txt").read_text(encoding="utf-8")
    article = loaded(raw, lm=lm)
    assert article.title == plan["title"] and article.slug == "coree-du-nord"
    assert [h.text for h in article.headings[1:]] == [o[3:] for o in plan["outline"]]
    result = loaded.run(raw, lm=lm, targets={"max_subheadings": 2})
    assert len(result.article.headings) == 3 and result.facts == ["Poutine veut visiter la Corée du Nord."]
    assert isinstance(result, RewriteResult) and result.ok and result.error is None
    record = result.record()
    assert record["article"]["markdown"] == result.article.markdown  # `markdown` is the body, always
    assert result.markdown_document.startswith("---\n") and result.article.markdown.strip() in result.markdown_document
    with pytest.raises(RedacError, match="unknown target 'colour'"):
        loaded.run(raw, lm=lm, targets={"colour": "bleu"})


def test_unknown_format_version_names_the_file_and_field(bundle):
    edit_json(bundle / MANIFEST_FILE, lambda m: m.update(format_version=2))
    with pytest.raises(RedacError) as info:
        load(bundle)
    assert info.value.file == str(bundle / MANIFEST_FILE) and info.value.field == "format_version"
    assert "unsupported bundle format version 2" in str(info.value)


def test_a_folder_without_manifest_is_not_a_bundle(tmp_path):
    tmp_path.joinpath("program.json").write_text("{}", encoding="utf-8")
    with pytest.raises(RedacError, match="not a redac bundle"):
        load(tmp_path)


def test_other_versions_load_when_the_state_comes_out_as_exported(bundle):
    edit_json(bundle / MANIFEST_FILE, lambda m: m.update(dspy_version="3.3.0", redac_version="0.0.9"))
    loaded = load(bundle)
    assert any("DSPy 3.3.0" in w and "verified" in w for w in loaded.warnings)
    assert any("redac 0.0.9" in w for w in loaded.warnings)


def test_other_dspy_version_with_differing_signatures_is_refused(bundle):
    def tamper(m):
        m["dspy_version"] = "3.3.0"
        m["predictors"]["plan"]["instructions"] = "Une autre consigne."
    edit_json(bundle / MANIFEST_FILE, tamper)
    with pytest.raises(RedacError) as info:
        load(bundle)
    assert info.value.field == "predictors.plan.instructions"
    assert "DSPy 3.3.0" in str(info.value) and dspy.__version__ in str(info.value)


def test_fields_renamed_by_another_redac_are_refused(bundle):
    edit_json(bundle / MANIFEST_FILE, lambda m: m["predictors"]["write"]["inputs"][4].update(name="length"))
    with pytest.raises(RedacError) as info:
        load(bundle)
    assert info.value.field == "predictors.write.inputs" and "'length'" in str(info.value)


def test_a_state_with_a_missing_field_is_refused_not_shifted(bundle):
    """DSPy would zip the saved field texts onto the signature by position and drop the extra one silently."""
    edit_json(bundle / PROGRAM_FILE, lambda s: s["write"]["signature"]["fields"].pop(1))
    rehash(bundle)
    with pytest.raises(RedacError, match="predictor 'write' has 5 saved fields"):
        load(bundle)


def test_a_demo_with_a_foreign_field_is_refused(bundle):
    edit_json(bundle / PROGRAM_FILE, lambda s: s["plan"]["demos"][0].update(question="?"))
    rehash(bundle)
    with pytest.raises(RedacError, match=r"demo 0 of predictor 'plan' has fields \['question'\]"):
        load(bundle)


def test_an_edited_program_json_is_refused(bundle):
    edit_json(bundle / PROGRAM_FILE, lambda s: s["plan"]["signature"].update(instructions="Autre chose."))
    with pytest.raises(RedacError, match="does not match its digest") as info:
        load(bundle)
    assert info.value.field == "files.program.json"


def test_a_program_setting_from_a_newer_redac_is_refused(bundle):
    edit_json(bundle / MANIFEST_FILE, lambda m: m["program_config"].update(beam_width=4))
    with pytest.raises(RedacError) as info:
        load(bundle)
    assert info.value.field == "program_config.beam_width"


def test_default_lm_comes_from_the_manifest_without_secrets(tmp_path):
    from redac.lm import LMConfig

    live = LMConfig(provider="openai", model="gpt-4.1-mini", api_key_env="MY_KEY",
                    prices={"gpt-4.1-mini": {"input": 0.4, "output": 1.6}})
    replay = LMConfig(provider="replay", replay_from=tmp_path / "r.jsonl", fallback=live)
    flat = replay.public_dict()
    assert unflatten_lm(flat)["fallback"]["prices"] == {"gpt-4.1-mini": {"input": 0.4, "output": 1.6}}
    manifest = read_manifest_like({"lm": flat})
    cfg = default_lm_config(manifest)
    assert cfg.provider == "openai" and cfg.model == "gpt-4.1-mini" and cfg.api_key_env == "MY_KEY"
    assert cfg.prices["gpt-4.1-mini"].output == 1.6
    with pytest.raises(RedacError, match="replay recording with no live fallback"):
        default_lm_config(read_manifest_like({"lm": LMConfig(provider="replay", replay_from=tmp_path).public_dict()}))


def read_manifest_like(extra: dict):
    from redac.bundle import Manifest

    return Manifest(format="redac-bundle", format_version=1, id="x", created_at="now", redac_version="0",
                    dspy_version="0", source={}, predictors={}, program_config={}, **extra)


def test_cli_registration_exports_a_bundle(program_file, tmp_path):
    from typer.testing import CliRunner

    from redac.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["export", str(program_file), "--out", str(tmp_path / "b"), "--no-register"])
    assert result.exit_code == 0, result.output
    assert f"bundle {tmp_path / 'b'} (id " in result.output and "test composite: none recorded" in result.output
    assert runner.invoke(app, ["serve", "--help"]).exit_code == 0


# ---- MLflow Model Registry -------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A real local MLflow store (SQLite + artifact folder) in a temporary folder."""
    import mlflow
    from mlflow.tracking._tracking_service import utils as tracking_utils

    root = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    previous = getattr(tracking_utils, "_tracking_uri", None)  # mlflow keeps the URI in a module global
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("MLFLOW_TRACKING_URI", uri)
        mp.delenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", raising=False)
        mlflow.set_tracking_uri(uri)
        mlflow.create_experiment("redac", artifact_location=str(root / "artifacts"))
        try:
            yield {"uri": uri, "root": root}
        finally:
            mlflow.set_tracking_uri(previous)


def make_run(store, program_file: Path, test: float, *, dev: float = 0.5, dataset_hash: str = "d1") -> str:
    """An `optimize`-shaped run, logged with redac.tracking as run_optimize does."""
    from redac import tracking
    from redac.experiments import DatasetRef, ExperimentConfig
    from redac.lm import LMConfig

    cfg = ExperimentConfig(name="reg", lm=LMConfig(provider="openai", model="gpt-4o-mini"),
                           metrics=ROOT / "evals" / "metrics.yaml", dataset=DatasetRef(path=DATASET))
    folder = store["root"] / f"run-{test}-{dataset_hash}"
    folder.mkdir(exist_ok=True)
    shutil.copy(program_file, folder / "compiled_program.json")
    tracking.setup(store["uri"], "redac")
    with tracking.run("optimize:reg", tags={"redac.kind": "optimize"}):
        run_id = tracking.active_run_id()
        tracking.log_params({"config": cfg.public_dict(), "dataset_hash": dataset_hash,
                             "versions": tracking.package_versions()})
        tracking.log_file_text(yaml.safe_dump(cfg.public_dict(), allow_unicode=True), "config.yaml")
        tracking.log_file(folder / "compiled_program.json", "program")
        tracking.log_metrics({"compiled.test.composite": test, "compiled.dev.composite": dev,
                              "compiled.test.n": 3.0, "baseline.test.composite": 0.2, "lift.test.mean": test - 0.2})
    return run_id


def champion(name: str) -> str:
    from mlflow.tracking import MlflowClient

    return str(MlflowClient().get_model_version_by_alias(name, "champion").version)


def test_champion_moves_only_when_the_test_score_improves(store, program_file, tmp_path):
    name = "redac-champion"
    first = export(make_run(store, program_file, 0.50), tmp_path / "v1", model_name=name, tracking_uri=store["uri"])
    assert first.registry.version == "1" and first.registry.champion_moved and "first champion" in first.registry.reason
    assert first.manifest.source["kind"] == "mlflow_run" and first.manifest.scores["baseline.test"]["composite"] == 0.2
    assert first.manifest.lm["model"] == "gpt-4o-mini" and first.manifest.dataset["hash"] == "d1"
    assert (tmp_path / "v1" / "metrics.yaml").is_file()

    worse = export(make_run(store, program_file, 0.40), tmp_path / "v2", model_name=name, tracking_uri=store["uri"])
    assert worse.registry.version == "2" and not worse.registry.champion_moved
    assert "does not beat champion version 1" in worse.registry.reason and champion(name) == "1"

    better_id = make_run(store, program_file, 0.60)
    better = export(better_id, tmp_path / "v3", model_name=name, tracking_uri=store["uri"])
    assert better.registry.champion_moved and better.registry.previous_champion == "1" and champion(name) == "3"

    other_data = export(make_run(store, program_file, 0.90, dataset_hash="d2"), tmp_path / "v4", model_name=name,
                        tracking_uri=store["uri"])
    assert not other_data.registry.champion_moved and "different dataset" in other_data.registry.reason
    unscored = export(tmp_path / "v1" / PROGRAM_FILE, tmp_path / "v5", model_name=name, tracking_uri=store["uri"])
    assert not unscored.registry.champion_moved and "no test score" in unscored.registry.reason
    assert champion(name) == "3"

    loaded = load(f"models:/{name}@champion", tracking_uri=store["uri"])
    assert loaded.manifest.source["run_id"] == better_id and loaded.manifest.score("test") == 0.60
    assert load(f"models:/{name}/2", tracking_uri=store["uri"]).manifest.score("test") == 0.40


def test_registered_model_is_pickle_free_and_serves_through_mlflow(store, program_file, tmp_path):
    import mlflow

    name = "redac-pyfunc"
    result = export(make_run(store, program_file, 0.55), tmp_path / "b", model_name=name, tracking_uri=store["uri"])
    local = Path(mlflow.artifacts.download_artifacts(artifact_uri=f"models:/{name}/1", dst_path=str(tmp_path / "dl")))
    assert pickle_free(local) == []
    flavor = yaml.safe_load((local / "MLmodel").read_text(encoding="utf-8"))["flavors"]["python_function"]
    assert "model_code_path" in flavor and "python_model" not in flavor  # models from code, not cloudpickle
    assert (local / flavor["artifacts"]["bundle"]["path"] / "manifest.json").is_file()

    fake = make_fake()
    try:
        assert "MLFLOW_ALLOW_PICKLE_DESERIALIZATION" not in os.environ
        model = mlflow.pyfunc.load_model(f"models:/{name}@champion",
                                         model_config={"lm": f"openai_compatible:{fake.api_base}@fake-model"})
        assert model.unwrap_python_model().loaded.id == result.manifest.id
        raw = (SEEDS / "source_000.txt").read_text(encoding="utf-8")
        out = model.predict([raw, "   "])
    finally:
        stop_fake(fake)
    first, second = (row if isinstance(row, dict) else row.model_dump() for row in out)
    assert first["title"] and first["markdown_document"].startswith("---\n") and first["word_count"] > 100
    assert first["error"] is None and "Poutine" in first["markdown"]
    assert second["error_type"] == "SourceError" and "source is empty" in second["error"]


MLFLOW_SWITCHES = ("MLFLOW_ALLOW_FILE_STORE", "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR")


def test_mlflow_switches_hold_only_around_the_mlflow_calls(store, program_file, tmp_path, monkeypatch):
    """Export, registry and load used to leave MLflow's switches set in os.environ for the rest of the process."""
    from redac import tracking

    for key in MLFLOW_SWITCHES:
        monkeypatch.delenv(key, raising=False)
    export(make_run(store, program_file, 0.3, dataset_hash="env"), tmp_path / "b", model_name="redac-env",
           tracking_uri=store["uri"])
    load("models:/redac-env/1", tracking_uri=store["uri"])
    assert [key for key in MLFLOW_SWITCHES if key in os.environ] == []

    with tracking.mlflow_env(f"file://{tmp_path}/mlruns"):
        assert [os.environ.get(key) for key in MLFLOW_SWITCHES] == ["true", "false"]
    assert [key for key in MLFLOW_SWITCHES if key in os.environ] == []
    monkeypatch.setenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "true")  # the user's choice wins and stays
    with tracking.mlflow_env(store["uri"]):
        assert os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] == "true" and "MLFLOW_ALLOW_FILE_STORE" not in os.environ
    assert os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] == "true"


def test_a_local_file_store_works_after_setup_without_the_switch_left_set(tmp_path, monkeypatch):
    import mlflow

    from redac import tracking

    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE", raising=False)
    previous = mlflow.get_tracking_uri()
    try:
        tracking.setup(f"file://{tmp_path}/mlruns", "file-store")
        with tracking.run("r"):  # the store MLflow built inside setup is reused
            tracking.log_metrics({"a": 1.0})
        assert "MLFLOW_ALLOW_FILE_STORE" not in os.environ
    finally:
        mlflow.set_tracking_uri(previous)


def test_a_chain_of_thought_program_round_trips(tmp_path):
    from redac.program import ProgramConfig, RedacProgram

    RedacProgram(ProgramConfig(reasoning=True)).save(str(tmp_path / "cot.json"))
    m = export(tmp_path / "cot.json", tmp_path / "bundle", register=False).manifest
    assert m.program_config["reasoning"] is True and list(m.predictors) == ["extract.predict", "plan.predict",
                                                                            "write.predict"]
    assert m.predictors["plan.predict"].outputs[0].name == "reasoning"
    assert load(tmp_path / "bundle").program.config.reasoning is True
