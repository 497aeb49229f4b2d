"""The regression gate: the pure comparison on hand-built rows, the config and baseline files, the
reports, and the whole command end to end on the committed recordings (replay, offline, no LM)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from redac.errors import ConfigError, DatasetError
from redac.experiments import Row
from redac.gate import (
    Baseline,
    DatasetInfo,
    ExampleScore,
    GateConfig,
    compare,
    load_gate_config,
    read_baseline,
    render_markdown,
    write_junit,
    write_markdown,
)

CI_CONFIG = ROOT / "experiments" / "ci-gate.yaml"
CI_BASELINE = ROOT / "evals" / "baselines" / "ci-gate.json"
GATE_YAML = ROOT / "evals" / "gate.yaml"

# Per-example metric values in the range the embedded model's articles get (varied on purpose).
METRICS = ("fact_recall", "fact_precision", "length", "headings", "seo", "language")


def _rows(n: int = 8) -> list[Row]:
    rows = []
    for i in range(n):
        metrics = {m: round(0.3 + 0.07 * ((i * 3 + j * 5) % 9), 3) for j, m in enumerate(METRICS)}
        metrics["language"] = 1.0
        composite = round(sum(metrics.values()) / len(metrics), 4)
        rows.append(Row(id=f"ex-{i:02d}", split="dev", composite=composite, metrics=metrics,
                        feedback=f"feedback for ex-{i:02d}"))
    return rows


def _baseline(rows: list[Row]) -> Baseline:
    return Baseline(config="unit", dataset=DatasetInfo(path="d.jsonl", hash="0"), created="2026-01-01T00:00:00+00:00",
                    examples={r.id: ExampleScore(composite=r.composite, metrics=dict(r.metrics), feedback=r.feedback,
                                                 input_hash=f"h-{r.id}") for r in rows})


def _copy(rows: list[Row]) -> list[Row]:
    return [Row(id=r.id, split=r.split, composite=r.composite, metrics=dict(r.metrics), feedback=r.feedback)
            for r in rows]


def _check(result, metric):
    return next(c for c in result.checks if c.metric == metric)


CFG = GateConfig()


# ---------------------------------------------------------------------------------------------
# compare(): the decision
# ---------------------------------------------------------------------------------------------


def test_identical_rows_pass():
    rows = _rows()
    result = compare(_baseline(rows), _copy(rows), CFG)
    assert result.passed and result.exit_code == 0 and result.verdict == "PASS"
    assert not result.regressed and not result.new_failures
    assert {c.metric for c in result.checks} == {"composite", *METRICS}
    assert all(abs(c.delta) < 1e-12 for c in result.checks)


def test_metric_lowered_on_several_examples_is_a_regression_with_the_examples_listed():
    rows = _rows()
    degraded = _copy(rows)
    for row in degraded[:6]:  # seo collapses on 6 of 8 examples, the composite follows
        row.metrics["seo"] = max(0.0, row.metrics["seo"] - 0.4)
        row.composite -= 0.4 / len(METRICS)
        row.feedback = "seo: the keyphrase is missing from the title"
    result = compare(_baseline(rows), degraded, CFG)
    assert result.exit_code == 1
    seo = _check(result, "seo")
    assert not seo.passed and seo.interval.high < 0 and seo.delta == pytest.approx(-0.3, abs=0.02)
    assert not _check(result, "composite").passed
    assert _check(result, "fact_recall").passed
    assert [e.id for e in result.regressed] == sorted(r.id for r in degraded[:6])
    first = result.regressed[0]
    assert first.delta == pytest.approx(-0.4 / len(METRICS))
    assert list(first.metric_deltas) == ["seo"] and "keyphrase" in first.feedback
    assert "seo" in result.verdict and "composite" in result.verdict


def test_one_example_moving_is_noise_for_the_bootstrap():
    rows = _rows()
    noisy = _copy(rows)
    noisy[3].composite -= 0.25  # mean drop 0.031 > max_drop 0.02, but carried by a single example
    noisy[3].metrics["fact_recall"] -= 0.25
    result = compare(_baseline(rows), noisy, CFG)
    composite = _check(result, "composite")
    assert -composite.delta > CFG.drop_limit("composite")
    assert composite.within_noise and composite.passed and composite.interval.high >= 0
    assert result.passed and result.exit_code == 0
    assert [e.id for e in result.regressed] == ["ex-03"]  # still listed, for the reviewer


def test_without_bootstrap_the_same_single_example_fails():
    rows = _rows()
    noisy = _copy(rows)
    noisy[3].composite -= 0.25
    strict = GateConfig.model_validate({"bootstrap": {"rule": "none"}})
    assert compare(_baseline(rows), noisy, strict).exit_code == 1
    # The one-sided rule is stricter than the two-sided interval: 3 of 10 examples down fails the first only
    # (a resample misses all three with probability 0.7**10 = 2.8 %: inside the interval, under 5 %).
    rows = _rows(10)
    three = _copy(rows)
    for row in three[2:5]:
        row.composite -= 0.2
    by_interval = compare(_baseline(rows), three, CFG)
    by_probability = compare(_baseline(rows), three, GateConfig.model_validate({"bootstrap": {"rule": "probability"}}))
    assert 0.025 < _check(by_probability, "composite").p_no_drop < 0.05
    assert by_probability.exit_code == 1
    assert by_interval.exit_code == 0 and _check(by_interval, "composite").within_noise


def test_an_improvement_never_fails():
    rows = _rows()
    better = _copy(rows)
    for row in better:
        row.composite += 0.1
        row.metrics["seo"] = min(1.0, row.metrics["seo"] + 0.2)
    result = compare(_baseline(rows), better, CFG)
    assert result.passed and not result.regressed


def test_floor_fails_even_when_the_baseline_was_the_same():
    rows = _rows()
    for row in rows:
        row.metrics["language"] = 0.5
    cfg = GateConfig.model_validate({"floors": {"values": {"language": 0.8}}})
    result = compare(_baseline(rows), _copy(rows), cfg)
    language = _check(result, "language")
    assert not language.floor_ok and language.drop_ok and result.exit_code == 1
    assert "below the floor" in language.reason


def test_floors_from_the_metric_thresholds_only_when_asked():
    rows = _rows()
    thresholds = {"composite": 0.99, "seo": 0.1}
    assert compare(_baseline(rows), _copy(rows), CFG, thresholds=thresholds).passed
    cfg = GateConfig.model_validate({"floors": {"from_metric_thresholds": True, "values": {"composite": 0.1}}})
    result = compare(_baseline(rows), _copy(rows), cfg, thresholds=thresholds)
    assert _check(result, "composite").floor == 0.1  # explicit value wins over the threshold
    assert _check(result, "seo").floor == 0.1 and result.passed
    cfg = GateConfig.model_validate({"floors": {"from_metric_thresholds": True}})
    assert not compare(_baseline(rows), _copy(rows), cfg, thresholds=thresholds).passed


def test_missing_or_new_examples_are_an_input_error_unless_allowed():
    rows = _rows()
    with pytest.raises(DatasetError, match="missing now: ex-07") as info:
        compare(_baseline(rows), _copy(rows)[:-1], CFG)
    assert info.value.exit_code == 2
    extra = _copy(rows) + [Row(id="ex-99", split="dev", composite=0.5)]
    with pytest.raises(DatasetError, match="not in the baseline: ex-99"):
        compare(_baseline(rows), extra, CFG)
    allowing = GateConfig.model_validate({"examples": {"allow_missing": True}})
    result = compare(_baseline(rows), _copy(rows)[:-1], allowing)
    assert result.n == 7 and result.passed and any("ex-07" in note for note in result.notes)


def test_an_example_changed_in_the_dataset_is_an_input_error():
    rows = _rows()
    hashes = {r.id: f"h-{r.id}" for r in rows}
    assert compare(_baseline(rows), _copy(rows), CFG, input_hashes=hashes).passed
    hashes["ex-02"] = "edited"
    with pytest.raises(DatasetError, match="ex-02"):
        compare(_baseline(rows), _copy(rows), CFG, input_hashes=hashes)


def test_a_new_failure_is_a_regression():
    rows = _rows()
    failing = _copy(rows)
    failing[5] = Row(id="ex-05", split="dev", composite=0.0, error="AdapterParseError: no fields")
    result = compare(_baseline(rows), failing, GateConfig.model_validate({"bootstrap": {"rule": "interval"}}))
    assert result.new_failures == ["ex-05"] and not result.failures_ok and result.exit_code == 1
    assert result.regressed[0].id == "ex-05" and result.regressed[0].error.startswith("AdapterParseError")
    # metrics of the failed row are absent: they are compared on the other 7 examples
    assert _check(result, "seo").n == 7


def test_regressed_example_feedback_starts_with_what_dropped():
    rows = _rows()
    feedback = ("Composite score 0.40.\n- length = 0.10: Too short.\n- seo = 0.20: put the keyphrase in the title.\n"
                "- headings = 0.50: add subheadings.")
    degraded = _copy(rows)
    degraded[0].metrics["headings"] -= 0.3
    degraded[0].metrics["seo"] -= 0.1
    degraded[0].composite -= 0.2
    degraded[0].feedback = feedback
    example = compare(_baseline(rows), degraded, CFG).regressed[0]
    assert example.feedback.splitlines() == ["Composite score 0.40.", "- headings = 0.50: add subheadings.",
                                             "- seo = 0.20: put the keyphrase in the title.", "- length = 0.10: Too short."]


def test_new_and_removed_metrics_are_notes_not_errors():
    rows = _rows()
    changed = _copy(rows)
    for row in changed:
        row.metrics.pop("headings")
        row.metrics["coverage"] = 0.7
    result = compare(_baseline(rows), changed, CFG)
    assert result.passed
    assert any("'headings'" in n for n in result.notes) and any("'coverage'" in n for n in result.notes)


def test_repeats_are_averaged_per_example():
    from redac.experiments import EvalReport
    from redac.gate import aggregate_rows

    first = [Row(id="a", split="dev", composite=0.4, metrics={"seo": 0.5}, feedback="fa"),
             Row(id="b", split="dev", composite=0.6, metrics={"seo": 0.7})]
    second = [Row(id="a", split="dev", repeat=1, composite=0.0, error="LMError: timeout"),
              Row(id="b", split="dev", repeat=1, composite=0.8, metrics={"seo": 0.9})]
    rows = aggregate_rows({"dev": [EvalReport("dev", first), EvalReport("dev", second)]})
    assert [(r.id, r.composite, r.metrics) for r in rows] == [("a", 0.2, {"seo": 0.5}),
                                                               ("b", pytest.approx(0.7), {"seo": pytest.approx(0.8)})]
    assert rows[0].error == "LMError: timeout" and rows[0].feedback == "fa" and rows[1].error is None


def test_recording_config_swaps_the_replay_for_a_recording_live_lm():
    from redac.experiments import load_experiment
    from redac.gate import recording_config

    cfg = load_experiment(CI_CONFIG)
    live = recording_config(cfg, "embedded").lm
    assert live.provider == "embedded" and live.max_tokens == cfg.lm.max_tokens
    assert live.temperature == cfg.lm.temperature
    assert live.record_to.parent == cfg.lm.replay_from.parent  # renamed over the replay file once finished
    with pytest.raises(ConfigError, match="live LM"):
        recording_config(cfg, "replay:x.jsonl")
    with pytest.raises(ConfigError, match="provider: replay"):
        recording_config(recording_config(cfg, "embedded"), "embedded")


# ---------------------------------------------------------------------------------------------
# Files: gate config, baseline, reports
# ---------------------------------------------------------------------------------------------


def test_the_committed_gate_config_is_valid():
    cfg = load_gate_config(GATE_YAML)
    assert cfg.version == 1 and cfg.drop_limit("composite") is not None


@pytest.mark.parametrize("patch, field, message", [
    ({"bootstrap": {"confidense": 0.9}}, "bootstrap.confidense", "unknown key 'confidense'"),
    ({"max_drop": {"sel": 0.1}}, "max_drop", "unknown metric 'sel'"),
    ({"floors": {"values": {"seo": 1.5}}}, "floors.values", "must be in [0, 1]"),
    ({"version": 2}, "version", "1"),
    ({"bootstrap": {"rule": "vote"}}, "bootstrap.rule", "interval"),
])
def test_gate_config_errors_name_file_and_key_path(tmp_path, patch, field, message):
    data = yaml.safe_load(GATE_YAML.read_text(encoding="utf-8"))
    for key, value in patch.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) else value
    path = tmp_path / "gate.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_gate_config(path)
    assert info.value.file == str(path) and info.value.field == field
    assert message in info.value.message
    assert info.value.exit_code == 2


def test_gate_config_error_points_at_the_line(tmp_path):
    text = GATE_YAML.read_text(encoding="utf-8").replace("  confidence: 0.95", "  confidense: 0.95")
    path = tmp_path / "gate.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_gate_config(path)
    line = next(i for i, raw in enumerate(text.splitlines(), 1) if "confidense" in raw)
    assert str(info.value) == f"{path}:{line}: bootstrap.confidense: unknown key 'confidense'"


def test_baseline_round_trip_and_errors(tmp_path):
    rows = _rows(3)
    path = _baseline(rows).write(tmp_path / "b" / "base.json")
    back = read_baseline(path)
    assert back.examples == _baseline(rows).examples and back.path == path
    with pytest.raises(ConfigError, match="--update-baseline") as info:
        read_baseline(tmp_path / "none.json")
    assert info.value.file == str(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text(json.dumps({"format": "other"}), encoding="utf-8")
    with pytest.raises(ConfigError, match="not a redac gate baseline"):
        read_baseline(tmp_path / "bad.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["examples"]["ex-00"]["composit"] = 1
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_baseline(path)
    assert info.value.field == "examples.ex-00.composit"


def _degraded_result():
    rows = _rows()
    degraded = _copy(rows)
    for row in degraded[:6]:
        row.metrics["seo"] -= 0.3
        row.composite -= 0.08
        row.feedback = "seo: meta description | too short"
    return compare(_baseline(rows), degraded, CFG)


def test_junit_is_valid_xml_with_a_testcase_per_check_and_regressed_example(tmp_path):
    result = _degraded_result()
    path = write_junit(result, tmp_path / "junit.xml")
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    floors = [c for c in cases if c.get("classname") == "redac.gate.floor"]
    drops = [c for c in cases if c.get("classname") == "redac.gate.drop"]
    examples = [c for c in cases if c.get("classname") == "redac.gate.examples"]
    assert len(drops) == len(result.checks) and len(floors) == 0
    assert sorted(c.get("name") for c in examples) == sorted(e.id for e in result.regressed)
    failed = [c for c in cases if c.find("failure") is not None]
    assert int(suite.get("failures")) == len(failed) == int(root.get("failures"))
    assert int(suite.get("tests")) == len(cases)
    assert {c.get("name") for c in failed} >= {"seo drop <= 0.050", "composite drop <= 0.020", "ex-00"}
    seo = next(c for c in failed if c.get("name") == "seo drop <= 0.050").find("failure")
    assert seo.get("message").startswith("seo: mean dropped by 0.225") and seo.get("type") == "regression"
    example = next(c for c in failed if c.get("name") == "ex-00").find("failure")
    assert "seo -0.300" in example.get("message") and "meta description | too short" in example.text


def test_junit_of_a_passing_gate_has_no_failure(tmp_path):
    rows = _rows()
    noisy = _copy(rows)
    noisy[3].composite -= 0.25
    result = compare(_baseline(rows), noisy, CFG)
    root = ET.parse(write_junit(result, tmp_path / "j.xml")).getroot()
    assert root.get("failures") == "0"
    example = root.find(".//testcase[@classname='redac.gate.examples']")
    assert example.get("name") == "ex-03" and "-0.250" in example.find("system-out").text


def test_markdown_summary(tmp_path):
    result = _degraded_result()
    text = write_markdown(result, tmp_path / "s.md").read_text(encoding="utf-8")
    assert text == render_markdown(result)
    assert text.startswith("## ❌ redac gate `unit`: REGRESSION")
    table = [line for line in text.splitlines() if line.startswith("| seo |")]
    assert table and "**FAIL**" in table[0] and "-0.225" in table[0]
    assert "### Regressed examples (6)" in text
    assert "meta description \\| too short" in text  # a pipe in feedback cannot break the table


# ---------------------------------------------------------------------------------------------
# End to end: `redac gate` on the committed recordings (replay; deterministic and offline)
# ---------------------------------------------------------------------------------------------


def _cli(argv: list[str]) -> int:
    from redac.cli import main

    return main(argv)


@pytest.fixture()
def ci_config(tmp_path) -> Path:
    """experiments/ci-gate.yaml with absolute paths and a run folder in tmp (the repo stays clean)."""
    data = yaml.safe_load(CI_CONFIG.read_text(encoding="utf-8"))
    data["lm"]["replay_from"] = str(ROOT / data["lm"]["replay_from"])
    if data.get("program", {}).get("state"):
        data["program"]["state"] = str(ROOT / data["program"]["state"])
    data["dataset"]["path"] = str(ROOT / data["dataset"]["path"])
    data["metrics"] = str(ROOT / data["metrics"])
    data["output_dir"] = str(tmp_path / "runs")
    path = tmp_path / "ci-gate.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _gate(ci_config: Path, tmp_path: Path, *extra: str, baseline: Path = CI_BASELINE) -> int:
    return _cli(["gate", str(ci_config), "--baseline", str(baseline), "--gate-config", str(GATE_YAML),
                 "--junit", str(tmp_path / "junit.xml"), "--summary", str(tmp_path / "summary.md"), *extra])


def test_gate_passes_on_the_unchanged_program(ci_config, tmp_path, capsys):
    assert _gate(ci_config, tmp_path) == 0
    out = capsys.readouterr().out
    assert "PASS" in out
    assert ET.parse(tmp_path / "junit.xml").getroot().get("failures") == "0"
    assert "✅" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_replay_is_deterministic(ci_config):
    from redac.experiments import load_experiment, run_eval
    from redac.gate import aggregate_rows

    cfg = load_experiment(ci_config)
    first = aggregate_rows(run_eval(cfg, resume=False).reports)
    second = aggregate_rows(run_eval(cfg, resume=False).reports)
    assert [(r.id, r.composite, r.metrics, r.output) for r in first] == \
        [(r.id, r.composite, r.metrics, r.output) for r in second]
    assert not any(r.error for r in first)
    baseline = read_baseline(CI_BASELINE)
    assert {r.id: r.composite for r in first} == pytest.approx(
        {i: e.composite for i, e in baseline.examples.items()})


def _degrade_assemble(monkeypatch, change, only_call: int | None = None):
    """Degrade the program after the LM (so the recordings still answer): ``change(plan, lede, bodies)``
    returns what ``assemble`` gets; ``only_call`` limits it to one article (examples run in id order)."""
    import redac.program.modules

    original = redac.program.modules.assemble
    calls = []

    def degraded(plan, lede, bodies):
        calls.append(plan.title)
        if only_call is not None and len(calls) - 1 != only_call:
            return original(plan, lede, bodies)
        return original(*change(plan, lede, bodies))

    monkeypatch.setattr(redac.program.modules, "assemble", degraded)


def _drop_last_section(plan, lede, bodies):
    plan.outline = plan.outline[:-1]
    return plan, lede, bodies[:-1]


def _lede_only(plan, lede, bodies):
    plan.outline = []
    return plan, lede, []


def _no_subheadings(plan, lede, bodies):
    """A bug that glues the sections to the lede without their subheadings."""
    joined = "\n\n".join([lede, *bodies])
    plan.outline = []
    return plan, joined, []


def _failed_checks(tmp_path) -> list[str]:
    root = ET.parse(tmp_path / "junit.xml").getroot()
    return [c.get("name") for c in root.iter("testcase") if c.find("failure") is not None]


def test_gate_catches_a_program_that_drops_its_last_section(ci_config, tmp_path, capsys, monkeypatch):
    """Measured on the committed recordings: composite -0.032 (max 0.02) and headings -0.056 (max 0.05) on all
    three examples. If a re-recording makes this marginal, the gate still has to catch the two tests below."""
    _degrade_assemble(monkeypatch, _drop_last_section)
    assert _gate(ci_config, tmp_path) == 1
    out = capsys.readouterr().out
    assert "REGRESSION" in out
    baseline = read_baseline(CI_BASELINE)
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([a-z0-9\-]+)` \|", summary, flags=re.MULTILINE)
    assert listed and set(listed) <= set(baseline.examples)
    for ex_id in listed:
        assert ex_id in out
    assert _failed_checks(tmp_path)


def test_gate_catches_lost_subheadings(ci_config, tmp_path, capsys, monkeypatch):
    _degrade_assemble(monkeypatch, _no_subheadings)
    assert _gate(ci_config, tmp_path) == 1
    assert "headings drop <= 0.050" in _failed_checks(tmp_path)
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "| headings |" in summary and "**FAIL**" in summary
    # At least one example regressed beyond the tolerance, its feedback saying why. (Yoast asks for no
    # subheading in a text under 300 words, so on the short embedded articles SEO rises as headings fall.)
    assert re.search(r"Regressed examples \([123]\)", summary) and "subheading" in summary


def test_one_degraded_example_is_noise_for_the_gate(ci_config, monkeypatch):
    from redac.gate import run_gate

    _degrade_assemble(monkeypatch, _lede_only, only_call=2)
    outcome = run_gate(ci_config, CI_BASELINE, gate_config=GATE_YAML)
    result = outcome.result
    baseline = read_baseline(CI_BASELINE)
    moved = [r.id for r in outcome.rows if abs(r.composite - baseline.examples[r.id].composite) > 1e-9]
    assert len(moved) == 1 and [e.id for e in result.regressed] == moved  # listed for the reviewer...
    composite = _check(result, "composite")
    assert composite.delta < -composite.max_drop and composite.within_noise
    assert all(c.passed for c in result.checks)  # ...one example of three moving is not a metric regression
    strict = load_gate_config(GATE_YAML)
    strict.bootstrap.rule = "none"
    assert compare(baseline, outcome.rows, strict).exit_code == 1  # without the bootstrap it would fail


def test_gate_catches_a_stricter_metric_config(ci_config, tmp_path, capsys):
    data = yaml.safe_load((ROOT / "evals" / "metrics.yaml").read_text(encoding="utf-8"))
    data["headings"]["max_section_words"] = 50  # most sections are now "too long without a subheading"
    data["seo"]["meta_chars"] = [150, 156]
    data["seo"]["title_max_px"] = 300
    metrics = tmp_path / "metrics.yaml"
    metrics.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cfg = yaml.safe_load(ci_config.read_text(encoding="utf-8"))
    cfg["metrics"] = str(metrics)
    ci_config.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    assert _gate(ci_config, tmp_path) == 1
    out = capsys.readouterr().out
    assert "REGRESSION" in out and ("headings" in out or "length" in out)


def test_missing_baseline_is_exit_2_with_one_line(ci_config, tmp_path, capsys):
    assert _gate(ci_config, tmp_path, baseline=tmp_path / "nope.json") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope.json" in err[0] and "--update-baseline" in err[0]


def test_stale_recordings_say_how_to_re_record(ci_config, tmp_path, capsys):
    """A prompt edit changes every request: the recordings cannot answer and the gate says how to re-record."""
    cfg = yaml.safe_load(ci_config.read_text(encoding="utf-8"))
    state = json.loads(Path(cfg["program"]["state"]).read_text(encoding="utf-8"))
    state["plan"]["signature"]["instructions"] += " Sois bref."
    edited = tmp_path / "program.json"
    edited.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    cfg["program"]["state"] = str(edited)
    ci_config.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    assert _gate(ci_config, tmp_path) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(err) == 1
    assert "replay miss on 3 of 3 examples" in err[0] and "make record-gate" in err[0]
    assert f"redac gate {ci_config} --baseline {CI_BASELINE} --record-with embedded" in err[0]


def test_update_baseline_writes_the_file(ci_config, tmp_path, capsys):
    target = tmp_path / "new" / "baseline.json"
    assert _gate(ci_config, tmp_path, "--update-baseline", baseline=target) == 0
    written = read_baseline(target)
    committed = read_baseline(CI_BASELINE)
    assert set(written.examples) == set(committed.examples)
    assert written.dataset.hash == committed.dataset.hash
    for ex_id, example in written.examples.items():
        assert example.composite == pytest.approx(committed.examples[ex_id].composite)
    assert "baseline written" in capsys.readouterr().out
    assert _gate(ci_config, tmp_path, baseline=target) == 0
