#!/bin/sh
# verify-dist.sh ARCHIVE SIGNATURE KEYS FINGERPRINTS
#
# Accepts ARCHIVE only if SIGNATURE (its detached OpenPGP signature, the .asc published next
# to it) is a good signature by a key whose primary fingerprint is listed in FINGERPRINTS
# (docker/idp/shibboleth-signing-keys.txt), using only the keys in KEYS
# (docker/idp/shibboleth-signing-keys.asc): nothing from the download host is trusted, unlike
# a .sha256 fetched from the same place as the archive. Exit 0 when it verifies.
set -eu

[ $# -eq 4 ] || { echo "usage: $0 ARCHIVE SIGNATURE KEYS FINGERPRINTS" >&2; exit 2; }
archive=$1
sig=$2
keys=$3
pins=$4
for f in "$archive" "$sig" "$keys" "$pins"; do
	[ -r "$f" ] || { echo "verify-dist: cannot read $f" >&2; exit 1; }
done
allowed=$(sed -n 's/^\([0-9A-Fa-f]\{40\}\)\([[:space:]].*\)\{0,1\}$/\1/p' "$pins" | tr 'a-f' 'A-F')
[ -n "$allowed" ] || { echo "verify-dist: $pins pins no key" >&2; exit 1; }

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
gpg --batch --quiet --homedir "$home" --import "$keys" 2>/dev/null ||
	{ echo "verify-dist: cannot import $keys" >&2; exit 1; }
# the status lines, not the exit code alone: which key made the signature matters
status=$(gpg --batch --homedir "$home" --status-fd 1 --verify "$sig" "$archive" 2>/dev/null) || true
if ! printf '%s\n' "$status" | grep -q '^\[GNUPG:\] GOODSIG ' ||
	printf '%s\n' "$status" | grep -Eq '^\[GNUPG:\] (BADSIG|ERRSIG|EXPSIG|EXPKEYSIG|REVKEYSIG) '; then
	echo "verify-dist: $archive: no good signature by a key in $keys" >&2
	exit 1
fi
# VALIDSIG <signing key fpr> ... <primary key fpr>: the last field names the key's owner
primary=$(printf '%s\n' "$status" | sed -n 's/^\[GNUPG:\] VALIDSIG .* \([0-9A-F]\{40\}\)$/\1/p' | head -n 1)
for a in $allowed; do
	if [ "$a" = "$primary" ]; then
		echo "verify-dist: $(basename "$archive"): good signature by $primary (pinned)"
		exit 0
	fi
done
echo "verify-dist: $archive is signed by ${primary:-an unknown key}, which $pins does not pin" >&2
exit 1
