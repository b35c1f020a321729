#include "formats/safetensors/SafetensorsWriter.h"

#include "base/CheckpointError.h"
#include "output/AtomicOutput.h"
#include "tensor/TensorChunks.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace ckpt {

std::optional<std::string> safetensorsDtypeName(DType d)
{
    switch (d) {
    case DType::Float64:
        return "F64";
    case DType::Float32:
        return "F32";
    case DType::Float16:
        return "F16";
    case DType::BFloat16:
        return "BF16";
    case DType::Float8E4M3FN:
        return "F8_E4M3";
    case DType::Float8E5M2:
        return "F8_E5M2";
    case DType::Int64:
        return "I64";
    case DType::Int32:
        return "I32";
    case DType::Int16:
        return "I16";
    case DType::Int8:
        return "I8";
    case DType::UInt64:
        return "U64";
    case DType::UInt32:
        return "U32";
    case DType::UInt16:
        return "U16";
    case DType::UInt8:
        return "U8";
    case DType::Bool:
        return "BOOL";
    default:
        return std::nullopt;
    }
}

namespace {
struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
} // namespace

void writeSafetensors(const std::string& path, const std::vector<Tensor>& tensors, const WriteOptions& o)
{
    for (const auto& t : tensors)
        if (!safetensorsDtypeName(t.info.dtype))
            throw CheckpointError(path,
                "'" + t.info.name + "' is " + std::string(dtypeName(t.info.dtype)) + ", which safetensors cannot hold");
    std::vector<const Tensor*> order;
    for (const auto& t : tensors)
        order.push_back(&t);
    std::stable_sort(order.begin(), order.end(), [](const Tensor* a, const Tensor* b) {
        const auto sa = dtypeSize(a->info.dtype), sb = dtypeSize(b->info.dtype);
        return sa != sb ? sa > sb : a->info.name < b->info.name;
    });

    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!o.metadata.empty())
        header["__metadata__"] = o.metadata;
    std::int64_t offset = 0;
    for (const Tensor* t : order) {
        const std::int64_t n = t->info.nbytes();
        header[t->info.name] = { { "dtype", *safetensorsDtypeName(t->info.dtype) }, { "shape", t->info.shape },
            { "data_offsets", { offset, offset + n } } };
        offset += n;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');

    AtomicOutput output(path, o.overwrite, o.sources);
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(output.tempPath().c_str(), "wb"));
    if (!f)
        throw CheckpointError(path, std::string("cannot write: ") + std::strerror(errno));
    auto put = [&](const void* data, std::size_t n) {
        if (std::fwrite(data, 1, n, f.get()) != n)
            throw CheckpointError(path, std::string("write failed: ") + std::strerror(errno));
    };
    std::uint8_t length[8];
    for (int i = 0; i < 8; ++i)
        length[i] = std::uint8_t(std::uint64_t(text.size()) >> (8 * i));
    put(length, 8);
    put(text.data(), text.size());
    std::int64_t done = 0;
    for (const Tensor* t : order) {
        forEachChunk(
            *t,
            [&](const TensorChunk& chunk) {
                put(chunk.data, chunk.bytes);
                done += std::int64_t(chunk.bytes);
                if (o.progress)
                    o.progress(done, offset);
            },
            o.cancel);
    }
    if (std::fflush(f.get()) != 0)
        throw CheckpointError(path, std::string("write failed: ") + std::strerror(errno));
    f.reset();
    output.commit();
}

} // namespace ckpt
