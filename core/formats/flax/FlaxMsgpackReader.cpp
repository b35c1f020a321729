#include "formats/flax/FlaxMsgpackReader.h"

#include "base/CheckpointError.h"
#include "io/ByteSource.h"
#include "tensor/StridedTensorSource.h"

#include <msgpack.hpp>

#include <optional>
#include <unordered_set>
#include <variant>

namespace ckpt {

namespace {

// flax.serialization._MsgpackExtType
constexpr char kNdarray = 1;
constexpr char kNativeComplex = 2;
constexpr char kNumpyScalar = 3;

constexpr std::size_t kMaxDepth = 64;
constexpr std::size_t kMaxEntries = 1 << 20; // tensors and metadata values
constexpr std::size_t kMaxRank = 64;
constexpr std::size_t kMaxNameBytes = 4096;
constexpr std::size_t kMaxMetadata = 65536;

// The (shape, dtype, bytes) triple inside an array's extension, or (dtype, bytes) of a scalar;
// a complex number's (re, im).
struct ExtPayload : msgpack::null_visitor {
    std::vector<std::int64_t> shape;
    std::string dtype;
    const char* bytes = nullptr;
    std::uint32_t byteCount = 0;
    std::vector<double> numbers;
    std::size_t depth = 0;
    bool ok = true;

    bool visit_positive_integer(uint64_t v)
    {
        if (depth != 2 || shape.size() >= kMaxRank || v > std::uint64_t(INT64_MAX))
            return ok = false;
        shape.push_back(static_cast<std::int64_t>(v));
        return true;
    }
    bool visit_float64(double v)
    {
        numbers.push_back(v);
        return true;
    }
    bool visit_float32(float v) { return visit_float64(v); }
    bool visit_str(const char* v, uint32_t size)
    {
        dtype.assign(v, std::min<uint32_t>(size, 64));
        return true;
    }
    bool visit_bin(const char* v, uint32_t size)
    {
        bytes = v;
        byteCount = size;
        return true;
    }
    bool start_array(uint32_t n)
    {
        ++depth;
        return depth <= 2 && n <= kMaxRank;
    }
    bool end_array()
    {
        --depth;
        return true;
    }
    bool start_map(uint32_t) { return ok = false; }
    void parse_error(size_t, size_t) { ok = false; }
    void insufficient_bytes(size_t, size_t) { ok = false; }
};

// Walks the whole file once: keys give the path, extensions become tensors, other leaves
// metadata. Nothing is built but the result, so memory follows the number of leaves.
class StateDictVisitor : public msgpack::null_visitor {
public:
    StateDictVisitor(const char* base, std::shared_ptr<const ByteSource> file, Checkpoint& out)
        : base_(base)
        , file_(std::move(file))
        , out_(out)
    {
    }

    std::string error;

    // Moves the collected metadata into the checkpoint. ordered_json's operator[] looks every key
    // up: a million leaves would take 10^12 comparisons, so entries are appended once, here.
    void finish()
    {
        if (!out_.metadata.is_object())
            out_.metadata = nlohmann::ordered_json::object();
        auto& object = out_.metadata.get_ref<nlohmann::ordered_json::object_t&>();
        if (unlisted_)
            metadata_.emplace_back(
                "flax.unlisted_values", std::to_string(unlisted_) + " more plain values, not listed");
        for (auto& [name, value] : metadata_)
            object.std::vector<std::pair<const std::string, nlohmann::ordered_json>>::emplace_back(
                name, std::move(value));
        metadata_.clear();
    }

    bool visit_nil() { return leaf(nullptr); }
    bool visit_boolean(bool v) { return leaf(v); }
    bool visit_positive_integer(uint64_t v) { return inKey() ? key(std::to_string(v)) : leaf(v); }
    bool visit_negative_integer(int64_t v) { return inKey() ? key(std::to_string(v)) : leaf(v); }
    bool visit_float32(float v) { return leaf(double(v)); }
    bool visit_float64(double v) { return leaf(v); }
    bool visit_str(const char* v, uint32_t size)
    {
        std::string s(v, size);
        return inKey() ? key(std::move(s)) : leaf(std::move(s));
    }
    bool visit_bin(const char*, uint32_t size) { return leaf("<" + std::to_string(size) + " bytes>"); }
    bool visit_ext(const char* v, uint32_t size) { return ext(v, size); }

