# brokers.sh: starting and stopping the brokers the MQTT benchmarks compare, sourced by bench/mqtt
# and bench/commands (not run on its own). Expects: $work (a scratch directory, removed by the
# caller), $deadline_s, and `set -euo pipefail`. Sets server_pid/mosquitto_pid so that the caller's
# cleanup can stop them hard; every wait polls with the deadline.

# Other work on the machine moves every figure: print the load next to each step.
load_avg() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"; }
now_s() { date +%s; }

stop_hard() {
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}

# Stops a broker with SIGTERM and checks it exits within deadline_s with status 0.
stop_broker() {
  local pid=$1 name=$2 log=$3 stopping status=0
  kill -TERM "$pid"
  stopping=$(now_s)
  while kill -0 "$pid" 2>/dev/null && [ $(($(now_s) - stopping)) -lt "$deadline_s" ]; do sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name still running $deadline_s s after SIGTERM" >&2
    return 1
  fi
  wait "$pid" || status=$?
  echo "$name stopped after $(($(now_s) - stopping)) s, exit status $status"
  if [ "$status" != 0 ]; then
    cat "$log" >&2
    return 1
  fi
}

# start_tributary <binary> <data dir> [serve args...]: `tributary serve` with every listener on a
# free loopback port and its log at warn (as Mosquitto's logs errors and warnings only); waits for
# /health/ready. Sets server_pid and the addresses mqtt, kafka, registry, admin, restproxy; the log is
# $work/serve.log.
start_tributary() {
  local tributary=$1 data=$2 settings started key
  shift 2
  local serve_args=(--data-dir="$data" --log.level=warn "$@")
  for key in $("$tributary" config | sed -n 's/^\([a-z.-]*listen\): .*/\1/p'); do
    serve_args+=("--$key=127.0.0.1:0")
  done
  settings=$("$tributary" config "${serve_args[@]}")
  setting() { sed -n "s/^$1: '\(.*\)'$/\1/p" <<<"$settings"; }
  echo "== starting tributary serve (server.threads $(setting server.threads), mqtt.max-in-flight" \
    "$(setting mqtt.max-in-flight), storage.flush-policy $(setting storage.flush-policy)," \
    "kafka.hono-partitions $(setting kafka.hono-partitions))"
  mkdir -p "$data"
  "$tributary" serve "${serve_args[@]}" >"$work/serve.log" 2>&1 &
  server_pid=$!
  started=$(now_s)
  listener() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$data/listeners.json"; }
  while :; do
    if [ -f "$data/listeners.json" ]; then
      mqtt=$(listener mqtt)
      kafka=$(listener kafka)
      registry=$(listener registry)
      admin=$(listener admin)
      restproxy=$(listener restproxy)
      if [ -n "$mqtt" ] && [ -n "$kafka" ] && [ -n "$registry" ] && [ -n "$admin" ] &&
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$admin/health/ready")" = 200 ]; then
        break
      fi
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "tributary serve exited during startup:" >&2
      cat "$work/serve.log" >&2
      exit 1
    fi
    if [ $(($(now_s) - started)) -ge "$deadline_s" ]; then
      echo "tributary serve not ready after $deadline_s s:" >&2
      cat "$work/serve.log" >&2
      exit 1
    fi
    sleep 0.05
  done
  echo "tributary pid $server_pid: mqtt $mqtt, kafka $kafka, registry $registry, ready"
}

# start_mosquitto <password file>: Debian's mosquitto on a free loopback port below the ephemeral
# range, persistence off, TCP_NODELAY (as Tributary's sockets), per-client queue limits lifted so a
# busy subscriber loses no QoS 1 message. Sets mosquitto_pid and port; the log is
# $work/mosquitto.log.
start_mosquitto() {
  local passwd=$1 candidate started settings
  port=
  for _ in 1 2 3 4 5; do
    candidate=$((20000 + RANDOM % 12000))  # below the ephemeral range, which the idle runs use heavily
    if ss -Htln "sport = :$candidate" | grep -q .; then continue; fi
    cat >"$work/mosquitto.conf" <<CONF
listener $candidate 127.0.0.1
user $(id -un)
allow_anonymous false
password_file $passwd
persistence false
set_tcp_nodelay true
max_queued_messages 0
max_inflight_messages 0
log_dest stdout
log_type error
log_type warning
CONF
    mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
    mosquitto_pid=$!
    started=$(now_s)
    while kill -0 "$mosquitto_pid" 2>/dev/null && ! ss -Htln "sport = :$candidate" | grep -q .; do
      if [ $(($(now_s) - started)) -ge "$deadline_s" ]; then
        echo "mosquitto not listening after $deadline_s s:" >&2
        cat "$work/mosquitto.log" >&2
        exit 1
      fi
      sleep 0.05
    done
    if kill -0 "$mosquitto_pid" 2>/dev/null; then
      port=$candidate
      break
    fi
    wait "$mosquitto_pid" || true
    mosquitto_pid=
    echo "mosquitto could not listen on $candidate: $(tail -1 "$work/mosquitto.log")"
  done
  if [ -z "$port" ]; then
    echo "mosquitto did not start" >&2
    exit 1
  fi
  # The settings that matter, on one line.
  settings=$(grep -Ev '^(log_|listener|user)' "$work/mosquitto.conf" | sed 's/^password_file .*/password_file/' |
    paste -sd,)
  echo "mosquitto $(mosquitto -h 2>&1 | sed -n 's/^mosquitto version //p') pid $mosquitto_pid: 127.0.0.1:$port" \
    "(${settings//,/, })"
}
