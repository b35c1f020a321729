#include "formats/gguf/GgufHeader.h"

#include "base/CheckpointError.h"
#include "base/Utf8.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_set>

namespace ckpt {

namespace {

using json = nlohmann::ordered_json;

constexpr std::uint32_t kMaxDims = 4; // GGML_MAX_DIMS
constexpr int kMaxArrayDepth = 8;
constexpr std::uint64_t kMaxKeyBytes = 65535; // the spec's limit on keys

enum ValueType : std::uint32_t {
    U8 = 0,
    I8 = 1,
    U16 = 2,
    I16 = 3,
    U32 = 4,
    I32 = 5,
    F32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    U64 = 10,
    I64 = 11,
    F64 = 12,
};

const char* valueTypeName(std::uint32_t t)
{
    static const char* names[]
        = { "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64" };
    return t <= F64 ? names[t] : "unknown";
}

// 1e-5f as 1e-05 rather than 9.999999747378752e-06: the double whose shortest decimal is the float's.
double floatAsShortestDouble(float f)
{
    if (!std::isfinite(f))
        return double(f);
    char text[32];
    const auto r = std::to_chars(text, text + sizeof text, f);
    double d = double(f);
    std::from_chars(text, r.ptr, d);
    return d;
}

// Bytes a value of this type takes at least: bounds an array's element count by the file size.
std::uint64_t minimumSize(std::uint32_t t, bool v1)
{
    switch (t) {
    case U8:
    case I8:
    case Bool:
        return 1;
    case U16:
    case I16:
        return 2;
    case U32:
    case I32:
    case F32:
        return 4;
    case String:
        return v1 ? 4 : 8;
    case Array:
        return v1 ? 8 : 12;
    default:
        return 8;
    }
}

// Little- or big-endian reads with every length checked against the file.
class Cursor {
public:
    Cursor(const ByteSource& b, bool bigEndian, bool v1)
        : bytes_(b)
        , big_(bigEndian)
        , v1_(v1)
    {
    }

    std::uint64_t offset() const { return at_; }
    std::uint64_t remaining() const { return bytes_.size() - at_; }
    std::uint8_t u8() { return std::uint8_t(get(1)); }
    std::uint16_t u16() { return std::uint16_t(get(2)); }
    std::uint32_t u32() { return std::uint32_t(get(4)); }
    std::uint64_t u64() { return get(8); }
    // Counts, string and array lengths, dims: u32 in version 1, u64 later.
    std::uint64_t count() { return v1_ ? get(4) : get(8); }
    std::string string(const char* what)
    {
        const std::uint64_t at = at_;
        const std::uint64_t n = count();
        if (n > remaining())
            throw FormatError(std::string(what) + " of " + std::to_string(n) + " bytes at offset " + std::to_string(at)
                + " runs past the end of the file (" + std::to_string(bytes_.size()) + " bytes)");
        std::string s = bytes_.readString(at_, std::size_t(n));
        at_ += n;
        return s;
    }
    void advance(std::uint64_t n)
    {
        if (n > remaining())
            throw FormatError("unexpected end of file at offset " + std::to_string(at_) + " (truncated header?)");
        at_ += n;
    }
    void skipString()
    {
        const std::uint64_t at = at_;
        const std::uint64_t n = count();
        if (n > remaining())
            throw FormatError("string of " + std::to_string(n) + " bytes at offset " + std::to_string(at)
                + " runs past the end of the file (" + std::to_string(bytes_.size()) + " bytes)");
        at_ += n;
    }

private:
    std::uint64_t get(int n)
    {
        if (std::uint64_t(n) > remaining())
            throw FormatError("unexpected end of file at offset " + std::to_string(at_) + " (truncated header?)");
        std::uint8_t b[8];
        bytes_.read(at_, std::size_t(n), reinterpret_cast<std::byte*>(b));
        at_ += std::uint64_t(n);
        std::uint64_t v = 0;
        for (int i = 0; i < n; ++i)
            v |= std::uint64_t(b[i]) << (8 * (big_ ? n - 1 - i : i));
        return v;
    }
    const ByteSource& bytes_;
    std::uint64_t at_ = 0;
    bool big_;
    bool v1_;
};

class HeaderParser {
public:
    HeaderParser(const ByteSource& file, bool bigEndian, std::uint32_t version)
        : file_(file)
        , c_(file, bigEndian, version == 1)
        , v1_(version == 1)
    {
    }

    Cursor& cursor() { return c_; }