    bool start_array(uint32_t n)
    {
        if (!enter())
            return false;
        frames_.push_back({ false, false, 0 });
        return n <= kMaxEntries || fail("an array of " + std::to_string(n) + " values");
    }
    bool start_array_item()
    {
        path_.push_back(std::to_string(frames_.back().index++));
        return true;
    }
    bool end_array_item()
    {
        path_.pop_back();
        return true;
    }
    bool end_array() { return leave(); }
    bool start_map(uint32_t n)
    {
        if (!enter())
            return false;
        frames_.push_back({ true, false, 0 });
        return n <= kMaxEntries || fail("a map of " + std::to_string(n) + " entries");
    }
    bool start_map_key()
    {
        frames_.back().inKey = true;
        return true;
    }
    bool end_map_key()
    {
        frames_.back().inKey = false;
        return true;
    }
    bool end_map_value()
    {
        path_.pop_back();
        return true;
    }
    bool end_map() { return leave(); }
    void parse_error(size_t, size_t error)
    {
        if (this->error.empty())
            this->error = "malformed msgpack at byte " + std::to_string(error);
    }
    void insufficient_bytes(size_t, size_t error)
    {
        if (this->error.empty())
            this->error = "the msgpack data ends early, at byte " + std::to_string(error);
    }

private:
    struct Frame {
        bool isMap;
        bool inKey;
        std::uint64_t index;
    };

    bool inKey() const { return !frames_.empty() && frames_.back().isMap && frames_.back().inKey; }
    bool fail(std::string why)
    {
        if (error.empty())
            error = std::move(why);
        return false;
    }
    bool enter()
    {
        if (inKey())
            return fail("a map key that is not a string or a number");
        return frames_.size() < kMaxDepth || fail("nested more than " + std::to_string(kMaxDepth) + " deep");
    }
    bool leave()
    {
        frames_.pop_back();
        return true;
    }
    bool key(std::string k)
    {
        if (k.size() > 4096)
            return fail("a key of more than 4096 bytes");
        path_.push_back(std::move(k));
        return true;
    }
    std::string name() const
    {
        std::string n;
        for (const auto& p : path_)
            n += (n.empty() ? "" : "/") + p;
        return n.empty() ? std::string("value") : n;
    }
    // A leaf's name, at most kMaxNameBytes long (deep maps of long keys would make every name huge).
    bool named(std::string& n)
    {
        std::size_t length = 0;
        for (const auto& p : path_)
            length += p.size() + 1;
        if (length > kMaxNameBytes)
            return fail("a key path of more than " + std::to_string(kMaxNameBytes) + " bytes");
        n = name();
        return true;
    }
    // Plain values beyond kMaxMetadata are counted, not kept (a checkpoint's are a handful).
    void setMetadata(std::string n, nlohmann::ordered_json value)
    {
        if (metadata_.size() >= kMaxMetadata) {
            ++unlisted_;
            return;
        }
        if (seen_.insert(n).second)
            metadata_.emplace_back(std::move(n), std::move(value));
    }
    bool count() { return ++entries_ <= kMaxEntries || fail("more than " + std::to_string(kMaxEntries) + " values"); }
    bool leaf(nlohmann::ordered_json value)
    {
        if (inKey())
            return fail("a map key that is not a string or a number");
        std::string n;
        if (!count() || !named(n))
            return false;
        setMetadata(std::move(n), std::move(value));
        return true;
    }

