#!/usr/bin/env bash
# cmake --install into a DESTDIR: every file in its place, the programs run,
# the man pages render without warnings, nothing from the build or tests.
# usage: check-install.sh BUILD_DIR VERSION
set -u
build=$1
version=$2
d=$(mktemp -d /tmp/bridge-install.XXXXXX)
trap 'rm -rf "$d"' EXIT
pass=0
fail=0
t() { if bash -c "$2"; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi; }
export d version

DESTDIR="$d" cmake --install "$build" --prefix /usr >"$d.log" 2>&1 || { cat "$d.log"; rm -f "$d.log"; exit 1; }
rm -f "$d.log"
for f in usr/sbin/fido-bridged usr/sbin/bridgectl; do
	t "$f is an executable" "[ -x \"\$d/$f\" ] && [ -f \"\$d/$f\" ]"
done
for f in usr/share/fido-bridge/templates/login.html usr/share/fido-bridge/templates/enroll.html \
	usr/share/fido-bridge/templates/passkeys.html usr/share/fido-bridge/templates/error.html \
	usr/share/fido-bridge/ldap-schema/fido-bridge.schema usr/share/fido-bridge/ldap-schema/fido-bridge.ldif \
	usr/share/fido-bridge/ldap-schema/eduperson.ldif usr/share/fido-bridge/bridge.conf.example \
	usr/share/man/man8/fido-bridged.8 usr/share/man/man8/bridgectl.8 \
	usr/share/doc/fido-bridge/operations.md; do
	t "$f is installed" "[ -s \"\$d/$f\" ]"
done
t "the templates' static files and strings are installed" '[ -d "$d/usr/share/fido-bridge/templates/static" ] && [ -d "$d/usr/share/fido-bridge/templates/i18n" ]'
t "the templates are the tree's, file for file (but the checker script)" \
	"diff <(cd '$(dirname "$0")/../../templates' && find . -type f ! -name '*.sh' | sort) <(cd \"\$d/usr/share/fido-bridge/templates\" && find . -type f | sort)"
t "no test program, no build file" '! find "$d" -name "test_*" -o -name "fido-demo-idp" -o -name "*.a" -o -name "CMakeCache.txt" | grep -q .'
t "the installed bridgectl runs" '[ "$("$d/usr/sbin/bridgectl" --version)" = "bridgectl (fido-bridge) $version" ]'
t "the installed fido-bridged runs" '[ "$("$d/usr/sbin/fido-bridged" --version)" = "fido-bridged (fido-bridge) $version" ]'
t "the example config loads with the installed bridgectl" '"$d/usr/sbin/bridgectl" config check --syntax-only --config "$d/usr/share/fido-bridge/bridge.conf.example" >/dev/null'
if command -v man >/dev/null; then
	for p in fido-bridged bridgectl; do
		t "man $p renders without warnings" "out=\$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l \"\$d/usr/share/man/man8/$p.8\" 2>&1 >/dev/null); [ -z \"\$out\" ] || { echo \"\$out\"; false; }"
		t "man $p names FIDO_BRIDGE_CONFIG" "LC_ALL=C.UTF-8 MANWIDTH=80 man -l \"\$d/usr/share/man/man8/$p.8\" 2>/dev/null | grep -q FIDO_BRIDGE_CONFIG"
	done
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
