#include "formats/hdf5/Hdf5Values.h"

#include "formats/hdf5/Hdf5Types.h"
#include "numerics/Convert.h"

#include <cstring>

namespace ckpt::hdf5 {

namespace {

constexpr hssize_t kMaxValueElements = 4096;

using ReadFn = herr_t (*)(hid_t, hid_t, hid_t, void*);

struct Source {
    hid_t id;
    bool isAttribute;
    hid_t type() const { return isAttribute ? H5Aget_type(id) : H5Dget_type(id); }
    hid_t space() const { return isAttribute ? H5Aget_space(id) : H5Dget_space(id); }
    herr_t read(hid_t memType, void* buf) const
    {
        return isAttribute ? H5Aread(id, memType, buf) : H5Dread(id, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    }
};

nlohmann::ordered_json shapeValue(const std::vector<nlohmann::ordered_json>& flat, hssize_t n, bool scalar)
{
    if (scalar && n == 1)
        return flat.front();
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& v : flat)
        arr.push_back(v);
    return arr;
}

nlohmann::ordered_json readStrings(const Source& src, hid_t fileType, hssize_t n, bool scalar)
{
    std::vector<nlohmann::ordered_json> out;
    if (H5Tis_variable_str(fileType) > 0) {
        Handle mem(H5Tcopy(H5T_C_S1));
        H5Tset_size(mem.get(), H5T_VARIABLE);
        H5Tset_cset(mem.get(), H5Tget_cset(fileType));
        std::vector<char*> ptrs(static_cast<size_t>(n), nullptr);
        if (src.read(mem.get(), ptrs.data()) < 0)
            return "<unreadable string>";
        for (auto* p : ptrs)
            out.emplace_back(p ? std::string(p) : std::string());
        Handle space(src.space());
        H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
    } else {
        const size_t len = H5Tget_size(fileType);
        if (len == 0 || len > (1u << 20))
            return "<string too long>";
        Handle mem(H5Tcopy(H5T_C_S1));
        H5Tset_size(mem.get(), len);
        H5Tset_strpad(mem.get(), H5T_STR_NULLPAD);
        std::vector<char> buf(len * static_cast<size_t>(n));
        if (src.read(mem.get(), buf.data()) < 0)
            return "<unreadable string>";
        for (hssize_t i = 0; i < n; ++i) {
            const char* p = buf.data() + static_cast<size_t>(i) * len;
            out.emplace_back(std::string(p, strnlen(p, len)));
        }
    }
    // Strings may be non-UTF-8 bytes; keep them printable for JSON.
    for (auto& v : out) {
        auto s = v.get<std::string>();
        for (auto& c : s)
            if (static_cast<unsigned char>(c) >= 0x80)
                c = '?';
        v = s;
    }
    return shapeValue(out, n, scalar);
}

nlohmann::ordered_json readValue(const Source& src)
{
    std::lock_guard lock(mutex());
    Handle type(src.type());
    Handle space(src.space());
    if (!type || !space)
        return "<unreadable>";
    const int rank = H5Sget_simple_extent_ndims(space.get());
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    if (H5Sget_simple_extent_type(space.get()) == H5S_NULL || n == 0)
        return nlohmann::ordered_json::array();
    if (n < 0)
        return "<unreadable>";
    if (n > kMaxValueElements)
        return "<" + std::to_string(n) + " elements>";
    const bool scalar = rank == 0;
    if (H5Tget_class(type.get()) == H5T_STRING)
        return readStrings(src, type.get(), n, scalar);
    std::string reason;
    auto mapping = mapFileType(type.get(), "", reason);
    if (!mapping)
        return "<" + reason + ">";
    const size_t elem = dtypeSize(mapping->dtype);
    std::vector<std::byte> buf(elem * static_cast<size_t>(n));
    if (src.read(mapping->memoryType.get(), buf.data()) < 0)
        return "<unreadable>";
    std::vector<nlohmann::ordered_json> out;
    for (hssize_t i = 0; i < n; ++i) {
        const std::byte* p = buf.data() + static_cast<size_t>(i) * elem;
        if (mapping->dtype == DType::Bool)
            out.emplace_back(*reinterpret_cast<const std::uint8_t*>(p) != 0);
        else if (mapping->dtype == DType::Int64) {
            std::int64_t v;
            std::memcpy(&v, p, 8);
            out.emplace_back(v);
        } else if (mapping->dtype == DType::UInt64) {
            std::uint64_t v;
            std::memcpy(&v, p, 8);
            out.emplace_back(v);
        } else if (isComplex(mapping->dtype))
            out.emplace_back(elementToString(mapping->dtype, p));
        else if (isInteger(mapping->dtype))
            out.emplace_back(static_cast<std::int64_t>(elementToDouble(mapping->dtype, p)));
        else
            out.emplace_back(elementToDouble(mapping->dtype, p));
    }
    return shapeValue(out, n, scalar);
}

} // namespace

nlohmann::ordered_json readAttribute(hid_t attribute)
{
    return readValue({ attribute, true });
}

nlohmann::ordered_json readDatasetValue(hid_t dataset)
{
    return readValue({ dataset, false });
}

std::vector<std::pair<std::string, nlohmann::ordered_json>> readAttributes(hid_t object)
{
    std::lock_guard lock(mutex());
    std::vector<std::pair<std::string, nlohmann::ordered_json>> result;
    H5O_info_t info;
    if (H5Oget_info2(object, &info, H5O_INFO_NUM_ATTRS) < 0)
        return result;
    for (hsize_t i = 0; i < info.num_attrs; ++i) {
        Handle attr(H5Aopen_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT));
        if (!attr)
            continue;
        const ssize_t len = H5Aget_name(attr.get(), 0, nullptr);
        if (len < 0)
            continue;
        std::string name(static_cast<size_t>(len), '\0');
        H5Aget_name(attr.get(), static_cast<size_t>(len) + 1, name.data());
        result.emplace_back(name, readAttribute(attr.get()));
    }
    return result;
}

std::vector<std::string> readStringListAttribute(hid_t object, const std::string& name, bool& found)
{
    std::lock_guard lock(mutex());
    std::vector<std::string> out;
    found = false;
    auto append = [&](const std::string& attrName) {
        if (H5Aexists(object, attrName.c_str()) <= 0)
            return false;
        Handle attr(H5Aopen(object, attrName.c_str(), H5P_DEFAULT));
        const auto value = readAttribute(attr.get());
        if (value.is_string())
            out.push_back(value.get<std::string>());
        else if (value.is_array())
            for (const auto& v : value)
                if (v.is_string())
                    out.push_back(v.get<std::string>());
        return true;
    };
    if (append(name)) {
        found = true;
        return out;
    }
    for (int chunk = 0; append(name + std::to_string(chunk)); ++chunk)
        found = true;
    return out;
}

std::string readStringAttribute(hid_t object, const std::string& name)
{
    std::lock_guard lock(mutex());
    if (H5Aexists(object, name.c_str()) <= 0)
        return {};
    Handle attr(H5Aopen(object, name.c_str(), H5P_DEFAULT));
    const auto v = readAttribute(attr.get());
    return v.is_string() ? v.get<std::string>() : std::string();
}

} // namespace ckpt::hdf5
