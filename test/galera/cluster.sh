#!/usr/bin/env bash
# A three-node MariaDB Galera cluster on 127.0.0.1 from plain processes (no systemd, no containers),
# for `npm run test:galera` (test/galera/galera.test.ts). Needs the Debian packages mariadb-server,
# galera-4 and rsync. Every node lives under GALERA_BASE (a scratch directory: `start` wipes it).
#
#   GALERA_BASE=DIR cluster.sh start      init the data directories, bootstrap node 1, join 2 and 3, wait for size 3
#   GALERA_BASE=DIR cluster.sh stop [N]   SIGTERM every node (or node N) this harness started, SIGKILL after WAIT_S
#   GALERA_BASE=DIR cluster.sh kill N     SIGKILL node N (the fault the test injects)
#   GALERA_BASE=DIR cluster.sh restart N  start node N again as a joiner (incremental transfer), wait until Synced
#   GALERA_BASE=DIR cluster.sh status     pid, state and cluster size of each node
#
# Ports (N = 1..3): SQL 3306N (root, no password, TCP on 127.0.0.1), replication 4567N, incremental
# state transfer 4568N, full state transfer (rsync) 4569N. Adapted from a harness run end to end on
# these machines; the notes on why each odd setting is there are kept next to it.
set -euo pipefail

BASE=${GALERA_BASE:?set GALERA_BASE to a scratch directory for the three nodes}
PROVIDER=${WSREP_PROVIDER:-/usr/lib/galera/libgalera_smm.so}
SST_METHOD=${SST_METHOD:-rsync}
WAIT_S=${WAIT_S:-90}
CLUSTER_ADDR="gcomm://127.0.0.1:45671,127.0.0.1:45672,127.0.0.1:45673"

# mariadbd refuses to run as root without --user; as root run it as 'mysql'.
if [ "$(id -u)" = 0 ]; then RUN_USER=mysql; else RUN_USER=$(id -un); fi

log() { echo "[$(date +%H:%M:%S.%3N)] $*" >&2; }
ndir() { echo "$BASE/node$1"; }

write_cnf() { # $1 = node number (1..3)
  local n=$1 d; d=$(ndir "$n")
  cat > "$d/my.cnf" <<EOF
[mysqld]
user=$RUN_USER
datadir=$d/data
socket=$d/mysql.sock
pid-file=$d/mysqld.pid
log-error=$d/error.log
tmpdir=$d/tmp
port=3306$n
bind-address=127.0.0.1
skip-name-resolve
performance_schema=OFF
innodb_buffer_pool_size=64M
innodb_log_file_size=16M
innodb_flush_log_at_trx_commit=${FLUSH:-1}
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
# three etender servers with their pools, the test's own handles and the scheduler: above the default 151 is safer
max_connections=300
EOF
  cat >> "$d/my.cnf" <<EOF
wsrep_on=ON
wsrep_provider=$PROVIDER
wsrep_cluster_name=testcluster
wsrep_cluster_address=$CLUSTER_ADDR
wsrep_node_name=node$n
wsrep_node_address=127.0.0.1:4567$n
wsrep_node_incoming_address=127.0.0.1:3306$n
wsrep_sst_method=$SST_METHOD
wsrep_sst_auth=root:
wsrep_sst_receive_address=127.0.0.1:4569$n
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:4567$n;ist.recv_addr=127.0.0.1:4568$n;gcache.size=32M;${EVS_OPTS:-evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT4S;evs.keepalive_period=PT1S}"

[sst]
# only mariabackup SST uses it; default is /tmp/sst_log_archive (outside our tree)
sst-log-archive-dir=$d/sst_log_archive
EOF
}

sql() { # $1 node, rest: mariadb client args (socket, root, no password)
  local n=$1; shift
  mariadb --no-defaults --protocol=socket -S "$(ndir "$n")/mysql.sock" -uroot -N -B "$@"
}

pid_of() { # prints pid if node $1 is running (and is really ours).
  # Uses the pid recorded at launch: a joiner writes its own pid-file only after SST.
  local d; d=$(ndir "$1")
  [ -s "$d/launch.pid" ] || return 1
  local p; p=$(cat "$d/launch.pid")
  [ -r "/proc/$p/cmdline" ] || return 1
  case "$(tr '\0' ' ' < "/proc/$p/cmdline")" in
    *"--defaults-file=$d/my.cnf"*) echo "$p" ;;
    *) return 1 ;;
  esac
}

launch() { # $1 node, $2.. extra args
  local n=$1; shift
  local d; d=$(ndir "$n")
  rm -f "$d/mysqld.pid" "$d/launch.pid"
  # setsid: own session, so the test runner's Ctrl-C/process-group kill does not hit it.
  # In a non-interactive shell the & child is no group leader, so setsid execs and $! is mariadbd.
  setsid mariadbd --defaults-file="$d/my.cnf" "$@" >>"$d/console.log" 2>&1 </dev/null &
  echo $! > "$d/launch.pid"
  sleep 0.2
  pid_of "$n" >/dev/null || { log "node$n died at startup"; tail -30 "$d/error.log" >&2; return 1; }
}

