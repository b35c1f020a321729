#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ckpt::pickle {

// What an unpickled value is. Nothing here is ever executed: globals are names, calls to
// unknown globals are recorded (Object with called = true), never made.
enum class Kind {
    None,
    Bool,
    Int, // fits in int64: integer
    BigInt, // LONG beyond int64: text holds the decimal digits ("-123...")
    Float, // real
    Complex, // builtins.complex: real, imag
    String, // text, UTF-8 (Python 2 str / BINSTRING are decoded as latin-1)
    Bytes, // text holds the raw bytes (see bytesCopied), also bytearray and _codecs.encode
    Tuple, // items (torch.Size too)
    List, // items
    Set, // items; frozen for frozenset
    Dict, // entries in insertion order, keys of any kind; ordered for OrderedDict
    Global, // a module-level name (GLOBAL / STACK_GLOBAL): module, name. Never imported.
    Object, // an instance of a class placeholder (NEWOBJ, INST, OBJ, copyreg._reconstructor)
            // or a refused call to an unknown global (REDUCE; called = true), with args,
            // BUILD state, and items/entries when it behaves like a list/dict
    PersistentId, // PERSID / BINPERSID: args holds the persistent id value (torch storages)
    TorchTensor, // torch._utils._rebuild_tensor* (+ _rebuild_parameter): see TorchTensorInfo
    NumpyArray, // numpy _reconstruct + BUILD: see NumpyArrayInfo
    NumpyDType, // numpy.dtype(code, ...) + BUILD: text = code ("f8", "O8", "U5"), byteOrder
    NumpyScalar, // numpy.core.multiarray.scalar(dtype, bytes): args = dtype, state = Bytes
};

std::string_view kindName(Kind k);

struct Value;

struct TorchTensorInfo {
    const Value* storage = nullptr; // what the persistent id callback saw (a PersistentId)
    std::int64_t storageOffset = 0; // in elements
    std::vector<std::int64_t> size;
    std::vector<std::int64_t> stride; // in elements
    bool requiresGrad = false;
    bool parameter = false; // wrapped by _rebuild_parameter (nn.Parameter)
    const Value* dtype = nullptr; // v3: a Global "torch.float8_e4m3fn"; else null (storage class decides)
    std::string rebuiltBy; // "torch._utils._rebuild_tensor_v2"
};

struct NumpyArrayInfo {
    std::vector<std::int64_t> shape;
    const Value* dtype = nullptr; // a NumpyDType, after BUILD
    bool fortranOrder = false;
    const Value* data = nullptr; // Bytes (numeric dtypes) or List (object arrays), after BUILD
};

// One node of the value graph. Nodes are owned by their Document and refer to each other by
// pointer; the graph may share nodes and may even be cyclic (a hostile or a self-referencing
// pickle), so walkers must bound their depth and total work.
struct Value {
    Kind kind = Kind::None;
    bool boolean = false; // Bool
    bool frozen = false; // Set: frozenset
    bool ordered = false; // Dict: collections.OrderedDict
    bool called = false; // Object: a refused call (REDUCE of an unknown global)
    std::int64_t integer = 0; // Int
    double real = 0.0; // Float, Complex
    double imag = 0.0; // Complex
    std::string text; // String, Bytes, BigInt digits, NumpyDType code
    std::string module; // Global, Object: "collections", "os"
    std::string name; // Global, Object: "OrderedDict", "system"
    char byteOrder = '|'; // NumpyDType: '<', '>', '|', '='
    std::vector<const Value*> items; // Tuple, List, Set; Object list items
    std::vector<std::pair<const Value*, const Value*>> entries; // Dict; Object dict items
    const Value* args = nullptr; // Object: the argument tuple; PersistentId: the id; NumpyScalar: dtype
    const Value* state = nullptr; // BUILD state (Dict attributes, Object __dict__), NumpyScalar bytes
    // Bytes: offset of the raw bytes in the unpickled input when they were stored there
    // verbatim (BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8), so large arrays can be read
    // lazily; npos when the bytes were decoded (_codecs.encode, bytearray(list)).
    static constexpr std::uint64_t npos = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t inputOffset = npos;
    std::uint64_t bytesSize = 0; // Bytes: length (also when not copied)
    bool bytesCopied = true; // Bytes: false when longer than PickleOptions::maxCopiedBytes
    // TorchTensor, NumpyArray: kept out of line (160 bytes) so that every other value stays small.
    const TorchTensorInfo& tensor() const { return tensor_ ? *tensor_ : kNoTensor; }
    TorchTensorInfo& tensor();
    const NumpyArrayInfo& array() const { return array_ ? *array_ : kNoArray; }
    NumpyArrayInfo& array();
    std::unique_ptr<TorchTensorInfo> tensor_;
    std::unique_ptr<NumpyArrayInfo> array_;
    static const TorchTensorInfo kNoTensor;
    static const NumpyArrayInfo kNoArray;

    bool is(Kind k) const { return kind == k; }
    bool isNone() const { return kind == Kind::None; }
    bool isString() const { return kind == Kind::String; }
    bool isInt() const { return kind == Kind::Int; }
    bool isDictLike() const { return kind == Kind::Dict || (kind == Kind::Object && !entries.empty()); }
    std::string qualifiedName() const { return module + "." + name; } // Global, Object
    // Dict / Object entries: the value under a string key, or null.
    const Value* find(std::string_view key) const;
    // Object: an attribute from its BUILD state dict (state may be a dict or a (dict, slots) tuple).
    const Value* attribute(std::string_view key) const;
};

// A short, single-line, bounded rendering for people: 3, 0.5, 'adam', (1, 2), [...],
// os.system('touch x') [refused call]. Never recurses deeper than maxDepth.
std::string toDisplayString(const Value& v, int maxDepth = 3, std::size_t maxLength = 200);

} // namespace ckpt::pickle
