#!/usr/bin/env bash
# Builds target/ftguard_<version>_amd64.deb with Debian's own tools (dpkg-deb): called by the
# deb module's package phase (deb/pom.xml), which passes every path. Needs a JDK 25 (jdeps, jlink,
# java), dpkg-deb and gzip; runs as root or as a user (dpkg-deb --root-owner-group).
#
# What goes where (docs/install.md has the installed layout):
#   /usr/lib/ftguard/runtime/          jlink runtime: the modules jdeps finds in ftguard.jar
#   /usr/lib/ftguard/*.jar, ftguard.aot  the CLI, the AOT training class, the AOT cache
#   /usr/bin/ftguard                   the launcher (src/deb/ftguard)
#   /usr/src/ftguard-<v>/              dkms.conf + kmod/ (the module sources)
#   /usr/lib/systemd/system/ftguard.service, /etc/ftguard/{ftguard.yaml,policies.d/}
#   /usr/share/man/man1/*.1.gz, bash and zsh completion, /usr/share/doc/ftguard/
set -euo pipefail

die() { printf 'build-deb: %s\n' "$*" >&2; exit 1; }

root="" java_home="" version="" cli_jar="" training_jar="" man="" completion="" config="" out=""
for arg in "$@"; do
  case "$arg" in
    --root=*) root="${arg#*=}" ;;
    --java-home=*) java_home="${arg#*=}" ;;
    --version=*) version="${arg#*=}" ;;
    --cli-jar=*) cli_jar="${arg#*=}" ;;
    --training-jar=*) training_jar="${arg#*=}" ;;
    --man=*) man="${arg#*=}" ;;
    --completion=*) completion="${arg#*=}" ;;
    --config=*) config="${arg#*=}" ;;
    --out=*) out="${arg#*=}" ;;
    *) die "unknown argument $arg" ;;
  esac
done
for v in root java_home version cli_jar training_jar man completion config out; do
  [ -n "${!v}" ] || die "missing --${v//_/-}"
done
root="$(cd "$root" && pwd)"
src="$root/deb/src/deb"

for tool in dpkg-deb gzip; do
  command -v "$tool" >/dev/null || die "$tool not found: apt-get install dpkg gzip"
done
for tool in jdeps jlink java; do
  [ -x "$java_home/bin/$tool" ] || die "$java_home/bin/$tool not found: build with a full JDK 25"
done
[ -f "$cli_jar" ] || die "$cli_jar is missing: build the cli module first (./mvnw package -pl deb -am)"
[ -f "$training_jar" ] || die "$training_jar is missing"
# What the cli module generates, and the default configuration: never invented here.
[ -f "$config" ] || die "the default configuration $config is missing (the cli module's cli/src/main/config/ftguard.yaml)"
compgen -G "$man/*.1" >/dev/null || die "no man pages in $man (the cli module makes them at package)"
[ -f "$completion/ftguard.bash" ] || die "$completion/ftguard.bash is missing (the cli module makes it at package)"
[ -f "$completion/_ftguard" ] || die "$completion/_ftguard is missing (the cli module makes it at package)"

# 0.1.0-SNAPSHOT -> 0.1.0~SNAPSHOT: '~' sorts before the release in Debian's version order.
debver="${version//-/\~}"
name=ftguard
arch=amd64
deb="$out/${name}_${debver}_${arch}.deb"
stage="$out/deb-root"
lib=/usr/lib/ftguard
srcdir="/usr/src/$name-$debver"
rm -rf "$stage" "$deb"
umask 022
mkdir -p "$stage/DEBIAN" "$stage$lib" "$stage/usr/bin" "$stage$srcdir" \
  "$stage/usr/lib/systemd/system" "$stage/etc/ftguard/policies.d" "$stage/usr/share/man/man1" \
  "$stage/usr/share/bash-completion/completions" "$stage/usr/share/zsh/vendor-completions" \
  "$stage/usr/share/doc/$name/examples"

# Every file gets one fixed time (the last commit's, else now): the package is reproducible, and
# the AOT cache trained below records the jars' and the runtime's times, which dpkg keeps.
epoch="$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)"

