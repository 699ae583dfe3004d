#!/usr/bin/env bash
# The Debian package, built and used as an administrator would: builds it from a
# copy of the tree (dpkg-buildpackage -b), runs lintian, installs it with dpkg -i
# on this machine, checks what it put where (user, modes, config check as the
# service user, the unit's sandbox score, logrotate), runs a smoke login (a
# passkey enrolled with a one-time link, then a sign-in from the IdP stand-in)
# against the installed programs and pages, and purges the package again.
# Needs root (or sudo). usage: scripts/package-test.sh BUILD_DIR
#   BUILD_DIR: a build of this tree, for the test's own tools (the IdP stand-in,
#   the HTTP test client); the bridge itself is the installed one.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: package-test.sh BUILD_DIR}" && pwd)
SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
start=$(date +%s)
work=$(mktemp -d /tmp/fido-bridge-pkg.XXXXXX)
installed=0
cleanup() {
	if [ $installed = 1 ]; then $SUDO dpkg --purge fido-bridge >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
step() { echo "== package: $* ($(($(date +%s) - start)) s)"; }
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }

step "build (dpkg-buildpackage -b, tests off: CI ran them)"
mkdir "$work/src"
# the tree as git sees it (tracked and new files), without builds or caches
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$root" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -C "$work/src" -xf -
else
	tar -C "$root" --exclude='./build*' --exclude=./.git --exclude=node_modules --exclude=./debian/build -cf - . |
		tar -C "$work/src" -xf -