wait_synced() { # $1 node
  local n=$1 i st
  for i in $(seq 1 $((WAIT_S*10))); do
    st=$(sql "$n" -e "SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2 || true)
    [ "$st" = Synced ] && return 0
    if ! pid_of "$n" >/dev/null; then log "node$n exited"; tail -30 "$(ndir "$n")/error.log" >&2; return 1; fi
    sleep 0.1
  done
  log "node$n not Synced after ${WAIT_S}s"; return 1
}

wait_size() { # $1 node, $2 size
  local i s
  for i in $(seq 1 $((WAIT_S*10))); do
    s=$(sql "$1" -e "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'" 2>/dev/null | cut -f2 || true)
    [ "$s" = "$2" ] && return 0
    sleep 0.1
  done
  log "cluster size on node$1 is '$s', wanted $2"; return 1
}

init_node() { # fresh datadir
  local n=$1 d; d=$(ndir "$n")
  rm -rf "$d"; mkdir -p "$d/data" "$d/tmp"
  write_cnf "$n"
  mariadb-install-db --no-defaults --datadir="$d/data" --user="$RUN_USER" \
    --auth-root-authentication-method=normal --skip-test-db >"$d/install.log" 2>&1 \
    || { cat "$d/install.log" >&2; return 1; }
  chown -R "$RUN_USER" "$d"
}

recover_args() { # after a crash grastate.dat has seqno -1 -> recover position from InnoDB so the node can use IST instead of a full SST
  local n=$1 d; d=$(ndir "$n")
  grep -q '^seqno: *-1' "$d/data/grastate.dat" 2>/dev/null || return 0
  rm -f "$d/recover.log"
  mariadbd --defaults-file="$d/my.cnf" --wsrep-recover --log-error="$d/recover.log" --pid-file="$d/recover.pid" >/dev/null 2>&1 || true
  local pos; pos=$(sed -n 's/.*WSREP: Recovered position: *\([0-9a-f-]*:[0-9-]*\).*/\1/p' "$d/recover.log" | tail -1)
  [ -n "$pos" ] && { log "node$n recovered position $pos"; echo "--wsrep_start_position=$pos"; }
  return 0
}

stop_node() { # $1 node, graceful
  local n=$1 p i
  p=$(pid_of "$n") || return 0
  kill -TERM "$p"
  for i in $(seq 1 $((WAIT_S*10))); do
    # gone = no /proc entry or zombie (kill -0 is also true for a not-yet-reaped zombie)
    case "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" in ""|Z) return 0 ;; esac
    sleep 0.1
  done
  log "node$n did not stop in ${WAIT_S}s, SIGKILL $p"; kill -KILL "$p" || true
}

ports_free() { # refuse to start over someone else's listener (e.g. a node whose pid file was wiped)
  local busy
  busy=$(ss -Hltn 2>/dev/null | awk '{print $4}' | grep -E ':(3306[1-3]|4567[1-3]|4568[1-3]|4569[1-3])$' || true)
  [ -z "$busy" ] || { log "ports already in use: $(echo $busy)"; return 1; }
}

cmd_start() {
  for n in 1 2 3; do pid_of $n >/dev/null && { log "node$n already running"; exit 1; }; done
  ports_free
  # on any failure below, stop whatever this start launched
  trap 'rc=$?; if [ $rc -ne 0 ]; then log "start failed (rc=$rc), stopping nodes"; cmd_stop; fi' EXIT
  mkdir -p "$BASE"
  local t0; t0=$(date +%s.%N)
  init_node 1
  for n in 2 3; do  # same initial content; joiners get rsync SST from node1 anyway
    rm -rf "$(ndir $n)"; mkdir -p "$(ndir $n)/tmp"; cp -a "$(ndir 1)/data" "$(ndir $n)/data"
    write_cnf $n; chown -R "$RUN_USER" "$(ndir $n)"
  done
  log "datadirs ready"
  launch 1 --wsrep-new-cluster
  wait_synced 1
  # loopback TCP access for tests: root@127.0.0.1, no password (replicates via TOI)
  sql 1 -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
  log "node1 bootstrapped"
  if [ "${PARALLEL_JOIN:-0}" = 1 ]; then
    launch 2; launch 3; wait_synced 2; wait_synced 3
  else
    for n in 2 3; do launch $n; wait_synced $n; log "node$n synced"; done
  fi
  wait_size 1 3
  trap - EXIT
  log "cluster up, size=3 in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s"
}

cmd_stop() { # all in parallel (start always wipes, so bootstrap order does not matter)
  local pids=() n
  for n in 3 2 1; do stop_node $n & pids+=($!); done
  wait "${pids[@]}"   # not a bare 'wait': the mariadbd's may be children of this shell
  log "stopped"
}

cmd_status() {
  for n in 1 2 3; do
    if p=$(pid_of $n); then
      echo "node$n pid=$p $(sql $n -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment','wsrep_cluster_size','wsrep_cluster_status','wsrep_ready')" 2>/dev/null | tr '\t\n' '= ')"
    else echo "node$n down"; fi
  done
}

case "${1:-}" in
  start) cmd_start ;;
  stop) if [ -n "${2:-}" ]; then stop_node "$2"; else cmd_stop; fi ;;
  status) cmd_status ;;
  kill) p=$(pid_of "$2") && kill -KILL "$p" && log "SIGKILL node$2 pid $p" ;;
  restart) stop_node "$2"; launch "$2" $(recover_args "$2"); wait_synced "$2"; log "node$2 rejoined" ;;
  *) sed -n '2,15p' "$0"; exit 2 ;;
esac
