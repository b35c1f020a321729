#include "pickle/Unpickler_p.h"

#include "base/CheckpointError.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <optional>

namespace ckpt::pickle {

namespace op {
enum : std::uint8_t {
    MARK = '(',
    STOP = '.',
    POP = '0',
    POP_MARK = '1',
    DUP = '2',
    FLOAT = 'F',
    INT = 'I',
    BININT = 'J',
    BININT1 = 'K',
    LONG = 'L',
    BININT2 = 'M',
    NONE = 'N',
    PERSID = 'P',
    BINPERSID = 'Q',
    REDUCE = 'R',
    STRING = 'S',
    BINSTRING = 'T',
    SHORT_BINSTRING = 'U',
    UNICODE = 'V',
    BINUNICODE = 'X',
    APPEND = 'a',
    BUILD = 'b',
    GLOBAL = 'c',
    DICT = 'd',
    EMPTY_DICT = '}',
    APPENDS = 'e',
    GET = 'g',
    BINGET = 'h',
    INST = 'i',
    LONG_BINGET = 'j',
    LIST = 'l',
    EMPTY_LIST = ']',
    OBJ = 'o',
    PUT = 'p',
    BINPUT = 'q',
    LONG_BINPUT = 'r',
    SETITEM = 's',
    TUPLE = 't',
    EMPTY_TUPLE = ')',
    SETITEMS = 'u',
    BINFLOAT = 'G',
    PROTO = 0x80,
    NEWOBJ = 0x81,
    EXT1 = 0x82,
    EXT2 = 0x83,
    EXT4 = 0x84,
    TUPLE1 = 0x85,
    TUPLE2 = 0x86,
    TUPLE3 = 0x87,
    NEWTRUE = 0x88,
    NEWFALSE = 0x89,
    LONG1 = 0x8a,
    LONG4 = 0x8b,
    BINBYTES = 'B',
    SHORT_BINBYTES = 'C',
    SHORT_BINUNICODE = 0x8c,
    BINUNICODE8 = 0x8d,
    BINBYTES8 = 0x8e,
    EMPTY_SET = 0x8f,
    ADDITEMS = 0x90,
    FROZENSET = 0x91,
    NEWOBJ_EX = 0x92,
    STACK_GLOBAL = 0x93,
    MEMOIZE = 0x94,
    FRAME = 0x95,
    BYTEARRAY8 = 0x96,
    NEXT_BUFFER = 0x97,
    READONLY_BUFFER = 0x98,
};
} // namespace op

namespace {
// Protocol 2 writes Python 2 module names.
std::string python3Module(std::string module)
{
    if (module == "__builtin__")
        return "builtins";
    if (module == "copy_reg")
        return "copyreg";
    return module;
}

// The identity of a dict key for replacement: strings and ints only.
std::optional<std::string> keyText(const Value& key)
{
    if (key.kind == Kind::String)
        return "s" + key.text;
    if (key.kind == Kind::Int)
        return "i" + std::to_string(key.integer);
    return std::nullopt;
}

// keyText(a) == keyText(b) for a string or int key a, without copying either.
bool sameKey(const Value& a, const Value& b)
{
    if (&a == &b)
        return true;
    if (a.kind != b.kind)
        return false;
    return a.kind == Kind::String ? a.text == b.text : a.integer == b.integer;
}

bool isKey(const Value& v)
{
    return v.kind == Kind::String || v.kind == Kind::Int;
}

// What one key of a large dict's index costs beside its text (hash node, bucket), and one memo
// entry.
constexpr std::uint64_t kKeyIndexBytes = 64;
constexpr std::uint64_t kMemoEntryBytes = 48;
// What a value costs, as constants so that what is accepted does not depend on the build (a Value
// is 240 bytes with GCC 12 and libstdc++, the out-of-line tensor and array details 112 and 48).
constexpr std::uint64_t kValueBytes = 256;
constexpr std::uint64_t kTensorInfoBytes = 128;
constexpr std::uint64_t kArrayInfoBytes = 64;

bool parseUnsigned(std::string_view s, std::uint64_t& out)
{
    while (!s.empty() && (s.back() == '\r' || s.back() == ' '))
        s.remove_suffix(1);
    if (s.empty())
        return false;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}
} // namespace

std::uint64_t defaultGraphBudget(std::uint64_t inputBytes)
{
    constexpr std::uint64_t kFixed = std::uint64_t(176) << 20;
    return kFixed + std::min<std::uint64_t>(inputBytes, std::uint64_t(1) << 40);
}

Unpickler::Unpickler(std::span<const std::byte> bytes, const PickleOptions& options)
    : in_(bytes)
    , options_(options)
    , graphBudget_(options.maxGraphBytes ? options.maxGraphBytes : defaultGraphBudget(bytes.size()))
{
}

void Unpickler::fail(const std::string& reason) const
{
    throw FormatError("pickle: " + reason + " (opcode at offset " + std::to_string(opStart_) + ")");
}

Value& Unpickler::make(Kind kind)
{
    if (doc_.values_.size() >= options_.maxValues)
        fail("more than " + std::to_string(options_.maxValues) + " values");
    charge(kValueBytes + (kind == Kind::TorchTensor ? kTensorInfoBytes : 0)
        + (kind == Kind::NumpyArray ? kArrayInfoBytes : 0));
    Value& v = doc_.values_.emplace_back();
    v.kind = kind;
    return v;
}

std::uint8_t Unpickler::readByte()
{
    if (pos_ >= in_.size())
        fail("unexpected end of data (truncated pickle)");
    return static_cast<std::uint8_t>(in_[pos_++]);
}

std::span<const std::byte> Unpickler::readBytes(std::uint64_t n)
{
    if (n > in_.size() - pos_)
        fail("length " + std::to_string(n) + " runs past the end of the data (" + std::to_string(in_.size() - pos_)
            + " bytes left)");
    auto s = in_.subspan(pos_, n);
    pos_ += n;
    return s;
}

std::uint64_t Unpickler::readUInt(int n)
{
    auto b = readBytes(static_cast<std::uint64_t>(n));
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i)
        v = (v << 8) | static_cast<std::uint8_t>(b[static_cast<std::size_t>(i)]);
    return v;
}

