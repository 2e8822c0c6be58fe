#!/usr/bin/env bash
# Installs the Debian packages pushbench needs (only those missing), then configures and builds
# the given CMake preset (default: release) into build/. Idempotent: a no-op when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}

packages=(
  cmake g++ make pkg-config
  libboost1.81-all-dev libcpp-httplib-dev libssl-dev openssl  # openssl: the TLS tests make a certificate
  libhiredis-dev redis-server haproxy  # --backplane: several servers over one Redis Stream, behind HAProxy
  openssh-server openssh-client iproute2  # scripts/testhosts.sh: namespaces as hosts, reached over SSH
  googletest libgtest-dev
  libbenchmark-dev libbenchmark-tools
  python3-pytest python3-websockets python3-matplotlib python3-numpy
  curl wrk nginx-light procps util-linux websocketd
  nodejs  # a SPEC server on Node's http module (verify tests), Pushpin's backend
  libnginx-mod-nchan pushpin  # push servers that are not ours (servers/peers/)
  clang-format flake8 clang
  git strace valgrind  # pushbench ab: worktrees, system calls, instructions
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
