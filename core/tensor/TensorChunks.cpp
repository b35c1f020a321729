#include "tensor/TensorChunks.h"

#include "base/Cancelled.h"

#include <algorithm>
#include <vector>

namespace ckpt {

ChunkPlan planChunks(const Tensor& tensor, const ChunkShape& shape)
{
    ChunkPlan plan;
    plan.numel = tensor.info.numel();
    std::int64_t elements = std::max<std::int64_t>(1, shape.targetElements);
    const std::int64_t run = shape.maxStorageRun > 0 ? tensor.data->storageRunElements() : 0;
    if (run >= elements && run <= shape.maxStorageRun)
        elements = run;
    const std::int64_t row = std::max<std::int64_t>(1, shape.rowElements);
    plan.chunkElements = std::max<std::int64_t>(1, elements / row) * row;
    return plan;
}

void forEachChunk(const Tensor& tensor, const ChunkShape& shape, const std::function<void(const TensorChunk&)>& sink,
    const std::atomic<bool>* cancel)
{
    const ChunkPlan plan = planChunks(tensor, shape);
    const std::size_t elem = dtypeSize(tensor.info.dtype);
    std::vector<std::byte> buffer(std::size_t(std::min(plan.numel, plan.chunkElements)) * elem);
    for (std::int64_t i = 0; i < plan.chunks(); ++i) {
        if (cancel && cancel->load())
            throw Cancelled();
        TensorChunk chunk { buffer.data(), plan.first(i), plan.count(i), 0 };
        chunk.bytes = std::size_t(chunk.count) * elem;
        tensor.data->readFlat(chunk.first, chunk.count, buffer.data());
        sink(chunk);
    }
}

void forEachChunk(const Tensor& tensor, const std::function<void(const TensorChunk&)>& sink,
    const std::atomic<bool>* cancel, std::size_t chunkBytes)
{
    const auto elem = std::max<std::int64_t>(1, static_cast<std::int64_t>(dtypeSize(tensor.info.dtype)));
    forEachChunk(tensor, ChunkShape { .targetElements = std::int64_t(chunkBytes) / elem }, sink, cancel);
}

} // namespace ckpt
