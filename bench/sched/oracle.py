#!/usr/bin/env python3
"""How far a per-case choice between the reference policy and a variant schedule could go.

Usage: bench/sched/oracle.py SUITE.csv VARIANT.csv [--reference inspirit]

SUITE.csv is a `tessera bench sched` results file with the reference and the other policies;
VARIANT.csv another run of the same DAGs and platforms with one more policy (for example
`heft:rank=fastest`). Over the dense cases (Cholesky, LU, QR) it prints the geometric mean
and the worst case of:
  - the variant against the best of the suite's other policies;
  - min(reference, variant) against the best other: what an oracle that picked, per case,
    the better of the two schedules would score.
"""
import csv
import math
import sys


def load(path):
    rows = {}
    for r in csv.DictReader(open(path)):
        rows.setdefault((r["dag"], r["platform"]), {})[r["sched"]] = float(r["makespan_us"])
    return rows


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    reference = argv[argv.index("--reference") + 1] if "--reference" in argv else "inspirit"
    suite, variant = load(argv[1]), load(argv[2])
    dense = sorted(k for k in variant if not k[0].startswith("random") and k in suite)
    if not dense:
        sys.exit("no dense case in common")
    alone, oracle = [], []
    for key in dense:
        best_other = min(v for s, v in suite[key].items() if s != reference)
        (variant_ms,) = variant[key].values()
        alone.append(best_other / variant_ms)
        oracle.append(best_other / min(variant_ms, suite[key][reference]))
    print(f"{len(dense)} dense cases")
    print(f"variant vs best other: geometric mean {geomean(alone):.3f}, worst {min(alone):.3f}")
    print(f"min({reference}, variant) vs best other: geometric mean {geomean(oracle):.3f}, "
          f"worst {min(oracle):.3f}")


if __name__ == "__main__":
    main(sys.argv)
