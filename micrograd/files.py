"""Writing files so that nothing a user saved is ever half-written.

`atomic_write` writes to a temporary file in the target's folder, flushes it to disk and renames
it over the target: a reader sees the old file or the new one, never a torn one.
"""
from __future__ import annotations

import os


def atomic_write(path: str | os.PathLike, data: bytes | str) -> str:
    """Write data (bytes, or str as UTF-8) to path atomically; returns the path as a string."""
    import tempfile                     # here: `import micrograd` stays light
    path = os.fspath(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())    # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)               # atomic on POSIX and Windows
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)      # the only way to read it is to set it
    os.umask(mask)
    return mask
