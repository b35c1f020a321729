#include "numerics/Convert.h"

#include "numerics/CpuFeatures.h"
#include "numerics/Float16.h"

#include <charconv>
#include <cmath>
#include <complex>
#include <cstring>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace ckpt {

namespace {
template <typename T> T load(const std::byte* p)
{
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

template <typename T, typename Out, typename F> void convertLoop(const std::byte* src, std::int64_t n, Out* dst, F f)
{
    for (std::int64_t i = 0; i < n; ++i)
        dst[i] = f(load<T>(src + i * static_cast<std::int64_t>(sizeof(T))));
}

// Shortest text that reads back to the same value of type T.
template <typename T> std::string formatFloat(T v)
{
    if (std::isnan(v))
        return "nan";
    if (std::isinf(v))
        return v > 0 ? "inf" : "-inf";
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string formatDouble(double v)
{
    return formatFloat(v);
}

// Every float16 bit pattern's value: a lookup is cheaper than decoding the fields per element.
const float* halfValues()
{
    static const std::vector<float> table = [] {
        std::vector<float> t(1 << 16);
        for (std::uint32_t h = 0; h < t.size(); ++h)
            t[h] = halfToFloat(static_cast<std::uint16_t>(h));
        return t;
    }();
    return table.data();
}

template <typename Out> void convertHalvesByTable(const std::byte* src, std::int64_t n, Out* dst)
{
    const float* values = halfValues();
    convertLoop<std::uint16_t>(src, n, dst, [values](auto v) { return Out(values[v]); });
}
} // namespace

void convertToDouble(DType dtype, const std::byte* src, std::int64_t n, double* dst)
{
    auto same = [](auto v) { return static_cast<double>(v); };
    switch (dtype) {
    case DType::Float64:
        return convertLoop<double>(src, n, dst, same);
    case DType::Float32:
        return convertLoop<float>(src, n, dst, same);
    case DType::Float16:
        return convertHalvesByTable(src, n, dst);
    case DType::BFloat16:
        return convertLoop<std::uint16_t>(src, n, dst, [](auto v) { return double(bfloat16ToFloat(v)); });
    case DType::Float8E4M3FN:
        return convertLoop<std::uint8_t>(src, n, dst, [](auto v) { return double(float8e4m3fnToFloat(v)); });
    case DType::Float8E5M2:
        return convertLoop<std::uint8_t>(src, n, dst, [](auto v) { return double(float8e5m2ToFloat(v)); });
    case DType::Int64:
        return convertLoop<std::int64_t>(src, n, dst, same);
    case DType::Int32:
        return convertLoop<std::int32_t>(src, n, dst, same);
    case DType::Int16:
        return convertLoop<std::int16_t>(src, n, dst, same);
    case DType::Int8:
        return convertLoop<std::int8_t>(src, n, dst, same);
    case DType::UInt64:
        return convertLoop<std::uint64_t>(src, n, dst, same);
    case DType::UInt32:
        return convertLoop<std::uint32_t>(src, n, dst, same);
    case DType::UInt16:
        return convertLoop<std::uint16_t>(src, n, dst, same);
    case DType::UInt8:
        return convertLoop<std::uint8_t>(src, n, dst, same);
    case DType::Bool:
        return convertLoop<std::uint8_t>(src, n, dst, [](auto v) { return v ? 1.0 : 0.0; });
    case DType::Complex64:
        return convertLoop<std::complex<float>>(src, n, dst, [](auto v) { return double(std::abs(v)); });
    case DType::Complex128:
        return convertLoop<std::complex<double>>(src, n, dst, [](auto v) { return std::abs(v); });
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CKPT_HAVE_F16C_PATH 1
namespace {
// The F16C instruction converts eight float16 to float32 exactly; chosen at run time, so the
// binary still runs on processors without it.
__attribute__((target("avx,f16c"))) void halfToFloatF16c(const std::byte* src, std::int64_t n, float* dst)
{
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i))));
    convertHalvesByTable(src + 2 * i, n - i, dst + i);
}

} // namespace
#endif

bool convertToFloat(DType dtype, const std::byte* src, std::int64_t n, float* dst)
{
    switch (dtype) {
    case DType::Float16: {
#ifdef CKPT_HAVE_F16C_PATH
        if (cpuHasF16c()) {
            halfToFloatF16c(src, n, dst);
            return true;
        }
#endif
        convertHalvesByTable(src, n, dst);
        return true;
    }
    case DType::BFloat16:
        convertLoop<std::uint16_t>(src, n, dst, [](auto v) { return bfloat16ToFloat(v); });
        return true;
    case DType::Float8E4M3FN:
        convertLoop<std::uint8_t>(src, n, dst, [](auto v) { return float8e4m3fnToFloat(v); });
        return true;
    case DType::Float8E5M2:
        convertLoop<std::uint8_t>(src, n, dst, [](auto v) { return float8e5m2ToFloat(v); });
        return true;
    default:
        return false;
    }
}

double elementToDouble(DType dtype, const std::byte* src)
{
    double d = 0;
    convertToDouble(dtype, src, 1, &d);
    return d;
}

std::string elementToString(DType dtype, const std::byte* src)
{
    switch (dtype) {
    case DType::Bool:
        return load<std::uint8_t>(src) ? "true" : "false";
    case DType::Int64:
        return std::to_string(load<std::int64_t>(src));
    case DType::UInt64:
        return std::to_string(load<std::uint64_t>(src));
    case DType::Complex64: {
        const auto c = load<std::complex<float>>(src);
        return formatDouble(c.real()) + (c.imag() < 0 ? "" : "+") + formatDouble(c.imag()) + "j";
    }
    case DType::Complex128: {
        const auto c = load<std::complex<double>>(src);
        return formatDouble(c.real()) + (c.imag() < 0 ? "" : "+") + formatDouble(c.imag()) + "j";
    }
    case DType::Float64:
        return formatDouble(load<double>(src));
    default:
        if (isInteger(dtype))
            return std::to_string(static_cast<std::int64_t>(elementToDouble(dtype, src)));
        return formatFloat(static_cast<float>(elementToDouble(dtype, src)));
    }
}

} // namespace ckpt
