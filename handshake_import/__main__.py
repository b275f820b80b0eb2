"""``python -m handshake_import``: the same as the ``handshake-import`` command."""

from .cli import console

console()
