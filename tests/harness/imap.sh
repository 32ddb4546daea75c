#!/usr/bin/env bash
# A throwaway IMAP server (Dovecot) for tests.
#
#   tests/harness/imap.sh start DIR PORT USER PASSWORD   # serves USER's INBOX on 127.0.0.1:PORT
#   tests/harness/imap.sh stop DIR                       # stops it and removes DIR
#
# Everything lives in DIR: the configuration (DIR/dovecot.conf), sockets and state, the log
# (DIR/dovecot.log) and the mail (maildir under DIR/mail). One user with a static password,
# plain IMAP on loopback only, no TLS: acceptable only because the server is throwaway and
# reachable from this machine alone. No system service or configuration is touched.
#
# Dovecot runs as the calling user; as root, as the unprivileged `dovecot` account (its
# package creates it), so that no mail process runs as root.
set -euo pipefail

readonly MARKER=.custos-imap-harness

die() {
  echo "imap.sh: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start DIR PORT USER PASSWORD | stop DIR" >&2
  exit 2
}

find_dovecot() {
  local bin
  for bin in "$(command -v dovecot 2>/dev/null || true)" /usr/sbin/dovecot; do
    [[ -n $bin && -x $bin ]] && { echo "$bin"; return; }
  done
  die "dovecot not found (install the dovecot-imapd package)"
}

start() {
  local dir=$1 port=$2 user=$3 password=$4
  local dovecot owner
  dovecot=$(find_dovecot)
  if [[ $EUID -eq 0 ]]; then owner=dovecot; else owner=$(id -un); fi
  id "$owner" >/dev/null 2>&1 || die "user $owner does not exist"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is in use"; fi
  mkdir -p "$dir/run" "$dir/state" "$dir/mail"
  touch "$dir/$MARKER"
  cat >"$dir/dovecot.conf" <<CONF
# custos test harness: a private Dovecot, nothing shared with a system instance
base_dir = $dir/run
state_dir = $dir/state
instance_name = custos-test-$port
protocols = imap
listen = 127.0.0.1
log_path = $dir/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = $owner
default_internal_group = $(id -gn "$owner")
default_login_user = $owner
first_valid_uid = 1
mail_location = maildir:$dir/mail/%u
passdb {
  driver = static
  args = password=$password
}
userdb {
  driver = static
  args = uid=$owner gid=$(id -gn "$owner") home=$dir/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  chroot =
}
CONF
  mkdir -p "$dir/mail/$user/new" "$dir/mail/$user/cur" "$dir/mail/$user/tmp"
  if [[ $EUID -eq 0 ]]; then chown -R "$owner:" "$dir"; fi
  chmod 700 "$dir"
  # -F: stay in the foreground, so that the PID we keep is the master's.
  if [[ $EUID -eq 0 ]]; then
    (cd / && exec runuser -u "$owner" -- "$dovecot" -c "$dir/dovecot.conf" -F) \
      >>"$dir/dovecot.out" 2>&1 &
  else
    "$dovecot" -c "$dir/dovecot.conf" -F >>"$dir/dovecot.out" 2>&1 &
  fi
  echo $! >"$dir/dovecot.pid"
  local i
  for i in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$(cat "$dir/dovecot.pid")" 2>/dev/null ||
      die "dovecot did not start: $(cat "$dir/dovecot.out" "$dir/dovecot.log" 2>/dev/null | tail -n 5)"
    sleep 0.1
  done
  die "dovecot did not listen on 127.0.0.1:$port within 10 s"
}

stop() {
  local dir=$1
  [[ -f $dir/$MARKER ]] || die "$dir is not an IMAP harness directory"
  if [[ -f $dir/dovecot.pid ]]; then
    local pid
    pid=$(cat "$dir/dovecot.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) [[ $# -eq 5 ]] || usage; start "$2" "$3" "$4" "$5" ;;
  stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
  *) usage ;;
esac
