#include "pickle/Value.h"

#include <cstdio>
#include <cstdlib>

namespace ckpt::pickle {

const TorchTensorInfo Value::kNoTensor {};
const NumpyArrayInfo Value::kNoArray {};

TorchTensorInfo& Value::tensor()
{
    if (!tensor_)
        tensor_ = std::make_unique<TorchTensorInfo>();
    return *tensor_;
}

NumpyArrayInfo& Value::array()
{
    if (!array_)
        array_ = std::make_unique<NumpyArrayInfo>();
    return *array_;
}

std::string_view kindName(Kind k)
{
    switch (k) {
    case Kind::None:
        return "None";
    case Kind::Bool:
        return "bool";
    case Kind::Int:
        return "int";
    case Kind::BigInt:
        return "int";
    case Kind::Float:
        return "float";
    case Kind::Complex:
        return "complex";
    case Kind::String:
        return "str";
    case Kind::Bytes:
        return "bytes";
    case Kind::Tuple:
        return "tuple";
    case Kind::List:
        return "list";
    case Kind::Set:
        return "set";
    case Kind::Dict:
        return "dict";
    case Kind::Global:
        return "global";
    case Kind::Object:
        return "object";
    case Kind::PersistentId:
        return "persistent id";
    case Kind::TorchTensor:
        return "tensor";
    case Kind::NumpyArray:
        return "numpy array";
    case Kind::NumpyDType:
        return "numpy dtype";
    case Kind::NumpyScalar:
        return "numpy scalar";
    }
    return "?";
}

const Value* Value::find(std::string_view key) const
{
    for (const auto& [k, v] : entries) {
        if (k->kind == Kind::String && k->text == key)
            return v;
    }
    return nullptr;
}

const Value* Value::attribute(std::string_view key) const
{
    const Value* s = state;
    if (s && s->kind == Kind::Tuple && !s->items.empty()) // (__dict__, __slots__ state)
        s = s->items[0];
    if (!s || s->kind != Kind::Dict)
        return nullptr;
    return s->find(key);
}

namespace {
std::string formatDouble(double d)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    // Shortest form that round-trips, like Python's repr.
    for (int p = 1; p <= 17; ++p) {
        char shorter[32];
        std::snprintf(shorter, sizeof shorter, "%.*g", p, d);
        if (std::strtod(shorter, nullptr) == d) {
            std::string s = shorter;
            if (s.find_first_of(".eninf") == std::string::npos)
                s += ".0";
            return s;
        }
    }
    return buf;
}

std::string quote(const std::string& s, char q)
{
    std::string out(1, q);
    for (unsigned char c : s) {
        if (c == '\\' || c == static_cast<unsigned char>(q)) {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c < 0x20 || (q == '"' && c >= 0x7f)) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + q;
}

void render(const Value& v, int depth, std::string& out, std::size_t maxLength)
{
    if (out.size() > maxLength)
        return;
    auto seq = [&](const std::vector<const Value*>& items, const char* open, const char* close) {
        out += open;
        if (depth <= 0 && !items.empty()) {
            out += "...";
        } else {
            for (std::size_t i = 0; i < items.size() && out.size() <= maxLength; ++i) {
                if (i)
                    out += ", ";
                render(*items[i], depth - 1, out, maxLength);
            }
        }
        out += close;
    };
    switch (v.kind) {
    case Kind::None:
        out += "None";
        return;
    case Kind::Bool:
        out += v.boolean ? "True" : "False";
        return;
    case Kind::Int:
        out += std::to_string(v.integer);
        return;
    case Kind::BigInt:
        out += v.text;
        return;
    case Kind::Float:
        out += formatDouble(v.real);
        return;
    case Kind::Complex:
        out += "(" + formatDouble(v.real) + (v.imag < 0 ? "" : "+") + formatDouble(v.imag) + "j)";
        return;
    case Kind::String:
        out += quote(v.text, '\'');
        return;
    case Kind::Bytes:
        out += v.bytesCopied ? "b" + quote(v.text.substr(0, maxLength), '"')
                             : "<" + std::to_string(v.bytesSize) + " bytes>";
        return;
    case Kind::Tuple:
        seq(v.items, "(", v.items.size() == 1 ? ",)" : ")");
        return;
    case Kind::List:
        seq(v.items, "[", "]");
        return;
    case Kind::Set:
        seq(v.items, v.frozen ? "frozenset({" : "{", v.frozen ? "})" : "}");
        return;
    case Kind::Dict:
        out += "{";
        if (depth <= 0 && !v.entries.empty()) {
            out += "...";
        } else {
            for (std::size_t i = 0; i < v.entries.size() && out.size() <= maxLength; ++i) {
                if (i)
                    out += ", ";
                render(*v.entries[i].first, depth - 1, out, maxLength);
                out += ": ";
                render(*v.entries[i].second, depth - 1, out, maxLength);
            }
        }
        out += "}";
        return;
    case Kind::Global:
        out += v.qualifiedName();
        return;
    case Kind::Object:
        out += v.qualifiedName();
        if (v.called) {
            if (v.args)
                render(*v.args, depth - 1, out, maxLength);
            out += " [refused call]";
        } else {
            out += " object";
        }
        return;
    case Kind::PersistentId:
        out += "<persistent id>";
        return;
    case Kind::TorchTensor:
        out += "<tensor>";
        return;
    case Kind::NumpyArray:
        out += "<numpy array>";
        return;
    case Kind::NumpyDType:
        out += "dtype('" + std::string(1, v.byteOrder) + v.text + "')";
        return;
    case Kind::NumpyScalar:
        out += "<numpy scalar>";
        return;
    }
}
} // namespace

std::string toDisplayString(const Value& v, int maxDepth, std::size_t maxLength)
{
    std::string out;
    render(v, maxDepth, out, maxLength);
    if (out.size() > maxLength) {
        out.resize(maxLength);
        out += "...";
    }
    return out;
}

} // namespace ckpt::pickle
