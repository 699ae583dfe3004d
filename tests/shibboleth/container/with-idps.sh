#!/usr/bin/env bash
# with-idps.sh WORK PORT10 PORT9 CLIENT [CASE...]   (run by tests/http/run.sh, stack env set)
#
# Starts the two embedded containers that run.sh prepared under WORK (jakarta/ on Tomcat
# 10.1 at PORT10, javax/ on Tomcat 9 at PORT9), each with an IdP home whose
# fido-bridge.properties points at this stack's bridge, memcached and handoff secret; runs
# CLIENT against each (all cases on Tomcat 10.1, the javax group on Tomcat 9); stops them.
set -u
work=$1
p10=$2
p9=$3
client=$4
shift 4
repo=$(cd "$(dirname "$0")/../../.." && pwd -P)
pids=()
stop() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
}
trap stop EXIT

start_idp() { # flavour port
	local f=$1 port=$2 home=$work/$1/idp-home
	mkdir -p "$home/conf/authn" "$work/$f/tomcat"
	cat >"$home/conf/authn/fido-bridge.properties" <<PROPS
fido.bridge.url = $BRIDGE_URL
fido.bridge.returnUrl = http://localhost:$port/idp/Authn/fido/finish
fido.bridge.secretFile = $STACK_DIR/idp.secret
fido.memcached.servers = $MEMCACHED_SERVERS
fido.memcached.prefix = $(sed -n 's/^prefix *= *//p' "$BRIDGE_CONFIG" | head -n 1)
fido.memcached.timeoutMs = 2000
PROPS
	java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m -Djava.awt.headless=true \
		-Didp.home="$home" \
		-Dfido.test.messageMap="$repo/shibboleth-config/conf/authn/external-authn-config.xml" \
		-Dfido.test.weightMap="$repo/shibboleth-config/conf/authn/principal-weight-map.xml" \
		-Dorg.slf4j.simpleLogger.showDateTime=true \
		-cp "$(cat "$work/$f/classpath")" fidobridge.testidp.EmbeddedIdp "$port" "$work/$f/webapp" "$work/$f/tomcat" \
		>"$work/$f/container.log" 2>&1 &
	pids+=($!)
}
start_idp jakarta "$p10"
start_idp javax "$p9"
for f in jakarta javax; do
	for _ in $(seq 1 300); do
		grep -q 'embedded-idp: ready' "$work/$f/container.log" && break
		kill -0 "${pids[0]}" 2>/dev/null && kill -0 "${pids[1]}" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q 'embedded-idp: ready' "$work/$f/container.log"; then
		echo "not ok - the $f container did not start"
		tail -n 40 "$work/$f/container.log" | sed 's/^/# /'
		exit 1
	fi
	echo "# $(grep 'embedded-idp: ready' "$work/$f/container.log")"
done

status=0
IDP_CONTAINER="http://localhost:$p10/idp" IDP_CONTAINER_LOG="$work/jakarta/container.log" \
	IDP_CONTAINER_NAME="Tomcat 10.1, jakarta shim (IdP v5)" "$client" "$@" || status=1
if [ $# -eq 0 ]; then
	IDP_CONTAINER="http://localhost:$p9/idp" IDP_CONTAINER_LOG="$work/javax/container.log" \
		IDP_CONTAINER_NAME="Tomcat 9, javax shim (IdP v4)" "$client" --group javax || status=1
fi
if [ $status -ne 0 ]; then
	for f in jakarta javax; do
		echo "# ----- $f container log (last 40 lines) -----"
		tail -n 40 "$work/$f/container.log" | sed 's/^/# /'
	done
fi
exit $status