    bool ext(const char* v, uint32_t size)
    {
        if (inKey())
            return fail("a map key that is an extension");
        std::string n;
        if (size < 1 || !count() || !named(n))
            return size >= 1 ? false : fail("an empty extension");
        const char type = v[0];
        ExtPayload payload;
        std::size_t offset = 0;
        const bool parsed = msgpack::v2::parse(v + 1, size - 1, offset, payload) && payload.ok && offset == size - 1;
        if (type == kNativeComplex && parsed && payload.numbers.size() == 2) {
            setMetadata(std::move(n), { payload.numbers[0], payload.numbers[1] });
            return true;
        }
        if (type != kNdarray && type != kNumpyScalar) {
            setMetadata(std::move(n), "<msgpack extension " + std::to_string(int(type)) + ">");
            return true;
        }
        if (!parsed || !payload.bytes)
            return fail(n + ": a malformed array extension");
        return tensor(payload, type == kNumpyScalar, std::move(n));
    }

    bool tensor(const ExtPayload& p, bool scalar, std::string name)
    {
        const auto dtype = dtypeFromName(p.dtype);
        if (!dtype) {
            setMetadata(std::move(name), "<array of dtype '" + p.dtype + "', not read>");
            return true;
        }
        Tensor t;
        t.info.name = name;
        t.info.dtype = *dtype;
        if (!scalar)
            t.info.shape = p.shape;
        const std::int64_t bytes = checkedMul(shapeNumel(t.info.shape), static_cast<std::int64_t>(dtypeSize(*dtype)));
        if (bytes != static_cast<std::int64_t>(p.byteCount))
            return fail(name + ": shape " + shapeToString(t.info.shape) + " of " + p.dtype + " needs "
                + std::to_string(bytes) + " bytes, the file holds " + std::to_string(p.byteCount));
        const auto offset = static_cast<std::uint64_t>(p.bytes - base_);
        t.info.location = "offset " + std::to_string(offset);
        t.data = std::make_shared<StridedTensorSource>(
            file_, *dtype, t.info.shape, StridedLayout::rowMajor(t.info.shape, offset, ByteOrder::Little));
        out_.tensors.push_back(std::move(t));
        return true;
    }

    const char* base_;
    std::shared_ptr<const ByteSource> file_;
    Checkpoint& out_;
    std::vector<Frame> frames_;
    std::vector<std::string> path_;
    std::size_t entries_ = 0;
    std::vector<std::pair<std::string, nlohmann::ordered_json>> metadata_;
    std::unordered_set<std::string> seen_;
    std::size_t unlisted_ = 0;
};

bool isStrMarker(std::uint8_t b)
{
    return (b >= 0xa0 && b <= 0xbf) || b == 0xd9 || b == 0xda || b == 0xdb;
}

} // namespace

// A msgpack map (fixmap, map16 or map32) whose first key is a string: flax's state dicts.
bool FlaxMsgpackReader::matches(const FileProbe& probe) const
{
    const auto& h = probe.head;
    if (h.size() < 2)
        return false;
    if (h[0] >= 0x81 && h[0] <= 0x8f)
        return isStrMarker(h[1]);
    if (h[0] == 0xde)
        return h.size() > 3 && isStrMarker(h[3]);
    if (h[0] == 0xdf)
        return h.size() > 5 && isStrMarker(h[5]);
    return false;
}

void FlaxMsgpackReader::read(const FileProbe& probe, Checkpoint& c) const
{
    auto file = std::make_shared<FileByteSource>(probe.path);
    if (!file->data())
        throw FormatError("cannot map the file to read it");
    const char* base = reinterpret_cast<const char*>(file->data());
    StateDictVisitor visitor(base, file, c);
    std::size_t offset = 0;
    const bool parsed = msgpack::v2::parse(base, static_cast<std::size_t>(file->size()), offset, visitor);
    visitor.finish();
    if (!parsed || !visitor.error.empty())
        throw FormatError(visitor.error.empty() ? "malformed msgpack" : visitor.error);
    if (offset != file->size())
        throw FormatError(std::to_string(file->size() - offset) + " bytes follow the msgpack data");
}

} // namespace ckpt
