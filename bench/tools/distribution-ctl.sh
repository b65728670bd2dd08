#!/usr/bin/env bash
# Copied from /work/shared/tools/distribution-ctl.sh (the shared registry benchmark harness), so that
# bench/gc does not depend on /work/shared at run time; Berth's copy adds the S3_* variables below.
# Control script for the CNCF Distribution anchor (Debian package docker-registry 2.8.2).
# Implements the "registry ctl" interface used by regbench.sh:
#   distribution-ctl.sh start  DATADIR PORT   -> writes DATADIR/config.yml, starts in background,
#                                                pid in DATADIR/registry.pid, waits for /v2/
#   distribution-ctl.sh stop   DATADIR        -> SIGTERM the pid from DATADIR/registry.pid, waits
#   distribution-ctl.sh pid    DATADIR        -> prints the server pid
#   distribution-ctl.sh gc     DATADIR [ARGS] -> runs `docker-registry garbage-collect [ARGS] config.yml`
#                                                (registry must be stopped)
#   distribution-ctl.sh storage DATADIR       -> prints the storage root (for du / blob counts)
#   distribution-ctl.sh blobs  DATADIR        -> prints the number of stored blobs (content-addressed)
# Env: DELETE_ENABLED=true|false (default true), LOG_LEVEL (default warn for serve, info for gc),
#      ACCESSLOG=false|true (default false); S3_ENDPOINT, S3_BUCKET, S3_ACCESSKEY, S3_SECRETKEY: blobs
#      in that bucket with the s3 driver (path style, us-east-1, redirects off) instead of the filesystem.
set -euo pipefail
REG=${REGISTRY_BIN:-/usr/bin/docker-registry}
cmd=${1:?cmd}; D=${2:?datadir}

write_config() {
  local port=$1 level=$2
  mkdir -p "$D/storage"
  cat >"$D/config.yml" <<EOF
version: 0.1
log:
  level: $level
  accesslog:
    disabled: $([ "${ACCESSLOG:-false}" = true ] && echo false || echo true)
  fields:
    service: registry
storage:
$(if [ -n "${S3_ENDPOINT:-}" ]; then
  printf '  s3:\n    region: us-east-1\n    regionendpoint: %s\n    bucket: %s\n    accesskey: %s\n    secretkey: %s\n    forcepathstyle: true\n    secure: false\n  redirect:\n    disable: true\n' \
    "$S3_ENDPOINT" "$S3_BUCKET" "$S3_ACCESSKEY" "$S3_SECRETKEY"
else
  printf '  filesystem:\n    rootdirectory: %s\n' "$D/storage"
fi)
  delete:
    enabled: ${DELETE_ENABLED:-true}
  cache:
    blobdescriptor: inmemory
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  headers:
    X-Content-Type-Options: [nosniff]
EOF
  echo "$port" >"$D/port"
}

case $cmd in
start)
  port=${3:?port}
  mkdir -p "$D"; D=$(cd "$D" && pwd)
  write_config "$port" "${LOG_LEVEL:-warn}"
  setsid nohup "$REG" serve "$D/config.yml" >>"$D/registry.log" 2>&1 &
  echo $! >"$D/registry.pid"
  for _ in $(seq 1 100); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/v2/"; then echo "started pid $(cat "$D/registry.pid") on 127.0.0.1:$port"; exit 0; fi
    sleep 0.1
  done
  echo "registry did not come up; see $D/registry.log" >&2; exit 1 ;;
stop)
  [ -f "$D/registry.pid" ] || exit 0
  pid=$(cat "$D/registry.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$D/registry.pid" ;;
pid) cat "$D/registry.pid" ;;
storage) D=$(cd "$D" && pwd); echo "$D/storage" ;;
blobs) find "$D/storage/docker/registry/v2/blobs" -name data -type f 2>/dev/null | wc -l ;;
gc)
  shift 2
  D=$(cd "$D" && pwd)
  write_config "$(cat "$D/port" 2>/dev/null || echo 5000)" "${LOG_LEVEL:-info}"
  exec "$REG" garbage-collect "$@" "$D/config.yml" ;;
*) echo "unknown cmd $cmd" >&2; exit 2 ;;
esac
