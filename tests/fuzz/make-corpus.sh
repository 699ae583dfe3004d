#!/usr/bin/env bash
# Regenerate the fuzz seed corpora (corpus/<target>/) and the case table
# (fixtures.c) from the shared recorded ceremonies. Both outputs are committed,
# so CI never runs this; rerun it when the vectors change and commit the diff.
#
#   tests/fuzz/make-corpus.sh [CASES_DIR]
#
# CASES_DIR defaults to $BRIDGE_SHARED_DIR/vectors/cases, else
# ../shared/vectors/cases next to the repository. Needs bash, jq, base64, od,
# sha256sum (coreutils). Only files named v-* (from a vector) and s-*
# (synthetic, defined below) are replaced; other files in corpus/<target>/
# (e.g. r-* regression inputs from fixed findings) are kept.
#
# Selector bytes: the first byte of attestation_object, assertion and
# clientdata inputs indexes the registration / authentication / all cases in
# file-name order, exactly as fixtures.c lists them (see fixtures.h).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
cases_dir=${1:-${BRIDGE_SHARED_DIR:-$here/../../../shared}/vectors/cases}
for tool in jq base64 od sha256sum; do
	command -v "$tool" >/dev/null || { echo "make-corpus.sh: needs $tool" >&2; exit 1; }
done
[ -d "$cases_dir" ] || { echo "make-corpus.sh: no directory $cases_dir" >&2; exit 1; }
shopt -s nullglob
files=("$cases_dir"/*.json)
[ ${#files[@]} -gt 0 ] || { echo "make-corpus.sh: no cases in $cases_dir" >&2; exit 1; }

targets=(authdata attestation_object cose_key clientdata base64url credential_json assertion)
MAX_PER_TARGET=100

# ---- binary helpers: everything is handled as lower-case hex text ----

# base64url (no padding) -> hex
b64u_hex() {
	local s=${1//-/+}
	s=${s//_//}
	case $(( ${#s} % 4 )) in
	0) ;;
	2) s+='==' ;;
	3) s+='=' ;;
	*) echo "make-corpus.sh: bad base64url: $1" >&2; return 1 ;;
	esac
	printf '%s' "$s" | base64 -d | od -An -v -tx1 | tr -d ' \n'
}
text_hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
u8_hex() { printf '%02x' "$1"; }
# a u16 big-endian length prefix for a hex string, then the string
len16_hex() {
	local n=$(( ${#1} / 2 ))
	(( n <= 65535 )) || { echo "make-corpus.sh: field too long" >&2; return 1; }
	printf '%04x%s' "$n" "$1"
}
# hex -> bytes on stdout
unhex() { printf '%b' "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }

declare -A seen=() count=()

# emit TARGET NAME HEX: write one seed unless the same bytes are already there
emit() {
	local t=$1 name=$2 hex=$3 sum
	sum=$(printf '%s' "$hex" | sha256sum | cut -c1-64)
	[ -z "${seen[$t:$sum]:-}" ] || return 0
	if (( ${count[$t]:-0} >= MAX_PER_TARGET )); then
		echo "make-corpus.sh: $t: more than $MAX_PER_TARGET seeds, dropping $name" >&2
		return 0
	fi
	seen[$t:$sum]=1
	count[$t]=$(( ${count[$t]:-0} + 1 ))
	unhex "$hex" >"$here/corpus/$t/$name"
}

# authData (hex) out of an attestationObject (hex): the byte string after the
# text key "authData" (68 'authData'). Empty when not found.
attobj_authdata() {
	local hex=$1 pre rest hdr len off
	pre=${hex%%686175746844617461*}
	[ "$pre" != "$hex" ] && (( ${#pre} % 2 == 0 )) || return 0
	rest=${hex:$(( ${#pre} + 18 ))}
	hdr=$(( 16#${rest:0:2} ))
	if (( hdr >= 0x40 && hdr <= 0x57 )); then len=$(( hdr - 0x40 )); off=2
	elif (( hdr == 0x58 )); then len=$(( 16#${rest:2:2} )); off=4
	elif (( hdr == 0x59 )); then len=$(( 16#${rest:2:4} )); off=6
	else return 0
	fi
	(( ${#rest} >= off + 2 * len )) || return 0
	printf '%s' "${rest:off:2*len}"
}

# The credential public key (hex) inside authData (hex): AT set and ED clear,
# so the key runs to the end. Empty otherwise.
authdata_cose() {
	local ad=$1 flags idlen
	(( ${#ad} >= 110 )) || return 0
	flags=$(( 16#${ad:64:2} ))
	(( (flags & 0x40) && !(flags & 0x80) )) || return 0
	idlen=$(( 16#${ad:106:4} ))
	(( ${#ad} > 110 + 2 * idlen )) || return 0
	printf '%s' "${ad:110+2*idlen}"
}

# ---- fixtures.c: the case table the harnesses decode at start-up ----

gen_fixtures() {
	jq -rs '
	def cstr:
		if . == null then "NULL"
		elif (type == "string" and test("^[ -~\n]*$")) then
			(endswith("\n")) as $nl |
			"\"" + (gsub("\\\\"; "\\\\") | gsub("\""; "\\\"") | gsub("\\?"; "\\?")
			    | sub("\n$"; "") | gsub("\n"; "\\n\"\n\t    \"")) + (if $nl then "\\n" else "" end) + "\""
		else error("fixture string is not printable ASCII: \(.)") end;
	def row:
		if (.origins | length) > 4 then error("\(.name): more than 4 origins") else . end |
		"\t{\n" +
		"\t\t.name = \(.name | cstr),\n" +
		"\t\t.registration = \(if .ceremony == "registration" then 1 else 0 end),\n" +
		"\t\t.rp_id = \(.rp_id | cstr),\n" +
		"\t\t.origins = { \([.origins[] | cstr] + ["NULL"] | join(", ")) },\n" +
		"\t\t.challenge = \(.challenge | cstr),\n" +
		"\t\t.user_verification = \(.user_verification // "preferred" | cstr),\n" +
		"\t\t.now = \(.now | fromdateiso8601 | floor)LL,\n" +
		"\t\t.trust_pem = \(if (.trust_anchors_pem // []) | length > 0
			then (.trust_anchors_pem | map(sub("\n*$"; "\n")) | join("") | cstr)
			else "NULL" end),\n" +
		"\t\t.raw_id = \(.response.rawId | cstr),\n" +
		"\t\t.client_data_json = \(.response.response.clientDataJSON | cstr),\n" +
		"\t\t.user_handle = \(.response.response.userHandle | cstr),\n" +
		"\t\t.cred_id = \(.credential.id | cstr),\n" +
		"\t\t.cred_cose = \(.credential.public_key_cose | cstr),\n" +
		"\t\t.cred_sign_count = \(.credential.sign_count // 0)UL,\n" +
		"\t\t.expect_ok = \(if .expect.ok then 1 else 0 end),\n" +
		"\t},";
	"/* Generated by tests/fuzz/make-corpus.sh from the shared vectors; do not edit. */\n" +
	"#include \"fixtures.h\"\n\n" +
	"const struct fz_case fz_cases[] = {\n" +
	(map(row) | join("\n")) +
	"\n};\n\nconst size_t fz_n_cases = sizeof(fz_cases) / sizeof(fz_cases[0]);"
	' "${files[@]}" >"$here/fixtures.c.tmp"
	mv "$here/fixtures.c.tmp" "$here/fixtures.c"
}

