#!/usr/bin/env bash
# bridgectl mds import / status / show against blobs made at test time
# (make_mds_blobs): what is accepted is stored, what is refused leaves the
# stored file exactly as it was.  usage: test-bridgectl-mds.sh BRIDGECTL MAKE_MDS_BLOBS
set -euo pipefail
ctl=$1
make=$2
names=$3
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
"$make" "$t"
cat >"$t/bridge.conf" <<CONF
[attestation]
mds_file = $t/var/mds.json
mds_root_file = $t/root.pem
mds_crl_files = $t/crl.pem
mds_root_warn = 1d
[webauthn]
aaguid_names_file = $t/var/names.json
CONF
mkdir "$t/var"
fail() { echo "FAIL: $*" >&2; exit 1; }
refused() { # WHY BLOB [ARGS...]: refused with WHY, stored file unchanged
	local why=$1 b=$2
	shift 2
	local before
	before=$(sha256sum "$t/var/mds.json" 2>/dev/null || echo none)
	if "$ctl" mds import "$t/$b" --config "$t/bridge.conf" "$@" 2>"$t/err"; then fail "$b was imported"; fi
	grep -q "refused ($why)" "$t/err" || { cat "$t/err" >&2; fail "$b: expected refusal $why"; }
	[ "$(sha256sum "$t/var/mds.json" 2>/dev/null || echo none)" = "$before" ] || fail "$b changed the stored file"
	echo "ok: $b refused ($why)"
}

refused signature blob-6-tampered.jwt
[ ! -e "$t/var/mds.json" ] || fail "a refused blob created the file"
cp "$t/bridge.conf" "$t/wrong.conf"
sed -i "s|$t/root.pem|$t/other-root.pem|" "$t/wrong.conf"
if "$ctl" mds import "$t/blob-5.jwt" --config "$t/wrong.conf" 2>"$t/err"; then fail "wrong root accepted"; fi
grep -q "refused (chain)" "$t/err" || fail "wrong root: $(cat "$t/err")"
echo "ok: wrong root refused"
# no CRL: the chain cannot be checked for revocation, so it is not trusted
sed "s|^mds_crl_files.*|mds_crl_files =|" "$t/bridge.conf" >"$t/nocrl.conf"
if "$ctl" mds import "$t/blob-5.jwt" --config "$t/nocrl.conf" 2>"$t/err"; then fail "no CRL accepted"; fi
grep -q "refused (crl)" "$t/err" || fail "no CRL: $(cat "$t/err")"
# ... unless given on the command line
"$ctl" mds import "$t/blob-5.jwt" --config "$t/nocrl.conf" --crl "$t/crl.pem" >"$t/out" 2>"$t/err" || fail "import with --crl: $(cat "$t/err")"
grep -q "imported MDS blob no 5: 2 FIDO2 entries" "$t/out" || fail "import output: $(cat "$t/out")"
[ "$(stat -c %a "$t/var/mds.json")" = 644 ] || fail "mode of the stored file"
echo "ok: blob 5 imported"
refused not_newer blob-5.jwt
refused not_newer blob-4.jwt
refused stale blob-7-stale.jwt
"$ctl" mds status --config "$t/bridge.conf" | grep -q "^no 5, 2 FIDO2 entries" || fail "status"
"$ctl" mds show fa2b99dc-9e39-4257-8f92-4a30d23c4118 --config "$t/bridge.conf" >"$t/out"
grep -q "Leaky Key" "$t/out" && grep -q "registration: mds_status_REVOKED" "$t/out" || fail "show revoked: $(cat "$t/out")"
"$ctl" mds show ee882879-721c-4913-9775-3dfcce97072a --config "$t/bridge.conf" | grep -q "registration: allowed" || fail "show good"
# the root expiry warning
sed -i "s|^mds_root_warn.*|mds_root_warn = 3650d|" "$t/bridge.conf"
"$ctl" mds status --config "$t/bridge.conf" 2>&1 >/dev/null | grep -q "warning: the MDS root .* expires on" || fail "no expiry warning"
echo "ok: status, show, root expiry warning"

# names refresh: installs the shipped list; a broken one is refused and the installed one stays
"$ctl" names refresh "$names" --config "$t/bridge.conf" >"$t/out" 2>"$t/err" || fail "names refresh: $(cat "$t/err")"
cmp -s "$names" "$t/var/names.json" || fail "names file not installed as given"
printf '{"not-an-aaguid":{"name":"x"}}' >"$t/bad-names.json"
if "$ctl" names refresh "$t/bad-names.json" --config "$t/bridge.conf" 2>"$t/err"; then fail "broken names list installed"; fi
grep -q "refused" "$t/err" || fail "names refusal: $(cat "$t/err")"
cmp -s "$names" "$t/var/names.json" || fail "a refused list changed the installed one"
echo "ok: names refresh"
