#!/bin/sh
# build.sh -- compiles the shim into one jar for the IdP's edit-webapp/WEB-INF/lib. The jar
# carries META-INF/web-fragment.xml (webapp/web-fragment.xml), which registers the servlet at
# /Authn/fido/*: the IdP's own web.xml is not touched.
#
#   build.sh --idp-home DIR --servlet-api JAR [--v4] [--out JAR]
#   build.sh --classpath CP [--v4] [--out JAR]
#
# --idp-home     an installed IdP: compiles against DIR/dist/webapp/WEB-INF/lib/*
#                (DIR/webapp/WEB-INF/lib/* on an unpacked distribution also works)
# --servlet-api  the container's servlet API jar, which the IdP war does not contain:
#                IdP v5: jakarta.servlet (Jetty 11/12, Tomcat 10.1; Debian:
#                /usr/share/java/tomcat10-servlet-api.jar from libtomcat10-java, or
#                /usr/share/java/jakarta-servlet-api.jar from libjakarta-servlet-api-java)
#                IdP v4: javax.servlet (Debian: /usr/share/java/servlet-api.jar from
#                libservlet-api-java). The IdP's own jars provide SLF4J.
# --classpath    instead of the two above: the full compile class path
# --v4           build for IdP v4 (javax.servlet): the servlet source is rewritten with
#                sed 's/jakarta\.servlet/javax.servlet/g', the web fragment gets the javaee
#                namespace (version 3.0); nothing else differs
# --out          the jar to write (default: ./fido-bridge-shim.jar)
#
# Needs a JDK 17+ (javac, jar). Bytecode: Java 17 for IdP v5 (which needs Java 17
# anyway), Java 11 for IdP v4 (which runs on Java 11 and later).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cp_arg=
home=
api=
v4=0
out=$PWD/fido-bridge-shim.jar
while [ $# -gt 0 ]; do
	case $1 in
	--idp-home) home=$2; shift 2 ;;
	--servlet-api) api=$2; shift 2 ;;
	--classpath) cp_arg=$2; shift 2 ;;
	--v4) v4=1; shift ;;
	--out) out=$2; shift 2 ;;
	-h | --help) sed -n '2,26p' "$0"; exit 0 ;;
	*) echo "build.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
if [ -z "$cp_arg" ]; then
	[ -n "$home" ] && [ -n "$api" ] || { echo "build.sh: give --idp-home and --servlet-api, or --classpath" >&2; exit 2; }
	if [ -d "$home/dist/webapp/WEB-INF/lib" ]; then
		lib=$home/dist/webapp/WEB-INF/lib
	elif [ -d "$home/webapp/WEB-INF/lib" ]; then
		lib=$home/webapp/WEB-INF/lib
	else
		echo "build.sh: no WEB-INF/lib under $home/dist/webapp or $home/webapp" >&2
		exit 1
	fi
	[ -r "$api" ] || { echo "build.sh: cannot read $api" >&2; exit 1; }
	cp_arg="$lib/*:$api"
fi
command -v javac >/dev/null && command -v jar >/dev/null || { echo "build.sh: needs a JDK (javac, jar)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/classes/META-INF"
cp -R "$here/src/main/java/." "$work/src/"
cp "$here/webapp/web-fragment.xml" "$work/classes/META-INF/web-fragment.xml"
if [ $v4 -eq 1 ]; then
	sed -i 's/jakarta\.servlet/javax.servlet/g' "$work/src/fidobridge/idp/servlet/FidoBridgeServlet.java"
	sed -i -e 's|https://jakarta.ee/xml/ns/jakartaee/web-fragment_5_0.xsd|http://java.sun.com/xml/ns/javaee/web-fragment_3_0.xsd|' \
		-e 's|https://jakarta.ee/xml/ns/jakartaee|http://java.sun.com/xml/ns/javaee|g' -e 's|version="5.0"|version="3.0"|' \
		"$work/classes/META-INF/web-fragment.xml"
	flavour="IdP v4 (javax.servlet)"
	release=11
else
	flavour="IdP v5 (jakarta.servlet)"
	release=17
fi
find "$work/src" -name '*.java' >"$work/sources"
# (C1 only: starts much faster for a compile this small)
javac -J-XX:TieredStopAtLevel=1 --release "$release" -encoding UTF-8 -Xlint:all -d "$work/classes" -cp "$cp_arg" @"$work/sources"
cat >"$work/manifest" <<MF
Implementation-Title: fido-bridge IdP shim for $flavour
Implementation-Version: 1
MF
jar cfm "$out" "$work/manifest" -C "$work/classes" .
echo "build.sh: wrote $out for $flavour"
