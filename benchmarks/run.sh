#!/usr/bin/env bash
# Installs the engine, builds the benchmarks and runs them.
#
#   benchmarks/run.sh                          every benchmark with its annotated defaults (~30-35 min on 2 vCPUs)
#   benchmarks/run.sh Kernels -p width=320     JMH arguments: a regex, -p, -f forks, -wi/-i iterations, -r/-w times
#   benchmarks/run.sh memory [latent] [steps]  peak memory of U-Net steps (default 64x64 latent, 2 steps)
#   benchmarks/run.sh ort [latent] [repeats]   the U-Net step beside ONNX Runtime on the same weights (default 64, 3)
#   benchmarks/run.sh img2img [steps] [strength]  peak memory of a 512x512 SD 1.5 image-to-image run (default 10, 0.3)
#   benchmarks/run.sh decode [repeats]         time and peak memory of the SD 1.5 VAE decode at 512x512 (default 3)
#   benchmarks/run.sh winograd|attention|silu [latent] [rounds]  the U-Net step with that switch off and on, interleaved
#
# Environment: SKIP_INSTALL=1 skips the root install; OMP_NUM_THREADS (default: nproc);
# MEG_PEAK=GFLOPS is the peak for "% of peak" when Sgemm is not part of the run; MEG_EXTRA_JAVA_OPTS: more JVM options.
# Results: the Markdown table is printed at the end; JMH's JSON goes to benchmarks/target/jmh-result.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
mvn_flags=(-B -ntp -Djavacpp.platform=linux-x86_64)

# 1. Install org.meg:meg:0.1.0-SNAPSHOT (offline first, then online).
if [[ "${SKIP_INSTALL:-0}" != 1 ]]; then
  (cd "$root" && { mvn "${mvn_flags[@]}" -o -q -DskipTests install || mvn "${mvn_flags[@]}" -q -DskipTests install; })
fi

# 2. Build the benchmarks and their classpath file.
(cd "$here" && { mvn "${mvn_flags[@]}" -o -q package || mvn "${mvn_flags[@]}" -q package; })

# 3. Run. JMH forks inherit this environment (thread count) and classpath.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
# libgomp's threads sleep after each parallel region instead of spinning (see bin/meg); OMP_WAIT_POLICY=ACTIVE to compare.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
cd "$here"
cp="target/classes:$(cat target/classpath.txt)"
# The engine's fused kernels use the Vector API when the module is resolved (org.meg.nn.FusedKernels);
# MEG_VECTOR=false measures the ND4J fallback.
vec=(--add-modules jdk.incubator.vector -Dmeg.vector="${MEG_VECTOR:-true}")
# The Java heap's GC settings of bin/meg (see there), then MEG_EXTRA_JAVA_OPTS: more JVM options,
# split on spaces (-Dmeg.rssTrace=true: where img2img's RSS peaks, and its largest mappings).
vec+=(-XX:GCTimeRatio=4 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30)
read -r -a extra <<< "${MEG_EXTRA_JAVA_OPTS:-}"
vec+=("${extra[@]}")
if [[ "${1:-}" == memory ]]; then
  shift
  exec java "${vec[@]}" -Xmx4g -Dorg.bytedeco.javacpp.maxbytes=12G -Dorg.bytedeco.javacpp.maxphysicalbytes=14G \
    -cp "$cp" org.meg.bench.UNetMemory "$@"
fi
if [[ "${1:-}" == decode ]]; then
  shift
  exec java "${vec[@]}" -Xmx4g -Dorg.bytedeco.javacpp.maxbytes=12G -Dorg.bytedeco.javacpp.maxphysicalbytes=14G \
    -cp "$cp" org.meg.bench.DecodeMemory "$@"
fi
if [[ "${1:-}" == img2img ]]; then
  shift
  exec java "${vec[@]}" -Xmx4g -Dorg.bytedeco.javacpp.maxbytes=12G -Dorg.bytedeco.javacpp.maxphysicalbytes=16G \
    -cp "$cp" org.meg.bench.Img2ImgMemory "$@"
fi
if [[ "${1:-}" == winograd || "${1:-}" == attention || "${1:-}" == silu ]]; then
  exec java "${vec[@]}" -Xmx4g -Dorg.bytedeco.javacpp.maxbytes=12G -Dorg.bytedeco.javacpp.maxphysicalbytes=14G \
    -cp "$cp" org.meg.bench.FlagAb "$@"
fi
if [[ "${1:-}" == ort ]]; then
  shift
  exec java "${vec[@]}" -Xmx4g -Dorg.bytedeco.javacpp.maxbytes=12G -Dorg.bytedeco.javacpp.maxphysicalbytes=16G \
    -cp "$cp" org.meg.bench.OrtSideBySide "$@"
fi
exec java "${vec[@]}" ${MEG_PEAK:+-Dmeg.peak="$MEG_PEAK"} -cp "$cp" org.meg.bench.Main -rf json -rff target/jmh-result.json "$@"
