#!/bin/sh
# Entry point of the Pratikriya image: gives prometheus-client's multiprocess mode an empty
# folder on every start (as ops/services.py does for ./pratikriya up), then runs the command.
# A container restarted by Docker keeps its filesystem, so stale per-worker files from the
# previous run would otherwise be added into /metrics.
set -eu

dir="${PROMETHEUS_MULTIPROC_DIR:-}"
if [ -n "$dir" ]; then
    case "$dir" in
        /tmp/?* | /run/?* | /dev/shm/?*) ;;
        *)
            echo "entrypoint: PROMETHEUS_MULTIPROC_DIR must be under /tmp, /run or /dev/shm: $dir" >&2
            exit 64
            ;;
    esac
    rm -rf "$dir"
    mkdir -p "$dir"
fi

exec "$@"
