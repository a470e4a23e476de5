"""Cross-check of the Java engine's ``dump-step`` against the PyTorch twin in scn_torch.py.

What it does:
1. builds the torch model at the given width with a fixed seed; by default it also randomises the
   batch-norm affine parameters, running statistics and PLIF ``w`` so that none sits at a special
   value (decay exactly 0.5, unit scale), and saves parameters + running_mean/running_var under the
   canonical names to ``weights.safetensors`` (and checks the file reads back bit for bit);
2. writes random uint8 spikes ``[5, B, 4, 240, 304]`` (density 0.1) to ``input.npy`` and float32
   boxes ``[B, N, 5]`` (x, y, w, h, class; an object off the grid and a padding row included) to
   ``boxes.npy``;
3. runs ``$JAVA_HOME/bin/java -jar target/engine.jar dump-step --weights ... --input ... --boxes ...
   --out java.safetensors --width W --expansion E`` (``java`` from PATH if JAVA_HOME is unset);
4. runs the same training-mode step (batch norm on batch statistics, no update) in torch twice: in
   float32, and in float64 as the reference, with hooks on every neuron layer;
5. compares ``out.heatmap``, ``out.offset``, ``out.size``, ``loss.{total,heatmap,offset,size}`` and
   ``grad.<name>`` of every parameter: for each tensor the largest |ref|, the largest absolute error,
   the relative max error (max |a - ref| / max |ref|) and the relative L2 error, of Java against the
   float64 reference and, as a yardstick, of torch float32 against the same reference.

Run from the repository root after ``mvn -q package -DskipTests``:
    /usr/bin/python3 bench/python/check_dump_step.py --width 0.25
Options: --batch 2, --seed 0, --density 0.1, --jar target/engine.jar, --workdir DIR (keep the files;
default a temporary folder), --java-args=--reference (extra dump-step arguments; note the "="),
--torch-only (skip Java: check only the torch side, the parameter counts and the safetensors round
trip), --plain-init (torch's default initialisation, PLIF w = 0), --teacher (the ReLU twin, passed on
as --teacher), --show worst (only the 20 tensors with the largest Java rel-L2 in the table).

Prints: the spike statistics per neuron layer (firing rate, spikes that differ between torch float32
and float64, neurons whose float64 potential lies within 1e-5 of the threshold; the Java engine's
spikes are not in its output, so these torch counts are the estimate of how many may differ; if the
Java file does carry ``spikes.<neuron layer name>`` tensors, their differences are counted too), one
table row per compared tensor with a verdict, and a final line ``VERDICT: PASS``, ``VERDICT: PASS (within spike-flip
noise)`` or ``VERDICT: FAIL``; exit status 0, 0, 1 respectively (2 if the Java command failed).

Tolerances (see classify()):
* Every value is float32 on both sides, and the two engines sum in different orders (im2col/GEMM
  blocking, batch-norm reductions over T*B*H*W, the loss sums), so the floor is float32 round-off
  accumulated over about 60 layers: ~1e-6 relative per operation, a few 1e-5 at the outputs.
  "exact" means rel-max <= 1e-4 for outputs and losses, <= 1e-3 for gradients (weight gradients are
  sums over 10^5..10^7 products with cancellation, and the backward runs through as many layers).
* Spikes are discontinuous: a neuron whose potential is within ~1e-6 of the threshold can fire in one
  engine and not in the other, and that moves the outputs near that pixel by a whole spike's
  contribution and every gradient a little. The float32-vs-float64 torch run shows how many such flips
  round-off alone produces in this very input. When flips happen, max errors say little; the
  relative L2 error over the whole tensor still does: a handful of flips among millions of neurons
  moves it by well under 1e-2. "close" means, for gradients, rel-L2 <= 1e-2 (and rel-max <= 0.5);
  for the head outputs, rel-L2 <= 1e-2 with at most 0.1 % of the elements beyond the exact tolerance
  (flips are local; a uniform 1e-3 scale error is not "close"); for losses, relative error <= 1e-3.
* The same holds for the ReLU teacher at the kink z = 0: a sign change switches the gradient through
  that unit, and batch norm's backward spreads the change over the whole channel, so a few kink flips
  can move every upstream gradient by ~1e-2 relative (torch float32 itself does, against float64).
  "as t32" means neither exact nor close, but rel-L2 within 3x of torch float32's own rel-L2 on that
  tensor, when torch float32 is itself not exact there: Java is no further from float64 than torch is.
* Overall: PASS when every tensor is exact; PASS (within spike-flip noise) when every tensor is exact,
  close or as t32 and the torch yardstick shows flips or near-threshold neurons; FAIL otherwise.
"""