# ---- corpora ----

for t in "${targets[@]}"; do
	mkdir -p "$here/corpus/$t"
	rm -f "$here/corpus/$t"/v-* "$here/corpus/$t"/s-*
done
gen_fixtures

n_all=${#files[@]}
n_reg=0
n_auth=0
for f in "${files[@]}"; do
	if [ "$(jq -r .ceremony "$f")" = registration ]; then n_reg=$((n_reg + 1)); else n_auth=$((n_auth + 1)); fi
done
(( n_all <= 128 && n_reg <= 128 && n_auth <= 128 )) ||
	{ echo "make-corpus.sh: selectors are 7 bits: at most 128 cases of a kind" >&2; exit 1; }

b64_candidates=()
reg_i=0
auth_i=0
all_i=0
declare -A fmt_framed=()
for f in "${files[@]}"; do
	IFS=$'\x1f' read -r name ceremony challenge cdj attobj authdata sig uh credcose expcose rawid fmt ok < <(
		jq -r '[.name, .ceremony, .challenge, .response.response.clientDataJSON,
			(.response.response.attestationObject // ""), (.response.response.authenticatorData // ""),
			(.response.response.signature // ""), (.response.response.userHandle // ""),
			(.credential.public_key_cose // ""), (.expect.public_key_cose // ""),
			.response.rawId, (.expect.fmt // "-"), (.expect.ok | tostring)] | join("\u001f")' "$f")
	cdj_hex=$(b64u_hex "$cdj")

	# clientdata: [all-case selector][clientDataJSON]
	emit clientdata "v-$name" "$(u8_hex "$all_i")$cdj_hex"
	# credential_json: the whole response object
	emit credential_json "v-$name" "$(text_hex "$(jq -c .response "$f")")"
	# base64url: candidates, thinned out below
	b64_candidates+=("$challenge" "$rawid" "$cdj" "$sig" "$uh" "$credcose" "$authdata")
	(( ${#attobj} <= 2048 )) && b64_candidates+=("$attobj")

	for cose in "$credcose" "$expcose"; do
		[ -n "$cose" ] && emit cose_key "v-$name-$([ "$cose" = "$credcose" ] && echo stored || echo expect)" "$(b64u_hex "$cose")"
	done

	if [ "$ceremony" = registration ]; then
		att_hex=$(b64u_hex "$attobj")
		# attestation_object: [reg selector][attestationObject], and once per
		# format (and for the failing cases) with the clientDataJSON framed in
		emit attestation_object "v-$name" "$(u8_hex "$reg_i")$att_hex"
		if [ "$ok" = false ] || [ -z "${fmt_framed[$fmt]:-}" ]; then
			fmt_framed[$fmt]=1
			emit attestation_object "v-$name-cdj" "$(u8_hex $(( reg_i | 0x80 )))$(len16_hex "$cdj_hex")$att_hex"
		fi
		ad_hex=$(attobj_authdata "$att_hex")
		if [ -n "$ad_hex" ]; then
			emit authdata "v-$name" "$ad_hex"
			cose_hex=$(authdata_cose "$ad_hex")
			[ -n "$cose_hex" ] && emit cose_key "v-$name-authdata" "$cose_hex"
		else
			echo "make-corpus.sh: $name: no authData found in attestationObject" >&2
		fi
		reg_i=$((reg_i + 1))
	else
		ad_hex=$(b64u_hex "$authdata")
		sig_hex=$(b64u_hex "$sig")
		emit authdata "v-$name" "$ad_hex"
		# assertion: [auth selector][u16][authenticatorData][signature], and
		# with the clientDataJSON framed in
		emit assertion "v-$name" "$(u8_hex "$auth_i")$(len16_hex "$ad_hex")$sig_hex"
		emit assertion "v-$name-cdj" \
			"$(u8_hex $(( auth_i | 0x80 )))$(len16_hex "$cdj_hex")$(len16_hex "$ad_hex")$sig_hex"
		auth_i=$((auth_i + 1))
	fi
	all_i=$((all_i + 1))
done

# ---- synthetic seeds: paths no recorded ceremony takes ----

# clientdata: cross-origin iframe, allowed (selector bit 7) and not
f0=${files[0]}
chal0=$(jq -r .challenge "$f0")
origin0=$(jq -r '.origins[0]' "$f0")
type0=$(jq -r 'if .ceremony == "registration" then "webauthn.create" else "webauthn.get" end' "$f0")
xo=$(jq -nc --arg t "$type0" --arg c "$chal0" --arg o "$origin0" \
	'{type: $t, challenge: $c, origin: $o, crossOrigin: true, topOrigin: "https://top.example.org"}')
emit clientdata s-cross-origin-top-allowed "80$(text_hex "$xo")"
emit clientdata s-cross-origin-top-refused "00$(text_hex "$xo")"
xo=$(jq -nc --arg t "$type0" --arg c "$chal0" --arg o "$origin0" \
	'{type: $t, challenge: $c, origin: $o, crossOrigin: true, tokenBinding: {status: "present", id: "AAAA"}}')
emit clientdata s-cross-origin-no-top "80$(text_hex "$xo")"

# authdata: extensions (ED) after an attested key, and alone
key_hex=$(b64u_hex "$(jq -rn 'first(inputs | .credential.public_key_cose // empty)' "${files[@]}")")
rp_hash=$(printf '%s' example.org | sha256sum | cut -c1-64)
ext_hex=a16b$(text_hex credProtect)02
emit authdata s-at-ed "${rp_hash}c500000001$(printf '%032x' 0)0010$(printf '%032x' 7)${key_hex}${ext_hex}"
emit authdata s-ed-only "${rp_hash}8500000001${ext_hex}"
emit authdata s-header-only "${rp_hash}0500000000"

# base64url: edge cases, then the recorded strings thinned to fit
for s in '' A AA AB AAA AAB AAAA AA== +/+/ -_-_ AAAAA YQ YWJj 'A B' $'AA\n'; do
	emit base64url "s-$(text_hex "$s" | cut -c1-16)-${#s}" "$(text_hex "$s")"
done
mapfile -t uniq_b64 < <(printf '%s\n' "${b64_candidates[@]}" | grep -v '^$' | sort -u |
	awk '{ print length($0) "\t" $0 }' | sort -s -n -k1,1 | cut -f2)
room=$(( MAX_PER_TARGET - ${count[base64url]:-0} ))
total=${#uniq_b64[@]}
for (( i = 0; i < room && i < total; i++ )); do
	s=${uniq_b64[$(( i * total / (room < total ? room : total) ))]}
	emit base64url "v-$(printf '%s' "$s" | sha256sum | cut -c1-12)-${#s}" "$(text_hex "$s")"
done

for t in "${targets[@]}"; do
	printf '%-20s %3d seeds\n' "$t" "$(find "$here/corpus/$t" -type f | wc -l)"
done
