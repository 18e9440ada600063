"""Report files written without following links: a report directory is created or verified once and held open,
and every file goes to a fresh temporary name in it (O_EXCL, O_NOFOLLOW) that is then renamed into place.

A link planted where the directory, a subdirectory or a report file should be is refused with ReportDirError:
nothing is ever written through it. Every operation is relative to the held directory descriptor, so swapping
the directory's path for a link after it was opened changes nothing either. (The directory's parents are the
user's own choice and may be links.)
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from conformance.errors import ConformanceError

_DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class ReportDirError(ConformanceError):
    """The report directory or a file in it cannot be written safely; the message is one line with the reason."""


class ReportDir:
    """An open report directory. Use `ReportDir.open(path)`; close it (or use it as a context manager) when done."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def open(cls, path: str | os.PathLike[str], mode: int = 0o755) -> ReportDir:
        """Create the directory (and its parents) or verify the existing one; refuse a link in its place."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.mkdir(path, mode)  # never follows a link: one there, even dangling, is an existing name
        except FileExistsError:
            pass
        except OSError as exc:
            raise ReportDirError(f"cannot create the report directory {path}: {exc.strerror}") from None
        return cls(path, _open_directory(path, None, str(path)))

    def subdir(self, name: str, mode: int = 0o755) -> ReportDir:
        """A directory inside this one (allure-results/), created or verified the same way."""
        _check_name(name)
        try:
            os.mkdir(name, mode, dir_fd=self._fd)
        except FileExistsError:
            pass
        except OSError as exc:
            raise ReportDirError(f"cannot create {self.path / name}: {exc.strerror}") from None
        return ReportDir(self.path / name, _open_directory(name, self._fd, str(self.path / name)))

    def remove_subdir(self, name: str) -> None:
        """An earlier run's directory `name` emptied of its files and removed, if there is one (a link in its place
        is left alone: reports never follow one; a directory holding directories is only emptied of files)."""
        _check_name(name)
        try:
            if not stat.S_ISDIR(os.lstat(name, dir_fd=self._fd).st_mode):
                return
        except FileNotFoundError:
            return
        with ReportDir(self.path / name, _open_directory(name, self._fd, str(self.path / name))) as stale:
            stale.clear()
        try:
            os.rmdir(name, dir_fd=self._fd)
        except OSError:
            pass

    def fresh_subdir(self, prefix: str) -> str:
        """A new, empty directory in this one, for what another program writes (its name): moved into place with
        `replace_subdir`, or removed with `remove_tree`."""
        name = f"{prefix}{secrets.token_hex(8)}"
        try:
            os.mkdir(name, 0o755, dir_fd=self._fd)  # fails on anything already there, a link included
        except OSError as exc:
            raise ReportDirError(f"cannot create {self.path / name}: {exc.strerror}") from None
        return name

    def replace_subdir(self, staged: str, name: str) -> Path:
        """Directory `staged` put in place of `name`: an earlier directory of that name is moved aside and removed (a
        link inside it removed itself, never followed); a link or anything else in its place is refused."""
        _check_name(name)
        shown = self.path / name
        try:
            existing = os.lstat(name, dir_fd=self._fd)
        except FileNotFoundError:
            existing = None
        if existing is not None and not stat.S_ISDIR(existing.st_mode):
            kind = "a symbolic link" if stat.S_ISLNK(existing.st_mode) else "not a directory"
            raise ReportDirError(f"{shown} is {kind}; refused (reports never write through or over one)")
        aside = f".{name}.{secrets.token_hex(8)}.old" if existing is not None else None
        try:
            if aside is not None:
                os.rename(name, aside, src_dir_fd=self._fd, dst_dir_fd=self._fd)
            # A directory never replaces a link or a file planted since: rename() fails on one (ENOTDIR).
            os.rename(staged, name, src_dir_fd=self._fd, dst_dir_fd=self._fd)
        except OSError as exc:
            raise ReportDirError(f"cannot write {shown}: {exc.strerror}") from None
        if aside is not None:
            self.remove_tree(aside)
        return shown

    def remove_tree(self, name: str) -> None:
        """Directory `name` and everything in it, if it is there (links inside are removed, never followed)."""
        _check_name(name)
        shutil.rmtree(name, dir_fd=self._fd, ignore_errors=True)

    def write_text(self, name: str, text: str, encoding: str = "utf-8") -> Path:
        return self.write_bytes(name, text.encode(encoding))

    def write_bytes(self, name: str, data: bytes) -> Path:
        """Write `name` whole: to a fresh temporary file, then renamed over any earlier regular file."""
        _check_name(name)
        shown = self.path / name
        try:
            existing = os.lstat(name, dir_fd=self._fd)
        except FileNotFoundError:
            existing = None
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            kind = "a symbolic link" if stat.S_ISLNK(existing.st_mode) else "not a regular file"
            raise ReportDirError(f"{shown} is {kind}; refused (reports never write through or over one)")
        temporary = f".{name}.{secrets.token_hex(8)}.tmp"
        try:
            fd = os.open(temporary, _NEW_FILE_FLAGS, 0o644, dir_fd=self._fd)
            try:
                with os.fdopen(fd, "wb") as file:
                    file.write(data)
                # rename() replaces the name itself: a link planted since the check is replaced, never followed.
                os.replace(temporary, name, src_dir_fd=self._fd, dst_dir_fd=self._fd)
            except BaseException:
                try:
                    os.unlink(temporary, dir_fd=self._fd)
                except OSError:
                    pass
                raise
        except OSError as exc:
            raise ReportDirError(f"cannot write {shown}: {exc.strerror}") from None
        return shown

    def clear(self) -> None:
        """Remove the files an earlier run left here (a link is removed itself, never followed)."""
        for name in os.listdir(self._fd):
            if not stat.S_ISDIR(os.lstat(name, dir_fd=self._fd).st_mode):
                os.unlink(name, dir_fd=self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> ReportDir:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _check_name(name: str) -> None:
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        raise ReportDirError(f"{name!r} is not a plain file name")


def _open_directory(name: str | Path, dir_fd: int | None, shown: str, follow: bool = False) -> int:
    """`follow`: the folder of a single file the user named may be reached through a link (as a shell would); a
    report directory the suite fills may not."""
    try:
        seen = os.stat(name, dir_fd=dir_fd) if follow else os.lstat(name, dir_fd=dir_fd)
    except OSError as exc:
        raise ReportDirError(f"cannot use {shown}: {exc.strerror}") from None
    if stat.S_ISLNK(seen.st_mode):
        raise ReportDirError(
            f"{shown} is a symbolic link; refused (give the directory itself, reports never follow a link)"
        )
    if not stat.S_ISDIR(seen.st_mode):
        raise ReportDirError(f"{shown} exists and is not a directory")
    try:
        flags = _DIRECTORY_FLAGS & ~os.O_NOFOLLOW if follow else _DIRECTORY_FLAGS
        fd = os.open(name, flags, dir_fd=dir_fd)  # O_NOFOLLOW: a link swapped in since lstat fails here
    except OSError as exc:
        raise ReportDirError(f"cannot open {shown}: {exc.strerror}") from None
    opened = os.fstat(fd)
    if (opened.st_dev, opened.st_ino) != (seen.st_dev, seen.st_ino):
        os.close(fd)
        raise ReportDirError(f"{shown} changed while it was opened; refused")
    return fd


# -- any file the suite writes or reads back outside a run's report folder -------------------------------------------
def write_file(path: str | os.PathLike[str], text: str) -> Path:
    """Write `path` whole without following a link: its folder (which the user named, and may reach through links)
    is opened once, and the file itself goes through ReportDir.write_bytes (a fresh temporary name, renamed over
    any earlier regular file; a link or anything else in its place is refused)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ReportDirError(f"cannot write {path}: folder {folder} does not exist")
    with ReportDir(folder, _open_directory(folder, None, str(folder), follow=True)) as directory:
        return directory.write_bytes(path.name, text.encode("utf-8"))