std::string_view Unpickler::readLine()
{
    const auto* begin = reinterpret_cast<const char*>(in_.data()) + pos_;
    const auto left = in_.size() - pos_;
    const void* nl = std::memchr(begin, '\n', left);
    if (!nl)
        fail("unterminated text line (truncated pickle)");
    const auto len = static_cast<std::size_t>(static_cast<const char*>(nl) - begin);
    pos_ += len + 1;
    return { begin, len };
}

void Unpickler::push(Value* v)
{
    if (stack_.size() >= options_.maxStackSize)
        fail("stack deeper than " + std::to_string(options_.maxStackSize));
    stack_.push_back(v);
}

Value* Unpickler::pop()
{
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
        fail("stack underflow");
    Value* v = stack_.back();
    stack_.pop_back();
    return v;
}

Value* Unpickler::top()
{
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
        fail("stack underflow");
    return stack_.back();
}

void Unpickler::pushMark()
{
    if (marks_.size() >= options_.maxMarkDepth)
        fail("MARKs nested deeper than " + std::to_string(options_.maxMarkDepth));
    marks_.push_back(stack_.size());
}

std::vector<Value*> Unpickler::popToMark()
{
    if (marks_.empty())
        fail("no MARK on the stack");
    const std::size_t at = marks_.back();
    marks_.pop_back();
    std::vector<Value*> items(stack_.begin() + static_cast<std::ptrdiff_t>(at), stack_.end());
    stack_.resize(at);
    return items;
}

void Unpickler::countItems(std::size_t n)
{
    itemCount_ += n;
    if (itemCount_ > options_.maxContainerItems)
        fail("more than " + std::to_string(options_.maxContainerItems) + " container items");
    charge(std::uint64_t(n) * sizeof(std::pair<const Value*, const Value*>));
}

void Unpickler::copyName(Value& v, const Value& global)
{
    charge(global.module.size() + global.name.size());
    v.module = global.module;
    v.name = global.name;
}

void Unpickler::setText(Value& v, std::string text)
{
    charge(text.size());
    v.text = std::move(text);
}

