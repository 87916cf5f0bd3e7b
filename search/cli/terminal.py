"""The terminal the CLI writes to: its width, whether to colour, and a pager for tall output."""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

import click

logger = logging.getLogger(__name__)

#: ``--color``: ``auto`` colours a terminal unless ``NO_COLOR`` is set (https://no-color.org).
COLOR_CHOICES = ("auto", "always", "never")
#: Narrower terminals are wrapped as if they were this wide (a line per word helps nobody).
MIN_WIDTH = 20
#: The pager when neither $HEALTHSEARCH_PAGER nor $PAGER names one; $LESS defaults to LESS_FLAGS
#: (-F quit when it fits, -R show colours, -X leave the text on screen).
DEFAULT_PAGER, LESS_FLAGS = "less", "FRX"
PAGER_ENVS = ("HEALTHSEARCH_PAGER", "PAGER")


@dataclass
class Terminal:
    """Where output goes: ``width`` to wrap to, ``color`` to style or not, ``pager`` (a command,
    or "" for none) for output taller than ``height``. Text is collected by :meth:`echo` and
    written by :meth:`flush`, through the pager when it is taller than the screen."""

    width: int = 80
    height: int = 24
    color: bool = False
    pager: str = ""
    lines: list[str] = field(default_factory=list)

    def echo(self, text: str = "") -> None:
        self.lines.extend(text.split("\n"))

    def flush(self) -> None:
        """Write what :meth:`echo` collected (on stdout; paged when taller than the screen)."""
        if not self.lines:
            return
        tall = len(self.lines) >= self.height
        text, self.lines = "\n".join(self.lines), []
        if self.pager and tall and _page(self.pager, text, self.color):
            return
        click.echo(text, color=self.color)


def detect(color: str = "auto", pager: bool = True) -> Terminal:
    """The terminal stdout is: its size (``$COLUMNS``/``$LINES`` first; 80x24 when stdout is a
    file or pipe, so output piped to a file wraps the same everywhere), colour as ``color``
    says (``auto``: a terminal, not ``TERM=dumb``, no ``NO_COLOR``), and a pager only when both
    ends are a terminal and ``pager`` is true."""
    size = shutil.get_terminal_size((80, 24))
    tty = sys.stdout.isatty()
    if color == "auto":
        use_color = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    else:
        use_color = color == "always"
    command = ""
    if pager and tty and sys.stdin.isatty():
        command = next((os.environ[name] for name in PAGER_ENVS if name in os.environ), DEFAULT_PAGER).strip()
    return Terminal(width=max(size.columns, MIN_WIDTH), height=max(size.lines, 2), color=use_color, pager=command)


def _page(command: str, text: str, color: bool) -> bool:
    """Show ``text`` through the pager ``command``; False when it could not be started (then the
    caller prints it), True when it ran (whatever its exit: quitting early is normal)."""
    try:
        argv = shlex.split(command)
    except ValueError:
        argv = []
    if not argv or argv == ["cat"]:
        return False
    env = dict(os.environ)
    env.setdefault("LESS", LESS_FLAGS)
    if not color:
        text = click.unstyle(text)
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env, encoding="utf-8", errors="replace")
    except OSError as exc:
        logger.info("pager %r did not start (%s); printing instead", command, exc.strerror or exc)
        return False
    assert proc.stdin is not None
    try:
        proc.stdin.write(text + "\n")
        proc.stdin.close()
    except OSError:  # a broken pipe: the reader quit before the end, which is what a pager is for
        pass
    while True:
        try:
            proc.wait()
            return True
        except KeyboardInterrupt:  # Ctrl-C belongs to the pager (less clears its search on it)
            continue
