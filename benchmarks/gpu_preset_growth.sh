#!/bin/bash
# Issue 15, item 5: the 5-seed growth tables of the two CPU presets (configs/fashion-mnist-cpu.yml, configs/mnist-cpu.yml),
# all ten `fit-tree` runs side by side on one GPU machine (each process one CPU thread + the GPU), then one table.
#   COMMIT=$(git rev-parse HEAD) bash benchmarks/gpu_preset_growth.sh OUT_DIR     # SMOKE=1: 1-epoch phases on 512 images (a CPU check)
# Writes OUT_DIR/growth_seeds.json and .md (benchmarks/growth_seeds_table.py), OUT_DIR/runs.tgz (logs, metrics, trees, pictures;
# no weights) and OUT_DIR/log.txt. RUN_S bounds each run (default 480 s): a run that does not finish is reported, not hidden.
set -u
OUTD=${1:?give an output folder}; mkdir -p "$OUTD"
R=runs/gpu-growth; mkdir -p $R
PY=${PYTHON:-python3}
: "${RUN_S:=480}" "${SEEDS:=0 1 2 3 4}" "${PRESETS:=fashion-mnist-cpu mnist-cpu}"
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 PYTHONUNBUFFERED=1
PRESETS="$PRESETS" SEEDS="$SEEDS" R=$R $PY - <<'PYEOF'
import os
from treediffusion.config import load_config, preset_path, save_config
for p in os.environ["PRESETS"].split():
    for s in map(int, os.environ["SEEDS"].split()):
        c = load_config(preset_path(p)); c.seed = s
        if os.environ.get("SMOKE"):
            g = c.growth; g.epochs = g.epochs_smalltree = g.epochs_intermediate = g.epochs_finetune = 1; g.n_leaves, g.max_splits = 3, 3
            c.data.n_train, c.data.n_test = 512, 256
        save_config(c, f"{os.environ['R']}/{p}_s{s}.yml")
PYEOF
t0=$(date +%s)
for p in $PRESETS; do for s in $SEEDS; do
  k=${p}_s$s; mkdir -p $R/$k; echo "${COMMIT:-unknown}" > $R/$k/COMMIT    # the run's own record of its commit (travels in runs.tgz)
  ( /usr/bin/time -f "%e s wall, %M KB" timeout $RUN_S $PY -c "import sys; from treediffusion.cli import main; sys.exit(main(sys.argv[1:]))" \
      fit-tree --config $R/$k.yml --out $R/$k > $R/$k.log 2>&1; echo "$k rc=$? $(tail -1 $R/$k.log)" >> $OUTD/log.txt ) &
done; done
wait; echo "growths: $(( $(date +%s) - t0 )) s" >> $OUTD/log.txt
$PY benchmarks/growth_seeds_table.py $R --commit "${COMMIT:-unknown}" --out $OUTD/growth_seeds >> $OUTD/log.txt 2>&1
tar czf $OUTD/runs.tgz --exclude='*.pt' $R
cat $OUTD/log.txt
