"""karpathy's micrograd 0.1.0, fetched and loaded under the name `karpathy_micrograd`.

Its import name clashes with ours (`micrograd`), so it is never installed: its sdist is
downloaded with pip into a cache directory, checked against a pinned SHA-256, and only its
`engine.py` and `nn.py` are read out of the tarball (regular files only, fixed names, nothing
else extracted). `nn.py` says `from micrograd.engine import Value`; that one line is rewritten to
`karpathy_micrograd.engine` before compiling, so our `micrograd` in `sys.modules` is never touched.

If the sdist cannot be fetched (no network), `load()` raises `Unavailable` with the reason and the
benchmark leaves the karpathy columns out, saying why.
"""
from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
import types
from pathlib import Path

VERSION = "0.1.0"
SDIST = f"micrograd-{VERSION}.tar.gz"
# sha256 of the sdist on PyPI (checked on every load; a different file is refused)
SHA256 = "81797b796bef809fb1ac3fd83a7e01e007aecb8d056fba07c0e24931e043845d"
MEMBERS = {"engine.py": f"micrograd-{VERSION}/micrograd/engine.py",
           "nn.py": f"micrograd-{VERSION}/micrograd/nn.py"}
NAME = "karpathy_micrograd"
NN_IMPORT = "from micrograd.engine import Value"


class Unavailable(RuntimeError):
    """karpathy's micrograd could not be fetched or checked."""


def fetch(cache: Path, timeout: float = 120.0) -> Path:
    """The sdist in `cache`, downloading it with pip if absent."""
    cache.mkdir(parents=True, exist_ok=True)
    sdist = cache / SDIST
    if not sdist.is_file():
        cmd = [sys.executable, "-m", "pip", "download", f"micrograd=={VERSION}", "--no-deps",
               "--no-binary", ":all:", "--disable-pip-version-check", "--retries", "1",
               "--timeout", "15", "-d", str(cache)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise Unavailable(f"pip download micrograd=={VERSION} failed: {e}") from None
        if proc.returncode != 0 or not sdist.is_file():
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise Unavailable(f"pip download micrograd=={VERSION} failed (exit "
                              f"{proc.returncode}): {last}")
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != SHA256:
        raise Unavailable(f"{sdist} has sha256 {digest}, expected {SHA256}; delete it to refetch")
    return sdist


def sources(sdist: Path) -> dict[str, str]:
    """{"engine.py": text, "nn.py": text} read from the tarball without extracting it."""
    out = {}
    with tarfile.open(sdist, "r:gz") as tar:
        for name, member_name in MEMBERS.items():
            member = tar.getmember(member_name)
            if not member.isfile() or member.size > 1_000_000:
                raise Unavailable(f"{sdist}: {member_name} is not a small regular file")
            with tar.extractfile(member) as f:
                out[name] = io.TextIOWrapper(f, encoding="utf-8").read()
    if out["nn.py"].count(NN_IMPORT) != 1:
        raise Unavailable(f"{sdist}: nn.py does not contain {NN_IMPORT!r} exactly once")
    out["nn.py"] = out["nn.py"].replace(NN_IMPORT, f"from {NAME}.engine import Value")
    return out


def load(cache: Path) -> types.ModuleType:
    """The package `karpathy_micrograd` with `.engine` (Value) and `.nn` (MLP) loaded."""
    if NAME in sys.modules:
        return sys.modules[NAME]
    sdist = fetch(cache)
    texts = sources(sdist)
    package = types.ModuleType(NAME, f"karpathy/micrograd {VERSION}, loaded from {sdist}")
    package.__path__ = []
    package.__version__ = VERSION
    package.sdist = str(sdist)
    sys.modules[NAME] = package
    try:
        for name in ("engine", "nn"):                    # nn imports engine: engine first
            module = types.ModuleType(f"{NAME}.{name}")
            module.__file__ = f"{sdist}!{MEMBERS[name + '.py']}"
            sys.modules[module.__name__] = module
            exec(compile(texts[name + ".py"], module.__file__, "exec"), module.__dict__)
            setattr(package, name, module)
    except BaseException:
        for key in (NAME, f"{NAME}.engine", f"{NAME}.nn"):
            sys.modules.pop(key, None)
        raise
    return package


if __name__ == "__main__":      # `python benchmarks/karpathy.py CACHE`: fetch and load once
    pkg = load(Path(sys.argv[1]))
    print(pkg.engine.Value(2.0) * 3, pkg.nn.MLP(2, [2, 1]))
