#include "tensor/TensorChunks.h"

#include "base/Cancelled.h"

#include <algorithm>
#include <vector>

namespace ckpt {

void forEachChunk(const Tensor& t, const std::function<void(const std::byte*, std::size_t)>& sink,
    const std::atomic<bool>* cancel, std::size_t chunkBytes)
{
    const std::int64_t numel = t.info.numel();
    const std::size_t elem = dtypeSize(t.info.dtype);
    const std::int64_t perChunk = std::max<std::int64_t>(1, std::int64_t(chunkBytes / elem));
    std::vector<std::byte> buffer(std::size_t(std::min(numel, perChunk)) * elem);
    for (std::int64_t first = 0; first < numel; first += perChunk) {
        if (cancel && cancel->load())
            throw Cancelled();
        const std::int64_t n = std::min(perChunk, numel - first);
        t.data->readFlat(first, n, buffer.data());
        sink(buffer.data(), std::size_t(n) * elem);
    }
}

} // namespace ckpt
