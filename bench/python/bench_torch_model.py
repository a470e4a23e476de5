"""PyTorch CPU baseline for the Spiking CenterNet training step and inference pass.

Times, with torch.set_num_threads(2), on random binary input of density 0.05 ([5, B, 4, 256, 320],
float32) with 3 random boxes per sample:
* inference: eval mode (batch norm on running statistics), torch.no_grad(), forward only;
* training step: train mode forward, CenterNet loss (targets built outside the timed region),
  zero_grad, backward, gradient-norm clipping at 1.0, AdamW step (lr 1e-4, weight decay 1e-4 except on
  batch-norm and PLIF parameters, betas (0.9, 0.999), eps 1e-8).
Each is run 2 times as warm-up, then --steps times; the median is reported per sample.

Run from the repository root:
    /usr/bin/python3 bench/python/bench_torch_model.py --width 0.25 --batch 8 --steps 3
    /usr/bin/python3 bench/python/bench_torch_model.py --width 1.0 --batch 2 --steps 3 --json
    /usr/bin/python3 bench/python/bench_torch_model.py --width 0.25 --batch 2 --profile
    /usr/bin/python3 bench/python/bench_torch_model.py --width 0.25 --batch 8 --omp-wait-policy passive

Prints the configuration, per-step times, median ms per sample for training and inference, and the
process's peak resident set size (getrusage ru_maxrss; inference runs first, so the peak after
inference is reported separately). With --json, prints only one JSON object with the keys
train_ms_per_sample, infer_ms_per_sample, peak_rss_mb (plus width, batch, steps, threads, the raw step
times in ms and peak_rss_after_infer_mb). With --profile, it also runs one training step and one
inference pass under torch.autograd.profiler and prints the operators that take the most self CPU time,
and the inclusive time of the PLIF neuron's forward and backward (the profiler adds per-operator overhead,
so read the shares, not the absolute times).

The machine's other load matters a lot: torch's OpenMP threads synchronise after every operator and by
default spin while they wait, so when the two cores are shared each of the thousands of small
element-wise operators of a step can wait for a scheduler time slice (a 10x slowdown is possible).
--omp-wait-policy passive (OMP_WAIT_POLICY=PASSIVE, set before torch is imported) makes idle threads
sleep instead, which is much faster on a busy machine and slightly slower on an idle one. The 1-minute
load average is printed with the results; compare only runs made under similar load and policy.
"""

import os
import sys

# OMP_WAIT_POLICY is read when torch's OpenMP runtime starts, so it is set before torch is imported.
for _i, _a in enumerate(sys.argv):
    if _a.startswith("--omp-wait-policy"):
        _v = _a.split("=", 1)[1] if "=" in _a else (sys.argv[_i + 1] if _i + 1 < len(sys.argv) else "")
        if _v.lower() in ("passive", "active"):
            os.environ["OMP_WAIT_POLICY"] = _v.upper()

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scn_torch as scn  # noqa: E402


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kilobytes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--width", type=float, default=1.0)
    ap.add_argument("--expansion", type=float, default=1.5)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--steps", type=int, default=3, help="timed steps after 2 warm-up steps")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--density", type=float, default=0.05)
    ap.add_argument("--teacher", action="store_true", help="the ReLU teacher instead of the spiking net")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print only a JSON object")
    ap.add_argument("--profile", action="store_true", help="also profile one train step and one inference pass")
    ap.add_argument("--profile-rows", type=int, default=25)
    ap.add_argument("--omp-wait-policy", choices=["default", "passive", "active"], default="default",
                    help="OpenMP idle threads: spin (active) or sleep (passive); passive is far faster on a busy machine")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    say = (lambda *a, **k: None) if args.json else print

    model = scn.SpikingCenterNet(width=args.width, expansion=args.expansion, teacher=args.teacher)
    opt = torch.optim.AdamW(scn.param_groups(model, 1e-4), lr=1e-4, betas=(0.9, 0.999), eps=1e-8)
    T, B = 5, args.batch
    x = torch.from_numpy(scn.random_spikes(rng, (T, B, 4, scn.INPUT_HEIGHT, scn.INPUT_WIDTH), args.density)).float()
    targets = scn.build_targets(scn.random_boxes(rng, B, 3))
    targets_t = {k: torch.as_tensor(v) for k, v in targets.items()}

    say(f"torch {torch.__version__}, {torch.get_num_threads()} threads (OMP_WAIT_POLICY "
        f"{os.environ.get('OMP_WAIT_POLICY', 'default')}, load average {os.getloadavg()[0]:.2f}); "
        f"{'teacher' if args.teacher else 'spiking'} width {args.width} expansion {args.expansion}, "
        f"{scn.count_parameters(model):,} parameters; input [{T}, {B}, 4, 256, 320] density {args.density}")

    def infer():
        model.eval()
        with torch.no_grad():
            return model(x)

    def train():
        model.train()
        hm, off, siz = model(x)
        total, _, _, _ = scn.centernet_loss(hm, off, siz, targets_t)
        opt.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return total.item()

    def timed(fn, label):
        times = []
        for i in range(2 + args.steps):
            t0 = time.perf_counter()
            fn()
            dt = (time.perf_counter() - t0) * 1000
            if i >= 2:
                times.append(dt)
            say(f"  {label} {'warm-up' if i < 2 else 'step'} {i - 2 + 1 if i >= 2 else i + 1}: {dt:9.1f} ms")
        return times

    infer_times = timed(infer, "inference")
    rss_infer = peak_rss_mb()
    train_times = timed(train, "train")
    rss = peak_rss_mb()

    result = {
        "width": args.width, "expansion": args.expansion, "batch": B, "steps": args.steps,
        "threads": torch.get_num_threads(), "teacher": args.teacher,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
        "load_average_1min": os.getloadavg()[0],
        "train_ms_per_sample": statistics.median(train_times) / B,
        "infer_ms_per_sample": statistics.median(infer_times) / B,
        "peak_rss_mb": rss,
        "peak_rss_after_infer_mb": rss_infer,
        "train_step_ms": train_times, "infer_step_ms": infer_times,
    }
    if args.json and not args.profile:
        print(json.dumps(result))
        return
    say(f"train:     {result['train_ms_per_sample']:9.1f} ms/sample (median step {statistics.median(train_times):.1f} ms, batch {B})")
    say(f"inference: {result['infer_ms_per_sample']:9.1f} ms/sample (median pass {statistics.median(infer_times):.1f} ms, batch {B})")
    say(f"peak RSS:  {rss:9.1f} MB (after inference only: {rss_infer:.1f} MB)")

    if args.profile:
        from torch.autograd import profiler
        for label, fn in (("training step", train), ("inference pass", infer)):
            with profiler.profile(record_shapes=False) as prof:
                fn()
            avg = prof.key_averages()
            total = sum(e.self_cpu_time_total for e in avg)
            print(f"\n=== {label}: top operators by self CPU time (profiled total {total / 1e3:.1f} ms) ===")
            print(avg.table(sort_by="self_cpu_time_total", row_limit=args.profile_rows))
            # the neuron's time loop runs as many small aten ops; its inclusive time is the useful figure
            for e in avg:
                if e.key.startswith("PLIFFunction"):
                    print(f"{e.key:28s} inclusive {e.cpu_time_total / 1e3:9.1f} ms over {e.count} calls "
                          f"({100.0 * e.cpu_time_total / max(total, 1):.1f} % of the profiled total)")
        if args.json:
            print(json.dumps(result))


if __name__ == "__main__":
    main()
