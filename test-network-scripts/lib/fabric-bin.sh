# Provides Fabric's binaries (peer, orderer, configtxgen, osnadmin, configtxlator,
# fabric-ca-server, fabric-ca-client) and the matching sampleconfig/, and exports
# FABRIC_BIN and FABRIC_SAMPLECONFIG. Order of preference:
#   1. FABRIC_BIN_DIR (a directory holding release binaries, with ../config beside it)
#   2. binaries on PATH that report a version of the wanted series (FABRIC_VERSION's major.minor)
#   3. the cache in $POLL_LEDGER_CACHE_DIR from an earlier build
#   4. a build with the Go toolchain from the Go module proxy
# shellcheck shell=bash

FABRIC_CA_VERSION=1.5.15
FABRIC_TOOLS=(peer orderer configtxgen configtxlator osnadmin)
CA_TOOLS=(fabric-ca-server fabric-ca-client)

# Fabric's module path has no /v2 or /v3 suffix, so Go rejects its v2.x and v3.x tags as
# versions (`go install …@v3.1.1` answers "invalid version"). Each release commit is
# reachable as a pseudo-version instead. The proxy only serves some of them; we take the
# newest it serves of the wanted series (FABRIC_VERSION's major.minor: 3.1 by default, 2.5 to
# compare), and say so when that is not $FABRIC_VERSION.
# Format: release tag, pseudo-version of that tag's commit. (v3.0.0 and v3.1.2 to v3.1.5 are not
# served; see FABRIC-NATIVE notes in docs/network.md.)
FABRIC_RELEASES=(
  "3.1.1 v1.4.0-rc1.0.20250510200036-435a7f1a780a"
  "3.1.0 v1.4.0-rc1.0.20250318174348-8f08391d840c"
  "2.5.16 v1.4.0-rc1.0.20260617221605-f871cf92a026"
  "2.5.15 v1.4.0-rc1.0.20260223074129-83c7930b3ea7"
  "2.5.14 v1.4.0-rc1.0.20251012211716-24767bad4dda"
  "2.5.13 v1.4.0-rc1.0.20250429034740-0fcc97e57d34"
  "2.5.12 v1.4.0-rc1.0.20250310155219-af0b647fc99b"
  "2.5.11 v1.4.0-rc1.0.20250131204154-faaaaa8caf73"
  "2.5.10 v1.4.0-rc1.0.20240920064138-1a81040fedf7"
  "2.5.9 v1.4.0-rc1.0.20240618194258-7c3876255bf0"
)

_has_tools() { # dir
  local t
  for t in "${FABRIC_TOOLS[@]}" "${CA_TOOLS[@]}"; do [ -x "$1/$t" ] || return 1; done
}

# The release series FABRIC_VERSION belongs to (3.1.1 -> 3.1); only releases of that series are used.
_fabric_series() { echo "${FABRIC_VERSION%.*}"; }
_in_series() { [[ "$1" == "$(_fabric_series)".* ]]; }
# The go line of the throwaway module: Fabric 3.1 needs the Go 1.24 language version.
_go_line() { if [[ "$1" == 3.* ]]; then echo 1.24.2; else echo 1.22; fi; }

_peer_version() { "$1/peer" version 2>/dev/null | awk '/Version:/ {print $2; exit}'; }

_use_fabric() { # bindir configdir how
  FABRIC_BIN=$1
  FABRIC_SAMPLECONFIG=$2
  FABRIC_BUILT_VERSION=$(_peer_version "$1")
  export FABRIC_BIN FABRIC_SAMPLECONFIG FABRIC_BUILT_VERSION
  infoln "Fabric binaries: v$FABRIC_BUILT_VERSION from $FABRIC_BIN ($3)"
  if [ "$FABRIC_BUILT_VERSION" != "$FABRIC_VERSION" ]; then
    warnln "Fabric v$FABRIC_VERSION was wanted, using v$FABRIC_BUILT_VERSION (see docs/network.md, 'Fabric binaries')"
  fi
}

_no_fabric_help() {
  fatalln "$1
  Fabric v$FABRIC_VERSION binaries are needed. Either:
   - install Go (1.24 or newer for Fabric 3.1) with access to the Go module proxy and run this again, or
   - download the official Hyperledger Fabric v$FABRIC_VERSION and Fabric CA v$FABRIC_CA_VERSION release
     archives for your platform (GitHub releases of hyperledger/fabric and hyperledger/fabric-ca),
     unpack them into one directory (bin/ and config/), and set FABRIC_BIN_DIR=<that dir>/bin."
}

# with_heartbeat LABEL COMMAND...: run COMMAND in the foreground and, while it runs, print "still LABEL (N s)"
# every POLL_LEDGER_HEARTBEAT_SECS seconds (default 20), so a long build does not look stuck. Returns COMMAND's
# status. The heartbeat ends with COMMAND, or with this script if it is interrupted.
with_heartbeat() {
  local label=$1; shift
  local every=${POLL_LEDGER_HEARTBEAT_SECS:-20} started=$SECONDS parent=$$ beat rc
  (
    trap 'exit 0' TERM
    while :; do
      for ((i = 0; i < every * 4; i++)); do
        sleep 0.25
        kill -0 "$parent" 2>/dev/null || exit 0
      done
      infoln "    still $label ($((SECONDS - started)) s)"
    done
  ) &
  beat=$!
  "$@"
  rc=$?
  kill "$beat" 2>/dev/null
  wait "$beat" 2>/dev/null
  return $rc
}

