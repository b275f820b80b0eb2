#!/bin/sh
# The library's main job on the bundled examples, from a fresh database:
# import the customers, then plan an edited file against them, then show
# that importing the first file again has nothing to do.
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
echo "== register the reference data the example uses"
hi register --db "$DB" --create manufacturer "Acme Tools"
hi register --db "$DB" customer-group retail wholesale
hi register --db "$DB" paymentTerms "Net 30" "Net 60" "Due on receipt"
hi register --db "$DB" shippingMethod "UPS Ground" "FedEx 2Day" \
    "DHL Paket" "DPD" "Colissimo" "Chronopost" "Canada Post Expedited" \
    "Purolator Ground" "Australia Post Parcel" "StarTrack Road Express" \
    "Royal Mail Tracked 48" "Freight (LTL)" "Pallet delivery" "Pickup" "Spedition"
# "Messagerie" is left out on purpose: its rows show an unknown-option warning.
echo
echo "== import customers.xlsx (its 4 deliberately wrong rows are left out: --partial)"
hi apply --db "$DB" --yes --partial --quiet customers.xlsx || true
echo
echo "== plan customers-changed.csv against the database"
hi plan --db "$DB" customers-changed.csv || true
echo
echo "== import customers.xlsx again: nothing to do"
hi apply --db "$DB" --yes --partial --quiet customers.xlsx || true
