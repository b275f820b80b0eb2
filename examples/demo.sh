#!/bin/sh
# The library's main job on the bundled examples, from a fresh database:
# import the workbook of the four templates (customer groups, options,
# customers, additional ship-to addresses), then plan an edited customer
# file against it, then show that importing the workbook again has nothing
# to do.
set -e
cd "$(dirname "$0")"
# The installed command, or the module when pip put the script off the PATH.
if command -v handshake-import >/dev/null 2>&1; then
    hi() { handshake-import "$@"; }
elif command -v python3 >/dev/null 2>&1; then
    hi() { python3 -m handshake_import "$@"; }
else
    hi() { python -m handshake_import "$@"; }
fi
DB=demo.db
rm -f "$DB"
echo "== register the manufacturer the example's id:Acme Tools column names"
hi register --db "$DB" --create manufacturer "Acme Tools"
echo
echo "== import workbook.xlsx: its four sheets in one plan (the 4 deliberately"
echo "   wrong customer rows are left out: --partial)"
hi apply --db "$DB" --yes --partial --quiet workbook.xlsx || true
echo
echo "== plan customers-changed.csv against the database"
hi plan --db "$DB" customers-changed.csv || true
echo
echo "== import workbook.xlsx again: nothing to do"
hi apply --db "$DB" --yes --partial --quiet workbook.xlsx || true
