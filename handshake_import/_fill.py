"""Building frozen attrs instances fast, for the loops that make one per row.

attrs' generated ``__init__`` of a frozen class takes the fields as keywords
and sets each through ``object.__setattr__`` (the class's own
``__setattr__`` refuses): about 1 µs for an `Address`, a third of the time
it takes to read a row. The private builders of the records, the actions
and the problems instead fill an instance of a subclass from `filling`: it
adds no slots and restores ``object``'s ``__init__`` (so calling it only
allocates) and ``__setattr__`` (so each assignment is a plain slot store).
The builder then assigns ``__class__``: Python allows that between classes
of the same layout, and what leaves the builder is an ordinary frozen
instance of the public class. Builders skip converters and validators, so
their callers pass values those would leave as they are; tests check that
each builder sets every field and builds what the public constructor builds.
"""

from __future__ import annotations

from typing import Any

__all__ = ["filling"]


def filling(cls: type) -> Any:
    """The mutable twin of the slotted class *cls*, for a builder to fill.

    (Typed `Any`: the checker knows the fields are read-only, which is the
    point of the public class, not of its twin.)
    """
    return type(
        f"_Filling{cls.__name__}",
        (cls,),
        {
            "__slots__": (),
            "__init__": object.__init__,
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
        },
    )
