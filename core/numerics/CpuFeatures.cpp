#include "numerics/CpuFeatures.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#define CKPT_X86_CPUID 1
#endif

namespace ckpt {

namespace {

#ifdef CKPT_X86_CPUID
struct Features {
    bool f16c = false;
    bool avx2Fma = false;
};

Features detect()
{
    Features f;
    if (const char* baseline = std::getenv("CKPT_CPU_BASELINE");
        baseline && *baseline && std::strcmp(baseline, "0") != 0)
        return f;
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return f;
    if (!(ecx & bit_OSXSAVE) || !(ecx & bit_AVX))
        return f;
    unsigned low, high;
    __asm__("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    if ((low & 6) != 6) // the system does not save the YMM registers
        return f;
    const bool fma = ecx & bit_FMA;
    f.f16c = ecx & bit_F16C;
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
        f.avx2Fma = fma && (ebx & bit_AVX2);
    return f;
}

const Features& features()
{
    static const Features f = detect();
    return f;
}
#endif

} // namespace

bool cpuHasF16c()
{
#ifdef CKPT_X86_CPUID
    return features().f16c;
#else
    return false;
#endif
}

bool cpuHasAvx2Fma()
{
#ifdef CKPT_X86_CPUID
    return features().avx2Fma;
#else
    return false;
#endif
}

} // namespace ckpt
