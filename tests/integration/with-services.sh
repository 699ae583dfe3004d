#!/usr/bin/env bash
# with-services.sh [--slapd] [--memcached N] -- COMMAND...
# Starts private slapd / memcached instances (tests/services/), exports their
# settings, runs COMMAND, and stops them whatever happens.
set -u
here=$(cd "$(dirname "$0")" && pwd)
svc="$here/../services"
slapd=0
mc=0
while [ $# -gt 0 ]; do
	case $1 in
	--slapd) slapd=1; shift ;;
	--memcached) mc=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "with-services: unknown option $1" >&2; exit 2 ;;
	esac
done
tmp=$(mktemp -d /tmp/bridge-test.XXXXXX)
cleanup() {
	[ $mc -gt 0 ] && "$svc/stop-memcached.sh" "$tmp/mc" >/dev/null 2>&1
	[ $slapd -eq 1 ] && "$svc/stop-slapd.sh" "$tmp/ldap" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
if [ $slapd -eq 1 ]; then
	"$svc/start-slapd.sh" "$tmp/ldap" >"$tmp/slapd-start.log" 2>&1 || { cat "$tmp/slapd-start.log" >&2; exit 1; }
	set -a; . "$tmp/ldap/env"; set +a
fi
if [ $mc -gt 0 ]; then
	"$svc/start-memcached.sh" "$tmp/mc" "$mc" >"$tmp/mc-start.log" 2>&1 || { cat "$tmp/mc-start.log" >&2; exit 1; }
	set -a; . "$tmp/mc/env"; set +a
fi
"$@"
