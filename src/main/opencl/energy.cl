// The counts of the energy estimate (twin of scn.energy.EnergyEstimator.conv) over one convolution's input,
// planes [P, H, W] of float activations or uint8 spikes (T = float or uchar): how many values are non-zero,
// how many output positions those reach (reachY[y] · reachX[x], the number of kernel windows covering the
// input at row y, column x), and how many values are neither 0 nor 1 (the input is then not binary). Integer
// sums, so the order does not matter and the counts are exact: per work-group partial sums of uints (the
// host sizes the groups so none can overflow), which the host adds.

// partial[3·group + {0, 1, 2}] = (non-zero, reached, non-binary) over the elements this group strides over.
__kernel void energy_count(__global uint* partial, __global const T* x, __global const int* reachY,
                           __global const int* reachX, const int h, const int w, const int n,
                           __local uint* nz, __local uint* re, __local uint* nb) {
    const int lid = get_local_id(0), L = get_local_size(0);
    uint a = 0, b = 0, c = 0;
    for (int i = get_global_id(0); i < n; i += get_global_size(0)) {
        const float v = (float) x[i];
        if (v != 0.0f) {
            a++;
            b += (uint) (reachY[(i / w) % h] * reachX[i % w]);
            if (v != 1.0f) c++;
        }
    }
    nz[lid] = a;
    re[lid] = b;
    nb[lid] = c;
    for (int s = L / 2; s > 0; s >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < s) {
            nz[lid] += nz[lid + s];
            re[lid] += re[lid + s];
            nb[lid] += nb[lid + s];
        }
    }
    if (lid == 0) {
        const int g = get_group_id(0);
        partial[3 * g] = nz[0];
        partial[3 * g + 1] = re[0];
        partial[3 * g + 2] = nb[0];
    }
}
