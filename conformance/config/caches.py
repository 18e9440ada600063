"""The user's cache folder (XDG_CACHE_HOME, else ~/.cache), for what one run can reuse from the last: Hypothesis'
unicode tables and the compiled HTML templates. Best effort: a folder that cannot be made safe is not used."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2
    from jinja2.bccache import Bucket


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "iam-conformance"


def private_dir(name: str) -> Path | None:
    """cache_dir()/name, made if missing (0700); None unless it is a real folder of this user that nobody else may
    write into (compiled code is loaded from it)."""
    folder = cache_dir() / name
    if not folder.is_absolute():  # no home to expand "~" to: never a folder relative to where the run was started
        return None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        seen = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(seen.st_mode) or seen.st_uid != os.getuid() or seen.st_mode & 0o022:
        return None
    return folder


def template_bytecode() -> jinja2.BytecodeCache | None:
    """A jinja2 bytecode cache in private_dir("templates") (a template compiles once per version of its source,
    not once per run), or None. Writing it is best effort: a full disk never costs a report."""
    import jinja2

    folder = private_dir("templates")
    if folder is None:
        return None

    class BestEffort(jinja2.FileSystemBytecodeCache):
        def dump_bytecode(self, bucket: Bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return BestEffort(str(folder))
