#!/bin/sh
# apply-properties.sh IDP_HOME FRAGMENT TARGET
#
# Merges a properties FRAGMENT (e.g. shibboleth-config/conf/authn/authn.properties) into
# the IdP's configuration so that each of its keys is defined exactly once:
#
#  1. every active definition of one of the fragment's keys in any *.properties file under
#     IDP_HOME/conf and IDP_HOME/credentials is commented out with the prefix
#     "#fido-bridge# " (continuation lines included), so the file can be restored by
#     removing that prefix (see README, "Rolling back");
#  2. the fragment is appended to TARGET (a path relative to IDP_HOME, e.g.
#     conf/authn/authn.properties) between the lines
#       # >>> fido-bridge: <fragment file name>
#       # <<< fido-bridge: <fragment file name>
#     replacing that block if it is already there.
#
# Running it again with the same fragment changes nothing. A backup of every file it
# changes is written next to it as <file>.fido-bridge.bak (once: the first original).
set -eu

[ $# -eq 3 ] || { echo "usage: $0 IDP_HOME FRAGMENT TARGET" >&2; exit 2; }
home=$1
frag=$2
target=$home/$3
name=$(basename "$frag")
[ -d "$home/conf" ] || { echo "$0: $home/conf: not an IdP home" >&2; exit 1; }
[ -r "$frag" ] || { echo "$0: cannot read $frag" >&2; exit 1; }
mkdir -p "$(dirname "$target")"
[ -e "$target" ] || : >"$target"

# The active keys of a properties file, one per line (continuation lines skipped).
keys_of() {
	awk '
	function continues(s,   n) {
		n = 0
		while (length(s) > 0 && substr(s, length(s), 1) == "\\") { n++; s = substr(s, 1, length(s) - 1) }
		return n % 2
	}
	{
		line = $0
		if (cont) { cont = continues(line); next }
		sub(/^[ \t\f]+/, "", line)
		if (line == "" || line ~ /^[#!]/) next
		key = line
		sub(/[ \t\f=:].*$/, "", key)
		print key
		cont = continues(line)
	}' "$1"
}

keys=$(keys_of "$frag" | sort -u)
[ -n "$keys" ] || { echo "$0: $frag defines no keys" >&2; exit 1; }
keyfile=$(mktemp)
trap 'rm -f "$keyfile" "$keyfile.out"' EXIT
printf '%s\n' "$keys" >"$keyfile"

begin="# >>> fido-bridge: $name"
end="# <<< fido-bridge: $name"

# Comment out the keys everywhere (our own block in TARGET is dropped in the same pass).
find "$home/conf" "$home/credentials" -type f -name '*.properties' 2>/dev/null | while read -r f; do
	awk -v keyfile="$keyfile" -v begin="$begin" -v end="$end" -v istarget="$([ "$f" = "$target" ] && echo 1 || echo 0)" '
	function continues(s,   n) {
		n = 0
		while (length(s) > 0 && substr(s, length(s), 1) == "\\") { n++; s = substr(s, 1, length(s) - 1) }
		return n % 2
	}
	BEGIN { while ((getline k < keyfile) > 0) want[k] = 1 }
	istarget && $0 == begin { inblock = 1; next }
	istarget && inblock { if ($0 == end) inblock = 0; next }
	{
		line = $0
		if (cont) {
			cont = continues(line)
			print (hide ? "#fido-bridge# " : "") $0
			next
		}
		hide = 0
		s = line
		sub(/^[ \t\f]+/, "", s)
		if (s == "" || s ~ /^[#!]/) { print; next }
		key = s
		sub(/[ \t\f=:].*$/, "", key)
		cont = continues(s)
		if (key in want) { hide = 1; print "#fido-bridge# " $0 } else print
	}' "$f" >"$keyfile.out"
	if ! cmp -s "$f" "$keyfile.out"; then
		[ -e "$f.fido-bridge.bak" ] || cp -p "$f" "$f.fido-bridge.bak"
		cat "$keyfile.out" >"$f"
	fi
done

# Append the fragment as our block.
[ -e "$target.fido-bridge.bak" ] || cp -p "$target" "$target.fido-bridge.bak"
{
	printf '%s\n' "$begin"
	cat "$frag"
	# a fragment without a final newline must not swallow the end marker
	[ -z "$(tail -c1 "$frag")" ] || echo
	printf '%s\n' "$end"
} >>"$target"
echo "apply-properties: $name -> $3 ($(printf '%s\n' "$keys" | wc -l) keys)"
