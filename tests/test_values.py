"""Cell parsers: the email fast path never accepts what the careful check refuses."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handshake_import._values import (
    CellError,
    _email_fault,
    parse_emails,
    plain_addresses,
)

# Characters that make addresses and near-addresses, separators included.
email_text = st.text(alphabet="ab1-._@,; +!ZÉ", max_size=40) | st.lists(
    st.sampled_from(
        ["a", "b.c", "x-y", "@", ".", "-", "com", "1", ",", " ", ";", "9", "e"]
    ),
    max_size=14,
).map("".join)


@given(email_text)
def test_fast_path_accepts_only_valid_addresses(text: str) -> None:
    """Whatever the fast path accepts, the careful check accepts too."""
    plain = plain_addresses(text)
    if plain is not None:
        assert all(_email_fault(address) is None for address in plain)
        assert len({a.lower() for a in plain}) == len(plain)


@given(email_text)
def test_parse_emails_either_returns_valid_addresses_or_refuses(text: str) -> None:
    """parse_emails returns checked, distinct addresses, or raises CellError."""
    try:
        addresses = parse_emails(text)
    except CellError as error:
        code = error.code
    else:
        code = None
        assert all(_email_fault(address) is None for address in addresses)
        assert len({a.lower() for a in addresses}) == len(addresses)
    assert code in (None, "invalid-email")


def test_fast_and_careful_paths_agree_on_examples() -> None:
    """Typical cells give the same addresses through either path."""
    for cell, expected in [
        ("a@x.example", ("a@x.example",)),
        (
            "a@x.example, b@y.example;c@z.example",
            ("a@x.example", "b@y.example", "c@z.example"),
        ),
        ("a@x.example a@X.EXAMPLE", ("a@x.example",)),
        ("a-b@x-y.example", ("a-b@x-y.example",)),
    ]:
        assert expected == parse_emails(cell)
