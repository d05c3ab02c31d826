#include "CTextKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <stdint.h>
#include <string.h>

// ---- portable versions (the same math as TextEncoder's Swift Kernels) ----

static inline float exp_scalar(float value) {
    float x = value < -87.3f ? -87.3f : (value > 88.3f ? 88.3f : value);
    float shifted = x * 1.44269504f + 12582912.0f;
    float n = shifted - 12582912.0f;
    float r = x - n * 0.693359375f + n * 2.1219444e-4f;
    float p = 1.98756915e-4f;
    p = p * r + 1.39819995e-3f;
    p = p * r + 8.3334519e-3f;
    p = p * r + 4.16657959e-2f;
    p = p * r + 1.66666655e-1f;
    p = p * r + 5.00000012e-1f;
    float er = p * r * r + r + 1.0f;
    int32_t bits;
    memcpy(&bits, &shifted, 4);
    uint32_t scale_bits = (uint32_t)(bits - 0x4B400000 + 127) << 23;
    float scale;
    memcpy(&scale, &scale_bits, 4);
    return value < -87.3f ? 0.0f : er * scale;
}

static inline float erf_scalar(float value) {
    float x = value < -4.0f ? -4.0f : (value > 4.0f ? 4.0f : value);
    float x2 = x * x;
    float p = -2.72614225801306e-10f;
    p = p * x2 + 2.77068142495902e-08f;
    p = p * x2 - 2.10102402082508e-06f;
    p = p * x2 - 5.69250639462346e-05f;
    p = p * x2 - 7.34990630326855e-04f;
    p = p * x2 - 2.95459980854025e-03f;
    p = p * x2 - 1.60960333262415e-02f;
    float q = -1.45660718464996e-05f;
    q = q * x2 - 2.13374055278905e-04f;
    q = q * x2 - 1.68282697438203e-03f;
    q = q * x2 - 7.37332916720468e-03f;
    q = q * x2 - 1.42647390514189e-02f;
    return x * p / q;
}

static inline float row_max(const float *row, long width) {
    float best = row[0];
    for (long j = 1; j < width; j++) best = row[j] > best ? row[j] : best;
    return best;
}

static void exp_rows_portable(float *x, long rows, long width, long stride, float *inverse_sums) {
    for (long r = 0; r < rows; r++) {
        float *row = x + r * stride;
        float maximum = row_max(row, width), total = 0;
        for (long j = 0; j < width; j++) {
            row[j] = exp_scalar(row[j] - maximum);
            total += row[j];
        }
        inverse_sums[r] = 1.0f / total;
    }
}

static void gelu_portable(float *x, const float *bias, long rows, long width, long stride) {
    for (long r = 0; r < rows; r++) {
        float *row = x + r * stride;
        for (long j = 0; j < width; j++) {
            float v = row[j] + bias[j];
            row[j] = 0.5f * v * (1.0f + erf_scalar(v * 0.70710678118654752440f));
        }
    }
}

#if defined(__x86_64__)
// ---- AVX2 versions: 8 lanes, explicit mul/add (no FMA contraction) ----

#define AVX2 __attribute__((target("avx2")))
#define S(v) _mm256_set1_ps(v)

AVX2 static inline __m256 exp8(__m256 value) {
    __m256 x = _mm256_min_ps(_mm256_max_ps(value, S(-87.3f)), S(88.3f));
    __m256 shifted = _mm256_add_ps(_mm256_mul_ps(x, S(1.44269504f)), S(12582912.0f));
    __m256 n = _mm256_sub_ps(shifted, S(12582912.0f));
    __m256 r = _mm256_add_ps(_mm256_sub_ps(x, _mm256_mul_ps(n, S(0.693359375f))), _mm256_mul_ps(n, S(2.1219444e-4f)));
    __m256 p = S(1.98756915e-4f);
    p = _mm256_add_ps(_mm256_mul_ps(p, r), S(1.39819995e-3f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), S(8.3334519e-3f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), S(4.16657959e-2f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), S(1.66666655e-1f));
    p = _mm256_add_ps(_mm256_mul_ps(p, r), S(5.00000012e-1f));
    __m256 er = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(p, r), r), r), S(1.0f));
    __m256i bits = _mm256_slli_epi32(
        _mm256_add_epi32(_mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000)), _mm256_set1_epi32(127)), 23);
    __m256 out = _mm256_mul_ps(er, _mm256_castsi256_ps(bits));
    return _mm256_andnot_ps(_mm256_cmp_ps(value, S(-87.3f), _CMP_LT_OQ), out);
}

