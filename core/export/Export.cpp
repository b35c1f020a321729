#include "export/Export.h"

#include "base/CheckpointError.h"
#include "export/CastSource.h"
#include "model/MlpBuilder.h"
#include "numerics/Stats.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <sys/statvfs.h>

namespace ckpt {

namespace {

std::map<std::string, std::string> stringMetadata(const Checkpoint& c)
{
    std::map<std::string, std::string> out;
    for (const auto& [key, value] : c.metadata.items()) {
        const std::string k = key.rfind("__metadata__/", 0) == 0 ? key.substr(13) : key;
        out[k] = value.is_string() ? value.get<std::string>() : value.dump();
    }
    return out;
}

// An output larger than the free space of its disk would be written until the disk is full:
// refused before a byte is written (a compressed output may be smaller, so it is not checked).
// The MLP the exported parameters make, described for --with-architecture.
nlohmann::ordered_json architectureOf(const std::vector<Tensor>& tensors, const std::string& path)
{
    Checkpoint exported;
    exported.path = path;
    exported.tensors = tensors;
    try {
        return architectureJson(buildMlp(exported));
    } catch (const std::invalid_argument& e) {
        throw CheckpointError(path, std::string("--with-architecture: ") + e.what());
    }
}

void checkFreeSpace(const std::string& path, std::uint64_t bytes, bool compressed)
{
    if (compressed)
        return;
    std::string folder = std::filesystem::path(path).parent_path().string();
    struct statvfs disk { };
    if (statvfs(folder.empty() ? "." : folder.c_str(), &disk) != 0)
        return;
    const std::uint64_t available = std::uint64_t(disk.f_bavail) * disk.f_frsize;
    if (bytes > available)
        throw CheckpointError(path,
            "needs " + std::to_string(bytes >> 20) + " MiB of tensor data but its disk has "
                + std::to_string(available >> 20) + " MiB free");
}

} // namespace

ExportSummary exportCheckpoint(const Checkpoint& source, const std::string& path, const ExportOptions& o)
{
    ExportSummary summary;
    summary.path = path;
    const FormatWriter* writer = nullptr;
    try {
        writer = &writerFor(path);
    } catch (const std::invalid_argument& e) {
        throw CheckpointError(path, e.what());
    }
    summary.format = std::string(writer->name());
    std::vector<Tensor> tensors;
    try {
        tensors = selectTensors(source, o.selection);
    } catch (const std::invalid_argument& e) {
        throw CheckpointError(source.path, e.what());
    }
    for (auto& t : tensors) {
        if (writer->holds(t.info.dtype))
            continue;
        if (o.castToFloat32 && isFloating(t.info.dtype)) {
            t = castToFloat32(t);
            continue;
        }
        throw CheckpointError(path,
            "'" + t.info.name + "' is " + std::string(dtypeName(t.info.dtype)) + ", which " + summary.format
                + " cannot hold" + (isFloating(t.info.dtype) ? " (use --cast float32)" : ""));
    }
    std::uint64_t total = 0; // saturating: declared sizes can be astronomic
    for (const auto& t : tensors) {
        summary.names.push_back(t.info.name);
        total = std::min<std::uint64_t>(total + std::uint64_t(t.info.nbytes()), std::uint64_t(1) << 62);
    }
    summary.bytes = std::int64_t(total);
    checkFreeSpace(path, total, o.compress && writer->compresses());
    WriteOptions w;
    w.compress = o.compress;
    w.overwrite = o.overwrite;
    w.sources = { source.path };
    w.cancel = o.cancel;
    if (o.progress)
        w.progress = [&o](std::int64_t done, std::int64_t all) {
            if (all > 0)
                o.progress(double(done) / double(all));
        };
    if (source.metadata.size() < 4096)
        w.metadata = stringMetadata(source);
    if (o.withArchitecture && writer->holdsArchitecture())
        w.architecture = architectureOf(tensors, path);
    try {
        writer->write(path, tensors, w);
    } catch (const CheckpointError&) {
        throw;
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        throw CheckpointError(path, e.what());
    }
    return summary;
}

} // namespace ckpt
