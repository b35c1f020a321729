#include "tensor/Checkpoint.h"

namespace ckpt {

const Tensor* Checkpoint::find(std::string_view name) const
{
    for (const auto& t : tensors) {
        if (t.info.name == name)
            return &t;
    }
    return nullptr;
}

std::int64_t Checkpoint::parameterCount() const
{
    std::int64_t n = 0;
    for (const auto& t : tensors)
        n = saturatingAdd(n, t.info.numel());
    return n;
}

std::int64_t Checkpoint::tensorBytes() const
{
    std::int64_t n = 0;
    for (const auto& t : tensors)
        n = saturatingAdd(n, t.info.nbytes());
    return n;
}

} // namespace ckpt
