#include "formats/numpy/NpyRecordFields.h"

#include "base/CheckpointError.h"
#include "tensor/StridedTensorSource.h"

#include <algorithm>
#include <cstring>

namespace ckpt {

namespace {

// The records as bytes: shape (array shape..., record size), in the file's element order.
std::shared_ptr<TensorDataSource> recordBytes(const std::shared_ptr<const ByteSource>& bytes, const NpyHeader& h)
{
    Shape shape = h.shape;
    shape.push_back(static_cast<std::int64_t>(h.itemSize));
    std::vector<std::int64_t> strides = h.fortranOrder ? columnMajorStrides(h.shape) : rowMajorStrides(h.shape);
    for (auto& s : strides)
        s = checkedMul(s, static_cast<std::int64_t>(h.itemSize));
    strides.push_back(1);
    return std::make_shared<StridedTensorSource>(
        bytes, DType::UInt8, shape, StridedLayout { h.dataOffset, strides, ByteOrder::Little });
}

class RecordFieldSource final : public TensorDataSource {
public:
    RecordFieldSource(
        std::shared_ptr<TensorDataSource> records, const NpyField& field, std::size_t arrayRank, Shape shape)
        : TensorDataSource(field.type.dtype, std::move(shape))
        , records_(std::move(records))
        , field_(field)
        , arrayRank_(arrayRank)
    {
    }

    void readBox(
        std::span<const std::int64_t> start, std::span<const std::int64_t> count, std::byte* out) const override
    {
        checkBox(start, count);
        const std::size_t elem = dtypeSize(dtype());
        const std::int64_t fieldBytes = checkedMul(shapeNumel(field_.subShape), static_cast<std::int64_t>(elem));
        std::vector<std::int64_t> recStart(start.begin(), start.begin() + static_cast<std::ptrdiff_t>(arrayRank_));
        std::vector<std::int64_t> recCount(count.begin(), count.begin() + static_cast<std::ptrdiff_t>(arrayRank_));
        recStart.push_back(static_cast<std::int64_t>(field_.offset));
        recCount.push_back(fieldBytes);
        const std::int64_t records = shapeNumel(Shape(recCount.begin(), recCount.end() - 1));
        if (records == 0 || fieldBytes == 0)
            return;
        std::int64_t taken = 1;
        for (std::size_t d = arrayRank_; d < start.size(); ++d)
            taken *= count[d];
        if (taken * static_cast<std::int64_t>(elem) == fieldBytes) { // whole subarrays: the bytes are the box
            records_->readBox(recStart, recCount, out);
        } else {
            std::vector<std::byte> raw(static_cast<std::size_t>(records * fieldBytes));
            records_->readBox(recStart, recCount, raw.data());
            for (std::int64_t r = 0; r < records; ++r)
                copySubBox(raw.data() + r * fieldBytes, start.subspan(arrayRank_), count.subspan(arrayRank_),
                    out + r * taken * static_cast<std::int64_t>(elem));
        }
        if (field_.type.byteOrder != hostByteOrder())
            swapByteOrder(dtype(), out, records * taken);
    }

private:
    // Copies the box [start, start + count) of one record's subarray (row-major) to `out`.
    void copySubBox(const std::byte* sub, std::span<const std::int64_t> start, std::span<const std::int64_t> count,
        std::byte* out) const
    {
        const std::size_t elem = dtypeSize(dtype());
        const auto strides = rowMajorStrides(field_.subShape);
        std::vector<std::int64_t> at(start.begin(), start.end());
        const std::size_t last = at.size() - 1;
        for (;;) {
            std::int64_t from = 0;
            for (std::size_t d = 0; d < at.size(); ++d)
                from += at[d] * strides[d];
            const std::size_t run = static_cast<std::size_t>(count[last]) * elem;
            std::memcpy(out, sub + static_cast<std::size_t>(from) * elem, run);
            out += run;
            std::size_t d = last;
            while (d-- > 0) {
                if (++at[d] < start[d] + count[d])
                    break;
                at[d] = start[d];
            }
            if (d == std::size_t(-1))
                return;
        }
    }

    std::shared_ptr<TensorDataSource> records_;
    NpyField field_;
    std::size_t arrayRank_;
};

std::string decodeText(const std::byte* p, std::uint64_t size, const NpyElementType& type)
{
    std::string out;
    if (type.kind == NpyElementType::Kind::Bytes) {
        out.assign(reinterpret_cast<const char*>(p), static_cast<std::size_t>(size));
        out.erase(std::find(out.begin(), out.end(), '\0'), out.end());
        return out;
    }
    for (std::uint64_t i = 0; i + 4 <= size; i += 4) { // UTF-32 to UTF-8
        std::uint32_t c = 0;
        for (int b = 0; b < 4; ++b) {
            const int shift = type.byteOrder == ByteOrder::Big ? 8 * (3 - b) : 8 * b;
            c |= std::uint32_t(p[i + std::uint64_t(b)]) << shift;
        }
        if (c == 0)
            break;
        if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            c = 0xFFFD;
        if (c < 0x80) {
            out += char(c);
        } else if (c < 0x800) {
            out += char(0xC0 | (c >> 6));
            out += char(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += char(0xE0 | (c >> 12));
            out += char(0x80 | ((c >> 6) & 0x3F));
            out += char(0x80 | (c & 0x3F));
        } else {
            out += char(0xF0 | (c >> 18));
            out += char(0x80 | ((c >> 12) & 0x3F));
            out += char(0x80 | ((c >> 6) & 0x3F));
            out += char(0x80 | (c & 0x3F));
        }
    }
    return out;
}

} // namespace

std::shared_ptr<TensorDataSource> makeRecordFieldSource(
    const std::shared_ptr<const ByteSource>& bytes, const NpyHeader& h, const NpyField& field)
{
    Shape shape = h.shape;
    shape.insert(shape.end(), field.subShape.begin(), field.subShape.end());
    shapeNumel(shape); // throws on overflow
    return std::make_shared<RecordFieldSource>(recordBytes(bytes, h), field, h.shape.size(), std::move(shape));
}

nlohmann::ordered_json npyTextValues(
    const ByteSource& bytes, const NpyHeader& h, const NpyElementType& type, std::uint64_t offset, std::size_t limit)
{
    constexpr std::uint64_t kMaxShownBytes = 1024; // of one value
    const std::int64_t numel = shapeNumel(h.shape);
    const std::uint64_t shown = std::min(type.size, kMaxShownBytes);
    auto value = [&](std::int64_t i) {
        const auto raw = bytes.readVector(h.dataOffset + static_cast<std::uint64_t>(i) * h.itemSize + offset, shown);
        std::string text = decodeText(raw.data(), raw.size(), type);
        return shown < type.size ? text + "…" : text;
    };
    if (h.shape.empty())
        return value(0);
    nlohmann::ordered_json values = nlohmann::ordered_json::array();
    for (std::int64_t i = 0; i < numel && values.size() < limit; ++i)
        values.push_back(value(i));
    if (static_cast<std::uint64_t>(numel) > limit)
        values.push_back("…");
    return values;
}

} // namespace ckpt
