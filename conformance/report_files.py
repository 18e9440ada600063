"""Report files written without following links: a report directory is created or verified once and held open,
and every file goes to a fresh temporary name in it (O_EXCL, O_NOFOLLOW) that is then renamed into place.

A link planted where the directory, a subdirectory or a report file should be is refused with ReportDirError:
nothing is ever written through it. Every operation is relative to the held directory descriptor, so swapping
the directory's path for a link after it was opened changes nothing either. (The directory's parents are the
user's own choice and may be links.)
"""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

_DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class ReportDirError(Exception):
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


def _open_directory(name: str | Path, dir_fd: int | None, shown: str) -> int:
    try:
        seen = os.lstat(name, dir_fd=dir_fd)
    except OSError as exc:
        raise ReportDirError(f"cannot use {shown}: {exc.strerror}") from None
    if stat.S_ISLNK(seen.st_mode):
        raise ReportDirError(f"{shown} is a symbolic link; refused (give the directory itself, reports never "
                             "follow a link)")
    if not stat.S_ISDIR(seen.st_mode):
        raise ReportDirError(f"{shown} exists and is not a directory")
    try:
        fd = os.open(name, _DIRECTORY_FLAGS, dir_fd=dir_fd)  # O_NOFOLLOW: a link swapped in since lstat fails here
    except OSError as exc:
        raise ReportDirError(f"cannot open {shown}: {exc.strerror}") from None
    opened = os.fstat(fd)
    if (opened.st_dev, opened.st_ino) != (seen.st_dev, seen.st_ino):
        os.close(fd)
        raise ReportDirError(f"{shown} changed while it was opened; refused")
    return fd
