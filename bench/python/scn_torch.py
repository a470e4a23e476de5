"""Spiking CenterNet in plain PyTorch (eager, torch 1.13): the reference twin of the Java engine.

This module implements exactly the network of docs SPEC sections 2, 3 and 5:

* ``PLIFFunction`` -- the multi-step parametric LIF neuron (decay = sigmoid(w), threshold 1, hard reset
  to 0 with the reset detached, h exactly at threshold fires) with the ATan surrogate (alpha = 2) and
  the hand-written time-reversed backward of SPEC 2;
* ``SpikingCenterNet`` -- the spiking ResNet-18 encoder, the M2U-Net style decoder and the three
  CenterNet heads, with module and parameter names equal to the canonical checkpoint names
  (``encoder.stem.conv.weight``, ``encoder.stem.plif.w``, ``decoder.up1.expand.conv.weight``,
  ``heads.heatmap.out.bias``, ...); ``teacher=True`` gives the ReLU twin without ``plif`` entries;
* ``build_targets`` and ``centernet_loss`` -- CenterNet targets (Gaussian heatmap drawn as
  ``draw_umich_gaussian``) and the focal + centre-L1 loss.

Activations are time-major ``[T, B, C, H, W]``; stateless layers fold T into the batch.

Run ``/usr/bin/python3 bench/python/scn_torch.py`` (from the repository root) for a self-test: it
checks the parameter counts (12,866,435 default, 12,866,406 teacher, 813,563 at width 0.25), the PLIF
backward against autograd through the unrolled loop, the Gaussian targets, and runs one forward and
backward at width 0.25. It prints one line per check and ``self-test passed`` at the end.
"""

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BASE_CHANNELS = (64, 128, 256, 512)
INPUT_CHANNELS = 4
INPUT_HEIGHT, INPUT_WIDTH = 256, 320  # padded network input
SENSOR_HEIGHT, SENSOR_WIDTH = 240, 304  # GEN1 sensor
STRIDE = 4
GRID_HEIGHT, GRID_WIDTH = INPUT_HEIGHT // STRIDE, INPUT_WIDTH // STRIDE  # 64 x 80
NUM_CLASSES = 2
MAX_OBJECTS = 100
V_THRESHOLD = 1.0
ATAN_ALPHA = 2.0
HEATMAP_BIAS = -2.19
OFFSET_WEIGHT, SIZE_WEIGHT = 1.0, 0.1

EXPECTED_PARAMS = {
    # (width, expansion, teacher) -> trainable parameter count
    (1.0, 1.5, False): 12_866_435,
    (1.0, 1.5, True): 12_866_406,
    (0.25, 1.5, False): 813_563,
}


def scaled(c, factor):
    """round(c * factor), ties to even (Python's round is banker's rounding, like Java's Math.rint)."""
    return int(round(c * factor))


# --------------------------------------------------------------------------------------------------
# The neuron
# --------------------------------------------------------------------------------------------------

def atan_surrogate(u, alpha=ATAN_ALPHA):
    """sg(u) = (alpha/2) / (1 + (pi/2 * alpha * u)^2), the derivative of the ATan surrogate."""
    return (alpha / 2) / (1 + (math.pi / 2 * alpha * u) ** 2)


