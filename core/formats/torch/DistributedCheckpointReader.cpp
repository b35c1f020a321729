#include "formats/torch/DistributedCheckpointReader.h"

#include "base/CheckpointError.h"
#include "formats/torch/TorchReader.h"
#include "formats/torch/TorchStorage.h"
#include "io/ByteSource.h"
#include "io/ContainedPath.h"
#include "pickle/Unpickler.h"
#include "tensor/AssembledSource.h"

#include <map>
#include <set>

namespace ckpt {

using pickle::Kind;
using pickle::Value;

namespace {

constexpr std::string_view kMetadataModule = "torch.distributed.checkpoint.metadata";
constexpr std::uint64_t kMaxMetadataBytes = std::uint64_t(256) << 20;
constexpr std::size_t kMaxChunks = 4096; // per tensor (AssembledSource checks every pair)

// Where one chunk's bytes are: a file beside .metadata, an offset and a length.
struct ChunkPlace {
    std::string file;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

bool isObjectOf(const Value* v, std::string_view name)
{
    return v && v->kind == Kind::Object && v->name == name;
}

std::int64_t integer(const Value* v, const std::string& what)
{
    if (!v || v->kind != Kind::Int || v->integer < 0)
        throw FormatError(what + " is not a non-negative integer");
    return v->integer;
}

// A torch.Size (read as a tuple of integers).
std::vector<std::int64_t> sizeOf(const Value* v, const std::string& what)
{
    if (!v || v->kind != Kind::Tuple || v->items.size() > 64)
        throw FormatError(what + " is not a torch.Size");
    std::vector<std::int64_t> out;
    for (const Value* x : v->items)
        out.push_back(integer(x, what));
    return out;
}

std::string text(const Value* v, const std::string& what)
{
    if (!v || v->kind != Kind::String)
        throw FormatError(what + " is not a string");
    return v->text;
}

// storage_data: {MetadataIndex(fqn, offset, index): _StorageInfo(relative_path, offset, length)},
// keyed here by fqn and the chunk's offsets.
std::map<std::pair<std::string, std::vector<std::int64_t>>, ChunkPlace> chunkPlaces(const Value* storage)
{
    std::map<std::pair<std::string, std::vector<std::int64_t>>, ChunkPlace> places;
    if (!storage || storage->kind != Kind::Dict)
        throw FormatError("its storage_data is not a dict");
    for (const auto& [key, info] : storage->entries) {
        if (!isObjectOf(key, "MetadataIndex") || !isObjectOf(info, "_StorageInfo"))
            throw FormatError("storage_data holds something else than MetadataIndex: _StorageInfo");
        const std::string fqn = text(key->attribute("fqn"), "a MetadataIndex's fqn");
        const Value* offset = key->attribute("offset");
        std::vector<std::int64_t> offsets;
        if (offset && offset->kind != Kind::None)
            offsets = sizeOf(offset, "the offset of '" + fqn + "'");
        ChunkPlace place { text(info->attribute("relative_path"), "a relative_path"),
            static_cast<std::uint64_t>(integer(info->attribute("offset"), "an offset")),
            static_cast<std::uint64_t>(integer(info->attribute("length"), "a length")) };
        places[{ fqn, offsets }] = place;
    }
    return places;
}

// The bytes of one chunk: the torch.save zip it is, read by the PyTorch reader.
std::shared_ptr<const TensorDataSource> chunkData(const std::string& metadataPath, const ChunkPlace& place,
    std::map<std::string, std::shared_ptr<const ByteSource>>& files, const std::string& where)
{
    auto& file = files[place.file];
    if (!file)
        file = std::make_shared<FileByteSource>(
            containedPath(metadataPath, place.file, "data file '" + place.file + "'"));
    if (place.offset > file->size() || place.length > file->size() - place.offset)
        throw FormatError(where + " lies past the end of " + place.file);
    auto bytes = std::make_shared<SubByteSource>(file, place.offset, place.length);
    const Checkpoint saved = openTorchZipBytes(place.file + " at offset " + std::to_string(place.offset), bytes);
    if (saved.tensors.size() != 1)
        throw FormatError(where + " does not hold one tensor");
    return saved.tensors.front().data;
}

Tensor assemble(const std::string& metadataPath, const std::string& fqn, const Value& meta,
    const std::map<std::pair<std::string, std::vector<std::int64_t>>, ChunkPlace>& places,
    std::map<std::string, std::shared_ptr<const ByteSource>>& files)
{
    const Value* properties = meta.attribute("properties");
    const Value* state = properties ? properties->state : nullptr;
    const Value* dtypeGlobal = state && state->kind == Kind::Tuple && !state->items.empty() ? state->items[0] : nullptr;
    const auto dtype = dtypeGlobal && dtypeGlobal->kind == Kind::Global
        ? torchDTypeFromGlobal(dtypeGlobal->qualifiedName())
        : std::nullopt;
    if (!dtype)
        throw FormatError("its dtype is not a torch dtype we read");
    Tensor t;
    t.info.name = fqn;
    t.info.dtype = *dtype;
    t.info.shape = sizeOf(meta.attribute("size"), "its size");
    const Value* chunks = meta.attribute("chunks");
    if (!chunks || chunks->kind != Kind::List)
        throw FormatError("its chunks are not a list");
    if (chunks->items.size() > kMaxChunks)
        throw FormatError("it has more than " + std::to_string(kMaxChunks) + " chunks");
    std::vector<TensorPiece> pieces;
    std::set<std::string> fileNames;
    for (const Value* chunk : chunks->items) {
        if (!isObjectOf(chunk, "ChunkStorageMetadata"))
            throw FormatError("a chunk is not a ChunkStorageMetadata");
        const auto offsets = sizeOf(chunk->attribute("offsets"), "a chunk's offsets");
        const auto sizes = sizeOf(chunk->attribute("sizes"), "a chunk's sizes");
        const auto place = places.find({ fqn, offsets });
        if (place == places.end())
            throw FormatError("the chunk at " + shapeToString(offsets) + " has no storage entry");
        auto data = chunkData(metadataPath, place->second, files, "the chunk at " + shapeToString(offsets));
        if (data->shape() != sizes || data->dtype() != *dtype)
            throw FormatError("the chunk at " + shapeToString(offsets) + " holds "
                + std::string(dtypeName(data->dtype())) + " " + shapeToString(data->shape()) + ", its metadata says "
                + shapeToString(sizes));
        fileNames.insert(place->second.file);
        pieces.push_back({ offsets, std::move(data) });
    }
    const std::size_t count = pieces.size();
    t.data = std::make_shared<AssembledSource>(*dtype, t.info.shape, std::move(pieces));
    std::string in;
    for (const auto& f : fileNames)
        in += (in.empty() ? "" : ", ") + f;
    t.info.location = std::to_string(count) + (count == 1 ? " chunk in " : " chunks in ") + in;
    return t;
}

} // namespace

bool DistributedCheckpointReader::matches(const FileProbe& probe) const
{
    if (probe.head.empty() || probe.head[0] != 0x80)
        return false;
    const std::string_view head(reinterpret_cast<const char*>(probe.head.data()), probe.head.size());
    return head.find(kMetadataModule) != std::string_view::npos;
}

void DistributedCheckpointReader::read(const FileProbe& probe, Checkpoint& c) const
{
    std::string current;
    try {
        if (probe.size > kMaxMetadataBytes)
            throw FormatError("its .metadata is larger than 256 MiB");
        const FileByteSource file(probe.path);
        const auto bytes = file.readVector(0, static_cast<std::size_t>(file.size()));
        pickle::PickleOptions options;
        options.maxGraphBytes = pickle::defaultGraphBudget(file.size());
        const pickle::Document doc = pickle::unpickle(bytes, options);
        const Value& root = doc.root();
        if (!isObjectOf(&root, "Metadata") || root.module != kMetadataModule)
            throw FormatError("the pickle is not a torch.distributed.checkpoint Metadata");
        const Value* state = root.attribute("state_dict_metadata");
        if (!state || state->kind != Kind::Dict)
            throw FormatError("its state_dict_metadata is not a dict");
        const auto places = chunkPlaces(root.attribute("storage_data"));
        std::map<std::string, std::shared_ptr<const ByteSource>> files;
        for (const auto& [key, meta] : state->entries) {
            current = text(key, "a state_dict key");
            if (isObjectOf(meta, "BytesStorageMetadata")) {
                c.metadata[current] = "<a pickled object (bytes item), not unpickled>";
            } else if (isObjectOf(meta, "TensorStorageMetadata")) {
                c.tensors.push_back(assemble(probe.path, current, *meta, places, files));
            } else {
                c.metadata[current] = "<" + std::string(pickle::kindName(meta->kind)) + " entry>";
            }
            current.clear();
        }
    } catch (const CheckpointError& e) {
        throw CheckpointError(probe.path, current.empty() ? e.reason() : "'" + current + "': " + e.reason());
    } catch (const std::exception& e) {
        throw FormatError(current.empty() ? e.what() : "'" + current + "': " + std::string(e.what()));
    }
}

} // namespace ckpt
