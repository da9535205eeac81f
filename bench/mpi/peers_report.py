#!/usr/bin/env python3
"""Table and bar chart of bench/mpi/peers.sh's results.csv (Python's standard library only).

usage: peers_report.py results.csv OUT_DIR [output.txt]  -> OUT_DIR/table.md, OUT_DIR/gflops.svg
(the "# " header lines of output.txt, with the date, machine and command, head the table)
"""
import csv
import sys
from collections import OrderedDict

COLORS = {"tessera": "#1f77b4", "scalapack": "#ff7f0e", "starpu-mpi": "#2ca02c"}


def main(path, out_dir, log=None):
    header = [l.rstrip("\n")[2:] for l in open(log) if l.startswith("# ")] if log else []
    rows = list(csv.DictReader(open(path)))
    peers = list(OrderedDict.fromkeys(r["peer"] for r in rows))
    cases = list(OrderedDict.fromkeys((r["algorithm"], r["n"], r["grid"]) for r in rows))
    gflops = {(r["peer"], r["algorithm"], r["n"], r["grid"]): float(r["gflops"]) for r in rows}

    lines = [f"{h}  " for h in header] + ([""] if header else []) + ["| algorithm | n | grid | " + " | ".join(f"{p} GFLOP/s" for p in peers)
             + " | Tessera / best peer |",
             "|" + "---|" * (4 + len(peers))]
    for a, n, g in cases:
        values = [gflops.get((p, a, n, g)) for p in peers]
        others = [v for p, v in zip(peers, values) if p != "tessera" and v is not None]
        mine = gflops.get(("tessera", a, n, g))
        ratio = f"{mine / max(others):.2f}" if others and mine else "-"
        cells = [f"{v:.1f}" if v is not None else "-" for v in values]
        lines.append(f"| {a} | {n} | {g} | " + " | ".join(cells) + f" | {ratio} |")
    open(f"{out_dir}/table.md", "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))

    # Grouped bars: one group per case, one bar per peer.
    bar, gap, height, top = 14, 18, 260, 30
    width = 70 + len(cases) * (len(peers) * bar + gap)
    peak = max(gflops.values()) * 1.1
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 120}" '
           'font-family="sans-serif" font-size="11">',
           f'<text x="10" y="18" font-size="13">GFLOP/s per case (higher is better), '
           f'{", ".join(peers)}</text>']
    for tick in range(0, int(peak) + 1, max(1, int(peak / 5))):
        y = top + height - tick / peak * height
        svg.append(f'<line x1="50" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        svg.append(f'<text x="45" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    x = 60
    for a, n, g in cases:
        for p in peers:
            v = gflops.get((p, a, n, g))
            if v is not None:
                h = v / peak * height
                svg.append(f'<rect x="{x}" y="{top + height - h:.1f}" width="{bar - 2}" '
                           f'height="{h:.1f}" fill="{COLORS.get(p, "#888")}"/>')
            x += bar
        cx = x - len(peers) * bar / 2
        svg.append(f'<text transform="translate({cx:.0f},{top + height + 8}) rotate(60)">'
                   f'{a} {n} {g}</text>')
        x += gap
    for i, p in enumerate(peers):
        svg.append(f'<rect x="{60 + i * 110}" y="{height + 100}" width="10" height="10" '
                   f'fill="{COLORS.get(p, "#888")}"/>')
        svg.append(f'<text x="{74 + i * 110}" y="{height + 109}">{p}</text>')
    svg.append("</svg>")
    open(f"{out_dir}/gflops.svg", "w").write("\n".join(svg) + "\n")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(*sys.argv[1:])
