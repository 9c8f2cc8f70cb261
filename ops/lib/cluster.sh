# The cluster on one machine (ops/cluster, ops/faults): three RabbitMQ nodes forming one cluster,
# the private PostgreSQL of services.sh, three hub processes and HAProxy in front of them on
# 127.0.0.1:8080. Each piece is a process under .local/cluster with its pid file, started and
# stopped one at a time, so that ops/faults can kill and restart any of them. Sourced after services.sh.

CLUSTER="$LOCAL/cluster"
CLUSTER_NODES=(1 2 3)
CLUSTER_AMQP_BASE="${DEX_CLUSTER_AMQP_BASE:-56730}"   # node N listens on base+N
CLUSTER_DIST_BASE="${DEX_CLUSTER_DIST_BASE:-56740}"
CLUSTER_EPMD_PORT="${DEX_CLUSTER_EPMD_PORT:-56750}"
CLUSTER_HUB_BASE="${DEX_CLUSTER_HUB_BASE:-8180}"      # hub N listens on base+N
CLUSTER_LB_PORT="${DEX_CLUSTER_LB_PORT:-8080}"
CLUSTER_AXIS_PORT="${DEX_CLUSTER_AXIS_PORT:-8095}"    # the stand-in national axis (control port one below)
CLUSTER_DB=dex_cluster
CLUSTER_VHOST=dex_cluster
# The cluster's hubs run from their own published copy, so that a build in the checkout never swaps
# the code under a running (or restarted) cluster hub.
HUB_DLL="$CLUSTER/hub/DocExchange.Hub.dll"

cluster_node_env() {
  local n="$1"
  export HOME="$CLUSTER/rabbit"                      # one Erlang cookie for the nodes and the CLI
  export RABBITMQ_NODENAME="dex$n@localhost"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$((CLUSTER_AMQP_BASE + n))
  export RABBITMQ_DIST_PORT=$((CLUSTER_DIST_BASE + n))
  export ERL_EPMD_PORT="$CLUSTER_EPMD_PORT"
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$CLUSTER/rabbit/node$n/mnesia"
  export RABBITMQ_LOG_BASE="$CLUSTER/rabbit/node$n/log"
  export RABBITMQ_PID_FILE="$CLUSTER/rabbit/node$n/rabbit.pid"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$CLUSTER/rabbit/enabled_plugins"
  export RABBITMQ_CONFIG_FILE="$CLUSTER/rabbit/rabbitmq"
}

cluster_ctl() { local n="$1"; shift; ( cluster_node_env "$n"; "$RABBITMQCTL" -q "$@" ); }

rabbit_node_running() { cluster_ctl "$1" await_startup --timeout 2 >/dev/null 2>&1; }

start_rabbit_node() {
  local n="$1"
  mkdir -p "$CLUSTER/rabbit/node$n/mnesia" "$CLUSTER/rabbit/node$n/log"
  [ -f "$CLUSTER/rabbit/enabled_plugins" ] || echo '[].' >"$CLUSTER/rabbit/enabled_plugins"
  [ -f "$CLUSTER/rabbit/rabbitmq.conf" ] || cat >"$CLUSTER/rabbit/rabbitmq.conf" <<CONF
loopback_users.guest = true
vm_memory_high_watermark.relative = 0.15
disk_free_limit.absolute = 200MB
CONF
  if rabbit_node_running "$n"; then return 0; fi
  ( cluster_node_env "$n"
    setsid nohup /usr/lib/rabbitmq/bin/rabbitmq-server >>"$RABBITMQ_LOG_BASE/console.log" 2>&1 </dev/null & )
  for _ in $(seq 1 90); do
    rabbit_node_running "$n" && return 0
    sleep 1
  done
  die "RabbitMQ node dex$n did not start; see $CLUSTER/rabbit/node$n/log/"
}

# Stops one node the way an operator's restart does (the node leaves, its queues' leaders move).
stop_rabbit_node() {
  local n="$1" pidfile="$CLUSTER/rabbit/node$1/rabbit.pid"
  [ -f "$pidfile" ] || return 0
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    cluster_ctl "$n" stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -f "$pidfile"
}

start_rabbit_cluster() {
  mkdir -p "$CLUSTER/rabbit"
  for n in "${CLUSTER_NODES[@]}"; do
    start_rabbit_node "$n"
    if [ "$n" != 1 ] && ! cluster_ctl "$n" cluster_status 2>/dev/null | grep -q "dex1@localhost"; then
      log "joining RabbitMQ node dex$n to dex1"
      cluster_ctl "$n" stop_app >/dev/null
      cluster_ctl "$n" join_cluster dex1@localhost >/dev/null || die "node dex$n could not join dex1"
      cluster_ctl "$n" start_app >/dev/null
    fi
  done
  cluster_ctl 1 add_vhost "$CLUSTER_VHOST" >/dev/null 2>&1 || true
  cluster_ctl 1 set_permissions -p "$CLUSTER_VHOST" guest '.*' '.*' '.*' >/dev/null
}