_go_build_into() { # go-line module@version outdir ldflags package...
  local goline=$1 modver=$2 out=$3 ldflags=$4; shift 4
  local work pkg rc=0 t0
  work=$(mktemp -d)
  # A throwaway main module pins the version; `go install pkg@version` would also ask
  # the proxy for the module's version list, which it does not serve for these.
  printf 'module poll-ledger/fabric-build\n\ngo %s\n\nrequire %s %s\n' "$goline" "${modver%@*}" "${modver#*@}" >"$work/go.mod"
  # One binary at a time, so that each says when it starts and ends (the first also downloads the module's
  # dependencies). The packages they share are compiled once, by the first, and then come from Go's build cache.
  for pkg in "$@"; do
    t0=$SECONDS
    infoln "  building ${pkg##*/}..."
    (cd "$work" && GOFLAGS="-mod=mod -buildvcs=false" with_heartbeat "building ${pkg##*/}" \
      go build -trimpath -ldflags "$ldflags" -o "$out/" "$pkg") || { rc=$?; break; }
    infoln "  built ${pkg##*/} in $((SECONDS - t0)) s"
  done
  rm -rf "$work"
  return $rc
}

_build_fabric() {
  command -v go >/dev/null 2>&1 || _no_fabric_help "No Fabric binaries were found and Go is not installed."
  local entry tag pseudo dir modroot
  for entry in "${FABRIC_RELEASES[@]}"; do
    read -r tag pseudo <<<"$entry"
    _in_series "$tag" || continue
    infoln "Asking the Go module proxy for Fabric v$tag ($pseudo)..."
    if ! modroot=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "github.com/hyperledger/fabric@$pseudo" 2>/dev/null | awk -F'"' '/"Dir":/ {print $4}') || [ -z "$modroot" ]; then
      warnln "the Go module proxy does not serve Fabric v$tag; trying the previous $(_fabric_series) release"
      continue
    fi
    dir="$POLL_LEDGER_CACHE_DIR/fabric-$tag"
    mkdir -p "$dir/bin"
    infoln "Building Fabric v$tag tools (${FABRIC_TOOLS[*]}) into $dir/bin: about 5 minutes on 2 cores..."
    local pkgs=() t
    for t in "${FABRIC_TOOLS[@]}"; do pkgs+=("github.com/hyperledger/fabric/cmd/$t"); done
    _go_build_into "$(_go_line "$tag")" "github.com/hyperledger/fabric@$pseudo" "$dir/bin" \
      "-X github.com/hyperledger/fabric/common/metadata.Version=$tag -X github.com/hyperledger/fabric/common/metadata.CommitSHA=${pseudo##*-}" \
      "${pkgs[@]}" || fatalln "building Fabric v$tag failed (output above)"
    infoln "Building Fabric CA v$FABRIC_CA_VERSION (fabric-ca-server needs cgo and gcc)..."
    _go_build_into 1.22 "github.com/hyperledger/fabric-ca@v$FABRIC_CA_VERSION" "$dir/bin" \
      "-X github.com/hyperledger/fabric-ca/lib/metadata.Version=$FABRIC_CA_VERSION" \
      github.com/hyperledger/fabric-ca/cmd/fabric-ca-server github.com/hyperledger/fabric-ca/cmd/fabric-ca-client \
      || fatalln "building Fabric CA v$FABRIC_CA_VERSION failed (output above)"
    rm -rf "$dir/config" && cp -r "$modroot/sampleconfig" "$dir/config" && chmod -R u+w "$dir/config"
    _use_fabric "$dir/bin" "$dir/config" "built now from the Go module proxy"
    return 0
  done
  _no_fabric_help "The Go module proxy serves none of the Fabric $(_fabric_series) releases listed in ${BASH_SOURCE[0]}."
}

ensure_fabric_bins() {
  if [ -n "${FABRIC_BIN_DIR:-}" ]; then
    _has_tools "$FABRIC_BIN_DIR" || fatalln "FABRIC_BIN_DIR=$FABRIC_BIN_DIR lacks one of: ${FABRIC_TOOLS[*]} ${CA_TOOLS[*]}"
    [ -f "$FABRIC_BIN_DIR/../config/core.yaml" ] || fatalln "FABRIC_BIN_DIR=$FABRIC_BIN_DIR has no ../config/core.yaml beside it (the release archive's config/)"
    _use_fabric "$FABRIC_BIN_DIR" "$(cd "$FABRIC_BIN_DIR/../config" && pwd)" "FABRIC_BIN_DIR"
    return
  fi
  local onpath
  onpath=$(command -v peer 2>/dev/null || true)
  if [ -n "$onpath" ]; then
    onpath=$(dirname "$onpath")
    if _has_tools "$onpath" && _in_series "$(_peer_version "$onpath")" && [ -f "$onpath/../config/core.yaml" ]; then
      _use_fabric "$onpath" "$(cd "$onpath/../config" && pwd)" "PATH"
      return
    fi
  fi
  local entry tag dir
  for entry in "${FABRIC_RELEASES[@]}"; do
    tag=${entry%% *}
    _in_series "$tag" || continue
    dir="$POLL_LEDGER_CACHE_DIR/fabric-$tag"
    if _has_tools "$dir/bin" && [ -f "$dir/config/core.yaml" ]; then
      _use_fabric "$dir/bin" "$dir/config" "cached"
      return
    fi
  done
  _build_fabric
}
