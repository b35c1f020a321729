#include "formats/torch/TorchReader.h"

#include "pickle/PickledNumpyArray.h"

#include "base/CheckpointError.h"
#include "codec/ZipArchive.h"
#include "formats/torch/TorchLegacyFile.h"
#include "formats/torch/TorchPickleWalker.h"
#include "formats/torch/TorchStorage.h"
#include "tensor/StridedTensorSource.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace ckpt {

namespace {
using pickle::Kind;
using pickle::Value;

// A storage's bytes, and the order they are in.
struct StorageBytes {
    std::shared_ptr<const ByteSource> bytes;
    ByteOrder order = ByteOrder::Little;
    std::string where; // "data/3", for locations and messages
};
using StorageResolver = std::function<StorageBytes(const TorchStorageRef&)>;

constexpr std::size_t kMaxRank = 64; // torch itself allows 64 dimensions at most

std::string_view asText(std::span<const std::uint8_t> bytes)
{
    return { reinterpret_cast<const char*>(bytes.data()), bytes.size() };
}

// "<root>/data.pkl" with nothing else before it.
bool isDataPkl(std::string_view name)
{
    constexpr std::string_view suffix = "/data.pkl";
    return name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix
        && name.find('/') == name.size() - suffix.size();
}

// The archive folder: PyTorchStreamReader takes everything before the first '/' of the first
// entry; we take the folder of the (first) <root>/data.pkl, which is the same for torch files.
std::optional<std::string> archiveRoot(const ZipArchive& zip)
{
    for (const auto& m : zip.members())
        if (isDataPkl(m.name))
            return m.name.substr(0, m.name.find('/'));
    return std::nullopt;
}

Tensor makeTensor(const std::string& name, const Value& v, const StorageResolver& resolve)
{
    const Value* storageValue = v.kind == Kind::PersistentId ? &v : v.tensor().storage;
    if (!storageValue || storageValue->kind != Kind::PersistentId || !storageValue->args)
        throw FormatError("its storage is not a torch storage reference");
    const TorchStorageRef ref = parseTorchStorageId(*storageValue->args);
    const StorageBytes storage = resolve(ref);

    // A legacy storage view starts viewOffset elements into its root storage's bytes.
    std::shared_ptr<const ByteSource> bytes = storage.bytes;
    if (ref.viewNumel >= 0) {
        const auto start = static_cast<std::uint64_t>(checkedMul(ref.viewOffset, ref.elementSize()));
        const auto size = static_cast<std::uint64_t>(checkedMul(ref.viewNumel, ref.elementSize()));
        bytes = std::make_shared<SubByteSource>(bytes, start, size);
    }

    Tensor t;
    t.info.name = name;
    t.info.byteOrder = storage.order;
    StridedLayout layout;
    layout.byteOrder = storage.order;
    if (v.kind == Kind::PersistentId) { // a bare storage: all its elements as a vector
        t.info.dtype = ref.dtype.value_or(DType::UInt8);
        t.info.shape = { ref.viewNumel >= 0 ? ref.viewNumel : ref.numel };
        layout.strides = { 1 };
    } else {
        if (v.tensor().dtype) { // _rebuild_tensor_v3: the dtype is explicit, the storage untyped
            const auto d = torchDTypeFromGlobal(v.tensor().dtype->qualifiedName());
            if (!d)
                throw FormatError("unsupported dtype " + v.tensor().dtype->qualifiedName());
            t.info.dtype = *d;
        } else {
            t.info.dtype = ref.dtype.value_or(DType::UInt8);
        }
        if (v.tensor().storageOffset < 0)
            throw FormatError("negative storage offset");
        if (v.tensor().size.size() > kMaxRank)
            throw FormatError("tensor has " + std::to_string(v.tensor().size.size()) + " dimensions");
        t.info.shape = v.tensor().size;
        shapeNumel(t.info.shape); // rejects negative sizes
        layout.strides = v.tensor().stride;
        layout.byteOffset = static_cast<std::uint64_t>(
            checkedMul(v.tensor().storageOffset, static_cast<std::int64_t>(dtypeSize(t.info.dtype))));
    }
    t.info.location = storage.where + " (" + ref.location + ")";
    if (layout.byteOffset > 0)
        t.info.location += ", byte " + std::to_string(layout.byteOffset);
    t.data = std::make_shared<StridedTensorSource>(bytes, t.info.dtype, t.info.shape, layout);
    return t;
}

Checkpoint buildCheckpoint(
    const FileProbe& probe, std::string format, const pickle::Document& doc, const StorageResolver& resolve)
{
    Checkpoint c;
    c.path = probe.path;
    c.format = std::move(format);
    PickleWalk walk = walkTorchPickle(doc.root());
    if (walk.tensors.empty() && !doc.refusedCalls().empty() && walk.otherLeaves == 0) {
        const std::string& first = doc.refusedCalls().front();
        const std::string call = walk.refusedCalls.empty() ? first : walk.refusedCalls.front();
        if (first.rfind("torch.", 0) == 0) // torch's own rebuild functions we do not interpret
            throw CheckpointError(probe.path, "holds only objects this reader does not support (" + call + ")");
        throw CheckpointError(probe.path,
            "refuses to call " + first + ": the pickle's only content is a call to it (" + call
                + "), which was not run");
    }
    c.tensors.reserve(walk.tensors.size());
    for (const auto& [name, value] : walk.tensors) {
        try {
            c.tensors.push_back(value->kind == Kind::NumpyArray ? tensorFromPickledNumpyArray(name, *value)
                                                                : makeTensor(name, *value, resolve));
        } catch (const CheckpointError&) {
            throw;
        } catch (const std::exception& e) {
            throw CheckpointError(probe.path, "tensor '" + name + "': " + e.what());
        }
    }
    c.metadata = std::move(walk.metadata);
    if (!doc.refusedCalls().empty()) {
        std::set<std::string> seen;
        std::string names;
        for (const auto& call : doc.refusedCalls()) {
            if (seen.insert(call).second)
                names += (names.empty() ? "" : ", ") + call;
        }
        c.metadata["__refused_calls__"] = "not run: " + names;
    }
    return c;
}

// The file as bytes for the legacy pickles: the mapping when there is one, else its first
// 512 MiB (the pickles come first; the storages after them are read by offset).
std::span<const std::byte> fileBytes(const FileByteSource& file, std::vector<std::byte>& buffer)
{
    if (file.data())
        return { file.data(), file.size() };
    buffer = file.readVector(0, std::min<std::uint64_t>(file.size(), std::uint64_t(512) << 20));
    return buffer;
}

Checkpoint openLegacy(const FileProbe& probe)
{
    auto file = std::make_shared<FileByteSource>(probe.path);
    std::vector<std::byte> buffer;
    TorchLegacyFile legacy = readTorchLegacyFile(*file, fileBytes(*file, buffer));
    auto resolve = [&](const TorchStorageRef& ref) {
        auto it = legacy.storages.find(ref.key);
        if (it == legacy.storages.end())
            throw FormatError("storage " + ref.key + " has no data record");
        return StorageBytes { std::make_shared<SubByteSource>(file, it->second.dataOffset, it->second.nbytes),
            ByteOrder::Little, "storage " + ref.key };
    };
    return buildCheckpoint(probe, "PyTorch legacy", legacy.object, resolve);
}

Checkpoint openZipBytes(const FileProbe& probe, std::shared_ptr<const ByteSource> file, bool bytesAreTheFile)
{
    const auto archive = ZipArchive::open(probe.path, file, ZipOpenOptions { .insideAnotherFile = !bytesAreTheFile });
    const ZipArchive& zip = *archive;
    const auto root = archiveRoot(zip);
    if (!root)
        throw FormatError("no <archive>/data.pkl in the zip");
    const std::string prefix = *root + "/";

    ByteOrder order = ByteOrder::Little; // torch < 2.1 wrote no byteorder record: little-endian
    if (const auto* m = zip.find(prefix + "byteorder")) {
        if (m->size > 16)
            throw FormatError("byteorder record is " + std::to_string(m->size) + " bytes");
        const auto text = zip.memberBytes(*m, 16)->readString(0, m->size);
        if (text == "big")
            order = ByteOrder::Big;
        else if (text != "little")
            throw FormatError("byteorder record says '" + text + "'");
    }

    const auto* pklMember = zip.find(prefix + "data.pkl");
    // torch stores data.pkl; a deflated one may not take more memory than the file justifies.
    const std::uint64_t fileSize = file->size();
    const auto pklSource
        = zip.memberBytes(*pklMember, std::min(zip.inflateBudget(), (std::uint64_t(48) << 20) + fileSize));
    // A stored member is copied, not parsed in the file's mapping: the file could be truncated
    // while we parse. An inflated one is already a private copy.
    std::vector<std::byte> buffer;
    std::span<const std::byte> pkl;
    if (pklMember->method == ZipArchive::kStored) {
        buffer = pklSource->readVector(0, pklSource->size());
        pkl = buffer;
    } else {
        pkl = { pklSource->data(), pklSource->size() };
    }
    pickle::PickleOptions options;
    options.onPersistentId = [](const Value& pid) { parseTorchStorageId(pid); };
    options.maxGraphBytes = pickle::defaultGraphBudget(fileSize); // by the file, not the inflated pickle
    pickle::Document doc;
    try {
        doc = pickle::unpickle(pkl, options);
    } catch (const FormatError& e) {
        throw FormatError(prefix + "data.pkl: " + e.what());
    }

    std::map<std::string, StorageBytes> cache;
    auto resolve = [&](const TorchStorageRef& ref) {
        auto it = cache.find(ref.key);
        if (it == cache.end()) {
            const std::string record = "data/" + ref.key;
            const auto* m = zip.find(prefix + record);
            if (!m)
                throw FormatError("storage record " + record + " is missing from the archive");
            auto bytes = zip.memberBytes(*m, zip.inflateBudget());
            it = cache.emplace(ref.key, StorageBytes { bytes, order, record }).first;
        }
        StorageBytes s = it->second;
        const auto nbytes = static_cast<std::uint64_t>(ref.nbytes());
        if (s.bytes->size() < nbytes)
            throw FormatError("storage record " + s.where + " holds " + std::to_string(s.bytes->size()) + " bytes, its "
                + ref.className + " of " + std::to_string(ref.numel) + " elements needs " + std::to_string(nbytes));
        if (s.bytes->size() > nbytes)
            s.bytes = std::make_shared<SubByteSource>(s.bytes, 0, nbytes);
        return s;
    };
    const bool torchScript = zip.find(prefix + "constants.pkl") != nullptr;
    return buildCheckpoint(probe, torchScript ? "TorchScript" : "PyTorch zip", doc, resolve);
}

Checkpoint openZip(const FileProbe& probe)
{
    return openZipBytes(probe, std::make_shared<FileByteSource>(probe.path), true);
}

bool looksLikeTorchZip(const FileProbe& probe)
{
    if (!probe.startsWith(std::string_view("PK\3\4", 4)) || probe.head.size() < 30)
        return false;
    const std::size_t nameLen = probe.head[26] | (std::size_t(probe.head[27]) << 8);
    if (probe.head.size() >= 30 + nameLen && isDataPkl(asText(std::span(probe.head).subspan(30, nameLen))))
        return true; // torch writes data.pkl first
    try { // a rewritten archive may order its members differently
        return archiveRoot(*ZipArchive::open(probe.path, std::make_shared<FileByteSource>(probe.path))).has_value();
    } catch (const std::exception&) {
        return false;
    }
}
} // namespace

bool TorchReader::matches(const FileProbe& probe) const
{
    if (looksLikeTorchZip(probe))
        return true;
    return isTorchLegacyHead(std::as_bytes(std::span(probe.head)));
}

void TorchReader::read(const FileProbe& probe, Checkpoint& c) const
{
    const bool zip = probe.startsWith(std::string_view("PK\3\4", 4));
    try {
        c = zip ? openZip(probe) : openLegacy(probe);
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::exception& e) { // which of the two layouts it was read as
        throw FormatError(std::string(zip ? "PyTorch zip: " : "PyTorch legacy: ") + e.what());
    }
}

Checkpoint openTorchZipBytes(const std::string& where, std::shared_ptr<const ByteSource> bytes)
{
    FileProbe probe;
    probe.path = where;
    probe.size = bytes->size();
    try {
        return openZipBytes(probe, std::move(bytes), false);
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::exception& e) {
        throw CheckpointError(where, std::string("PyTorch zip: ") + e.what());
    }
}

} // namespace ckpt