void Unpickler::charge(std::uint64_t bytes)
{
    graphBytes_ += bytes;
    if (graphBytes_ > graphBudget_)
        fail("its values would take more than " + std::to_string(graphBudget_ >> 20)
            + " MiB of memory, the limit for a file of this size");
}

void Unpickler::pushInt(std::int64_t v)
{
    Value& x = make(Kind::Int);
    x.integer = v;
    push(&x);
}

void Unpickler::pushLong(std::span<const std::byte> le)
{
    // Drop redundant sign-extension bytes, then see whether it fits in int64.
    std::size_t n = le.size();
    const bool negative = n > 0 && (static_cast<std::uint8_t>(le[n - 1]) & 0x80);
    const std::uint8_t fill = negative ? 0xff : 0x00;
    while (n > 1 && static_cast<std::uint8_t>(le[n - 1]) == fill
        && ((static_cast<std::uint8_t>(le[n - 2]) & 0x80) == (fill & 0x80)))
        --n;
    if (n <= 8) {
        std::uint64_t u = negative ? ~std::uint64_t { 0 } : 0;
        for (std::size_t i = 0; i < n; ++i) {
            u &= ~(std::uint64_t { 0xff } << (8 * i));
            u |= std::uint64_t { static_cast<std::uint8_t>(le[i]) } << (8 * i);
        }
        return pushInt(static_cast<std::int64_t>(u));
    }
    Value& x = make(Kind::BigInt);
    setText(x, twosComplementToDecimal(le.first(n)));
    push(&x);
}

void Unpickler::pushTextInt(std::string_view line, bool isLong)
{
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
        line.remove_suffix(1);
    if (isLong && !line.empty() && line.back() == 'L')
        line.remove_suffix(1);
    if (!isLong && (line == "00" || line == "01")) { // protocol 0 booleans
        Value& b = make(Kind::Bool);
        b.boolean = line == "01";
        return push(&b);
    }
    std::string_view digits = line;
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+'))
        digits.remove_prefix(1);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
        fail("bad integer text '" + sanitizeUtf8(line.substr(0, 40)) + "'");
    std::int64_t v = 0;
    const char* b = line.data() + (line.front() == '+' ? 1 : 0);
    const auto r = std::from_chars(b, line.data() + line.size(), v);
    if (r.ec == std::errc() && r.ptr == line.data() + line.size())
        return pushInt(v);
    Value& x = make(Kind::BigInt);
    const bool neg = line.front() == '-';
    const auto first = digits.find_first_not_of('0');
    setText(
        x, (neg ? "-" : "") + std::string(digits.substr(first == std::string_view::npos ? digits.size() - 1 : first)));
    push(&x);
}

void Unpickler::pushString(std::string utf8)
{
    Value& s = make(Kind::String);
    setText(s, std::move(utf8));
    push(&s);
}

void Unpickler::pushBytes(std::span<const std::byte> raw, bool bytearray)
{
    (void)bytearray;
    Value& b = make(Kind::Bytes);
    b.inputOffset = static_cast<std::uint64_t>(raw.data() - in_.data());
    b.bytesSize = raw.size();
    if (raw.size() <= options_.maxCopiedBytes) {
        charge(raw.size());
        b.text.assign(reinterpret_cast<const char*>(raw.data()), raw.size());
    } else {
        b.bytesCopied = false;
    }
    push(&b);
}

void Unpickler::pushGlobal(std::string module, std::string name)
{
    Value& g = make(Kind::Global);
    charge(module.size() + name.size());
    g.module = python3Module(sanitizeUtf8(module));
    g.name = sanitizeUtf8(name);
    noteCode(CodeUse::Kind::Import, g);
    push(&g);
}

void Unpickler::pushTuple(std::vector<Value*> items)
{
    countItems(items.size());
    Value& t = make(Kind::Tuple);
    t.items.assign(items.begin(), items.end());
    push(&t);
}

void Unpickler::memoPut(std::uint64_t index)
{
    Value* v = top();
    auto it = memo_.find(index);
    if (it == memo_.end() && memo_.size() >= options_.maxMemoEntries)
        fail("more than " + std::to_string(options_.maxMemoEntries) + " memo entries");
    if (it == memo_.end())
        charge(kMemoEntryBytes);
    memo_[index] = v;
}

