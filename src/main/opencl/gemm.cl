// Tiled GEMM: C[b] (+)= A[b] · B[b] for a batch of independent products (the z dimension of the range).
// Operands are strided views, as scn.ops.Mat: A(i, p) = A[aOff + b*aBatch + i*aRs + p*aCs], so one
// kernel serves A·B, Aᵀ·B and A·Bᵀ. C is row-major with leading dimension ldc.
// Twin of scn.ops.GemmRef (which sums in double; this sums in float with fma).
//
// Each work-group computes a TS×TS tile of C with RTS×RTS work-items, each work-item a WPT×WPT block
// of outputs held in registers (register blocking: WPT² multiply-adds per two local loads). Tiles of A
// and B, TK deep, are staged in local memory; each tile load maps consecutive work-items to the operand's
// unit-stride dimension so global reads coalesce whether or not the operand is transposed. Edges are
// zero-padded in local memory, so any M, N, K works. RTS is a build option chosen from the device's
// work-group limit (16 → 256 work-items, a 64×64 tile).

#ifndef RTS
#define RTS 16
#endif
#define WPT 4
#define TS (RTS * WPT)
#define TK 16
#define THREADS (RTS * RTS)

__kernel __attribute__((reqd_work_group_size(RTS, RTS, 1)))
void gemm_tiled(const int M, const int N, const int K,
                __global const float* A, const int aOff, const int aRs, const int aCs, const int aBatch,
                __global const float* B, const int bOff, const int bRs, const int bCs, const int bBatch,
                __global float* C, const int cOff, const int ldc, const int cBatch, const int accumulate) {
    __local float As[TK][TS + 1]; // As[p][i]; the +1 keeps column walks off a single bank
    __local float Bs[TK][TS + 1]; // Bs[p][j]
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int tid = ty * RTS + tx;
    const int col0 = get_group_id(0) * TS, row0 = get_group_id(1) * TS;
    const int b = get_global_id(2);
    A += aOff + b * aBatch;
    B += bOff + b * bBatch;
    C += cOff + b * cBatch;

    float acc[WPT][WPT];
    for (int wi = 0; wi < WPT; wi++)
        for (int wj = 0; wj < WPT; wj++) acc[wi][wj] = 0.0f;

    for (int p0 = 0; p0 < K; p0 += TK) {
        for (int l = tid; l < TS * TK; l += THREADS) {
            int i, p;
            if (aCs == 1) { p = l % TK; i = l / TK; } else { i = l % TS; p = l / TS; }
            const int gi = row0 + i, gp = p0 + p;
            As[p][i] = (gi < M && gp < K) ? A[gi * aRs + gp * aCs] : 0.0f;
        }
        for (int l = tid; l < TS * TK; l += THREADS) {
            int j, p;
            if (bCs == 1) { j = l % TS; p = l / TS; } else { p = l % TK; j = l / TK; }
            const int gj = col0 + j, gp = p0 + p;
            Bs[p][j] = (gj < N && gp < K) ? B[gp * bRs + gj * bCs] : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int p = 0; p < TK; p++) {
            float a[WPT], bv[WPT];
            for (int w = 0; w < WPT; w++) {
                a[w] = As[p][ty + w * RTS];
                bv[w] = Bs[p][tx + w * RTS];
            }
            for (int wi = 0; wi < WPT; wi++)
                for (int wj = 0; wj < WPT; wj++) acc[wi][wj] = fma(a[wi], bv[wj], acc[wi][wj]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    // Work-items with consecutive tx write consecutive columns: coalesced stores.
    for (int wi = 0; wi < WPT; wi++) {
        const int row = row0 + ty + wi * RTS;
        if (row >= M) continue;
        for (int wj = 0; wj < WPT; wj++) {
            const int col = col0 + tx + wj * RTS;
            if (col >= N) continue;
            const int at = row * ldc + col;
            C[at] = accumulate ? C[at] + acc[wi][wj] : acc[wi][wj];
        }
    }
}