import argparse
import copy
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_np  # noqa: E402
import scn_torch as scn  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

EXACT_OUT, EXACT_GRAD = 1e-4, 1e-3  # rel-max tolerances without spike flips
CLOSE_L2, CLOSE_MAX = 1e-2, 0.5  # rel-L2 / rel-max tolerances with a few spike flips
CLOSE_FRACTION = 1e-3  # outputs: at most this fraction of elements beyond the exact tolerance
CLOSE_LOSS = 1e-3  # losses: relative error with a few spike flips
LIKE_T32 = 3.0  # or rel-L2 within 3x of torch float32's own rel-L2 when that shows flip noise
NEAR_THRESHOLD = 1e-5  # |h - 1| (or |z| for a ReLU) below this counts as "could flip"


# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------

def randomise(model, gen):
    """Moves batch-norm and PLIF parameters off their initial values (reproducibly)."""
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.7, 1.3, generator=gen)
                m.bias.normal_(0.0, 0.1, generator=gen)
                m.running_mean.normal_(0.0, 0.1, generator=gen)
                m.running_var.uniform_(0.5, 2.0, generator=gen)
            elif isinstance(m, scn.PLIF):
                m.w.uniform_(-0.5, 0.5, generator=gen)


def make_boxes(rng, batch):
    """[B, 5, 5]: 3 random objects per sample, an off-grid object in sample 0 (dropped), a border object
    in sample 0 (Gaussian truncated at the corner), and padding rows (class -1)."""
    boxes = scn.random_boxes(rng, batch, 3, pad_rows=2)
    boxes[0, 3] = (-60.0, 20.0, 40.0, 30.0, 1)  # centre x = -40 px -> grid -10: dropped
    boxes[0, 4] = (0.0, 0.0, 22.0, 18.0, 0)  # centre (11, 9) px -> (2, 2): patch cut at the corner
    return boxes


# --------------------------------------------------------------------------------------------------
# The torch step, with the neuron layers recorded
# --------------------------------------------------------------------------------------------------

def plif_potentials(x, w):
    """h_t of a PLIF layer (the potential before the reset), recomputed without autograd."""
    with torch.no_grad():
        decay = torch.sigmoid(w)
        v = torch.zeros_like(x[0])
        hs = torch.empty_like(x)
        for t in range(x.shape[0]):
            h = v + (x[t] - v) * decay
            hs[t] = h
            v = h.masked_fill(h >= scn.V_THRESHOLD, 0.0)
        return hs


def torch_step(model, x, targets, record):
    """One training-mode step (forward, loss, backward; no update) on a copy of model.

    Returns dict name -> numpy float64 array (outputs, losses, gradients) and, if record, dict neuron
    name -> (fired/positive bool array, distance to the threshold or ReLU kink)."""
    model = copy.deepcopy(model)
    model.train()
    model.zero_grad(set_to_none=True)
    neurons = {}
    handles = []
    if record:
        for name, m in scn.neuron_modules(model):
            def hook(mod, inp, out, name=name):
                # distance to the discontinuity: |h - 1| for a PLIF, |z| (the kink) for a teacher ReLU
                if isinstance(mod, scn.PLIF):
                    gap = (plif_potentials(inp[0], mod.w) - scn.V_THRESHOLD).abs()
                else:
                    gap = inp[0].detach().abs()
                neurons[name] = ((out.detach() > 0).numpy(), gap.numpy())
            handles.append(m.register_forward_hook(hook))
    hm, off, siz = model(x)
    total, lh, lo, ls = scn.centernet_loss(hm, off, siz, targets)
    total.backward()
    for hd in handles:
        hd.remove()
    res = {
        "out.heatmap": hm, "out.offset": off, "out.size": siz,
        "loss.total": total, "loss.heatmap": lh, "loss.offset": lo, "loss.size": ls,
    }
    res = {k: v.detach().double().numpy() for k, v in res.items()}
    for n, p in model.named_parameters():
        res["grad." + n] = (p.grad if p.grad is not None else torch.zeros_like(p)).double().numpy()
    return res, neurons


