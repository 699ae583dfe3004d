#!/usr/bin/env bash
# tests/shibboleth/run.sh [--no-install] [--bridgectl PATH] [--keep]
#
# Checks the IdP side (shibboleth-config/) and the federation testbed (docker-compose.yml,
# docker/) on a machine without Docker:
#
#   java      compile the shim (jakarta.servlet, IdP v5) with the stand-in IdP API in
#             tests/shibboleth/standin, and the javax.servlet (IdP v4) variant; build.sh
#             for both (each jar with its web-fragment.xml); run the Java tests against two
#             real memcached servers (SLF4J bound to java.util.logging)
#   vectors   recompute the handoff known-answer signatures with OpenSSL
#   xml       every *.xml under shibboleth-config/, docker/, tests/shibboleth/ is well-formed
#   sp        shibd -t loads docker/sp/shibboleth2.xml with the SP's own schemas (and a
#             deliberately broken copy is refused, so the check can fail)
#   compose   docker-compose config -q
#   scripts   apply-properties.sh, apply-weight-map.sh, make-certs.sh, docker/ldap/build-db.sh
#             (+ a throw-away slapd answering the IdP's searches), shell syntax
#   front     nginx -t (Debian's nginx, a temp prefix, make-certs.sh's files) accepts
#             docker/front/nginx.conf; the certificate host matches the bridge's [certificate]
#   testbed   the IdP Dockerfile against IdP v5's rules (check-testbed.sh; the Dockerfile
#             before the v5 fixes must fail every rule), verify-dist.sh with throw-away keys,
#             the pinned signing keys
#   bridge    the testbed bridge.conf passes "bridgectl config check" (when bridgectl is
#             found: --bridgectl, $BRIDGECTL, or build/bridgectl)
#
# Missing Debian packages are installed with apt-get (as root or through sudo) unless
# --no-install is given. Exits non-zero when any check fails; cleans up after itself
# (--keep leaves the work directory).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
install=1
keep=0
bridgectl=${BRIDGECTL:-}
while [ $# -gt 0 ]; do
	case $1 in
	--no-install) install=0; shift ;;
	--bridgectl) bridgectl=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	*) echo "usage: $0 [--no-install] [--bridgectl PATH] [--keep]" >&2; exit 2 ;;
	esac
done
[ -n "$bridgectl" ] || { [ -x "$repo/build/bridgectl" ] && bridgectl=$repo/build/bridgectl; }

