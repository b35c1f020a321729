#include "formats/numpy/NpyArray.h"

#include "base/CheckpointError.h"
#include "formats/numpy/NpyHeader.h"
#include "formats/numpy/NpyObjectArray.h"
#include "formats/numpy/NpyRecordFields.h"
#include "tensor/StridedTensorSource.h"

namespace ckpt {

namespace {

// Each numeric field of a structured array is a tensor "name.field"; the others are described.
void appendRecordFields(
    const std::shared_ptr<const ByteSource>& bytes, const NpyHeader& h, const NpyPlacement& placement, Checkpoint& out)
{
    for (const auto& field : h.fields) {
        const std::string name = placement.name + "." + field.name;
        using Kind = NpyElementType::Kind;
        if (field.type.kind == Kind::Text || field.type.kind == Kind::Bytes) {
            out.metadata[name] = npyTextValues(*bytes, h, field.type, field.offset);
            continue;
        }
        if (field.type.kind != Kind::Number) {
            out.metadata[name] = "<a field that is not numeric, of " + std::to_string(field.type.size) + " bytes>";
            continue;
        }
        Tensor t;
        t.info.name = name;
        t.info.dtype = field.type.dtype;
        t.info.byteOrder = field.type.byteOrder;
        t.data = makeRecordFieldSource(bytes, h, field);
        t.info.shape = t.data->shape();
        t.info.location = placement.where + "offset " + std::to_string(h.dataOffset) + ", field at byte "
            + std::to_string(field.offset) + " of " + std::to_string(h.itemSize) + "-byte records"
            + (h.fortranOrder ? ", Fortran order" : "");
        out.tensors.push_back(std::move(t));
    }
}

} // namespace

void appendNpyTensors(const std::shared_ptr<const ByteSource>& bytes, const NpyPlacement& placement, Checkpoint& out)
{
    const NpyHeader h = readNpyHeader(*bytes);
    if (h.isObject) {
        appendPickledObjectArray(bytes, h, placement, out);
        return;
    }
    const std::int64_t numel = shapeNumel(h.shape);
    const std::int64_t nbytes = checkedMul(numel, static_cast<std::int64_t>(h.itemSize));
    const std::uint64_t available = bytes->size() - h.dataOffset;
    if (static_cast<std::uint64_t>(nbytes) > available)
        throw FormatError("the .npy header claims shape " + shapeToString(h.shape) + " of "
            + (!h.fields.empty() ? "records of " + std::to_string(h.itemSize) + " bytes"
                    : h.element.kind == NpyElementType::Kind::Number ? std::string(dtypeName(h.dtype))
                                                                     : h.descr)
            + " (" + std::to_string(nbytes) + " bytes), but only " + std::to_string(available)
            + " bytes of data follow");
    if (!h.fields.empty()) {
        appendRecordFields(bytes, h, placement, out);
        return;
    }
    if (h.element.kind != NpyElementType::Kind::Number) { // text and bytes are shown, not tensors
        if (h.element.kind == NpyElementType::Kind::Other)
            out.metadata[placement.name] = "<'" + h.descr + "' array of shape " + shapeToString(h.shape) + ">";
        else
            out.metadata[placement.name] = npyTextValues(*bytes, h, h.element);
        return;
    }
    Tensor t;
    t.info.name = placement.name;
    t.info.dtype = h.dtype;
    t.info.shape = h.shape;
    t.info.byteOrder = h.byteOrder;
    t.info.columnMajor = h.fortranOrder;
    t.info.location
        = placement.where + "offset " + std::to_string(h.dataOffset) + (h.fortranOrder ? ", Fortran order" : "");
    const StridedLayout layout = h.fortranOrder ? StridedLayout::columnMajor(h.shape, h.dataOffset, h.byteOrder)
                                                : StridedLayout::rowMajor(h.shape, h.dataOffset, h.byteOrder);
    t.data = std::make_shared<StridedTensorSource>(bytes, h.dtype, h.shape, layout);
    out.tensors.push_back(std::move(t));
}

} // namespace ckpt
