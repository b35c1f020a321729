#include "formats/numpy/NpyHeader.h"

#include "base/CheckpointError.h"

#include <cctype>
#include <map>
#include <variant>
#include <vector>

namespace ckpt {

namespace {

// The values an .npy header dict may hold: strings, booleans, tuples of integers and, for a
// structured dtype, the descr list [(name, type[, shape]), ...] where a type is a string or a
// nested list. Anything else is reported as unsupported.
struct Tuple {
    std::vector<std::int64_t> items;
};
struct DescrItem {
    std::string name;
    std::string type; // a type string, or empty for a nested list
    std::vector<DescrItem> nested; // the nested structured type
    Tuple shape;
};
struct DescrList {
    std::vector<DescrItem> items;
};
using Value = std::variant<std::string, bool, Tuple, DescrList>;

constexpr std::size_t kMaxFields = 4096;

class DictLiteralParser {
public:
    explicit DictLiteralParser(std::string_view text)
        : text_(text)
    {
    }

    std::map<std::string, Value> parseDict()
    {
        std::map<std::string, Value> dict;
        expect('{');
        while (true) {
            skipSpace();
            if (peek() == '}') {
                ++pos_;
                break;
            }
            std::string key = parseString();
            expect(':');
            Value value = parseValue(key);
            if (!dict.emplace(key, std::move(value)).second)
                fail("key '" + key + "' appears twice");
            skipSpace();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            expect('}');
            break;
        }
        skipSpace();
        if (pos_ != text_.size())
            fail("unexpected text after the header dict");
        return dict;
    }

private:
    [[noreturn]] void fail(const std::string& why) const
    {
        throw FormatError("malformed .npy header at character " + std::to_string(pos_) + ": " + why);
    }
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    void skipSpace()
    {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
    }
    void expect(char c)
    {
        skipSpace();
        if (peek() != c)
            fail(std::string("expected '") + c + "'");
        ++pos_;
    }

    std::string parseString()
    {
        skipSpace();
        const char quote = peek();
        if (quote != '\'' && quote != '"')
            fail("expected a quoted string");
        ++pos_;
        std::string s;
        while (pos_ < text_.size() && text_[pos_] != quote) {
            if (text_[pos_] == '\\')
                fail("escapes in strings are not supported");
            s += text_[pos_++];
        }
        if (pos_ >= text_.size())
            fail("unterminated string");
        ++pos_;
        return s;
    }

    std::int64_t parseInt()
    {
        skipSpace();
        const std::size_t start = pos_;
        std::int64_t v = 0;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
            if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, text_[pos_] - '0', &v))
                fail("dimension does not fit in 64 bits");
            ++pos_;
        }
        if (pos_ == start)
            fail("expected a non-negative integer");
        if (peek() == 'L' || peek() == 'l') // Python 2 long literal
            ++pos_;
        return v;
    }

    Tuple parseTuple()
    {
        Tuple t;
        expect('(');
        while (true) {
            skipSpace();
            if (peek() == ')') {
                ++pos_;
                return t;
            }
            if (t.items.size() >= 64)
                fail("more than 64 dimensions");
            t.items.push_back(parseInt());
            skipSpace();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            expect(')');
            return t;
        }
    }

    Value parseValue(const std::string& key)
    {
        skipSpace();
        const char c = peek();
        if (c == '\'' || c == '"')
            return parseString();
        if (c == '(')
            return parseTuple();
        if (text_.substr(pos_, 4) == "True") {
            pos_ += 4;
            return true;
        }
        if (text_.substr(pos_, 5) == "False") {
            pos_ += 5;
            return false;
        }
        if (c == '[' && key == "descr") {
            std::size_t budget = kMaxFields;
            return DescrList { parseDescrList(0, budget) };
        }
        fail("unsupported value for '" + key + "'");
    }

    // [('x', '<f4'), ('z', '<f8', (2,)), ('pos', [('a', '<i4')]), (('title', 'name'), '<f2')]
    std::vector<DescrItem> parseDescrList(int depth, std::size_t& budget)
    {
        if (depth > 8)
            fail("structured dtype nested more than 8 deep");
        std::vector<DescrItem> items;
        expect('[');
        while (true) {
            skipSpace();
            if (peek() == ']') {
                ++pos_;
                return items;
            }
            if (budget-- == 0)
                fail("more than " + std::to_string(kMaxFields) + " fields");
            items.push_back(parseDescrItem(depth, budget));
            skipSpace();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            expect(']');
            return items;
        }
    }

    DescrItem parseDescrItem(int depth, std::size_t& budget)
    {
        DescrItem item;
        expect('(');
        skipSpace();
        if (peek() == '(') { // (title, name)
            ++pos_;
            parseString();
            expect(',');
            item.name = parseString();
            expect(')');
        } else {
            item.name = parseString();
        }
        expect(',');
        skipSpace();
        if (peek() == '[')
            item.nested = parseDescrList(depth + 1, budget);
        else
            item.type = parseString();
        skipSpace();
        if (peek() == ',') {
            ++pos_;
            skipSpace();
            if (peek() == '(')
                item.shape = parseTuple();
        }
        expect(')');
        return item;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

std::uint64_t typeWidth(const std::string& d, std::size_t from)
{
    std::uint64_t n = 0;
    for (std::size_t i = from; i < d.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(d[i])) || n > (1u << 30))
            throw FormatError("unsupported .npy dtype '" + d + "'");
        n = n * 10 + std::uint64_t(d[i] - '0');
    }
    return n;
}

} // namespace

