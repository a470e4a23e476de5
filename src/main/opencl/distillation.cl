// The distillation term on the device (twin of scn.train.DistillationLoss via DistillationLossCl): the
// heatmap term between the student's and the teacher's logits, and the regression term between their offset
// and size maps weighted by the teacher's confidence, each with its gradient with respect to the student's
// outputs. Sums are two stages of work-group tree reductions (partials, then one work-group), never float
// atomics, so a device gives the same result every time. Local sizes are powers of two.
//
// Unlike centernetloss.cl, the arithmetic is float throughout: the reference works in double, but nothing
// here needs it once sigmoids are taken as 1/(1 + e^−u) on either side (σ(u)(1 − σ(u)) = σ(u)σ(−u), without
// the cancellation of 1 − σ(u) near 1) and logs of sigmoids as softplus, finite for every finite logit.

#define TARGET_PROB 0
#define TARGET_LOGIT 1
#define TARGET_KL 2

static float sigm(const float u) {
    return 1.0f / (1.0f + exp(-u));
}

// ln(1 + e^u) = max(u, 0) + ln(1 + e^−|u|): no overflow for large u, and ln σ(u) = −softplus(−u).
static float softplus(const float u) {
    return max(u, 0.0f) + log1p(exp(-fabs(u)));
}

// Heatmap, stage 1, over the logits zs (student) and zt (teacher), n elements: for each element its value and
// gradient by the formulas of DistillationLoss.heatmap (target as Distillation.Target's ordinal), the gradient
// written divided (dz[i] = grad / divisor), the values summed per work-group into partial[group], undivided.
// Grid-stride loop, so the number of work-groups is the caller's choice.
__kernel void distillation_heatmap(__global float* dz, __global float* partial, __global const float* zs,
                                   __global const float* zt, const int n, const int target, const float temperature,
                                   const float divisor, __local float* part) {
    const int lid = get_local_id(0), L = get_local_size(0);
    const float a = 1.0f / temperature;
    float sum = 0.0f;
    for (int i = get_global_id(0); i < n; i += get_global_size(0)) {
        float value, grad;
        if (target == TARGET_LOGIT) {
            const float diff = zs[i] - zt[i]; // the temperature does not apply
            value = diff * diff;
            grad = 2.0f * diff;
        } else {
            const float us = a * zs[i], ut = a * zt[i];
            const float ps = sigm(us), pt = sigm(ut);
            if (target == TARGET_PROB) {
                const float diff = ps - pt;
                value = temperature * temperature * diff * diff;
                grad = 2.0f * temperature * diff * ps * sigm(-us);
            } else {
                // KL(p_t ‖ p_s) with ln σ(u) = −softplus(−u) and ln(1 − σ(u)) = −softplus(u), as in the reference:
                // every term stays small where the sigmoids saturate.
                const float kl = pt * (softplus(-us) - softplus(-ut)) + (1.0f - pt) * (softplus(us) - softplus(ut));
                value = temperature * temperature * kl;
                grad = temperature * (ps - pt);
            }
        }
        sum += value;
        dz[i] = grad / divisor;
    }
    part[lid] = sum;
    for (int h = L / 2; h > 0; h >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < h) part[lid] += part[lid + h];
    }
    if (lid == 0) partial[get_group_id(0)] = part[0];
}

// Heatmap, stage 2, one work-group: stats[at] = Σ partial[0..groups) / divisor.
__kernel void distillation_heatmap_final(__global float* stats, const int at, __global const float* partial,
                                         const int groups, const float divisor, __local float* part) {
    const int lid = get_local_id(0), L = get_local_size(0);
    float s = 0.0f;
    for (int g = lid; g < groups; g += L) s += partial[g];
    part[lid] = s;
    for (int h = L / 2; h > 0; h >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < h) part[lid] += part[lid + h];
    }
    if (lid == 0) stats[at] = part[0] / divisor;
}

