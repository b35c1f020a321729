#include "numerics/StatsKernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CKPT_AVX2 __attribute__((target("avx2,fma")))
#endif

namespace ckpt::kernels {

#ifdef CKPT_AVX2

namespace {

CKPT_AVX2 inline double horizontalSum(__m256d x)
{
    const __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(x), _mm256_extractf128_pd(x, 1));
    return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}

CKPT_AVX2 inline float horizontalMin(__m256 x)
{
    __m128 m = _mm_min_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    m = _mm_min_ps(m, _mm_movehl_ps(m, m));
    return _mm_cvtss_f32(_mm_min_ss(m, _mm_movehdup_ps(m)));
}

CKPT_AVX2 inline float horizontalMax(__m256 x)
{
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    return _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
}

// Four shifted values into the running sum and squared sum.
CKPT_AVX2 inline void accumulate(__m128 four, __m256d shift, __m256d& sum, __m256d& squares)
{
    const __m256d d = _mm256_sub_pd(_mm256_cvtps_pd(four), shift);
    sum = _mm256_add_pd(sum, d);
    squares = _mm256_fmadd_pd(d, d, squares);
}

// Bin index * 4 + lane of four values, computed in double exactly as the portable sweep does.
template <bool RouteNonFinite>
CKPT_AVX2 inline __m128i slots(__m128 four, __m256d lo, __m256d scale, __m256d last, __m256d overflow)
{
    const __m256d x = _mm256_cvtps_pd(four);
    __m256d b = _mm256_mul_pd(_mm256_sub_pd(x, lo), scale);
    b = _mm256_min_pd(_mm256_max_pd(b, _mm256_setzero_pd()), last); // maxpd turns NaN into 0
    if constexpr (RouteNonFinite) {
        const __m256d finite = _mm256_cmp_pd(_mm256_sub_pd(x, x), _mm256_setzero_pd(), _CMP_EQ_OQ);
        b = _mm256_blendv_pd(overflow, b, finite);
    }
    const __m128i bin = _mm256_cvttpd_epi32(b);
    return _mm_add_epi32(_mm_slli_epi32(bin, 2), _mm_setr_epi32(0, 1, 2, 3));
}

template <bool RouteNonFinite>
CKPT_AVX2 void binFloatsAvx2(const float* v, std::int64_t n, double lo, double scale, int bins, std::int64_t* counts)
{
    const __m256d first = _mm256_set1_pd(lo), width = _mm256_set1_pd(scale);
    const __m256d last = _mm256_set1_pd(bins - 1), overflow = _mm256_set1_pd(bins);
    alignas(16) std::int32_t slot[16];
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256 x = _mm256_loadu_ps(v + i), y = _mm256_loadu_ps(v + i + 8);
        _mm_store_si128(reinterpret_cast<__m128i*>(slot),
            slots<RouteNonFinite>(_mm256_castps256_ps128(x), first, width, last, overflow));
        _mm_store_si128(reinterpret_cast<__m128i*>(slot + 4),
            slots<RouteNonFinite>(_mm256_extractf128_ps(x, 1), first, width, last, overflow));
        _mm_store_si128(reinterpret_cast<__m128i*>(slot + 8),
            slots<RouteNonFinite>(_mm256_castps256_ps128(y), first, width, last, overflow));
        _mm_store_si128(reinterpret_cast<__m128i*>(slot + 12),
            slots<RouteNonFinite>(_mm256_extractf128_ps(y, 1), first, width, last, overflow));
        for (int k = 0; k < 16; ++k)
            ++counts[slot[k]];
    }
    for (; i < n; ++i) {
        float tail[4] = { v[i], 0, 0, 0 };
        _mm_store_si128(
            reinterpret_cast<__m128i*>(slot), slots<RouteNonFinite>(_mm_loadu_ps(tail), first, width, last, overflow));
        ++counts[slot[0]];
    }
}

// Lanes where |x| < normal (zeros included), as -1.
CKPT_AVX2 inline __m256i belowNormal(__m256 x, __m256 magnitude, __m256 normal)
{
    return _mm256_castps_si256(_mm256_cmp_ps(_mm256_and_ps(x, magnitude), normal, _CMP_LT_OQ));
}

} // namespace

