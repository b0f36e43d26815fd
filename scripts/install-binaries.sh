#!/usr/bin/env bash
# Builds the pinned Fabric, Fabric CA, kubo and IPFS Cluster binaries (and our
# chaincode-as-a-service external builder; and, on request, go-ethereum for the
# consensus benchmark) from the Go module proxy into a cache outside the clone.
# Idempotent: a binary already in the cache for its pinned version is not rebuilt.
#
# Environment overrides:
#   MEDSHARE_CACHE_DIR  where binaries go (default: ${XDG_CACHE_HOME:-$HOME/.cache}/medshare)
#   MEDSHARE_ONLY       space-separated subset of: fabric fabric-ca kubo ipfs-cluster ccaas geth
#                       (default: all but geth, which only the consensus benchmark needs)
#
# `install-binaries.sh --paths` builds nothing and prints where each binary set
# lives, as KEY=VALUE lines (read by network/src/binaries.ts).
set -eu

# Fabric v3.1.1. Its v3 tags are not valid module versions for the module path
# github.com/hyperledger/fabric, so it is pinned by the release commit's pseudo-version.
FABRIC_RELEASE=3.1.1
FABRIC_COMMIT=435a7f1a780a
FABRIC_MODULE_VERSION=v1.4.0-rc1.0.20250510200036-${FABRIC_COMMIT}
FABRIC_CA_RELEASE=1.5.15
FABRIC_CA_MODULE_VERSION=v${FABRIC_CA_RELEASE}
KUBO_RELEASE=0.39.0
# kubo links github.com/cockroachdb/swiss, whose runtime hooks are only enabled up
# to Go 1.25; GOTOOLCHAIN fetches that toolchain through the same module proxy.
KUBO_GO_TOOLCHAIN=go1.25.5
IPFS_CLUSTER_RELEASE=1.1.0
# go-ethereum v1.11.6: its last release that mines with ethash (v1.12 removed
# proof-of-work mining, ethereum/go-ethereum#27178); the consensus benchmark runs a
# private proof-of-work chain with it.
GETH_RELEASE=1.11.6
# The oldest Go that builds all of them: Fabric 3.1.1's go.mod says go 1.24.2 (kubo's
# newer toolchain is fetched by GOTOOLCHAIN, which any Go since 1.21 can do).
GO_MIN=1.24.2

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
cache=${MEDSHARE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/medshare}
only=${MEDSHARE_ONLY:-fabric fabric-ca kubo ipfs-cluster ccaas}

ccaas_src="$repo/network/ccaas-builder"
ccaas_key() { (cd "$ccaas_src" && cat go.mod main.go | sha256sum | cut -c1-12); }
fabric_home="$cache/fabric-${FABRIC_RELEASE}-${FABRIC_COMMIT}"
fabric_ca_home="$cache/fabric-ca-${FABRIC_CA_RELEASE}"
kubo_home="$cache/kubo-${KUBO_RELEASE}"
ipfs_cluster_home="$cache/ipfs-cluster-${IPFS_CLUSTER_RELEASE}"
geth_home="$cache/geth-${GETH_RELEASE}"

if [ "${1:-}" = "--paths" ]; then
  echo "FABRIC_RELEASE=$FABRIC_RELEASE"
  echo "FABRIC_BIN=$fabric_home/bin"
  echo "FABRIC_CONFIG=$fabric_home/config"
  echo "FABRIC_CA_RELEASE=$FABRIC_CA_RELEASE"
  echo "FABRIC_CA_BIN=$fabric_ca_home/bin"
  echo "KUBO_RELEASE=$KUBO_RELEASE"
  echo "KUBO_BIN=$kubo_home/bin"
  echo "IPFS_CLUSTER_RELEASE=$IPFS_CLUSTER_RELEASE"
  echo "IPFS_CLUSTER_BIN=$ipfs_cluster_home/bin"
  echo "CCAAS_BUILDER=$cache/ccaas-builder-$(ccaas_key)"
  echo "GETH_RELEASE=$GETH_RELEASE"
  echo "GETH_BIN=$geth_home/bin"
  exit 0
fi

PREREQ_WHO=install-binaries
# shellcheck source=scripts/lib/prereqs.sh
. "$here/lib/prereqs.sh"

die() {
  prereq_fail "$@"
}

prereq_go "$GO_MIN" "Fabric ${FABRIC_RELEASE}"
mkdir -p "$cache/logs"

# module_dir MODULE@VERSION: downloads a module through the proxy and prints its directory.
# (`go install pkg@version` is not used: it asks the proxy for the module's version
# list to look up deprecations, and a proxy may refuse lists while serving versions.)
module_dir() {
  out=$(cd "$cache" && GOFLAGS=-mod=mod go mod download -json "$1" 2>&1) || die "downloading $1 failed: $(echo "$out" | grep -m1 -E 'Error|go:' || echo "$out" | tail -n 1)"
  echo "$out" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

# BUILD_DIR=DIR build NAME DEST_DIR LABEL -- go build arguments...
# Runs the build in DIR only if DEST_DIR/NAME is missing; prints one line either way.
build() {
  name=$1 dest=$2 label=$3
  shift 4
  if [ -x "$dest/$name" ]; then
    echo "  $label $name: cached ($dest/$name)"
    return 0
  fi
  mkdir -p "$dest"
  log="$cache/logs/$label-$name.log"
  start=$(date +%s)
  if ! (cd "$BUILD_DIR" && "$@") >"$log" 2>&1; then
    rm -f "$dest/$name"
    die "building $name ($label) failed: $(tail -n 1 "$log") (full log: $log)"
  fi
  [ -x "$dest/$name" ] || die "building $name ($label) produced no binary (log: $log)"
  echo "  $label $name: built in $(($(date +%s) - start)) s"
}

want() {
  case " $only " in *" $1 "*) return 0 ;; *) return 1 ;; esac
}

