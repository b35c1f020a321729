#include "open/ModelFolder.h"

#include "base/CheckpointError.h"
#include "formats/FileProbe.h"
#include "open/ReaderRegistry.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace ckpt {

namespace fs = std::filesystem;

namespace {

// Hugging Face's file names, in the order transformers prefers them, then TensorFlow's.
struct KnownName {
    const char* name;
    const char* what;
};
constexpr KnownName kKnownNames[] = {
    { "model.safetensors.index.json", "the index of a sharded safetensors checkpoint" },
    { "model.safetensors", "a Hugging Face safetensors checkpoint" },
    { "pytorch_model.bin.index.json", "the index of a sharded PyTorch checkpoint" },
    { "pytorch_model.bin", "a Hugging Face PyTorch checkpoint" },
    { "variables/variables.index", "the variables of a TensorFlow SavedModel" },
    { "tf_model.h5", "a Hugging Face Keras checkpoint" },
    { "flax_model.msgpack.index.json", "the index of a sharded Flax checkpoint" },
    { "flax_model.msgpack", "a Hugging Face Flax checkpoint" },
    { ".metadata", "the metadata of a PyTorch Distributed Checkpoint (its tensors are in the .distcp files)" },
};

constexpr std::size_t kMaxEntries = 4096;

bool isRegularFile(const fs::path& p)
{
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

// TensorFlow's `checkpoint` file: model_checkpoint_path: "model.ckpt-1000" (the latest one).
std::string latestTfCheckpoint(const fs::path& folder)
{
    std::ifstream in(folder / "checkpoint");
    std::string line;
    const std::string key = "model_checkpoint_path:";
    for (int n = 0; n < 64 && std::getline(in, line); ++n) {
        if (line.rfind(key, 0) != 0)
            continue;
        const auto open = line.find('"');
        const auto close = line.rfind('"');
        if (open == std::string::npos || close <= open)
            return {};
        const std::string prefix = line.substr(open + 1, close - open - 1);
        if (prefix.empty() || prefix.find('/') != std::string::npos || prefix.find("..") != std::string::npos)
            return {};
        return isRegularFile(folder / (prefix + ".index")) ? prefix + ".index" : std::string();
    }
    return {};
}

// Files in the folder (not below it) that one of our readers recognises by content; config and
// tokenizer JSON are left out (an index is JSON too, but it names its shards).
std::vector<std::string> checkpointFiles(const fs::path& folder)
{
    std::vector<std::string> found;
    std::error_code ec;
    std::size_t seen = 0;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        if (++seen > kMaxEntries)
            break;
        if (!isRegularFile(entry.path()))
            continue;
        const std::string name = entry.path().filename().string();
        if (name.size() > 5 && name.substr(name.size() - 5) == ".json" && name.find(".index.json") == std::string::npos)
            continue;
        if (name.find(".data-") != std::string::npos)
            continue; // a TensorFlow data shard: its .index is the checkpoint
        try {
            const FileProbe probe = FileProbe::read(entry.path().string());
            for (const auto& reader : allReaders())
                if (probe.size > 0 && reader->matches(probe)) {
                    found.push_back(name);
                    break;
                }
        } catch (const CheckpointError&) {
        }
    }
    std::sort(found.begin(), found.end());
    return found;
}

} // namespace

FolderChoice checkpointInFolder(const std::string& folderPath)
{
    const fs::path folder(folderPath);
    for (const auto& known : kKnownNames)
        if (isRegularFile(folder / known.name))
            return { (folder / known.name).string(), std::string(known.name) + ": " + known.what };
    if (const std::string latest = latestTfCheckpoint(folder); !latest.empty())
        return { (folder / latest).string(),
            latest + ": the latest TensorFlow checkpoint named by the folder's 'checkpoint' file" };
    const auto files = checkpointFiles(folder);
    if (files.size() == 1)
        return { (folder / files[0]).string(), files[0] + ": the only checkpoint file in the folder" };
    if (files.empty())
        throw CheckpointError(folderPath,
            "a folder with no checkpoint file in it (nor a model folder's "
            "model.safetensors, pytorch_model.bin, saved_model.pb + variables/, ...)");
    std::string list;
    for (std::size_t i = 0; i < files.size() && i < 8; ++i)
        list += (i ? ", " : "") + files[i];
    if (files.size() > 8)
        list += ", …";
    throw CheckpointError(
        folderPath, "a folder with " + std::to_string(files.size()) + " checkpoint files; open one of them: " + list);
}

nlohmann::ordered_json modelConfig(const std::string& folderPath)
{
    constexpr std::uintmax_t kMaxConfigBytes = 1 << 20;
    nlohmann::ordered_json scalars = nlohmann::ordered_json::object();
    const fs::path config = fs::path(folderPath) / "config.json";
    std::error_code ec;
    if (!isRegularFile(config) || fs::file_size(config, ec) > kMaxConfigBytes || ec)
        return scalars;
    std::ifstream in(config, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto json = nlohmann::ordered_json::parse(text, nullptr, false);
    if (!json.is_object())
        return scalars;
    for (const auto& [key, value] : json.items())
        if (value.is_primitive() && scalars.size() < 256)
            scalars[key] = value;
    return scalars;
}

} // namespace ckpt
