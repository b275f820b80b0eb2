"""How customer names are compared: exactly (for matching) and loosely (for
warning about probable duplicates). Adapters index stored customers by
`name_key` so that reconciliation can ask for both in one bulk call.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

__all__ = ["NameForms", "fold_name", "key_of_folded", "name_key"]

_PUNCTUATION = re.compile(r"[\W_]+")

# Legal-form words that do not tell two companies apart ("Acme Inc" and
# "ACME, Ltd." are probably the same customer). Compared after punctuation
# is removed, so "S.A." is "sa" and "Pty. Ltd." is "pty ltd".
_LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "lp",
        "plc",
        "co",
        "company",
        "corp",
        "corporation",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "pty",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "ab",
        "as",
        "oy",
        "kk",
        "the",
    }
)


def fold_name(name: str) -> str:
    """The form names are matched in: trimmed, case-folded, inner spaces single.

    ``fold_name("  ACME   Tools ")`` is ``"acme tools"``.
    """
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def name_key(name: str) -> str:
    """A looser form for spotting probable duplicates: no punctuation, no legal
    suffixes (Inc, Ltd, LLC, GmbH, Pty, S.A., ...).

    ``name_key("Acme, Inc.")`` and ``name_key("ACME")`` are both ``"acme"``.
    Names that `fold_name` makes equal always have equal keys.
    """
    return key_of_folded(fold_name(name))


def key_of_folded(folded: str) -> str:
    """`name_key` of a name whose `fold_name` is *folded*: for callers that
    already have the fold, so the name is not folded twice."""
    # Dots vanish rather than split, so that "S.A." is one word, "sa".
    undotted = folded.replace(".", "")
    if undotted.replace(" ", "").isalnum():
        # Nothing for _PUNCTUATION to replace: `isalnum` is `\w` without the
        # underscore. Without dots, the fold has single spaces only, so when
        # it has no leading "the" and no legal suffix (the common case) it
        # is its own key: no regular expression, no split and join.
        if "." not in folded:
            last = folded.rpartition(" ")[2]
            if last not in _LEGAL_SUFFIXES and not folded.startswith("the "):
                return folded
        words = undotted.split()
    else:
        words = _PUNCTUATION.sub(" ", undotted).split()
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    while len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words)


class _Forms(dict[str, str]):
    """Name -> one form of it, computed on the first look-up of the name."""

    def __init__(self, form: Callable[[str], str]) -> None:
        super().__init__()
        self._form = form

    def __missing__(self, name: str) -> str:
        form = self[name] = self._form(name)
        return form


class NameForms:
    """Each distinct name's `fold_name` and `name_key`, computed once.

    Conflicts, matching and duplicate warnings all need them, and names
    repeat within a file; a dictionary look-up costs a fraction of either.
    `fold` and `key` are the dictionaries' own look-ups, so a name seen
    before costs no Python call.
    """

    def __init__(self) -> None:
        folds = _Forms(fold_name)
        keys = _Forms(lambda name: key_of_folded(folds[name]))
        #: the `fold_name` of a name
        self.fold: Callable[[str], str] = folds.__getitem__
        #: the `name_key` of a name
        self.key: Callable[[str], str] = keys.__getitem__
