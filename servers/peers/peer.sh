# Sourced by the peers' run.sh scripts: what starting any of them needs.

# A free loopback port.
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Sets `port` from the script's flags, `--port P` (0 or none: a free one); any other flag exits 2
# naming it.   port_flag SCRIPT_NAME "$@"
port_flag() {
  local name=$1
  shift
  port=0
  while (($#)); do
    case $1 in
      --port) port=$2; shift 2 ;;
      *) echo "$name: $1: unknown flag" >&2; exit 2 ;;
    esac
  done
  [[ $port != 0 ]] || port=$(free_port)
}

# Waits up to 5 s for HOST:PORT to accept a connection while process PID lives; false if it
# does not.   wait_listening HOST PORT PID
wait_listening() {
  local host=$1 port=$2 pid=$3
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