fi
(cd "$work/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1) ||
	{ tail -40 "$work/build.log"; fail "dpkg-buildpackage"; }
deb=$(ls "$work"/fido-bridge_*.deb)

step "lintian"
lintian --fail-on error,warning --info --tag-display-limit 0 "$work"/fido-bridge_*.changes >"$work/lintian.log" 2>&1 ||
	{ cat "$work/lintian.log"; fail "lintian"; }
cat "$work/lintian.log"

step "dpkg -i"
$SUDO dpkg --purge fido-bridge >/dev/null 2>&1 || true
installed=1
$SUDO dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i"; }

step "what it installed"
for f in /usr/sbin/fido-bridged /usr/sbin/bridgectl; do [ -x "$f" ] || fail "$f missing"; done
for f in /usr/share/fido-bridge/templates/login.html /usr/share/fido-bridge/ldap-schema/fido-bridge.schema \
	/usr/share/fido-bridge/bridge.conf.example /usr/share/man/man8/fido-bridged.8.gz /usr/share/man/man8/bridgectl.8.gz \
	/lib/systemd/system/fido-bridge.service /etc/logrotate.d/fido-bridge /etc/fido-bridge/bridge.conf; do
	[ -s "$f" ] || fail "$f missing"
done
getent passwd fido-bridge >/dev/null || fail "no fido-bridge user"
[ "$(getent passwd fido-bridge | cut -d: -f7)" = /usr/sbin/nologin ] || fail "fido-bridge has a login shell"
for f in /etc/fido-bridge/idp.secret /etc/fido-bridge/state.key; do
	[ "$(stat -c '%U:%G %a' "$f")" = "root:fido-bridge 640" ] || fail "$f is $(stat -c '%U:%G %a' "$f")"
	[ "$(head -1 "$f" | tr -d '\n' | wc -c)" -ge 32 ] || fail "$f is shorter than 32 bytes"
done
[ "$(stat -c '%U:%G' /var/log/fido-bridge)" = "fido-bridge:adm" ] || fail "/var/log/fido-bridge owner"
out=$($SUDO runuser -u fido-bridge -- /usr/sbin/bridgectl config check 2>&1) || { echo "$out"; fail "config check of the packaged config as fido-bridge"; }
echo "$out"
grep -q '^Conffiles:' <(dpkg -s fido-bridge) && dpkg -s fido-bridge | grep -A3 '^Conffiles:' | grep -q /etc/fido-bridge/bridge.conf ||
	fail "/etc/fido-bridge/bridge.conf is not a conffile"
if command -v systemd-analyze >/dev/null; then
	# slapd and memcached are only Wants=: their absence on this machine is no fault of the unit
	if systemd-analyze verify /lib/systemd/system/fido-bridge.service 2>&1 | grep -v 'slapd.service\|memcached.service' | grep .; then
		fail "systemd-analyze verify complains"
	fi
	score=$(systemd-analyze security --offline=yes /lib/systemd/system/fido-bridge.service 2>/dev/null |
		awk '/Overall exposure level/ { print $(NF-2) }')
	echo "systemd-analyze security: exposure $score (docs/operations.md records 1.2)"
	awk -v s="$score" 'BEGIN { exit !(s != "" && s + 0 <= 2.0) }' || fail "the unit's exposure $score is over 2.0"
else
	echo "systemd-analyze: not on this machine, unit not checked"
fi
logrotate -d /etc/logrotate.d/fido-bridge >"$work/logrotate.log" 2>&1 || { cat "$work/logrotate.log"; fail "logrotate -d"; }
grep -qi 'error' "$work/logrotate.log" && { cat "$work/logrotate.log"; fail "logrotate reports an error"; }
/usr/sbin/fido-bridged --version

step "the installed service's own config, user, log and rotation"
# as the unit runs it (without systemd here: runuser, the unit's umask); the packaged
# config names ldapi:/// and 127.0.0.1:11211, which need not answer for this part
if (exec 3<>/dev/tcp/127.0.0.1/8443) 2>/dev/null; then
	echo "port 8443 is taken: skipped"
else
	(umask 0027 && exec $SUDO runuser -u fido-bridge -- /usr/sbin/fido-bridged) >"$work/service.log" 2>&1 &
	spid=$!
	code=000
	for _ in $(seq 1 50); do
		code=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8443/healthz || true)
		[ "$code" != 000 ] && break
		sleep 0.1
	done
	[ "$code" != 000 ] || { cat "$work/service.log"; fail "the installed service did not answer on 8443"; }
	echo "/healthz: $code (200, or 503 without a directory and cache on this host)"
	log=/var/log/fido-bridge/audit.log
	grep -q '"event":"server_started"' "$log" || fail "no server_started in $log"
	[ "$(stat -c '%U %a' "$log")" = "fido-bridge 640" ] || fail "$log is $(stat -c '%U %a' "$log")"
	$SUDO logrotate -f --state "$work/logrotate.state" /etc/logrotate.d/fido-bridge || fail "logrotate -f"
	[ -s "$log.1" ] || fail "logrotate did not rotate $log"
	# postrotate's systemctl kill needs systemd: send its signal by hand
	srv=$(pgrep -u fido-bridge -x fido-bridged | head -1)
	$SUDO kill -HUP "$srv"
	for _ in $(seq 1 50); do grep -q '"event":"audit_log_reopened"' "$log" 2>/dev/null && break; sleep 0.1; done
	grep -q '"event":"audit_log_reopened"' "$log" || fail "after rotation and SIGHUP, no line in the new $log"
	$SUDO kill -TERM "$srv"
	wait "$spid" || true
	grep -q '"event":"server_stopped"' "$log" || fail "no server_stopped in the new $log"
	echo "rotated, reopened on SIGHUP, stopped on SIGTERM"
fi

step "smoke login against the installed programs"
mkdir "$work/bin"
ln -s /usr/sbin/fido-bridged /usr/sbin/bridgectl "$build/fido-demo-idp" "$work/bin/"
STACK_TEMPLATES_DIR=/usr/share/fido-bridge/templates "$root/tests/http/run.sh" --build "$work/bin" -- \
	"$build/tests/http/test_http_flows" enrol_with_link signin_discoverable || fail "smoke login"

step "purge"
$SUDO dpkg --purge fido-bridge >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg --purge"; }
installed=0
[ ! -e /etc/fido-bridge/state.key ] || fail "purge left the state key"
[ ! -e /usr/sbin/fido-bridged ] || fail "purge left fido-bridged"
echo "package-test: OK in $(($(date +%s) - start)) s"
