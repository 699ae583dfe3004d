#!/bin/sh
# merge-web-xml.sh WEB_XML FRAGMENT [OUT]
#
# Puts the shim's servlet declaration (the lines between "<!-- fido-bridge:begin -->" and
# "<!-- fido-bridge:end -->" in FRAGMENT, shibboleth-config/webapp/fido-bridge-servlet.xml)
# just before the closing </web-app> of WEB_XML, replacing an earlier copy of that block,
# and writes the result to OUT (default: WEB_XML itself).
#
# Typical use on an IdP (v4 or v5):
#   cp $IDP_HOME/dist/webapp/WEB-INF/web.xml $IDP_HOME/edit-webapp/WEB-INF/web.xml  # once
#   merge-web-xml.sh $IDP_HOME/edit-webapp/WEB-INF/web.xml fido-bridge-servlet.xml
# Running it again changes nothing. The result is checked with xmllint when available.
set -eu

[ $# -eq 2 ] || [ $# -eq 3 ] || { echo "usage: $0 WEB_XML FRAGMENT [OUT]" >&2; exit 2; }
src=$1
frag=$2
out=${3:-$1}
[ -r "$src" ] || { echo "$0: cannot read $src" >&2; exit 1; }
[ -r "$frag" ] || { echo "$0: cannot read $frag" >&2; exit 1; }
grep -q '</web-app>' "$src" || { echo "$0: $src has no </web-app>" >&2; exit 1; }

tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.block"' EXIT
sed -n '/<!-- fido-bridge:begin -->/,/<!-- fido-bridge:end -->/p' "$frag" >"$tmp.block"
[ -s "$tmp.block" ] || { echo "$0: no fido-bridge block in $frag" >&2; exit 1; }

awk -v blockfile="$tmp.block" '
	BEGIN { while ((getline l < blockfile) > 0) block = block l "\n" }
	{ lines[++n] = $0 }
	END {
		# the last line holding </web-app>
		for (i = n; i > 0; i--) if (lines[i] ~ /<\/web-app>/) { last = i; break }
		skip = 0
		for (i = 1; i <= n; i++) {
			if (lines[i] ~ /<!-- fido-bridge:begin -->/) { skip = 1; continue }
			if (skip) { if (lines[i] ~ /<!-- fido-bridge:end -->/) skip = 0; continue }
			if (i == last) {
				pre = lines[i]; sub(/<\/web-app>.*$/, "", pre)
				post = substr(lines[i], length(pre) + 1)
				if (pre !~ /^[ \t]*$/) print pre
				printf "%s", block
				print post
				continue
			}
			print lines[i]
		}
	}' "$src" >"$tmp"

if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$tmp" || { echo "$0: the merged web.xml is not well-formed" >&2; exit 1; }
fi
cat "$tmp" >"$out"
echo "merge-web-xml: servlet FidoBridgeShim at /Authn/fido/* in $out"
