"""Pickle-free bundles of a compiled program: write, register, load.

A bundle is a directory of plain files that another service can read without redac's training stack:

* ``program.json``: the DSPy state (instructions, field descriptions, demos), as ``Module.save`` writes it;
* ``manifest.json``: what the state is and where it came from (format version, redac and DSPy versions,
  each predictor's fields and instructions, :class:`~redac.program.ProgramConfig`, LM settings without
  secrets, metric config digest, dataset hash, scores, package versions, file digests);
* ``metrics.yaml``: the metric config the scores were computed with (when known);
* ``model_card.md``: the same facts for a person.

Loading never unpickles and never trusts the state blindly: DSPy applies saved field descriptions to
the installed signature *by position* and ignores extra or missing ones, so a bundle read by another
redac or DSPy version could silently prompt with the wrong field texts. :func:`load` therefore checks
the format version and file digests, compares the installed predictors and fields with the manifest
before loading, and compares what was loaded with the manifest after; any difference is a
:class:`~redac.errors.RedacError` naming the file and the field.

The MLflow side logs the bundle as a "models from code" pyfunc (``redac/bundle/pyfunc.py``: no
cloudpickle), registers a version, and moves the ``champion`` alias only when the new version beats
the current champion on the test split with the same dataset and metric config.

Modules, in the order data flows: ``manifest`` (the schema and file names), ``state`` (the DSPy JSON
state), ``verify`` (installed program vs bundle), ``collect`` (from a file, run folder or MLflow run),
``card`` and ``write`` (the directory), ``store`` (the MLflow store), ``registry`` (versions, champion,
download), ``default_lm``, ``loaded`` and ``loading`` (``redac.load``), ``exporting`` (``redac export``).
``pyfunc`` is only ever run by MLflow and is not imported here.
"""

from __future__ import annotations

from redac.bundle.card import model_card
from redac.bundle.collect import BundleSource, source_from_file, source_from_run
from redac.bundle.default_lm import check_adapter, default_lm_config, unflatten_lm
from redac.bundle.exporting import ExportResult, export
from redac.bundle.loaded import LoadedProgram
from redac.bundle.loading import load
from redac.bundle.manifest import (
    CARD_FILE,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_FILE,
    METRICS_FILE,
    PROGRAM_FILE,
    FieldSpec,
    Manifest,
    PredictorSpec,
    read_manifest,
    sha256_file,
)
from redac.bundle.registry import (
    CHAMPION,
    DEFAULT_MODEL_NAME,
    RegistryResult,
    decide_champion,
    fetch_bundle,
    is_registry_ref,
    register_bundle,
    version_tags,
)
from redac.bundle.state import read_state, split_state
from redac.bundle.verify import build_program, describe_predictors
from redac.bundle.write import write_bundle

__all__ = [
    "CARD_FILE",
    "CHAMPION",
    "DEFAULT_MODEL_NAME",
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST_FILE",
    "METRICS_FILE",
    "PROGRAM_FILE",
    "BundleSource",
    "ExportResult",
    "FieldSpec",
    "LoadedProgram",
    "Manifest",
    "PredictorSpec",
    "RegistryResult",
    "build_program",
    "check_adapter",
    "decide_champion",
    "default_lm_config",
    "describe_predictors",
    "export",
    "fetch_bundle",
    "is_registry_ref",
    "load",
    "model_card",
    "read_manifest",
    "read_state",
    "register_bundle",
    "sha256_file",
    "source_from_file",
    "source_from_run",
    "split_state",
    "unflatten_lm",
    "version_tags",
    "write_bundle",
]
