"""Every command's --help, as a user reads it in a terminal: what the command does in one sentence, and an example."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conformance.cli import build_parser
from conformance.selftest import build_parser as selftest_parser


def commands() -> list[str]:
    subparsers = next(a for a in build_parser()._actions if a.choices and a.dest == "command")
    return sorted(subparsers.choices)


def help_of(*command: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "conformance.cli", *command, "--help"],
        capture_output=True,
        text=True,
        env=os.environ | {"COLUMNS": "100"},
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr, done.stderr
    return done.stdout


def test_every_command_is_walked():
    assert {"run", "cleanup", "report", "selftest", "compare", "matrix", "baselines"} <= set(commands())


@pytest.mark.parametrize("command", commands())
def test_each_commands_help_says_what_it_does_and_shows_an_example(command):
    text = help_of(command)
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith(f"usage: iam-conformance {command}"), text
    description = " ".join(paragraphs[1].split())
    # A sentence of its own, with a verb first, before the options: not argparse's "options:" straight after usage.
    assert not description.startswith(("options:", "positional arguments:")), text
    assert re.match(r"[A-Z][a-z]+ .{20,}?\.( |$)", description), description
    example = re.search(r"^examples?:\n((?:  .+\n)+)", text, re.M)
    assert example, text
    assert all(line.strip().startswith(f"iam-conformance {command}") for line in example.group(1).splitlines())
    for line in example.group(1).splitlines():  # each example is accepted as typed (parsed, not run)
        argv = line.split()[1:]
        parser = selftest_parser() if command == "selftest" else build_parser()
        parser.parse_args(argv[1:] if command == "selftest" else argv)


def test_the_commands_own_help_lists_them_with_an_example():
    text = help_of()
    assert all(command in text for command in commands())
    assert re.search(r"^examples?:\n  iam-conformance ", text, re.M), text
