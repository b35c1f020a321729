#include "formats/hdf5/Hdf5Types.h"

namespace ckpt::hdf5 {

namespace {
ByteOrder orderOf(hid_t t)
{
    return H5Tget_order(t) == H5T_ORDER_BE ? ByteOrder::Big : ByteOrder::Little;
}

Handle hostOrderCopy(hid_t t)
{
    Handle m(H5Tcopy(t));
    if (H5Tget_size(t) > 1)
        H5Tset_order(m.get(), hostByteOrder() == ByteOrder::Little ? H5T_ORDER_LE : H5T_ORDER_BE);
    return m;
}

std::optional<DType> integerType(hid_t t)
{
    const bool isSigned = H5Tget_sign(t) == H5T_SGN_2;
    switch (H5Tget_size(t)) {
    case 1:
        return isSigned ? DType::Int8 : DType::UInt8;
    case 2:
        return isSigned ? DType::Int16 : DType::UInt16;
    case 4:
        return isSigned ? DType::Int32 : DType::UInt32;
    case 8:
        return isSigned ? DType::Int64 : DType::UInt64;
    default:
        return std::nullopt;
    }
}

// h5py writes complex numbers as a compound of two floats named r and i.
std::optional<TypeMapping> complexType(hid_t t)
{
    if (H5Tget_nmembers(t) != 2)
        return std::nullopt;
    Handle re(H5Tget_member_type(t, 0)), im(H5Tget_member_type(t, 1));
    if (H5Tget_class(re.get()) != H5T_FLOAT || H5Tget_class(im.get()) != H5T_FLOAT)
        return std::nullopt;
    const size_t part = H5Tget_size(re.get());
    if (H5Tget_size(im.get()) != part || (part != 4 && part != 8) || H5Tget_member_offset(t, 0) != 0
        || H5Tget_member_offset(t, 1) != part)
        return std::nullopt;
    const hid_t nativePart = part == 4 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
    Handle mem(H5Tcreate(H5T_COMPOUND, 2 * part));
    char* n0 = H5Tget_member_name(t, 0);
    char* n1 = H5Tget_member_name(t, 1);
    H5Tinsert(mem.get(), n0, 0, nativePart);
    H5Tinsert(mem.get(), n1, part, nativePart);
    H5free_memory(n0);
    H5free_memory(n1);
    return TypeMapping { part == 4 ? DType::Complex64 : DType::Complex128, orderOf(re.get()), std::move(mem) };
}
} // namespace

std::optional<TypeMapping> mapFileType(hid_t t, const std::string& dtypeAttribute, std::string& reason)
{
    const auto marked = dtypeFromName(dtypeAttribute);
    const size_t size = H5Tget_size(t);
    const H5T_class_t cls = H5Tget_class(t);
    // Bit patterns of types HDF5 cannot describe, marked by a "dtype" attribute.
    if (marked && (*marked == DType::BFloat16 || *marked == DType::Float8E4M3FN || *marked == DType::Float8E5M2)
        && size == dtypeSize(*marked) && (cls == H5T_INTEGER || cls == H5T_OPAQUE || cls == H5T_FLOAT)) {
        if (cls == H5T_INTEGER)
            return TypeMapping { *marked, orderOf(t), hostOrderCopy(t) };
        return TypeMapping { *marked, ByteOrder::Little, Handle(H5Tcopy(t)) };
    }
    switch (cls) {
    case H5T_FLOAT:
        if (size == 8 || size == 4 || size == 2) {
            const DType d = size == 8 ? DType::Float64 : size == 4 ? DType::Float32 : DType::Float16;
            return TypeMapping { d, orderOf(t), hostOrderCopy(t) };
        }
        reason = std::to_string(size * 8) + "-bit floating point is not supported";
        return std::nullopt;
    case H5T_INTEGER:
        if (auto d = integerType(t))
            return TypeMapping { *d, orderOf(t), hostOrderCopy(t) };
        reason = "integer size not supported";
        return std::nullopt;
    case H5T_ENUM:
        // h5py stores numpy bool as an 8-bit enum {FALSE = 0, TRUE = 1}.
        if (size == 1 && H5Tget_nmembers(t) == 2)
            return TypeMapping { DType::Bool, ByteOrder::Little, Handle(H5Tcopy(t)) };
        reason = "enumeration dataset";
        return std::nullopt;
    case H5T_COMPOUND:
        if (auto c = complexType(t))
            return c;
        reason = "compound (record) dataset";
        return std::nullopt;
    case H5T_STRING:
        reason = "string dataset";
        return std::nullopt;
    case H5T_REFERENCE:
        reason = "reference dataset";
        return std::nullopt;
    case H5T_VLEN:
        reason = "variable-length dataset";
        return std::nullopt;
    case H5T_ARRAY:
        reason = "array-typed dataset";
        return std::nullopt;
    case H5T_OPAQUE:
        reason = "opaque dataset";
        return std::nullopt;
    case H5T_BITFIELD:
        reason = "bitfield dataset";
        return std::nullopt;
    default:
        reason = "unsupported datatype";
        return std::nullopt;
    }
}

Handle fileTypeFor(DType dtype)
{
    switch (dtype) {
    case DType::Float64:
        return Handle(H5Tcopy(H5T_IEEE_F64LE));
    case DType::Float32:
        return Handle(H5Tcopy(H5T_IEEE_F32LE));
    case DType::Float16: {
        // The IEEE half layout, built the way h5py builds it.
        Handle t(H5Tcopy(H5T_IEEE_F32LE));
        H5Tset_fields(t.get(), 15, 10, 5, 0, 10);
        H5Tset_size(t.get(), 2);
        H5Tset_ebias(t.get(), 15);
        return t;
    }
    case DType::BFloat16:
    case DType::UInt16:
        return Handle(H5Tcopy(H5T_STD_U16LE));
    case DType::Float8E4M3FN:
    case DType::Float8E5M2:
    case DType::UInt8:
        return Handle(H5Tcopy(H5T_STD_U8LE));
    case DType::Int64:
        return Handle(H5Tcopy(H5T_STD_I64LE));
    case DType::Int32:
        return Handle(H5Tcopy(H5T_STD_I32LE));
    case DType::Int16:
        return Handle(H5Tcopy(H5T_STD_I16LE));
    case DType::Int8:
        return Handle(H5Tcopy(H5T_STD_I8LE));
    case DType::UInt64:
        return Handle(H5Tcopy(H5T_STD_U64LE));
    case DType::UInt32:
        return Handle(H5Tcopy(H5T_STD_U32LE));
    case DType::Bool: {
        Handle t(H5Tenum_create(H5T_NATIVE_INT8));
        signed char f = 0, tr = 1;
        H5Tenum_insert(t.get(), "FALSE", &f);
        H5Tenum_insert(t.get(), "TRUE", &tr);
        return t;
    }
    case DType::Complex64:
    case DType::Complex128: {
        const size_t part = dtype == DType::Complex64 ? 4 : 8;
        Handle t(H5Tcreate(H5T_COMPOUND, 2 * part));
        const hid_t f = part == 4 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
        H5Tinsert(t.get(), "r", 0, f);
        H5Tinsert(t.get(), "i", part, f);
        return t;
    }
    }
    return {};
}

Handle memoryTypeFor(DType dtype)
{
    Handle file = fileTypeFor(dtype);
    if (dtype == DType::Complex64 || dtype == DType::Complex128) {
        const size_t part = dtype == DType::Complex64 ? 4 : 8;
        Handle t(H5Tcreate(H5T_COMPOUND, 2 * part));
        const hid_t f = part == 4 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
        H5Tinsert(t.get(), "r", 0, f);
        H5Tinsert(t.get(), "i", part, f);
        return t;
    }
    return hostOrderCopy(file.get());
}

} // namespace ckpt::hdf5
