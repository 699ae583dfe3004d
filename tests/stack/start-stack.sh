#!/usr/bin/env bash
# start-stack.sh DIR [BRIDGE_PORT IDP_PORT]
# Starts a complete local stack for the demo and the tests, as unprivileged
# processes on loopback: a private slapd (schema + sample directory), memcached
# (two instances), fido-bridged and the IdP stand-in fido-demo-idp. Writes
# DIR/env (BRIDGE_URL, IDP_URL, ADMIN_URL and ADMIN_PORT (the management
# listener), BRIDGE_CONFIG, BRIDGE_PID, IDP_PID, AUDIT_LOG,
# plus the slapd and memcached variables) and DIR/bridge.conf.
# Stop with stop-stack.sh DIR. Expects the build in $BUILD_DIR (default build/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
svc="$root/tests/services"
build=${BUILD_DIR:-$root/build}
dir=$1
bport=${2:-0}
iport=${3:-0}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# A port below the kernel's ephemeral range (32768-60999 on Debian), free now: a port the
# kernel handed out for bind(0) is also what it hands the next outgoing connection (curl,
# LDAP, memcached of the tests beside this one), which then holds it when the server binds.
free_port() { python3 - <<'PY' 2>/dev/null || shuf -i 20000-32000 -n 1
import random, socket
for _ in range(200):
    p = random.randint(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
PY
}
[ "$bport" = 0 ] && bport=$(free_port)
[ "$iport" = 0 ] && iport=$(free_port)
# the management listener (/metrics, detailed /healthz): loopback, a port of its own
aport=$(free_port)

"$svc/start-slapd.sh" "$dir/ldap" >"$dir/slapd-start.log" 2>&1 || { cat "$dir/slapd-start.log" >&2; exit 1; }
"$svc/start-memcached.sh" "$dir/mc" 2 >"$dir/mc-start.log" 2>&1 || { cat "$dir/mc-start.log" >&2; exit 1; }
set -a
. "$dir/ldap/env"
. "$dir/mc/env"
set +a

umask 077
head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$dir/idp.secret"
head -c 48 /dev/urandom | base64 | tr -d '\n' >"$dir/state.key"
printf '%s\n' "$LDAP_BRIDGE_PW" >"$dir/ldap.password"
umask 022

bridge_url="http://localhost:$bport"
idp_url="http://localhost:$iport"
cat >"$dir/bridge.conf" <<CONF
# written by tests/stack/start-stack.sh: local demo and tests only
[server]
listen_address = 127.0.0.1
listen_port = $bport
public_url = $bridge_url
threads = 2
templates_dir = ${STACK_TEMPLATES_DIR:-$root/templates}
audit_log = $dir/audit.log
state_key_file = $dir/state.key
admin_listen = 127.0.0.1:$aport
header_timeout = ${STACK_HEADER_TIMEOUT:-10s}

[webauthn]
rp_id = localhost
rp_name = Example University (demo)
origins = $bridge_url
user_verification = ${STACK_UV:-preferred}
resident_key = preferred

[idp]
secret_file = $dir/idp.secret
return_urls = $idp_url/finish${STACK_RETURN_URLS:+, $STACK_RETURN_URLS}

[ldap]
uri = $LDAP_URI
bind_dn = $LDAP_BRIDGE_DN
bind_password_file = $dir/ldap.password
user_base = $LDAP_PEOPLE_BASE
timeout_ms = 2000
last_used_interval = 1h

[memcached]
servers = $MEMCACHED_SERVERS
prefix = demo:
replicas = 1

[limits]
per_address = ${STACK_LIMIT_ADDRESS:-600}
per_account = ${STACK_LIMIT_ACCOUNT:-30}

[branding]
organisation = Example University
organisation_ja = 例示大学
helpdesk_name = the IT Service Desk
helpdesk_name_ja = ITサービスデスク
helpdesk_url = $idp_url/helpdesk
helpdesk_text = phone 012-345-6789, weekdays 9:00–17:00
helpdesk_text_ja = 電話 012-345-6789（平日 9:00〜17:00）
privacy_url = https://www.example.edu/privacy
logo_file = $here/branding/logo.svg
css_file = $here/branding/custom.css
CONF
# STACK_TEMPLATES_DIR (above): pages from elsewhere (the installed package's, scripts/package-test.sh).
# STACK_RETURN_URLS (above): more [idp] return_urls, comma-separated (other IdP-side shims).
# STACK_HEADER_TIMEOUT (above): [server] header_timeout (default 10s).
# STACK_EXTRA_CONF: more INI text (sections may repeat) for tests of optional features
[ -z "${STACK_EXTRA_CONF:-}" ] || printf '%b\n' "$STACK_EXTRA_CONF" >>"$dir/bridge.conf"

"$build/bridgectl" config check --config "$dir/bridge.conf" >/dev/null
${STACK_WRAPPER:-} "$build/fido-bridged" --config "$dir/bridge.conf" >"$dir/bridge.log" 2>&1 &
bpid=$!
"$build/fido-demo-idp" --listen 127.0.0.1 --port "$iport" --bridge "$bridge_url" --self "$idp_url" \
	--secret-file "$dir/idp.secret" --memcached "$MEMCACHED_SERVERS" --prefix demo: >"$dir/idp.log" 2>&1 &
ipid=$!

ready=0
for _ in $(seq 1 100); do
	if curl -fsS "http://127.0.0.1:$aport/healthz" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$iport/" >/dev/null 2>&1; then
		ready=1
		break
	fi
	kill -0 "$bpid" 2>/dev/null || break
	sleep 0.1
done
if [ $ready -ne 1 ]; then
	echo "start-stack: the bridge or the IdP stand-in did not come up" >&2
	cat "$dir/bridge.log" "$dir/idp.log" >&2
	kill "$bpid" "$ipid" 2>/dev/null || true
	exit 1
fi
cat >"$dir/env" <<ENV
BRIDGE_URL='$bridge_url'
IDP_URL='$idp_url'
BRIDGE_PORT='$bport'
ADMIN_URL='http://127.0.0.1:$aport'
ADMIN_PORT='$aport'
IDP_PORT='$iport'
BRIDGE_CONFIG='$dir/bridge.conf'
BRIDGE_PID='$bpid'
IDP_PID='$ipid'
AUDIT_LOG='$dir/audit.log'
STACK_DIR='$dir'
ENV
cat "$dir/ldap/env" "$dir/mc/env" >>"$dir/env"
