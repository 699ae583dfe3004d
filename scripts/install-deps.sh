#!/usr/bin/env bash
# Installs the Debian packages the bridge builds, runs and tests with.
# Does nothing when everything is already there; needs root otherwise.
set -euo pipefail

packages=(
	build-essential cmake pkg-config clang libclang-rt-14-dev
	libssl-dev libcbor-dev libjansson-dev libmicrohttpd-dev libmemcached-dev libldap-dev libinih-dev libcurl4-openssl-dev
	slapd ldap-utils memcached libmemcached-tools
	jq valgrind curl python3 fonts-noto-cjk
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
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
