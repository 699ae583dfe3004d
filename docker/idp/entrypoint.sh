#!/bin/sh
# Testbed entrypoint of the IdP container: publishes the IdP's metadata for the SP
# (volume "metadata"), then runs Tomcat in the foreground as user tomcat.
set -eu

install -m 0644 "$IDP_HOME/metadata/idp-metadata.xml" /srv/metadata/idp-metadata.xml
echo "testbed: IdP metadata published for the SP; waiting for the SP's in /srv/metadata/sp-metadata.xml"
if [ ! -r /run/fido-bridge/handoff/idp.secret ]; then
	echo "testbed: the handoff secret is not there yet (the bridge container writes it)"
fi

export CATALINA_HOME=/usr/share/tomcat10
export CATALINA_BASE=/var/lib/tomcat10
export CATALINA_TMPDIR=/tmp
export JAVA_OPTS="${JAVA_OPTS:--Xmx1024m} -Didp.home=$IDP_HOME -Djava.awt.headless=true"
cd "$CATALINA_BASE"
exec runuser -u tomcat -- "$CATALINA_HOME/bin/catalina.sh" run
