#!/usr/bin/env bash
# Builds the base image Jib puts Berth on, as a `docker save` archive Jib reads through `tar://`:
# a minimal Debian root file system (mmdebstrap, from Debian's own mirror) with a Java runtime
# jlinked from the JDK that builds Berth under /opt/java, a `berth` user (uid and gid 65532) and
# /var/lib/berth owned by it. No registry, no Docker daemon: this machine reaches Debian's mirror
# and Maven Central only, and a user's build should not depend on a third-party base image either.
#
#   deploy/image/build-base.sh JAVA_HOME OUTPUT_DIR     writes OUTPUT_DIR/base.tar
#
# Reproducible: file times are clamped to SOURCE_DATE_EPOCH (default: 2024-01-01), entries are
# sorted, and the archive is rebuilt only when this script or the JDK changed. Two builds give the
# same bytes when the mirror serves the same package versions (pin BERTH_BASE_MIRROR to a
# snapshot.debian.org URL for that). Needs mmdebstrap and root (or unprivileged user namespaces).
set -euo pipefail

java_home=${1:?usage: build-base.sh JAVA_HOME OUTPUT_DIR}
out=${2:?usage: build-base.sh JAVA_HOME OUTPUT_DIR}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1704067200}

# What Berth and its libraries use (jdeps --print-module-deps over the runtime class path, plus the
# modules reached only by reflection or through java.sql's transitive requirements).
modules=java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http
modules+=,java.security.jgss,java.sql,java.xml,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.net,jdk.unsupported

stamp="$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1) $("$java_home/bin/java" -version 2>&1 | tr '\n' ' ') ${BERTH_BASE_SUITE:-} ${BERTH_BASE_MIRROR:-} $SOURCE_DATE_EPOCH"
if [ -f "$out/base.tar" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "build-base: $out/base.tar is up to date"
  exit 0
fi
command -v mmdebstrap >/dev/null || { echo "build-base: mmdebstrap is missing (apt-get install mmdebstrap)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"

"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --output "$work/jre"

# The machine's own Debian release and mirror unless told otherwise: the mirror that apt already
# reaches is the one that certainly works here.
. /etc/os-release
suite=${BERTH_BASE_SUITE:-${VERSION_CODENAME:-bookworm}}
sources=/dev/null
mirror=()
if [ -n "${BERTH_BASE_MIRROR:-}" ]; then
  mirror=("$BERTH_BASE_MIRROR")
elif [ -f /etc/apt/sources.list.d/debian.sources ] && [ "${ID:-}" = debian ]; then
  sources=/etc/apt/sources.list.d/debian.sources
  mirror=(-)
fi

mmdebstrap --quiet --variant=minbase --format=tar \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --customize-hook="cp -a '$work/jre' \"\$1/opt/java\"" \
  --customize-hook='echo "berth:x:65532:65532:Berth:/var/lib/berth:/usr/sbin/nologin" >> "$1/etc/passwd"' \
  --customize-hook='echo "berth:x:65532:" >> "$1/etc/group"' \
  --customize-hook='mkdir -p "$1/var/lib/berth" "$1/etc/berth" && chown 65532:65532 "$1/var/lib/berth"' \
  "$suite" "$work/layer.tar" "${mirror[@]}" < "$sources"

# A `docker save` archive: the layer, the image configuration named by its digest, manifest.json;
# named one by one, as Jib refuses an archive holding a "./" entry.
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
arch=$(dpkg --print-architecture)
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$work/archive/$diff_id"
mv "$work/layer.tar" "$work/archive/$diff_id/layer.tar"
printf '{"architecture":"%s","os":"linux","created":"%s","config":{"Env":["PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"%s","created_by":"deploy/image/build-base.sh: mmdebstrap %s minbase, jlinked Java runtime in /opt/java, user berth 65532"}]}' \
  "$arch" "$created" "$diff_id" "$created" "$suite" > "$work/config.json"
config_id=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/archive/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["berth-base:local"],"Layers":["%s/layer.tar"]}]' \
  "$config_id" "$diff_id" > "$work/archive/manifest.json"
tar --create --file "$out/base.tar" --directory "$work/archive" --sort=name --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
  manifest.json "$config_id.json" "$diff_id/layer.tar"
echo "$stamp" > "$out/stamp"
echo "build-base: wrote $out/base.tar ($suite, $arch, $(du -h "$out/base.tar" | cut -f1))"
