"""Positional builders of frozen attrs classes, for the loops that make one
record per row.

attrs' ``__init__`` of a frozen class takes keywords and sets each field
through ``object.__setattr__`` (the class's own ``__setattr__`` refuses):
about 1 µs for an `Address`, as much as reading the row it came from. The
builder `positional` makes for a class takes the fields positionally, in
`attrs.fields` order, assigns them on an instance of a twin subclass that
adds no slots and keeps ``object``'s ``__setattr__`` (a plain slot store),
and then gives the instance its public class: Python allows ``__class__``
assignment between classes of the same layout, and what leaves the builder
is an ordinary frozen instance of the public class.

A builder skips converters and validators, so its callers pass values they
would leave unchanged (read-only mappings, tuples). tests/test_build.py
checks, for every class built this way, that a builder makes what the
public constructor makes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["compiled", "positional"]

T = TypeVar("T")


def positional(cls: type[T]) -> Callable[..., T]:
    """A function taking *cls*'s fields positionally, in `attrs.fields`
    order, and returning the instance the constructor would return for the
    same, already normalised, values."""
    names = [field.name for field in attrs.fields(cls)]  # type: ignore[arg-type]
    twin = type(
        f"_Filling{cls.__name__}",
        (cls,),
        {
            "__slots__": (),
            "__init__": object.__init__,
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
        },
    )
    # Generated, as attrs generates its own methods: one plain assignment
    # per field, which no loop over the names can match.
    body = "".join(f"    instance.{name} = {name}\n" for name in names)
    source = (
        f"def build({', '.join(names)}):\n"
        "    instance = twin()\n"
        f"{body}"
        "    instance.__class__ = cls\n"
        "    return instance\n"
    )
    build: Callable[..., T] = compiled(
        source, "build", {"twin": twin, "cls": cls}, f"build_{cls.__name__}"
    )
    build.__doc__ = (
        f"``{cls.__name__}(...)`` from its fields in order: {', '.join(names)}."
    )
    return build


def compiled(
    source: str, name: str, namespace: dict[str, Any], qualname: str
) -> Callable[..., Any]:
    """The function *name* that *source* defines, with the globals of
    *namespace*: for code generated from a declaration (a class's fields, a
    template's table), as attrs generates its own methods."""
    scope = dict(namespace)
    exec(compile(source, f"<generated {qualname}>", "exec"), scope)
    function: Callable[..., Any] = scope[name]
    function.__qualname__ = function.__name__ = qualname
    return function
