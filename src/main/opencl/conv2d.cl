// 2-D convolution helpers (twins of scn.ops.Conv2dRef through scn.backend.opencl.Conv2dCl):
// im2col / col2im around the GEMM in gemm.cl, a channel-major copy for the weight gradient, and direct
// depthwise kernels. IN_T is the type of the forward input: float activations or uchar spikes (0/1);
// the program is built once per type. Inputs [N, C, H, W], weights [Cout, Cin/groups, kh, kw].
// No float atomics anywhere: every output element is written by exactly one work-item (gathers, not
// scatters), and weight-gradient sums are work-group tree reductions.

#ifndef IN_T
#define IN_T float
#endif

// col[n*sampleStride + r*ld + pos] = x[n0 + n, c, oy*s - pad + ky, ox*s - pad + kx] (0 outside), with
// r = (c*kh + ky)*kw + kx and pos = oy*Wo + ox, for the nb samples n0..n0+nb-1. One work-item per
// element, pos fastest, so the writes coalesce. [nb, C*kh*kw, Ho*Wo] when sampleStride = rows*HoWo and
// ld = HoWo (forward), or [C*kh*kw, nb*Ho*Wo] when sampleStride = HoWo and ld = nb*HoWo (weight gradient).
__kernel void conv2d_im2col(__global float* col, __global const IN_T* x, const int n0, const int nb,
                            const int C, const int H, const int W, const int kh, const int kw,
                            const int stride, const int pad, const int Ho, const int Wo,
                            const int sampleStride, const int ld) {
    const int gid = get_global_id(0);
    const int howo = Ho * Wo, rows = C * kh * kw;
    if (gid >= nb * rows * howo) return;
    const int pos = gid % howo, r = (gid / howo) % rows, n = gid / (howo * rows);
    const int c = r / (kh * kw), ky = (r / kw) % kh, kx = r % kw;
    const int iy = (pos / Wo) * stride - pad + ky, ix = (pos % Wo) * stride - pad + kx;
    float v = 0.0f;
    if (iy >= 0 && iy < H && ix >= 0 && ix < W) v = (float) x[(((n0 + n) * C + c) * H + iy) * W + ix];
    col[n * sampleStride + r * ld + pos] = v;
}

// dx[n0 + n, c, iy, ix] += Σ over the (ky, kx) whose window reads (iy, ix) of col[n, (c*kh+ky)*kw+kx, oy*Wo+ox],
// col laid out [nb, C*kh*kw, Ho*Wo]. One work-item per input element: a gather, so no two write the same place.
__kernel void conv2d_col2im(__global float* dx, __global const float* col, const int n0, const int nb,
                            const int C, const int H, const int W, const int kh, const int kw,
                            const int stride, const int pad, const int Ho, const int Wo) {
    const int gid = get_global_id(0);
    if (gid >= nb * C * H * W) return;
    const int ix = gid % W, iy = (gid / W) % H, c = (gid / (H * W)) % C, n = gid / (C * H * W);
    const int rows = C * kh * kw;
    __global const float* cn = col + (long) n * rows * Ho * Wo;
    float sum = 0.0f;
    for (int ky = 0; ky < kh; ky++) {
        const int ty = iy + pad - ky;
        if (ty < 0 || ty % stride != 0) continue;
        const int oy = ty / stride;
        if (oy >= Ho) continue;
        for (int kx = 0; kx < kw; kx++) {
            const int tx = ix + pad - kx;
            if (tx < 0 || tx % stride != 0) continue;
            const int ox = tx / stride;
            if (ox >= Wo) continue;
            sum += cn[((c * kh + ky) * kw + kx) * Ho * Wo + oy * Wo + ox];
        }
    }
    dx[(long) n0 * C * H * W + gid] += sum;
}