NpyElementType parseNpyElementType(const std::string& d)
{
    if (d.size() < 2)
        throw FormatError("unsupported .npy descr '" + d + "'");
    const char order = d[0];
    if (order != '<' && order != '>' && order != '|' && order != '=')
        throw FormatError("unsupported .npy descr '" + d + "' (unknown byte order '" + order + "')");
    NpyElementType e;
    e.byteOrder = order == '>' ? ByteOrder::Big : order == '=' ? hostByteOrder() : ByteOrder::Little;
    const std::string type = d.substr(1);
    using Kind = NpyElementType::Kind;
    if (type == "O" || type == "O8" || type == "O4")
        return { Kind::Object, DType::UInt64, e.byteOrder, 8 };
    if (type[0] == 'U')
        return { Kind::Text, DType::UInt32, e.byteOrder, 4 * typeWidth(d, 2) };
    if (type[0] == 'S' || type[0] == 'a')
        return { Kind::Bytes, DType::UInt8, ByteOrder::Little, typeWidth(d, 2) };
    if (type[0] == 'V')
        return { Kind::Other, DType::UInt8, ByteOrder::Little, typeWidth(d, 2) };
    if (type.rfind("M8", 0) == 0 || type.rfind("m8", 0) == 0)
        return { Kind::Other, DType::Int64, e.byteOrder, 8 };
    static const std::map<std::string, DType> kTypes = {
        { "f2", DType::Float16 }, { "f4", DType::Float32 }, { "f8", DType::Float64 }, { "i1", DType::Int8 },
        { "i2", DType::Int16 }, { "i4", DType::Int32 }, { "i8", DType::Int64 }, { "u1", DType::UInt8 },
        { "u2", DType::UInt16 }, { "u4", DType::UInt32 }, { "u8", DType::UInt64 }, { "b1", DType::Bool },
        { "c8", DType::Complex64 }, { "c16", DType::Complex128 },
        { "b2", DType::BFloat16 }, // MXNet 2.x npx.save writes bfloat16 as '<b2' (NumPy itself has no such type)
    };
    const auto it = kTypes.find(type);
    if (it == kTypes.end())
        throw FormatError("unsupported .npy dtype '" + d + "'");
    e.dtype = it->second;
    e.size = dtypeSize(e.dtype);
    if (e.size == 1)
        e.byteOrder = ByteOrder::Little;
    return e;
}

