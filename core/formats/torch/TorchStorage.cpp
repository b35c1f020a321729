#include "formats/torch/TorchStorage.h"

#include "base/CheckpointError.h"
#include "tensor/Shape.h"

#include <regex>
#include <unordered_map>

namespace ckpt {

namespace {
using pickle::Kind;
using pickle::Value;

const std::unordered_map<std::string_view, DType>& storageClasses()
{
    static const std::unordered_map<std::string_view, DType> table = {
        { "DoubleStorage", DType::Float64 },
        { "FloatStorage", DType::Float32 },
        { "HalfStorage", DType::Float16 },
        { "BFloat16Storage", DType::BFloat16 },
        { "LongStorage", DType::Int64 },
        { "IntStorage", DType::Int32 },
        { "ShortStorage", DType::Int16 },
        { "CharStorage", DType::Int8 },
        { "ByteStorage", DType::UInt8 },
        { "BoolStorage", DType::Bool },
        { "ComplexFloatStorage", DType::Complex64 },
        { "ComplexDoubleStorage", DType::Complex128 },
    };
    return table;
}

const std::unordered_map<std::string_view, DType>& torchDTypes()
{
    static const std::unordered_map<std::string_view, DType> table = {
        { "float64", DType::Float64 },
        { "double", DType::Float64 },
        { "float32", DType::Float32 },
        { "float", DType::Float32 },
        { "float16", DType::Float16 },
        { "half", DType::Float16 },
        { "bfloat16", DType::BFloat16 },
        { "float8_e4m3fn", DType::Float8E4M3FN },
        { "float8_e5m2", DType::Float8E5M2 },
        { "int64", DType::Int64 },
        { "long", DType::Int64 },
        { "int32", DType::Int32 },
        { "int", DType::Int32 },
        { "int16", DType::Int16 },
        { "short", DType::Int16 },
        { "int8", DType::Int8 },
        { "uint64", DType::UInt64 },
        { "uint32", DType::UInt32 },
        { "uint16", DType::UInt16 },
        { "uint8", DType::UInt8 },
        { "bool", DType::Bool },
        { "complex64", DType::Complex64 },
        { "cfloat", DType::Complex64 },
        { "complex128", DType::Complex128 },
        { "cdouble", DType::Complex128 },
    };
    return table;
}

std::int64_t intItem(const Value& v, const char* what)
{
    if (v.kind != Kind::Int || v.integer < 0)
        throw FormatError(std::string("storage ") + what + " is not a non-negative integer");
    return v.integer;
}
} // namespace

std::optional<DType> torchStorageDType(const Value& cls)
{
    if (cls.kind != Kind::Global)
        throw FormatError("storage class is a " + std::string(pickle::kindName(cls.kind)) + ", not a global");
    if (cls.module != "torch" && cls.module != "torch.cuda" && cls.module != "torch.storage")
        throw FormatError("unknown storage class " + cls.qualifiedName());
    if (cls.name == "UntypedStorage" || cls.name == "_UntypedStorage")
        return std::nullopt;
    auto it = storageClasses().find(cls.name);
    if (it == storageClasses().end())
        throw FormatError("storage class " + cls.qualifiedName() + " is not supported"
            + (cls.name.rfind("Q", 0) == 0 ? " (quantized tensors)" : ""));
    return it->second;
}

std::optional<DType> torchDTypeFromGlobal(std::string_view q)
{
    constexpr std::string_view prefix = "torch.";
    if (q.substr(0, prefix.size()) != prefix)
        return std::nullopt;
    auto it = torchDTypes().find(q.substr(prefix.size()));
    if (it == torchDTypes().end())
        return std::nullopt;
    return it->second;
}

namespace {

// Pickle protocol 0 has no binary persistent ids: Python writes str() of torch's tuple,
// "('storage', <class 'torch.FloatStorage'>, '0', 'cpu', 6)" (torch.load itself then fails on
// it; the numbers are in the file all the same). Views are not written in this form.
TorchStorageRef parseTextStorageId(const std::string& text)
{
    static const std::regex form(
        R"(^\('storage', <class '(torch(?:\.cuda)?)\.([A-Za-z0-9_]{1,64})'>, '([^']{1,256})', '([^']{0,64})', ([0-9]{1,18})(?:, None)?\)$)");
    std::smatch m;
    if (text.size() > 512 || !std::regex_match(text, m, form))
        throw FormatError("persistent id is not a ('storage', ...) tuple");
    Value cls;
    cls.kind = Kind::Global;
    cls.module = m[1].str();
    cls.name = m[2].str();
    TorchStorageRef s;
    s.dtype = torchStorageDType(cls);
    s.className = cls.module + "." + cls.name;
    s.key = m[3].str();
    s.location = m[4].str();
    s.numel = std::stoll(m[5].str());
    s.nbytes(); // overflow check
    return s;
}

} // namespace

TorchStorageRef parseTorchStorageId(const Value& pid)
{
    if (pid.kind == Kind::String)
        return parseTextStorageId(pid.text);
    if (pid.kind != Kind::Tuple || pid.items.empty() || pid.items[0]->kind != Kind::String)
        throw FormatError("persistent id is not a ('storage', ...) tuple");
    if (pid.items[0]->text != "storage")
        throw FormatError("unsupported persistent id '" + pid.items[0]->text.substr(0, 40) + "'");
    if (pid.items.size() != 5 && pid.items.size() != 6)
        throw FormatError("storage persistent id has " + std::to_string(pid.items.size()) + " items");
    TorchStorageRef s;
    s.dtype = torchStorageDType(*pid.items[1]);
    s.className = pid.items[1]->qualifiedName();
    const Value& key = *pid.items[2];
    const Value& location = *pid.items[3];
    if (key.kind != Kind::String || key.text.empty() || key.text.size() > 256)
        throw FormatError("storage key is not a short string");
    if (location.kind != Kind::String)
        throw FormatError("storage location is not a string");
    s.key = key.text;
    s.location = location.text.substr(0, 64);
    s.numel = intItem(*pid.items[4], "size");
    s.nbytes(); // overflow check
    if (pid.items.size() == 6 && pid.items[5]->kind != Kind::None) {
        const Value& view = *pid.items[5];
        if (view.kind != Kind::Tuple || view.items.size() != 3)
            throw FormatError("storage view metadata is not a (key, offset, size) tuple");
        s.viewOffset = intItem(*view.items[1], "view offset");
        s.viewNumel = intItem(*view.items[2], "view size");
        if (s.viewOffset > s.numel || s.viewNumel > s.numel - s.viewOffset)
            throw FormatError("storage view lies outside storage " + s.key);
    }
    return s;
}

std::int64_t TorchStorageRef::elementSize() const
{
    return dtype ? static_cast<std::int64_t>(dtypeSize(*dtype)) : 1;
}

std::int64_t TorchStorageRef::nbytes() const
{
    return checkedMul(numel, elementSize());
}

} // namespace ckpt
