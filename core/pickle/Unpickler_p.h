#pragma once

#include "base/Utf8.h"
#include "pickle/Unpickler.h"

#include <string>
#include <unordered_map>

namespace ckpt::pickle {

// The opcode interpreter behind unpickle(). Known globals (KnownGlobals.cpp) build their
// values through make(); everything else stays an inert placeholder.
class Unpickler {
public:
    Unpickler(std::span<const std::byte> bytes, const PickleOptions& options);
    Document run();

    Value& make(Kind kind);
    void noteRefusedCall(const std::string& qualifiedName)
    {
        charge(qualifiedName.size() + sizeof(std::string));
        doc_.refusedCalls_.push_back(qualifiedName);
    }
    // Copies of text into the graph, charged (a memoized 1 MB name reused a million times).
    void copyName(Value& v, const Value& global);
    void setText(Value& v, std::string text);
    void noteCode(CodeUse::Kind kind, const Value& global, const Value* args = nullptr)
    {
        if (options_.onCode)
            options_.onCode(CodeUse { kind, global, args, opStart_ });
    }
    [[noreturn]] void fail(const std::string& reason) const;
    // Counts n more container items (copies made by known globals too) against maxContainerItems.
    void countItems(std::size_t n);
    // Counts bytes the graph takes against PickleOptions::maxGraphBytes.
    void charge(std::uint64_t bytes);

private:
    // Input
    std::uint8_t readByte();
    std::span<const std::byte> readBytes(std::uint64_t n);
    std::uint64_t readUInt(int n); // little-endian
    std::string_view readLine();

    // Stack
    void push(Value* v);
    Value* pop();
    Value* top();
    std::vector<Value*> popToMark();
    void pushMark();

    // Opcode groups
    bool step(std::uint8_t op); // false at STOP
    void pushInt(std::int64_t v);
    void pushLong(std::span<const std::byte> twosComplement);
    void pushTextInt(std::string_view line, bool isLong);
    void pushString(std::string utf8);
    void pushBytes(std::span<const std::byte> raw, bool bytearray);
    void pushGlobal(std::string module, std::string name);
    void pushTuple(std::vector<Value*> items);
    void memoPut(std::uint64_t index);
    void memoGet(std::uint64_t index);
    void appendItems(Value* target, const std::vector<Value*>& items);
    void setItems(Value* target, const std::vector<Value*>& keysAndValues);
    void addItems(Value* target, const std::vector<Value*>& items);
    void reduce(Value* callable, Value* args);
    void newObject(Value* cls, Value* args);
    void instantiate(Value* cls, std::vector<Value*> args); // INST / OBJ
    void build(Value* target, Value* state);
    void persistentId(Value* pid);

    std::span<const std::byte> in_;
    std::uint64_t pos_ = 0;
    std::uint64_t opStart_ = 0;
    const PickleOptions& options_;
    Document doc_;
    std::vector<Value*> stack_;
    std::vector<std::size_t> marks_;
    std::unordered_map<std::uint64_t, Value*> memo_;
    // Per dict: where each string/int key sits in its entries, so SETITEMS stays linear.
    std::unordered_map<const Value*, std::unordered_map<std::string, std::size_t>> dictKeys_;
    std::size_t itemCount_ = 0;
    std::uint64_t graphBytes_ = 0;
    std::uint64_t graphBudget_ = 0;
};

// Known globals: return the value a REDUCE / NEWOBJ / BUILD makes, or nullptr / false when
// the global is not in our closed table (the caller then makes an inert placeholder).
Value* callKnownGlobal(Unpickler& u, const Value& callable, const Value& args);
Value* newKnownClass(Unpickler& u, const Value& cls, const Value& args);
bool buildKnown(Unpickler& u, Value& target, const Value& state);

// Text helpers shared by the opcode loop.
std::string latin1ToUtf8(std::string_view latin1);
std::string decodeRawUnicodeEscape(std::string_view raw); // protocol 0 UNICODE
std::string decodePythonStringLiteral(std::string_view quoted, bool& ok); // protocol 0 STRING
std::string twosComplementToDecimal(std::span<const std::byte> le);

} // namespace ckpt::pickle
