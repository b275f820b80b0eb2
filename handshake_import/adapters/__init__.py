"""Storage adapters: implementations of `CustomerStore` for real databases.

The core package never imports this package; import the adapter you use::

    from handshake_import.adapters.sqlite import SQLiteStore
"""
