// Channel concatenation [N, Ca, H, W] ⊕ [N, Cb, H, W] → [N, Ca+Cb, H, W] and its split (twin of
// scn.ops.Concat via ConcatCl). Each operand is one part: per sample, `len` contiguous elements at
// `offset` inside a row of `total` = (Ca+Cb)·H·W. T is float or uchar; the program is built once per type.

#ifndef T
#define T float
#endif

// y[n, offset + r] = src[n, r] for r < len.
__kernel void concat_forwardPart(__global T* y, __global const T* src, const int n, const int len,
                                 const int offset, const int total) {
    const int gid = get_global_id(0);
    if (gid >= n * len) return;
    const int i = gid / len, r = gid - i * len;
    y[(long) i * total + offset + r] = src[gid];
}

// dst[n, r] += dy[n, offset + r] for r < len (float gradients only).
__kernel void concat_backwardPart(__global float* dst, __global const float* dy, const int n, const int len,
                                  const int offset, const int total) {
    const int gid = get_global_id(0);
    if (gid >= n * len) return;
    const int i = gid / len, r = gid - i * len;
    dst[gid] += dy[(long) i * total + offset + r];
}