class PLIFFunction(torch.autograd.Function):
    """Multi-step PLIF over x [T, ...] with a scalar parameter w; returns spikes [T, ...] (0/1).

    Forward (v_{-1} = 0, decay = sigmoid(w)):
        h_t = v_{t-1} + (x_t - v_{t-1}) * decay
        s_t = 1 if h_t - 1 >= 0 else 0
        v_t = h_t * (1 - s_t)              (s_t detached: hard reset, no gradient through the reset)
    Backward: SPEC 2 verbatim, gv_{T-1} = 0 and the loop runs t = T-1 .. 0.
    Saves x and h (the membrane potential before the reset); v_{t-1} and s_t are recomputed from h.
    """

    @staticmethod
    def forward(ctx, x, w):
        decay = torch.sigmoid(w)
        T = x.shape[0]
        hs = torch.empty_like(x)  # h_t, the potential before the reset
        spikes = torch.empty_like(x)
        v = None
        for t in range(T):
            h = hs[t]
            if v is None:  # v_{-1} = 0: h_0 = x_0 * decay
                torch.mul(x[t], decay, out=h)
            else:  # h = v + (x - v) * decay, in that order of operations
                torch.sub(x[t], v, out=h)
                h.mul_(decay)
                h.add_(v)
            fire = h >= V_THRESHOLD  # == (h - V_th >= 0) exactly in floating point
            spikes[t].copy_(fire)
            v = h.masked_fill(fire, 0.0)  # hard reset; no gradient path through s_t
        ctx.save_for_backward(x, hs, decay)
        return spikes

    @staticmethod
    def backward(ctx, grad_spikes):
        x, hs, decay = ctx.saved_tensors
        T = x.shape[0]
        k = math.pi / 2 * ATAN_ALPHA
        gx = torch.empty_like(x)
        gv = None  # gv_{T-1} = 0
        # The decay gradient is a sum over every neuron and step; it is accumulated in float64 so
        # the reference carries less round-off than a float32 reduction would.
        gdecay = torch.zeros((), dtype=torch.float64)
        for t in range(T - 1, -1, -1):
            h = hs[t]
            fire = h >= V_THRESHOLD
            sg = h - V_THRESHOLD  # sg(u) = (alpha/2) / (1 + (pi/2 * alpha * u)^2)
            sg.mul_(k).square_().add_(1.0)
            sg = torch.div(ATAN_ALPHA / 2, sg)
            gh = grad_spikes[t] * sg
            if gv is not None:
                gh.add_(gv.masked_fill_(fire, 0.0))  # + gv_t * (1 - s_t)
            torch.mul(gh, decay, out=gx[t])
            if t > 0:
                hp = hs[t - 1]
                diff = x[t] - hp.masked_fill(hp >= V_THRESHOLD, 0.0)  # x_t - v_{t-1}
            else:
                diff = x[t]
            gdecay += (gh * diff).sum(dtype=torch.float64)
            gv = gh.mul_(1 - decay)  # gv_{t-1} = gh_t * (1 - decay)
        d = decay.to(torch.float64)
        gw = (gdecay * d * (1 - d)).to(x.dtype)
        return gx, gw


class PLIF(nn.Module):
    """One PLIF layer: a single learnable scalar ``w`` (shape []), w0 = -ln(tau0 - 1) = 0 for tau0 = 2."""

    def __init__(self, tau0=2.0):
        super().__init__()
        self.w = nn.Parameter(torch.tensor(-math.log(tau0 - 1.0), dtype=torch.float32))

    def forward(self, x):  # x [T, B, C, H, W]
        return PLIFFunction.apply(x, self.w)


def plif_reference(x, w):
    """The PLIF forward written with autograd primitives (surrogate via a straight-through trick).

    Used only to test PLIFFunction: its autograd gradient is the SPEC 2 backward.
    """
    decay = torch.sigmoid(w)
    v = torch.zeros_like(x[0])
    out = []
    for t in range(x.shape[0]):
        h = v + (x[t] - v) * decay
        u = h - V_THRESHOLD
        heav = (u >= 0).to(x.dtype)
        # value = heaviside(u), derivative = sg(u)
        prim = torch.atan(math.pi / 2 * ATAN_ALPHA * u) / math.pi  # d/du = sg(u)
        s = heav + (prim - prim.detach())
        out.append(s)
        v = h * (1 - heav)
    return torch.stack(out)


# --------------------------------------------------------------------------------------------------
# Layers: everything multi-step, [T, B, C, H, W]
# --------------------------------------------------------------------------------------------------

def fold(x):
    """[T, B, ...] -> [T*B, ...]."""
    return x.flatten(0, 1)


