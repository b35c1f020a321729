#pragma once

#include "tensor/Tensor.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace ckpt {

// Where the chunks of a walk over a tensor's elements fall: chunk i is the elements
// [first(i), first(i) + count(i)) in row-major order. Every walker (statistics, compare,
// export) plans its chunks here, so that they agree on sizes, rows and storage units.
struct ChunkPlan {
    std::int64_t numel = 0;
    std::int64_t chunkElements = 1; // every chunk but the last has this many

    std::int64_t chunks() const { return (numel + chunkElements - 1) / chunkElements; }
    std::int64_t first(std::int64_t i) const { return i * chunkElements; }
    std::int64_t count(std::int64_t i) const { return std::min(chunkElements, numel - first(i)); }
};

struct ChunkShape {
    std::int64_t targetElements = 1 << 20; // about this many elements per chunk
    std::int64_t rowElements = 1; // chunks hold whole rows of this many elements (at least one)
    // Follow the storage's own unit (one compressed chunk, so that no two chunks decode the same
    // one) when it holds between targetElements and this many elements; 0: never.
    std::int64_t maxStorageRun = 0;
};

ChunkPlan planChunks(const Tensor& tensor, const ChunkShape& shape);

// One chunk of a tensor's bytes (row-major, host byte order) during forEachChunk.
struct TensorChunk {
    const std::byte* data = nullptr;
    std::int64_t first = 0; // index of its first element
    std::int64_t count = 0; // elements
    std::size_t bytes = 0;
};

// Reads a tensor's bytes in the chunks `shape` plans and hands each to `sink`, so a tensor of
// any size passes through a bounded buffer. Throws Cancelled when *cancel becomes true.
void forEachChunk(const Tensor& tensor, const ChunkShape& shape, const std::function<void(const TensorChunk&)>& sink,
    const std::atomic<bool>* cancel = nullptr);

// Chunks of about chunkBytes.
void forEachChunk(const Tensor& tensor, const std::function<void(const TensorChunk&)>& sink,
    const std::atomic<bool>* cancel = nullptr, std::size_t chunkBytes = std::size_t(32) << 20);

} // namespace ckpt
