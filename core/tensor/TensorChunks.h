#pragma once

#include "tensor/Tensor.h"

#include <atomic>
#include <cstddef>
#include <functional>

namespace ckpt {

// Reads a tensor's bytes (row-major, host byte order) in chunks of about chunkBytes and hands
// each to `sink`, so a tensor of any size passes through a bounded buffer. Throws Cancelled
// when *cancel becomes true.
void forEachChunk(const Tensor& tensor, const std::function<void(const std::byte*, std::size_t)>& sink,
    const std::atomic<bool>* cancel = nullptr, std::size_t chunkBytes = std::size_t(32) << 20);

} // namespace ckpt
