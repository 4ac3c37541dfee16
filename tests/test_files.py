"""micrograd.files: atomic writes that keep a file's mode, follow symlinks, never touch the umask
and clean up after a writer killed mid-write (real processes, real SIGKILL); bounded reads that
refuse FIFOs, devices and oversized files without reading them."""
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading

import pytest

from micrograd.files import atomic_write, read_regular_file

posix = pytest.mark.skipif(os.name != "posix", reason="POSIX modes, symlinks, FIFOs, signals")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def temps(folder):
    return sorted(n for n in os.listdir(folder) if n.endswith(".tmp"))


# --- modes and the umask ----------------------------------------------------------------------
@posix
@pytest.mark.parametrize("old_mode", [0o600, 0o640, 0o444, 0o755, 0o604])
def test_rewriting_keeps_the_existing_mode(tmp_path, old_mode):
    path = tmp_path / "m.json"
    path.write_text("old")
    os.chmod(path, old_mode)
    atomic_write(path, "new")
    assert path.read_text() == "new"
    assert mode(path) == old_mode
    assert os.listdir(tmp_path) == ["m.json"]


@posix
@pytest.mark.parametrize("umask", [0o022, 0o077, 0o027, 0o002])
def test_a_new_file_gets_the_mode_any_new_file_gets(tmp_path, umask):
    # a fresh process with a known umask: its new files are 0o666 & ~umask
    code = textwrap.dedent(f"""
        import os, stat
        os.umask({umask:#o})
        from micrograd.files import atomic_write
        atomic_write({str(tmp_path / "new.json")!r}, "x")
        open({str(tmp_path / "plain.txt")!r}, "w").close()
        print(oct(stat.S_IMODE(os.stat({str(tmp_path / "new.json")!r}).st_mode)),
              oct(stat.S_IMODE(os.stat({str(tmp_path / "plain.txt")!r}).st_mode)))
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    new, plain = r.stdout.split()
    assert new == plain == oct(0o666 & ~umask)


def test_the_umask_is_never_touched(tmp_path, monkeypatch):
    # setting the umask (the only way to read it) would race with other threads' new files
    def refuse(mask):
        raise AssertionError("atomic_write called os.umask")
    monkeypatch.setattr(os, "umask", refuse)
    atomic_write(tmp_path / "a.txt", "new file")
    atomic_write(tmp_path / "a.txt", "over an existing one")
    assert (tmp_path / "a.txt").read_text() == "over an existing one"


# --- symlinks ---------------------------------------------------------------------------------
@posix
def test_writing_through_a_symlink_updates_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    target = real / "model.json"
    target.write_text("old")
    os.chmod(target, 0o600)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    atomic_write(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new" and mode(target) == 0o600
    assert temps(tmp_path) == [] and temps(real) == []


@posix
def test_relative_and_chained_symlinks_and_a_dangling_one(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "m.json").write_text("old")
    os.symlink("data/m.json", tmp_path / "hop1")             # relative
    os.symlink("hop1", tmp_path / "hop2")                     # a chain
    atomic_write(tmp_path / "hop2", b"via two links")
    assert (tmp_path / "data" / "m.json").read_bytes() == b"via two links"
    assert os.readlink(tmp_path / "hop2") == "hop1" and os.readlink(tmp_path / "hop1") == \
        "data/m.json"
    os.symlink("data/later.json", tmp_path / "dangling")
    atomic_write(tmp_path / "dangling", "created")
    assert (tmp_path / "dangling").is_symlink()
    assert (tmp_path / "data" / "later.json").read_text() == "created"


# --- targets that are not files ---------------------------------------------------------------
def test_a_directory_target_is_refused_and_left_alone(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "inside").write_text("kept")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        atomic_write(tmp_path / "d", "x")
    assert (tmp_path / "d" / "inside").read_text() == "kept"
    assert temps(tmp_path) == []


@posix
def test_a_fifo_target_is_refused_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        atomic_write(fifo, "x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert temps(tmp_path) == []


# --- writers killed mid-write, and writers still at work ---------------------------------------
WRITER = textwrap.dedent("""
    import os, sys
    from micrograd import files
    real_fsync = os.fsync
    def stuck(fd):                      # mid-write: the data is in, the rename has not happened
        os.fsync = real_fsync           # once (the folder is synced after the rename)
        print("writing", flush=True)
        sys.stdin.readline()            # wait here until told (or killed)
        real_fsync(fd)
    os.fsync = stuck
    files.atomic_write(sys.argv[1], "from the child")
    print("done", flush=True)
""")


def _start_writer(path):
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "writing\n"
    return child


@posix
def test_a_writer_killed_mid_write_leaves_the_old_file_and_its_temp_is_cleaned_next_save(
        tmp_path):
    path = tmp_path / "model.json"
    atomic_write(path, "first")
    child = _start_writer(path)
    try:
        [left] = temps(tmp_path)
        assert left.startswith(f".model.json.{child.pid}.")
        # while the child lives, our save must not touch its temp file
        atomic_write(path, "second")
        assert temps(tmp_path) == [left] and path.read_text() == "second"
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert child.returncode == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert path.read_text() == "second"                     # never torn, never the child's
    assert temps(tmp_path) == [left]                         # the kill left it behind
    atomic_write(path, "third")
    assert temps(tmp_path) == [] and path.read_text() == "third"
    assert os.listdir(tmp_path) == ["model.json"]


@posix
def test_a_live_writer_process_finishes_normally_after_our_save(tmp_path):
    path = tmp_path / "model.json"
    child = _start_writer(path)
    try:
        atomic_write(path, "ours")
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline() == "done\n"
    finally:
        child.stdin.close()
        child.wait()
    assert child.returncode == 0
    assert path.read_text() == "from the child" and temps(tmp_path) == []


def test_a_live_thread_mid_write_keeps_its_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    inside, release = threading.Event(), threading.Event()
    real_fsync = os.fsync

    def fsync(fd):
        if threading.current_thread().name == "slow-writer":
            inside.set()
            release.wait()
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    errors = []

    def slow():
        try:
            atomic_write(path, "from the thread")
        except BaseException as e:              # reported below
            errors.append(e)

    t = threading.Thread(target=slow, name="slow-writer")
    t.start()
    try:
        assert inside.wait(60)
        [theirs] = temps(tmp_path)
        atomic_write(path, "from the main thread")           # same target, same process
        assert temps(tmp_path) == [theirs]
    finally:
        release.set()
        t.join()
    assert errors == []
    assert path.read_text() == "from the thread" and temps(tmp_path) == []


def test_many_threads_saving_one_target_lose_nothing_and_leave_nothing(tmp_path):
    path = tmp_path / "m.json"
    payloads = {f"thread {i} write {j} ".encode() * 500 for i in range(8) for j in range(15)}
    errors = []

    def writer(i):
        try:
            for j in range(15):
                atomic_write(path, f"thread {i} write {j} ".encode() * 500)
                assert path.read_bytes() in payloads            # whole, never torn
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert path.read_bytes() in payloads and os.listdir(tmp_path) == ["m.json"]


@posix
def test_only_dead_unlocked_temps_of_the_same_target_are_removed(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, timeout=60)
    dead = int(gone.stdout)                     # a process that has exited
    hexes = iter(f"{i:016x}" for i in range(1, 100))
    stale = f".m.json.{dead}.{next(hexes)}.tmp"
    locked = f".m.json.{dead}.{next(hexes)}.tmp"
    keep = [
        locked,                                            # dead pid, but someone holds the lock
        f".m.json.{os.getpid()}.{next(hexes)}.tmp",        # ours: a thread may be writing it
        f".other.json.{dead}.{next(hexes)}.tmp",           # another target's
        f".m.json.{dead}.not-hex-at-all.tmp",              # not our naming
        ".m.json.backup",
        "m.json.1.0000000000000001.tmp",                   # no leading dot
    ]
    for name in [stale] + keep:
        (tmp_path / name).write_text("partial")
    holder = open(tmp_path / locked)
    fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
    try:
        atomic_write(tmp_path / "m.json", "saved")
        assert sorted(os.listdir(tmp_path)) == sorted(keep + ["m.json"])
    finally:
        holder.close()                                     # the lock goes with it
    atomic_write(tmp_path / "m.json", "again")
    assert locked not in os.listdir(tmp_path)
    assert sorted(os.listdir(tmp_path)) == sorted(set(keep) - {locked} | {"m.json"})


# --- bounded reads ----------------------------------------------------------------------------
def test_read_regular_file_reads_up_to_the_limit_and_refuses_past_it(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert read_regular_file(path, 100) == b"x" * 100
    with pytest.raises(ValueError, match="100 bytes, more than the 99 allowed"):
        read_regular_file(path, 99)
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "missing", 100)


@posix
def test_a_huge_sparse_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge"
    with open(path, "wb") as f:
        f.truncate(1 << 40)                     # 1 TiB of holes: reading it would never end
    with pytest.raises(ValueError, match=f"{1 << 40} bytes, more than"):
        read_regular_file(path, 1 << 20)


@posix
def test_a_file_bigger_than_its_size_says_is_cut_off_at_the_limit():
    # /proc files report size 0 but have content: the read itself must stop at the limit
    path = "/proc/self/status"
    if not os.path.exists(path):
        pytest.skip("no /proc")
    assert os.stat(path).st_size == 0
    with pytest.raises(ValueError, match="holds more than the 10 bytes allowed"):
        read_regular_file(path, 10)
    assert b"Pid:" in read_regular_file(path, 1 << 20)


@posix
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "/dev/null", "directory"])
def test_special_files_are_refused_at_once(tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)                         # no writer: a plain open() would block forever
        what = "FIFO"
    elif kind == "directory":
        path, what = tmp_path, "directory"
    else:
        path, what = kind, "character device"
        if not os.path.exists(path):
            pytest.skip(f"no {path}")
    # in a child process, so a regression hangs that child, not the test run
    code = ("import sys; from micrograd.files import read_regular_file\n"
            "try:\n    read_regular_file(sys.argv[1], 1 << 20)\n"
            "except ValueError as e:\n    print(e)\n")
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"not a regular file (a {what}); not read"
