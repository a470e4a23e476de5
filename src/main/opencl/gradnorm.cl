// The squared L2 norm of many gradients laid out in one buffer (twin of the sum in
// scn.train.AdamW.clipGradNorm via GradNormCl), for gradient-norm clipping on the device. Two stages of
// work-group tree reductions, never float atomics: per-work-group partial sums, then one work-group adds
// those. Local sizes are powers of two.

// partial[group] = Σ x[k]² over the elements this work-group's items stride over (grid-stride, coalesced).
__kernel void gradnorm_partial(__global float* partial, __global const float* x, const int n, __local float* part) {
    const int lid = get_local_id(0), L = get_local_size(0);
    float s = 0.0f;
    for (int k = get_global_id(0); k < n; k += get_global_size(0)) s = fma(x[k], x[k], s);
    part[lid] = s;
    for (int h = L / 2; h > 0; h >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < h) part[lid] += part[lid + h];
    }
    if (lid == 0) partial[get_group_id(0)] = part[0];
}

// out[at] = Σ partial[0..groups), one work-group.
__kernel void gradnorm_final(__global float* out, const int at, __global const float* partial, const int groups,
                             __local float* part) {
    const int lid = get_local_id(0), L = get_local_size(0);
    float s = 0.0f;
    for (int k = lid; k < groups; k += L) s += partial[k];
    part[lid] = s;
    for (int h = L / 2; h > 0; h >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid < h) part[lid] += part[lid + h];
    }
    if (lid == 0) out[at] = part[0];
}