void Unpickler::memoGet(std::uint64_t index)
{
    auto it = memo_.find(index);
    if (it == memo_.end())
        fail("memo index " + std::to_string(index) + " was never stored");
    push(it->second);
}

void Unpickler::appendItems(Value* target, const std::vector<Value*>& items)
{
    if (target->kind != Kind::List && target->kind != Kind::Object)
        fail("APPEND to a " + std::string(kindName(target->kind)));
    countItems(items.size());
    target->items.insert(target->items.end(), items.begin(), items.end());
}

void Unpickler::setItems(Value* target, const std::vector<Value*>& kv)
{
    if (target->kind != Kind::Dict && target->kind != Kind::Object)
        fail("SETITEM on a " + std::string(kindName(target->kind)));
    if (kv.size() % 2 != 0)
        fail("SETITEMS with an odd number of values");
    countItems(kv.size() / 2);
    auto indexed = dictKeys_.find(target);
    if (indexed == dictKeys_.end() && target->entries.size() + kv.size() / 2 > 16) {
        // Large dicts (state_dicts) get an index of their string/int keys; small ones are scanned.
        indexed = dictKeys_.emplace(target, std::unordered_map<std::string, std::size_t> {}).first;
        for (std::size_t e = 0; e < target->entries.size(); ++e)
            if (auto k = keyText(*target->entries[e].first)) {
                charge(k->size() + kKeyIndexBytes);
                indexed->second.emplace(std::move(*k), e);
            }
    }
    for (std::size_t i = 0; i < kv.size(); i += 2) {
        // A repeated string/int key replaces the value, as a dict would; other keys are appended.
        if (isKey(*kv[i])) {
            if (indexed != dictKeys_.end()) {
                auto k = keyText(*kv[i]);
                charge(k->size() + kKeyIndexBytes); // also when replacing: the copy was made
                auto [it, inserted] = indexed->second.emplace(std::move(*k), target->entries.size());
                if (!inserted) {
                    target->entries[it->second].second = kv[i + 1];
                    continue;
                }
            } else {
                auto same = std::find_if(target->entries.begin(), target->entries.end(), [&](const auto& e) {
                    if (e.first->text.size() == kv[i]->text.size() && e.first != kv[i])
                        charge(e.first->text.size()); // comparing copies of a long key is work too
                    return sameKey(*e.first, *kv[i]);
                });
                if (same != target->entries.end()) {
                    same->second = kv[i + 1];
                    continue;
                }
            }
        }
        target->entries.emplace_back(kv[i], kv[i + 1]);
    }
}

void Unpickler::addItems(Value* target, const std::vector<Value*>& items)
{
    if (target->kind != Kind::Set || target->frozen)
        fail("ADDITEMS on a " + std::string(kindName(target->kind)));
    countItems(items.size());
    target->items.insert(target->items.end(), items.begin(), items.end());
}

void Unpickler::reduce(Value* callable, Value* args)
{
    if (callable->kind != Kind::Global)
        fail("REDUCE calls a " + std::string(kindName(callable->kind)) + ", not a global");
    if (args->kind != Kind::Tuple)
        fail("REDUCE arguments are a " + std::string(kindName(args->kind)) + ", not a tuple");
    noteCode(CodeUse::Kind::Call, *callable, args);
    if (Value* known = callKnownGlobal(*this, *callable, *args))
        return push(known);
    Value& refused = make(Kind::Object);
    copyName(refused, *callable);
    refused.args = args;
    refused.called = true;
    noteRefusedCall(refused.qualifiedName());
    push(&refused);
}

void Unpickler::newObject(Value* cls, Value* args)
{
    if (cls->kind != Kind::Global)
        fail("NEWOBJ of a " + std::string(kindName(cls->kind)) + ", not a class");
    if (args->kind != Kind::Tuple)
        fail("NEWOBJ arguments are not a tuple");
    noteCode(CodeUse::Kind::Instantiate, *cls, args);
    if (Value* known = newKnownClass(*this, *cls, *args))
        return push(known);
    Value& obj = make(Kind::Object);
    copyName(obj, *cls);
    obj.args = args;
    push(&obj);
}

