#include "pickle/PickledNumpyArray.h"

#include "base/CheckpointError.h"
#include "tensor/StridedTensorSource.h"
#include <unordered_map>

namespace ckpt {

std::optional<DType> numpyDTypeFromCode(std::string_view code)
{
    static const std::unordered_map<std::string_view, DType> table = {
        { "f2", DType::Float16 },
        { "f4", DType::Float32 },
        { "f8", DType::Float64 },
        { "i1", DType::Int8 },
        { "i2", DType::Int16 },
        { "i4", DType::Int32 },
        { "i8", DType::Int64 },
        { "u1", DType::UInt8 },
        { "u2", DType::UInt16 },
        { "u4", DType::UInt32 },
        { "u8", DType::UInt64 },
        { "b1", DType::Bool },
        { "c8", DType::Complex64 },
        { "c16", DType::Complex128 },
    };
    auto it = table.find(code);
    return it == table.end() ? std::nullopt : std::optional<DType>(it->second);
}

namespace {
constexpr std::size_t kMaxRank_ = 64;
} // namespace

// A numpy array pickled inside the checkpoint (its bytes are part of the pickle).
Tensor tensorFromPickledNumpyArray(const std::string& name, const pickle::Value& v)
{
    const pickle::Value& dtypeValue = *v.array().dtype;
    const auto dtype = numpyDTypeFromCode(dtypeValue.text);
    if (!dtype)
        throw FormatError("numpy dtype " + dtypeValue.text + " is not numeric");
    const pickle::Value& data = *v.array().data;
    if (v.array().shape.size() > kMaxRank_)
        throw FormatError("numpy array has " + std::to_string(v.array().shape.size()) + " dimensions");
    const std::int64_t numel = shapeNumel(v.array().shape);
    if (!data.bytesCopied
        || static_cast<std::uint64_t>(checkedMul(numel, static_cast<std::int64_t>(dtypeSize(*dtype))))
            != data.text.size())
        throw FormatError("numpy array data has " + std::to_string(data.bytesSize) + " bytes, its shape "
            + shapeToString(v.array().shape) + " of " + std::string(dtypeName(*dtype)) + " needs more or less");
    Tensor t;
    t.info.name = name;
    t.info.dtype = *dtype;
    t.info.shape = v.array().shape;
    t.info.byteOrder = dtypeValue.byteOrder == '>' ? ByteOrder::Big : ByteOrder::Little;
    t.info.columnMajor = v.array().fortranOrder;
    t.info.location = "numpy array in the pickle";
    const auto* raw = reinterpret_cast<const std::byte*>(data.text.data());
    auto bytes = std::make_shared<MemoryByteSource>(std::vector<std::byte>(raw, raw + data.text.size()));
    StridedLayout layout = t.info.columnMajor ? StridedLayout::columnMajor(t.info.shape, 0, t.info.byteOrder)
                                              : StridedLayout::rowMajor(t.info.shape, 0, t.info.byteOrder);
    t.data = std::make_shared<StridedTensorSource>(bytes, t.info.dtype, t.info.shape, layout);
    return t;
}

} // namespace ckpt
