// Fused multi-step PLIF neuron (SPEC section 2), twin of scn.ops.PlifRef via PlifCl: one work-item per
// neuron runs the whole time loop, so the membrane state never leaves registers. x [T, M] time-major, so
// at each step consecutive work-items read consecutive neurons (coalesced). T_STEPS is a build option
// (the loops unroll and the backward keeps h_t and v_{t-1} in private arrays); w is the learnable scalar,
// read from a one-element buffer because the optimiser updates it on the device.
// The backward recomputes the forward recurrence from x, as the reference does; the scalar gradient of
// w is reduced per work-group into partial sums, then summed by a second single-work-group pass: no
// float atomics.

#ifndef T_STEPS
#error "build with -DT_STEPS=<time steps>"
#endif
#define THRESHOLD 1.0f
#define ALPHA 2.0f

// No contraction of a*b + c into fma: the charge must round exactly as the reference's, or a membrane
// value within one rounding of the threshold could fire on one side only.
#pragma OPENCL FP_CONTRACT OFF

#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

// decay = sigmoid(w). In double where the device has it, rounded once to float exactly as the reference
// computes it, so a membrane value landing on the threshold fires on both sides alike.
static float decayOf(float w) {
#ifdef cl_khr_fp64
    return (float) (1.0 / (1.0 + exp(-(double) w)));
#else
    return 1.0f / (1.0f + exp(-w));
#endif
}

// ATan surrogate of the Heaviside derivative at u = h − V_th: (α/2) / (1 + (π/2·α·u)²).
static float surrogate(float u) {
    const float z = (M_PI_F / 2) * ALPHA * u;
    return (ALPHA / 2) / (1 + z * z);
}

// s[t, j] = 1 if the neuron fires at step t, else 0.
__kernel void plif_forward(__global uchar* s, __global const float* x, __global const float* w, const int M) {
    const int j = get_global_id(0);
    if (j >= M) return;
    const float decay = decayOf(w[0]);
    float v = 0.0f;
    for (int t = 0; t < T_STEPS; t++) {
        const int at = t * M + j;
        const float h = v + (x[at] - v) * decay;
        const bool fire = h - THRESHOLD >= 0;
        s[at] = fire ? 1 : 0;
        v = fire ? 0.0f : h;
    }
}

// dx += ∂L/∂x from the spike gradients gs [T, M]; partial[group] = this work-group's Σ gh_t · (x_t − v_{t−1}).
__kernel void plif_backward(__global float* dx, __global float* partial, __global const float* gs,
                            __global const float* x, __global const float* w, const int M, __local float* part) {
    const int j = get_global_id(0), lid = get_local_id(0);
    const float decay = decayOf(w[0]);
    float gDecay = 0.0f;
    if (j < M) {
        float h[T_STEPS], vPrev[T_STEPS];
        float v = 0.0f;
        for (int t = 0; t < T_STEPS; t++) {
            vPrev[t] = v;
            h[t] = v + (x[t * M + j] - v) * decay;
            v = h[t] - THRESHOLD >= 0 ? 0.0f : h[t];
        }
        float gv = 0.0f;
        for (int t = T_STEPS - 1; t >= 0; t--) {
            const int at = t * M + j;
            const float spike = h[t] - THRESHOLD >= 0 ? 1.0f : 0.0f;
            const float gh = gs[at] * surrogate(h[t] - THRESHOLD) + gv * (1.0f - spike);
            dx[at] += gh * decay;
            gv = gh * (1.0f - decay);
            gDecay = fma(gh, x[at] - vPrev[t], gDecay);
        }
    }
    part[lid] = gDecay;
    for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < s) part[lid] += part[lid + s];
    }
    if (lid == 0) partial[get_group_id(0)] = part[0];
}

// One work-group: dw[0] += (Σ partial) · decay · (1 − decay), the chain rule through decay = sigmoid(w).
__kernel void plif_reduceW(__global float* dw, __global const float* partial, const int groups,
                           __global const float* w, __local float* part) {
    const int lid = get_local_id(0), L = get_local_size(0);
    float sum = 0.0f;
    for (int g = lid; g < groups; g += L) sum += partial[g];
    part[lid] = sum;
    for (int s = L / 2; s > 0; s >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < s) part[lid] += part[lid + s];
    }
    if (lid == 0) {
        const float decay = decayOf(w[0]);
        dw[0] += part[0] * decay * (1.0f - decay);
    }
}
