#include "formats/keras/KerasArchiveReader.h"

#include "base/BoundedJson.h"
#include "base/CheckpointError.h"
#include "codec/ZipArchive.h"
#include "formats/hdf5/Hdf5Reader.h"
#include "formats/hdf5/Keras3Names.h"
#include "io/ByteSource.h"

#include <nlohmann/json.hpp>

namespace ckpt {

namespace {

constexpr std::string_view kWeights = "model.weights.h5";
constexpr std::uint64_t kMaxJsonBytes = 64 << 20;

nlohmann::ordered_json readJsonMember(const ZipArchive& archive, const ZipArchive::Member& member)
{
    if (member.size > kMaxJsonBytes)
        throw FormatError(member.name + " is " + std::to_string(member.size) + " bytes, too large for a config");
    const std::string text = archive.memberBytes(member)->readString(0, static_cast<std::size_t>(member.size));
    // Bounded: config.dump() below recurses once per level (a 100000-deep config.json overflowed
    // the stack), and an ordered_json object of a million keys takes hours to parse.
    std::string why;
    auto json = parseBoundedJson(text, &why);
    if (json.is_discarded())
        throw FormatError(member.name + " is " + (why == "not valid JSON" ? why : "refused: " + why));
    return json;
}

} // namespace

bool KerasArchiveReader::matches(const FileProbe& probe) const
{
    if (!probe.startsWith(std::string_view("PK\3\4", 4)) || probe.head.size() < 30)
        return false;
    const std::size_t nameLen = probe.head[26] | (std::size_t(probe.head[27]) << 8);
    if (probe.head.size() < 30 + nameLen)
        return false;
    const std::string_view first(reinterpret_cast<const char*>(probe.head.data()) + 30, nameLen);
    return first == "metadata.json" || first == "config.json" || first == kWeights;
}

void KerasArchiveReader::read(const FileProbe& probe, Checkpoint& ckpt) const
{
    std::shared_ptr<ZipArchive> archive;
    nlohmann::ordered_json config, metadata;
    std::vector<std::byte> image;
    archive = ZipArchive::open(
        probe.path, std::make_shared<FileByteSource>(probe.path), ZipOpenOptions { .checkConsistency = true });
    const auto* weights = archive->find(kWeights);
    if (!weights) {
        if (archive->find("model.weights.npz"))
            throw FormatError("weights stored as model.weights.npz are not supported yet");
        throw FormatError("zip archive has no model.weights.h5 (not a .keras file)");
    }
    if (const auto* m = archive->find("config.json"))
        config = readJsonMember(*archive, *m);
    if (const auto* m = archive->find("metadata.json"))
        metadata = readJsonMember(*archive, *m);
    // libhdf5 cannot read from inside a zip, so the weights file is opened from memory.
    if (weights->size > ZipArchive::kMaxInflatedBytes)
        throw FormatError(std::string(kWeights) + " is " + std::to_string(weights->size) + " bytes, more than the "
            + std::to_string(ZipArchive::kMaxInflatedBytes) + " bytes we read into memory");
    image = archive->memberBytes(*weights)->readVector(0, static_cast<std::size_t>(weights->size));

    const nlohmann::json plainConfig = config.is_object() ? nlohmann::json::parse(config.dump()) : nlohmann::json();
    try {
        ckpt = openHdf5File(
            probe.path + "/" + std::string(kWeights), probe.path, &image, config.is_object() ? &plainConfig : nullptr);
    } catch (const CheckpointError& e) {
        throw CheckpointError(probe.path, std::string(kWeights) + ": " + e.reason());
    }
    ckpt.format = "Keras archive (.keras)";
    if (metadata.is_object())
        for (auto& [key, value] : metadata.items())
            ckpt.metadata["metadata.json/" + key] = value;
    if (config.is_object()) {
        if (config.contains("class_name"))
            ckpt.metadata["config.json/class_name"] = config["class_name"];
        ckpt.metadata["config.json"] = config.dump();
    }
}

} // namespace ckpt
