#include "formats/safetensors/SafetensorsHeader.h"

#include "base/CheckpointError.h"
#include "tensor/StridedTensorSource.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace ckpt {

namespace {

std::optional<DType> dtypeFromSafetensors(const std::string& s)
{
    static const std::map<std::string, DType> names = {
        { "F64", DType::Float64 },
        { "F32", DType::Float32 },
        { "F16", DType::Float16 },
        { "BF16", DType::BFloat16 },
        { "F8_E4M3", DType::Float8E4M3FN },
        { "F8_E5M2", DType::Float8E5M2 },
        { "I64", DType::Int64 },
        { "I32", DType::Int32 },
        { "I16", DType::Int16 },
        { "I8", DType::Int8 },
        { "U64", DType::UInt64 },
        { "U32", DType::UInt32 },
        { "U16", DType::UInt16 },
        { "U8", DType::UInt8 },
        { "BOOL", DType::Bool },
        { "C64", DType::Complex64 },
    };
    const auto it = names.find(s);
    return it == names.end() ? std::nullopt : std::optional(it->second);
}

struct Entry {
    std::string name;
    DType dtype;
    Shape shape;
    std::uint64_t begin, end;
};

// The header parsed with its shape bounded as it is read: a safetensors header nests three deep
// (names, tensor fields, shape and offsets) with short arrays, and 100 MB of nested or long JSON
// arrays would take gigabytes as a JSON tree.
nlohmann::json parseHeaderJson(const std::string& text)
{
    constexpr int kMaxDepth = 3;
    constexpr std::size_t kMaxArray = 4096;
    std::vector<std::size_t> arrayLengths;
    const auto bound = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
        using E = nlohmann::json::parse_event_t;
        if (depth > kMaxDepth)
            throw FormatError(
                "header JSON nests deeper than a safetensors header (" + std::to_string(kMaxDepth) + " levels)");
        if (event == E::array_start)
            arrayLengths.push_back(0);
        else if (event == E::array_end && !arrayLengths.empty())
            arrayLengths.pop_back();
        else if (event == E::value && !arrayLengths.empty() && ++arrayLengths.back() > kMaxArray)
            throw FormatError("header JSON has an array of more than " + std::to_string(kMaxArray) + " values");
        return true;
    };
    return nlohmann::json::parse(text, bound, /*allow_exceptions=*/false);
}

} // namespace

