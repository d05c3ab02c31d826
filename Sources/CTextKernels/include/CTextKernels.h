#ifndef CTEXTKERNELS_H
#define CTEXTKERNELS_H

// Element-wise kernels of the BERT forward pass that the Swift build (baseline x86-64, SSE only)
// cannot vectorise wider than 4 lanes: an AVX2 version chosen at run time when the CPU has it,
// else a portable one. Same operations in the same order as the Swift scalar code (no FMA), so
// results do not depend on which version runs.

// x[r] = exp(x[r] - max x[r]) for each of `rows` rows of `width` (leading dimension `stride`);
// inverse_sums[r] = 1 / sum of the new row.
void CTextKernels_expRows(float *x, long rows, long width, long stride, float *inverse_sums);

// x[r] = GELU(x[r] + bias), exact (erf) GELU with a rational erf (a few ulp).
void CTextKernels_addBiasGELU(float *x, const float *bias, long rows, long width);

// 1 when the AVX2 versions run.
int CTextKernels_usesAVX2(void);

#endif
