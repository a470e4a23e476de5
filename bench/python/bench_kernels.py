"""Kernel baselines on the CPU: OpenBLAS sgemm through numpy, and PyTorch (oneDNN) conv2d.

* sgemm: C = A @ B, float32, square n = 1024 and 2048, OpenBLAS with 2 threads
  (OPENBLAS_NUM_THREADS=2 is set before numpy is imported); FLOPs = 2 n^3.
* conv2d with torch.set_num_threads(2), float32, NCHW, the shapes the network uses:
  - 3x3, 64 -> 64, stride 1, pad 1, on [8, 64, 120, 152]: forward, and forward + backward
    (gradients for input and weight);
  - depthwise 3x3 (groups = 576), pad 1, on [8, 576, 64, 80]: forward, and forward + backward;
  - 1x1, 768 -> 1152 on [10, 768, 8, 10]: forward, and forward + backward.
  FLOPs = 2 * B * Cout * (Cin / groups) * kh * kw * Hout * Wout for the forward, 3x that for
  forward + backward (input gradient and weight gradient each cost one forward).
  One extra row runs the depthwise forward in channels_last (NHWC) memory format, since torch 1.13's
  NCHW depthwise kernel on CPU is far slower than its GEMM-based convolutions.

Each kernel is run twice to warm up, then --runs times (default 7); the table gives the best and the
median GFLOP/s and the median time. The machine may be shared: compare best values, and rerun.

Run from the repository root:
    /usr/bin/python3 bench/python/bench_kernels.py [--runs 7] [--threads 2] [--json]

Prints the BLAS library numpy loaded, then one table row per kernel:
kernel, shape, GFLOP per call, median ms, best GFLOP/s, median GFLOP/s. With --json, prints one JSON
list of the rows instead.
"""

import os
import sys

_THREADS = "2"
for _i, _a in enumerate(sys.argv):
    if _a == "--threads" and _i + 1 < len(sys.argv):
        _THREADS = sys.argv[_i + 1]
    elif _a.startswith("--threads="):
        _THREADS = _a.split("=", 1)[1]
os.environ["OPENBLAS_NUM_THREADS"] = _THREADS  # must precede the numpy import
os.environ.setdefault("OMP_NUM_THREADS", _THREADS)

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def blas_library():
    """The BLAS shared object mapped into this process (numpy's), from /proc/self/maps."""
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
        return ", ".join(os.path.realpath(p) for p in libs) or "unknown"
    except OSError:
        return "unknown"


def measure(fn, runs, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def row(kernel, shape, flops, times):
    best, med = min(times), statistics.median(times)
    return {
        "kernel": kernel, "shape": shape, "gflop": flops / 1e9, "median_ms": med * 1e3,
        "best_gflops": flops / best / 1e9, "median_gflops": flops / med / 1e9,
    }


def bench_sgemm(n, runs):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), np.float32)
    times = measure(lambda: np.matmul(a, b, out=c), runs)
    return row("sgemm (numpy/OpenBLAS)", f"{n}x{n}x{n}", 2.0 * n ** 3, times)


def conv_flops(x_shape, cout, cin, groups, k, out_hw):
    return 2.0 * x_shape[0] * cout * (cin // groups) * k * k * out_hw[0] * out_hw[1]


def bench_conv(name, x_shape, cout, k, pad, groups, runs, backward, channels_last=False):
    g = torch.Generator().manual_seed(0)
    cin = x_shape[1]
    x = torch.randn(*x_shape, generator=g)
    w = torch.randn(cout, cin // groups, k, k, generator=g) * 0.05
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
        w = w.contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        y = F.conv2d(x, w, padding=pad, groups=groups)
    flops = conv_flops(x_shape, cout, cin, groups, k, y.shape[2:])
    shape = f"[{','.join(map(str, x_shape))}] -> {cout}"
    if not backward:
        def fwd():
            with torch.no_grad():
                F.conv2d(x, w, padding=pad, groups=groups)
        return row(f"{name} fwd", shape, flops, measure(fwd, runs))
    xg = x.clone().requires_grad_()
    wg = w.clone().requires_grad_()
    gy = torch.randn(y.shape, generator=g)

    def fwd_bwd():
        xg.grad = None
        wg.grad = None
        F.conv2d(xg, wg, padding=pad, groups=groups).backward(gy)
    return row(f"{name} fwd+bwd", shape, 3 * flops, measure(fwd_bwd, runs))


def main():
    ap = argparse.ArgumentParser(description="sgemm and conv2d GFLOP/s baselines")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--threads", type=int, default=int(_THREADS))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    rows = [bench_sgemm(1024, args.runs), bench_sgemm(2048, args.runs)]
    convs = [
        ("conv 3x3 64->64", (8, 64, 120, 152), 64, 3, 1, 1),
        ("depthwise 3x3", (8, 576, 64, 80), 576, 3, 1, 576),
        ("conv 1x1 768->1152", (10, 768, 8, 10), 1152, 1, 0, 1),
    ]
    for name, xs, cout, k, pad, groups in convs:
        for backward in (False, True):
            rows.append(bench_conv(name, xs, cout, k, pad, groups, args.runs, backward))
    # torch 1.13's NCHW depthwise path is slow on CPU; NHWC (channels_last) is shown for reference
    rows.append(bench_conv("depthwise 3x3 NHWC", (8, 576, 64, 80), 576, 3, 1, 576, args.runs, False, channels_last=True))

    if args.json:
        print(json.dumps(rows))
        return
    print(f"numpy {np.__version__} BLAS: {blas_library()}, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, oneDNN (mkldnn) {torch.backends.mkldnn.is_available()}; "
          f"{args.runs} runs after 2 warm-up")
    print(f"{'kernel':28s} {'shape':28s} {'GFLOP':>8s} {'median ms':>10s} {'best GF/s':>10s} {'median GF/s':>12s}")
    for r in rows:
        print(f"{r['kernel']:28s} {r['shape']:28s} {r['gflop']:8.3f} {r['median_ms']:10.2f} "
              f"{r['best_gflops']:10.1f} {r['median_gflops']:12.1f}")


if __name__ == "__main__":
    main()
