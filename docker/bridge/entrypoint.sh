#!/bin/sh
# Testbed entrypoint of the bridge container (runs as root, then drops to fido-bridge):
#  - creates the HMAC secret shared with the IdP in the "handoff" volume on first start
#    (32+ random bytes as base64url, one line; group fidosecret may read it);
#  - writes the demo LDAP password of the bridge's service account;
#  - waits for the testbed client CA ([certificate] trust_anchors_file), which the front
#    makes on its first start (docker/front/make-certs.sh, volume "tls");
#  - checks the configuration, then runs the command as user fido-bridge.
set -eu

dir=/run/fido-bridge/handoff
secret=$dir/idp.secret
mkdir -p "$dir"
if [ ! -s "$secret" ]; then
	umask 077
	openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n' >"$secret.tmp"
	echo >>"$secret.tmp"
	mv "$secret.tmp" "$secret"
	echo "testbed: new handoff secret in $secret"
fi
chown root:fidosecret "$dir" "$secret"
chmod 0750 "$dir"
chmod 0640 "$secret"

# The state key, known only to the bridge nodes (one node here): seals what it keeps in memcached.
state=/etc/fido-bridge/state/state.key
mkdir -p /etc/fido-bridge/state
if [ ! -s "$state" ]; then
	umask 077
	openssl rand -base64 48 >"$state"
	echo "testbed: new state key in $state"
fi
chown -R fido-bridge /etc/fido-bridge/state
chmod 0700 /etc/fido-bridge/state
chmod 0600 "$state"

# Demo password of cn=fido-bridge,ou=services,dc=example,dc=edu (ldap-schema/README.md).
umask 027
printf '%s\n' 'bridge-demo-secret' >/etc/fido-bridge/ldap.password
chown root:fidosecret /etc/fido-bridge/ldap.password

anchors=$(sed -n 's/^trust_anchors_file = //p' /etc/fido-bridge/bridge.conf)
if [ -n "$anchors" ] && [ ! -s "$anchors" ]; then
	echo "testbed: waiting for $anchors (made by the front on its first start)"
	for i in $(seq 1 60); do
		[ -s "$anchors" ] && break
		sleep 2
	done
fi

if [ "${1:-}" = "fido-bridged" ]; then
	bridgectl config check --config /etc/fido-bridge/bridge.conf
	# bob's one-time link, made now (no valid code is ever published): once the directory answers
	(
		for i in $(seq 1 30); do
			if link=$(runuser -u fido-bridge -- bridgectl enroll bob --ttl 1d --config /etc/fido-bridge/bridge.conf 2>/dev/null); then
				echo "testbed: enrolment link for bob: $link"
				exit 0
			fi
			sleep 2
		done
		echo "testbed: could not make bob's enrolment link (is the directory up?)"
	) &
fi
exec runuser -u fido-bridge -- "$@"