class ReportFileError(ConformanceError, ValueError):
    """A file of the suite's own kind (summary.json, a baseline) that cannot be read or is not one; one line."""


_T = TypeVar("_T")

MAX_JSON_BYTES = 32 << 20  # a summary of every requirement with its evidence is well under 2 MiB
MAX_JSON_DEPTH = 64  # a summary nests about 8 deep
MAX_NUMBER_CHARS = 40  # no field of a summary or baseline is a number longer than this
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def read_json(path: str | os.PathLike[str], *, limit: int = MAX_JSON_BYTES, depth: int = MAX_JSON_DEPTH) -> Any:
    """A JSON file the user gave (a summary, a baseline): bounded in size, nesting and number length before it is
    parsed, so that no file makes a reader crash or spin; anything else is ReportFileError with a one-line reason."""
    path = Path(path)
    try:
        with open(path, "rb") as file:
            data = file.read(limit + 1)
    except OSError as exc:
        raise ReportFileError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > limit:
        raise ReportFileError(f"{path} is larger than {limit} bytes: not one of the suite's files")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ReportFileError(f"{path} is not JSON the suite can read: not UTF-8 text") from None
    nesting = deepest = 0
    for token in _JSON_TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            nesting += 1
            deepest = max(deepest, nesting)
            if deepest > depth:
                raise ReportFileError(f"{path} nests deeper than {depth} levels: not one of the suite's files")
        elif char in "]}":
            nesting -= 1
    try:
        return json.loads(text, parse_int=_bounded(int), parse_float=_bounded(float), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        reason = str(exc).splitlines()[0][:200] if isinstance(exc, ValueError) else "nested too deeply"
        raise ReportFileError(f"{path} is not JSON the suite can read: {reason}") from None


def _bounded(kind: Callable[[str], _T]) -> Callable[[str], _T]:
    def parse(text: str) -> _T:
        if len(text) > MAX_NUMBER_CHARS:
            raise ValueError(f"a number of {len(text)} characters")
        return kind(text)

    return parse


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")
