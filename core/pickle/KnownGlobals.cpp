// The closed table of globals the unpickler understands. Each handler builds an inert value
// from the arguments; nothing is imported or called. Globals missing here become placeholders.
#include "pickle/Unpickler_p.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

namespace ckpt::pickle {

namespace {
using CallHandler = Value* (*)(Unpickler&, const Value& args);

const Value& arg(Unpickler& u, const Value& args, std::size_t i)
{
    if (i >= args.items.size())
        u.fail("missing argument " + std::to_string(i + 1));
    return *args.items[i];
}

std::int64_t intArg(Unpickler& u, const Value& args, std::size_t i)
{
    const Value& v = arg(u, args, i);
    if (v.kind == Kind::Bool)
        return v.boolean ? 1 : 0;
    if (v.kind != Kind::Int)
        u.fail("argument " + std::to_string(i + 1) + " is a " + std::string(kindName(v.kind)) + ", not an int");
    return v.integer;
}

std::vector<std::int64_t> intTuple(Unpickler& u, const Value& v, const char* what)
{
    if (v.kind != Kind::Tuple && v.kind != Kind::List)
        u.fail(std::string(what) + " is not a tuple");
    u.countItems(v.items.size());
    std::vector<std::int64_t> out;
    out.reserve(v.items.size());
    for (const Value* x : v.items) {
        if (x->kind != Kind::Int)
            u.fail(std::string(what) + " holds a " + std::string(kindName(x->kind)));
        out.push_back(x->integer);
    }
    return out;
}

bool truthy(const Value& v)
{
    return (v.kind == Kind::Bool && v.boolean) || (v.kind == Kind::Int && v.integer != 0);
}

double number(Unpickler& u, const Value& v)
{
    if (v.kind == Kind::Int)
        return static_cast<double>(v.integer);
    if (v.kind == Kind::Float)
        return v.real;
    if (v.kind == Kind::Bool)
        return v.boolean ? 1.0 : 0.0;
    u.fail("expected a number, got a " + std::string(kindName(v.kind)));
}

// Fills a dict from a dict, or from a list of (key, value) pairs.
void copyEntries(Unpickler& u, Value& dict, const Value& from)
{
    u.countItems(from.entries.size() + from.items.size());
    if (from.kind == Kind::Dict) {
        dict.entries = from.entries;
        return;
    }
    if (from.kind != Kind::List && from.kind != Kind::Tuple)
        u.fail("cannot build a dict from a " + std::string(kindName(from.kind)));
    for (const Value* pair : from.items) {
        if ((pair->kind != Kind::List && pair->kind != Kind::Tuple) || pair->items.size() != 2)
            u.fail("dict item is not a pair");
        dict.entries.emplace_back(pair->items[0], pair->items[1]);
    }
}

Value* makeDict(Unpickler& u, const Value& args, bool ordered)
{
    Value& d = u.make(Kind::Dict);
    d.ordered = ordered;
    if (!args.items.empty() && args.items[0]->kind != Kind::None
        && args.items[0]->kind != Kind::Global) // defaultdict(factory)
        copyEntries(u, d, *args.items[0]);
    return &d;
}

Value* makeSequence(Unpickler& u, const Value& args, Kind kind, bool frozen = false)
{
    Value& s = u.make(kind);
    s.frozen = frozen;
    if (!args.items.empty()) {
        const Value& from = *args.items[0];
        if (from.kind != Kind::List && from.kind != Kind::Tuple && from.kind != Kind::Set)
            u.fail("cannot build a " + std::string(kindName(kind)) + " from a " + std::string(kindName(from.kind)));
        u.countItems(from.items.size());
        s.items = from.items;
    }
    return &s;
}

// str → bytes for the encodings Python 2-compatible pickles use.
std::string encodeString(Unpickler& u, const std::string& utf8, std::string encoding)
{
    for (auto& c : encoding)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (encoding == "utf-8" || encoding == "utf8")
        return utf8;
    if (encoding != "latin1" && encoding != "latin-1" && encoding != "iso-8859-1" && encoding != "ascii")
        return {}; // the caller refuses
    std::string out;
    for (std::size_t i = 0; i < utf8.size();) {
        const auto b0 = static_cast<unsigned char>(utf8[i]);
        if (b0 < 0x80) {
            out += static_cast<char>(b0);
            ++i;
        } else if ((b0 & 0xE0) == 0xC0 && i + 1 < utf8.size()) {
            const unsigned cp = ((b0 & 0x1F) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3F);
            if (cp > 0xFF)
                u.fail("character outside latin-1 in _codecs.encode");
            out += static_cast<char>(cp);
            i += 2;
        } else {
            u.fail("character outside latin-1 in _codecs.encode");
        }
    }
    return out;
}

Value* makeBytes(Unpickler& u, std::string data)
{
    Value& b = u.make(Kind::Bytes);
    b.bytesSize = data.size();
    u.setText(b, std::move(data));
    return &b;
}

Value* codecsEncode(Unpickler& u, const Value& args)
{
    const Value& s = arg(u, args, 0);
    if (s.kind == Kind::Bytes)
        return makeBytes(u, s.text);
    if (s.kind != Kind::String)
        u.fail("_codecs.encode of a " + std::string(kindName(s.kind)));
    std::string encoding = "utf-8";
    if (args.items.size() > 1 && args.items[1]->kind == Kind::String)
        encoding = args.items[1]->text;
    std::string out = encodeString(u, s.text, encoding);
    if (out.empty() && !s.text.empty())
        return nullptr; // unknown encoding: leave it a refused call
    return makeBytes(u, std::move(out));
}

Value* bytesFrom(Unpickler& u, const Value& args)
{
    if (args.items.empty())
        return makeBytes(u, {});
    const Value& from = *args.items[0];
    if (from.kind == Kind::Bytes)
        return makeBytes(u, from.text);
    if (from.kind == Kind::String)
        return codecsEncode(u, args);
    if (from.kind == Kind::List || from.kind == Kind::Tuple) {
        std::string out;
        for (const Value* x : from.items) {
            if (x->kind != Kind::Int || x->integer < 0 || x->integer > 255)
                u.fail("bytearray item is not a byte");
            out += static_cast<char>(x->integer);
        }
        return makeBytes(u, std::move(out));
    }
    u.fail("cannot build bytes from a " + std::string(kindName(from.kind)));
}

Value* complexFrom(Unpickler& u, const Value& args)
{
    Value& c = u.make(Kind::Complex);
    c.real = args.items.empty() ? 0.0 : number(u, *args.items[0]);
    c.imag = args.items.size() < 2 ? 0.0 : number(u, *args.items[1]);
    return &c;
}

// torch._utils._rebuild_tensor(storage, offset, size, stride) and its v2/v3 successors:
// (..., requires_grad, backward_hooks[, dtype (v3)][, metadata]).
Value* rebuildTensor(Unpickler& u, const Value& args, const char* function, bool v3)
{
    Value& t = u.make(Kind::TorchTensor);
    t.tensor().rebuiltBy = std::string("torch._utils.") + function;
    t.tensor().storage = &arg(u, args, 0);
    t.tensor().storageOffset = intArg(u, args, 1);
    t.tensor().size = intTuple(u, arg(u, args, 2), "tensor size");
    t.tensor().stride = intTuple(u, arg(u, args, 3), "tensor stride");
    if (t.tensor().size.size() != t.tensor().stride.size())
        u.fail("tensor size and stride have different lengths");
    if (args.items.size() > 4)
        t.tensor().requiresGrad = truthy(*args.items[4]);
    if (v3) {
        t.tensor().dtype = &arg(u, args, 6);
        if (t.tensor().dtype->kind != Kind::Global)
            u.fail("_rebuild_tensor_v3 dtype is not a global");
    }
    return &t;
}

Value* rebuildParameter(Unpickler& u, const Value& args)
{
    const Value& data = arg(u, args, 0);
    if (data.kind != Kind::TorchTensor)
        return nullptr; // not a tensor we understood: keep the call as a placeholder
    Value& p = u.make(Kind::TorchTensor);
    u.countItems(data.tensor().size.size() * 2);
    p.tensor() = data.tensor();
    p.tensor().parameter = true;
    if (args.items.size() > 1)
        p.tensor().requiresGrad = truthy(*args.items[1]);
    return &p;
}

Value* rebuildFromType(Unpickler& u, const Value& args)
{
    // torch._tensor._rebuild_from_type_v2(func, type, args, state): the tensor is func(*args).
    const Value& func = arg(u, args, 0);
    const Value& funcArgs = arg(u, args, 2);
    if (func.kind != Kind::Global || funcArgs.kind != Kind::Tuple)
        return nullptr;
    if (func.qualifiedName() == "torch._tensor._rebuild_from_type_v2")
        u.fail("_rebuild_from_type_v2 nested in itself"); // would recurse as deep as the input
    Value* inner = callKnownGlobal(u, func, funcArgs);
    if (!inner)
        u.noteRefusedCall(func.qualifiedName());
    return inner;
}

Value* torchDevice(Unpickler& u, const Value& args)
{
    const Value& type = arg(u, args, 0);
    if (type.kind != Kind::String)
        return nullptr;
    Value& s = u.make(Kind::String);
    std::string device = type.text;
    if (args.items.size() > 1 && args.items[1]->kind == Kind::Int)
        device += ":" + std::to_string(args.items[1]->integer);
    u.setText(s, std::move(device));
    return &s;
}

Value* numpyReconstruct(Unpickler& u, const Value& args)
{
    Value& a = u.make(Kind::NumpyArray);
    a.array().shape = intTuple(u, arg(u, args, 1), "numpy shape");
    return &a;
}

Value* numpyDType(Unpickler& u, const Value& args)
{
    const Value& code = arg(u, args, 0);
    if (code.kind != Kind::String)
        u.fail("numpy.dtype code is not a string");
    Value& d = u.make(Kind::NumpyDType);
    u.setText(d, code.text);
    return &d;
}

// numpy scalar(dtype, bytes): numbers become plain Int/Float/Bool values.
Value* numpyScalar(Unpickler& u, const Value& args)
{
    const Value& dtype = arg(u, args, 0);
    const Value& raw = arg(u, args, 1);
    if (dtype.kind != Kind::NumpyDType || (raw.kind != Kind::Bytes && raw.kind != Kind::String))
        return nullptr;
    std::string bytes = raw.kind == Kind::Bytes ? raw.text : encodeString(u, raw.text, "latin1");
    const bool swap = dtype.byteOrder == (std::endian::native == std::endian::little ? '>' : '<');
    if (swap)
        std::reverse(bytes.begin(), bytes.end());
    const std::string& c = dtype.text;
    auto load = [&](auto zero) {
        decltype(zero) v {};
        std::memcpy(&v, bytes.data(), sizeof v);
        return v;
    };
    const char k = c.empty() ? '?' : c[0];
    std::size_t n = 0;
    if (c.size() < 2 || std::from_chars(c.data() + 1, c.data() + c.size(), n).ptr != c.data() + c.size())
        n = 0;
    if (n != bytes.size() || (n != 1 && n != 2 && n != 4 && n != 8) || (k != 'f' && k != 'i' && k != 'u' && k != 'b')
        || (k == 'b' && n != 1)) {
        Value& s = u.make(Kind::NumpyScalar);
        s.args = &dtype;
        s.state = &raw;
        return &s;
    }
    if (k == 'b') {
        Value& b = u.make(Kind::Bool);
        b.boolean = bytes[0] != 0;
        return &b;
    }
    if (k == 'f' && (n == 4 || n == 8)) {
        Value& f = u.make(Kind::Float);
        f.real = n == 4 ? load(float {}) : load(double {});
        return &f;
    }
    if (k == 'f') {
        Value& s = u.make(Kind::NumpyScalar);
        s.args = &dtype;
        s.state = &raw;
        return &s;
    }
    Value& i = u.make(Kind::Int);
    switch (n) {
    case 1:
        i.integer = k == 'i' ? load(std::int8_t {}) : load(std::uint8_t {});
        break;
    case 2:
        i.integer = k == 'i' ? load(std::int16_t {}) : load(std::uint16_t {});
        break;
    case 4:
        i.integer = k == 'i' ? load(std::int32_t {}) : load(std::uint32_t {});
        break;
    default:
        i.integer = static_cast<std::int64_t>(load(std::uint64_t {}));
        break;
    }
    return &i;
}

Value* instanceOf(Unpickler& u, const Value& cls, const Value* args)
{
    if (cls.kind != Kind::Global)
        u.fail("class is a " + std::string(kindName(cls.kind)) + ", not a global");
    Value& obj = u.make(Kind::Object);
    u.copyName(obj, cls);
    obj.args = args;
    return &obj;
}

// copyreg._reconstructor(cls, base, state): how protocols 0/1 make class instances.
Value* reconstructor(Unpickler& u, const Value& args)
{
    const Value& cls = arg(u, args, 0);
    // Python runs base.__init__(obj, state) when base is not object: a call of base, shown as one.
    if (args.items.size() >= 2 && args.items[1]->kind == Kind::Global
        && args.items[1]->qualifiedName() != "builtins.object") {
        const Value& base = *args.items[1];
        Value& callArgs = u.make(Kind::Tuple);
        if (args.items.size() >= 3)
            callArgs.items.push_back(args.items[2]);
        u.noteCode(CodeUse::Kind::Call, base, &callArgs);
        u.noteRefusedCall(base.qualifiedName());
        Value* refused = instanceOf(u, base, &callArgs);
        refused->called = true;
        return refused;
    }
    if (Value* known = newKnownClass(u, cls, args))
        return known;
    return instanceOf(u, cls, &args);
}

// copyreg.__newobj__(cls, *args)
Value* newobjFunction(Unpickler& u, const Value& args)
{
    const Value& cls = arg(u, args, 0);
    Value& rest = u.make(Kind::Tuple);
    u.countItems(args.items.size());
    rest.items.assign(args.items.begin() + 1, args.items.end());
    if (Value* known = newKnownClass(u, cls, rest))
        return known;
    return instanceOf(u, cls, &rest);
}

const std::unordered_map<std::string, CallHandler>& callTable()
{
    static const std::unordered_map<std::string, CallHandler> table = {
        { "collections.OrderedDict", [](Unpickler& u, const Value& a) { return makeDict(u, a, true); } },
        { "collections.defaultdict", [](Unpickler& u, const Value& a) { return makeDict(u, a, false); } },
        { "collections.Counter", [](Unpickler& u, const Value& a) { return makeDict(u, a, false); } },
        { "builtins.dict", [](Unpickler& u, const Value& a) { return makeDict(u, a, false); } },
        { "builtins.list", [](Unpickler& u, const Value& a) { return makeSequence(u, a, Kind::List); } },
        { "builtins.tuple", [](Unpickler& u, const Value& a) { return makeSequence(u, a, Kind::Tuple); } },
        { "builtins.set", [](Unpickler& u, const Value& a) { return makeSequence(u, a, Kind::Set); } },
        { "builtins.frozenset", [](Unpickler& u, const Value& a) { return makeSequence(u, a, Kind::Set, true); } },
        { "builtins.complex", complexFrom },
        { "builtins.bytearray", bytesFrom },
        { "builtins.bytes", bytesFrom },
        { "_codecs.encode", codecsEncode },
        { "torch._utils._rebuild_tensor",
            [](Unpickler& u, const Value& a) { return rebuildTensor(u, a, "_rebuild_tensor", false); } },
        { "torch._utils._rebuild_tensor_v2",
            [](Unpickler& u, const Value& a) { return rebuildTensor(u, a, "_rebuild_tensor_v2", false); } },
        { "torch._utils._rebuild_tensor_v3",
            [](Unpickler& u, const Value& a) { return rebuildTensor(u, a, "_rebuild_tensor_v3", true); } },
        { "torch._utils._rebuild_parameter", rebuildParameter },
        { "torch._utils._rebuild_parameter_with_state", rebuildParameter },
        { "torch._tensor._rebuild_from_type_v2", rebuildFromType },
        { "torch.Size", [](Unpickler& u, const Value& a) { return makeSequence(u, a, Kind::Tuple); } },
        { "torch.device", torchDevice },
        { "numpy.core.multiarray._reconstruct", numpyReconstruct },
        { "numpy._core.multiarray._reconstruct", numpyReconstruct },
        { "numpy.dtype", numpyDType },
        { "numpy.core.multiarray.scalar", numpyScalar },
        { "numpy._core.multiarray.scalar", numpyScalar },
        { "copyreg._reconstructor", reconstructor },
        { "copyreg.__newobj__", newobjFunction },
        { "copyreg.__newobj_ex__", newobjFunction },
    };
    return table;
}

void buildNumpyArray(Unpickler& u, Value& a, const Value& state)
{
    // ndarray.__setstate__((version, shape, dtype, is_fortran, data)); version is optional.
    if (state.kind != Kind::Tuple || (state.items.size() != 5 && state.items.size() != 4))
        u.fail("numpy array state is not a 4- or 5-tuple");
    const std::size_t k = state.items.size() - 4;
    a.array().shape = intTuple(u, *state.items[k], "numpy shape");
    a.array().dtype = state.items[k + 1];
    if (a.array().dtype->kind != Kind::NumpyDType)
        u.fail("numpy array dtype is a " + std::string(kindName(a.array().dtype->kind)));
    a.array().fortranOrder = truthy(*state.items[k + 2]);
    a.array().data = state.items[k + 3];
    if (a.array().data->kind != Kind::Bytes && a.array().data->kind != Kind::List
        && a.array().data->kind != Kind::String)
        u.fail("numpy array data is a " + std::string(kindName(a.array().data->kind)));
    a.state = &state;
}

void buildNumpyDType(Unpickler& u, Value& d, const Value& state)
{
    // (version, endian, subarray, names, fields, elsize, alignment, flags); older versions
    // differ in length but keep the byte order at index 1.
    if (state.kind != Kind::Tuple || state.items.size() < 2)
        u.fail("numpy dtype state is not a tuple");
    const Value& endian = *state.items[1];
    if (endian.kind == Kind::String && endian.text.size() == 1)
        d.byteOrder = endian.text[0];
    d.state = &state;
}
} // namespace

Value* callKnownGlobal(Unpickler& u, const Value& callable, const Value& args)
{
    const auto& table = callTable();
    auto it = table.find(callable.qualifiedName());
    return it == table.end() ? nullptr : it->second(u, args);
}

Value* newKnownClass(Unpickler& u, const Value& cls, const Value& args)
{
    if (cls.kind != Kind::Global)
        u.fail("class is a " + std::string(kindName(cls.kind)) + ", not a global");
    const std::string q = cls.qualifiedName();
    Value empty; // cls.__new__(cls, *args) never uses args for these builtin containers
    empty.kind = Kind::Tuple;
    (void)args;
    if (q == "collections.OrderedDict")
        return makeDict(u, empty, true);
    if (q == "builtins.dict" || q == "collections.defaultdict" || q == "collections.Counter")
        return makeDict(u, empty, false);
    if (q == "builtins.list")
        return makeSequence(u, empty, Kind::List);
    if (q == "builtins.set")
        return makeSequence(u, empty, Kind::Set);
    return nullptr;
}

bool buildKnown(Unpickler& u, Value& target, const Value& state)
{
    if (target.kind == Kind::NumpyArray) {
        buildNumpyArray(u, target, state);
        return true;
    }
    if (target.kind == Kind::NumpyDType) {
        buildNumpyDType(u, target, state);
        return true;
    }
    return false;
}

} // namespace ckpt::pickle
