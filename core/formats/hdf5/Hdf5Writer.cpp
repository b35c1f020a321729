#include "formats/hdf5/Hdf5Writer.h"

#include "base/CheckpointError.h"
#include "formats/hdf5/Hdf5NativeFormat.h"
#include "formats/hdf5/Hdf5Types.h"
#include "numerics/Stats.h"
#include "tensor/NameOrder.h"
#include "tensor/TensorChunks.h"

#include <algorithm>

namespace ckpt {

using namespace hdf5;

namespace {

constexpr std::int64_t kBlockBytes = 1 << 20; // a block stays in the cache between its read and its write

void writeStringAttribute(hid_t object, const std::string& name, const std::string& value)
{
    Handle type(H5Tcopy(H5T_C_S1));
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    Handle space(H5Screate(H5S_SCALAR));
    if (H5Aexists(object, name.c_str()) > 0)
        H5Adelete(object, name.c_str());
    Handle attr(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
    const char* p = value.c_str();
    H5Awrite(attr.get(), type.get(), &p);
}

void writeNumberAttribute(hid_t object, const std::string& name, const nlohmann::ordered_json& v)
{
    Handle space(H5Screate(H5S_SCALAR));
    if (H5Aexists(object, name.c_str()) > 0)
        H5Adelete(object, name.c_str());
    if (v.is_number_float()) {
        const double d = v.get<double>();
        Handle attr(H5Acreate2(object, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT));
        H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &d);
    } else {
        const auto i = v.get<std::int64_t>();
        Handle attr(H5Acreate2(object, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT));
        H5Awrite(attr.get(), H5T_NATIVE_INT64, &i);
    }
}

constexpr unsigned kGzipLevel = 4; // h5py's default

} // namespace

Hdf5Writer::Hdf5Writer(std::string path, WriteOptions options)
    : output_(std::move(path), options.overwrite, options.sources)
    , options_(std::move(options))
{
    std::lock_guard lock(hdf5::mutex());
    quietErrors();
    Handle fcpl(H5Pcreate(H5P_FILE_CREATE));
    // Track creation order so readers list tensors in the order they were written.
    H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    file_ = Handle(H5Fcreate(output_.tempPath().c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT));
    if (!file_)
        throw CheckpointError(output_.target(), "cannot create HDF5 file: " + lastError());
    writeStringAttribute(file_.get(), kFormatAttr, kFormatValue);
    writeNumberAttribute(file_.get(), kFormatVersionAttr, kFormatVersion);
    writeStringAttribute(file_.get(), kWriterAttr, std::string("ckptview ") + CKPT_VERSION);
}

Hdf5Writer::~Hdf5Writer()
{
    std::lock_guard lock(hdf5::mutex());
    file_.reset();
}

// The dataset path for a tensor name: groups follow the name's segments; a segment that
// clashes with an existing dataset (or a repeated name) gets a "~N" suffix. The original
// name is kept in an attribute, so the path only has to be unique.
std::string Hdf5Writer::datasetPathFor(const std::string& name)
{
    auto parts = splitName(name);
    std::vector<std::string> segments(parts.begin(), parts.end());
    if (segments.empty())
        segments.push_back("_");
    std::string path;
    Handle gcpl(H5Pcreate(H5P_GROUP_CREATE));
    H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    auto unique = [&](const std::string& base, bool wantGroup) {
        for (int n = 0;; ++n) {
            const std::string candidate = path + "/" + base + (n ? "~" + std::to_string(n) : "");
            if (H5Lexists(file_.get(), candidate.c_str(), H5P_DEFAULT) <= 0)
                return candidate;
            if (wantGroup) {
                H5O_info_t info;
                if (H5Oget_info_by_name2(file_.get(), candidate.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) >= 0
                    && info.type == H5O_TYPE_GROUP)
                    return candidate;
            }
        }
    };
    for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
        path = unique(segments[i], true);
        if (H5Lexists(file_.get(), path.c_str(), H5P_DEFAULT) <= 0)
            Handle(H5Gcreate2(file_.get(), path.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT));
    }
    return unique(segments.back(), false);
}

