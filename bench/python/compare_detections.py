"""How far apart two sets of detections of one split are: two `engine detect` output folders of the same
model and data (say --device cpu and --device opencl), compared sample by sample.

For each *_bbox.npy present in either folder, detections are grouped by their timestamp (one group per
sample) and compared within a group:
* identical: rows equal in every field (class, x, y, w, h, score), as float32;
* confident (score >= --score, default 0.3, about where a trained model's true objects score): matched
  one to one, best score first, to a box of the same class with IoU >= 0.5 in the other folder's
  confident detections; the unmatched ones, in either folder, appeared or vanished;
* for the matched pairs, the median and the largest score difference and the smallest IoU; the samples
  whose confident detections are identical in both folders, and those where they differ by more than
  round-off: a confident box appears or vanishes, or a matched pair's score differs by more than 1e-3 or
  one of its coordinates by more than 0.1 pixel.

Run from the repository root:
    python3 bench/python/compare_detections.py A_DIR B_DIR [--score 0.3]

Needs numpy only; reads both box layouts `engine detect` and Prophesee write (the field `t` or `ts`,
`class_confidence` or `confidence`).
"""

import argparse
import os
import sys

import numpy as np


def load(path):
    """Rows (t, class, x, y, w, h, score) of one box file, or an empty array if the file is absent."""
    if not os.path.exists(path):
        return np.zeros((0, 7))
    a = np.load(path)
    t = a["t"] if "t" in a.dtype.names else a["ts"]
    score = a["class_confidence"] if "class_confidence" in a.dtype.names else a["confidence"]
    return np.stack([t.astype(np.float64), a["class_id"], a["x"], a["y"], a["w"], a["h"], score], axis=1)


def iou(p, q):
    w = min(p[2] + p[4], q[2] + q[4]) - max(p[2], q[2])
    h = min(p[3] + p[5], q[3] + q[5]) - max(p[3], q[3])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / (p[4] * p[5] + q[4] * q[5] - inter)


def match(a, b):
    """Greedy one-to-one pairs (i, j) of one class with IoU >= 0.5, rows of a taken best score first."""
    used = set()
    pairs = []
    for i in np.argsort(-a[:, 6], kind="stable"):
        for j in np.argsort(-b[:, 6], kind="stable"):
            if j not in used and a[i, 1] == b[j, 1] and iou(a[i], b[j]) >= 0.5:
                used.add(j)
                pairs.append((i, j))
                break
    return pairs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--score", type=float, default=0.3)
    args = ap.parse_args()
    names = sorted({f for d in (args.a, args.b) for f in os.listdir(d) if f.endswith("_bbox.npy")})
    samples = same_samples = same_confident = apart = rows = identical = confident = changed = matched = 0
    score_diffs, min_iou = [], 1.0
    for name in names:
        a, b = load(os.path.join(args.a, name)), load(os.path.join(args.b, name))
        for t in np.unique(np.concatenate([a[:, 0], b[:, 0]])):
            ga, gb = a[a[:, 0] == t], b[b[:, 0] == t]
            samples += 1
            rows += len(ga)
            key = lambda g: sorted(map(tuple, g[:, 1:].astype(np.float32).tolist()))
            ka, kb = key(ga), key(gb)
            same = set(ka) & set(kb)
            identical += len(same)
            same_samples += ka == kb
            ca, cb = ga[ga[:, 6] >= args.score], gb[gb[:, 6] >= args.score]
            same_confident += key(ca) == key(cb)
            pairs = match(ca, cb)
            confident += len(ca)
            matched += len(pairs)
            changed += len(ca) + len(cb) - 2 * len(pairs)
            moved = any(abs(ca[i, 6] - cb[j, 6]) > 1e-3 or np.abs(ca[i, 2:6] - cb[j, 2:6]).max() > 0.1
                        for i, j in pairs)
            apart += moved or len(ca) + len(cb) > 2 * len(pairs)
            for i, j in pairs:
                score_diffs.append(abs(ca[i, 6] - cb[j, 6]))
                min_iou = min(min_iou, iou(ca[i], cb[j]))
    print(f"{samples} samples, {same_samples} with identical detections; {rows} detections in A, "
          f"{identical} of them identical in B")
    diffs = np.array(score_diffs) if score_diffs else np.zeros(1)
    print(f"score >= {args.score}: {same_confident} samples with identical confident detections, {apart} where they "
          f"differ by more than round-off; {confident} in A, "
          f"{matched} matched in B (same class, IoU >= 0.5), {changed} appearing or vanishing; matched pairs: "
          f"|score difference| median {np.median(diffs):.3g}, max {diffs.max():.3g}, min IoU {min_iou:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