void Unpickler::instantiate(Value* cls, std::vector<Value*> args)
{
    // INST / OBJ call cls(*args). Without arguments that is how protocol 0/1 instantiate a
    // class; with arguments it may be any function, so it is refused like REDUCE.
    Value& tuple = make(Kind::Tuple);
    countItems(args.size());
    tuple.items.assign(args.begin(), args.end());
    if (args.empty())
        return newObject(cls, &tuple);
    reduce(cls, &tuple);
}

// The callable a BUILD state stores in an instance's __setstate__ slot: state (dict, slots) with
// slots["__setstate__"] a global. Python calls it at the instance's next BUILD.
static const Value* setstateSlot(const Value* state)
{
    if (!state || state->kind != Kind::Tuple || state->items.size() != 2 || state->items[1]->kind != Kind::Dict)
        return nullptr;
    const Value* slot = state->items[1]->find("__setstate__");
    return slot && slot->kind == Kind::Global ? slot : nullptr;
}

void Unpickler::build(Value* target, Value* state)
{
    if (buildKnown(*this, *target, *state))
        return;
    if (const Value* callable = setstateSlot(state))
        noteCode(CodeUse::Kind::SetState, *callable);
    if (target->kind == Kind::Object && !target->called) {
        if (const Value* callable = setstateSlot(target->state)) {
            // A second BUILD calls the stored __setstate__ with the state: the call it would make.
            Value& args = make(Kind::Tuple);
            args.items.push_back(state);
            noteCode(CodeUse::Kind::Call, *callable, &args);
            copyName(*target, *callable);
            target->args = &args;
            target->called = true;
            noteRefusedCall(target->qualifiedName());
            return;
        }
    }
    switch (target->kind) {
    case Kind::Dict:
    case Kind::Object:
    case Kind::TorchTensor:
    case Kind::Set:
        target->state = state;
        return;
    default:
        fail("BUILD on a " + std::string(kindName(target->kind)));
    }
}

void Unpickler::persistentId(Value* pid)
{
    if (!options_.onPersistentId)
        fail("unexpected persistent id in a plain pickle");
    options_.onPersistentId(*pid);
    // torch's legacy format pickles nn.Module classes as ('module', cls, source_file, source)
    // and its loader hands back cls: keep the class (an inert global) in its place.
    if (pid->kind == Kind::Tuple && pid->items.size() >= 2 && pid->items[0]->kind == Kind::String
        && pid->items[0]->text == "module" && pid->items[1]->kind == Kind::Global)
        return push(const_cast<Value*>(pid->items[1])); // every Value is owned, mutable, by doc_
    Value& ref = make(Kind::PersistentId);
    ref.args = pid;
    push(&ref);
}

Document Unpickler::run()
{
    while (true) {
        opStart_ = pos_;
        if (!step(readByte()))
            break;
    }
    doc_.endOffset_ = pos_;
    return std::move(doc_);
}

