// The CenterNet detection loss of SPEC section 5 on the device (twin of scn.detect.CenterNetLoss via
// CenterNetLossCl): the focal loss on the heatmap logits and the L1 losses at the object centres, each
// term with its gradient with respect to the head outputs, so that a training step needs no head output
// on the host. Sums are work-group tree reductions, never float atomics. Per-element arithmetic follows
// the reference, which works in double and rounds the gradient once to float: REAL is double where the
// device has it.

#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double REAL;
#else
typedef float REAL;
#endif

// Products and sums round one at a time, as in the reference.
#pragma OPENCL FP_CONTRACT OFF

#define P_MIN 1e-4f
#define P_MAX (1.0f - 1e-4f)
#define OFFSET_WEIGHT 1.0f
#define SIZE_WEIGHT 0.1f

// Focal loss, stage 1, one work-item per element of the logits z [B, C, H, W] with targets y: writes the
// unnormalised gradient dz[i] (the reference's value before the division by max(1, N_pos)) and per
// work-group partial[group] = (Σ loss term, Σ positives). Expressions keep the reference's float and
// double operations ((1 − p) and (1 − p)²/p are floats, as in the Java source).
__kernel void centernetloss_focal(__global float* dz, __global float* partial, __global const float* z,
                                  __global const float* y, const int n, __local float* sumPart, __local float* posPart) {
    const int i = get_global_id(0), lid = get_local_id(0);
    float term = 0.0f, positive = 0.0f;
    if (i < n) {
        const float s = (float) (1.0 / (1.0 + exp(-(REAL) z[i])));
        const float p = min(P_MAX, max(P_MIN, s));
        const bool inside = s >= P_MIN && s <= P_MAX; // clamp passes the gradient only inside its range
        const float q = 1.0f - p;
        REAL dp;
        if (y[i] == 1.0f) {
            positive = 1.0f;
            term = (float) (log((REAL) p) * q * q);
            dp = (REAL) (q * q / p) - 2 * log((REAL) p) * q;
        } else {
            const float oneMinusY = 1.0f - y[i];
            const REAL w = (REAL) oneMinusY * oneMinusY * oneMinusY * oneMinusY;
            term = (float) (log((REAL) q) * p * p * w);
            dp = w * (-(REAL) p * p / q + (REAL) (2 * p) * log((REAL) q));
        }
        dz[i] = inside ? (float) (dp * s * (1.0f - s)) : 0.0f;
    }
    sumPart[lid] = term;
    posPart[lid] = positive;
    for (int h = get_local_size(0) / 2; h > 0; h >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < h) {
            sumPart[lid] += sumPart[lid + h];
            posPart[lid] += posPart[lid + h];
        }
    }
    if (lid == 0) {
        partial[2 * get_group_id(0)] = sumPart[0];
        partial[2 * get_group_id(0) + 1] = posPart[0];
    }
}

// L1 at the object centres for one regression head, pred [B, 2, H*W] against target [B, K, 2]: one
// work-item per (b, channel) walks the K object slots in order, so two objects on one cell add up as in
// the reference and no two work-items write one place. grad += weight · sign(d) / denom (invDenom given
// as a float), sums[slot*B*2 + b*2 + ch] = Σ |d|.
__kernel void centernetloss_l1(__global float* grad, __global float* sums, __global const float* pred,
                               __global const float* target, __global const int* indices, __global const float* mask,
                               const int B, const int K, const int plane, const float invDenom, const float weight,
                               const int slot) {
    const int j = get_global_id(0);
    if (j >= 2 * B) return;
    const int b = j / 2, ch = j % 2;
    float sum = 0.0f;
    for (int o = 0; o < K; o++) {
        if (mask[b * K + o] == 0.0f) continue;
        const int at = (b * 2 + ch) * plane + indices[b * K + o];
        const float d = pred[at] - target[(b * K + o) * 2 + ch];
        sum += fabs(d);
        grad[at] += (sign(d) * invDenom) * weight;
    }
    sums[slot * 2 * B + j] = sum;
}

// One work-group: reduces the focal partials and the L1 sums into
// stats = [total, heatmap, offset, size, max(1, N_pos)]. Local size a power of two.
__kernel void centernetloss_finalize(__global float* stats, __global const float* partial, const int groups,
                                     __global const float* sums, const int B, const float denom,
                                     __local float* sumPart, __local float* posPart) {
    const int lid = get_local_id(0), L = get_local_size(0);
    float a = 0.0f, b = 0.0f;
    for (int g = lid; g < groups; g += L) {
        a += partial[2 * g];
        b += partial[2 * g + 1];
    }
    sumPart[lid] = a;
    posPart[lid] = b;
    for (int h = L / 2; h > 0; h >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < h) {
            sumPart[lid] += sumPart[lid + h];
            posPart[lid] += posPart[lid + h];
        }
    }
    if (lid == 0) {
        const float norm = max(1.0f, posPart[0]);
        float off = 0.0f, siz = 0.0f;
        for (int j = 0; j < 2 * B; j++) {
            off += sums[j];
            siz += sums[2 * B + j];
        }
        const float heat = -sumPart[0] / norm;
        off /= denom;
        siz /= denom;
        stats[0] = heat + OFFSET_WEIGHT * off + SIZE_WEIGHT * siz;
        stats[1] = heat;
        stats[2] = off;
        stats[3] = siz;
        stats[4] = norm;
    }
}

// The focal gradient's normalisation: dz[i] = −dz[i] / max(1, N_pos), the count read from stats[4].
__kernel void centernetloss_focalScale(__global float* dz, __global const float* stats, const int n) {
    const int i = get_global_id(0);
    if (i >= n) return;
    dz[i] = -dz[i] / stats[4];
}
