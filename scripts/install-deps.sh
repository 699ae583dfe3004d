#!/usr/bin/env bash
# Installs the Debian packages the bridge builds, runs and tests with.
# Does nothing when everything is already there; needs root otherwise.
set -euo pipefail

packages=(
	build-essential cmake pkg-config clang libclang-rt-14-dev
	libssl-dev libcbor-dev libjansson-dev libmicrohttpd-dev libldap-dev libinih-dev libcurl4-openssl-dev
	slapd ldap-utils memcached libmemcached-tools
	jq valgrind curl python3 fonts-noto-cjk
	# the IdP side (tests/shibboleth): the shim compiled against both servlet APIs and SLF4J,
	# run in embedded Tomcat 10.1 (IdP v5) and Tomcat 9 (IdP v4); the SP's shibd -t, the
	# compose file, XML, the testbed's signature checks (gpg)
	openjdk-17-jdk-headless libjakarta-servlet-api-java libservlet-api-java libslf4j-java
	libtomcat10-java libtomcat9-java
	libxml2-utils shibboleth-sp-utils docker-compose gnupg openssl
	# certificate sign-in (tests/certs): the TLS front that asks for client
	# certificates, and sshd with bridgectl as its AuthorizedKeysCommand
	nginx openssh-server openssh-client
	# the Debian package (scripts/package-test.sh): debhelper builds it, lintian judges it,
	# logrotate -d reads its rotation rule
	debhelper lintian logrotate
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "install-deps: missing packages (${missing[*]}) and not root" >&2
		exit 1
	fi
else
	SUDO=
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# the tests run their own slapd, memcached and shibd -t: installing must not start system services
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod 0755 /usr/sbin/policy-rc.d && made_policy=1
fi
trap '[ $made_policy -eq 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d' EXIT
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