if want fabric; then
  dest="$fabric_home/bin"
  ldflags="-X github.com/hyperledger/fabric/common/metadata.Version=${FABRIC_RELEASE} -X github.com/hyperledger/fabric/common/metadata.CommitSHA=${FABRIC_COMMIT}"
  echo "Fabric ${FABRIC_RELEASE} (github.com/hyperledger/fabric@${FABRIC_MODULE_VERSION}) -> $dest"
  config="$fabric_home/config"
  moddir=""
  for bin in peer orderer configtxgen configtxlator osnadmin discover; do
    [ -x "$dest/$bin" ] || [ -n "$moddir" ] || moddir=$(module_dir "github.com/hyperledger/fabric@${FABRIC_MODULE_VERSION}")
    BUILD_DIR=$moddir build "$bin" "$dest" "fabric-${FABRIC_RELEASE}" -- \
      go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$dest/$bin" "./cmd/$bin"
  done
  # The default config files shipped inside the module, used with environment overrides.
  if [ ! -f "$config/core.yaml" ] || [ ! -f "$config/orderer.yaml" ]; then
    [ -n "$moddir" ] || moddir=$(module_dir "github.com/hyperledger/fabric@${FABRIC_MODULE_VERSION}")
    [ -f "$moddir/sampleconfig/core.yaml" ] || die "could not locate Fabric's sampleconfig in $moddir"
    mkdir -p "$config"
    cp "$moddir/sampleconfig/core.yaml" "$moddir/sampleconfig/orderer.yaml" "$config/"
    chmod u+w "$config"/*.yaml
  fi
  echo "  fabric-${FABRIC_RELEASE} config: $config"
fi

if want fabric-ca; then
  dest="$fabric_ca_home/bin"
  ldflags="-X github.com/hyperledger/fabric-ca/lib/metadata.Version=${FABRIC_CA_RELEASE}"
  echo "Fabric CA ${FABRIC_CA_RELEASE} (github.com/hyperledger/fabric-ca@${FABRIC_CA_MODULE_VERSION}) -> $dest"
  moddir=""
  for bin in fabric-ca-server fabric-ca-client; do
    [ -x "$dest/$bin" ] || [ -n "$moddir" ] || moddir=$(module_dir "github.com/hyperledger/fabric-ca@${FABRIC_CA_MODULE_VERSION}")
    BUILD_DIR=$moddir build "$bin" "$dest" "fabric-ca-${FABRIC_CA_RELEASE}" -- \
      go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$dest/$bin" "./cmd/$bin"
  done
fi

if want kubo; then
  dest="$kubo_home/bin"
  echo "kubo ${KUBO_RELEASE} (github.com/ipfs/kubo@v${KUBO_RELEASE}, ${KUBO_GO_TOOLCHAIN}) -> $dest"
  moddir=""
  [ -x "$dest/ipfs" ] || moddir=$(module_dir "github.com/ipfs/kubo@v${KUBO_RELEASE}")
  BUILD_DIR=$moddir build ipfs "$dest" "kubo-${KUBO_RELEASE}" -- \
    env GOTOOLCHAIN="$KUBO_GO_TOOLCHAIN" go build -mod=readonly -trimpath -o "$dest/ipfs" ./cmd/ipfs
fi

if want ipfs-cluster; then
  dest="$ipfs_cluster_home/bin"
  echo "IPFS Cluster ${IPFS_CLUSTER_RELEASE} (github.com/ipfs-cluster/ipfs-cluster@v${IPFS_CLUSTER_RELEASE}) -> $dest"
  moddir=""
  for bin in ipfs-cluster-service ipfs-cluster-ctl; do
    [ -x "$dest/$bin" ] || [ -n "$moddir" ] || moddir=$(module_dir "github.com/ipfs-cluster/ipfs-cluster@v${IPFS_CLUSTER_RELEASE}")
    BUILD_DIR=$moddir build "$bin" "$dest" "ipfs-cluster-${IPFS_CLUSTER_RELEASE}" -- \
      go build -mod=readonly -trimpath -o "$dest/$bin" "./cmd/$bin"
  done
fi

if want geth; then
  dest="$geth_home/bin"
  echo "go-ethereum ${GETH_RELEASE} (github.com/ethereum/go-ethereum@v${GETH_RELEASE}) -> $dest"
  moddir=""
  [ -x "$dest/geth" ] || moddir=$(module_dir "github.com/ethereum/go-ethereum@v${GETH_RELEASE}")
  # geth 1.11 links github.com/fjl/memsize, which reaches runtime.stopTheWorld by
  # go:linkname; Go 1.23 and later refuse such links unless -checklinkname=0.
  BUILD_DIR=$moddir build geth "$dest" "geth-${GETH_RELEASE}" -- \
    go build -mod=readonly -trimpath -ldflags "-checklinkname=0" -o "$dest/geth" ./cmd/geth
fi

if want ccaas; then
  # Our own external builder; keyed by a hash of its source so an edit rebuilds it.
  dest="$cache/ccaas-builder-$(ccaas_key)/bin"
  echo "ccaas external builder (network/ccaas-builder) -> $dest"
  for bin in detect build release; do
    BUILD_DIR="$ccaas_src" build "$bin" "$dest" "ccaas-builder" -- \
      go build -trimpath -o "$dest/$bin" .
  done
fi
