#!/usr/bin/env bash
# The 512x512 U-Net step of two builds of the engine, whole processes alternated (before, after,
# before, after, ...), for changes that no runtime switch can turn off (FlagAb does those in one
# process). Each process runs UNetMemory and prints its warm steps (all but the first two).
#
#   cp -r target/classes /tmp/before-classes      # before the change
#   ... change, then mvn compile ...
#   benchmarks/ab-builds.sh /tmp/before-classes [after-classes=target/classes] [latent=64] [steps=6] [pairs=2]
#
# The machine's speed drifts by 10-30% over minutes here: read the pairs, not one process.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
before=${1:?usage: ab-builds.sh BEFORE_CLASSES [AFTER_CLASSES] [latent] [steps] [pairs]}
after=${2:-$root/target/classes}
latent=${3:-64}
steps=${4:-6}
pairs=${5:-2}
for d in "$before" "$after"; do
  [[ -f "$d/org/meg/unet/UNet.class" ]] || { echo "ab-builds.sh: $d holds no compiled engine (org/meg/unet/UNet.class)" >&2; exit 2; }
done
if [[ ! -f "$here/target/classpath.txt" ]]; then
  (cd "$root" && { mvn -B -ntp -o -q -Djavacpp.platform=linux-x86_64 -DskipTests install || mvn -B -ntp -q -Djavacpp.platform=linux-x86_64 -DskipTests install; })
  (cd "$here" && { mvn -B -ntp -o -q package || mvn -B -ntp -q package; })
fi
deps=$(tr ':' '\n' < "$here/target/classpath.txt" | grep -v '/org/meg/meg/' | paste -sd:)
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
for ((p = 1; p <= pairs; p++)); do
  for side in before after; do
    if [[ $side == before ]]; then classes=$before; else classes=$after; fi
    printf '%s %d: ' "$side" "$p"
    java --add-modules jdk.incubator.vector -Xmx4g -Dorg.bytedeco.javacpp.maxbytes=12G -Dorg.bytedeco.javacpp.maxphysicalbytes=14G \
      -cp "$here/target/classes:$classes:$deps" org.meg.bench.UNetMemory "$latent" "$steps" 2>/dev/null \
      | awk '/^step [0-9]+:/ { n = $2 + 0; if (n >= 2) { t = $3; printf "%s ", t } } END { print "s" }'
  done
done