work=$(mktemp -d /tmp/shib-tests.XXXXXX)
# short-lived JVMs: start fast (C1 only)
JFAST=(-J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC)
slapd_pid=
policy_rc_made=0
cleanup() {
	[ -r "$work/mc/env" ] && "$repo/tests/services/stop-memcached.sh" "$work/mc" >/dev/null 2>&1
	if [ -n "$slapd_pid" ] && kill -0 "$slapd_pid" 2>/dev/null; then
		kill "$slapd_pid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$slapd_pid" 2>/dev/null || break; sleep 0.2; done
		kill -9 "$slapd_pid" 2>/dev/null
	fi
	[ $policy_rc_made -eq 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d
	if [ $keep -eq 1 ]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
SUDO=
trap cleanup EXIT
trap 'exit 130' INT TERM

pass=0
fail=0
failed=()
ok() { pass=$((pass + 1)); printf 'PASS %s\n' "$*"; }
ko() { fail=$((fail + 1)); failed+=("$*"); printf 'FAIL %s\n' "$*"; }
skip() { printf 'SKIP %s\n' "$*"; }
section() { printf '\n== %s (at %ds)\n' "$*" "$SECONDS"; }

# ----------------------------------------------------------------------------- packages
section "packages"
JAKARTA_API=/usr/share/java/jakarta-servlet-api.jar
JAVAX_API=/usr/share/java/servlet-api.jar
SLF4J_API=/usr/share/java/slf4j-api.jar
SLF4J_JUL=/usr/share/java/slf4j-jdk14.jar
need=()
[ -r "$JAKARTA_API" ] || need+=(libjakarta-servlet-api-java)
[ -r "$JAVAX_API" ] || need+=(libservlet-api-java)
[ -r "$SLF4J_API" ] && [ -r "$SLF4J_JUL" ] || need+=(libslf4j-java)
command -v gpg >/dev/null || need+=(gnupg)
command -v javac >/dev/null && command -v jar >/dev/null || need+=(openjdk-17-jdk-headless)
command -v xmllint >/dev/null || need+=(libxml2-utils)
command -v shibd >/dev/null || need+=(shibboleth-sp-utils)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v memcached >/dev/null || need+=(memcached)
command -v openssl >/dev/null || need+=(openssl)
command -v slapadd >/dev/null || need+=(slapd)
command -v ldapsearch >/dev/null || need+=(ldap-utils)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
	if [ $install -eq 0 ]; then
		ko "missing packages (--no-install): ${need[*]}"
		exit 1
	fi
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { ko "missing packages ${need[*]} and not root"; exit 1; }
		SUDO=sudo
	fi
	echo "installing ${need[*]}"
	# Installing must not start system services (shibd, slapd) on this machine.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod 0755 /usr/sbin/policy-rc.d
		policy_rc_made=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >"$work/apt.log" 2>&1; }; then
		tail -20 "$work/apt.log"
		ko "apt-get install ${need[*]}"
		exit 1
	fi
	if [ $policy_rc_made -eq 1 ]; then $SUDO rm -f /usr/sbin/policy-rc.d; policy_rc_made=0; fi
fi
ok "tools: javac, jar, xmllint, shibd, docker-compose, memcached, openssl, slapd, ldap-utils, nginx, gpg, slf4j present"

# ----------------------------------------------------------------------------- java
section "java: compile"
src=$repo/shibboleth-config/src/main/java
mapfile -t main_src < <(find "$src" -name '*.java' | sort)
mapfile -t standin_src < <(find "$here/standin" -name '*.java' | sort)
mapfile -t test_src < <(find "$here/java" -name '*.java' | sort)
mkdir -p "$work/classes"
if javac "${JFAST[@]}" -encoding UTF-8 --release 17 -Xlint:all -Werror -d "$work/classes" -cp "$JAKARTA_API:$SLF4J_API" \
	"${standin_src[@]}" "${main_src[@]}" "${test_src[@]}" >"$work/javac.log" 2>&1; then
	ok "jakarta.servlet (IdP v5) shim + stand-in + tests compile with -Xlint:all -Werror (${#main_src[@]} shim sources)"
else
	cat "$work/javac.log"
	ko "jakarta.servlet (IdP v5) compile"
fi

# IdP v4: the same sources with javax.servlet (the sed build.sh --v4 applies), against
# Debian's javax servlet API and a javax copy of the stand-in.
mkdir -p "$work/v4/src" "$work/v4/standin" "$work/v4/classes"
cp -R "$src/." "$work/v4/src/"
cp -R "$here/standin/." "$work/v4/standin/"
sed -i 's/jakarta\.servlet/javax.servlet/g' "$work/v4/src/fidobridge/idp/servlet/FidoBridgeServlet.java" \
	"$work/v4/standin/net/shibboleth/idp/authn/ExternalAuthentication.java"
if grep -rq '^import jakarta' "$work/v4/src" "$work/v4/standin"; then
	ko "javax variant still mentions jakarta"
elif javac "${JFAST[@]}" -encoding UTF-8 --release 11 -Xlint:all -Werror -d "$work/v4/classes" -cp "$JAVAX_API:$SLF4J_API" \
	$(find "$work/v4/standin" "$work/v4/src" -name '*.java') >"$work/javac4.log" 2>&1; then
	ok "javax.servlet (IdP v4) variant compiles (release 11)"
else
	cat "$work/javac4.log"
	ko "javax.servlet (IdP v4) compile"
fi

# build.sh, both flavours, against the stand-in classes compiled above (the v5 ones as
# Java 17 class files, like the IdP v5 jars; the v4 ones as Java 11); the real IdP jars
# in production.
jar_has() { jar tf "$1" | grep -q "$2"; }
fragment_ns() { # jar -> namespace of its META-INF/web-fragment.xml (empty when absent or malformed)
	rm -rf "$work/frag" && mkdir -p "$work/frag" && (cd "$work/frag" && jar xf "$1" META-INF/web-fragment.xml) &&
		xmllint --noout "$work/frag/META-INF/web-fragment.xml" 2>/dev/null &&
		[ "$(xmllint --xpath 'string(//*[local-name()="servlet-class"])' "$work/frag/META-INF/web-fragment.xml")" = fidobridge.idp.servlet.FidoBridgeServlet ] &&
		[ "$(xmllint --xpath 'string(//*[local-name()="url-pattern"])' "$work/frag/META-INF/web-fragment.xml")" = "/Authn/fido/*" ] &&
		xmllint --xpath 'namespace-uri(/*)' "$work/frag/META-INF/web-fragment.xml"
}
if (cd "$work" && "$repo/shibboleth-config/build.sh" --classpath "$work/classes:$JAKARTA_API:$SLF4J_API" --out "$work/shim5.jar" >/dev/null &&
	"$repo/shibboleth-config/build.sh" --v4 --classpath "$work/v4/classes:$JAVAX_API:$SLF4J_API" --out "$work/shim4.jar" >/dev/null) &&
	jar_has "$work/shim5.jar" 'fidobridge/idp/servlet/FidoBridgeServlet.class' &&
	! jar_has "$work/shim5.jar" 'net/shibboleth' && ! jar_has "$work/shim4.jar" 'net/shibboleth' &&
	! jar_has "$work/shim5.jar" 'org/opensaml' && ! jar_has "$work/shim4.jar" 'org/slf4j' &&
	mkdir -p "$work/m4" && (cd "$work/m4" && jar xf "$work/shim4.jar" META-INF/MANIFEST.MF) &&
	grep -q 'IdP v4' "$work/m4/META-INF/MANIFEST.MF"; then
	ok "build.sh makes the v5 and the v4 jar (shim classes only, no stand-in or IdP classes inside)"
else
	ko "build.sh"
fi
ns5=$(fragment_ns "$work/shim5.jar")
ns4=$(fragment_ns "$work/shim4.jar")
if [ "$ns5" = "https://jakarta.ee/xml/ns/jakartaee" ] && [ "$ns4" = "http://java.sun.com/xml/ns/javaee" ] &&
	[ "$(xmllint --xpath 'string(/*/@version)' "$work/frag/META-INF/web-fragment.xml")" = 3.0 ]; then
	ok "each jar registers the servlet itself: META-INF/web-fragment.xml, /Authn/fido/* (v5: jakartaee, v4: javaee 3.0)"
else
	ko "web-fragment.xml in the jars: v5 '$ns5', v4 '$ns4'"
fi

section "java: tests (real memcached x2)"
if "$repo/tests/services/start-memcached.sh" "$work/mc" 2 >"$work/mc.log" 2>&1; then
	MEMCACHED_SERVERS=$(. "$work/mc/env" && printf '%s' "$MEMCACHED_SERVERS")
	if java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$work/classes:$JAKARTA_API:$SLF4J_API:$SLF4J_JUL" fidobridge.idp.RunTests "$repo" "$work/java" "$MEMCACHED_SERVERS" \
		>"$work/java.log" 2>&1; then
		grep -E '^(ok|FAIL|==|     )' "$work/java.log"
		ok "Java tests: $(tail -1 "$work/java.log")"
	else
		cat "$work/java.log"
		ko "Java tests: $(tail -1 "$work/java.log")"
	fi
	"$repo/tests/services/stop-memcached.sh" "$work/mc" >/dev/null 2>&1
else
	cat "$work/mc.log"
	ko "start memcached"
fi

# ----------------------------------------------------------------------------- vectors
section "vectors: known answers recomputed with OpenSSL"
jt=$here/java/fidobridge/idp/HandoffTests.java
const() { sed -n "s/.*static final String $1 = \"\\([^\"]*\\)\";.*/\\1/p" "$jt"; }
b64u() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
SECRET=$(const SECRET)
STATE=$(const STATE)
TICKET=$(const TICKET)
RET=$(const RETURN)
vec() { # name expected message
	local got
	got=$(printf '%s' "$3" | openssl dgst -sha256 -hmac "$SECRET" -binary | b64u)
	if [ -n "$2" ] && [ "$got" = "$2" ]; then ok "$1 = $got"; else ko "$1: OpenSSL $got, test expects '$2'"; fi
}
nl=$'\n'
SL="fido-bridge start v2"
TL="fido-bridge ticket v2"
vec "start 1 sig" "$(const START1_SIG)" "$SL${nl}e1s2${nl}$STATE${nl}$RET${nl}https://sp.example.org/shibboleth${nl}0${nl}0${nl}1767225600"
vec "start 2 sig" "$(const START2_SIG)" "$SL${nl}e3s1${nl}$STATE${nl}$RET${nl}https://sp.example.org/ポータル?a=b&c=d e+f${nl}1${nl}0${nl}1767225601"
vec "start 3 sig (principal, sp_name)" "$(const START3_SIG)" "$SL${nl}e1s2${nl}$STATE${nl}$RET${nl}https://sp.example.org/shibboleth${nl}0${nl}0${nl}1767225600${nl}principal=alice${nl}sp_name=ムードル (Moodle)"
vec "start 4 sig (sp_name)" "$(const START4_SIG)" "$SL${nl}e1s2${nl}$STATE${nl}$RET${nl}https://sp.example.org/shibboleth${nl}0${nl}0${nl}1767225600${nl}sp_name=Moodle"
rec_m() { # principal mfa -> the v2 message of HandoffTests' record (section 3)
	printf '%s' "$TL${nl}ticket=$TICKET${nl}principal=$1${nl}conversation=e1s2${nl}state=$STATE${nl}entity=https://sp.example.org/shibboleth${nl}auth_instant=1767225600${nl}expires=1767225660${nl}uv=1${nl}be=0${nl}bs=0${nl}mfa=$2${nl}credential_id=AAAA${nl}aaguid=00000000-0000-0000-0000-000000000000"
}
vec "record 1 mac" "$(const REC1_MAC)" "$(rec_m alice 1)"
vec "record 2 mac" "$(const REC2_MAC)" "$(rec_m dürer 0)"
# the vector the bridge's C tests and the Java tests share, from the document's layout
ka=$repo/tests/handoff/known-answers-v2.txt
kv() { sed -n "s/^$1=//p" "$ka"; }
java_secret=$SECRET
SECRET=$(kv secret)
m="$TL"
for f in ticket principal conversation state entity auth_instant expires uv be bs mfa credential_id aaguid; do
	m="$m${nl}$f=$(kv $f)"
done
vec "known-answers-v2 ticket_mac" "$(kv ticket_mac)" "$m"
sm="$SL${nl}$(kv conversation)${nl}$(kv state)${nl}$(kv return)${nl}$(kv entity)${nl}0${nl}0${nl}$(kv auth_instant)"
vec "known-answers-v2 start_sig" "$(kv start_sig)" "$sm"
vec "known-answers-v2 start_p_sig" "$(kv start_p_sig)" "$sm${nl}principal=$(kv principal)"
SECRET=$java_secret

# ----------------------------------------------------------------------------- xml
section "xml: well-formed"
mapfile -t xmls < <(cd "$repo" && find shibboleth-config docker tests/shibboleth -name '*.xml' -o -name '*.xml.in' | sort)
bad=0
for f in "${xmls[@]}"; do
	if ! xmllint --noout "$repo/$f" 2>"$work/xmllint.err"; then
		cat "$work/xmllint.err"
		bad=$((bad + 1))
	fi
done
if [ $bad -eq 0 ] && [ ${#xmls[@]} -gt 0 ]; then ok "${#xmls[@]} XML files well-formed: ${xmls[*]}"; else ko "$bad of ${#xmls[@]} XML files malformed"; fi

# ----------------------------------------------------------------------------- sp
section "sp: shibd -t with the SP's own schemas"
# SHIBSP_CFGDIR is a prefix: the SP resolves relative paths in $SHIBSP_CFGDIR/shibboleth/
cfg=$work/sp/etc/shibboleth
mkdir -p "$cfg/metadata" "$work/sp/cache" "$work/sp/run" "$work/sp/log"
cp "$repo/docker/sp/shibboleth2.xml" "$repo/docker/sp/attribute-map.xml" "$cfg/"
# the files the SP image takes from the package (shibboleth-sp-common) unchanged
for f in attribute-policy.xml security-policy.xml protocols.xml console.logger; do cp "/etc/shibboleth/$f" "$cfg/"; done
# the SP's key pair, as docker/sp/entrypoint.sh makes it (shib-keygen -n sp)
shib-keygen -b -u "" -g "" -o "$cfg" -h sp.example.test -y 1 -e https://sp.example.test/shibboleth -n sp >"$work/sp/keygen.log" 2>&1 ||
	ko "shib-keygen (docker/sp/entrypoint.sh)"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=idp.example.test" \
	-keyout "$work/sp/idp.key" -out "$work/sp/idp.crt" >/dev/null 2>&1
cert=$(sed '/-----/d' "$work/sp/idp.crt" | tr -d '\n')
sed "s|@CERT@|$cert|" "$here/fixtures/idp-metadata.xml.in" >"$cfg/metadata/idp-metadata.xml"
shibd_t() { # config dir (.../shibboleth) -> output in $work/sp/out; success = loadable, no ERROR/CRIT/FATAL
	SHIBSP_CFGDIR=$(dirname "$1") SHIBSP_LOGGING=$1/console.logger SHIBSP_CACHEDIR=$work/sp/cache \
		SHIBSP_RUNDIR=$work/sp/run SHIBSP_LOGDIR=$work/sp/log SHIBSP_CONFIG=$1/shibboleth2.xml \
		timeout 60 shibd -t -c "$1/shibboleth2.xml" >"$work/sp/out" 2>&1
	local rc=$?
	[ $rc -eq 0 ] && grep -q 'overall configuration is loadable' "$work/sp/out" &&
		! grep -Eq ' (ERROR|CRIT|FATAL) ' "$work/sp/out"
}
if shibd_t "$cfg"; then
	ok "shibd -t: docker/sp/shibboleth2.xml + attribute-map.xml load cleanly ($(grep -c ' WARN ' "$work/sp/out") warnings)"
	grep ' WARN ' "$work/sp/out" | sed 's/^/     /'
else
	cat "$work/sp/out"
	ko "shibd -t on docker/sp/shibboleth2.xml"
fi
# The check must be able to fail: an attribute map element the schema does not know.
mkdir -p "$work/sp/broken"
cp -R "$cfg" "$work/sp/broken/shibboleth"
sed -i 's|<Attribute name="urn:oid:0.9.2342.19200300.100.1.1" id="uid"/>|<Attribute name="urn:oid:0.9.2342.19200300.100.1.1" id="uid"/><Bogus/>|' \
	"$work/sp/broken/shibboleth/attribute-map.xml"
if shibd_t "$work/sp/broken/shibboleth"; then ko "shibd -t accepted a schema-invalid attribute-map.xml"; else ok "shibd -t refuses a schema-invalid attribute map (the check has teeth)"; fi
# The entrypoint's metadata command produces SP metadata
if shib-metagen -2 -c "$cfg/sp-cert.pem" -h sp.example.test \
	-e https://sp.example.test/shibboleth >"$work/sp/sp-metadata.xml" 2>/dev/null &&
	xmllint --noout "$work/sp/sp-metadata.xml" &&
	grep -q 'https://sp.example.test/Shibboleth.sso/SAML2/POST' "$work/sp/sp-metadata.xml"; then
	ok "shib-metagen (docker/sp/entrypoint.sh) yields SP metadata with https://sp.example.test endpoints"
else
	ko "shib-metagen SP metadata"
fi

# ----------------------------------------------------------------------------- compose
section "compose"
if (cd "$repo" && docker-compose -f docker-compose.yml config -q) 2>"$work/compose.err"; then
	ok "docker-compose config -q: docker-compose.yml is valid"
else
	cat "$work/compose.err"
	ko "docker-compose config"
fi
# the bridge believes X-Forwarded-For from the front's fixed address, and from nothing else
front_ip=$(awk '/^  front:/ { f = 1 } f && /ipv4_address:/ { print $2; exit }' "$repo/docker-compose.yml")
trusted=$(sed -n 's/^trusted_proxies = //p' "$repo/docker/bridge/bridge.conf")
if [ -n "$front_ip" ] && [ "$trusted" = "$front_ip" ]; then
	ok "the testbed bridge trusts X-Forwarded-For from the nginx front ($front_ip) only"
else
	ko "docker/bridge/bridge.conf trusted_proxies ($trusted) is not the front's address ($front_ip)"
fi
nodf=0
for d in $(cd "$repo" && grep -E '^ +dockerfile:' docker-compose.yml | awk '{print $2}'); do
	[ -f "$repo/$d" ] || { echo "     missing $d"; nodf=$((nodf + 1)); }
done
[ -f "$repo/docker/memcached/Dockerfile" ] || nodf=$((nodf + 1))
[ $nodf -eq 0 ] && ok "every Dockerfile the compose file names exists" || ko "$nodf Dockerfiles missing"
# every COPY source in the Dockerfiles exists (build context: repository root)
missing=0
for df in "$repo"/docker/*/Dockerfile; do
	ctx=$repo
	[ "$df" = "$repo/docker/memcached/Dockerfile" ] && ctx=$repo/docker/memcached
	while read -r srcs; do
		for s in $srcs; do
			[ -e "$ctx/$s" ] || { echo "     $df: COPY source $s missing"; missing=$((missing + 1)); }
		done
	done < <(grep -E '^COPY ' "$df" | grep -v -- '--from=' | sed -E 's/^COPY +//; s/ +[^ ]+$//')
done
[ $missing -eq 0 ] && ok "every COPY source of docker/*/Dockerfile exists" || ko "$missing COPY sources missing"

# ----------------------------------------------------------------------------- scripts
section "scripts"
syntax=0
for f in "$repo"/shibboleth-config/bin/*.sh "$repo"/shibboleth-config/build.sh "$repo"/docker/*/*.sh; do
	sh -n "$f" || { echo "     $f"; syntax=$((syntax + 1)); }
done
bash -n "$0" || syntax=$((syntax + 1))
[ $syntax -eq 0 ] && ok "shell syntax (sh -n) of every script" || ko "$syntax scripts with syntax errors"

# apply-properties.sh: keys end up defined once, with our values; running twice changes nothing
home=$work/props-home
mkdir -p "$home/conf/authn" "$home/credentials"
cp "$here/fixtures/authn.properties" "$home/conf/authn/authn.properties"
printf 'idp.authn.flows= Password\n' >"$home/conf/idp.properties"
S=$repo/shibboleth-config
ap() { "$S/bin/apply-properties.sh" "$home" "$S/conf/authn/authn.properties" conf/authn/authn.properties >/dev/null &&
	"$S/bin/apply-properties.sh" "$home" "$S/conf/authn/authn-mfa.properties" conf/authn/authn.properties >/dev/null; }
if ap && cp "$home/conf/authn/authn.properties" "$work/props.1" && ap && cmp -s "$work/props.1" "$home/conf/authn/authn.properties"; then
	cat >"$work/Props.java" <<'JAVA'
import java.io.*;
import java.util.*;
public class Props {
    public static void main(String[] a) throws Exception {
        Map<String, String> seen = new HashMap<>();
        int dups = 0;
        for (String f : a) {
            Properties p = new Properties();
            try (Reader r = new FileReader(f)) { p.load(r); }
            for (String k : p.stringPropertyNames()) {
                if (seen.put(k, p.getProperty(k)) != null) { System.out.println("defined twice: " + k); dups++; }
            }
        }
        String[][] want = {
            {"idp.authn.flows", "MFA"},
            {"idp.authn.External.externalAuthnPath", "contextRelative:Authn/fido/start"},
            {"idp.authn.External.addDefaultPrincipals", "false"},
            {"idp.authn.External.supportedPrincipals", "saml2/urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport, saml2/https://refeds.org/profile/mfa"},
            {"idp.authn.Password.order", "1000"},
        };
        for (String[] w : want) {
            if (!w[1].equals(seen.get(w[0]))) { System.out.println(w[0] + " = " + seen.get(w[0])); dups++; }
        }
        if (seen.keySet().stream().anyMatch(k -> k.startsWith("saml2/"))) { System.out.println("continuation line became a key"); dups++; }
        System.exit(dups == 0 ? 0 : 1);
    }
}
JAVA
	if java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "$work/Props.java" "$home/conf/authn/authn.properties" "$home/conf/idp.properties" >"$work/props.out" 2>&1 &&
		[ -f "$home/conf/authn/authn.properties.fido-bridge.bak" ]; then
		ok "apply-properties.sh: each key defined once with our value, continuations handled, idempotent, backup kept"
	else
		cat "$work/props.out"
		ko "apply-properties.sh result"
	fi
else
	ko "apply-properties.sh not idempotent or failed"
fi

# apply-weight-map.sh: the active map replaced in a v5-shaped authn-comparison.xml, an example
# inside a comment and the other beans left alone, idempotent, backup kept; v4's file name too
wm=$work/wm-home
mkdir -p "$wm/conf/authn"
cp "$here/fixtures/authn-comparison.xml" "$wm/conf/authn/authn-comparison.xml"
wmx() { xmllint --xpath "$1" "$wm/conf/authn/authn-comparison.xml" 2>/dev/null; }
map='//*[local-name()="map"][@id="shibboleth.AuthenticationPrincipalWeightMap"]'
if "$S/bin/apply-weight-map.sh" "$wm" >/dev/null && cp "$wm/conf/authn/authn-comparison.xml" "$work/wm.1" &&
	"$S/bin/apply-weight-map.sh" "$wm" >/dev/null && cmp -s "$work/wm.1" "$wm/conf/authn/authn-comparison.xml" &&
	[ "$(wmx "count($map)")" = 1 ] &&
	[ "$(wmx "string($map/*[local-name()=\"entry\"][*[local-name()=\"key\"]/*/@*[local-name()=\"classRef\"]=\"https://refeds.org/profile/mfa\"]/*[local-name()=\"value\"])")" = 2 ] &&
	[ "$(wmx 'count(//*[local-name()="list"][@id="shibboleth.IgnoredContexts"])')" = 1 ] &&
	[ "$(wmx 'count(//*[local-name()="map"][@id="shibboleth.PrincipalProxyRequestMappings"])')" = 1 ] &&
	grep -q 'an example kept by an administrator' "$wm/conf/authn/authn-comparison.xml" &&
	grep -q 'c:classRef="urn:x"' "$wm/conf/authn/authn-comparison.xml" &&
	cmp -s "$here/fixtures/authn-comparison.xml" "$wm/conf/authn/authn-comparison.xml.fido-bridge.bak" &&
	rm -f "$wm/conf/authn/authn-comparison.xml"* &&
	printf '<?xml version="1.0"?>\n<beans xmlns="http://www.springframework.org/schema/beans" xmlns:util="http://www.springframework.org/schema/util" xmlns:c="http://www.springframework.org/schema/c">\n</beans>\n' >"$wm/conf/authn/general-authn.xml" &&
	"$S/bin/apply-weight-map.sh" "$wm" >/dev/null &&
	[ "$(xmllint --xpath "count($map)" "$wm/conf/authn/general-authn.xml")" = 1 ]; then
	ok "apply-weight-map.sh: the weight map replaced (v5 authn-comparison.xml) or added (v4 general-authn.xml), rest untouched, idempotent, backup kept"
else
	ko "apply-weight-map.sh"
fi

# make-certs.sh: CA-signed certificate for the four names, CA limited to example.test;
# the client CA's certificates for alice and bob, for client authentication only
certs_ok() {
	sh "$repo/docker/front/make-certs.sh" "$work/tls" >/dev/null || return 1
	local n
	for n in idp.example.test sp.example.test login.example.test cert.login.example.test; do
		openssl verify -CAfile "$work/tls/ca.crt" -verify_hostname "$n" "$work/tls/server.crt" >/dev/null || return 1
	done
	openssl verify -CAfile "$work/tls/ca.crt" -verify_hostname www.example.com "$work/tls/server.crt" >/dev/null 2>&1 && return 1
	openssl x509 -in "$work/tls/ca.crt" -noout -ext nameConstraints | grep -q 'DNS:example.test' || return 1
	[ ! -e "$work/tls/ca.key" ] && [ ! -e "$work/tls/client-ca.key" ] || return 1
	for n in alice bob; do
		openssl verify -CAfile "$work/tls/client-ca.crt" -purpose sslclient "$work/tls/clients/$n.crt" >/dev/null || return 1
		openssl verify -CAfile "$work/tls/client-ca.crt" -purpose sslserver "$work/tls/clients/$n.crt" >/dev/null 2>&1 && return 1
		openssl pkcs12 -in "$work/tls/clients/$n.p12" -passin pass:testbed -nokeys 2>/dev/null |
			openssl x509 -noout -fingerprint -sha256 | cmp -s - <(openssl x509 -in "$work/tls/clients/$n.crt" -noout -fingerprint -sha256) || return 1
	done
	# the front's CA does not vouch for client certificates, nor the client CA for the server
	openssl verify -CAfile "$work/tls/ca.crt" "$work/tls/clients/alice.crt" >/dev/null 2>&1 && return 1
	openssl verify -CAfile "$work/tls/client-ca.crt" "$work/tls/server.crt" >/dev/null 2>&1 && return 1
	# a second start keeps what is there
	local before
	before=$(openssl x509 -in "$work/tls/server.crt" -noout -fingerprint -sha256)
	sh "$repo/docker/front/make-certs.sh" "$work/tls" >/dev/null || return 1
	[ "$before" = "$(openssl x509 -in "$work/tls/server.crt" -noout -fingerprint -sha256)" ]
}
if certs_ok; then
	ok "make-certs.sh: certificate valid for idp/sp/login/cert.login.example.test only, CA constrained to example.test, client CA and certificates (clientAuth, .p12), CA keys discarded, kept on restart"
else
	ko "make-certs.sh"
fi

# ----------------------------------------------------------------------------- front
section "front: docker/front/nginx.conf"
# Debian's nginx checks the front's configuration with the files make-certs.sh made above:
# paths moved into the work directory, nothing else changed.
front_ok() {
	local ng=$work/nginx nginx
	nginx=$(command -v nginx || echo /usr/sbin/nginx)
	mkdir -p "$ng/tmp" "$ng/logs"
	sed -e "s|/etc/testbed-tls/|$work/tls/|g" -e "s|^pid /run/nginx.pid;|pid $ng/nginx.pid;|" \
		-e "s|^user www-data;|$( [ "$(id -u)" = 0 ] && echo 'user root;' )|" \
		-e "s|^http {|http {\n    client_body_temp_path $ng/tmp/body; proxy_temp_path $ng/tmp/proxy; fastcgi_temp_path $ng/tmp/fastcgi; uwsgi_temp_path $ng/tmp/uwsgi; scgi_temp_path $ng/tmp/scgi;|" \
		"$repo/docker/front/nginx.conf" >"$ng/nginx.conf"
	grep -q "$work/tls/client-ca.crt" "$ng/nginx.conf" || { echo "no client CA in the front's config"; return 1; }
	"$nginx" -t -q -p "$ng" -e "$ng/logs/error.log" -c "$ng/nginx.conf" >"$ng/out" 2>&1 || { cat "$ng/out"; return 1; }
	# and the check can fail: a client CA file that is not there
	sed "s|$work/tls/client-ca.crt|$work/tls/missing.crt|" "$ng/nginx.conf" >"$ng/broken.conf"
	"$nginx" -t -q -p "$ng" -e "$ng/logs/error.log" -c "$ng/broken.conf" >/dev/null 2>&1 && { echo "nginx -t accepted a missing client CA"; return 1; }
	return 0
}
if front_ok; then
	ok "nginx -t: docker/front/nginx.conf with the certificate host (a broken copy is refused)"
else
	ko "nginx -t on docker/front/nginx.conf"
fi
# The certificate host in nginx.conf is the one the testbed bridge.conf names, and the
# header the bridge reads is set from the handshake there and emptied everywhere else.
cert_host_ok() {
	local conf=$repo/docker/front/nginx.conf bconf=$repo/docker/bridge/bridge.conf
	local url header anchors host block
	url=$(sed -n '/^\[certificate\]/,/^\[/s/^url = //p' "$bconf")
	header=$(sed -n '/^\[certificate\]/,/^\[/s/^header = //p' "$bconf")
	anchors=$(sed -n '/^\[certificate\]/,/^\[/s/^trust_anchors_file = //p' "$bconf")
	host=${url#https://}
	host=${host%%/*}
	[ -n "$host" ] && [ -n "$header" ] && [ "$url" = "https://$host/authn/certificate" ] || { echo "bridge.conf [certificate] url/header"; return 1; }
	# the server block of that name
	block=$(awk -v h="$host" '
		/^    server \{/ { buf = ""; inb = 1 }
		inb { buf = buf $0 "\n" }
		inb && /^    \}/ { inb = 0; if (buf ~ ("server_name " h ";")) printf "%s", buf }
	' "$conf")
	[ -n "$block" ] || { echo "no server block for $host"; return 1; }
	grep -q "ssl_verify_client optional;" <<<"$block" &&
		grep -q "ssl_client_certificate $anchors;" <<<"$block" &&
		grep -q 'ssl_protocols TLSv1.2 TLSv1.3;' <<<"$block" &&
		grep -q "proxy_set_header $header \$ssl_client_escaped_cert;" <<<"$block" &&
		grep -q 'location = /authn/certificate {' <<<"$block" || { echo "the $host block lacks a setting"; return 1; }
	# set from the handshake only there; emptied for every other server (http level)
	[ "$(grep -c "proxy_set_header $header \$ssl_client_escaped_cert;" "$conf")" = 1 ] &&
		grep -q "^    proxy_set_header $header \"\";" "$conf" || { echo "$header not emptied at http level"; return 1; }
	# the compose file gives the bridge the volume the anchors are in
	grep -q "tls:$(dirname "$anchors"):ro" "$repo/docker-compose.yml" || { echo "the bridge does not mount $(dirname "$anchors")"; return 1; }
}
if cert_host_ok; then
	ok "the front's certificate host is the bridge's [certificate] url, asks for the client CA the bridge pins, keeps TLS 1.2, sets the header only there"
else
	ko "the front's certificate host and docker/bridge/bridge.conf [certificate] disagree"
fi

# docker/ldap/build-db.sh, dry run, then a throw-away slapd answering what the IdP asks
export LDAPNOINIT=1
if CONF_DIR=$work/ldap/conf DB_DIR=$work/ldap/db RUN_DIR=$work/ldap/run SCHEMA_DIR=$repo/ldap-schema OWNER= \
	sh "$repo/docker/ldap/build-db.sh" >"$work/ldap.log" 2>&1; then
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 38999)
	/usr/sbin/slapd -h "ldap://127.0.0.1:$port/" -F "$work/ldap/conf" -d 0 >"$work/ldap/slapd.log" 2>&1 &
	slapd_pid=$!
	for _ in $(seq 1 50); do
		ldapsearch -x -H "ldap://127.0.0.1:$port/" -b "" -s base -LLL >/dev/null 2>&1 && break
		sleep 0.1
	done
	L="ldap://127.0.0.1:$port/"
	filter() { printf '(&(uid=%s)(!(employeeType=disabled)))' "$1"; } # docker/idp/ldap.properties userFilter
	uf=$(sed -n 's/^idp.authn.LDAP.userFilter = //p' "$repo/docker/idp/ldap.properties")
	if [ "$uf" = '(&(uid={user})(!(employeeType=disabled)))' ] &&
		ldapsearch -x -H "$L" -D cn=idp,ou=services,dc=example,dc=edu -w idp-demo-secret \
			-b ou=people,dc=example,dc=edu -LLL "$(filter alice)" \
			uid mail displayName eduPersonPrincipalName eduPersonAffiliation eduPersonScopedAffiliation >"$work/alice.ldif" &&
		grep -q '^eduPersonPrincipalName: alice@example.edu' "$work/alice.ldif" &&
		grep -q '^eduPersonScopedAffiliation: staff@example.edu' "$work/alice.ldif" &&
		[ -z "$(ldapsearch -x -H "$L" -D cn=idp,ou=services,dc=example,dc=edu -w idp-demo-secret \
			-b ou=people,dc=example,dc=edu -LLL "$(filter dave)" dn)" ] &&
		ldapwhoami -x -H "$L" -D uid=alice,ou=people,dc=example,dc=edu -w user-demo-password >/dev/null &&
		ldapwhoami -x -H "$L" -D cn=fido-bridge,ou=services,dc=example,dc=edu -w bridge-demo-secret >/dev/null; then
		ok "ldap: build-db.sh directory serves the IdP (service bind, attributes, disabled dave filtered, password bind)"
	else
		tail -20 "$work/ldap/slapd.log"
		ko "ldap: searches against the build-db.sh directory"
	fi
	kill "$slapd_pid" 2>/dev/null
	wait "$slapd_pid" 2>/dev/null
	slapd_pid=
else
	cat "$work/ldap.log"
	ko "docker/ldap/build-db.sh"
fi

# ----------------------------------------------------------------------------- testbed
section "testbed: the IdP image against IdP v5's rules"
if "$here/check-testbed.sh" "$repo/docker/idp/Dockerfile" >"$work/tb.out" 2>&1; then
	ok "docker/idp/Dockerfile: no v5 module/build mistakes, no web.xml copy, signature checked against pinned keys, weight map applied"
else
	cat "$work/tb.out"
	ko "docker/idp/Dockerfile breaks IdP v5 rules"
fi
# the checks have teeth: the Dockerfile as it was before the v5 fixes fails every one
"$here/check-testbed.sh" "$here/fixtures/Dockerfile.before-v5-fixes" >"$work/tb.old" 2>&1
missing_rules=
for r in module build webxml signature weights; do grep -q "^violation \[$r\]" "$work/tb.old" || missing_rules+=" $r"; done
if [ -z "$missing_rules" ]; then
	ok "check-testbed.sh refuses the pre-v5 Dockerfile on every rule (module, build, webxml, signature, weights)"
else
	cat "$work/tb.old"
	ko "check-testbed.sh let the pre-v5 Dockerfile pass:$missing_rules"
fi
grep -q 'IDP_VERSION: "${IDP_VERSION:-5\.' "$repo/docker-compose.yml" && grep -q '^ARG IDP_VERSION=5\.' "$repo/docker/idp/Dockerfile" &&
	ok "compose and Dockerfile default to an IdP 5.x" || ko "IdP version default is not 5.x"

# verify-dist.sh: a pinned key's good signature passes; another key, a tampered archive,
# no pins fail. Throw-away keys, own GnuPG home.
vd=$work/vd
mkdir -p -m 700 "$vd/g"
vgpg() { gpg --batch --quiet --homedir "$vd/g" "$@"; }
V=$repo/docker/idp/verify-dist.sh
if vgpg --passphrase '' --quick-gen-key pinned@example.test ed25519 sign never 2>/dev/null &&
	vgpg --passphrase '' --quick-gen-key other@example.test ed25519 sign never 2>/dev/null; then
	fp() { vgpg --with-colons --list-keys "$1" | awk -F: '/^fpr/ {print $10; exit}'; }
	A=$(fp pinned@example.test)
	echo 'the archive' >"$vd/a.tgz"
	vgpg --local-user "$A" --armor --detach-sign -o "$vd/a.tgz.asc" "$vd/a.tgz"
	vgpg --local-user "$(fp other@example.test)" --armor --detach-sign -o "$vd/other.asc" "$vd/a.tgz"
	vgpg --armor --export >"$vd/keys.asc"
	printf '# pins\n%s  test key\n' "$A" >"$vd/pins"
	printf '# none\n' >"$vd/nopins"
	cp "$vd/a.tgz" "$vd/t.tgz" && echo x >>"$vd/t.tgz"
	if sh "$V" "$vd/a.tgz" "$vd/a.tgz.asc" "$vd/keys.asc" "$vd/pins" >/dev/null 2>&1 &&
		! sh "$V" "$vd/a.tgz" "$vd/other.asc" "$vd/keys.asc" "$vd/pins" >/dev/null 2>&1 &&
		! sh "$V" "$vd/t.tgz" "$vd/a.tgz.asc" "$vd/keys.asc" "$vd/pins" >/dev/null 2>&1 &&
		! sh "$V" "$vd/a.tgz" "$vd/a.tgz.asc" "$vd/keys.asc" "$vd/nopins" >/dev/null 2>&1; then
		ok "verify-dist.sh: pinned key's signature accepted; unpinned key, tampered archive, empty pin list refused"
	else
		ko "verify-dist.sh"
	fi
else
	ko "gpg could not make throw-away keys"
fi
# every pinned fingerprint is a primary key in the committed key file
pinned=$(sed -n 's/^\([0-9A-F]\{40\}\)[[:space:]].*/\1/p' "$repo/docker/idp/shibboleth-signing-keys.txt")
have=$(gpg --batch --with-colons --show-keys "$repo/docker/idp/shibboleth-signing-keys.asc" 2>/dev/null | awk -F: '/^pub/ {p=1; next} /^fpr/ && p {print $10; p=0}')
nok=0
for f in $pinned; do printf '%s\n' "$have" | grep -qx "$f" || nok=1; done
if [ -n "$pinned" ] && [ $nok -eq 0 ]; then
	ok "pinned IdP signing keys: $(echo $pinned | wc -w) fingerprint(s), each in shibboleth-signing-keys.asc"
else
	ko "docker/idp/shibboleth-signing-keys.txt and .asc disagree (pinned: $pinned; in the file: $have)"
fi

# ----------------------------------------------------------------------------- bridge
section "bridge: testbed bridge.conf"
if [ -n "$bridgectl" ] && [ -x "$bridgectl" ]; then
	mkdir -p "$work/bridge"
	printf 'testbed-secret-for-the-config-check-0123456789ab\n' >"$work/bridge/secret"
	printf 'pw\n' >"$work/bridge/ldap"
	printf 'testbed-state-key-for-the-config-check-0123456789\n' >"$work/bridge/state.key"
	# the modes the entrypoint gives them (config check refuses secrets others may read)
	chmod 0640 "$work/bridge/secret" "$work/bridge/ldap"
	chmod 0600 "$work/bridge/state.key"
	# the image copies templates/ to /usr/share/fido-bridge/templates
	sed -e "s|/run/fido-bridge/handoff/idp.secret|$work/bridge/secret|" \
		-e "s|^templates_dir = /usr/share/fido-bridge/templates|templates_dir = $repo/templates|" \
		-e "s|/etc/fido-bridge/state/state.key|$work/bridge/state.key|" \
		-e "s|/etc/fido-bridge/ldap.password|$work/bridge/ldap|" \
		-e "s|/etc/testbed-tls/|$work/tls/|" \
		"$repo/docker/bridge/bridge.conf" >"$work/bridge/bridge.conf"
	grep -q '^enabled = true' "$work/bridge/bridge.conf" && grep -q "^trust_anchors_file = $work/tls/client-ca.crt" "$work/bridge/bridge.conf" ||
		ko "docker/bridge/bridge.conf: [certificate] enabled with the testbed client CA"
	if "$bridgectl" config check --config "$work/bridge/bridge.conf" >"$work/bridge/out" 2>&1; then
		ok "bridgectl config check: docker/bridge/bridge.conf with [certificate] (secret/password, templates and client CA paths moved here)"
	else
		cat "$work/bridge/out"
		ko "bridgectl config check of docker/bridge/bridge.conf"
	fi
else
	skip "bridgectl not built (pass --bridgectl PATH): docker/bridge/bridge.conf not checked by the bridge"
fi

# ----------------------------------------------------------------------------- summary
echo
for f in "${failed[@]}"; do echo "FAILED: $f"; done
echo "shibboleth checks: $pass passed, $fail failed (${SECONDS}s)"
[ $fail -eq 0 ]
