// A per-channel bias on activations [N, C, HW] (twin of the bias of scn.autograd.Functional.conv2d via
// ChannelBiasCl): the 1x1 output convolutions of the heads carry one. The gradient sums each channel
// over samples and positions with one work-group per channel and a tree reduction: no float atomics.

// y[n, c, p] += bias[c], one work-item per element.
__kernel void channelbias_forward(__global float* y, __global const float* bias, const int C, const int HW, const int total) {
    const int i = get_global_id(0);
    if (i >= total) return;
    y[i] += bias[(i / HW) % C];
}

// db[c] += Σ_{n,p} dy[n, c, p]; work-group c, its work-items striding over the N*HW elements of channel c.
// Local size a power of two.
__kernel void channelbias_backward(__global float* db, __global const float* dy, const int N, const int C, const int HW,
                                   __local float* part) {
    const int c = get_group_id(0), lid = get_local_id(0), L = get_local_size(0);
    float s = 0.0f;
    for (int e = lid; e < N * HW; e += L) {
        const int n = e / HW, p = e - n * HW;
        s += dy[((long) n * C + c) * HW + p];
    }
    part[lid] = s;
    for (int h = L / 2; h > 0; h >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < h) part[lid] += part[lid + h];
    }
    if (lid == 0) db[c] += part[0];
}
