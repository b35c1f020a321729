#include "export/CastSource.h"

#include "numerics/Convert.h"

#include <vector>

namespace ckpt {

namespace {

class Float32CastSource final : public TensorDataSource {
public:
    explicit Float32CastSource(std::shared_ptr<const TensorDataSource> inner)
        : TensorDataSource(DType::Float32, inner->shape())
        , inner_(std::move(inner))
    {
    }

    void readBox(
        std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const override
    {
        std::int64_t n = 1;
        for (auto c : count)
            n *= c;
        std::vector<std::byte> raw(std::size_t(n) * dtypeSize(inner_->dtype()));
        inner_->readBox(start, count, raw.data());
        convert(raw, n, out);
    }

    void readFlat(std::int64_t first, std::int64_t count, std::byte* out) const override
    {
        std::vector<std::byte> raw(std::size_t(count) * dtypeSize(inner_->dtype()));
        inner_->readFlat(first, count, raw.data());
        convert(raw, count, out);
    }

private:
    void convert(const std::vector<std::byte>& raw, std::int64_t n, std::byte* out) const
    {
        std::vector<double> values(static_cast<std::size_t>(n));
        convertToDouble(inner_->dtype(), raw.data(), n, values.data());
        auto* f = reinterpret_cast<float*>(out);
        for (std::int64_t i = 0; i < n; ++i)
            f[i] = static_cast<float>(values[std::size_t(i)]);
    }

    std::shared_ptr<const TensorDataSource> inner_;
};

} // namespace

Tensor castToFloat32(const Tensor& t)
{
    Tensor out = t;
    out.info.dtype = DType::Float32;
    out.info.byteOrder = hostByteOrder();
    out.info.columnMajor = false;
    out.data = std::make_shared<Float32CastSource>(t.data);
    return out;
}

} // namespace ckpt