AVX2 static inline __m256 erf8(__m256 value) {
    __m256 x = _mm256_min_ps(_mm256_max_ps(value, S(-4.0f)), S(4.0f));
    __m256 x2 = _mm256_mul_ps(x, x);
    __m256 p = S(-2.72614225801306e-10f);
    p = _mm256_add_ps(_mm256_mul_ps(p, x2), S(2.77068142495902e-08f));
    p = _mm256_sub_ps(_mm256_mul_ps(p, x2), S(2.10102402082508e-06f));
    p = _mm256_sub_ps(_mm256_mul_ps(p, x2), S(5.69250639462346e-05f));
    p = _mm256_sub_ps(_mm256_mul_ps(p, x2), S(7.34990630326855e-04f));
    p = _mm256_sub_ps(_mm256_mul_ps(p, x2), S(2.95459980854025e-03f));
    p = _mm256_sub_ps(_mm256_mul_ps(p, x2), S(1.60960333262415e-02f));
    __m256 q = S(-1.45660718464996e-05f);
    q = _mm256_sub_ps(_mm256_mul_ps(q, x2), S(2.13374055278905e-04f));
    q = _mm256_sub_ps(_mm256_mul_ps(q, x2), S(1.68282697438203e-03f));
    q = _mm256_sub_ps(_mm256_mul_ps(q, x2), S(7.37332916720468e-03f));
    q = _mm256_sub_ps(_mm256_mul_ps(q, x2), S(1.42647390514189e-02f));
    return _mm256_div_ps(_mm256_mul_ps(x, p), q);
}

AVX2 static inline float row_max8(const float *row, long width) {
    if (width < 8) return row_max(row, width);
    __m256 best = _mm256_loadu_ps(row);
    long j = 8;
    for (; j + 8 <= width; j += 8) best = _mm256_max_ps(best, _mm256_loadu_ps(row + j));
    float lanes[8], result;
    _mm256_storeu_ps(lanes, best);
    result = lanes[0];
    for (int i = 1; i < 8; i++) result = lanes[i] > result ? lanes[i] : result;
    for (; j < width; j++) result = row[j] > result ? row[j] : result;
    return result;
}

AVX2 static void exp_rows_avx2(float *x, long rows, long width, long stride, float *inverse_sums) {
    for (long r = 0; r < rows; r++) {
        float *row = x + r * stride;
        float maximum = row_max8(row, width);
        __m256 m = S(maximum), accumulator = _mm256_setzero_ps();
        long j = 0;
        for (; j + 8 <= width; j += 8) {
            __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(row + j), m));
            _mm256_storeu_ps(row + j, e);
            accumulator = _mm256_add_ps(accumulator, e);
        }
        float lanes[8], total = 0;
        _mm256_storeu_ps(lanes, accumulator);
        for (int i = 0; i < 8; i++) total += lanes[i];
        for (; j < width; j++) {
            row[j] = exp_scalar(row[j] - maximum);
            total += row[j];
        }
        inverse_sums[r] = 1.0f / total;
    }
}

AVX2 static void gelu_avx2(float *x, const float *bias, long rows, long width, long stride) {
    for (long r = 0; r < rows; r++) {
        float *row = x + r * stride;
        long j = 0;
        for (; j + 8 <= width; j += 8) {
            __m256 v = _mm256_add_ps(_mm256_loadu_ps(row + j), _mm256_loadu_ps(bias + j));
            __m256 e = erf8(_mm256_mul_ps(v, S(0.70710678118654752440f)));
            _mm256_storeu_ps(row + j, _mm256_mul_ps(_mm256_mul_ps(S(0.5f), v), _mm256_add_ps(S(1.0f), e)));
        }
        for (; j < width; j++) {
            float v = row[j] + bias[j];
            row[j] = 0.5f * v * (1.0f + erf_scalar(v * 0.70710678118654752440f));
        }
    }
}

int CTextKernels_usesAVX2(void) {
    // A load and a bit test: the CPU model is filled in by a constructor of the compiler runtime before
    // main, so there is nothing to cache (a cache written by racing threads was a data race).
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}
#else
int CTextKernels_usesAVX2(void) { return 0; }
static void exp_rows_avx2(float *x, long rows, long width, long stride, float *inverse_sums) {
    exp_rows_portable(x, rows, width, stride, inverse_sums);
}
static void gelu_avx2(float *x, const float *bias, long rows, long width, long stride) { gelu_portable(x, bias, rows, width, stride); }
#endif

void CTextKernels_expRows(float *x, long rows, long width, long stride, float *inverse_sums) {
    if (CTextKernels_usesAVX2()) exp_rows_avx2(x, rows, width, stride, inverse_sums);
    else exp_rows_portable(x, rows, width, stride, inverse_sums);
}

void CTextKernels_addBiasGELU(float *x, const float *bias, long rows, long width, long stride) {
    if (CTextKernels_usesAVX2()) gelu_avx2(x, bias, rows, width, stride);
    else gelu_portable(x, bias, rows, width, stride);
}
