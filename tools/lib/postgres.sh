# A throwaway PostgreSQL cluster for tools/demo and tools/bench: initdb into a folder,
# pg_ctl on a free loopback port with its socket in that folder, stopped and removed by
# sigil_pg_stop. As root (CI) every PostgreSQL program runs as the `postgres` user, which
# Debian's package creates: PostgreSQL refuses to run as root.
#
# The one role, `sigil`, logs in with `trust` on loopback: nothing but this machine can
# reach the cluster, and it lives only as long as the run that made it.

sigil_pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

sigil_pg_run() { # sigil_pg_run PROGRAM ARGS...: as postgres when root
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

sigil_pg_start() { # sigil_pg_start DIR: prints the port
    local dir="$1" bin port
    bin="$(sigil_pg_bin)"
    [ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; return 1; }
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    mkdir -p "$dir"
    chmod 700 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    sigil_pg_run "$bin/initdb" --pgdata "$dir/data" --username sigil --auth trust --encoding UTF8 --locale C >/dev/null
    sigil_pg_run "$bin/pg_ctl" --pgdata "$dir/data" --log "$dir/server.log" \
        --options "-p $port -c listen_addresses=127.0.0.1 -k $dir" --wait --timeout 60 start >/dev/null
    echo "$port"
}

sigil_pg_stop() { # sigil_pg_stop DIR
    local dir="$1"
    [ -d "$dir/data" ] && sigil_pg_run "$(sigil_pg_bin)/pg_ctl" --pgdata "$dir/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$dir"
}

sigil_pg_cpu_ticks() { # sigil_pg_cpu_ticks DIR: CPU ticks used so far by the cluster's live processes
    local total=0 pid postmaster
    postmaster="$(head -1 "$1/data/postmaster.pid" 2>/dev/null || true)"
    [ -n "$postmaster" ] || { echo 0; return; }
    for pid in "$postmaster" $(pgrep -P "$postmaster" || true); do
        [ -r "/proc/$pid/stat" ] || continue
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