CKPT_AVX2 bool momentsOfFiniteFloats(const float* v, std::int64_t n, double shift, float normal, FloatBlockMoments& out)
{
    const __m256 inf = _mm256_set1_ps(std::numeric_limits<float>::infinity());
    const __m256 zero = _mm256_setzero_ps();
    const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    const __m256 normals = _mm256_set1_ps(normal);
    const __m256d shifts = _mm256_set1_pd(shift);
    __m256 lo0 = inf, lo1 = inf, hi0 = -inf, hi1 = -inf, check = zero;
    __m256i zeros = _mm256_setzero_si256(), small = _mm256_setzero_si256(); // small: |x| < normal
    __m256d sum[4] = {}, squares[4] = {}; // independent chains, so the adds pipeline
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256 x = _mm256_loadu_ps(v + i), y = _mm256_loadu_ps(v + i + 8);
        lo0 = _mm256_min_ps(x, lo0);
        lo1 = _mm256_min_ps(y, lo1);
        hi0 = _mm256_max_ps(x, hi0);
        hi1 = _mm256_max_ps(y, hi1);
        check
            = _mm256_add_ps(check, _mm256_add_ps(_mm256_sub_ps(x, x), _mm256_sub_ps(y, y))); // NaN if one is not finite
        zeros = _mm256_sub_epi32(zeros, _mm256_castps_si256(_mm256_cmp_ps(x, zero, _CMP_EQ_OQ)));
        zeros = _mm256_sub_epi32(zeros, _mm256_castps_si256(_mm256_cmp_ps(y, zero, _CMP_EQ_OQ)));
        small = _mm256_sub_epi32(small, belowNormal(x, magnitude, normals));
        small = _mm256_sub_epi32(small, belowNormal(y, magnitude, normals));
        accumulate(_mm256_castps256_ps128(x), shifts, sum[0], squares[0]);
        accumulate(_mm256_extractf128_ps(x, 1), shifts, sum[1], squares[1]);
        accumulate(_mm256_castps256_ps128(y), shifts, sum[2], squares[2]);
        accumulate(_mm256_extractf128_ps(y, 1), shifts, sum[3], squares[3]);
    }
    if (_mm256_movemask_ps(_mm256_cmp_ps(check, check, _CMP_UNORD_Q)))
        return false;
    float low = horizontalMin(_mm256_min_ps(lo0, lo1)), high = horizontalMax(_mm256_max_ps(hi0, hi1));
    double total = horizontalSum(_mm256_add_pd(_mm256_add_pd(sum[0], sum[1]), _mm256_add_pd(sum[2], sum[3])));
    double squared
        = horizontalSum(_mm256_add_pd(_mm256_add_pd(squares[0], squares[1]), _mm256_add_pd(squares[2], squares[3])));
    alignas(32) std::int32_t zeroLanes[8], smallLanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(zeroLanes), zeros);
    _mm256_store_si256(reinterpret_cast<__m256i*>(smallLanes), small);
    std::int64_t zeroCount = 0, smallCount = 0;
    for (int lane = 0; lane < 8; ++lane) {
        zeroCount += zeroLanes[lane];
        smallCount += smallLanes[lane];
    }
    for (; i < n; ++i) {
        const float x = v[i];
        if (!std::isfinite(x))
            return false;
        low = std::min(low, x);
        high = std::max(high, x);
        const double d = static_cast<double>(x) - shift;
        total += d;
        squared += d * d;
        zeroCount += x == 0;
        smallCount += std::fabs(x) < normal;
    }
    out = { low, high, total, squared, zeroCount, smallCount - zeroCount };
    return true;
}

void binFloats(
    const float* v, std::int64_t n, double lo, double scale, int bins, bool routeNonFinite, std::int64_t* counts)
{
    if (routeNonFinite)
        binFloatsAvx2<true>(v, n, lo, scale, bins, counts);
    else
        binFloatsAvx2<false>(v, n, lo, scale, bins, counts);
}

#else // no x86 vector extensions: never called (cpuHasAvx2Fma() is false)

bool momentsOfFiniteFloats(const float*, std::int64_t, double, float, FloatBlockMoments&)
{
    return false;
}

void binFloats(const float*, std::int64_t, double, double, int, bool, std::int64_t*)
{
}

#endif

} // namespace ckpt::kernels
