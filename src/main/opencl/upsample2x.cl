// Nearest-neighbour ×2 upsampling over planes [P, H, W] → [P, 2H, 2W] (twin of scn.ops.Upsample2xRef via
// Upsample2xCl). T is float or uchar (spikes stay binary); the program is built once per type.

#ifndef T
#define T float
#endif

// y[2i + a, 2j + b] = x[i, j]; one work-item per output element, so writes coalesce.
__kernel void upsample2x_forward(__global T* y, __global const T* x, const int planes, const int H, const int W) {
    const int gid = get_global_id(0);
    const int W2 = 2 * W;
    if (gid >= planes * 4 * H * W) return;
    const int ox = gid % W2, oy = (gid / W2) % (2 * H), pl = gid / (4 * H * W);
    y[gid] = x[((long) pl * H + oy / 2) * W + ox / 2];
}

// dx[i, j] += the sum of the four output gradients it fed; one work-item per input element (a gather).
__kernel void upsample2x_backward(__global float* dx, __global const float* dy, const int planes, const int H, const int W) {
    const int gid = get_global_id(0);
    if (gid >= planes * H * W) return;
    const int ix = gid % W, iy = (gid / W) % H, pl = gid / (H * W);
    __global const float* d = dy + ((long) pl * 2 * H + 2 * iy) * 2 * W + 2 * ix;
    dx[gid] += (d[0] + d[1]) + (d[2 * W] + d[2 * W + 1]);
}
