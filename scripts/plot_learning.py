#!/usr/bin/env python3
"""Plots training runs' metrics.csv (written by `diffedge train --out DIR`) as an SVG learning curve.

    python3 scripts/plot_learning.py DIR/metrics.csv OUT.svg --column eval_return \
        --ref crash_avoid=407 --ref prophet=564 --smooth 10 --title "asp, d2sac fast"
    python3 scripts/plot_learning.py runs/asp-s{0,1,2,3,4}/metrics.csv OUT.svg   # several seeds: each thin,
                                                                                # their mean thick

Needs matplotlib (`pip install matplotlib`); only used to draw the figures in docs/results/.
"""
import argparse
import csv

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", nargs="+", help="one or more metrics.csv files, then the SVG to write")
    parser.add_argument("--column", default="eval_return", help="metrics.csv column to plot")
    parser.add_argument("--x", default="env_steps", help="x-axis column")
    parser.add_argument("--ref", action="append", default=[], help="NAME=VALUE horizontal reference line")
    parser.add_argument("--smooth", type=int, default=0, help="also draw the trailing mean over N epochs")
    parser.add_argument("--ylim", default=None, help="LOW,HIGH: the y range drawn (the rest is clipped)")
    parser.add_argument("--title", default="")
    parser.add_argument("--ylabel", default=None)
    args = parser.parse_args()

    *paths, out = args.csv
    fig, ax = plt.subplots(figsize=(7, 4))
    label = args.column.replace("_", " ")
    runs = []
    for path in paths:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        runs.append(([float(r[args.x]) for r in rows if r[args.column] != ""], [float(r[args.column]) for r in rows if r[args.column] != ""]))
    if len(runs) > 1:
        # Several seeds: each run thin, their mean (over the epochs they all reached) thick.
        for i, (xs, ys) in enumerate(runs):
            ax.plot(xs, ys, color="#3563a8", linewidth=0.7, alpha=0.35, label=f"{label}, each of {len(runs)} runs" if i == 0 else None)
        n = min(len(ys) for _, ys in runs)
        mean = [sum(ys[i] for _, ys in runs) / len(runs) for i in range(n)]
        ax.plot(runs[0][0][:n], mean, color="#3563a8", linewidth=1.8, label=f"{label}, mean of the runs")
    elif args.smooth > 1:
        # A noisy evaluation (one episode per epoch) reads better with its trailing mean beside it.
        xs, ys = runs[0]
        ax.plot(xs, ys, color="#3563a8", linewidth=0.8, alpha=0.45, label=label)
        means = [sum(ys[max(0, i - args.smooth + 1) : i + 1]) / (i + 1 - max(0, i - args.smooth + 1)) for i in range(len(ys))]
        ax.plot(xs, means, color="#3563a8", linewidth=1.8, label=f"{label}, mean of last {args.smooth}")
    else:
        ax.plot(*runs[0], color="#3563a8", linewidth=1.6, label=label)
    palette = ["#cf3f35", "#2e9d57", "#e0a526", "#7a4fb0", "#555555"]
    for i, ref in enumerate(args.ref):
        name, value = ref.split("=", 1)
        ax.axhline(float(value), color=palette[i % len(palette)], linestyle="--", linewidth=1, label=f"{name} ({value})")
    ax.set_xlabel(args.x.replace("_", " "))
    ax.set_ylabel(args.ylabel or args.column.replace("_", " "))
    if args.ylim:
        low, high = (float(v) for v in args.ylim.split(","))
        ax.set_ylim(low, high)
    ax.set_title(args.title)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(out, metadata={"Date": None})


if __name__ == "__main__":
    main()
