"""Command-line interface: ``healthsearch`` (commands), errors and exit codes, terminal output."""

from .commands import cli, main
from .errors import EXIT_FAILED, EXIT_LOCKED, EXIT_USAGE, CliError

__all__ = ["EXIT_FAILED", "EXIT_LOCKED", "EXIT_USAGE", "CliError", "cli", "main"]