# --------------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------------

def errors(a, ref):
    a = np.asarray(a, np.float64)
    ref = np.asarray(ref, np.float64)
    if a.shape != ref.shape:
        return None
    d = np.abs(a - ref)
    scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    norm = float(np.linalg.norm(ref.ravel()))
    max_abs = float(d.max()) if d.size else 0.0
    tiny = 1e-30
    return {
        "scale": scale,
        "frac_off": float(np.count_nonzero(d > EXACT_OUT * scale)) / max(d.size, 1),
        "max_abs": max_abs,
        "rel_max": max_abs / max(scale, tiny) if max_abs > 0 else 0.0,
        "rel_l2": float(np.linalg.norm(d.ravel())) / max(norm, tiny) if max_abs > 0 else 0.0,
    }


def classify(name, e, yardstick=None):
    """'exact', 'close', 'as t32' or 'FAIL' for one tensor's errors against the float64 reference.

    yardstick: the errors of torch float32 on the same tensor; 'as t32' means no exact or close match
    but no further from float64 than LIKE_T32 times what torch float32 itself shows (the flip noise of
    this particular input)."""
    if e is None:
        return "FAIL"
    exact = EXACT_GRAD if name.startswith("grad.") else EXACT_OUT
    if e["rel_max"] <= exact:
        return "exact"
    if name.startswith("out."):
        # a flipped spike moves the outputs near it, not everywhere: most elements must stay exact
        if e["rel_l2"] <= CLOSE_L2 and e["frac_off"] <= CLOSE_FRACTION:
            return "close"
    elif name.startswith("loss."):
        if e["rel_max"] <= CLOSE_LOSS:
            return "close"
    elif e["rel_l2"] <= CLOSE_L2 and e["rel_max"] <= CLOSE_MAX:
        return "close"
    if yardstick is not None and yardstick["rel_max"] > exact and e["rel_l2"] <= LIKE_T32 * yardstick["rel_l2"]:
        return "as t32"
    return "FAIL"


def spike_table(n32, n64):
    """Per neuron layer: firing rate, float32-vs-float64 spike differences, near-threshold neurons.

    For the ReLU teacher the same columns count positive outputs, sign changes of the ReLU input
    between float32 and float64, and inputs within 1e-5 of the kink at 0 (a kink flip switches the
    gradient through that unit on or off, as a spike flip does)."""
    print(f"\n{'neuron layer':38s} {'neurons':>10s} {'rate':>7s} {'f32!=f64':>9s} {'gap<1e-5':>9s} {'min gap':>10s}"
          "   (gap = |h - 1|, or |z| for a ReLU; float64)")
    total_flips = total_near = 0
    for name, (s64, gap) in n64.items():
        s32 = n32[name][0]
        flips = int(np.count_nonzero(s32 != s64))
        near = int(np.count_nonzero(gap < NEAR_THRESHOLD))
        total_flips += flips
        total_near += near
        print(f"{name:38s} {s64.size:10d} {s64.mean():7.4f} {flips:9d} {near:9d} {gap.min():10.2e}")
    print(f"{'all layers':38s} {'':10s} {'':7s} {total_flips:9d} {total_near:9d}")
    return total_flips, total_near


def compare_spikes(java, n64):
    """If the Java file carries spikes.<neuron name> tensors, counts the spikes that differ."""
    keys = [k for k in java if k.startswith("spikes.")]
    if not keys:
        return
    print(f"\n{'Java spikes vs float64':38s} {'differ':>10s} {'of':>12s}")
    for k in keys:
        name = k[len("spikes."):]
        if name in n64:
            s64 = n64[name][0]
            sj = np.asarray(java[k]).reshape(s64.shape) > 0
            print(f"{name:38s} {int(np.count_nonzero(sj != s64)):10d} {s64.size:12d}")


