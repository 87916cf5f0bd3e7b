"""Command-line conventions Click lacks: query words among options, global options anywhere, a friendly entry."""

from __future__ import annotations

from collections.abc import Sequence

import click

#: The order ``--help`` lists commands in: by how often people use them (others follow, sorted).
COMMAND_ORDER = ("query", "index", "show", "stats", "check", "rollback", "eval")


class WordsCommand(click.Command):
    """A command whose positional words may sit anywhere among its options and may start with
    ``-`` ("-aura migraine", "-pain"): a token is an option only when it is one of the command's
    option names, ``--name=value``, or a short option with a number attached (``-n3``);
    everything else, and everything after ``--``, is a word."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, split_words(self, ctx, args))


def split_words(command: click.Command, ctx: click.Context, args: Sequence[str]) -> list[str]:
    """``args`` reordered as the options, then ``--``, then the words (see :class:`WordsCommand`)."""
    options, words, after = take_options(args, option_table(command.get_params(ctx)))
    return [*options, "--", *words, *after]


def option_table(params: Sequence[click.Parameter]) -> dict[str, str]:
    """Each option name of ``params`` and what follows it: "value", "flag", or "count" (a flag
    that may repeat in one token: ``-vv``)."""
    table: dict[str, str] = {}
    for param in params:
        if isinstance(param, click.Option):
            kind = "count" if param.count else "flag" if param.is_flag else "value"
            for name in (*param.opts, *param.secondary_opts):
                table[name] = kind
    return table


def take_options(args: Sequence[str], table: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """``(options, others, after)``: the tokens before the first ``--`` that are options of
    ``table`` (a name, with its value when it takes one; ``--name=value``; a short option with
    a number attached, ``-n3``; a repeated count flag, ``-vv``), the other tokens before it,
    in order, and the tokens after it."""
    options: list[str] = []
    others: list[str] = []
    tokens = list(args)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token == "--":
            return options, others, tokens[i:]
        name = token.split("=", 1)[0] if token.startswith("--") else token
        kind = table.get(name)
        if kind is not None:
            options.append(token)
            if kind == "value" and "=" not in token and i < len(tokens) and tokens[i] != "--":
                options.append(tokens[i])
                i += 1
        elif len(token) > 2 and table.get(token[:2]) == "value" and token[2:].isdigit():
            options.append(token)  # -n3
        elif len(token) > 2 and token[1] != "-" and table.get(token[:2]) == "count" and len(set(token[1:])) == 1:
            options.append(token)  # -vv
        else:
            others.append(token)
    return options, others, []


class GlobalOptionsGroup(click.Group):
    """A group whose own options (``-v``, ``--color never``) may also come after the subcommand,
    that lists its commands in COMMAND_ORDER, and that prints its help and exits 0 when run bare."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        return [n for n in COMMAND_ORDER if n in names] + sorted(n for n in names if n not in COMMAND_ORDER)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args:
            click.echo(ctx.get_help())
            ctx.exit(0)
        own = [p for p in self.get_params(ctx) if not p.is_eager]  # --help and --version stay the subcommand's
        flags, rest, after = take_options(args, option_table(own))
        return super().parse_args(ctx, flags + rest + (["--", *after] if "--" in args else []))
