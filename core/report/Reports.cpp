#include "report/Reports.h"

#include "numerics/Convert.h"
#include "tensor/TensorData.h"

#include <complex>
#include <cstdio>
#include <cstring>

namespace ckpt {

nlohmann::ordered_json listingJson(const Checkpoint& ckpt)
{
    nlohmann::ordered_json tensors = nlohmann::ordered_json::array();
    for (const auto& t : ckpt.tensors) {
        nlohmann::ordered_json entry = { { "name", t.info.name }, { "dtype", std::string(dtypeName(t.info.dtype)) },
            { "shape", t.info.shape }, { "nbytes", t.info.nbytes() } };
        if (!t.info.encoding.empty())
            entry["encoding"] = t.info.encoding;
        if (!t.info.unreadable.empty())
            entry["unreadable"] = t.info.unreadable;
        tensors.push_back(std::move(entry));
    }
    return { { "format", ckpt.format }, { "tensors", tensors }, { "metadata", ckpt.metadata } };
}

namespace {

nlohmann::ordered_json numbers(const std::vector<double>& values)
{
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (double v : values)
        out.push_back(jsonNumber(v));
    return out;
}

} // namespace

nlohmann::ordered_json statsJson(const TensorInfo& info, const TensorStats& s)
{
    return { { "name", info.name }, { "dtype", std::string(dtypeName(info.dtype)) }, { "shape", info.shape },
        { "count", s.count }, { "min", jsonNumber(s.min) }, { "max", jsonNumber(s.max) },
        { "mean", jsonNumber(s.mean) }, { "std", jsonNumber(s.std) }, { "nan", s.nan }, { "inf", s.posInf + s.negInf },
        { "posinf", s.posInf }, { "neginf", s.negInf }, { "zeros", s.zeros },
        { "histogram", { { "edges", numbers(s.histogram.edges) }, { "counts", s.histogram.counts } } } };
}

nlohmann::ordered_json elementJson(DType dtype, const std::byte* p)
{
    switch (dtype) {
    case DType::Bool:
        return *reinterpret_cast<const std::uint8_t*>(p) != 0;
    case DType::Int64: {
        std::int64_t v;
        std::memcpy(&v, p, 8);
        return v;
    }
    case DType::UInt64: {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
    }
    case DType::Complex64: {
        std::complex<float> c;
        std::memcpy(&c, p, 8);
        return { jsonNumber(c.real()), jsonNumber(c.imag()) };
    }
    case DType::Complex128: {
        std::complex<double> c;
        std::memcpy(&c, p, 16);
        return { jsonNumber(c.real()), jsonNumber(c.imag()) };
    }
    default:
        if (isInteger(dtype))
            return static_cast<std::int64_t>(elementToDouble(dtype, p));
        if (dtype == DType::Float64)
            return jsonNumber(elementToDouble(dtype, p));
        return jsonNumber(static_cast<double>(static_cast<float>(elementToDouble(dtype, p))));
    }
}

nlohmann::ordered_json valuesJson(const Tensor& tensor, std::int64_t limit)
{
    const std::int64_t n = tensor.info.numel();
    const std::int64_t take = limit < 0 ? n : std::min(n, limit);
    const auto elem = dtypeSize(tensor.info.dtype);
    std::vector<std::byte> buf(static_cast<std::size_t>(take) * elem);
    if (take > 0)
        tensor.data->readFlat(0, take, buf.data());
    nlohmann::ordered_json values = nlohmann::ordered_json::array();
    for (std::int64_t i = 0; i < take; ++i)
        values.push_back(elementJson(tensor.info.dtype, buf.data() + static_cast<std::size_t>(i) * elem));
    return { { "name", tensor.info.name }, { "dtype", std::string(dtypeName(tensor.info.dtype)) },
        { "shape", tensor.info.shape }, { "values", values }, { "truncated", take < n } };
}

std::string humanBytes(std::int64_t bytes)
{
    const char* units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024 && u < 5) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    if (u == 0)
        std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
    else
        std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    return buf;
}

std::string groupedNumber(std::int64_t n)
{
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

} // namespace ckpt
