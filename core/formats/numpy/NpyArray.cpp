#include "formats/numpy/NpyArray.h"

#include "formats/numpy/NpyHeader.h"
#include "formats/numpy/NpyObjectArray.h"
#include "tensor/CheckpointError.h"
#include "tensor/StridedTensorSource.h"

namespace ckpt {

void appendNpyTensors(const std::shared_ptr<const ByteSource>& bytes, const NpyPlacement& placement,
                      Checkpoint& out)
{
    const NpyHeader h = readNpyHeader(*bytes);
    if (h.isObject) {
        appendPickledObjectArray(bytes, h, placement, out);
        return;
    }
    const std::int64_t numel = shapeNumel(h.shape);
    const std::int64_t nbytes = checkedMul(numel, static_cast<std::int64_t>(dtypeSize(h.dtype)));
    const std::uint64_t available = bytes->size() - h.dataOffset;
    if (static_cast<std::uint64_t>(nbytes) > available)
        throw FormatError("the .npy header claims shape " + shapeToString(h.shape) + " of "
                          + std::string(dtypeName(h.dtype)) + " (" + std::to_string(nbytes)
                          + " bytes), but only " + std::to_string(available) + " bytes of data follow");
    Tensor t;
    t.info.name = placement.name;
    t.info.dtype = h.dtype;
    t.info.shape = h.shape;
    t.info.byteOrder = h.byteOrder;
    t.info.columnMajor = h.fortranOrder;
    t.info.location = placement.where + "offset " + std::to_string(h.dataOffset)
        + (h.fortranOrder ? ", Fortran order" : "");
    const StridedLayout layout = h.fortranOrder
        ? StridedLayout::columnMajor(h.shape, h.dataOffset, h.byteOrder)
        : StridedLayout::rowMajor(h.shape, h.dataOffset, h.byteOrder);
    t.data = std::make_shared<StridedTensorSource>(bytes, h.dtype, h.shape, layout);
    out.tensors.push_back(std::move(t));
}

} // namespace ckpt
