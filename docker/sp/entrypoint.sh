#!/bin/sh
# Testbed entrypoint of the SP container:
#  1. makes the SP's keys on first start (kept in the container) and writes the SP's
#     metadata into the shared volume "metadata" (mounted at /etc/shibboleth/metadata),
#     where the IdP picks it up;
#  2. waits for the IdP's metadata in the same volume;
#  3. starts shibd, then Apache in the foreground.
set -eu

cd /etc/shibboleth
if [ ! -s sp-key.pem ] || [ ! -s sp-cert.pem ]; then
	# one key pair for signing and decryption (sp-key.pem, sp-cert.pem), readable by shibd
	shib-keygen -b -u _shibd -g _shibd -h sp.example.test -y 3 -e https://sp.example.test/shibboleth -n sp >/dev/null 2>&1
fi
shib-metagen -2 -c sp-cert.pem -h sp.example.test \
	-e https://sp.example.test/shibboleth >metadata/sp-metadata.xml.tmp
mv metadata/sp-metadata.xml.tmp metadata/sp-metadata.xml
chmod 0644 metadata/sp-metadata.xml
echo "testbed: SP metadata published for the IdP"

i=0
until [ -s metadata/idp-metadata.xml ]; do
	[ $((i % 10)) -eq 0 ] && echo "testbed: waiting for the IdP's metadata (metadata/idp-metadata.xml)"
	i=$((i + 1))
	sleep 2
done

mkdir -p /run/shibboleth
chown _shibd:_shibd /run/shibboleth
/usr/sbin/shibd -f -u _shibd -g _shibd -p /run/shibboleth/shibd.pid -w 60
# apache2ctl reads /etc/apache2/envvars and creates Apache's run and lock directories
exec apache2ctl -D FOREGROUND
