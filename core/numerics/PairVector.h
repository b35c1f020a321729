#pragma once

// Two doubles as one GCC/Clang vector (an SSE2 register; wider targets pair them up), and the
// few operations the statistics and the timeline sweep build their loops from.
// Internal linkage on purpose: a file compiled for other processor extensions (the AVX2 kernels)
// must never lend its copy of these to the portable code.

#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace ckpt::pairs {
namespace {

using Pair = double __attribute__((vector_size(2 * sizeof(double))));
using PairMask = std::int64_t __attribute__((vector_size(2 * sizeof(double))));

inline Pair splat(double x)
{
    return Pair { x, x };
}

inline Pair loadPair(const double* p)
{
    Pair x;
    std::memcpy(&x, p, sizeof x);
    return x;
}

// float32 data is read as it is stored and widened in registers (exact), never copied to doubles:
// four at a time, as two pairs.
inline void loadPairs(const float* p, Pair& first, Pair& second)
{
#ifdef __SSE2__
    const __m128 x = _mm_loadu_ps(p);
    first = reinterpret_cast<Pair>(_mm_cvtps_pd(x));
    second = reinterpret_cast<Pair>(_mm_cvtps_pd(_mm_movehl_ps(x, x)));
#else
    first = Pair { p[0], p[1] };
    second = Pair { p[2], p[3] };
#endif
}

inline void loadPairs(const double* p, Pair& first, Pair& second)
{
    first = loadPair(p);
    second = loadPair(p + 2);
}

// Feeds the values but the last n % 4 to two independent chains (pairs alternating, so that
// their adds pipeline); returns how many were fed. Chain: anything with add(Pair).
template <typename T, typename Chain> std::int64_t feedTwoChains(const T* v, std::int64_t n, Chain& a, Chain& b)
{
    const std::int64_t whole = n - n % 4;
    for (std::int64_t i = 0; i < whole; i += 4) {
        Pair x, y;
        loadPairs(v + i, x, y);
        a.add(x);
        b.add(y);
    }
    return whole;
}

// mask ? a : b, lane by lane (spelt with bit operations, which GCC and Clang both accept).
inline Pair select(PairMask mask, Pair a, Pair b)
{
    return reinterpret_cast<Pair>((reinterpret_cast<PairMask>(a) & mask) | (reinterpret_cast<PairMask>(b) & ~mask));
}

// a < b ? a : b and a > b ? a : b, lane by lane (one instruction each with SSE2).
inline Pair lesser(Pair a, Pair b)
{
#ifdef __SSE2__
    return reinterpret_cast<Pair>(_mm_min_pd(reinterpret_cast<__m128d>(a), reinterpret_cast<__m128d>(b)));
#else
    return select(a < b, a, b);
#endif
}

inline Pair greater(Pair a, Pair b)
{
#ifdef __SSE2__
    return reinterpret_cast<Pair>(_mm_max_pd(reinterpret_cast<__m128d>(a), reinterpret_cast<__m128d>(b)));
#else
    return select(a > b, a, b);
#endif
}

} // namespace
} // namespace ckpt::pairs
