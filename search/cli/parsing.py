"""Command-line conventions Click lacks: query words among options, global options anywhere, a friendly entry."""

from __future__ import annotations

from collections.abc import Sequence

import click

#: The group's own options, accepted after the subcommand too (``healthsearch query pain -v``):
#: flags, and options that take a value (``--color never``, ``--color=never``).
GLOBAL_FLAGS = frozenset({"-v", "-vv", "-vvv", "--verbose", "--no-pager"})
GLOBAL_VALUED = frozenset({"--color"})
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
    takes_value: dict[str, bool] = {}
    for param in command.get_params(ctx):
        if isinstance(param, click.Option):
            for name in (*param.opts, *param.secondary_opts):
                takes_value[name] = not (param.is_flag or param.count)
    options: list[str] = []
    words: list[str] = []
    tokens = list(args)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token == "--":
            words.extend(tokens[i:])
            break
        name = token.split("=", 1)[0] if token.startswith("--") else token
        if name in takes_value:
            options.append(token)
            if takes_value[name] and "=" not in token and i < len(tokens) and tokens[i] != "--":
                options.append(tokens[i])
                i += 1
        elif len(token) > 2 and takes_value.get(token[:2]) and token[2:].isdigit():
            options.append(token)  # -n3
        else:
            words.append(token)
    return [*options, "--", *words]


class GlobalOptionsGroup(click.Group):
    """A group whose own flags (GLOBAL_FLAGS) may also come after the subcommand, that lists its
    commands in COMMAND_ORDER, and that prints its help and exits 0 when run bare."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        return [n for n in COMMAND_ORDER if n in names] + sorted(n for n in names if n not in COMMAND_ORDER)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args:
            click.echo(ctx.get_help())
            ctx.exit(0)
        end = args.index("--") if "--" in args else len(args)
        flags: list[str] = []
        rest: list[str] = []
        i = 0
        while i < end:
            arg = args[i]
            i += 1
            if arg in GLOBAL_FLAGS or arg.split("=", 1)[0] in GLOBAL_VALUED:
                flags.append(arg)
                if arg in GLOBAL_VALUED and i < end:
                    flags.append(args[i])
                    i += 1
            else:
                rest.append(arg)
        return super().parse_args(ctx, flags + rest + args[end:])