def run_java(args, work, weights, xin, bin_, out):
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else shutil.which("java")
    cmd = [java, "-jar", args.jar, "dump-step", "--weights", weights, "--input", xin, "--boxes", bin_, "--out", out,
           "--width", repr(args.width), "--expansion", repr(args.expansion)]
    if args.teacher:
        cmd.append("--teacher")
    cmd += shlex.split(args.java_args)
    print("$ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True)
    for line in (p.stdout + p.stderr).strip().splitlines():
        if not line.startswith("WARNING: Using incubator modules"):
            print("  java: " + line)
    return p.returncode == 0 and os.path.exists(out)


def main():
    ap = argparse.ArgumentParser(description="Cross-check java dump-step against PyTorch")
    ap.add_argument("--width", type=float, default=0.25)
    ap.add_argument("--expansion", type=float, default=1.5)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--density", type=float, default=0.1)
    ap.add_argument("--jar", default=os.path.join(REPO, "target", "engine.jar"))
    ap.add_argument("--workdir", default=None, help="keep the files here (default: a temporary folder)")
    ap.add_argument("--java-args", default="", help="extra dump-step arguments, e.g. '--reference'")
    ap.add_argument("--torch-only", action="store_true")
    ap.add_argument("--plain-init", action="store_true")
    ap.add_argument("--teacher", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--show", choices=["all", "worst"], default="all", help="table rows: every tensor, or the 20 worst")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    work = args.workdir or tempfile.mkdtemp(prefix="dump-step-check-")
    os.makedirs(work, exist_ok=True)
    weights = os.path.join(work, "weights.safetensors")
    xin, bin_, jout = (os.path.join(work, n) for n in ("input.npy", "boxes.npy", "java.safetensors"))

    # --- model and weights ---------------------------------------------------------------------------
    torch.manual_seed(args.seed)
    model = scn.SpikingCenterNet(width=args.width, expansion=args.expansion, teacher=args.teacher)
    if not args.plain_init:
        randomise(model, torch.Generator().manual_seed(args.seed + 1))
    nparam = scn.count_parameters(model)
    key = (args.width, args.expansion, args.teacher)
    if key in scn.EXPECTED_PARAMS:
        assert nparam == scn.EXPECTED_PARAMS[key], (nparam, scn.EXPECTED_PARAMS[key])
        print(f"parameters: {nparam:,} (matches SPEC)")
    else:
        print(f"parameters: {nparam:,}")
    state = {k: v.detach().numpy() for k, v in scn.canonical_state(model).items()}
    safetensors_np.save(weights, state, model.metadata())
    back, meta = safetensors_np.load(weights)
    assert set(back) == set(state) and meta == model.metadata()
    assert all(back[k].dtype == np.float32 and back[k].shape == state[k].shape and np.array_equal(back[k], state[k]) for k in state)
    print(f"weights: {len(state)} tensors written to {weights}, read back bit for bit")

    # --- inputs ---------------------------------------------------------------------------------------
    rng = np.random.default_rng(args.seed)
    x_np = scn.random_spikes(rng, (5, args.batch, 4, scn.SENSOR_HEIGHT, scn.SENSOR_WIDTH), args.density)
    boxes = make_boxes(rng, args.batch)
    np.save(xin, x_np)
    np.save(bin_, boxes)
    targets = scn.build_targets(boxes)
    print(f"input: {list(x_np.shape)} uint8, density {x_np.mean():.4f}; boxes {list(boxes.shape)}, "
          f"{int(targets['mask'].sum())} objects kept on the grid")

    # --- torch float32 and float64 --------------------------------------------------------------------
    x32 = torch.from_numpy(x_np).float()
    r32, n32 = torch_step(model, x32, targets, record=True)
    r64, n64 = torch_step(model.double(), x32.double(), targets, record=True)
    model.float()
    print(f"torch float32 loss {r32['loss.total']:.6f} (heatmap {r32['loss.heatmap']:.6f}, offset {r32['loss.offset']:.6f}, "
          f"size {r32['loss.size']:.6f}); float64 {r64['loss.total']:.6f}")
    flips, near = spike_table(n32, n64)

    # --- Java ------------------------------------------------------------------------------------------
    java = None
    if not args.torch_only:
        print()
        if not os.path.exists(args.jar):
            print(f"no {args.jar}: build with mvn -q package -DskipTests")
        elif run_java(args, work, weights, xin, bin_, jout):
            java, jmeta = safetensors_np.load(jout)
        else:
            print("the Java dump-step failed")

    # --- table -----------------------------------------------------------------------------------------
    names = list(r64)
    rows = []  # (name, torch float32 errors, Java errors, verdict)
    for n in names:
        e32 = errors(r32[n], r64[n])
        if java is not None:
            ej = errors(java[n], r64[n]) if n in java else None
            rows.append((n, e32, ej, classify(n, ej, e32)))
        else:
            rows.append((n, e32, None, "t32 " + classify(n, e32)))
    verdicts = [r[3] for r in rows] if java is not None else []
    shown = rows
    if args.show == "worst" and java is not None:
        shown = sorted(rows, key=lambda r: -(r[2]["rel_l2"] if r[2] else np.inf))[:20]
    hdr = f"{'tensor':48s} {'max|ref|':>9s} | {'java abs':>9s} {'rel-max':>9s} {'rel-L2':>9s} | {'t32 rel-max':>11s} {'rel-L2':>9s} | verdict"
    print("\nerrors against torch float64 (java = Java dump-step, t32 = torch float32)"
          + (", the 20 largest Java rel-L2" if shown is not rows else ""))
    print(hdr)
    print("-" * len(hdr))
    for n, e32, ej, v in shown:
        if java is None:
            js = f"{'-':>29s}"
        elif ej is not None:
            js = f"{ej['max_abs']:9.2e} {ej['rel_max']:9.2e} {ej['rel_l2']:9.2e}"
        else:
            js = f"{'missing' if n not in java else 'shape ' + str(list(np.shape(java[n]))):>29s}"
        print(f"{n:48s} {e32['scale']:9.2e} | {js} | {e32['rel_max']:11.2e} {e32['rel_l2']:9.2e} | {v}")

    yard = [classify(n, errors(r32[n], r64[n])) for n in names]
    print(f"\ntorch float32 vs float64: {yard.count('exact')} exact, {yard.count('close')} close, {yard.count('FAIL')} fail "
          f"of {len(names)}; {flips} spikes (ReLU signs) flipped, {near} neurons within {NEAR_THRESHOLD:g} of the threshold (kink)")

    if java is None:
        print("VERDICT: Java side not run (torch side checked: parameter counts, safetensors round trip, "
              "float32 vs float64 above)")
        sys.exit(0 if args.torch_only else 2)

    missing = [n for n in names if n not in java]
    extra = [k for k in java if k not in r64 and not k.startswith("spikes.")]
    if missing:
        print(f"missing in the Java output: {missing}")
    if extra:
        print(f"extra in the Java output (not compared): {extra}")
    gnames = [n for n in names if n.startswith("grad.") and n in java and np.shape(java[n]) == np.shape(r64[n])]
    if gnames:
        gj = np.sqrt(sum(float(np.sum(np.square(java[n], dtype=np.float64))) for n in gnames))
        gt = np.sqrt(sum(float(np.sum(np.square(r64[n]))) for n in gnames))
        print(f"global gradient norm: Java {gj:.6g}, torch {gt:.6g} (ratio {gj / gt:.6f}; a ratio far from 1 with "
              f"small per-tensor rel-L2 after rescaling would mean clipping or a scaled loss)")
    compare_spikes(java, n64)

    n_exact, n_fail = verdicts.count("exact"), verdicts.count("FAIL")
    n_close = len(verdicts) - n_exact - n_fail
    print(f"Java vs float64: {n_exact} exact, {verdicts.count('close')} close, {verdicts.count('as t32')} as torch float32, "
          f"{n_fail} fail of {len(verdicts)}")
    if n_fail or missing:
        print("VERDICT: FAIL")
        sys.exit(1)
    if n_close == 0:
        print("VERDICT: PASS")
    elif flips or near:
        print("VERDICT: PASS (within spike-flip noise)")
    else:
        print("VERDICT: FAIL (some tensors only close, but torch float32 shows no spike flips to explain it)")
        sys.exit(1)
    print(f"files in {work}")


if __name__ == "__main__":
    main()
