"""The README's command list matches the CLI: every command it shows exists and every flag it names is
one that command accepts (a documented flag that does not exist is a bug a newcomer hits first)."""

from __future__ import annotations

import re

import typer.main

from redac.cli import app
from tests.conftest import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Using it", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip().startswith("redac ")]


def resolve(words: list[str]):
    """The click command a command line names (following groups), and the words after its name."""
    command = typer.main.get_command(app)
    rest = list(words)
    while rest and hasattr(command, "commands") and rest[0] in command.commands:
        command = command.commands[rest.pop(0)]
    return command, rest


def test_every_readme_command_and_flag_exists():
    lines = readme_commands()
    assert len(lines) >= 10, lines
    wrong = []
    for line in lines:
        words = line.split()[1:]
        command, _ = resolve(words)
        if hasattr(command, "commands"):
            wrong.append(f"{line}: not a command")
            continue
        accepted = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
        wrong += [f"{line}: {flag} is not an option of `{command.name}`"
                  for flag in re.findall(r"--[a-z][a-z-]*", line) if flag not in accepted]
    assert not wrong, "\n".join(wrong)


def test_every_cli_command_is_in_the_readme():
    documented = {" ".join(resolve(line.split()[1:])[0].name.split()) for line in readme_commands()}
    root = typer.main.get_command(app)
    names = set()
    for name, command in root.commands.items():
        names |= set(command.commands) if hasattr(command, "commands") else {name}
    assert names <= documented, names - documented
