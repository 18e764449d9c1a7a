"""Files handed to the browser for download (CSV, Markdown, Word). Gradio copies each into its own cache,
so ours live in one temporary folder per process, removed when the process exits — not a new folder
left in /tmp by every export and every admin refresh."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

_root: Path | None = None
_lock = threading.Lock()


def download_file(data: bytes | str, name: str, encoding: str = "utf-8") -> str:
    """Write `data` as a file called `name` (in a subfolder of its own, so equal names never clash); its path."""
    global _root
    with _lock:
        if _root is None:
            _root = Path(tempfile.mkdtemp(prefix="union-qa-downloads-"))
            atexit.register(shutil.rmtree, _root, True)
    path = Path(tempfile.mkdtemp(dir=_root)) / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding)
    return str(path)
