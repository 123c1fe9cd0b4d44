#!/usr/bin/env bash
# Builds FerretDB v1 (Apache-2.0; MongoDB wire protocol over SQLite) from the Go module proxy into the Go bin
# folder, once: a binary of the wanted version already there is reused.
# `go install …@v1.x` alone yields a binary that panics at start (the module lacks build/version/version.txt),
# so the module source is copied, the version file written, and the command built from that copy.
set -euo pipefail
export GOFLAGS="${GOFLAGS:--mod=mod}"
gobin="$(go env GOPATH)/bin"
mkdir -p "$gobin"
version="${FERRETDB_VERSION:-$(go list -m -versions github.com/FerretDB/FerretDB 2>/dev/null | tr ' ' '\n' | grep -E '^v1\.[0-9]+\.[0-9]+$' | sort -V | tail -n 1)}"
version="${version:-v1.24.2}"
if [ -x "$gobin/ferretdb" ] && "$gobin/ferretdb" --version 2>/dev/null | grep -q "version: $version"; then
  echo "ferretdb $version already built at $gobin/ferretdb"
  exit 0
fi
echo "building ferretdb $version"
dir="$(go mod download -json "github.com/FerretDB/FerretDB@$version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$dir" "$work/src"
chmod -R u+w "$work/src"
echo "$version" > "$work/src/build/version/version.txt"
: > "$work/src/build/version/package.txt"
(cd "$work/src" && go build -trimpath -o "$gobin/ferretdb" ./cmd/ferretdb)
"$gobin/ferretdb" --version | head -n 1
