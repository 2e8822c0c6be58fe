#!/usr/bin/env bash
# Test hosts on one machine: N network namespaces joined by a bridge, each with an address of its
# own and an sshd that accepts a key made for this set of hosts, so that a fleet of clients and
# server nodes can be run "over SSH" without leaving the machine.
#
#   scripts/testhosts.sh up N     make hosts pbh1..pbhN (10.200.0.11 .. 10.200.0.(10+N)); idempotent
#   scripts/testhosts.sh down     remove them all: sshds, namespaces, links, keys; idempotent
#   scripts/testhosts.sh status   one line per host
#
# After `up`, `ssh -F $PUSHBENCH_TESTHOSTS/ssh_config pbh1 CMD` runs CMD on host 1, and
# $PUSHBENCH_TESTHOSTS/hosts lists "name address" per line. The machine itself is 10.200.0.1 on
# the bridge. The hosts share its files (only the network is theirs). Needs root.
set -euo pipefail
state=${PUSHBENCH_TESTHOSTS:-/run/pushbench-testhosts}
bridge=pbbr0
subnet=10.200.0
max_hosts=200

die() { echo "testhosts: $*" >&2; exit 2; }
address() { echo "$subnet.$((10 + $1))"; }

down() {
  for pidfile in "$state"/sshd-*.pid; do
    [[ -e $pidfile ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  for ns in $(ip netns list | awk '$1 ~ /^pbh[0-9]+$/ {print $1}'); do
    ip netns pids "$ns" | xargs -r kill -9 2>/dev/null || true  # anything a test left running there
    ip netns delete "$ns"
  done
  # A namespace the kernel is still holding (a socket closing in it) keeps its veth pair; the
  # others' pairs go with their namespaces by themselves, maybe while this runs.
  for link in $(ip -br link show type veth | awk '$1 ~ /^pbv[0-9]+@/ {sub(/@.*/, "", $1); print $1}'); do
    if ! ip link delete "$link" 2>/dev/null && ip link show "$link" >/dev/null 2>&1; then
      die "down: cannot remove $link"
    fi
  done
  ip link show "$bridge" >/dev/null 2>&1 && ip link delete "$bridge"
  rm -rf "$state"
}

host_up() {
  local i=$1 ns=pbh$1 addr
  addr=$(address "$i")
  if ! ip netns list | grep -qx "$ns\( .*\)\?"; then
    ip netns add "$ns"
    ip link add "pbv$i" type veth peer name eth0 netns "$ns"
    ip link set "pbv$i" master "$bridge" up
    ip -n "$ns" addr add "$addr/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" route add default via "$subnet.1"
    # A client host may hold 25,000 connections to one address and port: with the default range
    # (28,000 ports) each connect scans for a free port and the kernel's time grows with it.
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
  fi
  cat >"$state/sshd-$i.conf" <<EOF
ListenAddress $addr
HostKey $state/host_key
AuthorizedKeysFile $state/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
UsePAM no
StrictModes no
PidFile $state/sshd-$i.pid
MaxStartups 100
EOF
  if ! { [[ -e $state/sshd-$i.pid ]] && kill -0 "$(cat "$state/sshd-$i.pid")" 2>/dev/null; }; then
    ip netns exec "$ns" /usr/sbin/sshd -f "$state/sshd-$i.conf"
  fi
  printf 'Host %s\n  HostName %s\n  User root\n  IdentityFile %s/client_key\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n  BatchMode yes\n  ConnectTimeout 5\n' \
    "$ns" "$addr" "$state" >>"$state/ssh_config"
  echo "$ns $addr" >>"$state/hosts"
}

up() {
  local count=$1
  [[ $count =~ ^[0-9]+$ ]] && ((count >= 1 && count <= max_hosts)) || die "up: N must be 1 to $max_hosts, not '$count'"
  command -v /usr/sbin/sshd >/dev/null || die "sshd is missing: scripts/setup.sh installs openssh-server"
  # Whatever ends an unfinished up (a failed command, die, Ctrl-C) removes the hosts on the way out,
  # when this up made the set: hosts someone else had up are left as they were.
  up_finished=0 made_set=1
  [[ -e $state/hosts ]] && made_set=0
  trap '((up_finished || !made_set)) || { trap "" INT TERM; echo "testhosts: up did not finish; removing the hosts" >&2; down; }' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  mkdir -p "$state" /run/sshd
  [[ -e $state/host_key ]] || ssh-keygen -q -t ed25519 -N '' -f "$state/host_key"
  [[ -e $state/client_key ]] || ssh-keygen -q -t ed25519 -N '' -f "$state/client_key"
  cp "$state/client_key.pub" "$state/authorized_keys"
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type bridge
    ip addr add "$subnet.1/24" dev "$bridge"
    ip link set "$bridge" up
  fi
  : >"$state/ssh_config"
  : >"$state/hosts"
  for ((i = 1; i <= count; i++)); do host_up "$i"; done
  for ((i = 1; i <= count; i++)); do  # every sshd answers before we say the hosts are up
    for _ in $(seq 50); do
      ssh -F "$state/ssh_config" -o ConnectTimeout=1 "pbh$i" true 2>/dev/null && continue 2
      sleep 0.1
    done
    die "up: host pbh$i does not answer over SSH"
  done
  up_finished=1
  trap - INT TERM
  echo "testhosts: $count up; ssh -F $state/ssh_config pbh1"
}

status() {
  [[ -e $state/hosts ]] || { echo "testhosts: none"; return; }
  while read -r name addr; do
    local i=${name#pbh} sshd=down
    [[ -e $state/sshd-$i.pid ]] && kill -0 "$(cat "$state/sshd-$i.pid")" 2>/dev/null && sshd=up
    echo "$name $addr sshd $sshd"
  done <"$state/hosts"
}

[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces)"
case ${1:-} in
  up) up "${2:-}" ;;
  down) down ;;
  status) status ;;
  *) die "usage: scripts/testhosts.sh up N | down | status" ;;
esac