// Regression, stage 1, one work-item per cell j = b·cells + p of [B, H·W] (grid-stride): the teacher's
// confidence w = max over classes of σ(teacher logit) into weights[j] (stage 3 needs it once the total is known),
// and per work-group partial[2·group] = Σ w, partial[2·group + 1] = Σ w·(|Δoffset|₁ + sizeWeight·|Δsize|₁) over
// the cell's 2 channels. Maps [B, 2, H·W], logits [B, classes, H·W].
__kernel void distillation_regression(__global float* weights, __global float* partial, __global const float* zt,
                                      __global const float* so, __global const float* ss, __global const float* to,
                                      __global const float* ts, const int B, const int classes, const int cells,
                                      const float sizeWeight, __local float* wPart, __local float* lPart) {
    const int lid = get_local_id(0), L = get_local_size(0), m = B * cells;
    float wSum = 0.0f, lSum = 0.0f;
    for (int j = get_global_id(0); j < m; j += get_global_size(0)) {
        const int b = j / cells, p = j - b * cells;
        float w = 0.0f;
        for (int c = 0; c < classes; c++) w = max(w, sigm(zt[(b * classes + c) * cells + p]));
        float l = 0.0f;
        for (int ch = 0; ch < 2; ch++) {
            const int i = (b * 2 + ch) * cells + p;
            l += fabs(so[i] - to[i]) + sizeWeight * fabs(ss[i] - ts[i]);
        }
        weights[j] = w;
        wSum += w;
        lSum += w * l;
    }
    wPart[lid] = wSum;
    lPart[lid] = lSum;
    for (int h = L / 2; h > 0; h >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < h) {
            wPart[lid] += wPart[lid + h];
            lPart[lid] += lPart[lid + h];
        }
    }
    if (lid == 0) {
        partial[2 * get_group_id(0)] = wPart[0];
        partial[2 * get_group_id(0) + 1] = lPart[0];
    }
}

// Regression, stage 2, one work-group: total[0] = Σ w + 1e-4 (the reference's guard against a teacher that sees
// nothing) and stats[at] = Σ w·l / total.
__kernel void distillation_regression_final(__global float* stats, const int at, __global float* total,
                                            __global const float* partial, const int groups, __local float* wPart,
                                            __local float* lPart) {
    const int lid = get_local_id(0), L = get_local_size(0);
    float w = 0.0f, l = 0.0f;
    for (int g = lid; g < groups; g += L) {
        w += partial[2 * g];
        l += partial[2 * g + 1];
    }
    wPart[lid] = w;
    lPart[lid] = l;
    for (int h = L / 2; h > 0; h >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < h) {
            wPart[lid] += wPart[lid + h];
            lPart[lid] += lPart[lid + h];
        }
    }
    if (lid == 0) {
        const float t = wPart[0] + 1e-4f;
        total[0] = t;
        stats[at] = lPart[0] / t;
    }
}

// Regression, stage 3, one work-item per cell j of [B, H·W]: with wp = weights[j] / total, the gradients of both
// channels, dOffset = wp·sign(Δoffset) and dSize = wp·sizeWeight·sign(Δsize) (sign(0) = 0, as Math.signum).
__kernel void distillation_regression_grad(__global float* dOffset, __global float* dSize,
                                           __global const float* weights, __global const float* total,
                                           __global const float* so, __global const float* ss,
                                           __global const float* to, __global const float* ts, const int B,
                                           const int cells, const float sizeWeight) {
    const int j = get_global_id(0);
    if (j >= B * cells) return;
    const int b = j / cells, p = j - b * cells;
    const float wp = weights[j] / total[0];
    for (int ch = 0; ch < 2; ch++) {
        const int i = (b * 2 + ch) * cells + p;
        dOffset[i] = wp * sign(so[i] - to[i]);
        dSize[i] = wp * sizeWeight * sign(ss[i] - ts[i]);
    }
}
