#pragma once

#include "tensor/TensorDataSource.h"
#include "tensor/TensorInfo.h"

#include <memory>

namespace ckpt {

// A tensor of a checkpoint: its metadata, and a source that reads its data when asked.
struct Tensor {
    TensorInfo info;
    std::shared_ptr<const TensorDataSource> data;
};

} // namespace ckpt
