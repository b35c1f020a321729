#include "formats/hdf5/Hdf5Types.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

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

std::optional<DType> integerOfSize(std::size_t size, bool isSigned)
{
    switch (size) {
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

hid_t nativeInteger(DType d)
{
    switch (d) {
    case DType::Int8:
        return H5T_NATIVE_INT8;
    case DType::UInt8:
        return H5T_NATIVE_UINT8;
    case DType::Int16:
        return H5T_NATIVE_INT16;
    case DType::UInt16:
        return H5T_NATIVE_UINT16;
    case DType::Int32:
        return H5T_NATIVE_INT32;
    case DType::UInt32:
        return H5T_NATIVE_UINT32;
    case DType::Int64:
        return H5T_NATIVE_INT64;
    default:
        return H5T_NATIVE_UINT64;
    }
}

// Every bit of the element is the number: no padding, no offset.
bool fillsItsBytes(hid_t t)
{
    return H5Tget_precision(t) == 8 * H5Tget_size(t) && H5Tget_offset(t) == 0;
}

std::string layoutOf(hid_t t)
{
    const char* order = H5Tget_order(t) == H5T_ORDER_VAX ? "VAX order"
        : H5Tget_order(t) == H5T_ORDER_BE                ? "big-endian"
                                                         : "little-endian";
    const std::size_t size = H5Tget_size(t);
    return std::to_string(size) + (size == 1 ? " byte, " : " bytes, ") + std::to_string(H5Tget_precision(t))
        + " bits at offset " + std::to_string(H5Tget_offset(t)) + ", " + order;
}

std::optional<TypeMapping> integerMapping(hid_t t, std::string& reason)
{
    const bool isSigned = H5Tget_sign(t) == H5T_SGN_2;
    const std::size_t size = H5Tget_size(t);
    if (H5Tget_order(t) != H5T_ORDER_VAX && fillsItsBytes(t))
        if (auto d = integerOfSize(size, isSigned))
            return TypeMapping { *d, orderOf(t), Handle(H5Tcopy(nativeInteger(*d))) };
    // Into an integer of the stored size, as h5py reads it, or the smallest one that holds it.
    const std::size_t bits = H5Tget_precision(t);
    std::size_t bytes = bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 8;
    if (integerOfSize(size, isSigned) && size >= bytes)
        bytes = size;
    if (bits > 64) {
        reason = std::to_string(bits) + "-bit integers are not supported";
        return std::nullopt;
    }
    const DType d = *integerOfSize(bytes, isSigned);
    return TypeMapping { d, hostByteOrder(), Handle(H5Tcopy(nativeInteger(d))),
        "a " + std::to_string(bits) + "-bit integer (" + layoutOf(t) + "), converted by libhdf5 to "
            + std::string(dtypeName(d)) };
}

// The exact layouts of IEEE binary16/32/64 and of bfloat16, in either byte order.
bool hasFloatLayout(hid_t t, std::size_t size, std::size_t exponentBits, std::size_t mantissaBits, std::size_t bias)
{
    std::size_t spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0;
    if (H5Tget_size(t) != size || !fillsItsBytes(t) || H5Tget_order(t) == H5T_ORDER_VAX
        || H5Tget_fields(t, &spos, &epos, &esize, &mpos, &msize) < 0)
        return false;
    return spos == 8 * size - 1 && epos == mantissaBits && esize == exponentBits && mpos == 0 && msize == mantissaBits
        && H5Tget_ebias(t) == bias && H5Tget_norm(t) == H5T_NORM_IMPLIED && H5Tget_inpad(t) == H5T_PAD_ZERO;
}

std::optional<TypeMapping> floatMapping(hid_t t)
{
    if (hasFloatLayout(t, 8, 11, 52, 1023))
        return TypeMapping { DType::Float64, orderOf(t), Handle(H5Tcopy(H5T_NATIVE_DOUBLE)) };
    if (hasFloatLayout(t, 4, 8, 23, 127))
        return TypeMapping { DType::Float32, orderOf(t), Handle(H5Tcopy(H5T_NATIVE_FLOAT)) };
    if (hasFloatLayout(t, 2, 5, 10, 15))
        return TypeMapping { DType::Float16, orderOf(t), hostOrderCopy(t) };
    if (hasFloatLayout(t, 2, 8, 7, 127)) // bfloat16, described as an HDF5 float
        return TypeMapping { DType::BFloat16, orderOf(t), hostOrderCopy(t) };
    std::size_t spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0;
    H5Tget_fields(t, &spos, &epos, &esize, &mpos, &msize);
    const bool fitsFloat32 = esize <= 8 && msize <= 23;
    const DType d = fitsFloat32 ? DType::Float32 : DType::Float64;
    const bool x87 = H5Tget_precision(t) == 80 && esize == 15 && msize == 64;
    std::string what = x87
        ? std::string("an 80-bit x87 long double")
        : "a float with " + std::to_string(esize) + " exponent and " + std::to_string(msize) + " mantissa bits";
    std::string note = what + " (" + layoutOf(t) + "), converted by libhdf5 to " + std::string(dtypeName(d));
    if (!fitsFloat32 && (esize > 11 || msize > 52))
        note += " (values beyond its range become infinite, extra precision is rounded)";
    return TypeMapping { d, hostByteOrder(), Handle(H5Tcopy(fitsFloat32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE)),
        std::move(note) };
}

// h5py's bool: {FALSE = 0, TRUE = 1}. Other two-member enumerations are integers with names.
bool isBoolEnum(hid_t t)
{
    const bool named = memberName(t, 0) == "FALSE" && memberName(t, 1) == "TRUE";
    signed char values[2] = { -1, -1 };
    if (!named || H5Tget_member_value(t, 0, &values[0]) < 0 || H5Tget_member_value(t, 1, &values[1]) < 0)
        return false;
    return values[0] == 0 && values[1] == 1; // {FALSE = 1, TRUE = 0} would read inverted as bool
}

// An enumeration is stored as its base integers: those are the tensor, the names are metadata.
std::optional<TypeMapping> enumMapping(hid_t t, std::string& reason)
{
    Handle base(H5Tget_super(t));
    const auto d = base && H5Tget_class(base.get()) == H5T_INTEGER && fillsItsBytes(base.get())
            && H5Tget_order(base.get()) != H5T_ORDER_VAX
        ? integerOfSize(H5Tget_size(base.get()), H5Tget_sign(base.get()) == H5T_SGN_2)
        : std::nullopt;
    if (!d) {
        reason = "enumeration over a non-standard integer";
        return std::nullopt;
    }
    std::string names;
    const int members = H5Tget_nmembers(t);
    for (int i = 0; i < members && i < 256; ++i) {
        long long value = 0;
        Handle wide(H5Tcopy(H5T_NATIVE_LLONG));
        std::vector<std::byte> raw(H5Tget_size(t) + 8);
        if (H5Tget_member_value(t, static_cast<unsigned>(i), raw.data()) >= 0
            && H5Tconvert(base.get(), wide.get(), 1, raw.data(), nullptr, H5P_DEFAULT) >= 0)
            std::memcpy(&value, raw.data(), sizeof value);
        const std::string name = memberName(t, static_cast<unsigned>(i));
        names += (i ? ", " : "") + (name.empty() ? std::string("?") : name) + " = " + std::to_string(value);
    }
    if (members > 256)
        names += ", …";
    // Read as the enumeration itself in host order: libhdf5 converts enum to enum only, and the
    // bits of an enumeration value are its base integer.
    return TypeMapping { *d, orderOf(t), hostOrderCopy(t), "enumeration {" + names + "}" };
}

// h5py writes complex numbers as a compound of two floats named r and i.
std::optional<TypeMapping> complexType(hid_t t)
{
    if (H5Tget_nmembers(t) != 2)
        return std::nullopt;
    if (memberName(t, 0) != "r"
        || memberName(t, 1) != "i") // other pairs of floats ({real, img}) are records, as h5py reads them
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
    H5Tinsert(mem.get(), "r", 0, nativePart);
    H5Tinsert(mem.get(), "i", part, nativePart);
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
        return floatMapping(t);
    case H5T_INTEGER:
        return integerMapping(t, reason);
    case H5T_ENUM:
        // h5py stores numpy bool as an 8-bit enum {FALSE = 0, TRUE = 1}.
        if (size == 1 && H5Tget_nmembers(t) == 2 && isBoolEnum(t))
            return TypeMapping { DType::Bool, ByteOrder::Little, Handle(H5Tcopy(t)) };
        return enumMapping(t, reason);
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
    case H5T_BITFIELD: // read as unsigned integers of its size, as h5py does
        if (auto d = integerOfSize(size, false); d && H5Tget_order(t) != H5T_ORDER_VAX)
            return TypeMapping { *d, orderOf(t), hostOrderCopy(t), "a bitfield (" + layoutOf(t) + ")" };
        reason = "bitfield of " + std::to_string(size) + " bytes";
        return std::nullopt;
    default:
        reason = "unsupported datatype";
        return std::nullopt;
    }
}

namespace {

// The array's dims as libhdf5 decoded them from the file, or nullopt.
std::optional<Shape> arrayDims(hid_t t)
{
    const int rank = H5Tget_array_ndims(t);
    if (rank <= 0 || rank > H5S_MAX_RANK)
        return std::nullopt;
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (H5Tget_array_dims2(t, dims.data()) != rank)
        return std::nullopt;
    Shape shape;
    for (hsize_t d : dims) // stored in 32 bits: never negative as int64
        shape.push_back(static_cast<std::int64_t>(d));
    return shape;
}

// Why an array of `dims` values of `base` bytes cannot be read, or "". The array's size comes
// from the file apart from its dims: libhdf5 converts as many values as the dims say, so dims
// that a hostile file made larger than the size would run past its buffers.
std::string whyArrayUnreadable(const Shape& dims, std::size_t base, std::size_t size, DType dtype)
{
    std::int64_t values = 1;
    for (auto d : dims)
        values = saturatingMul(values, d);
    const std::int64_t bytes = saturatingMul(values, static_cast<std::int64_t>(base));
    const std::string what = "an array of " + shapeToString(dims) + " " + std::string(dtypeName(dtype)) + " values";
    if (bytes != static_cast<std::int64_t>(size))
        return what + " declared in " + std::to_string(size) + " bytes";
    if (bytes > kMaxArrayBytes)
        return what + " (" + std::to_string(bytes) + " bytes) per element, more than "
            + std::to_string(kMaxArrayBytes >> 20) + " MiB";
    return {};
}

} // namespace

std::optional<TypeMapping> mapArrayType(hid_t t, std::string& reason)
{
    Handle base(H5Tget_super(t));
    const auto dims = arrayDims(t);
    std::string baseReason;
    auto mapping = base && dims ? mapFileType(base.get(), "", baseReason) : std::nullopt;
    if (!mapping) {
        const H5T_class_t cls = base ? H5Tget_class(base.get()) : H5T_NO_CLASS;
        reason = !dims            ? std::string("an array libhdf5 cannot describe")
            : cls == H5T_ARRAY    ? std::string("an array of arrays")
            : cls == H5T_COMPOUND ? std::string("an array of records")
                                  : "an array of non-numbers (" + baseReason + ")";
        return std::nullopt;
    }
    if (std::find(dims->begin(), dims->end(), 0) != dims->end()) { // no values: nothing is ever read
        mapping->elementShape = *dims;
        mapping->memoryType = Handle(); // libhdf5 has no array of no values
        return mapping;
    }
    mapping->unreadable = whyArrayUnreadable(*dims, H5Tget_size(base.get()), H5Tget_size(t), mapping->dtype);
    if (!mapping->unreadable.empty())
        return mapping;
    mapping->elementShape = *dims;
    const std::vector<hsize_t> extent(dims->begin(), dims->end());
    mapping->memoryType
        = Handle(H5Tarray_create2(mapping->memoryType.get(), static_cast<unsigned>(extent.size()), extent.data()));
    if (!mapping->memoryType) {
        reason = "an array libhdf5 cannot describe";
        return std::nullopt;
    }
    return mapping;
}

bool hasVariableLength(hid_t type)
{
    if (H5Tis_variable_str(type) > 0 || H5Tget_class(type) == H5T_VLEN)
        return true;
    if (H5Tget_class(type) == H5T_COMPOUND) {
        const int members = H5Tget_nmembers(type);
        for (int i = 0; i < members; ++i) {
            Handle member(H5Tget_member_type(type, static_cast<unsigned>(i)));
            if (member && hasVariableLength(member.get()))
                return true;
        }
    }
    if (H5Tget_class(type) == H5T_ARRAY) {
        Handle base(H5Tget_super(type));
        return base && hasVariableLength(base.get());
    }
    return false;
}

std::string memberName(hid_t type, unsigned index)
{
    char* raw = H5Tget_member_name(type, index);
    std::string name = raw ? raw : "";
    H5free_memory(raw);
    return name;
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
