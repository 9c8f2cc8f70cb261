# Private PostgreSQL and RabbitMQ for a checkout: installed with apt-get when missing, started on
# loopback ports under .local/, stopped by pid. Sourced by ops/run, ops/test, ops/bench, ops/stop.
# Nothing here is used when DEX_PG / DEX_RABBIT point at external servers.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL="$ROOT/.local"
PG_BIN="${DEX_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORT="${DEX_PG_PORT:-55432}"
RABBIT_PORT="${DEX_RABBIT_PORT:-56720}"
RABBIT_DIST_PORT="${DEX_RABBIT_DIST_PORT:-56721}"
EPMD_PORT="${DEX_EPMD_PORT:-56722}"
RABBIT_HOME="$LOCAL/rabbitmq"
RABBITMQCTL=/usr/lib/rabbitmq/bin/rabbitmqctl

# The hub's runtime settings that only the environment can give (the runtime reads no runtimeconfig
# setting for them); ops/run, ops/bench and ops/cluster start the hub with them, the Dockerfile sets the
# same. DOTNET_GCgen0size: the young generation's budget, 32 MB instead of the runtime's 6 MB for this
# collector. Measured with ops/bench in alternation (README, eighteenth session): the hub's collection
# pauses per document a fourth to a fifth of what they were, its CPU per document lower. The hub logs the budget it
# got at start and serves it on /metrics (dex_runtime_gc_gen0_budget_bytes). An operator's own value wins.
HUB_RUNTIME_ENV=("DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x2000000}")

log() { printf '[ops] %s\n' "$*" >&2; }
die() { printf '[ops] error: %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  log "installing $* (apt-get)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || die "apt-get install $* failed; install it by hand or set DEX_PG / DEX_RABBIT to external servers"
}

ensure_packages() {
  [ -x "$PG_BIN/initdb" ] || apt_install postgresql-15 postgresql-client-15
  command -v psql >/dev/null || apt_install postgresql-client-15
  [ -x "$RABBITMQCTL" ] || apt_install rabbitmq-server
  command -v xmlsec1 >/dev/null || apt_install xmlsec1
  command -v openssl >/dev/null || apt_install openssl
  [ -x /usr/bin/time ] || apt_install time   # GNU time: the CLI memory test reads peak RSS
  command -v docker-compose >/dev/null || apt_install docker-compose   # validates docker-compose.yml (no engine needed)
  command -v chromium >/dev/null || apt_install chromium   # the web console's browser tests (Playwright drives the system browser)
}

# PostgreSQL refuses to run as root: the cluster belongs to 'postgres' when we are root.
pg_user_run() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_dir() {
  # The postgres user must be able to reach the data folder; a checkout inside a private folder
  # (mode 700) can't host it, so the cluster then lives in /var/tmp under a name of this checkout.
  local d="$LOCAL/pg"
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$d"; chown postgres "$d"
    if ! runuser -u postgres -- test -w "$d"; then
      d="/var/tmp/dex-pg-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
      mkdir -p "$d"; chown postgres "$d"
    fi
  fi
  echo "$d"
}

