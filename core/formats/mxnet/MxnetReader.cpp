#include "formats/mxnet/MxnetReader.h"

#include "base/CheckpointError.h"
#include "tensor/StridedTensorSource.h"

#include <optional>

namespace ckpt {

namespace {

constexpr std::uint64_t kListMagic = 0x112;
constexpr std::uint32_t kV1 = 0xF993FAC8, kV2 = 0xF993FAC9, kV3 = 0xF993FACA;

std::optional<DType> dtypeFromFlag(std::int32_t flag)
{
    switch (flag) {
    case 0:
        return DType::Float32;
    case 1:
        return DType::Float64;
    case 2:
        return DType::Float16;
    case 3:
        return DType::UInt8;
    case 4:
        return DType::Int32;
    case 5:
        return DType::Int8;
    case 6:
        return DType::Int64;
    case 7:
        return DType::Bool;
    case 8:
        return DType::Int16;
    case 9:
        return DType::UInt16;
    case 10:
        return DType::UInt32;
    case 11:
        return DType::UInt64;
    case 12:
        return DType::BFloat16;
    default:
        return std::nullopt;
    }
}

// Little-endian reads with bounds checks against the file.
class Cursor {
public:
    explicit Cursor(const ByteSource& b)
        : bytes_(b)
    {
    }
    std::uint64_t offset() const { return at_; }
    std::uint64_t u64() { return get(8); }
    std::uint32_t u32() { return std::uint32_t(get(4)); }
    std::int32_t i32() { return std::int32_t(std::uint32_t(get(4))); }
    std::int64_t i64() { return std::int64_t(get(8)); }
    void skip(std::uint64_t n)
    {
        if (n > bytes_.size() - at_)
            throw FormatError("data of " + std::to_string(n) + " bytes at offset " + std::to_string(at_)
                + " runs past the end of the file (" + std::to_string(bytes_.size()) + " bytes)");
        at_ += n;
    }
    std::string string(std::uint64_t n)
    {
        if (n > bytes_.size() - at_ || n > (1u << 20))
            throw FormatError("name of " + std::to_string(n) + " bytes at offset " + std::to_string(at_)
                + " is impossible (file has " + std::to_string(bytes_.size()) + " bytes)");
        std::string s = bytes_.readString(at_, std::size_t(n));
        at_ += n;
        return s;
    }

private:
    std::uint64_t get(int n)
    {
        if (std::uint64_t(n) > bytes_.size() - at_)
            throw FormatError("unexpected end of file at offset " + std::to_string(at_) + " (truncated?)");
        std::uint8_t b[8];
        bytes_.read(at_, std::size_t(n), reinterpret_cast<std::byte*>(b));
        at_ += std::uint64_t(n);
        std::uint64_t v = 0;
        for (int i = n - 1; i >= 0; --i)
            v = (v << 8) | b[i];
        return v;
    }
    const ByteSource& bytes_;
    std::uint64_t at_ = 0;
};

Shape readShape(Cursor& c, bool legacy32, std::int32_t ndim)
{
    if (ndim > 64)
        throw FormatError("array with " + std::to_string(ndim) + " dimensions at offset " + std::to_string(c.offset()));
    Shape shape;
    for (std::int32_t i = 0; i < ndim; ++i) {
        const std::int64_t d = legacy32 ? std::int64_t(c.u32()) : c.i64();
        if (d < 0)
            throw FormatError("negative dimension " + std::to_string(d) + " at offset " + std::to_string(c.offset()));
        shape.push_back(d);
    }
    return shape;
}

struct Record {
    bool none = false; // an uninitialised array: no data
    DType dtype = DType::Float32;
    Shape shape;
    std::uint64_t dataOffset = 0;
    std::string encoding;
};

Record readRecord(Cursor& c)
{
    Record r;
    const std::uint32_t magic = c.u32();
    const bool versioned = magic == kV1 || magic == kV2 || magic == kV3;
    r.encoding = magic == kV1 ? "V1" : magic == kV2 ? "V2" : magic == kV3 ? "V3" : "legacy";
    std::int32_t ndim = 0;
    if (magic == kV2 || magic == kV3) {
        const std::int32_t stype = c.i32();
        if (stype != 0)
            throw FormatError("array at offset " + std::to_string(c.offset() - 8) + " has unsupported storage type "
                + std::to_string(stype)
                + (stype == 1        ? " (row_sparse)"
                        : stype == 2 ? " (csr)"
                                     : "")
                + ": only dense arrays can be read");
        ndim = c.i32();
    } else if (magic == kV1) {
        ndim = c.i32();
    } else {
        ndim = std::int32_t(magic); // legacy: the first word is ndim
    }
    if (ndim < 0 || (ndim == 0 && magic != kV3)) {
        r.none = true;
        return r;
    }
    r.shape = readShape(c, !versioned, ndim);
    c.i32(); // dev_type
    c.i32(); // dev_id
    const std::int32_t flag = c.i32();
    const auto dtype = dtypeFromFlag(flag);
    if (!dtype)
        throw FormatError("unknown type flag " + std::to_string(flag) + " at offset " + std::to_string(c.offset() - 4));
    r.dtype = *dtype;
    r.dataOffset = c.offset();
    c.skip(std::uint64_t(checkedMul(shapeNumel(r.shape), std::int64_t(dtypeSize(r.dtype)))));
    return r;
}

} // namespace

bool MxnetReader::matches(const FileProbe& probe) const
{
    if (probe.head.size() < 16)
        return false;
    std::uint64_t magic = 0, reserved = 0;
    for (int i = 7; i >= 0; --i) {
        magic = (magic << 8) | probe.head[std::size_t(i)];
        reserved = (reserved << 8) | probe.head[std::size_t(8 + i)];
    }
    return magic == kListMagic && reserved == 0;
}

void MxnetReader::read(const FileProbe& probe, Checkpoint& ckpt) const
{
    auto file = std::make_shared<FileByteSource>(probe.path);
    Cursor c(*file);
    c.u64();
    c.u64();
    const std::uint64_t count = c.u64();
    // Every record takes at least 4 bytes: a count beyond that is a corrupt header.
    if (count > file->size() / 4)
        throw FormatError("header claims " + std::to_string(count) + " arrays in a file of "
            + std::to_string(file->size()) + " bytes");
    std::vector<Record> records;
    for (std::uint64_t i = 0; i < count; ++i)
        records.push_back(readRecord(c));
    const std::uint64_t nameCount = c.u64();
    if (nameCount != 0 && nameCount != count)
        throw FormatError(
            "the file has " + std::to_string(count) + " arrays but " + std::to_string(nameCount) + " names");
    std::vector<std::string> names;
    for (std::uint64_t i = 0; i < nameCount; ++i)
        names.push_back(c.string(c.u64()));
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto& r = records[i];
        const std::string n = names.empty() ? std::to_string(i) : names[i];
        if (r.none) {
            ckpt.metadata[n] = "<uninitialised array>";
            continue;
        }
        Tensor t;
        t.info.name = n;
        t.info.dtype = r.dtype;
        t.info.shape = r.shape;
        t.info.location = r.encoding + " record, data at offset " + std::to_string(r.dataOffset);
        t.data = std::make_shared<StridedTensorSource>(
            file, r.dtype, r.shape, StridedLayout::rowMajor(r.shape, r.dataOffset));
        ckpt.tensors.push_back(std::move(t));
    }
    if (!records.empty())
        ckpt.metadata["__mxnet_encoding__"] = records.front().encoding;
}

} // namespace ckpt