// dst[c, n*P + p] = src[n0 + n, c, p] for nb samples: gradients [N, C, P] as [C, nb*P], so that the weight
// gradient of a chunk is one GEMM whose inner dimension runs over samples and positions together.
__kernel void conv2d_toChannelMajor(__global float* dst, __global const float* src, const int n0, const int nb,
                                    const int C, const int P) {
    const int gid = get_global_id(0);
    if (gid >= nb * C * P) return;
    const int p = gid % P, c = (gid / P) % C, n = gid / (P * C);
    dst[c * (nb * P) + n * P + p] = src[((n0 + n) * C + c) * P + p];
}

// Depthwise (groups = C = Cout): y[n, c, oy, ox] = Σ_{ky,kx} x[n, c, iy, ix] · w[c, ky, kx]. One work-item per output.
__kernel void conv2d_depthwiseForward(__global float* y, __global const IN_T* x, __global const float* w,
                                      const int N, const int C, const int H, const int W, const int kh, const int kw,
                                      const int stride, const int pad, const int Ho, const int Wo) {
    const int gid = get_global_id(0);
    if (gid >= N * C * Ho * Wo) return;
    const int ox = gid % Wo, oy = (gid / Wo) % Ho, nc = gid / (Ho * Wo), c = nc % C;
    __global const IN_T* xp = x + (long) nc * H * W;
    __global const float* wc = w + c * kh * kw;
    float sum = 0.0f;
    for (int ky = 0; ky < kh; ky++) {
        const int iy = oy * stride - pad + ky;
        if (iy < 0 || iy >= H) continue;
        for (int kx = 0; kx < kw; kx++) {
            const int ix = ox * stride - pad + kx;
            if (ix < 0 || ix >= W) continue;
            sum = fma((float) xp[iy * W + ix], wc[ky * kw + kx], sum);
        }
    }
    y[gid] = sum;
}

// Depthwise input gradient: dx[n, c, iy, ix] += Σ over the outputs that read it of dy · w. A gather per input element.
__kernel void conv2d_depthwiseBackwardInput(__global float* dx, __global const float* dy, __global const float* w,
                                            const int N, const int C, const int H, const int W, const int kh, const int kw,
                                            const int stride, const int pad, const int Ho, const int Wo) {
    const int gid = get_global_id(0);
    if (gid >= N * C * H * W) return;
    const int ix = gid % W, iy = (gid / W) % H, nc = gid / (H * W), c = nc % C;
    __global const float* dyp = dy + (long) nc * Ho * Wo;
    __global const float* wc = w + c * kh * kw;
    float sum = 0.0f;
    for (int ky = 0; ky < kh; ky++) {
        const int ty = iy + pad - ky;
        if (ty < 0 || ty % stride != 0 || ty / stride >= Ho) continue;
        for (int kx = 0; kx < kw; kx++) {
            const int tx = ix + pad - kx;
            if (tx < 0 || tx % stride != 0 || tx / stride >= Wo) continue;
            sum = fma(dyp[(ty / stride) * Wo + tx / stride], wc[ky * kw + kx], sum);
        }
    }
    dx[gid] += sum;
}

// Depthwise weight gradient: one work-group per weight (c, ky, kx), the work-items striding over the
// N*Ho*Wo products dy · x, then a tree reduction in local memory (local size a power of two).
__kernel void conv2d_depthwiseBackwardWeight(__global float* dw, __global const float* dy, __global const IN_T* x,
                                             const int N, const int C, const int H, const int W, const int kh, const int kw,
                                             const int stride, const int pad, const int Ho, const int Wo,
                                             __local float* part) {
    const int tap = get_group_id(0), c = tap / (kh * kw), ky = (tap / kw) % kh, kx = tap % kw;
    const int lid = get_local_id(0), L = get_local_size(0), howo = Ho * Wo;
    float sum = 0.0f;
    for (int e = lid; e < N * howo; e += L) {
        const int n = e / howo, pos = e % howo;
        const int iy = (pos / Wo) * stride - pad + ky, ix = (pos % Wo) * stride - pad + kx;
        if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
        sum = fma(dy[((long) n * C + c) * howo + pos], (float) x[(((long) n * C + c) * H + iy) * W + ix], sum);
    }
    part[lid] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = L / 2; s > 0; s >>= 1) {
        if (lid < s) part[lid] += part[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) dw[tap] += part[0];
}