void Hdf5Writer::addTensor(const Tensor& tensor)
{
    // Held for libhdf5's calls, released while the tensor's data is read: a chunked HDF5 source
    // may wait there for a chunk another thread is decoding, which needs this lock.
    std::unique_lock lock(hdf5::mutex());
    const auto& info = tensor.info;
    const std::string dsPath = datasetPathFor(info.name);
    std::vector<hsize_t> dims(info.shape.begin(), info.shape.end());
    Handle space(info.shape.empty() ? H5Screate(H5S_SCALAR)
                                    : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
    const std::int64_t numel = info.numel();
    if (options_.compress && !info.shape.empty() && numel > 0) {
        // Chunks of about 1 MiB, whole trailing rows where possible.
        std::vector<hsize_t> chunk(dims);
        const auto elem = static_cast<hsize_t>(dtypeSize(info.dtype));
        hsize_t bytes = elem;
        for (auto d : chunk)
            bytes *= d;
        for (std::size_t a = 0; a < chunk.size() && bytes > (1u << 20); ++a) {
            const hsize_t rest = bytes / chunk[a];
            chunk[a] = std::max<hsize_t>(1, (1u << 20) / std::max<hsize_t>(rest, 1));
            bytes = rest * chunk[a];
        }
        H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
        H5Pset_shuffle(dcpl.get());
        H5Pset_deflate(dcpl.get(), kGzipLevel);
    }
    Handle fileType = fileTypeFor(info.dtype);
    Handle memType = memoryTypeFor(info.dtype);
    Handle ds(
        H5Dcreate2(file_.get(), dsPath.c_str(), fileType.get(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
    if (!ds)
        throw CheckpointError(output_.target(), "cannot create dataset for '" + info.name + "': " + lastError());
    writeStringAttribute(ds.get(), kTensorNameAttr, info.name);
    writeStringAttribute(ds.get(), kDTypeAttr, std::string(dtypeName(info.dtype)));
    if (numel == 0)
        return;
    // Write in blocks of whole rows along the first axis; the lock is released while a block is
    // read and taken again to write it.
    const std::int64_t rows = info.shape.empty() ? 1 : info.shape[0];
    const std::int64_t rowElems = rows ? numel / rows : 0;
    const auto elem = static_cast<std::int64_t>(dtypeSize(info.dtype));
    lock.unlock();
    forEachChunk(
        tensor, ChunkShape { .targetElements = kBlockBytes / elem, .rowElements = rowElems },
        [&](const TensorChunk& chunk) {
            std::lock_guard relock(hdf5::mutex());
            writeRows(ds.get(), memType.get(), info, chunk.first / rowElems, chunk.count / rowElems, chunk.data);
        },
        options_.cancel);
}

void Hdf5Writer::writeRows(
    hid_t ds, hid_t memType, const TensorInfo& info, std::int64_t row0, std::int64_t rows, const std::byte* data) const
{
    herr_t status;
    if (info.shape.empty()) {
        status = H5Dwrite(ds, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    } else {
        std::vector<hsize_t> start(info.shape.size(), 0), count(info.shape.begin(), info.shape.end());
        start[0] = static_cast<hsize_t>(row0);
        count[0] = static_cast<hsize_t>(rows);
        Handle fileSpace(H5Dget_space(ds));
        H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
        Handle memSpace(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr));
        status = H5Dwrite(ds, memType, memSpace.get(), fileSpace.get(), H5P_DEFAULT, data);
    }
    if (status < 0)
        throw CheckpointError(output_.target(), "cannot write '" + info.name + "': " + lastError());
}

void Hdf5Writer::setAttribute(const std::string& name, const nlohmann::ordered_json& value)
{
    std::lock_guard lock(hdf5::mutex());
    if (value.is_string())
        writeStringAttribute(file_.get(), name, value.get<std::string>());
    else if (value.is_number() || value.is_boolean())
        writeNumberAttribute(
            file_.get(), name, value.is_boolean() ? nlohmann::ordered_json(value.get<bool>() ? 1 : 0) : value);
    else
        writeStringAttribute(file_.get(), name, value.dump());
}

void Hdf5Writer::commit()
{
    {
        std::lock_guard lock(hdf5::mutex());
        if (H5Fflush(file_.get(), H5F_SCOPE_GLOBAL) < 0)
            throw CheckpointError(output_.target(), "cannot flush HDF5 file: " + lastError());
        file_.reset();
    }
    output_.commit();
}

void Hdf5FormatWriter::write(
    const std::string& path, const std::vector<Tensor>& tensors, const WriteOptions& options) const
{
    Hdf5Writer writer(path, options);
    std::int64_t total = 0, done = 0;
    for (const auto& t : tensors)
        total = saturatingAdd(total, t.info.nbytes());
    for (const auto& t : tensors) {
        if (options.cancel && options.cancel->load())
            throw Cancelled();
        writer.addTensor(t);
        done = saturatingAdd(done, t.info.nbytes());
        if (options.progress)
            options.progress(done, total);
    }
    if (options.architecture)
        writer.setAttribute("architecture", *options.architecture);
    writer.commit();
}

} // namespace ckpt
