# shellcheck shell=bash
# Sourced by bench/run and bench/gc: s3proxy as a process (org.gaul:s3proxy 4.1.0 jar-with-dependencies,
# fetched with Maven when missing; filesystem backend, so a bucket is a directory under DIR/objects and
# its objects are files named by their keys), and the storage settings that put Berth's and Docker
# Registry's blobs in a bucket of it, redirects off on both.
# The caller defines JAVA, RUNDIR, S3_PORT, S3_ID, S3_SECRET and the functions log, die and port_free,
# and stops what s3_start started (s3_stop DIR) on every exit.
S3PROXY_JAR=$HOME/.m2/repository/org/gaul/s3proxy/4.1.0/s3proxy-4.1.0-jar-with-dependencies.jar

s3_start() { # DIR BUCKET... -> s3proxy on 127.0.0.1:S3_PORT with these (empty) buckets under DIR/objects
  local d=$1 b; shift
  if [ ! -f "$S3PROXY_JAR" ]; then
    log "fetching s3proxy 4.1.0 (jar-with-dependencies) with Maven"
    mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.11.0:get \
      -Dartifact=org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies >"$RUNDIR/s3proxy-fetch.log" 2>&1 \
      || die "cannot fetch s3proxy, see $RUNDIR/s3proxy-fetch.log"
  fi
  port_free "$S3_PORT" || die "port $S3_PORT is in use"
  for b in "$@"; do mkdir -p "$d/objects/$b"; done   # the filesystem backend's buckets are directories
  printf '%s\n' "s3proxy.endpoint=http://127.0.0.1:$S3_PORT" "s3proxy.authorization=aws-v2-or-v4" \
    "s3proxy.identity=$S3_ID" "s3proxy.credential=$S3_SECRET" "jclouds.provider=filesystem" \
    "jclouds.filesystem.basedir=$d/objects" >"$d/s3proxy.conf"
  setsid nohup "$JAVA" -Xmx1g -jar "$S3PROXY_JAR" --properties "$d/s3proxy.conf" >>"$d/s3proxy.log" 2>&1 &
  echo $! >"$d/s3proxy.pid"
  for _ in $(seq 1 300); do
    if curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/"; then return 0; fi
    kill -0 "$(cat "$d/s3proxy.pid")" 2>/dev/null || die "s3proxy exited at start; see $d/s3proxy.log"
    sleep 0.1
  done
  die "s3proxy did not answer on port $S3_PORT; see $d/s3proxy.log"
}

s3_stop() { # DIR
  [ -f "$1/s3proxy.pid" ] || return 0
  kill -TERM "$(cat "$1/s3proxy.pid")" 2>/dev/null || true
  rm -f "$1/s3proxy.pid"
}

s3_berth_storage() { # BUCKET DATADIR -> Berth's configuration from the `storage:` key's children on:
  # blobs in BUCKET, metadata (SQLite) and the rest under DATADIR
  cat <<YAML
  s3:
    region: us-east-1
    regionendpoint: http://127.0.0.1:$S3_PORT
    bucket: $1
    accesskey: $S3_ID
    secretkey: $S3_SECRET
    forcepathstyle: true
  redirect:
    disable: true
datadirectory: $2
YAML
}

s3_distribution_env() { # BUCKET -> arguments for env(1) that make tools/distribution-ctl.sh put Docker
  # Registry's blobs in BUCKET. AWS_CA_BUNDLE, set on these machines, makes its s3 driver fail at start.
  echo "-u AWS_CA_BUNDLE S3_ENDPOINT=http://127.0.0.1:$S3_PORT S3_BUCKET=$1 S3_ACCESSKEY=$S3_ID S3_SECRETKEY=$S3_SECRET"
}
