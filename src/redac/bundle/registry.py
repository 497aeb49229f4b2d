"""The MLflow Model Registry: a bundle logged as a pickle-free pyfunc model (``redac/bundle/pyfunc.py``, models
from code), a version registered and tagged, the ``champion`` alias moved only on a comparable, better test
score; and a registered model downloaded back to its bundle directory (files only, no model code runs)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from redac.bundle.manifest import MANIFEST_FILE, Manifest, read_manifest
from redac.bundle.store import tracking_store
from redac.errors import ConfigError, RedacError, first_line

DEFAULT_MODEL_NAME = "redac"
CHAMPION = "champion"
MLFLOW_BUNDLE_ARTIFACT = "bundle"  # the pyfunc's artifact key; the bundle lands in <model>/artifacts/bundle
TAG_PREFIX = "redac."
PYFUNC_FILE = Path(__file__).with_name("pyfunc.py")  # MLflow copies this file into each logged model


@dataclass
class RegistryResult:
    model_name: str
    version: str
    model_uri: str
    champion_moved: bool
    reason: str
    previous_champion: str | None = None
    run_id: str | None = None


def register_bundle(bundle: str | Path, *, model_name: str = DEFAULT_MODEL_NAME, tracking_uri: str | None = None,
                    experiment: str = "redac") -> RegistryResult:
    """Log the bundle as a pickle-free pyfunc model, register a version, then decide the champion.

    The model is logged into the bundle's source run when it came from one (lineage in the UI), else into a
    new ``export`` run of ``experiment``.
    """
    from importlib import metadata

    import mlflow
    from mlflow.tracking import MlflowClient

    from redac import __version__, tracking

    bundle = Path(bundle)
    manifest = read_manifest(bundle)
    with tracking_store(tracking_uri) as uri:
        run_id = manifest.source.get("run_id") if manifest.source.get("kind") == "mlflow_run" else None
        if run_id is not None:
            try:
                MlflowClient().get_run(run_id)
            except Exception:
                run_id = None  # the bundle was made against another store: log into a fresh run here
        if run_id is None:
            tracking.setup(uri, experiment)
        requirements = [f"redac=={__version__}", f"dspy=={metadata.version('dspy')}",
                        f"mlflow=={metadata.version('mlflow')}"]
        ctx = mlflow.start_run(run_id=run_id) if run_id else \
            mlflow.start_run(run_name=f"export:{manifest.id}", tags={"redac.kind": "export"})
        with ctx as active:
            info = mlflow.pyfunc.log_model(
                name="model", python_model=str(PYFUNC_FILE), artifacts={MLFLOW_BUNDLE_ARTIFACT: str(bundle)},
                pip_requirements=requirements, registered_model_name=model_name,
                model_config={"lm": ""},  # declared so load_model(model_config={"lm": SPEC}) may set it
                tags={f"{TAG_PREFIX}bundle_id": manifest.id},
            )
            active_id = active.info.run_id
        version = str(info.registered_model_version)
        client = MlflowClient()
        for key, value in version_tags(manifest).items():
            client.set_model_version_tag(model_name, version, key, value)
        moved, reason, previous = decide_champion(client, model_name, version, manifest)
    return RegistryResult(model_name=model_name, version=version, model_uri=f"models:/{model_name}/{version}",
                          champion_moved=moved, reason=reason, previous_champion=previous, run_id=active_id)


def version_tags(manifest: Manifest) -> dict[str, str]:
    """What the champion decision compares, stored on the model version."""
    tags = {"bundle_id": manifest.id, "redac_version": manifest.redac_version, "dspy_version": manifest.dspy_version,
            "dataset_hash": (manifest.dataset or {}).get("hash") or "",
            "metrics_sha256": (manifest.metrics or {}).get("sha256") or "",
            "source_run_id": manifest.source.get("run_id") or ""}
    for split in ("dev", "test"):
        score = manifest.score(split)
        if score is not None:
            tags[f"{split}_composite"] = repr(score)
    return {TAG_PREFIX + k: v for k, v in tags.items() if v != ""}


def decide_champion(client: Any, model_name: str, version: str, manifest: Manifest) -> tuple[bool, str, str | None]:
    """Move ``champion`` to ``version`` only if its test composite beats the champion's, measured on the same
    dataset with the same metric config. Returns (moved, why, previous champion version)."""
    score = manifest.score("test")
    aliases = client.get_registered_model(model_name).aliases or {}  # a failing store raises: never a blind move
    previous = str(aliases[CHAMPION]) if CHAMPION in aliases else None
    current = client.get_model_version(model_name, previous) if previous is not None else None
    if score is None:
        return False, "the bundle has no test score (only programs from an optimize run compete)", previous
    if current is None:
        client.set_registered_model_alias(model_name, CHAMPION, version)
        return True, f"first champion (test composite {score:.4f})", None
    tags = current.tags or {}
    best = tags.get(f"{TAG_PREFIX}test_composite")
    if best is None:
        return False, f"champion version {previous} has no {TAG_PREFIX}test_composite tag to compare with", previous
    for key, label in (("dataset_hash", "dataset"), ("metrics_sha256", "metric config")):
        mine, theirs = version_tags(manifest).get(TAG_PREFIX + key), tags.get(TAG_PREFIX + key)
        if mine and theirs and mine != theirs:
            return False, (f"not comparable with champion version {previous}: different {label} "
                           f"({mine[:12]} vs {theirs[:12]})"), previous
    if score > float(best):
        client.set_registered_model_alias(model_name, CHAMPION, version)
        return True, f"test composite {score:.4f} beats champion version {previous} ({float(best):.4f})", previous
    return False, f"test composite {score:.4f} does not beat champion version {previous} ({float(best):.4f})", previous


def is_registry_ref(ref: str) -> bool:
    return str(ref).startswith(("models:/", "runs:/"))


def fetch_bundle(ref: str, *, tracking_uri: str | None = None, dest: str | Path | None = None) -> Path:
    """Download a registered model (``models:/NAME@ALIAS``, ``models:/NAME/VERSION``, ``runs:/ID/model``) and
    return the bundle directory inside it. Only files are copied; no model code runs."""
    import mlflow

    with tracking_store(tracking_uri):
        target = Path(dest) if dest is not None else Path(tempfile.mkdtemp(prefix="redac-bundle-"))
        try:
            local = Path(mlflow.artifacts.download_artifacts(artifact_uri=ref, dst_path=str(target)))
        except Exception as exc:
            raise ConfigError(f"cannot fetch {ref}: {first_line(exc) or type(exc).__name__}", field="bundle") from None
    return _bundle_in_model(local, ref)


def _bundle_in_model(local: Path, ref: str) -> Path:
    """The bundle directory of a downloaded pyfunc model: where its MLmodel says the ``bundle`` artifact is."""
    if (local / MANIFEST_FILE).is_file():
        return local
    try:
        mlmodel = yaml.safe_load((local / "MLmodel").read_text(encoding="utf-8")) or {}
        relative = mlmodel["flavors"]["python_function"]["artifacts"][MLFLOW_BUNDLE_ARTIFACT]["path"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        raise RedacError(f"{ref} is not a redac model (no '{MLFLOW_BUNDLE_ARTIFACT}' artifact in its MLmodel)",
                         file=str(local / "MLmodel")) from None
    bundle = (local / str(relative)).resolve()
    if local.resolve() not in bundle.parents or not (bundle / MANIFEST_FILE).is_file():
        raise RedacError(f"{ref}: the bundle artifact {relative!r} holds no {MANIFEST_FILE}", file=str(local))
    return bundle