def unfold(y, T):
    """[T*B, ...] -> [T, B, ...]."""
    return y.view(T, y.shape[0] // T, *y.shape[1:])


def make_neuron(teacher):
    return nn.ReLU() if teacher else PLIF()


class ConvBnPlif(nn.Module):
    """conv (no bias) -> batch norm over the folded [T*B, C, H, W] -> PLIF (or ReLU for the teacher).

    Children: ``conv``, ``bn``, and ``plif`` (spiking) or ``relu`` (teacher, no parameters).
    """

    def __init__(self, k, s, p, cin, cout, teacher, groups=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=s, padding=p, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
        self.teacher = teacher
        if teacher:
            self.relu = nn.ReLU()
        else:
            self.plif = PLIF()

    def pre(self, x):  # conv + bn, [T, B, ...] -> [T, B, ...]
        T = x.shape[0]
        return unfold(self.bn(self.conv(fold(x))), T)

    def forward(self, x):
        z = self.pre(x)
        return self.relu(z) if self.teacher else self.plif(z)


class Stem(ConvBnPlif):
    """ConvBnPlif(7, 2, 3, 4, c0) then max-pool 3x3 / 2 / 1 (on spikes: logical OR)."""

    def __init__(self, c0, teacher):
        super().__init__(7, 2, 3, INPUT_CHANNELS, c0, teacher)

    def forward(self, x):
        y = super().forward(x)
        T = y.shape[0]
        return unfold(F.max_pool2d(fold(y), 3, 2, 1), T)


class Downsample(nn.Module):
    """Shortcut projection: 1x1 conv with stride, then batch norm (children ``conv`` and ``bn``)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 1, stride=stride, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)

    def forward(self, x):
        T = x.shape[0]
        return unfold(self.bn(self.conv(fold(x))), T)


class BasicBlock(nn.Module):
    """y = plif2(bn2(conv2(plif1(bn1(conv1(x))))) + shortcut(x)) -- SpikingJelly's spiking_resnet."""

    def __init__(self, cin, cout, stride, teacher):
        super().__init__()
        self.teacher = teacher
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
        self.conv2 = nn.Conv2d(cout, cout, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
        if teacher:
            self.relu1, self.relu2 = nn.ReLU(), nn.ReLU()
        else:
            self.plif1, self.plif2 = PLIF(), PLIF()
        self.downsample = Downsample(cin, cout, stride) if (stride != 1 or cin != cout) else None

    def forward(self, x):
        T = x.shape[0]
        a = unfold(self.bn1(self.conv1(fold(x))), T)
        a = self.relu1(a) if self.teacher else self.plif1(a)
        b = unfold(self.bn2(self.conv2(fold(a))), T)
        shortcut = x if self.downsample is None else self.downsample(x)
        z = b + shortcut
        return self.relu2(z) if self.teacher else self.plif2(z)


class Encoder(nn.Module):
    def __init__(self, c, teacher):
        super().__init__()
        self.stem = Stem(c[0], teacher)
        cin = c[0]
        for i, cout in enumerate(c):
            stride = 1 if i == 0 else 2
            layer = nn.Sequential(BasicBlock(cin, cout, stride, teacher), BasicBlock(cout, cout, 1, teacher))
            setattr(self, f"layer{i + 1}", layer)
            cin = cout

    def forward(self, x):
        x = self.stem(x)
        f1 = self.layer1(x)
        f2 = self.layer2(f1)
        f3 = self.layer3(f2)
        f4 = self.layer4(f3)
        return f1, f2, f3, f4


class UpBlock(nn.Module):
    """Nearest x2 upsampling of x, concat [up(x), skip], then expand 1x1 -> depthwise 3x3 -> project 1x1."""

    def __init__(self, cin, cskip, cout, expansion, teacher):
        super().__init__()
        C = cin + cskip
        E = scaled(C, expansion)
        self.expand = ConvBnPlif(1, 1, 0, C, E, teacher)
        self.depthwise = ConvBnPlif(3, 1, 1, E, E, teacher, groups=E)
        self.project = ConvBnPlif(1, 1, 0, E, cout, teacher)

    def forward(self, x, skip):
        T = x.shape[0]
        up = unfold(F.interpolate(fold(x), scale_factor=2, mode="nearest"), T)
        y = torch.cat([up, skip], dim=2)
        return self.project(self.depthwise(self.expand(y)))


class Decoder(nn.Module):
    def __init__(self, c, expansion, teacher):
        super().__init__()
        self.up1 = UpBlock(c[3], c[2], c[2], expansion, teacher)
        self.up2 = UpBlock(c[2], c[1], c[1], expansion, teacher)
        self.up3 = UpBlock(c[1], c[0], c[0], expansion, teacher)

    def forward(self, f1, f2, f3, f4):
        return self.up3(self.up2(self.up1(f4, f3), f2), f1)


class Head(nn.Module):
    """hidden = ConvBnPlif(3, 1, 1, c0, c0), out = 1x1 conv with bias; the output is averaged over T."""

    def __init__(self, c0, k, teacher, bias_init=None):
        super().__init__()
        self.hidden = ConvBnPlif(3, 1, 1, c0, c0, teacher)
        self.out = nn.Conv2d(c0, k, 1, bias=True)
        if bias_init is not None:
            nn.init.constant_(self.out.bias, bias_init)

    def forward(self, x):  # [T, B, c0, H, W] -> [B, k, H, W]
        T = x.shape[0]
        return unfold(self.out(fold(self.hidden(x))), T).mean(0)


class Heads(nn.Module):
    def __init__(self, c0, classes, teacher):
        super().__init__()
        self.heatmap = Head(c0, classes, teacher, bias_init=HEATMAP_BIAS)
        self.offset = Head(c0, 2, teacher)
        self.size = Head(c0, 2, teacher)

    def forward(self, x):
        return self.heatmap(x), self.offset(x), self.size(x)


class SpikingCenterNet(nn.Module):
    """SPEC 3, preset scn-r18. forward(x [T, B, 4, 256, 320] or [T, B, 4, 240, 304]) -> (heatmap
    logits [B, classes, 64, 80], offset [B, 2, 64, 80], size [B, 2, 64, 80]), all averaged over T."""

    def __init__(self, width=1.0, expansion=1.5, time_steps=5, classes=NUM_CLASSES, teacher=False):
        super().__init__()
        c = [scaled(b, width) for b in BASE_CHANNELS]
        if c[0] < 1:
            raise ValueError(f"width {width} leaves no channels")
        self.width, self.expansion, self.time_steps, self.classes, self.teacher = width, expansion, time_steps, classes, teacher
        self.channels = c
        self.encoder = Encoder(c, teacher)
        self.decoder = Decoder(c, expansion, teacher)
        self.heads = Heads(c[0], classes, teacher)

    def forward(self, x):
        x = pad_input(x)
        f1, f2, f3, f4 = self.encoder(x)
        return self.heads(self.decoder(f1, f2, f3, f4))

    def metadata(self):
        return {
            "model": "scn-r18-teacher" if self.teacher else "scn-r18",
            "width": str(float(self.width)),
            "expansion": str(float(self.expansion)),
            "time_steps": str(self.time_steps),
            "classes": str(self.classes),
        }


def pad_input(x):
    """Zero-pads [T, B, 4, 240, 304] at the bottom and right to [T, B, 4, 256, 320]; others pass through."""
    h, w = x.shape[-2:]
    if (h, w) == (INPUT_HEIGHT, INPUT_WIDTH):
        return x
    if h > INPUT_HEIGHT or w > INPUT_WIDTH:
        raise ValueError(f"input {tuple(x.shape)} is larger than {INPUT_HEIGHT}x{INPUT_WIDTH}")
    return F.pad(x, (0, INPUT_WIDTH - w, 0, INPUT_HEIGHT - h))


def count_parameters(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def canonical_state(model):
    """Parameters and batch-norm running statistics under the canonical names (no num_batches_tracked)."""
    return {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}


def neuron_modules(model):
    """(name, module) of every PLIF (or teacher ReLU) layer, in forward order of registration.

    Block neurons are the ``plif1``/``plif2`` children of a BasicBlock, so they are found as modules.
    """
    return [(n, m) for n, m in model.named_modules() if isinstance(m, (PLIF, nn.ReLU))]


def no_decay_parameter(name):
    """Batch-norm and PLIF parameters get no weight decay (SPEC 5, ours)."""
    parts = name.split(".")
    return parts[-1] == "w" or any(p in ("bn", "bn1", "bn2") for p in parts)


def param_groups(model, weight_decay):
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (no_decay if no_decay_parameter(n) else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


# --------------------------------------------------------------------------------------------------
# Targets and loss (SPEC 5)
# --------------------------------------------------------------------------------------------------

def gaussian_radius(height, width, min_overlap=0.7):
    """CenterNet's gaussian_radius, roots (b + sqrt(b^2 - 4ac)) / 2 exactly as CenterNet writes them."""
    a1, b1 = 1.0, height + width
    c1 = width * height * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + math.sqrt(b1 * b1 - 4 * a1 * c1)) / 2
    a2, b2 = 4.0, 2 * (height + width)
    c2 = (1 - min_overlap) * width * height
    r2 = (b2 + math.sqrt(b2 * b2 - 4 * a2 * c2)) / 2
    a3, b3 = 4 * min_overlap, -2 * min_overlap * (height + width)
    c3 = (min_overlap - 1) * width * height
    r3 = (b3 + math.sqrt(b3 * b3 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def gaussian_2d(r):
    """CenterNet's gaussian2D((2r+1, 2r+1), sigma=(2r+1)/6) in float64, tiny values zeroed."""
    sigma = (2 * r + 1) / 6.0
    y, x = np.ogrid[-r:r + 1, -r:r + 1]
    g = np.exp(-(x * x + y * y) / (2 * sigma * sigma))
    g[g < np.finfo(g.dtype).eps * g.max()] = 0
    return g


def draw_umich_gaussian(plane, cx, cy, r):
    """Element-wise max of a radius-r Gaussian centred at integer (cx, cy) into plane [H, W], clipped."""
    g = gaussian_2d(r)
    h, w = plane.shape
    left, right = min(cx, r), min(w - cx, r + 1)
    top, bottom = min(cy, r), min(h - cy, r + 1)
    region = plane[cy - top:cy + bottom, cx - left:cx + right]
    patch = g[r - top:r + bottom, r - left:r + right].astype(np.float32)
    np.maximum(region, patch, out=region)


def build_targets(boxes, classes=NUM_CLASSES, grid_h=GRID_HEIGHT, grid_w=GRID_WIDTH, stride=STRIDE, max_objects=MAX_OBJECTS):
    """Targets of boxes [B, N, 5] rows (x, y, w, h, class) in sensor pixels; class < 0 rows are padding.

    Returns a dict of numpy arrays: heatmap [B, C, H, W], index [B, K] (y*W + x), offset [B, K, 2],
    size [B, K, 2], mask [B, K] (float 0/1). Objects whose integer centre floor(c) is off the grid are
    dropped, then the first max_objects remaining fill the slots in input order.
    """
    boxes = np.asarray(boxes, dtype=np.float32)
    B = boxes.shape[0]
    K = max_objects
    heat = np.zeros((B, classes, grid_h, grid_w), np.float32)
    index = np.zeros((B, K), np.int64)
    offset = np.zeros((B, K, 2), np.float32)
    size = np.zeros((B, K, 2), np.float32)
    mask = np.zeros((B, K), np.float32)
    for b in range(B):
        n = 0
        for row in boxes[b]:
            if n >= K:
                break
            x, y, w, h, cls = (float(v) for v in row)  # float32 -> float64 exactly
            if cls < 0:
                continue
            cx, cy = (x + w / 2) / stride, (y + h / 2) / stride
            ix, iy = math.floor(cx), math.floor(cy)
            if not (0 <= ix < grid_w and 0 <= iy < grid_h):
                continue
            r = max(0, math.floor(gaussian_radius(h / stride, w / stride, 0.7)))
            draw_umich_gaussian(heat[b, int(cls)], ix, iy, r)
            index[b, n] = iy * grid_w + ix
            offset[b, n] = (cx - ix, cy - iy)
            size[b, n] = (w / stride, h / stride)
            mask[b, n] = 1
            n += 1
    return {"heatmap": heat, "index": index, "offset": offset, "size": size, "mask": mask}


def focal_loss(logits, target):
    """Penalty-reduced focal loss (alpha 2, beta 4) on p = clamp(sigmoid(logits), 1e-4, 1 - 1e-4)."""
    p = torch.clamp(torch.sigmoid(logits), 1e-4, 1 - 1e-4)
    pos = target.eq(1).to(logits.dtype)
    neg = 1 - pos
    pos_loss = (torch.log(p) * (1 - p) ** 2 * pos).sum()
    neg_loss = (torch.log(1 - p) * p ** 2 * (1 - target) ** 4 * neg).sum()
    n_pos = pos.sum()
    return -(pos_loss + neg_loss) / torch.clamp(n_pos, min=1)


def centre_l1(pred, index, target, mask):
    """sum |pred at object centres - target| / (2 * N_obj + 1e-4); pred [B, 2, H, W], target [B, K, 2]."""
    B, k = pred.shape[:2]
    flat = pred.reshape(B, k, -1)  # [B, 2, H*W]
    gathered = torch.gather(flat, 2, index.unsqueeze(1).expand(B, k, index.shape[1])).permute(0, 2, 1)  # [B, K, 2]
    m = mask.unsqueeze(2).expand_as(gathered)
    return (torch.abs(gathered - target) * m).sum() / (m.sum() + 1e-4)


def centernet_loss(heatmap, offset, size, targets):
    """Returns (total, heatmap, offset, size) losses; total = heatmap + 1 * offset + 0.1 * size."""
    dev, dt = heatmap.device, heatmap.dtype
    t = {k: torch.as_tensor(v, device=dev) for k, v in targets.items()}
    hm = focal_loss(heatmap, t["heatmap"].to(dt))
    off = centre_l1(offset, t["index"], t["offset"].to(dt), t["mask"].to(dt))
    siz = centre_l1(size, t["index"], t["size"].to(dt), t["mask"].to(dt))
    return hm + OFFSET_WEIGHT * off + SIZE_WEIGHT * siz, hm, off, siz


# --------------------------------------------------------------------------------------------------
# Random inputs shared by the benchmarks and the cross-check
# --------------------------------------------------------------------------------------------------

def random_spikes(rng, shape, density):
    """Binary uint8 array of the given shape, each element 1 with probability density."""
    return (rng.random(shape, dtype=np.float32) < density).astype(np.uint8)


def random_boxes(rng, batch, per_sample, pad_rows=0):
    """float32 [B, per_sample + pad_rows, 5] boxes (x, y, w, h, class) inside the 304x240 sensor;
    the trailing pad_rows rows have class -1."""
    out = np.full((batch, per_sample + pad_rows, 5), -1, np.float32)
    for b in range(batch):
        for i in range(per_sample):
            w = rng.uniform(12, 120)
            h = rng.uniform(12, 100)
            x = rng.uniform(0, SENSOR_WIDTH - w)
            y = rng.uniform(0, SENSOR_HEIGHT - h)
            out[b, i] = (x, y, w, h, rng.integers(0, NUM_CLASSES))
    return out


# --------------------------------------------------------------------------------------------------
# Self-test
# --------------------------------------------------------------------------------------------------

def _self_test():
    torch.manual_seed(0)
    for (width, expansion, teacher), expected in EXPECTED_PARAMS.items():
        m = SpikingCenterNet(width=width, expansion=expansion, teacher=teacher)
        n = count_parameters(m)
        assert n == expected, f"width {width} teacher {teacher}: {n} parameters, expected {expected}"
        print(f"parameters width {width} expansion {expansion} teacher {teacher}: {n:,} ok")

    m = SpikingCenterNet(width=1.0)
    sd = canonical_state(m)
    for name, shape in [
        ("encoder.stem.conv.weight", (64, 4, 7, 7)),
        ("encoder.stem.bn.running_var", (64,)),
        ("encoder.stem.plif.w", ()),
        ("encoder.layer1.0.conv1.weight", (64, 64, 3, 3)),
        ("encoder.layer1.1.plif2.w", ()),
        ("encoder.layer2.0.downsample.conv.weight", (128, 64, 1, 1)),
        ("encoder.layer4.0.downsample.bn.weight", (512,)),
        ("decoder.up1.expand.conv.weight", (1152, 768, 1, 1)),
        ("decoder.up1.depthwise.conv.weight", (1152, 1, 3, 3)),
        ("decoder.up3.project.plif.w", ()),
        ("heads.heatmap.hidden.conv.weight", (64, 64, 3, 3)),
        ("heads.heatmap.out.weight", (2, 64, 1, 1)),
        ("heads.heatmap.out.bias", (2,)),
        ("heads.size.out.bias", (2,)),
    ]:
        assert tuple(sd[name].shape) == shape, f"{name}: {tuple(sd[name].shape)} != {shape}"
    assert "encoder.layer1.0.downsample.conv.weight" not in sd
    assert torch.allclose(sd["heads.heatmap.out.bias"], torch.full((2,), HEATMAP_BIAS))
    n_plif = sum(1 for k in sd if k.endswith(".w"))
    assert n_plif == 29, n_plif
    teacher_keys = set(canonical_state(SpikingCenterNet(teacher=True)))
    assert teacher_keys == {k for k in sd if not k.endswith(".w")}
    print(f"canonical names ok ({len(sd)} state entries, 29 PLIF layers, teacher = same names less plif)")

    # PLIF: custom backward == autograd through the straight-through unrolled loop
    g = torch.Generator().manual_seed(1)
    x = (torch.randn(5, 3, 7, 11, generator=g, dtype=torch.float64) * 1.5 + 0.8).requires_grad_()
    w = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    gs = torch.randn(5, 3, 7, 11, generator=g, dtype=torch.float64)
    s1 = PLIFFunction.apply(x, w)
    gx1, gw1 = torch.autograd.grad(s1, (x, w), gs)
    s2 = plif_reference(x, w)
    gx2, gw2 = torch.autograd.grad(s2, (x, w), gs)
    assert torch.equal(s1, s2.detach())
    assert torch.allclose(gx1, gx2, rtol=1e-10, atol=1e-12), (gx1 - gx2).abs().max()
    assert torch.allclose(gw1, gw2, rtol=1e-10, atol=1e-12), (gw1, gw2)
    # threshold: h exactly 1 fires (decay 0.5, x = 2 -> h = 1)
    s = PLIFFunction.apply(torch.full((1, 1), 2.0), torch.tensor(0.0))
    assert s.item() == 1.0
    print("PLIF forward/backward == autograd reference; h == threshold fires ok")

    # targets
    assert gaussian_radius(10, 10) > 0
    tg = build_targets(np.array([[[100, 80, 40, 30, 1], [-50, 0, 10, 10, 0], [0, 0, 0, 0, -1]]], np.float32))
    assert tg["mask"].sum() == 1 and tg["heatmap"][0, 1].max() == 1.0 and tg["heatmap"][0, 0].max() == 0
    cy, cx = divmod(int(tg["index"][0, 0]), GRID_WIDTH)
    assert (cx, cy) == (30, 23) and tg["heatmap"][0, 1, cy, cx] == 1.0
    assert np.allclose(tg["offset"][0, 0], (0.0, 0.75)) and np.allclose(tg["size"][0, 0], (10, 7.5))
    edge = build_targets(np.array([[[0, 0, 8, 8, 0]]], np.float32))  # truncated at the corner
    assert edge["heatmap"][0, 0, 1, 1] == 1.0
    print("targets ok")

    # one step at width 0.25
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    m = SpikingCenterNet(width=0.25)
    x = torch.from_numpy(random_spikes(rng, (5, 2, 4, 240, 304), 0.1)).float()
    tg = build_targets(random_boxes(rng, 2, 3))
    hm, off, siz = m(x)
    assert hm.shape == (2, 2, 64, 80) and off.shape == (2, 2, 64, 80) and siz.shape == (2, 2, 64, 80)
    total, lh, lo, ls = centernet_loss(hm, off, siz, tg)
    total.backward()
    missing = [n for n, p in m.named_parameters() if p.grad is None]
    assert not missing, missing
    print(f"width 0.25 step ok: loss {total.item():.4f} (heatmap {lh.item():.4f}, offset {lo.item():.4f}, size {ls.item():.4f})")
    print("self-test passed")


if __name__ == "__main__":
    _self_test()