stop_rabbit_cluster() {
  for n in 3 2 1; do stop_rabbit_node "$n"; done
  for p in $(pgrep -x epmd || true); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "ERL_EPMD_PORT=$CLUSTER_EPMD_PORT" && kill "$p" 2>/dev/null
  done
  true
}

# The nodes as hub N lists them: its own first (hub 1 starts at dex1, hub 2 at dex2, ...), so that the
# hubs' connections spread over the cluster and one node's loss moves only a third of them.
cluster_rabbit_nodes() {
  local first="${1:-1}" list="" n i
  for i in 0 1 2; do
    n=$(( (first - 1 + i) % 3 + 1 ))
    list="$list${list:+,}127.0.0.1:$((CLUSTER_AMQP_BASE + n))"
  done
  echo "$list"
}

# What every hub of the cluster shares: one database, one vhost on the cluster, one ledger key,
# one trust configuration, one national axis.
cluster_hub_env() {
  local n="${1:-1}"
  export DEX_PG="$(pg_conn "$CLUSTER_DB")"
  export DEX_RABBIT="rabbitmq://127.0.0.1:$((CLUSTER_AMQP_BASE + n))/$CLUSTER_VHOST"
  export DEX_RABBIT_NODES="$(cluster_rabbit_nodes "$n")"
  [ -n "${DEX_LEDGER_KEY:-}" ] || export DEX_LEDGER_KEY_FILE="$CLUSTER/ledger.key"
  export DEX_TRUST_ANCHORS="${DEX_TRUST_ANCHORS:-$CLUSTER/pki/ca.pem}"
  export DEX_SIGNING_CERT="${DEX_SIGNING_CERT:-$CLUSTER/pki/hub.pem}" DEX_SIGNING_KEY="${DEX_SIGNING_KEY:-$CLUSTER/pki/hub.key}"
  if [ -z "${DEX_AXIS_URL:-}" ]; then
    export DEX_AXIS_URL="http://127.0.0.1:$CLUSTER_AXIS_PORT" DEX_AXIS_SYSTEMID="$STANDIN_SYSTEMID" DEX_AXIS_SECRET="$STANDIN_SECRET"
  fi
}

hub_running() { [ -f "$CLUSTER/hub$1.pid" ] && kill -0 "$(cat "$CLUSTER/hub$1.pid")" 2>/dev/null; }

start_hub() {
  local n="$1"
  hub_running "$n" && return 0
  ( cluster_hub_env "$n"
    export DEX_URLS="http://127.0.0.1:$((CLUSTER_HUB_BASE + n))"
    Logging__LogLevel__Default=Warning setsid nohup env "${HUB_RUNTIME_ENV[@]}" dotnet "$HUB_DLL" serve >>"$CLUSTER/hub$n.log" 2>&1 </dev/null &
    echo $! >"$CLUSTER/hub$n.pid" )
}

# kill_hub N [SIGNAL]: SIGKILL by default, as a crash.
kill_hub() {
  local n="$1" sig="${2:-KILL}"
  hub_running "$n" || return 0
  local pid; pid="$(cat "$CLUSTER/hub$n.pid")"
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  rm -f "$CLUSTER/hub$n.pid"
}

wait_hub_ready() {
  local n="$1" url="http://127.0.0.1:$((CLUSTER_HUB_BASE + $1))"
  for _ in $(seq 1 240); do
    curl -fs "$url/health/ready" >/dev/null 2>&1 && return 0
    hub_running "$n" || { tail -20 "$CLUSTER/hub$n.log" >&2; die "hub $n exited; see $CLUSTER/hub$n.log"; }
    sleep 0.5
  done
  die "hub $n is not ready after 120 s; see $CLUSTER/hub$n.log"
}

start_haproxy() {
  command -v haproxy >/dev/null || apt_install haproxy
  if [ -f "$CLUSTER/haproxy.pid" ] && kill -0 "$(cat "$CLUSTER/haproxy.pid")" 2>/dev/null; then return 0; fi
  {
    cat <<CONF
global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    option redispatch
    retries 2
frontend hubs
    bind 127.0.0.1:$CLUSTER_LB_PORT
    default_backend hubs
backend hubs
    balance roundrobin
    option httpchk GET /health/ready
    http-check expect status 200
    default-server inter 1s fall 2 rise 1
CONF
    for n in "${CLUSTER_NODES[@]}"; do echo "    server hub$n 127.0.0.1:$((CLUSTER_HUB_BASE + n)) check"; done
  } >"$CLUSTER/haproxy.cfg"
  haproxy -D -f "$CLUSTER/haproxy.cfg" -p "$CLUSTER/haproxy.pid" || die "HAProxy did not start (port $CLUSTER_LB_PORT in use?)"
}

stop_haproxy() {
  if [ -f "$CLUSTER/haproxy.pid" ]; then
    for pid in $(cat "$CLUSTER/haproxy.pid"); do kill "$pid" 2>/dev/null || true; done
    rm -f "$CLUSTER/haproxy.pid"
  fi
}
