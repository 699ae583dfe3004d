#!/usr/bin/env bash
# tests/shibboleth/container/run.sh --build BUILD_DIR [CASE...]
#
# The shim in real servlet containers from Debian, against the real bridge:
#   - Tomcat 10.1 (libtomcat10-java) with the jakarta jar build.sh makes for IdP v5, and
#     Tomcat 9 (libtomcat9-java) with the javax jar for IdP v4, both embedded
#     (EmbeddedIdp.java), each with a web application laid out like the IdP's war:
#     WEB-INF/web.xml = tests/shibboleth/fixtures/web.xml (the IdP v5 web.xml's structure,
#     unmodified by any shim step; Tomcat 9 gets it under the javaee namespace), the shim's
#     jar (its web-fragment.xml registers the servlet), the stand-in IdP (its initializer
#     honours web.xml's context parameters, its servlet plays /profile/*), SLF4J;
#   - the stack of tests/stack/start-stack.sh (slapd, two memcached, fido-bridged) through
#     tests/http/run.sh, with the containers' finish URLs among the bridge's return_urls;
#   - the HTTP client of tests/http with a software passkey (test_idp_container).
# Logins run from the IdP-side start to the IdP's resumed flow. CASE names select cases
# (test_idp_container --list). REQUIRE_START_EXTENSIONS=1 makes the cases that wait for the
# bridge to accept principal/sp_name fail instead of skip.
set -u
here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/../../.." && pwd -P)
build=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	*) break ;;
	esac
done
[ -n "$build" ] || { echo "usage: $0 --build BUILD_DIR [CASE...]" >&2; exit 2; }
build=$(cd "$build" && pwd -P)
client=$build/tests/shibboleth/container/test_idp_container
[ -x "$client" ] || { echo "container tests: $client is missing (build it first)" >&2; exit 2; }

J=/usr/share/java
need=()
for f in tomcat10-catalina tomcat10-coyote tomcat10-util tomcat10-util-scan tomcat10-juli tomcat10-api \
	tomcat10-servlet-api tomcat10-jaspic-api tomcat10-annotations-api; do [ -r "$J/$f.jar" ] || need+=(libtomcat10-java); done
for f in tomcat9-catalina tomcat9-coyote tomcat9-util tomcat9-util-scan tomcat9-juli tomcat9-api \
	tomcat9-servlet-api tomcat9-jaspic-api tomcat9-annotations-api; do [ -r "$J/$f.jar" ] || need+=(libtomcat9-java); done
[ -r "$J/slf4j-api.jar" ] && [ -r "$J/slf4j-simple.jar" ] || need+=(libslf4j-java)
[ -r "$J/jakarta-servlet-api.jar" ] || need+=(libjakarta-servlet-api-java)
[ -r "$J/servlet-api.jar" ] || need+=(libservlet-api-java)
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
if [ ${#need[@]} -gt 0 ]; then
	echo "container tests: missing Debian packages: $(printf '%s\n' "${need[@]}" | sort -u | tr '\n' ' ')(scripts/install-deps.sh installs them)" >&2
	exit 1
fi
tc() { local v=$1 cp= f; for f in catalina coyote util util-scan juli api servlet-api jaspic-api annotations-api; do cp=$cp:$J/tomcat$v-$f.jar; done; printf '%s' "${cp#:}"; }

work=$(mktemp -d /tmp/shib-ctr.XXXXXX)
trap 'rm -rf "$work"' EXIT
JC=(javac -J-XX:TieredStopAtLevel=1 -encoding UTF-8 -Xlint:all -Werror)
t0=$SECONDS

# one flavour: jakarta (v5, Tomcat 10.1) or javax (v4, Tomcat 9)
flavour() { # name servlet-api tomcat-version release build.sh-flag web.xml-namespace
	local name=$1 api=$2 tv=$3 rel=$4 flag=$5 d=$work/$1
	mkdir -p "$d/src" "$d/standin" "$d/harness" "$d/webapp/WEB-INF/lib"
	cp -R "$repo/tests/shibboleth/standin/." "$d/src/"
	cp -R "$here/webapp/." "$d/src/"
	if [ "$name" = javax ]; then
		grep -rl 'jakarta\.servlet' "$d/src" | xargs sed -i 's/jakarta\.servlet/javax.servlet/g'
		mv "$d/src/META-INF/services/jakarta.servlet.ServletContainerInitializer" \
			"$d/src/META-INF/services/javax.servlet.ServletContainerInitializer"
	fi
	# the stand-in IdP: its API classes, its initializer and dispatcher, in one jar as in a war
	"${JC[@]}" --release "$rel" -d "$d/standin" -cp "$api" $(find "$d/src" -name '*.java') >"$d/javac.log" 2>&1 ||
		{ cat "$d/javac.log"; return 1; }
	cp -R "$d/src/META-INF" "$d/standin/"
	(cd "$d/standin" && jar cf "$d/webapp/WEB-INF/lib/standin-idp.jar" .) || return 1
	# the shim exactly as an administrator builds it
	(cd "$d" && "$repo/shibboleth-config/build.sh" $flag --classpath "$d/standin:$api:$J/slf4j-api.jar" \
		--out "$d/webapp/WEB-INF/lib/fido-bridge-shim.jar" >/dev/null) || return 1
	cp "$J/slf4j-api.jar" "$J/slf4j-simple.jar" "$d/webapp/WEB-INF/lib/"
	cp "$repo/tests/shibboleth/fixtures/web.xml" "$d/webapp/WEB-INF/web.xml"
	if [ "$name" = javax ]; then
		sed -i -e 's|https://jakarta.ee/xml/ns/jakartaee/web-app_5_0.xsd|http://java.sun.com/xml/ns/javaee/web-app_3_0.xsd|' \
			-e 's|https://jakarta.ee/xml/ns/jakartaee|http://java.sun.com/xml/ns/javaee|g' -e 's|version="5.0"|version="3.0"|' \
			"$d/webapp/WEB-INF/web.xml"
	fi
	# the container
	"${JC[@]}" --release 17 -d "$d/harness" -cp "$(tc "$tv")" "$here/java/fidobridge/testidp/EmbeddedIdp.java" \
		>"$d/javac-h.log" 2>&1 || { cat "$d/javac-h.log"; return 1; }
	printf '%s' "$d/harness:$(tc "$tv")" >"$d/classpath"
}
flavour jakarta "$J/jakarta-servlet-api.jar" 10 17 "" || { echo "not ok - build the jakarta (IdP v5) web application"; exit 1; }
flavour javax "$J/servlet-api.jar" 9 11 --v4 || { echo "not ok - build the javax (IdP v4) web application"; exit 1; }
echo "# web applications built in $((SECONDS - t0)) s"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
p10=$(free_port)
p9=$(free_port)
export STACK_RETURN_URLS="http://localhost:$p10/idp/Authn/fido/finish, http://localhost:$p9/idp/Authn/fido/finish"
"$repo/tests/http/run.sh" --build "$build" -- "$here/with-idps.sh" "$work" "$p10" "$p9" "$client" "$@"
