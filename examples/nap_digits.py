"""Worked example: train a small ReLU MLP on scikit-learn's digits, mine NAPs, verify them.

Run:  .venv/bin/python examples/nap_digits.py [--out-dir out/nap]
It trains a 64-32-32-10 network in seconds (seeded), mines one NAP per class at delta 0.99, draws them
to a PNG, then asks three kinds of question and prints the answers:
  1. NAP robustness over the whole box [0,1]^64 (usually refuted: the counterexample is replayed),
  2. NAP robustness over an L-infinity ball of 0.05 around the class mean (usually verified),
  3. disjointness of two NAPs, and the largest verified radius with and without the NAP.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from nesy.nap import (from_torch, load_digits_split, max_epsilon, mine_naps, nap_stats, plot_naps, unit_box,
                      verify_disjoint, verify_robust)
from nesy.nap.digits import train_digits_mlp
from solvers.nap.network import Region


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default="out/nap")
    args = parser.parse_args()
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)

    data = load_digits_split(seed=0)
    model = from_torch(train_digits_mlp(hidden=(32, 32), seed=0), "example MLP")
    _, logits = model.run(data.x_test)
    print(f"test accuracy {(logits.argmax(axis=1) == data.y_test).mean():.3f}")

    naps = mine_naps(model.network, data.x_train, data.y_train, delta=0.99)
    naps.save(out / "naps.json")
    print(f"NAP picture: {plot_naps(naps, out / 'naps.png')}")
    for stat in nap_stats(model.network, naps, data.x_test, data.y_test):
        print(f"class {stat.cls}: {stat.fixed} neurons fixed, recall {stat.recall:.3f}, precision {stat.precision:.3f}")

    cls = 3
    box_reports = verify_robust(model, naps, cls, unit_box(64), timeout_s=5)
    refuted = next((r for r in box_reports if r.verdict == "counterexample"), None)
    verdicts = [r.verdict for r in box_reports]
    print(f"\nNAP_{cls} over [0,1]^64: {verdicts.count('verified')} competing classes ruled out, "
          f"{verdicts.count('counterexample')} refuted by a replayed counterexample")
    if refuted:
        cex = refuted.counterexample
        print(f"  counterexample vs class {refuted.other}: follows NAP {cex['follows_nap']}, "
              f"model predicts {cex['predicted']}, logits {np.round(cex['logits'], 2).tolist()}")

    center = data.x_train[data.y_train == cls].mean(axis=0)
    ball = Region.ball(center, 0.05, unit_box(64))
    ball_reports = verify_robust(model, naps, cls, ball, timeout_s=5)
    print(f"NAP_{cls} on the 0.05-ball around the class mean: "
          f"{[r.verdict for r in ball_reports].count('verified')}/9 verified")

    disjoint = verify_disjoint(model, naps, 0, 1, timeout_s=5)
    answer = {"verified": "yes", "counterexample": "no, an input follows both (replayed)"}.get(disjoint.verdict,
                                                                                            "undecided")
    print(f"NAP_0 and NAP_1 disjoint? {answer} [{disjoint.method}] {disjoint.detail}")

    without = max_epsilon(model, None, center, cls, timeout_s=1.0)
    with_nap = max_epsilon(model, naps.naps[cls], center, cls, timeout_s=1.0, lower=without.epsilon)
    print(f"largest verified radius around the class-{cls} mean: {with_nap.epsilon:.4f} with the NAP, "
          f"{without.epsilon:.4f} without")


if __name__ == "__main__":
    main()
