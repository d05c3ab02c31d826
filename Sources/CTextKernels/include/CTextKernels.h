#ifndef CTEXTKERNELS_H
#define CTEXTKERNELS_H

// Element-wise kernels of the BERT forward pass that the Swift build (baseline x86-64, SSE only)
// cannot vectorise wider than 4 lanes: an AVX2 version chosen at run time when the CPU has it,
// else a portable one. Same operations in the same order as the Swift scalar code (no FMA), so
// results do not depend on which version runs.

// x[r] = exp(x[r] - max x[r]) for each of `rows` rows of `width` (leading dimension `stride`);
// inverse_sums[r] = 1 / sum of the new row.
void CTextKernels_expRows(float *x, long rows, long width, long stride, float *inverse_sums);

// x[r] = GELU(x[r] + bias), exact (erf) GELU with a rational erf (a few ulp), for each of `rows`
// rows of `width` (leading dimension `stride`).
void CTextKernels_addBiasGELU(float *x, const float *bias, long rows, long width, long stride);

// 1 when the AVX2 versions run.
int CTextKernels_usesAVX2(void);

// A fork-join pool of plain pthreads (pool.c): `threads` counts the caller, so threads - 1
// workers are started. poolRun calls task(context, i) for i in 0..<width (width capped at
// threads), part 0 on the caller, and returns when all parts have returned. One caller at a time.
typedef void (*CTextKernels_Task)(void *context, long index);
typedef struct CTextKernels_Pool CTextKernels_Pool;
CTextKernels_Pool *CTextKernels_poolCreate(long threads);
long CTextKernels_poolThreads(const CTextKernels_Pool *pool);
void CTextKernels_poolRun(CTextKernels_Pool *pool, long width, CTextKernels_Task task, void *context);
void CTextKernels_poolDestroy(CTextKernels_Pool *pool);

#endif
