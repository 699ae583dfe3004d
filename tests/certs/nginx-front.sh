# The certificate host's TLS front for the tests: real nginx (Debian package)
# with ssl_verify_client that forwards $ssl_client_escaped_cert to the bridge.
# Sourced by test_nginx_front.sh and tests/browser/run.sh, so that curl and
# Chromium are driven through the same front.
#
#   nginx_front_start DIR PORT BRIDGE_PORT
#     makes DIR/server.pem (the host's own certificate, CN and SAN localhost)
#     and DIR/nginx.conf, starts nginx on 127.0.0.1:PORT (proxying from
#     127.0.0.2, which the bridge's [server] trusted_proxies must name) and
#     waits until it answers; sets NGINX_FRONT_PID. Returns non-zero if nginx
#     is missing or does not start (DIR/error.log says why).
#   nginx_front_stop
#     ends that nginx (only the one this shell started).

nginx_front_start() {
	local dir=$1 port=$2 bridge_port=$3 nginx
	nginx=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }) ||
		{ echo "nginx is not installed (scripts/install-deps.sh)" >&2; return 1; }
	mkdir -p "$dir/tmp"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
		-keyout "$dir/server.key" -out "$dir/server.pem" 2>/dev/null || return 1
	cat >"$dir/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log info;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	server {
		listen 127.0.0.1:$port ssl;
		server_name localhost;
		ssl_certificate $dir/server.pem;
		ssl_certificate_key $dir/server.key;
		# the card's driver signs with RSA PKCS#1 v1.5 only: TLS 1.2 must stay on
		ssl_protocols TLSv1.2 TLSv1.3;
		# nginx asks and forwards; the bridge judges (pinned anchors, CRLs, usage)
		ssl_verify_client optional_no_ca;
		location = /authn/certificate {
			proxy_pass http://127.0.0.1:$bridge_port;
			proxy_bind 127.0.0.2;
			proxy_set_header Host \$http_host;
			# set here, so any copy the client sent is dropped (an empty value sends none)
			proxy_set_header X-Client-Cert \$ssl_client_escaped_cert;
			proxy_set_header X-Forwarded-For \$remote_addr;
		}
		# the pages' styles and scripts (a refusal page is shown on this host)
		location ~ ^/(static|i18n|branding)/ {
			proxy_pass http://127.0.0.1:$bridge_port;
			proxy_bind 127.0.0.2;
			proxy_set_header Host \$http_host;
			proxy_set_header X-Client-Cert "";
		}
		location / { return 404; }
	}
}
NGINX
	"$nginx" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" &
	NGINX_FRONT_PID=$!
	local _
	for _ in $(seq 1 50); do
		curl -sk -o /dev/null "https://localhost:$port/" && return 0
		kill -0 "$NGINX_FRONT_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "nginx did not start on port $port (see $dir/error.log)" >&2
	nginx_front_stop
	return 1
}

nginx_front_stop() {
	if [ -n "${NGINX_FRONT_PID:-}" ]; then
		kill "$NGINX_FRONT_PID" 2>/dev/null && wait "$NGINX_FRONT_PID" 2>/dev/null
		NGINX_FRONT_PID=
	fi
	return 0
}
