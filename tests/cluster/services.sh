#!/usr/bin/env bash
# Starts (or stops) the real servers the cluster tests use: a PostgreSQL cluster and a
# Redis server of their own, in DIR, on free loopback ports. ctest runs `start` as a
# fixture before the tests labelled `cluster` and `stop` after them (tests/CMakeLists.txt).
#   services.sh start DIR   → DIR/postgres.url and DIR/redis.url name them
#   services.sh stop DIR
# As root, PostgreSQL runs as the `postgres` user (initdb refuses root).
set -euo pipefail

action=${1:?usage: services.sh start|stop DIR}
dir=${2:?usage: services.sh start|stop DIR}

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
as_postgres=()
[ "$(id -u)" -eq 0 ] && as_postgres=(runuser -u postgres --)

stop() {
    local pg_dir
    pg_dir=$(cat "$dir/pgdata" 2>/dev/null || true)
    if [ -n "$pg_dir" ] && [ -f "$pg_dir/pg/postmaster.pid" ] && [ -n "$pg_bin" ]; then
        "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/pg" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    case "$pg_dir" in /tmp/tidings-pg.*) rm -rf "$pg_dir" ;; esac
    if [ -f "$dir/redis.pid" ]; then
        kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
        rm -f "$dir/redis.pid"
    fi
}

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() { # a port nobody listens on, from a range of its own per service
    local port=$1
    while ! port_free "$port"; do port=$((port + 1)); done
    echo "$port"
}

case "$action" in
stop)
    stop
    exit 0
    ;;
start) ;;
*)
    echo "usage: services.sh start|stop DIR" >&2
    exit 2
    ;;
esac

if [ -z "$pg_bin" ] || ! command -v redis-server >/dev/null; then
    echo "services.sh: PostgreSQL or Redis is not installed (tools/deps.sh test installs them)" >&2
    exit 1
fi

stop
rm -rf "$dir"
mkdir -p "$dir"
# PostgreSQL's files and socket live where its user can reach them: a checkout under
# /root (mode 700) is closed to the postgres user.
pg_dir=$(mktemp -d /tmp/tidings-pg.XXXXXX)
chmod 755 "$pg_dir"
[ "$(id -u)" -eq 0 ] && chown postgres "$pg_dir"
echo "$pg_dir" >"$dir/pgdata"

# Each attempt takes a port free a moment ago; another run may take it first, so retry.
for attempt in 1 2 3 4 5; do
    pg_port=$(free_port $((25432 + RANDOM % 2000)))
    rm -rf "$pg_dir/pg"
    "${as_postgres[@]}" "$pg_bin/initdb" -D "$pg_dir/pg" --auth=trust --username=tidings \
        --locale=C --encoding=UTF8 --no-sync >"$dir/initdb.log" 2>&1
    if "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/pg" -l "$pg_dir/postgres.log" -w -t 60 \
        -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=128MB" \
        start >/dev/null; then
        echo "postgresql://tidings@127.0.0.1:$pg_port/postgres" >"$dir/postgres.url"
        break
    fi
    [ "$attempt" -eq 5 ] && { cat "$dir/initdb.log" "$pg_dir/postgres.log" >&2; exit 1; }
done

for attempt in 1 2 3 4 5; do
    redis_port=$(free_port $((26379 + RANDOM % 2000)))
    if redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"; then
        for _ in $(seq 100); do
            redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
            sleep 0.05
        done
        if redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
            echo "redis://127.0.0.1:$redis_port" >"$dir/redis.url"
            break
        fi
    fi
    [ "$attempt" -eq 5 ] && { cat "$dir/redis.log" >&2; exit 1; }
done
echo "services.sh: PostgreSQL on $pg_port, Redis on $redis_port ($dir)"
