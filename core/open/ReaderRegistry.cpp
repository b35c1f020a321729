#include "open/ReaderRegistry.h"

#include "base/CheckpointError.h"
#include "formats/flax/FlaxMsgpackReader.h"
#include "formats/gguf/GgufReader.h"
#include "formats/hdf5/Hdf5Reader.h"
#include "formats/keras/KerasArchiveReader.h"
#include "formats/mxnet/MxnetReader.h"
#include "formats/numpy/NpyReader.h"
#include "formats/numpy/NpzReader.h"
#include "formats/onnx/OnnxReader.h"
#include "formats/safetensors/SafetensorsReader.h"
#include "formats/tfcheckpoint/BundleFiles.h"
#include "formats/tfcheckpoint/TfCheckpointReader.h"
#include "formats/torch/DistributedCheckpointReader.h"
#include "formats/torch/TorchReader.h"
#include "open/ModelFolder.h"
#include "open/ShardedIndexReader.h"

#include <filesystem>

namespace ckpt {

const std::vector<std::unique_ptr<FormatReader>>& allReaders()
{
    static const auto readers = [] {
        std::vector<std::unique_ptr<FormatReader>> r;
        r.push_back(std::make_unique<Hdf5Reader>());
        r.push_back(std::make_unique<NpyReader>());
        r.push_back(std::make_unique<NpzReader>());
        r.push_back(std::make_unique<SafetensorsReader>());
        r.push_back(std::make_unique<ShardedIndexReader>());
        r.push_back(std::make_unique<MxnetReader>());
        r.push_back(std::make_unique<DistributedCheckpointReader>());
        r.push_back(std::make_unique<TorchReader>());
        r.push_back(std::make_unique<KerasArchiveReader>());
        r.push_back(std::make_unique<TfCheckpointReader>());
        r.push_back(std::make_unique<GgufReader>());
        // A msgpack map is recognised by its first bytes only: after every format with a magic.
        r.push_back(std::make_unique<FlaxMsgpackReader>());
        // ONNX has no magic number: its protobuf sniff comes after every reader that has one.
        r.push_back(std::make_unique<OnnxReader>());
        return r;
    }();
    return readers;
}

namespace {

// Every library we read stops far below this (torch and numpy at 64, HDF5 at 32); a file that
// declares more is refused before a view allocates per-axis controls for it.
constexpr std::size_t kMaxRank = 64;

Checkpoint checkedRanks(Checkpoint c)
{
    for (const auto& t : c.tensors)
        if (t.info.shape.size() > kMaxRank)
            throw CheckpointError(c.path,
                "tensor '" + t.info.name + "' has " + std::to_string(t.info.shape.size()) + " dimensions; at most "
                    + std::to_string(kMaxRank) + " are read");
    return c;
}

} // namespace

static Checkpoint openFile(const std::string& path);

Checkpoint openCheckpoint(const std::string& path)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(path, ec))
        return openFile(path);
    const FolderChoice choice = checkpointInFolder(path);
    Checkpoint c = openFile(choice.path);
    c.metadata["opened_from_folder"] = choice.why;
    nlohmann::ordered_json config = modelConfig(path); // items() must not outlive it
    for (auto& [key, value] : config.items())
        c.metadata["config/" + key] = std::move(value);
    return c;
}

static Checkpoint openFile(const std::string& path)
{
    // A TensorFlow bundle is named by its prefix ("mlp.params") or a data shard: open its index.
    const FileProbe probe = FileProbe::read(bundleIndexFor(path).value_or(path));
    if (probe.size == 0)
        throw CheckpointError(path, "file is empty");
    std::string failures;
    for (const auto& reader : allReaders()) {
        if (!reader->matches(probe))
            continue;
        try {
            return checkedRanks(reader->open(probe));
        } catch (const CheckpointError& e) { // open() names every failure so
            if (!failures.empty())
                failures += "; ";
            failures += e.reason();
        }
    }
    if (!failures.empty())
        throw CheckpointError(path, failures);
    throw CheckpointError(path,
        "not a recognised checkpoint format (" + std::to_string(probe.size) + " bytes; first bytes " + probe.headHex()
            + ", last bytes " + probe.tailHex() + ")");
}

} // namespace ckpt
