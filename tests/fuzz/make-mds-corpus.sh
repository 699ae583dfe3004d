#!/usr/bin/env bash
# Seeds for the mds fuzz target (corpus/mds/s-*): payloads (selector 0x01)
# and blobs (selector 0x00) signed by a throwaway key made here and dropped.
# Committed; rerun only when the payload shape the parser reads changes.
# Needs openssl and base64.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
out=$here/corpus/mds
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
b64u() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/k.pem" \
	-out "$tmp/c.pem" -subj "/CN=Seed Root" -days 30 2>/dev/null
cert=$(openssl x509 -in "$tmp/c.pem" -outform DER | base64 -w0)

p_full='{"legalHeader":"seed","no":3,"nextUpdate":"2025-07-01","entries":[{"aaguid":"ee882879-721c-4913-9775-3dfcce97072a","metadataStatement":{"description":"Seed Key","icon":"data:image/png;base64,iVBORw0KGgo=","attestationRootCertificates":["'$cert'"]},"statusReports":[{"status":"FIDO_CERTIFIED_L1","effectiveDate":"2024-01-02"},{"status":"REVOKED","effectiveDate":"2025-01-02"}]},{"aaguid":"fa2b99dc-9e39-4257-8f92-4a30d23c4118","statusReports":[]},{"aaid":"4e4e#4005"}]}'
p_empty='{"no":1,"nextUpdate":"2025-06-22","entries":[]}'
p_dup_newer='{"no":2,"nextUpdate":"2025-06-22","entries":[{"aaguid":"ee882879-721c-4913-9775-3dfcce97072a","timeOfLastStatusChange":"2024-01-01","statusReports":[{"status":"REVOKED"}]},{"aaguid":"ee882879-721c-4913-9775-3dfcce97072a","timeOfLastStatusChange":"2025-03-01","statusReports":[{"status":"FIDO_CERTIFIED_L2"}]}]}'
p_dup='{"no":1,"nextUpdate":"2025-06-22","entries":[{"aaguid":"ee882879-721c-4913-9775-3dfcce97072a"},{"aaguid":"EE882879-721C-4913-9775-3DFCCE97072A"}]}'

seed() { # NAME SELECTOR-BYTE-OCTAL TEXT
	{ printf "\\$2"; printf '%s' "$3"; } >"$out/s-$1"
}
seed payload-full 001 "$p_full"
seed payload-empty 001 "$p_empty"
seed payload-dup 001 "$p_dup"
seed payload-dup-newer 001 "$p_dup_newer"

for alg in ES256 RS256; do
	h=$(printf '{"alg":"%s","typ":"JWT","x5c":["%s"]}' "$alg" "$cert" | b64u)
	p=$(printf '%s' "$p_full" | b64u)
	if [ $alg = ES256 ]; then
		# DER signature: the verifier must refuse it (JWS wants r||s); a useful near miss
		s=$(printf '%s.%s' "$h" "$p" | openssl dgst -sha256 -sign "$tmp/k.pem" | b64u)
	else
		s=$(head -c 256 /dev/zero | b64u)
	fi
	seed "blob-$alg" 000 "$h.$p.$s"
done
seed blob-two-parts 000 "eyJhbGciOiJFUzI1NiJ9.e30"
echo "wrote $(ls "$out" | wc -l) seeds to $out"