pg_running() { pg_user_run "$PG_BIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1; }

start_postgres() {
  local d; d="$(pg_dir)"
  mkdir -p "$d/run"; [ "$(id -u)" = 0 ] && chown postgres "$d/run"
  if [ ! -f "$d/data/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $d/data"
    pg_user_run "$PG_BIN/initdb" -D "$d/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$d/initdb.log" 2>&1 \
      || die "initdb failed; see $d/initdb.log"
    cat >>"$d/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$d/run'
max_connections = 300
shared_buffers = 256MB
synchronous_commit = on
fsync = on
CONF
  fi
  pg_tune "$d/data/postgresql.conf"
  if pg_running "$d"; then
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    pg_user_run "$PG_BIN/pg_ctl" -D "$d/data" -l "$d/postgres.log" -w -t 60 start >/dev/null \
      || die "PostgreSQL did not start; see $d/postgres.log"
  fi
  ln -sfn "$d" "$LOCAL/pg-cluster" 2>/dev/null || true
}

# Settings a cluster made before they were added gets too (read when the server starts).
pg_tune() {
  # The hub's tables live in memory or on SSD: a random page costs about what a sequential one does.
  # With the default 4, PostgreSQL scanned all of deliveries to find the connector's 200 rows by key
  # (4-20 ms a statement at 24,000 rows against 1.6-2.1 ms through the index).
  grep -q '^random_page_cost' "$1" || echo "random_page_cost = 1.1" >>"$1"
}

stop_postgres() {
  local d; d="$(pg_dir)"
  if [ -f "$d/data/postmaster.pid" ]; then
    local pid; pid="$(head -1 "$d/data/postmaster.pid")"
    log "stopping PostgreSQL (pid $pid)"
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
}

rabbit_env() {
  export HOME="$RABBIT_HOME"
  export RABBITMQ_NODENAME="dex@localhost"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$RABBIT_PORT"
  export RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT"
  export ERL_EPMD_PORT="$EPMD_PORT"
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$RABBIT_HOME/mnesia"
  export RABBITMQ_LOG_BASE="$RABBIT_HOME/log"
  export RABBITMQ_PID_FILE="$RABBIT_HOME/rabbit.pid"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_HOME/enabled_plugins"
  export RABBITMQ_CONFIG_FILE="$RABBIT_HOME/rabbitmq"
}

start_rabbit() {
  mkdir -p "$RABBIT_HOME/mnesia" "$RABBIT_HOME/log"
  [ -f "$RABBIT_HOME/enabled_plugins" ] || echo '[].' >"$RABBIT_HOME/enabled_plugins"
  [ -f "$RABBIT_HOME/rabbitmq.conf" ] || cat >"$RABBIT_HOME/rabbitmq.conf" <<CONF
loopback_users.guest = true
vm_memory_high_watermark.relative = 0.3
disk_free_limit.absolute = 200MB
CONF
  (
    rabbit_env
    if "$RABBITMQCTL" -q status >/dev/null 2>&1; then
      log "RabbitMQ already running on 127.0.0.1:$RABBIT_PORT"; exit 0
    fi
    log "starting RabbitMQ on 127.0.0.1:$RABBIT_PORT"
    setsid nohup /usr/lib/rabbitmq/bin/rabbitmq-server >"$RABBIT_HOME/log/console.log" 2>&1 </dev/null &
    for _ in $(seq 1 60); do
      "$RABBITMQCTL" -q await_startup --timeout 5 >/dev/null 2>&1 && exit 0
      sleep 1
    done
    die "RabbitMQ did not start; see $RABBIT_HOME/log/"
  ) || exit 1
}

stop_rabbit() {
  (
    rabbit_env
    if [ -f "$RABBITMQ_PID_FILE" ]; then
      local pid; pid="$(cat "$RABBITMQ_PID_FILE")"
      if kill -0 "$pid" 2>/dev/null; then
        log "stopping RabbitMQ (pid $pid)"
        "$RABBITMQCTL" -q stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      fi
      rm -f "$RABBITMQ_PID_FILE"
    fi
    # epmd outlives the node; ours listens on a private port, so stop exactly that one.
    local epmd=""
    for p in $(pgrep -x epmd || true); do
      tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "ERL_EPMD_PORT=$EPMD_PORT" && epmd="$epmd $p"
    done
    for p in $epmd; do log "stopping epmd (pid $p)"; kill "$p" 2>/dev/null || true; done
  )
}

# Start what is not configured externally and export the connection settings for the hub.
start_services() {
  mkdir -p "$LOCAL"
  if [ -z "${DEX_PG:-}" ] || [ -z "${DEX_RABBIT:-}" ]; then ensure_packages; fi
  if [ -z "${DEX_PG:-}" ]; then
    start_postgres
    export DEX_PG_LOCAL=1
  fi
  if [ -z "${DEX_RABBIT:-}" ]; then
    start_rabbit
    export DEX_RABBIT_LOCAL=1
  fi
}

# Whether the pid in FILE is a live hub (ops/run's): alive, not a zombie, and running DocExchange.Hub.
# A pid file left by a crash, or whose pid the system gave to another program, is stale.
hub_running() {
  local file="$1" pid state args
  [ -f "$file" ] || return 1
  pid="$(cat "$file" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state="$(ps -o stat= -p "$pid" 2>/dev/null | tr -d ' ')" || return 1
  [ -n "$state" ] && [[ "$state" != Z* ]] || return 1
  args="$(ps -o args= -p "$pid" 2>/dev/null)"
  [[ "$args" == *DocExchange.Hub* ]]
}

# Connection strings for a database / vhost on the private servers (or the external ones).
pg_conn() { echo "${DEX_PG:-Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=$1}"; }
rabbit_uri() { echo "${DEX_RABBIT:-rabbitmq://127.0.0.1:$RABBIT_PORT/$1}"; }

ensure_database() {
  # Only for the private cluster; an external database is created by its administrator.
  [ -n "${DEX_PG_LOCAL:-}" ] || return 0
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$1'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE \"$1\"" >/dev/null
}

recreate_database() {
  [ -n "${DEX_PG_LOCAL:-}" ] || return 0
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE \"$1\"" >/dev/null
}

ensure_vhost() {
  [ -n "${DEX_RABBIT_LOCAL:-}" ] || return 0
  ( rabbit_env
    "$RABBITMQCTL" -q add_vhost "$1" >/dev/null 2>&1 || true
    "$RABBITMQCTL" -q set_permissions -p "$1" guest '.*' '.*' '.*' >/dev/null )
}

recreate_vhost() {
  [ -n "${DEX_RABBIT_LOCAL:-}" ] || return 0
  ( rabbit_env; "$RABBITMQCTL" -q delete_vhost "$1" >/dev/null 2>&1 || true )
  ensure_vhost "$1"
}

# The stand-in national axis (src/DocExchange.AxisStandIn) as a background process, for ops/run when
# no real axis is configured, and for ops/bench. start_standin_axis NAME PORT CONTROL_PORT [AGENCIES]: pid in
# .local/NAME.pid, log in .local/NAME.log; exports DEX_AXIS_URL, DEX_AXIS_SYSTEMID, DEX_AXIS_SECRET.
STANDIN_SYSTEMID="thanhhoa-test"
STANDIN_SECRET="bí-mật-trục-thử"
start_standin_axis() {
  local name="$1" port="$2" control="$3" agencies="${4:-}"
  local dll="$ROOT/src/DocExchange.AxisStandIn/bin/Release/net10.0/DocExchange.AxisStandIn.dll"
  export DEX_AXIS_URL="http://127.0.0.1:$port" DEX_AXIS_SYSTEMID="$STANDIN_SYSTEMID" DEX_AXIS_SECRET="$STANDIN_SECRET"
  if [ -f "$LOCAL/$name.pid" ] && kill -0 "$(cat "$LOCAL/$name.pid")" 2>/dev/null; then return 0; fi
  dotnet build -c Release -v q --nologo "$ROOT/src/DocExchange.AxisStandIn" >"$LOCAL/$name-build.log" 2>&1 \
    || { cat "$LOCAL/$name-build.log" >&2; die "the stand-in axis did not build"; }
  nohup dotnet "$dll" --port "$port" --control-port "$control" --systemid "$STANDIN_SYSTEMID" --secret "$STANDIN_SECRET" \
    ${agencies:+--agencies "$agencies"} >"$LOCAL/$name.log" 2>&1 </dev/null &
  echo $! >"$LOCAL/$name.pid"
  for _ in $(seq 1 60); do
    curl -fs "http://127.0.0.1:$control/state" >/dev/null 2>&1 && return 0
    kill -0 "$(cat "$LOCAL/$name.pid")" 2>/dev/null || { cat "$LOCAL/$name.log" >&2; die "the stand-in axis exited (ports $port, $control in use?)"; }
    sleep 0.5
  done
  die "the stand-in axis did not answer on port $control; see $LOCAL/$name.log"
}

stop_standin_axis() {
  local name="$1"
  if [ -f "$LOCAL/$name.pid" ]; then
    local pid; pid="$(cat "$LOCAL/$name.pid")"
    if kill -0 "$pid" 2>/dev/null; then log "stopping the stand-in axis (pid $pid)"; kill "$pid"; fi
    rm -f "$LOCAL/$name.pid"
  fi
}
