// Elementwise operators, their backward passes and the reductions the losses need (twins of
// scn.ops.ElementwiseRef via ElementwiseCl). One work-item per element, bound-checked against n (the
// global size is rounded up to the local size); backward kernels accumulate into their gradient.

#define EACH const int i = get_global_id(0); if (i >= n) return

__kernel void elementwise_add(__global float* y, __global const float* a, __global const float* b, const int n) { EACH; y[i] = a[i] + b[i]; }

// y = a + s with s uint8 spikes: the residual sum of a BasicBlock whose shortcut is the identity on spikes.
__kernel void elementwise_addSpikes(__global float* y, __global const float* a, __global const uchar* s, const int n) { EACH; y[i] = a[i] + (float) s[i]; }

__kernel void elementwise_accumulate(__global float* dx, __global const float* dy, const int n) { EACH; dx[i] += dy[i]; }

__kernel void elementwise_sub(__global float* y, __global const float* a, __global const float* b, const int n) { EACH; y[i] = a[i] - b[i]; }

__kernel void elementwise_mul(__global float* y, __global const float* a, __global const float* b, const int n) { EACH; y[i] = a[i] * b[i]; }

__kernel void elementwise_mulBackward(__global float* da, __global const float* dy, __global const float* b, const int n) { EACH; da[i] += dy[i] * b[i]; }

__kernel void elementwise_affine(__global float* y, __global const float* x, const float a, const float b, const int n) { EACH; y[i] = a * x[i] + b; }

__kernel void elementwise_scaleBackward(__global float* dx, __global const float* dy, const float a, const int n) { EACH; dx[i] += a * dy[i]; }

__kernel void elementwise_relu(__global float* y, __global const float* x, const int n) { EACH; y[i] = x[i] > 0 ? x[i] : 0.0f; }

// The derivative at 0 is taken as 0, as the reference does.
__kernel void elementwise_reluBackward(__global float* dx, __global const float* dy, __global const float* x, const int n) { EACH; if (x[i] > 0) dx[i] += dy[i]; }

__kernel void elementwise_sigmoid(__global float* y, __global const float* x, const int n) { EACH; y[i] = 1.0f / (1.0f + exp(-x[i])); }

// From the saved output y: dx += dy·y·(1 − y).
__kernel void elementwise_sigmoidBackward(__global float* dx, __global const float* dy, __global const float* y, const int n) { EACH; dx[i] += dy[i] * y[i] * (1.0f - y[i]); }

__kernel void elementwise_log(__global float* y, __global const float* x, const int n) { EACH; y[i] = log(x[i]); }

__kernel void elementwise_logBackward(__global float* dx, __global const float* dy, __global const float* x, const int n) { EACH; dx[i] += dy[i] / x[i]; }

__kernel void elementwise_clamp(__global float* y, __global const float* x, const float lo, const float hi, const int n) { EACH; y[i] = fmin(hi, fmax(lo, x[i])); }

// The gradient passes where the input was inside [lo, hi], as torch.clamp.
__kernel void elementwise_clampBackward(__global float* dx, __global const float* dy, __global const float* x, const float lo, const float hi, const int n) { EACH; if (x[i] >= lo && x[i] <= hi) dx[i] += dy[i]; }

__kernel void elementwise_pow(__global float* y, __global const float* x, const float p, const int n) { EACH; y[i] = pow(x[i], p); }

__kernel void elementwise_powBackward(__global float* dx, __global const float* dy, __global const float* x, const float p, const int n) { EACH; dx[i] += dy[i] * p * pow(x[i], p - 1.0f); }

__kernel void elementwise_abs(__global float* y, __global const float* x, const int n) { EACH; y[i] = fabs(x[i]); }

// sign(0) = 0, as torch; OpenCL's sign() also returns 0 for ±0.
__kernel void elementwise_absBackward(__global float* dx, __global const float* dy, __global const float* x, const int n) { EACH; dx[i] += dy[i] * sign(x[i]); }

// dx += g everywhere: the backward of a sum with upstream gradient g.
__kernel void elementwise_broadcastAdd(__global float* dx, const float g, const int n) { EACH; dx[i] += g; }

// y[j] = (1/T) Σ_t x[t, j] for x [T, M]; n = M. Consecutive work-items read consecutive j at every t.
__kernel void elementwise_meanTime(__global float* y, __global const float* x, const int T, const int n) {
    EACH;
    float s = 0.0f;
    for (int t = 0; t < T; t++) s += x[t * n + i];
    y[i] = s / T;
}

// dx[t, j] += dy[j] / T; n = M.
__kernel void elementwise_meanTimeBackward(__global float* dx, __global const float* dy, const int T, const int n) {
    EACH;
    const float g = dy[i] / T;
    for (int t = 0; t < T; t++) dx[t * n + i] += g;
}

// Sum, stage 1: each work-group strides over the whole array (grid-stride, coalesced) and tree-reduces
// its share into partial[group]. Local size a power of two.
__kernel void elementwise_sumPartial(__global float* partial, __global const float* x, const int n, __local float* part) {
    const int lid = get_local_id(0), L = get_local_size(0);
    float s = 0.0f;
    for (int k = get_global_id(0); k < n; k += get_global_size(0)) s += x[k];
    part[lid] = s;
    for (int h = L / 2; h > 0; h >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < h) part[lid] += part[lid + h];
    }
    if (lid == 0) partial[get_group_id(0)] = part[0];
}

// Sum, stage 2: one work-group; out[0] = Σ partial.
__kernel void elementwise_sumFinal(__global float* out, __global const float* partial, const int groups, __local float* part) {
    const int lid = get_local_id(0), L = get_local_size(0);
    float s = 0.0f;
    for (int k = lid; k < groups; k += L) s += partial[k];
    part[lid] = s;
    for (int h = L / 2; h > 0; h >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < h) part[lid] += part[lid + h];
    }
    if (lid == 0) out[0] = part[0];
}
