// The AdamW update (decoupled weight decay, as torch.optim.AdamW), twin of scn.ops.AdamWRef via AdamWCl.
// One work-item per parameter; c1 = 1 − β1^step and c2 = 1 − β2^step come from the host (computed in double).

__kernel void adamw_step(__global float* p, __global const float* g, __global float* m, __global float* v,
                         const float lr, const float beta1, const float beta2, const float eps,
                         const float weightDecay, const float c1, const float c2, const int n) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const float gi = g[i];
    const float mi = beta1 * m[i] + (1.0f - beta1) * gi;
    const float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * (1.0f - lr * weightDecay) - lr * (mi / c1) / (sqrt(vi / c2) + eps);
}
