// Batch norm over x [N, C, HW] per channel (twin of scn.ops.BatchNorm2dRef via BatchNorm2dCl).
// Per-channel sums are two-stage work-group tree reductions, never float atomics:
//   1. *Partial*: work-group (chunk, c) reduces chunkLen consecutive elements of channel c (consecutive
//      work-items read consecutive positions: coalesced) into partial[c, chunk, 0..1];
//   2. *Finalize*: one work-group per channel reduces its chunks and derives the per-channel values.
// Statistics are sums of x − K_c with the shift K_c = x[0, c, 0]: the shifted sums keep
// Σd² − (Σd)²/m well conditioned when the mean is large against the spread, in float.
// Local sizes are powers of two (the Java side picks them within the kernel's limit).

static void reduce2(__local float* a, __local float* b) {
    const int lid = get_local_id(0);
    for (int s = get_local_size(0) / 2; s > 0; s >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < s) { a[lid] += a[lid + s]; b[lid] += b[lid + s]; }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
}

// partial[c, chunk] = (Σ d, Σ d²) with d = x − K_c over elements [chunk*chunkLen, +chunkLen) of channel c.
__kernel void batchnorm2d_partialStats(__global float* partial, __global const float* x, const int N, const int C,
                                       const int HW, const int chunkLen, __local float* s1, __local float* s2) {
    const int chunk = get_group_id(0), c = get_group_id(1), chunks = get_num_groups(0);
    const int lid = get_local_id(0), L = get_local_size(0);
    const float shift = x[c * HW];
    const int start = chunk * chunkLen, end = min(start + chunkLen, N * HW);
    float a = 0.0f, b = 0.0f;
    for (int e = start + lid; e < end; e += L) {
        const int n = e / HW, p = e - n * HW;
        const float d = x[((long) n * C + c) * HW + p] - shift;
        a += d;
        b = fma(d, d, b);
    }
    s1[lid] = a;
    s2[lid] = b;
    reduce2(s1, s2);
    if (lid == 0) {
        partial[(c * chunks + chunk) * 2] = s1[0];
        partial[(c * chunks + chunk) * 2 + 1] = s2[0];
    }
}

// One work-group per channel: mean, 1/sqrt(biased var + eps), and the running estimates (unbiased var, momentum).
__kernel void batchnorm2d_finalizeTrain(__global float* mean, __global float* invStd, __global float* runMean,
                                        __global float* runVar, __global const float* partial, __global const float* x,
                                        const int chunks, const int HW, const int m, const float momentum, const float eps,
                                        __local float* s1, __local float* s2) {
    const int c = get_group_id(0), lid = get_local_id(0), L = get_local_size(0);
    float a = 0.0f, b = 0.0f;
    for (int k = lid; k < chunks; k += L) {
        a += partial[(c * chunks + k) * 2];
        b += partial[(c * chunks + k) * 2 + 1];
    }
    s1[lid] = a;
    s2[lid] = b;
    reduce2(s1, s2);
    if (lid == 0) {
        const float ds = s1[0] / m;
        const float var = max(s2[0] / m - ds * ds, 0.0f);
        const float mu = x[c * HW] + ds;
        mean[c] = mu;
        invStd[c] = 1.0f / sqrt(var + eps);
        const float unbiased = m > 1 ? var * ((float) m / (float) (m - 1)) : var;
        runMean[c] = (1.0f - momentum) * runMean[c] + momentum * mu;
        runVar[c] = (1.0f - momentum) * runVar[c] + momentum * unbiased;
    }
}

// y = gamma[c] · (x − mean[c]) · invStd[c] + beta[c], one work-item per element.
__kernel void batchnorm2d_apply(__global float* y, __global const float* x, __global const float* gamma,
                                __global const float* beta, __global const float* mean, __global const float* invStd,
                                const int C, const int HW, const int total) {
    const int i = get_global_id(0);
    if (i >= total) return;
    const int c = (i / HW) % C;
    y[i] = gamma[c] * (x[i] - mean[c]) * invStd[c] + beta[c];
}

// Evaluation: the same with the running statistics.
__kernel void batchnorm2d_forwardEval(__global float* y, __global const float* x, __global const float* gamma,
                                      __global const float* beta, __global const float* runMean, __global const float* runVar,
                                      const int C, const int HW, const int total, const float eps) {
    const int i = get_global_id(0);
    if (i >= total) return;
    const int c = (i / HW) % C;
    y[i] = gamma[c] * (x[i] - runMean[c]) * (1.0f / sqrt(runVar[c] + eps)) + beta[c];
}

// partial[c, chunk] = (Σ dy, Σ dy · x̂) with x̂ = (x − mean[c]) · invStd[c].
__kernel void batchnorm2d_backwardPartial(__global float* partial, __global const float* dy, __global const float* x,
                                          __global const float* mean, __global const float* invStd, const int N,
                                          const int C, const int HW, const int chunkLen, __local float* s1, __local float* s2) {
    const int chunk = get_group_id(0), c = get_group_id(1), chunks = get_num_groups(0);
    const int lid = get_local_id(0), L = get_local_size(0);
    const float mu = mean[c], is = invStd[c];
    const int start = chunk * chunkLen, end = min(start + chunkLen, N * HW);
    float a = 0.0f, b = 0.0f;
    for (int e = start + lid; e < end; e += L) {
        const int n = e / HW, p = e - n * HW;
        const long at = ((long) n * C + c) * HW + p;
        a += dy[at];
        b = fma(dy[at], (x[at] - mu) * is, b);
    }
    s1[lid] = a;
    s2[lid] = b;
    reduce2(s1, s2);
    if (lid == 0) {
        partial[(c * chunks + chunk) * 2] = s1[0];
        partial[(c * chunks + chunk) * 2 + 1] = s2[0];
    }
}

// One work-group per channel: sums[c] = (Σ dy, Σ dy·x̂); dGamma += Σ dy·x̂ and dBeta += Σ dy where given (non-null).
__kernel void batchnorm2d_backwardFinalize(__global float* sums, __global float* dGamma, __global float* dBeta,
                                           __global const float* partial, const int chunks,
                                           __local float* s1, __local float* s2) {
    const int c = get_group_id(0), lid = get_local_id(0), L = get_local_size(0);
    float a = 0.0f, b = 0.0f;
    for (int k = lid; k < chunks; k += L) {
        a += partial[(c * chunks + k) * 2];
        b += partial[(c * chunks + k) * 2 + 1];
    }
    s1[lid] = a;
    s2[lid] = b;
    reduce2(s1, s2);
    if (lid == 0) {
        sums[2 * c] = s1[0];
        sums[2 * c + 1] = s2[0];
        if (dGamma) dGamma[c] += s2[0];
        if (dBeta) dBeta[c] += s1[0];
    }
}

// dx += gamma·invStd·(dy − Σdy/m − x̂·Σdy·x̂/m) with batch statistics, or gamma·invStd·dy with fixed ones.
__kernel void batchnorm2d_backwardInput(__global float* dx, __global const float* dy, __global const float* x,
                                        __global const float* gamma, __global const float* mean,
                                        __global const float* invStd, __global const float* sums, const int C,
                                        const int HW, const int total, const int m, const int batchStats) {
    const int i = get_global_id(0);
    if (i >= total) return;
    const int c = (i / HW) % C;
    const float k = gamma[c] * invStd[c];
    if (batchStats) {
        const float xhat = (x[i] - mean[c]) * invStd[c];
        dx[i] += k * (dy[i] - sums[2 * c] / m - xhat * sums[2 * c + 1] / m);
    } else {
        dx[i] += k * dy[i];
    }
}