bool Unpickler::step(std::uint8_t code)
{
    switch (code) {
    case op::PROTO: {
        const auto proto = readByte();
        if (proto > 5)
            fail("unsupported pickle protocol " + std::to_string(proto));
        return true;
    }
    case op::FRAME:
        if (readUInt(8) > in_.size() - pos_)
            fail("FRAME runs past the end of the data");
        return true;
    case op::STOP:
        doc_.root_ = pop();
        return false;
    case op::MARK:
        pushMark();
        return true;
    case op::POP:
        if (!marks_.empty() && stack_.size() == marks_.back())
            marks_.pop_back();
        else
            pop();
        return true;
    case op::POP_MARK:
        popToMark();
        return true;
    case op::DUP:
        push(top());
        return true;

    case op::NONE:
        push(&make(Kind::None));
        return true;
    case op::NEWTRUE:
    case op::NEWFALSE: {
        Value& b = make(Kind::Bool);
        b.boolean = code == op::NEWTRUE;
        push(&b);
        return true;
    }
    case op::BININT:
        pushInt(static_cast<std::int32_t>(readUInt(4)));
        return true;
    case op::BININT1:
        pushInt(readByte());
        return true;
    case op::BININT2:
        pushInt(static_cast<std::int64_t>(readUInt(2)));
        return true;
    case op::LONG1:
        pushLong(readBytes(readByte()));
        return true;
    case op::LONG4: {
        const auto n = static_cast<std::int32_t>(readUInt(4));
        if (n < 0)
            fail("negative LONG4 length");
        pushLong(readBytes(static_cast<std::uint64_t>(n)));
        return true;
    }
    case op::INT:
        pushTextInt(readLine(), false);
        return true;
    case op::LONG:
        pushTextInt(readLine(), true);
        return true;
    case op::BINFLOAT: {
        const std::uint64_t bits = __builtin_bswap64(readUInt(8)); // stored big-endian
        Value& f = make(Kind::Float);
        f.real = std::bit_cast<double>(bits);
        push(&f);
        return true;
    }
    case op::FLOAT: {
        std::string line(readLine());
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        Value& f = make(Kind::Float);
        char* end = nullptr;
        f.real = std::strtod(line.c_str(), &end);
        if (line.empty() || end != line.c_str() + line.size())
            fail("bad float text '" + sanitizeUtf8(line.substr(0, 40)) + "'");
        push(&f);
        return true;
    }

    case op::BINUNICODE: {
        auto b = readBytes(readUInt(4));
        pushString(sanitizeUtf8({ reinterpret_cast<const char*>(b.data()), b.size() }));
        return true;
    }
    case op::SHORT_BINUNICODE: {
        auto b = readBytes(readByte());
        pushString(sanitizeUtf8({ reinterpret_cast<const char*>(b.data()), b.size() }));
        return true;
    }
    case op::BINUNICODE8: {
        auto b = readBytes(readUInt(8));
        pushString(sanitizeUtf8({ reinterpret_cast<const char*>(b.data()), b.size() }));
        return true;
    }
    case op::UNICODE:
        pushString(decodeRawUnicodeEscape(readLine()));
        return true;
    case op::BINSTRING: {
        const auto n = static_cast<std::int32_t>(readUInt(4));
        if (n < 0)
            fail("negative BINSTRING length");
        auto b = readBytes(static_cast<std::uint64_t>(n));
        pushString(latin1ToUtf8({ reinterpret_cast<const char*>(b.data()), b.size() }));
        return true;
    }
    case op::SHORT_BINSTRING: {
        auto b = readBytes(readByte());
        pushString(latin1ToUtf8({ reinterpret_cast<const char*>(b.data()), b.size() }));
        return true;
    }
    case op::STRING: {
        bool ok = false;
        std::string raw = decodePythonStringLiteral(readLine(), ok);
        if (!ok)
            fail("bad STRING literal");
        pushString(latin1ToUtf8(raw));
        return true;
    }
    case op::BINBYTES:
        pushBytes(readBytes(readUInt(4)), false);
        return true;
    case op::SHORT_BINBYTES:
        pushBytes(readBytes(readByte()), false);
        return true;
    case op::BINBYTES8:
        pushBytes(readBytes(readUInt(8)), false);
        return true;
    case op::BYTEARRAY8:
        pushBytes(readBytes(readUInt(8)), true);
        return true;
    case op::NEXT_BUFFER:
    case op::READONLY_BUFFER:
        fail("out-of-band buffers (protocol 5) are not supported");

    case op::EMPTY_TUPLE:
        pushTuple({});
        return true;
    case op::TUPLE:
        pushTuple(popToMark());
        return true;
    case op::TUPLE1: {
        Value* a = pop();
        pushTuple({ a });
        return true;
    }
    case op::TUPLE2: {
        Value* b = pop();
        Value* a = pop();
        pushTuple({ a, b });
        return true;
    }
    case op::TUPLE3: {
        Value* c = pop();
        Value* b = pop();
        Value* a = pop();
        pushTuple({ a, b, c });
        return true;
    }
    case op::EMPTY_LIST:
        push(&make(Kind::List));
        return true;
    case op::LIST: {
        auto items = popToMark();
        Value& l = make(Kind::List);
        push(&l);
        appendItems(&l, items);
        return true;
    }
    case op::EMPTY_DICT:
        push(&make(Kind::Dict));
        return true;
    case op::DICT: {
        auto kv = popToMark();
        Value& d = make(Kind::Dict);
        push(&d);
        setItems(&d, kv);
        return true;
    }
    case op::EMPTY_SET:
        push(&make(Kind::Set));
        return true;
    case op::FROZENSET: {
        auto items = popToMark();
        Value& s = make(Kind::Set);
        countItems(items.size());
        s.items.assign(items.begin(), items.end());
        s.frozen = true;
        push(&s);
        return true;
    }
    case op::APPEND: {
        Value* v = pop();
        appendItems(top(), { v });
        return true;
    }
    case op::APPENDS: {
        auto items = popToMark();
        appendItems(top(), items);
        return true;
    }
    case op::SETITEM: {
        Value* v = pop();
        Value* k = pop();
        setItems(top(), { k, v });
        return true;
    }
    case op::SETITEMS: {
        auto kv = popToMark();
        setItems(top(), kv);
        return true;
    }
    case op::ADDITEMS: {
        auto items = popToMark();
        addItems(top(), items);
        return true;
    }

    case op::PUT: {
        std::uint64_t i = 0;
        if (!parseUnsigned(readLine(), i))
            fail("bad PUT index");
        memoPut(i);
        return true;
    }
    case op::BINPUT:
        memoPut(readByte());
        return true;
    case op::LONG_BINPUT:
        memoPut(readUInt(4));
        return true;
    case op::MEMOIZE:
        memoPut(memo_.size());
        return true;
    case op::GET: {
        std::uint64_t i = 0;
        if (!parseUnsigned(readLine(), i))
            fail("bad GET index");
        memoGet(i);
        return true;
    }
    case op::BINGET:
        memoGet(readByte());
        return true;
    case op::LONG_BINGET:
        memoGet(readUInt(4));
        return true;

    case op::GLOBAL: {
        std::string module(readLine());
        std::string name(readLine());
        pushGlobal(std::move(module), std::move(name));
        return true;
    }
    case op::STACK_GLOBAL: {
        Value* name = pop();
        Value* module = pop();
        if (module->kind != Kind::String || name->kind != Kind::String)
            fail("STACK_GLOBAL needs two strings");
        pushGlobal(module->text, name->text);
        return true;
    }
    case op::REDUCE: {
        Value* args = pop();
        Value* callable = pop();
        reduce(callable, args);
        return true;
    }
    case op::NEWOBJ: {
        Value* args = pop();
        Value* cls = pop();
        newObject(cls, args);
        return true;
    }
    case op::NEWOBJ_EX: {
        Value* kwargs = pop();
        Value* args = pop();
        Value* cls = pop();
        (void)kwargs;
        newObject(cls, args);
        return true;
    }
    case op::INST: {
        std::string module(readLine());
        std::string name(readLine());
        auto args = popToMark();
        pushGlobal(std::move(module), std::move(name));
        instantiate(pop(), std::move(args));
        return true;
    }
    case op::OBJ: {
        auto items = popToMark();
        if (items.empty())
            fail("OBJ without a class");
        Value* cls = items.front();
        items.erase(items.begin());
        instantiate(cls, std::move(items));
        return true;
    }
    case op::BUILD: {
        Value* state = pop();
        build(top(), state);
        return true;
    }
    case op::PERSID: {
        Value& pid = make(Kind::String);
        pid.text = sanitizeUtf8(readLine());
        persistentId(&pid);
        return true;
    }
    case op::BINPERSID:
        persistentId(pop());
        return true;
    case op::EXT1:
    case op::EXT2:
    case op::EXT4:
        fail("extension registry codes (EXT1/2/4) are not supported");
    default: {
        static const char hex[] = "0123456789abcdef";
        fail(std::string("unknown opcode 0x") + hex[code >> 4] + hex[code & 15]);
    }
    }
}

Document unpickle(std::span<const std::byte> bytes, const PickleOptions& options)
{
    return Unpickler(bytes, options).run();
}

} // namespace ckpt::pickle
