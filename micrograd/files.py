"""Files: writing so that nothing a user saved is lost, reading so that no path can hang us.

`atomic_write(path, data)` writes a temporary file beside the target, flushes it to disk and
renames it over the target: a reader sees the old file or the new one, never a torn one.
- A symlink is followed: the file it points to is replaced, the link stays a link.
- An existing file keeps its permission bits (and its owner, where we may set it). A new file
  gets what the OS gives any new file (0o666 less the umask). The umask is never read: reading
  it means setting it, which would race with other threads creating files.
- The temporary file is `.<name>.<pid>.<16 hex digits>.tmp`, locked (flock) while written. A
  writer killed mid-write (kill -9) leaves it behind; the next save of the same target deletes
  those whose process has exited and whose lock is free, never one a live thread or process
  is writing. (Where there is no flock, as on Windows, leftovers are kept.)

`read_regular_file(path, max_bytes)` reads a regular file of at most max_bytes; a FIFO, a device
such as /dev/zero, a directory or a larger file is refused at once (ValueError), never read.
"""
from __future__ import annotations

import os
import re
import stat


def atomic_write(path: str | os.PathLike, data: bytes | str) -> str:
    """Write data (bytes, or str as UTF-8) to path atomically; returns the path as a string."""
    path = os.fspath(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    target = os.path.realpath(path)             # through symlinks to the file itself
    folder, name = os.path.split(target)
    try:
        old = os.stat(target)
    except FileNotFoundError:
        old = None
    if old is not None and not stat.S_ISREG(old.st_mode):
        error = IsADirectoryError if stat.S_ISDIR(old.st_mode) else OSError
        raise error(f"atomic_write: {path} is a {_kind(old.st_mode)}, not a regular file; "
                    f"not replaced")
    _remove_stale_temps(folder, name)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.{os.urandom(8).hex()}.tmp")
    # a new file: mode 0o666, which the OS narrows by the umask, as for any new file; over an
    # existing one: its own mode from the start (never wider while our data goes in)
    mode = 0o666 if old is None else stat.S_IMODE(old.st_mode) & 0o777
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) \
        | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            _lock(f.fileno())                   # held until closed: "being written"
            if old is not None:
                _keep_owner_and_mode(f.fileno(), tmp, old)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)                 # atomic on POSIX and Windows
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _sync_folder(folder)
    return path


def read_regular_file(path: str | os.PathLike, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most max_bytes; ValueError for anything else.

    The file is opened without blocking (a FIFO with no writer would otherwise hang the open)
    and checked before reading; at most max_bytes + 1 bytes are read, so a file that grows
    meanwhile is refused too. OSError (missing, no permission) passes through.
    """
    path = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) \
        | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"not a regular file (a {_kind(st.st_mode)}); not read")
        if st.st_size > max_bytes:
            raise ValueError(f"the file is {st.st_size} bytes, more than the {max_bytes} "
                             f"allowed; not read")
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise ValueError(f"the file holds more than the {max_bytes} bytes allowed; "
                             f"not read")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    for test, what in ((stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "FIFO"),
                       (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
                       (stat.S_ISSOCK, "socket")):
        if test(mode):
            return what
    return "special file"


def _keep_owner_and_mode(fd: int, tmp: str, old: os.stat_result) -> None:
    if hasattr(os, "fchown") and (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, old.st_uid, old.st_gid)
        except OSError:                         # not ours to give away: keep our ownership
            pass
    mode = stat.S_IMODE(old.st_mode)            # exactly, even bits the umask would clear
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:
        os.chmod(tmp, mode)


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:                         # Windows: no flock, no cleaning either
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _remove_stale_temps(folder: str, name: str) -> None:
    """Delete temporary files of this target left by writers that died mid-write.

    Stale means both: the process in the name has exited, and nobody holds the file's lock.
    The process test alone would delete the file of a writer in another PID namespace (a
    container sharing the folder); the lock alone would delete one in the instant between its
    creation and its lock. Our own process's files are never touched. Best effort: any error
    leaves the file and the save goes on.
    """
    try:
        import fcntl
    except ImportError:
        return
    pattern = re.compile(re.escape(f".{name}.") + r"([1-9][0-9]{0,9})\.[0-9a-f]{16}\.tmp")
    try:
        entries = [e.name for e in os.scandir(folder) if pattern.fullmatch(e.name)]
    except OSError:
        return
    for entry in entries:
        pid = int(pattern.fullmatch(entry).group(1))
        if pid == os.getpid() or _process_exists(pid):
            continue
        stale = os.path.join(folder, entry)
        try:
            fd = os.open(stale, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)     # BlockingIOError if held
                os.unlink(stale)
        except OSError:
            pass
        finally:
            os.close(fd)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)                         # signal 0: only asks whether pid exists
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):            # e.g. PermissionError: it exists, not ours
        return True
    return True


def _sync_folder(folder: str) -> None:
    # make the rename itself durable (POSIX); where folders cannot be opened, skip
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
