#!/usr/bin/env bash
# Seeds for the data_url fuzz target (corpus/data_url/s-*): a cap byte (0: the
# default cap), then an icon data: URL. Committed; rerun only when the URL
# shapes the parser takes change. Needs base64.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
out=$here/corpus/data_url
mkdir -p "$out"

png=$(printf '\211PNG\r\n\032\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\10\6\0\0\0' | base64 -w0)
svg=$(printf '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>' | base64 -w0)
webp=$(printf 'RIFF\0\0\0\0WEBPVP8 ' | base64 -w0)
jpeg=$(printf '\377\330\377\340\0\20JFIF\0' | base64 -w0)

seed() { # NAME CAP-BYTE-OCTAL URL
	{ printf "\\$2"; printf '%s' "$3"; } >"$out/s-$1"
}
seed png 000 "data:image/png;base64,$png"
seed png-upper 000 "DATA:IMAGE/PNG;BASE64,$png"
seed svg 000 "data:image/svg+xml;base64,$svg"
seed svg-charset 000 "data:image/svg+xml;charset=utf-8;base64,$svg"
seed webp 000 "data:image/webp;base64,$webp"
seed jpeg 000 "data:image/jpeg;base64,$jpeg"
seed png-small-cap 001 "data:image/png;base64,$png"
seed wrong-magic 000 "data:image/jpeg;base64,$png"
seed no-padding 000 "data:image/png;base64,${png%%=*}"
seed percent 000 "data:image/svg+xml,%3Csvg%2F%3E"
seed gif 000 "data:image/gif;base64,R0lGODlhAQABAAAAACw="
seed empty 000 "data:image/png;base64,"
