"""The CLI as a user meets it: bad input gives one line naming the file or field and a non-zero exit,
never a traceback; one failing source does not lose the others; `redac --help` imports nothing heavy."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from redac.cli import main


SEEDS = ROOT / "tests" / "fixtures" / "seeds"


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str, *fragments: str) -> None:
    lines = [line for line in err.splitlines() if line.startswith("error")]
    assert lines, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[-1], lines[-1]


def test_help_is_light():
    code = ("import sys, redac.cli; heavy = [m for m in ('dspy', 'torch', 'mlflow', 'spacy', 'llama_cpp') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_rewrite_keeps_going_when_one_source_fails(fake_openai, lm_dirs, tmp_path, capsys):
    from tests.support.replies import program_reply

    fake_openai.reply = program_reply
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Le président a été élu.".encode("latin-1"))
    out = tmp_path / "out"
    code, _, err = run(["rewrite", str(SEEDS / "source_003.txt"), str(tmp_path / "missing.txt"), str(empty),
                        str(binary), str(latin), "--lm", f"openai_compatible:{fake_openai.api_base}@fake-model",
                        "--out", str(out)], capsys)
    assert code == 1
    assert "Traceback" not in err
    for name, fragment in [("missing.txt", "not found"), ("empty.txt", "empty"), ("photo.txt", "binary"),
                           ("latin1.txt", "UTF-8")]:
        line = next(line for line in err.splitlines() if name in line)
        assert line.startswith("error") and fragment.lower() in line.lower(), line
    payload = json.loads((out / "source_003.json").read_text(encoding="utf-8"))
    assert payload["article"]["title"] and (out / "source_003.md").read_text(encoding="utf-8").startswith("---\n")


def test_rewrite_warns_on_a_source_in_another_language(fake_openai, lm_dirs, tmp_path, capsys):
    from tests.support.replies import program_reply

    fake_openai.reply = program_reply
    english = tmp_path / "english.txt"
    english.write_text("The president of the council said on Monday that the new budget would be voted "
                       "next week, after a long debate in the assembly about schools and roads. " * 4,
                       encoding="utf-8")
    code, _, err = run(["rewrite", str(english), "--lm", f"openai_compatible:{fake_openai.api_base}@fake-model",
                        "--out", str(tmp_path / "out")], capsys)
    assert code == 0 and "warning" in err and "'en'" in err


@pytest.mark.parametrize("lm,code,fragments", [
    ("nope/model", 2, ["provider"]),
    ("openai/gpt-4o-mini", 2, ["OPENAI_API_KEY"]),
])
def test_rewrite_config_errors(lm, code, fragments, lm_dirs, capsys):
    got, _, err = run(["rewrite", str(SEEDS / "source_000.txt"), "--lm", lm], capsys)
    assert got == code
    one_line_error(err, *fragments)


def test_rewrite_unreachable_server(dead_api_base, lm_dirs, capsys):
    got, _, err = run(["rewrite", str(SEEDS / "source_000.txt"), "--lm",
                       f"openai_compatible:{dead_api_base}@m"], capsys)
    assert got == 3
    one_line_error(err, "cannot reach")


def test_score_bad_inputs(tmp_path, capsys):
    """Only what cannot be read is an error: one line naming the file, exit code 2."""
    source = str(ROOT / "tests" / "fixtures" / "metrics" / "source_000.txt")
    latin = tmp_path / "latin.md"
    latin.write_bytes("# Titre\n\nÉté brûlant.".encode("latin-1"))
    front_only = tmp_path / "front_only.md"
    front_only.write_text("---\ntitle: x\n---\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "photo.md"
    binary.write_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
    huge = tmp_path / "huge.md"
    huge.write_text("# Titre\n\n" + "mot " * 25_000, encoding="utf-8")
    for path, fragment in [(latin, "UTF-8"), (front_only, "empty"), (empty, "empty"), (binary, "binary"),
                           (huge, "over the limit"), (tmp_path / "missing.md", "no such file")]:
        code, out, err = run(["score", str(path), "--source", source], capsys)
        assert code == 2, (path, err)
        one_line_error(err, path.name, fragment)
        assert len(err.strip().splitlines()) == 1 and not out, err


def test_score_grades_text_without_headings_or_front_matter(tmp_path, capsys):
    from tests.fixtures.metrics import metrics_fixtures as fx

    source = str(ROOT / "tests" / "fixtures" / "metrics" / "source_001.txt")
    plain = tmp_path / "plain.txt"
    plain.write_text(fx.as_plain_text("001"), encoding="utf-8")
    code, out, _ = run(["score", str(plain), "--source", source, "--json"], capsys)
    assert code == 0
    data = json.loads(out)["results"]
    assert data["headings"]["value"] == 0.0 and "No H1/H2 headings" in data["headings"]["feedback"]
    assert data["seo"]["value"] == 0.0 and "--keyphrase" in data["seo"]["feedback"]
    assert data["fact_recall"]["value"] == 1.0
    nofront = tmp_path / "nofront.md"
    nofront.write_text(fx.markdown_without_front_matter("001"), encoding="utf-8")
    code, out, _ = run(["score", str(nofront), "--source", source, "--json", "--keyphrase", "Lavrov en Corée du Nord",
                        "--slug", "lavrov-coree-du-nord-visite"], capsys)
    assert code == 0
    seo = json.loads(out)["results"]["seo"]
    assert seo["figures"]["keyphrase"] == "Lavrov en Corée du Nord" and seo["figures"]["assessments"]["slugKeyword"] == 9
    assert 0.5 < seo["value"] < 1.0 and "meta description" in seo["feedback"]  # --meta not given


def test_score_prints_every_metric(capsys):
    metrics = ROOT / "tests" / "fixtures" / "metrics"
    code, out, _ = run(["score", str(metrics / "article_000.md"), "--source", str(metrics / "source_000.txt"),
                        "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert {"fact_recall", "fact_precision", "length", "headings", "seo", "language"} <= set(data["results"])
    assert data["composite"] > 0.9
