# Sourced by the GPU check scripts: unpacks the staged binaries (scripts/gpu/stage.sh), sets
# up the library path, the log under $OUT and the step/run helpers, and checks the machine.
# The caller sets `out` (and may set STEP_TIMEOUT, seconds per step, default $default_timeout).
stage=${STAGE:-.dev/gpu}
mkdir -p "$out"
if [[ ! -d "$stage" && -f "$stage.tar.xz" ]]; then tar -C "$(dirname "$stage")" -xJf "$stage.tar.xz"; fi
export LD_LIBRARY_PATH="$PWD/$stage/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
export TESSERA_PERFMODEL_DIR="$PWD/gpu-models"
bin=$stage/bin
log=$out/log.txt
step() { echo "== $* ($(date -u +%H:%M:%S))" | tee -a "$log"; }
run() { step "$*"; timeout "${STEP_TIMEOUT:-$default_timeout}" "$@" 2>&1 | tee -a "$log"; }

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv 2>&1 | tee -a "$log"
nproc | tee -a "$log"
missing=$(ldd "$bin/tessera" | grep "not found")
[[ -z "$missing" ]] || { echo "missing libraries: $missing" | tee -a "$log"; exit 1; }
