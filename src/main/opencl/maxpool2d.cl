// Max-pool over planes [P, H, W] (twin of scn.ops.MaxPool2dRef via MaxPool2dCl). T is the element type:
// float activations or uchar spikes (where the max is a logical OR); the program is built once per type.
// Padding never wins; ties go to the first element in scan order; argmax is the index inside the plane.

#ifndef T
#define T float
#endif

// One work-item per output element.
__kernel void maxpool2d_forward(__global T* y, __global int* argmax, __global const T* x, const int planes,
                                const int H, const int W, const int Ho, const int Wo, const int k, const int s,
                                const int p) {
    const int gid = get_global_id(0);
    if (gid >= planes * Ho * Wo) return;
    const int ox = gid % Wo, oy = (gid / Wo) % Ho, pl = gid / (Ho * Wo);
    __global const T* xp = x + (long) pl * H * W;
    T best = 0;
    int bestAt = -1;
    for (int ky = 0; ky < k; ky++) {
        const int iy = oy * s - p + ky;
        if (iy < 0 || iy >= H) continue;
        for (int kx = 0; kx < k; kx++) {
            const int ix = ox * s - p + kx;
            if (ix < 0 || ix >= W) continue;
            const T v = xp[iy * W + ix];
            if (bestAt < 0 || v > best) {
                best = v;
                bestAt = iy * W + ix;
            }
        }
    }
    y[gid] = best;
    argmax[gid] = bestAt;
}

// dx += dy routed to each window's maximum, as a gather: one work-item per input element visits the
// (at most ⌈k/s⌉²) windows that contain it and adds the gradients of those whose argmax it is. Overlapping
// windows therefore never race, and no atomics are needed.
__kernel void maxpool2d_backward(__global float* dx, __global const float* dy, __global const int* argmax,
                                 const int planes, const int H, const int W, const int Ho, const int Wo,
                                 const int k, const int s, const int p) {
    const int gid = get_global_id(0);
    if (gid >= planes * H * W) return;
    const int ix = gid % W, iy = (gid / W) % H, pl = gid / (H * W), me = iy * W + ix;
    const int oy0 = max(0, (iy + p - k + s) / s), oy1 = min(Ho - 1, (iy + p) / s);
    const int ox0 = max(0, (ix + p - k + s) / s), ox1 = min(Wo - 1, (ix + p) / s);
    const long base = (long) pl * Ho * Wo;
    float sum = 0.0f;
    for (int oy = oy0; oy <= oy1; oy++)
        for (int ox = ox0; ox <= ox1; ox++)
            if (argmax[base + oy * Wo + ox] == me) sum += dy[base + oy * Wo + ox];
    dx[gid] += sum;
}
