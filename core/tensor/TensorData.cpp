#include "tensor/TensorData.h"

#include "base/CheckpointError.h"
#include "tensor/StridedTensorSource.h"

namespace ckpt {

TensorData readTensor(const Tensor& tensor, std::int64_t maxBytes)
{
    const auto nbytes = tensor.info.nbytes();
    if (nbytes > maxBytes)
        throw FormatError(
            "tensor '" + tensor.info.name + "' is too large to load at once (" + std::to_string(nbytes) + " bytes)");
    TensorData d { tensor.info.dtype, tensor.info.shape, std::vector<std::byte>(static_cast<std::size_t>(nbytes)) };
    if (nbytes > 0)
        tensor.data->readFlat(0, tensor.info.numel(), d.bytes.data());
    return d;
}

TensorData readBox(const Tensor& tensor, const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& count)
{
    std::int64_t n = 1;
    for (auto c : count)
        n = checkedMul(n, c);
    TensorData d { tensor.info.dtype, Shape(count.begin(), count.end()),
        std::vector<std::byte>(
            static_cast<std::size_t>(checkedMul(n, static_cast<std::int64_t>(dtypeSize(tensor.info.dtype))))) };
    if (n > 0)
        tensor.data->readBox(start, count, d.bytes.data());
    return d;
}

Tensor makeMemoryTensor(std::string name, TensorData data)
{
    Tensor t;
    t.info.name = std::move(name);
    t.info.dtype = data.dtype;
    t.info.shape = data.shape;
    t.info.byteOrder = hostByteOrder();
    t.info.location = "memory";
    t.data = makeMemorySource(data.dtype, data.shape, std::move(data.bytes));
    return t;
}

} // namespace ckpt
