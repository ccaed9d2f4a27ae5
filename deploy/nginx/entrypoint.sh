#!/bin/sh
# The proxy's entrypoint (the container's, and the tests' way to start it): render the
# configuration from the environment into BEACON_PROXY_DIR, check it, run nginx in the
# foreground. Its files sit beside this script.
#
#   BEACON_PROXY_SERVER_NAME  the site's host name (also in DJANGO_ALLOWED_HOSTS); required
#   BEACON_PROXY_UPSTREAMS    the web processes, host:port separated by spaces (web:8000)
#   BEACON_TLS_CERT, BEACON_TLS_KEY   PEM certificate (chain) and key
#                             (/etc/beacon-proxy/tls/tls.crt and tls.key: mount them there)
#   BEACON_PROXY_HTTP_PORT, BEACON_PROXY_HTTPS_PORT   ports to listen on (8080, 8443:
#                             the container runs unprivileged; compose maps 80 and 443)
#   BEACON_PROXY_DIR          nginx's prefix: rendered config, pid, temp files, static cache
set -eu
here=$(cd "$(dirname "$0")" && pwd)
say() { echo "beacon-proxy: $*" >&2; }

: "${BEACON_PROXY_SERVER_NAME:?set BEACON_PROXY_SERVER_NAME to the site's host name}"
BEACON_PROXY_UPSTREAMS=${BEACON_PROXY_UPSTREAMS:-web:8000}
BEACON_PROXY_HTTP_PORT=${BEACON_PROXY_HTTP_PORT:-8080}
BEACON_PROXY_HTTPS_PORT=${BEACON_PROXY_HTTPS_PORT:-8443}
BEACON_TLS_CERT=${BEACON_TLS_CERT:-/etc/beacon-proxy/tls/tls.crt}
BEACON_TLS_KEY=${BEACON_TLS_KEY:-/etc/beacon-proxy/tls/tls.key}
dir=${BEACON_PROXY_DIR:-/var/lib/beacon-proxy}

for file in "$BEACON_TLS_CERT" "$BEACON_TLS_KEY"; do
  case "$file" in /*) ;; *) say "not an absolute path: $file"; exit 1 ;; esac
  [ -r "$file" ] || { say "cannot read $file as $(id -un) (uid $(id -u)): mount the TLS certificate and key readable by it (README)"; exit 1; }
done
case "$BEACON_PROXY_SERVER_NAME" in
  ""|*[\;{}\$\"\'\\]*) say "BEACON_PROXY_SERVER_NAME is empty or holds ; { } \$ or a quote"; exit 1 ;;
esac
for port in "$BEACON_PROXY_HTTP_PORT" "$BEACON_PROXY_HTTPS_PORT"; do
  case "$port" in
    ""|*[!0-9]*) say "not a port number: $port"; exit 1 ;;
  esac
done
servers=""
for upstream in $BEACON_PROXY_UPSTREAMS; do
  case "$upstream" in
    *[!A-Za-z0-9.:_\[\]-]*|"") say "not a host:port in BEACON_PROXY_UPSTREAMS: $upstream"; exit 1 ;;
  esac
  servers="${servers}server ${upstream}; "
done
[ -n "$servers" ] || { say "BEACON_PROXY_UPSTREAMS names no web process"; exit 1; }

export BEACON_PROXY_SERVER_NAME BEACON_PROXY_HTTP_PORT BEACON_PROXY_HTTPS_PORT \
  BEACON_TLS_CERT BEACON_TLS_KEY
export BEACON_PROXY_UPSTREAM_SERVERS="$servers"
mkdir -p "$dir/conf" "$dir/tmp" "$dir/cache"
# Only these names: nginx's own $variables stay as they are.
envsubst '${BEACON_PROXY_SERVER_NAME} ${BEACON_PROXY_UPSTREAM_SERVERS} ${BEACON_PROXY_HTTP_PORT} ${BEACON_PROXY_HTTPS_PORT} ${BEACON_TLS_CERT} ${BEACON_TLS_KEY}' \
  <"$here/nginx.conf.template" >"$dir/conf/nginx.conf"
cp "$here/proxy_headers.conf" "$dir/conf/proxy_headers.conf"

nginx -q -t -p "$dir/" -c "$dir/conf/nginx.conf" -e stderr
exec nginx -p "$dir/" -c "$dir/conf/nginx.conf" -e stderr -g 'daemon off;'
