#!/bin/sh
# apply-weight-map.sh IDP_HOME [FRAGMENT]
#
# Puts the shim's shibboleth.AuthenticationPrincipalWeightMap (the lines between
# "<!-- fido-bridge:begin" and "<!-- fido-bridge:end -->" of FRAGMENT, by default
# conf/authn/principal-weight-map.xml next to this script) into the IdP's own file:
# conf/authn/authn-comparison.xml (IdP v5) or, when that does not exist,
# conf/authn/general-authn.xml (IdP v4). An active map of that id (not one inside a comment)
# is replaced; otherwise the block goes before the closing </beans>. A block from an earlier
# run is replaced, so running it again changes nothing. The first original is kept as
# <file>.fido-bridge.bak (restore it to roll back). Checked with xmllint when available.
set -eu

[ $# -eq 1 ] || [ $# -eq 2 ] || { echo "usage: $0 IDP_HOME [FRAGMENT]" >&2; exit 2; }
home=$1
frag=${2:-$(cd "$(dirname "$0")/.." && pwd)/conf/authn/principal-weight-map.xml}
target=
for f in conf/authn/authn-comparison.xml conf/authn/general-authn.xml; do
	if [ -f "$home/$f" ]; then target=$home/$f; break; fi
done
[ -n "$target" ] || { echo "$0: neither conf/authn/authn-comparison.xml nor conf/authn/general-authn.xml under $home" >&2; exit 1; }
[ -r "$frag" ] || { echo "$0: cannot read $frag" >&2; exit 1; }
grep -q '</beans>' "$target" || { echo "$0: $target has no </beans>" >&2; exit 1; }
# the block uses the util: and c: prefixes (without xmllint nothing else would notice)
for ns in 'xmlns:util="http://www.springframework.org/schema/util"' 'xmlns:c="http://www.springframework.org/schema/c"'; do
	grep -q "$ns" "$target" || { echo "$0: $target does not declare $ns; add it to its <beans> element" >&2; exit 1; }
done

tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.block"' EXIT
sed -n '/<!-- fido-bridge:begin/,/<!-- fido-bridge:end -->/p' "$frag" >"$tmp.block"
[ -s "$tmp.block" ] || { echo "$0: no fido-bridge block in $frag" >&2; exit 1; }

# One pass: drop an earlier fido-bridge block and the IdP's active map of that id (tracking
# XML comments, so an example inside <!-- --> is left alone), remember where it stood, and
# put the block there (or before the last </beans>).
awk -v blockfile="$tmp.block" '
	BEGIN { while ((getline l < blockfile) > 0) block = block l "\n" }
	{ lines[++n] = $0 }
	END {
		incomment = 0; skip = 0; at = 0
		for (i = 1; i <= n; i++) {
			l = lines[i]
			if (skip == 2) { keep[i] = 0; if (l ~ /<!-- fido-bridge:end -->/) skip = 0; continue }
			if (skip == 1) { keep[i] = 0; if (l ~ /<\/util:map>/) skip = 0; continue }
			if (!incomment && l ~ /<!-- fido-bridge:begin/) { keep[i] = 0; skip = 2; if (!at) at = i; continue }
			if (!incomment && l ~ /<util:map[^>]*id="shibboleth\.AuthenticationPrincipalWeightMap"/) {
				keep[i] = 0; if (!at) at = i
				if (l !~ /<\/util:map>|\/>[ \t]*$/) skip = 1
				continue
			}
			keep[i] = 1
			# comment state at the end of this line
			s = l
			while (1) {
				if (incomment) { p = index(s, "-->"); if (!p) break; incomment = 0; s = substr(s, p + 3) }
				else { p = index(s, "<!--"); if (!p) break; incomment = 1; s = substr(s, p + 4) }
			}
		}
		if (!at) for (i = n; i > 0; i--) if (lines[i] ~ /<\/beans>/) { at = i; break }
		for (i = 1; i <= n; i++) {
			if (i == at) printf "%s", block
			if (keep[i]) print lines[i]
		}
	}' "$target" >"$tmp"

if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$tmp" || { echo "$0: the result is not well-formed; $target left unchanged" >&2; exit 1; }
fi
[ -e "$target.fido-bridge.bak" ] || cp -p "$target" "$target.fido-bridge.bak"
cat "$tmp" >"$target"
echo "apply-weight-map: shibboleth.AuthenticationPrincipalWeightMap (REFEDS MFA over PasswordProtectedTransport) in $target"
