"""Error messages for every front end: each library error gets one line, a hint and a kind."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from click.testing import CliRunner

import search.errors as errors
from search.cli import EXIT_LOCKED, EXIT_USAGE, cli
from search.cli.errors import EXIT_CODES
from search.messages import ErrorMessage, describe, index_flag


def _every_error_class() -> list[type[errors.HealthSearchError]]:
    found = [errors.HealthSearchError]
    for name in dir(errors):
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, errors.HealthSearchError):
            found.append(value)
    return sorted(set(found), key=lambda cls: cls.__name__)


def _instance(cls: type[errors.HealthSearchError]) -> errors.HealthSearchError:
    if cls is errors.StorageError:
        return errors.StorageError("no space left on device", "/srv/ix", errno.ENOSPC)
    if cls is errors.IndexDamagedError:
        return errors.IndexDamagedError("/srv/ix", "gen-000003", ["terms/x.npy: size changed"])
    if cls is errors.ExtractionError:
        return errors.ExtractionError("empty file", path="a.html")
    return cls("something went wrong")


@pytest.mark.parametrize("cls", _every_error_class(), ids=lambda cls: cls.__name__)
def test_every_error_has_one_line_and_a_kind(cls: type[errors.HealthSearchError]) -> None:
    found = describe(_instance(cls), Path("/srv/ix"))
    assert isinstance(found, ErrorMessage)
    assert found.message and "\n" not in found.line()
    assert found.kind in EXIT_CODES


def test_hints_name_the_index_folder_asked_for() -> None:
    missing = describe(errors.IndexNotFoundError("no index at /srv/ix"), Path("/srv/ix"))
    assert missing.kind == "missing" and "--index /srv/ix" in missing.hint
    default = describe(errors.IndexNotFoundError("no index at index"), Path("index"))
    assert "--index" not in default.hint
    assert index_flag(Path("index")) == "" and index_flag(Path("x")) == " --index x"


def test_kinds_decide_exit_codes() -> None:
    assert describe(errors.QuerySyntaxError("unbalanced quote")).kind == "usage"
    assert describe(errors.QuerySyntaxError("x")).message == "bad query: x"
    assert describe(errors.IndexLockedError("busy")).kind == "busy"
    assert describe(errors.IndexDamagedError("/ix", "gen-000001", ["CURRENT"])).kind == "damaged"
    assert describe(errors.IndexCorruptError("old format")).kind == "damaged"
    assert EXIT_CODES["usage"] == EXIT_USAGE and EXIT_CODES["busy"] == EXIT_LOCKED


@pytest.mark.parametrize(
    ("code", "hint_part"),
    [
        (errno.ENOSPC, "free some space"),
        (errno.EACCES, "who may write"),
        (errno.EROFS, "read-only file system"),
        (errno.ELOOP, "symbolic link"),
        (errno.ENOENT, "disappeared"),
        (errno.EIO, "check /srv/ix"),
    ],
)
def test_storage_hints_follow_the_cause(code: int, hint_part: str) -> None:
    found = describe(errors.StorageError("refused", "/srv/ix", code))
    assert hint_part in found.hint and found.kind == "failed"


def test_the_cli_prints_the_same_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["query", "knee", "--index", str(tmp_path / "none")])
    expected = describe(errors.IndexNotFoundError(f"no index at {tmp_path / 'none'}"), tmp_path / "none").line()
    assert result.exit_code == 1
    assert expected in result.output
