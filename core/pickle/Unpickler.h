#pragma once

#include "pickle/Value.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace ckpt::pickle {

// Something a pickle would make Python do: import a global, call it (REDUCE, INST/OBJ with
// arguments, copyreg._reconstructor's base.__init__), instantiate a class (NEWOBJ, INST/OBJ
// without arguments), or store a callable where BUILD will call it (a __setstate__ slot).
struct CodeUse {
    enum class Kind { Import, Call, Instantiate, SetState };
    Kind kind;
    const Value& global; // a Global: what is imported, called or instantiated
    const Value* args = nullptr; // Call, Instantiate: the arguments (a Tuple)
    std::uint64_t offset = 0; // the opcode's offset in the pickle
};

struct PickleOptions {
    std::size_t maxStackSize = 100'000; // values on the stack at once
    std::size_t maxMarkDepth = 1'000; // nested MARKs
    std::size_t maxValues = 4'000'000; // nodes created
    std::size_t maxContainerItems = 16'000'000; // APPEND/SETITEM/ADDITEMS insertions in total
    std::size_t maxMemoEntries = 4'000'000;
    std::uint64_t maxCopiedBytes = std::numeric_limits<std::uint64_t>::max(); // see Value::bytesCopied
    // Memory the value graph may take (values, container slots, memo, copied text). A value
    // costs some 250 bytes but may take one byte of pickle (TUPLE1, EMPTY_DICT + MEMOIZE), so
    // the counts above alone let a few MB of pickle take gigabytes. 0: defaultGraphBudget().
    std::uint64_t maxGraphBytes = 0;
    // Called for every persistent id (the PersistentId value's args); may throw FormatError to
    // refuse it. When unset, a persistent id is an error (plain pickles have none).
    std::function<void(const Value& pid)> onPersistentId;
    // Told of every CodeUse in order, known globals included, also when unpickling fails later:
    // what `ckpt scan` classifies.
    std::function<void(const CodeUse&)> onCode;
};

// 176 MiB plus the pickle's size: what a pickle of that size may cost as values. With the pickle's
// own copy and the process's pages that keeps a hostile pickle within 256 MiB plus twice its file.
// A reader whose pickle came out of a smaller file (an inflated zip member, at most 48 MiB plus
// that file) passes that file's size.
std::uint64_t defaultGraphBudget(std::uint64_t inputBytes);

// The result of unpickling: owns every Value of the graph.
class Document {
public:
    Document() = default;
    Document(Document&&) noexcept = default;
    Document& operator=(Document&&) noexcept = default;
    Document(const Document&) = delete;
    Document& operator=(const Document&) = delete;

    const Value& root() const { return *root_; }
    // Offset just past the STOP opcode (pickles can be chained, as legacy torch files are).
    std::uint64_t endOffset() const { return endOffset_; }
    // "module.name" of every global the pickle asked to call and that we refused, in order.
    const std::vector<std::string>& refusedCalls() const { return refusedCalls_; }
    std::size_t valueCount() const { return values_.size(); }

private:
    friend class Unpickler;
    std::deque<Value> values_; // stable addresses, also across moves
    const Value* root_ = nullptr;
    std::uint64_t endOffset_ = 0;
    std::vector<std::string> refusedCalls_;
};

// Interprets one pickle (protocols 0-5) starting at the beginning of `bytes` as data: a fixed
// opcode loop, a closed table of known globals (OrderedDict, torch rebuild functions,
// numpy _reconstruct/dtype/scalar, set, complex, bytearray, _codecs.encode, torch.Size, ...)
// and inert placeholders for everything else. Nothing is imported or called.
// Throws FormatError with the opcode offset and the reason on bad or hostile input.
Document unpickle(std::span<const std::byte> bytes, const PickleOptions& options = {});

} // namespace ckpt::pickle
