"""Files in the data folder's cache, written whole or not at all."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Let ``write`` fill a temporary file beside ``path``, then move it into place: a reader
    (another process starting at the same moment) sees the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # same suffix as the target, so numpy's savers keep the name as given
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp{path.suffix}")
    write(tmp)
    tmp.replace(path)