    json scalar(std::uint32_t type, const std::string& key)
    {
        switch (type) {
        case U8:
            return c_.u8();
        case I8:
            return std::int8_t(c_.u8());
        case U16:
            return c_.u16();
        case I16:
            return std::int16_t(c_.u16());
        case U32:
            return c_.u32();
        case I32:
            return std::int32_t(c_.u32());
        case F32:
            return floatAsShortestDouble(std::bit_cast<float>(c_.u32()));
        case Bool: {
            const std::uint8_t b = c_.u8();
            if (b > 1)
                throw FormatError("key '" + key + "': bool value " + std::to_string(b) + " is neither 0 nor 1");
            return b == 1;
        }
        case String:
            return sanitizeUtf8(c_.string("string"));
        case U64:
            return c_.u64();
        case I64:
            return std::int64_t(c_.u64());
        case F64:
            return std::bit_cast<double>(c_.u64());
        default:
            throw FormatError("key '" + key + "' has unknown value type " + std::to_string(type) + " at offset "
                + std::to_string(c_.offset() - 4));
        }
    }

    json value(std::uint32_t type, const std::string& key, int depth)
    {
        if (type != Array)
            return scalar(type, key);
        if (depth >= kMaxArrayDepth)
            throw FormatError("key '" + key + "': arrays nested more than " + std::to_string(kMaxArrayDepth) + " deep");
        const std::uint32_t elementType = c_.u32();
        if (elementType > F64)
            throw FormatError("key '" + key + "' has an array of unknown value type " + std::to_string(elementType));
        const std::uint64_t at = c_.offset();
        const std::uint64_t n = c_.count();
        if (n > c_.remaining() / minimumSize(elementType, v1_))
            throw FormatError("key '" + key + "': array of " + std::to_string(n) + " " + valueTypeName(elementType)
                + " values at offset " + std::to_string(at) + " cannot fit in the file (" + std::to_string(file_.size())
                + " bytes)");
        json listed = json::array();
        const bool summarised = n > kGgufArrayListedInFull;
        for (std::uint64_t i = 0; i < n; ++i) {
            if (!summarised || i < kGgufArrayHead)
                listed.push_back(value(elementType, key, depth + 1));
            else
                skip(elementType, key, depth + 1); // walked only to find where the next key starts
        }
        if (!summarised)
            return listed;
        return json { { "count", n }, { "type", std::string(valueTypeName(elementType)) },
            { "first", std::move(listed) } };
    }

    void skip(std::uint32_t type, const std::string& key, int depth)
    {
        switch (type) {
        case String:
            c_.skipString();
            return;
        case Array: {
            if (depth >= kMaxArrayDepth)
                throw FormatError(
                    "key '" + key + "': arrays nested more than " + std::to_string(kMaxArrayDepth) + " deep");
            const std::uint32_t elementType = c_.u32();
            if (elementType > F64)
                throw FormatError(
                    "key '" + key + "' has an array of unknown value type " + std::to_string(elementType));
            const std::uint64_t n = c_.count();
            if (n > c_.remaining() / minimumSize(elementType, v1_))
                throw FormatError(
                    "key '" + key + "': array of " + std::to_string(n) + " values cannot fit in the file");
            if (elementType != String && elementType != Array) {
                readPast(n * minimumSize(elementType, v1_));
                return;
            }
            for (std::uint64_t i = 0; i < n; ++i)
                skip(elementType, key, depth + 1);
            return;
        }
        default:
            if (type > F64)
                throw FormatError("key '" + key + "' has unknown value type " + std::to_string(type));
            readPast(minimumSize(type, v1_));
        }
    }

private:
    void readPast(std::uint64_t n) { c_.advance(n); }

