"""Every ``python -m lib.…`` command: one style (lib/cli.py), a --help that works, and a README
that agrees with it.

The commands are found, not listed: every module of lib/ with a ``__main__`` block. Each --help
(and each subcommand's) runs in this process; its parser is also caught as it parses, so the
README's command lines can be checked option by option against the parser that will read them.
"""
from __future__ import annotations

import argparse
import importlib
import re

import pytest

from lib import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _modules() -> list[str]:
    found = []
    for path in sorted((ROOT / "lib").rglob("*.py")):
        if "if __name__ == \"__main__\":" not in path.read_text(encoding="utf-8"):
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        found.append(".".join(parts[:-1] if parts[-1] == "__main__" else parts))
    return found


MODULES = _modules()


class _Caught(Exception):
    def __init__(self, parser: argparse.ArgumentParser):
        self.parser = parser


def _main(module: str):
    mod = importlib.import_module(module)
    if not hasattr(mod, "main"):
        mod = importlib.import_module(f"{module}.__main__")
    return mod.main


def parser_of(module: str, monkeypatch, argv: tuple[str, ...] = ()) -> argparse.ArgumentParser:
    """The parser ``python -m MODULE ARGV`` reads its arguments with, caught before it reads any
    (with ARGV a subcommand that main() hands to a parser of its own, that one)."""
    def catch(self, *args, **kwargs):
        raise _Caught(self)

    with monkeypatch.context() as m:
        m.setattr(argparse.ArgumentParser, "parse_args", catch)
        with pytest.raises(_Caught) as caught:
            _main(module)(list(argv))
    return caught.value.parser


def dispatched(module: str, word: str, monkeypatch) -> argparse.ArgumentParser | None:
    """The parser of ``python -m MODULE WORD`` when main() dispatches WORD itself (as
    ``lib.targets report`` is), else None."""
    if word.startswith("-"):
        return None
    parser = parser_of(module, monkeypatch, (word,))
    return parser if parser.prog == f"python -m {module} {word}" else None


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return {name: sub for action in parser._actions
            if isinstance(action, argparse._SubParsersAction)
            for name, sub in action.choices.items()}


def help_of(module: str, args: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as done:
        _main(module)([*args, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_the_commands_are_found():
    assert {"lib.ingest", "lib.users", "lib.settings", "lib.warehouse.migrate", "lib.bench",
            "lib.bundle"} <= set(MODULES)
    assert len(MODULES) >= 13


@pytest.mark.parametrize("module", MODULES)
def test_help_runs_and_reads_like_every_other_command(module, capsys, monkeypatch):
    text = help_of(module, [], capsys)
    assert text.startswith(f"usage: python -m {module}")
    assert cli.EXIT_STATUS.split(";")[0] in " ".join(text.split())
    parser = parser_of(module, monkeypatch)
    assert parser.prog == f"python -m {module}" and parser.epilog.endswith(cli.EXIT_STATUS)
    for name in subcommands(parser):
        sub_text = help_of(module, [name], capsys)
        assert sub_text.startswith(f"usage: python -m {module} {name}")
    # one --db: the shared help wherever the option exists (the benchmark's own is its warehouse)
    for p in [parser, *subcommands(parser).values()]:
        for action in p._actions:
            if "--db" in action.option_strings and module != "lib.bench":
                assert action.help == cli.DB_HELP, (module, p.prog)


@pytest.mark.parametrize("module", MODULES)
def test_every_argument_says_what_it_is(module, monkeypatch):
    parser = parser_of(module, monkeypatch)
    silent = [f"{p.prog} {a.option_strings or a.dest}"
              for p in [parser, *subcommands(parser).values()] for a in p._actions
              if a.help is None
              and not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))]
    assert not silent, silent


@pytest.mark.parametrize("module", MODULES)
def test_readme_mentions_every_command_and_subcommand(module, monkeypatch):
    assert f"python -m {module}" in README, f"README never shows python -m {module}"
    for name in subcommands(parser_of(module, monkeypatch)):
        assert re.search(rf"python -m {re.escape(module)}(?: \[[^\]]*\]| --\S+ \S+)* {name}\b",
                         README), f"README never shows python -m {module} {name}"


def readme_command_lines() -> list[tuple[str, str]]:
    """(module, the rest of the line) for every ``python -m lib.…`` the README shows, in a code
    block or inline, up to a closing backtick or a shell comment."""
    found = []
    for m in re.finditer(r"python -m (lib(?:\.\w+)+)([^`\n]*)", README):
        found.append((m[1], m[2].split(" #")[0]))
    return found


def test_readme_lines_are_found():
    lines = readme_command_lines()
    assert ("lib.demo", " [--db URL] [--seed N] [--scale city|national] [--clear]") in lines
    assert len(lines) >= 20


def test_every_option_the_readme_shows_is_in_the_help(monkeypatch):
    problems = []
    parsers = {module: parser_of(module, monkeypatch) for module in MODULES}
    for module, rest in readme_command_lines():
        if module not in parsers:
            problems.append(f"README shows python -m {module}, which is not a command")
            continue
        parser = parsers[module]
        subs = subcommands(parser)
        words = re.findall(r"[^\s\[\]]+", rest)
        sub = next((w for w in words if w in subs), None)
        own = dispatched(module, words[0], monkeypatch) if words and not subs else None
        targets = [own] if own else [parser] + ([subs[sub]] if sub else [])
        known = {o: a for p in targets for a in p._actions for o in a.option_strings}
        if subs and sub is None and not set(words) & {"-h", "--help"}:
            problems.append(f"python -m {module}{rest}: no subcommand of {sorted(subs)}")
        for i, word in enumerate(words):
            if not word.startswith("--"):
                continue
            option = word.split("=")[0]
            if option not in known:
                problems.append(f"python -m {module}{rest}: {option} is not an option")
                continue
            choices = known[option].choices
            following = words[i + 1] if i + 1 < len(words) else ""
            if choices and "|" in following:
                wrong = set(following.split("|")) - set(choices)
                if wrong:
                    problems.append(f"python -m {module}: {option} has no choice {sorted(wrong)}")
    assert not problems, "\n".join(problems)


def test_a_refusal_is_one_line_on_stderr_with_status_2(capsys):
    assert cli.refuse("no such file x.csv") == cli.REFUSED == 2
    assert capsys.readouterr().err == "refused: no such file x.csv\n"
    assert cli.fail("pip wheel exited 1") == cli.FAILED == 1
    assert capsys.readouterr().err == "failed: pip wheel exited 1\n"


def test_db_may_stand_before_or_after_the_subcommand(monkeypatch):
    parser = parser_of("lib.users", monkeypatch)
    assert parser.parse_args(["--db", "duckdb:///a.duckdb", "list"]).db == "duckdb:///a.duckdb"
    assert parser.parse_args(["list", "--db", "duckdb:///b.duckdb"]).db == "duckdb:///b.duckdb"
    assert parser.parse_args(["list"]).db is None


def test_usage_errors_exit_2(capsys):
    from lib.ingest.__main__ import main

    with pytest.raises(SystemExit) as done:
        main(["load", "a.csv", "b.csv", "c.csv"])
    assert done.value.code == cli.REFUSED
    assert "python -m lib.ingest: error: load FILE --dataset NAME" in capsys.readouterr().err
