#!/usr/bin/env bash
# check-testbed.sh DOCKERFILE
#
# Static checks of the IdP image's Dockerfile against what IdP v5 does (no Docker here):
#   module    bin/module.sh -e idp.authn.External only in a v4 branch (v5 has no such module:
#             "Unknown modules", non-zero exit, the build fails)
#   build     bin/build.sh -D... only in a v4 branch, and a plain bin/build.sh for v5 (v5's
#             war builder takes no -D)
#   webxml    no copy of web.xml into edit-webapp and no web.xml merging (the shim's jar has
#             META-INF/web-fragment.xml; a stale copy would break IdP upgrades)
#   signature the archive's .asc is checked by verify-dist.sh against the pinned keys; no
#             .sha256 fetched from the download host as the only check
#   weights   apply-weight-map.sh runs (REFEDS MFA asserted when no context is requested)
# Prints one line per violation; exit 1 when there is one.
set -u
df=$1
[ -r "$df" ] || { echo "check-testbed: cannot read $df" >&2; exit 2; }

# logical instructions: continuation lines joined, comments dropped
mapfile -t ins < <(sed -e 's/^[[:space:]]*#.*$//' "$df" | awk '
	/\\[[:space:]]*$/ { sub(/\\[[:space:]]*$/, " "); buf = buf $0; next }
	{ print buf $0; buf = "" }' | sed -e 's/[[:space:]]\+/ /g' -e '/^ *$/d')

bad=0
v() { echo "violation [$1]: $2"; bad=1; }

# an instruction without its "4.*) ... ;;" case branches (what an IdP v5 build runs)
v4_strip() {
	local s=$1 out=
	while [[ $s == *'4.*)'* ]]; do
		out+=${s%%'4.*)'*}
		s=${s#*'4.*)'}
		if [[ $s == *';;'* ]]; then s=${s#*';;'}; else s=; fi
	done
	printf '%s' "$out$s"
}
outside_v4() { # instruction pattern: does pattern occur outside the 4.*) branches?
	v4_strip "$1" | grep -Eq -- "$2"
}

plain_build=0
weights=0
verified=0
asc=0
for i in "${ins[@]}"; do
	case $i in RUN*) ;; *) continue ;; esac
	if outside_v4 "$i" 'module\.sh[^;|&]* -e idp\.authn\.External'; then
		v module "bin/module.sh -e idp.authn.External runs for IdP v5, which has no such module: $(printf '%.100s' "$i")"
	fi
	if outside_v4 "$i" 'build\.sh[^;|&]* -D'; then
		v build "bin/build.sh with -D runs for IdP v5, whose war builder takes no -D: $(printf '%.100s' "$i")"
	fi
	if outside_v4 "$i" 'bin/build\.sh( *\)| *<| *;| *$|"? *\)|" *<)'; then plain_build=1; fi
	if printf '%s\n' "$i" | grep -Eq 'WEB-INF/web\.xml|merge-web-xml'; then
		v webxml "web.xml copied or merged into edit-webapp (the jar's web-fragment.xml registers the servlet): $(printf '%.100s' "$i")"
	fi
	if printf '%s\n' "$i" | grep -q 'apply-weight-map\.sh'; then weights=1; fi
	if printf '%s\n' "$i" | grep -Eq 'curl[^;]*\.sha256'; then
		v signature "a .sha256 from the download host is fetched (no proof of who made the archive): $(printf '%.100s' "$i")"
	fi
	if printf '%s\n' "$i" | grep -Eq 'curl[^;]*\.asc'; then asc=1; fi
	if printf '%s\n' "$i" | grep -Eq 'verify-dist\.sh [^;]*shibboleth-signing-keys\.asc [^;]*shibboleth-signing-keys\.txt'; then verified=1; fi
done
[ $plain_build -eq 1 ] || v build "no plain bin/build.sh for IdP v5"
[ $weights -eq 1 ] || v weights "apply-weight-map.sh is not run"
[ $asc -eq 1 ] && [ $verified -eq 1 ] || v signature "the archive's .asc is not verified with verify-dist.sh against the pinned keys"
exit $bad
