#!/usr/bin/env bash
# The reference config and the key table must list the same keys, and the
# reference config must load.  usage: check-reference.sh BRIDGECTL EXAMPLE
set -euo pipefail
bridgectl=$1
example=$2
table=$("$bridgectl" config keys | sort)
documented=$(awk '
	/^\[/ { gsub(/[][]/, ""); section = $0; next }
	/^[a-z_]+[ \t]*=/ { split($0, a, /[ \t]*=/); print section "." a[1] }' "$example" | sort)
if [ "$table" != "$documented" ]; then
	echo "reference config and key table differ (< table only, > example only):"
	diff <(echo "$table") <(echo "$documented") || true
	exit 1
fi
"$bridgectl" config check --syntax-only --config "$example" >/dev/null
echo "reference config: $(echo "$table" | wc -l) keys documented"
