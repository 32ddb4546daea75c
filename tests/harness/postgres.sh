#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests.
#
#   tests/harness/postgres.sh start DIR   # prints only the connection URL on stdout
#   tests/harness/postgres.sh stop DIR    # stops the cluster and removes DIR
#
# The cluster lives entirely in DIR: data in DIR/data, the unix socket in DIR, the server log in
# DIR/server.log. It listens on that socket and on 127.0.0.1 at the first free port from 55432
# upward, so it never touches the system cluster Debian's postgresql package runs on 5432.
# Authentication is `trust` (no passwords): acceptable only because the cluster is throwaway and
# reachable from this machine alone. Database `custos` is owned by role `custos` (LOGIN CREATEDB,
# not a superuser, so tests notice code that would need more privileges than production grants;
# CREATEDB lets tests make fresh databases).
#
# PostgreSQL refuses to run as root: when run as root the server binaries run as `postgres`.
set -euo pipefail

readonly FIRST_PORT=55432
readonly LAST_PORT=55631
readonly MARKER=.custos-postgres-harness

die() {
  echo "postgres.sh: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start DIR | stop DIR" >&2
  exit 2
}

# Server binaries: pg_config's bindir when it really holds them (libpq-dev ships pg_config even
# without the server), else the newest /usr/lib/postgresql/*/bin.
find_bindir() {
  local dir
  if command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir 2>/dev/null || true)
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      echo "$dir"
      return
    fi
  fi
  local candidates=(/usr/lib/postgresql/*/bin)  # stays the literal pattern when nothing matches
  dir=$(printf '%s\n' "${candidates[@]}" | sort -V | tail -n 1)
  [[ -n "$dir" && -x "$dir/initdb" ]] ||
    die "no PostgreSQL server binaries found (install the postgresql package)"
  echo "$dir"
}

# Runs a server binary as the cluster's owner. From a neutral working directory, because the
# postgres user may not be allowed into the caller's (e.g. /root).
as_owner() {
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# A caller's PG* environment (PGHOST, PGPORT, PGOPTIONS...) must not redirect our commands to
# another cluster.
clear_pg_environment() {
  local var
  for var in $(compgen -e); do
    [[ $var == PG* ]] && unset "$var"
  done
  return 0
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

write_config() {
  local dir=$1
  # Only our settings at the end of the file: later lines win.
  as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF

# custos test harness
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 100
logging_collector = off
EOF
  as_owner tee "$dir/data/pg_hba.conf" >/dev/null <<'EOF'
# custos test harness: throwaway cluster, local access only, no passwords.
local all all                 trust
host  all all 127.0.0.1/32    trust
EOF
}

# Tries ports upward; pg_ctl start is the real test because another process may take a port
# between the probe and the bind.
start_server() {
  local bindir=$1 dir=$2 port log_size attempt_log
  # A unix socket path is limited to 107 bytes.
  ((${#dir} + 20 < 108)) || die "DIR path too long for a unix socket: $dir"
  for ((port = FIRST_PORT; port <= LAST_PORT; port++)); do
    port_in_use "$port" && continue
    log_size=$(stat -c %s "$dir/server.log" 2>/dev/null || echo 0)
    if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port" start >&2; then
      echo "$port"
      return
    fi
    # A failed start leaves nothing running; only a bind conflict is worth another port.
    attempt_log=$(tail -c +$((log_size + 1)) "$dir/server.log" 2>/dev/null || true)
    if ! grep -q 'could not bind\|could not create lock file' <<<"$attempt_log"; then
      echo "$attempt_log" >&2
      die "the server did not start (log: $dir/server.log)"
    fi
  done
  die "no free port in $FIRST_PORT..$LAST_PORT"
}

create_database() {
  local bindir=$1 dir=$2 port=$3
  as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE custos LOGIN CREATEDB" \
    -c "CREATE DATABASE custos OWNER custos" >&2
}

cmd_start() {
  local dir=$1 bindir port
  bindir=$(find_bindir)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  [[ -z "$(ls -A "$dir")" ]] || die "$dir is not empty"
  # The path goes into postgresql.conf as a quoted, comma-separated list.
  [[ $dir != *[\',]* ]] || die "DIR must not contain quotes or commas: $dir"
  if [[ $EUID -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user to run the server"
    chown postgres: "$dir"
    chmod 700 "$dir"
    runuser -u postgres -- test -w "$dir" ||
      die "user postgres cannot reach $dir (a parent directory is not searchable by it)"
  fi
  touch "$dir/$MARKER"
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >&2
  write_config "$dir"
  port=$(start_server "$bindir" "$dir")
  echo "$port" >"$dir/port"
  create_database "$bindir" "$dir" "$port"
  echo "postgresql://custos@127.0.0.1:$port/custos"
}

cmd_stop() {
  local dir=$1 bindir
  [[ -d "$dir" ]] || return 0
  dir=$(cd "$dir" && pwd -P)
  # Never delete a directory this script did not set up.
  [[ -e "$dir/$MARKER" ]] || die "$dir was not created by $0; refusing to remove it"
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    bindir=$(find_bindir)
    # A server that already died leaves its pid file behind; that is no reason to keep DIR.
    if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2 &&
      as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      die "could not stop the server in $dir/data"
    fi
  fi
  rm -rf -- "$dir"
}

main() {
  [[ $# -eq 2 && -n "$2" ]] || usage
  clear_pg_environment
  case $1 in
    start) cmd_start "$2" ;;
    stop) cmd_stop "$2" ;;
    *) usage ;;
  esac
}

main "$@"
