"""``python -m handshake_import``: the same as the ``handshake-import`` command."""

import sys

from .cli import main

sys.exit(main())
