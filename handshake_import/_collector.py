"""Pausing the cyclic garbage collector while records pile up.

Every record is a container the collector tracks, so holding a hundred
thousand of them makes it walk the growing heap again and again although
records never form cycles: about a quarter of the reading time, for
nothing. `collector_paused` turns it off for a block and back on after it
(if it was on), also on error.

Turned back on as they are, the records would all still be in the youngest
generation and be walked twice on their way to the oldest one. A block that
ran other code (a workbook reader, the caller's rows, a progress callback, a
store) may have left reference cycles among them: its objects are walked
once, by a collection of the young generations, which frees those cycles
and moves the rest to the oldest generation. A block that ran only the
library's code (`Pause.only_our_objects`) leaves none, and
`_promote_to_oldest` moves its objects there unwalked.

The young generations are collected before pausing too: their garbage is
the program's, and must not be moved to the oldest generation with the
records, where it would wait for a full collection. They are small, so this
costs little.

The collector is one for the whole process, and pauses may overlap in
several threads: they are counted. The first to begin turns the collector
off and notes whether it was on; the last to end turns it back on. Checked
and changed under one lock, so no pause can read "off" from another pause
that is ending, and keep it off for good.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

__all__ = ["Pause", "collector_paused"]


class Pause:
    """What a `collector_paused` block says about the objects it made."""

    #: Set by a block that ran only the library's own code, which makes no
    #: reference cycles: its objects can then skip the collector's walk.
    only_our_objects = False


class _Pauses:
    """The pauses in progress, in every thread."""

    def __init__(self) -> None:
        # Re-entrant: a finaliser the collector runs inside the lock may
        # itself read a file.
        self.lock = threading.RLock()
        self.active = 0
        #: whether the collector was on when the first pause in progress began
        self.resume = False
        #: whether every pause in progress ran only the library's code (and
        #: none overlapped another)
        self.only_ours = True


_PAUSES = _Pauses()


@contextlib.contextmanager
def collector_paused() -> Iterator[Pause]:
    """Pause the cyclic garbage collector for the block (see the module)."""
    pause = Pause()
    with _PAUSES.lock:
        _PAUSES.active += 1
        if _PAUSES.active == 1:
            _PAUSES.resume = gc.isenabled()
            _PAUSES.only_ours = True
            gc.disable()
            if _PAUSES.resume:
                gc.collect(1)
        else:
            # Overlapping pauses: the program's young objects made since the
            # first began were not collected; they must be walked at the end.
            _PAUSES.only_ours = False
    try:
        yield pause
    finally:
        with _PAUSES.lock:
            _PAUSES.only_ours = _PAUSES.only_ours and pause.only_our_objects
            _PAUSES.active -= 1
            if _PAUSES.active == 0 and _PAUSES.resume:
                if _PAUSES.only_ours:
                    _promote_to_oldest()
                else:
                    gc.collect(1)
                gc.enable()


def _promote_to_oldest() -> None:
    """Move every tracked object to the collector's oldest generation, unwalked.

    `gc.freeze` moves all of them aside and `gc.unfreeze` puts them back into
    the oldest generation: two list splices. Only for objects that hold no
    garbage cycles: those would wait there for a full collection, which
    the objects moved this way do not bring nearer. Not done when the
    program has frozen objects of its own, which unfreezing would release.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
