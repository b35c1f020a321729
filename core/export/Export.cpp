#include "export/Export.h"

#include "export/CastSource.h"
#include "formats/hdf5/Hdf5Writer.h"
#include "formats/numpy/NpzWriter.h"
#include "formats/safetensors/SafetensorsWriter.h"
#include "model/MlpBuilder.h"
#include "numerics/Stats.h"
#include "base/CheckpointError.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <sys/statvfs.h>

namespace ckpt {

ExportFormat exportFormatFor(const std::string& path)
{
    std::string ext = std::filesystem::path(path).extension().string();
    for (auto& ch : ext)
        ch = char(std::tolower((unsigned char)ch));
    if (ext == ".h5" || ext == ".hdf5")
        return ExportFormat::Hdf5;
    if (ext == ".safetensors")
        return ExportFormat::Safetensors;
    if (ext == ".npz")
        return ExportFormat::Npz;
    throw std::invalid_argument(
        "cannot tell the output format from '" + path + "': use .h5/.hdf5, .safetensors or .npz");
}

std::string_view exportFormatName(ExportFormat f)
{
    switch (f) {
    case ExportFormat::Hdf5:
        return "HDF5";
    case ExportFormat::Safetensors:
        return "safetensors";
    case ExportFormat::Npz:
        return "npz";
    }
    return "?";
}

namespace {

bool formatHolds(ExportFormat f, DType d)
{
    switch (f) {
    case ExportFormat::Hdf5:
        return true;
    case ExportFormat::Safetensors:
        return safetensorsDtypeName(d).has_value();
    case ExportFormat::Npz:
        return npyDescr(d).has_value();
    }
    return false;
}

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
    try {
        summary.format = exportFormatFor(path);
    } catch (const std::invalid_argument& e) {
        throw CheckpointError(path, e.what());
    }
    std::vector<Tensor> tensors;
    try {
        tensors = selectTensors(source, o.selection);
    } catch (const std::invalid_argument& e) {
        throw CheckpointError(source.path, e.what());
    }
    for (auto& t : tensors) {
        if (formatHolds(summary.format, t.info.dtype))
            continue;
        if (o.castToFloat32 && isFloating(t.info.dtype)) {
            t = castToFloat32(t);
            continue;
        }
        throw CheckpointError(path,
            "'" + t.info.name + "' is " + std::string(dtypeName(t.info.dtype)) + ", which "
                + std::string(exportFormatName(summary.format)) + " cannot hold"
                + (isFloating(t.info.dtype) ? " (use --cast float32)" : ""));
    }
    std::uint64_t total = 0; // saturating: declared sizes can be astronomic
    for (const auto& t : tensors) {
        summary.names.push_back(t.info.name);
        total = std::min<std::uint64_t>(total + std::uint64_t(t.info.nbytes()), std::uint64_t(1) << 62);
    }
    summary.bytes = std::int64_t(total);
    checkFreeSpace(path, total, o.compress);
    const std::vector<std::string> sources { source.path };
    auto progressBytes = [&](std::int64_t done, std::int64_t total) {
        if (o.progress && total > 0)
            o.progress(double(done) / double(total));
    };
    try {
        switch (summary.format) {
        case ExportFormat::Hdf5: {
            Hdf5WriteOptions w;
            w.compress = o.compress;
            w.overwrite = o.overwrite;
            w.sources = sources;
            w.cancel = o.cancel;
            Hdf5Writer writer(path, w);
            std::int64_t done = 0;
            for (const auto& t : tensors) {
                if (o.cancel && o.cancel->load())
                    throw Cancelled();
                writer.addTensor(t);
                done += t.info.nbytes();
                progressBytes(done, summary.bytes);
            }
            if (o.withArchitecture) {
                Checkpoint exported;
                exported.path = path;
                exported.tensors = tensors;
                try {
                    writer.setAttribute("architecture", architectureJson(buildMlp(exported)));
                } catch (const std::invalid_argument& e) {
                    throw CheckpointError(path, std::string("--with-architecture: ") + e.what());
                }
            }
            writer.commit();
            break;
        }
        case ExportFormat::Safetensors: {
            SafetensorsWriteOptions w;
            w.overwrite = o.overwrite;
            w.sources = sources;
            w.cancel = o.cancel;
            w.progress = progressBytes;
            for (const auto& [k, v] : stringMetadata(source))
                if (source.metadata.size() < 4096)
                    w.metadata[k] = v;
            writeSafetensors(path, tensors, w);
            break;
        }
        case ExportFormat::Npz: {
            NpzWriteOptions w;
            w.compress = o.compress;
            w.overwrite = o.overwrite;
            w.sources = sources;
            w.cancel = o.cancel;
            w.progress = progressBytes;
            writeNpz(path, tensors, w);
            break;
        }
        }
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