void appendSafetensors(std::shared_ptr<const ByteSource> file, Checkpoint& out, const std::string& location)
{
    const std::uint64_t size = file->size();
    if (size < 8)
        throw FormatError(
            "too small for safetensors (" + std::to_string(size) + " bytes; the header length alone is 8)");
    std::uint8_t lengthBytes[8];
    file->read(0, 8, reinterpret_cast<std::byte*>(lengthBytes));
    std::uint64_t headerLength = 0;
    for (int i = 7; i >= 0; --i)
        headerLength = (headerLength << 8) | lengthBytes[i];
    if (headerLength > kSafetensorsMaxHeader)
        throw FormatError("header claims " + std::to_string(headerLength) + " bytes, more than the 100 MB limit");
    if (headerLength > size - 8)
        throw FormatError("header claims " + std::to_string(headerLength) + " bytes but the file has only "
            + std::to_string(size - 8) + " after the length (truncated?)");
    const std::string text = file->readString(8, std::size_t(headerLength));
    const auto header = parseHeaderJson(text);
    if (header.is_discarded())
        throw FormatError("header is not valid JSON");
    if (!header.is_object())
        throw FormatError("header is not a JSON object");

    const std::uint64_t dataStart = 8 + headerLength;
    const std::uint64_t dataSize = size - dataStart;
    std::vector<Entry> entries;
    for (const auto& [name, value] : header.items()) {
        if (name == "__metadata__") {
            if (!value.is_object())
                throw FormatError("__metadata__ is not an object");
            for (const auto& [k, v] : value.items()) {
                if (!v.is_string())
                    throw FormatError("__metadata__ value of '" + k + "' is not a string");
                out.metadata["__metadata__/" + k] = v.get<std::string>();
            }
            continue;
        }
        auto fail = [&name = name](const std::string& why) { throw FormatError("tensor '" + name + "': " + why); };
        if (!value.is_object() || !value.contains("dtype") || !value.contains("shape")
            || !value.contains("data_offsets"))
            fail("needs dtype, shape and data_offsets");
        const auto& d = value["dtype"];
        const auto dtype = d.is_string() ? dtypeFromSafetensors(d.get<std::string>()) : std::nullopt;
        if (!dtype)
            fail("unsupported dtype " + d.dump());
        Shape shape;
        if (!value["shape"].is_array())
            fail("shape is not a list");
        for (const auto& dim : value["shape"]) {
            if (!dim.is_number_unsigned())
                fail("shape " + value["shape"].dump() + " is not a list of non-negative integers");
            const auto v = dim.get<std::uint64_t>();
            if (v > std::uint64_t(INT64_MAX))
                fail("dimension " + std::to_string(v) + " is too large");
            shape.push_back(std::int64_t(v));
        }
        const auto& offsets = value["data_offsets"];
        if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned()
            || !offsets[1].is_number_unsigned())
            fail("data_offsets is not a pair of non-negative integers");
        const auto begin = offsets[0].get<std::uint64_t>(), end = offsets[1].get<std::uint64_t>();
        if (begin > end)
            fail("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "] are reversed");
        std::int64_t nbytes = 0;
        try {
            nbytes = checkedMul(shapeNumel(shape), std::int64_t(dtypeSize(*dtype)));
        } catch (const FormatError& e) {
            fail(std::string("shape ") + shapeToString(shape) + ": " + e.what());
        }
        if (std::uint64_t(nbytes) != end - begin)
            fail("shape " + shapeToString(shape) + " of " + d.get<std::string>() + " needs " + std::to_string(nbytes)
                + " bytes but data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "] hold "
                + std::to_string(end - begin));
        if (end > dataSize)
            fail("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end)
                + "] run past the end of the data (" + std::to_string(dataSize) + " bytes)");
        entries.push_back({ name, *dtype, std::move(shape), begin, end });
    }
    std::vector<const Entry*> byOffset;
    for (const auto& e : entries)
        byOffset.push_back(&e);
    std::sort(byOffset.begin(), byOffset.end(),
        [](const Entry* a, const Entry* b) { return a->begin != b->begin ? a->begin < b->begin : a->end < b->end; });
    std::uint64_t at = 0;
    for (const Entry* e : byOffset) {
        if (e->begin < at)
            throw FormatError("tensors overlap: '" + e->name + "' starts at " + std::to_string(e->begin)
                + ", inside the previous tensor (which ends at " + std::to_string(at) + ")");
        if (e->begin > at)
            throw FormatError("gap in the data before '" + e->name + "' (bytes " + std::to_string(at) + " to "
                + std::to_string(e->begin) + " belong to no tensor)");
        at = e->end;
    }
    if (at != dataSize)
        throw FormatError(
            "the tensors cover " + std::to_string(at) + " bytes but the data section has " + std::to_string(dataSize));
    // Tensors in file order (as written), which is how the reference library lists them too.
    for (const Entry* e : byOffset) {
        Tensor t;
        t.info.name = e->name;
        t.info.dtype = e->dtype;
        t.info.shape = e->shape;
        t.info.location = (location.empty() ? "" : location + ", ") + "offset " + std::to_string(dataStart + e->begin);
        t.data = std::make_shared<StridedTensorSource>(
            file, e->dtype, e->shape, StridedLayout::rowMajor(e->shape, dataStart + e->begin));
        out.tensors.push_back(std::move(t));
    }
}

} // namespace ckpt