# 1. The runtime: exactly the modules the CLI needs, as jdeps computes them.
modules="$("$java_home/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 "$cli_jar")"
[ -n "$modules" ] || die "jdeps found no modules in $cli_jar"
echo "build-deb: jlink runtime with $modules"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress zip-6 --output "$stage$lib/runtime"
cp "$cli_jar" "$stage$lib/ftguard.jar"
cp "$training_jar" "$stage$lib/ftguard-aot-training.jar"

# 2. The module sources (what `ftguard load` copies: no build outputs) and dkms.conf.
(cd "$root" && find kmod -type f \
  ! -name '.*' ! -path '*/.*' ! -name '*.o' ! -name '*.ko' ! -name '*.mod' ! -name '*.mod.c' \
  ! -name '*.cmd' ! -name '*.o.d' ! -name modules.order ! -name Module.symvers -print0 |
  xargs -0 cp --parents -t "$stage$srcdir")
sed -e "s/@VERSION@/$debver/g" "$src/dkms.conf" > "$stage$srcdir/dkms.conf"

# 3. Launcher, unit, configuration, man pages, completion, docs.
sed -e "s/@VERSION@/$debver/g" "$src/ftguard" > "$stage/usr/bin/ftguard"
chmod 755 "$stage/usr/bin/ftguard"
cp "$src/ftguard.service" "$stage/usr/lib/systemd/system/ftguard.service"
cp "$config" "$stage/etc/ftguard/ftguard.yaml"
for page in "$man"/*.1; do
  gzip -9n < "$page" > "$stage/usr/share/man/man1/$(basename "$page").gz"
done
cp "$completion/ftguard.bash" "$stage/usr/share/bash-completion/completions/ftguard"
cp "$completion/_ftguard" "$stage/usr/share/zsh/vendor-completions/_ftguard"
cp "$root/policies/"*.yaml "$stage/usr/share/doc/$name/examples/"
cp "$root/docs/install.md" "$stage/usr/share/doc/$name/install.md"
gzip -9n "$stage/usr/share/doc/$name/install.md"
cat > "$stage/usr/share/doc/$name/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ftguard

Files: *
License: GPL-2.0
 The kernel module (/usr/src/ftguard-*) is GPL-2.0 (SPDX headers in each file).
 On Debian systems the full text is in /usr/share/common-licenses/GPL-2.
COPYRIGHT

# 4. The AOT cache, trained in the staging tree with the bundled runtime and the launcher's
# class path; it stays valid when dpkg unpacks the tree under /usr/lib/ftguard (the JVM checks
# the jars' and runtime's sizes and times, not their directory). The training's policy is a
# shipped example.
find "$stage" -exec touch -h -d "@$epoch" {} +
aot="$stage$lib/ftguard.aot"
echo "build-deb: AOT cache training run"
"$stage$lib/runtime/bin/java" --enable-native-access=ALL-UNNAMED -XX:AOTCacheOutput="$aot" \
  -Xlog:aot=error -Xlog:cds=error \
  -cp "$stage$lib/ftguard.jar:$stage$lib/ftguard-aot-training.jar" dev.ftguard.deb.AotTraining \
  "$stage/usr/share/doc/$name/examples/"*.yaml
[ -s "$aot" ] || die "the training run made no AOT cache"
# the cache must be usable as shipped, with the launcher's options (src/deb/ftguard): AOTMode=on
# fails when it is not
"$stage$lib/runtime/bin/java" --enable-native-access=ALL-UNNAMED -XX:AOTCache="$aot" -XX:AOTMode=on \
  -cp "$stage$lib/ftguard.jar:$stage$lib/ftguard-aot-training.jar" dev.ftguard.cli.Ftguard --version >/dev/null \
  || die "the AOT cache $aot is not usable"
touch -d "@$epoch" "$aot"

# 5. Control files.
size_kb="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
sed -e "s/@VERSION@/$debver/g" -e "s/@SIZE@/$size_kb/g" -e "s/@ARCH@/$arch/g" \
  "$src/control" > "$stage/DEBIAN/control"
for script in postinst prerm postrm; do
  sed -e "s/@VERSION@/$debver/g" "$src/$script" > "$stage/DEBIAN/$script"
  chmod 755 "$stage/DEBIAN/$script"
done
echo /etc/ftguard/ftguard.yaml > "$stage/DEBIAN/conffiles"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0 md5sum > DEBIAN/md5sums)
find "$stage" -exec touch -h -d "@$epoch" {} +

SOURCE_DATE_EPOCH="$epoch" dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb"
echo "build-deb: $deb"
