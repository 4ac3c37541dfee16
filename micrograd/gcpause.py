"""Pausing Python's cyclic garbage collector while many nodes are made.

A graph of Values has no reference cycles (nodes hold their operands in slots, no closures), so
reference counting frees it and the cyclic collector has nothing to find in it. But the
collector runs every few hundred allocations and walks the young objects, and now and then
every live one: making 100,000 nodes next to a big live graph spends most of its time there.

    with paused_gc():
        ...make many Values...

turns the collector off for the block and back to how it was after. Blocks nest and may run
in several threads at once: the collector is switched off by the first block to start and
restored by the last one to finish, so a user who switched it off keeps it off.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_depth = 0              # blocks running now, in any thread
_was_enabled = False    # the collector's state before the first of them


@contextmanager
def paused_gc() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