namespace {

// Lays the fields out one after another, as numpy's descr lists them (padding appears as
// unnamed void fields); nested fields get "outer.inner" names.
std::uint64_t layOutFields(
    const std::vector<DescrItem>& items, const std::string& prefix, std::uint64_t offset, std::vector<NpyField>& out)
{
    for (const auto& item : items) {
        const std::int64_t count = shapeNumel(item.shape.items);
        std::uint64_t size = 0;
        if (!item.nested.empty() || item.type.empty()) {
            std::vector<NpyField> inner;
            size = layOutFields(item.nested, "", 0, inner);
            if (count != 1 && !inner.empty())
                throw FormatError("arrays of nested records are not supported");
            for (auto& f : inner) {
                f.name = prefix + item.name + "." + f.name;
                f.offset += offset;
                out.push_back(std::move(f));
            }
        } else {
            NpyField f { prefix + item.name, parseNpyElementType(item.type), item.shape.items, offset };
            size = f.type.size;
            if (!item.name.empty())
                out.push_back(std::move(f));
        }
        constexpr std::uint64_t kMaxRecord = std::uint64_t(1) << 30;
        if (size > kMaxRecord || (count > 0 && size > kMaxRecord / static_cast<std::uint64_t>(count)))
            throw FormatError("a structured dtype of more than 1 GiB per record");
        const std::uint64_t total = size * static_cast<std::uint64_t>(count);
        if (total > kMaxRecord || offset > kMaxRecord)
            throw FormatError("a structured dtype of more than 1 GiB per record");
        offset += total;
    }
    return offset;
}

void setDType(NpyHeader& h, const Value& descr)
{
    if (const auto* list = std::get_if<DescrList>(&descr)) {
        h.itemSize = layOutFields(list->items, "", 0, h.fields);
        for (const auto& f : h.fields)
            if (f.type.kind == NpyElementType::Kind::Object)
                h.isObject = true; // numpy pickles arrays that hold objects
        return;
    }
    h.descr = std::get<std::string>(descr);
    h.element = parseNpyElementType(h.descr);
    h.isObject = h.element.kind == NpyElementType::Kind::Object;
    h.dtype = h.element.dtype;
    h.byteOrder = h.element.byteOrder;
    h.itemSize = h.element.size;
}

} // namespace

NpyHeader parseNpyHeaderDict(std::string_view text)
{
    auto dict = DictLiteralParser(text).parseDict();
    if (dict.size() != 3 || !dict.count("descr") || !dict.count("fortran_order") || !dict.count("shape"))
        throw FormatError("the .npy header dict must have exactly the keys 'descr', 'fortran_order' and 'shape'");
    NpyHeader h;
    const Value& descr = dict["descr"];
    const auto* fortran = std::get_if<bool>(&dict["fortran_order"]);
    const auto* shape = std::get_if<Tuple>(&dict["shape"]);
    if (!(std::holds_alternative<std::string>(descr) || std::holds_alternative<DescrList>(descr)) || !fortran || !shape)
        throw FormatError("the .npy header has a value of the wrong type (descr must be a string or a list of fields, "
                          "fortran_order a bool, shape a tuple of integers)");
    h.fortranOrder = *fortran;
    h.shape = shape->items;
    setDType(h, descr);
    shapeNumel(h.shape); // throws on overflow
    return h;
}

NpyHeader readNpyHeader(const ByteSource& bytes)
{
    if (bytes.size() < 10 || bytes.readString(0, 6) != kNpyMagic)
        throw FormatError("not an .npy file (no \\x93NUMPY magic)");
    const auto version = bytes.readVector(6, 2);
    const int major = static_cast<int>(version[0]);
    const int minor = static_cast<int>(version[1]);
    if (major < 1 || major > 3 || minor != 0)
        throw FormatError("unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor));
    const std::size_t lengthBytes = major == 1 ? 2 : 4;
    const auto lengthField = bytes.readVector(8, lengthBytes);
    std::uint64_t headerLen = 0;
    for (std::size_t i = lengthBytes; i-- > 0;)
        headerLen = (headerLen << 8) | static_cast<std::uint8_t>(lengthField[i]);
    const std::uint64_t prefix = 8 + lengthBytes;
    if (headerLen > bytes.size() - prefix)
        throw FormatError("the .npy header length (" + std::to_string(headerLen)
            + " bytes) runs past the end of the data (" + std::to_string(bytes.size()) + " bytes)");
    constexpr std::uint64_t kMaxHeader = 64u << 20;
    if (headerLen > kMaxHeader)
        throw FormatError("the .npy header is implausibly long (" + std::to_string(headerLen) + " bytes)");
    const std::string text = bytes.readString(prefix, static_cast<std::size_t>(headerLen));
    NpyHeader h = parseNpyHeaderDict(text);
    h.majorVersion = major;
    h.minorVersion = minor;
    h.dataOffset = prefix + headerLen;
    return h;
}

} // namespace ckpt