    const ByteSource& file_;
    Cursor c_;
    bool v1_;
};

std::uint64_t alignmentFrom(const json& value)
{
    if (!value.is_number_integer() && !value.is_number_unsigned())
        throw FormatError("general.alignment is not an integer");
    if (value.is_number_integer() && !value.is_number_unsigned() && value.get<std::int64_t>() <= 0)
        throw FormatError("general.alignment " + value.dump() + " is not a power of two");
    const std::uint64_t a = value.get<std::uint64_t>();
    if (a == 0 || !std::has_single_bit(a) || a > (1u << 30))
        throw FormatError("general.alignment " + std::to_string(a) + " is not a power of two (up to 2^30)");
    return a;
}

} // namespace

GgufHeader parseGgufHeader(const ByteSource& file)
{
    GgufHeader h;
    if (file.size() < 4 || file.readString(0, 4) != "GGUF")
        throw FormatError("not a GGUF file (no 'GGUF' magic)");
    if (file.size() < 16)
        throw FormatError("truncated GGUF header (" + std::to_string(file.size()) + " bytes)");
    std::uint8_t v[4];
    file.read(4, 4, reinterpret_cast<std::byte*>(v));
    std::uint32_t version
        = std::uint32_t(v[0]) | (std::uint32_t(v[1]) << 8) | (std::uint32_t(v[2]) << 16) | (std::uint32_t(v[3]) << 24);
    // gguf-py's heuristic: a byte-swapped version has its low half zero.
    if ((version & 0xFFFF) == 0 && version != 0) {
        h.bigEndian = true;
        version = (version >> 24) | ((version >> 8) & 0xFF00u) | ((version << 8) & 0xFF0000u) | (version << 24);
    }
    if (version < 1 || version > 3)
        throw FormatError("unsupported GGUF version " + std::to_string(version) + " (versions 1 to 3 are read)");
    h.version = version;

    HeaderParser p(file, h.bigEndian, version);
    Cursor& c = p.cursor();
    c.u32(); // magic
    c.u32(); // version
    const std::uint64_t tensorCount = c.count();
    const std::uint64_t kvCount = c.count();
    // The smallest key/value (empty key, type, one byte) and tensor info (empty name, no dims)
    // take 13 and 24 bytes (9 and 20 in version 1).
    const std::uint64_t smallestKv = version == 1 ? 9 : 13, smallestInfo = version == 1 ? 20 : 24;
    if (kvCount > c.remaining() / smallestKv)
        throw FormatError("header claims " + std::to_string(kvCount) + " key/value pairs, more than a file of "
            + std::to_string(file.size()) + " bytes can hold (truncated or corrupt)");
    if (tensorCount > c.remaining() / smallestInfo)
        throw FormatError("header claims " + std::to_string(tensorCount) + " tensors, more than a file of "
            + std::to_string(file.size()) + " bytes can hold (truncated or corrupt)");

    std::unordered_set<std::string> keys;
    auto& object = h.metadata.get_ref<json::object_t&>();
    for (std::uint64_t i = 0; i < kvCount; ++i) {
        const std::uint64_t at = c.offset();
        std::string key = c.string("key");
        if (key.size() > kMaxKeyBytes)
            throw FormatError("key of " + std::to_string(key.size()) + " bytes at offset " + std::to_string(at)
                + " is longer than GGUF allows (65535)");
        key = sanitizeUtf8(key);
        if (!keys.insert(key).second)
            throw FormatError("duplicate key '" + key + "' at offset " + std::to_string(at));
        const std::uint32_t type = c.u32();
        json value = p.value(type, key, 0);
        if (key == "general.alignment")
            h.alignment = alignmentFrom(value);
        object.emplace_back(std::move(key), std::move(value)); // the vector's: no linear key search
    }

    std::unordered_set<std::string> names;
    for (std::uint64_t i = 0; i < tensorCount; ++i) {
        GgufTensorInfo t;
        const std::uint64_t at = c.offset();
        t.name = sanitizeUtf8(c.string("tensor name"));
        if (!names.insert(t.name).second)
            throw FormatError("duplicate tensor name '" + t.name + "' at offset " + std::to_string(at));
        const std::uint32_t nDims = c.u32();
        if (nDims > kMaxDims)
            throw FormatError(
                "tensor '" + t.name + "' has " + std::to_string(nDims) + " dimensions (GGUF allows at most 4)");
        for (std::uint32_t d = 0; d < nDims; ++d) {
            const std::uint64_t dim = c.count();
            if (dim > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
                throw FormatError("tensor '" + t.name + "' has dimension " + std::to_string(dim));
            t.ggmlDims.push_back(std::int64_t(dim));
        }
        t.shape.assign(t.ggmlDims.rbegin(), t.ggmlDims.rend());
        const std::uint32_t typeCode = c.u32();
        const auto type = ggmlType(typeCode);
        if (!type)
            throw FormatError("tensor '" + t.name + "' has unknown ggml type " + std::to_string(typeCode));
        t.type = *type;
        t.offset = c.u64();
        const std::int64_t inner = t.ggmlDims.empty() ? 1 : t.ggmlDims.front();
        if (inner % t.type.blockElements != 0)
            throw FormatError("tensor '" + t.name + "': its first ggml dimension " + std::to_string(inner)
                + " is not a multiple of the " + std::string(t.type.name) + " block size "
                + std::to_string(t.type.blockElements));
        try {
            t.byteSize = std::uint64_t(checkedMul(shapeNumel(t.shape) / t.type.blockElements, t.type.blockBytes));
        } catch (const FormatError& e) {
            throw FormatError("tensor '" + t.name + "' of shape " + shapeToString(t.shape) + ": " + e.what());
        }
        if (t.offset % h.alignment != 0)
            throw FormatError("tensor '" + t.name + "': offset " + std::to_string(t.offset)
                + " is not a multiple of the alignment " + std::to_string(h.alignment));
        h.tensors.push_back(std::move(t));
    }

    const std::uint64_t end = c.offset();
    h.dataStart = end + (h.alignment - end % h.alignment) % h.alignment;
    for (const auto& t : h.tensors) {
        if (t.byteSize == 0)
            continue;
        if (h.dataStart > file.size() || t.offset > file.size() - h.dataStart
            || t.byteSize > file.size() - h.dataStart - t.offset)
            throw FormatError("tensor '" + t.name + "' (" + std::to_string(t.byteSize) + " bytes at data offset "
                + std::to_string(t.offset) + ") runs past the end of the file (" + std::to_string(file.size())
                + " bytes, data section at " + std::to_string(h.dataStart) + ")");
    }
    return h;
}

} // namespace ckpt
