#include "formats/hdf5/Hdf5Reader.h"

#include "formats/hdf5/Hdf5Handle.h"
#include "formats/hdf5/Hdf5NativeFormat.h"
#include "formats/hdf5/Hdf5TensorSource.h"
#include "formats/hdf5/Hdf5Types.h"
#include "formats/hdf5/Hdf5Values.h"
#include "formats/keras/Keras3Names.h"
#include "io/ByteSource.h"
#include "sandbox/ForkGuard.h"
#include "tensor/CheckpointError.h"
#include "tensor/StridedTensorSource.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace ckpt {

using namespace hdf5;

bool Hdf5Reader::matches(const FileProbe& probe) const
{
    static const std::string_view signature("\x89HDF\r\n\x1a\n", 8);
    for (std::size_t offset : {0, 512, 1024, 2048}) // a user block moves the signature
        if (probe.startsWith(signature, offset))
            return true;
    return false;
}

namespace {

struct Walker {
    const std::string& path;
    std::shared_ptr<Handle> file;
    bool native = false;
    Checkpoint& ckpt;
    std::set<std::pair<unsigned long, haddr_t>> visited;
    std::map<std::string, std::size_t> tensorByPath; // HDF5 path -> index in ckpt.tensors
    // The file on disk (empty for an in-memory image), mapped once its first plain dataset is seen.
    std::string filePath;
    std::shared_ptr<const ByteSource> fileBytes;

    // A contiguous, unfiltered dataset whose stored bits are already the host's is read like a
    // .npy: in place from the file's mapping, by both statistics threads at once, without
    // libhdf5 (whose calls are serialised). Anything else goes through hyperslab reads.
    std::shared_ptr<TensorDataSource> directSource(hid_t dataset, hid_t fileType, hid_t memoryType, const TensorInfo& info)
    {
        const std::int64_t numel = info.numel();
        if (filePath.empty() || numel <= 0 || info.shape.empty() || H5Tequal(fileType, memoryType) <= 0)
            return nullptr;
        Handle plist(H5Dget_create_plist(dataset));
        if (!plist || H5Pget_layout(plist.get()) != H5D_CONTIGUOUS || H5Pget_external_count(plist.get()) != 0)
            return nullptr;
        const haddr_t offset = H5Dget_offset(dataset);
        const auto bytes = static_cast<hsize_t>(numel) * dtypeSize(info.dtype);
        if (offset == HADDR_UNDEF || H5Dget_storage_size(dataset) != bytes)
            return nullptr;
        try {
            if (!fileBytes)
                fileBytes = std::make_shared<FileByteSource>(filePath);
            return std::make_shared<StridedTensorSource>(fileBytes, info.dtype, info.shape,
                                                         StridedLayout::rowMajor(info.shape, offset, hostByteOrder()));
        } catch (const std::exception&) { // data past the end of the file: libhdf5 reports it on read
            return nullptr;
        }
    }

    static std::string join(const std::string& group, const std::string& name)
    {
        return group.empty() ? name : group + "/" + name;
    }

    void addAttributes(hid_t object, const std::string& objectPath, bool skipOwn)
    {
        for (auto& [name, value] : readAttributes(object)) {
            if (skipOwn && (name == kTensorNameAttr || name == kDTypeAttr))
                continue;
            ckpt.metadata[join(objectPath, name)] = std::move(value);
        }
    }

    void visitDataset(hid_t dataset, const std::string& objectPath)
    {
        Handle type(H5Dget_type(dataset));
        Handle space(H5Dget_space(dataset));
        const std::string dtypeAttr = readStringAttribute(dataset, kDTypeAttr);
        std::string reason;
        auto mapping = type ? mapFileType(type.get(), dtypeAttr, reason) : std::nullopt;
        const int rank = space ? H5Sget_simple_extent_ndims(space.get()) : -1;
        if (!mapping || rank < 0 || H5Sget_simple_extent_type(space.get()) == H5S_NULL) {
            // Not a tensor: small string datasets become metadata, other kinds are described.
            if (type && H5Tget_class(type.get()) == H5T_STRING)
                ckpt.metadata[objectPath] = readDatasetValue(dataset);
            else
                ckpt.metadata[objectPath] = "<unsupported: " + (reason.empty() ? std::string("empty dataset") : reason) + ">";
            addAttributes(dataset, objectPath, false);
            return;
        }
        std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
        H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
        Tensor t;
        t.info.name = objectPath;
        if (native) {
            const std::string original = readStringAttribute(dataset, kTensorNameAttr);
            if (!original.empty())
                t.info.name = original;
        }
        t.info.dtype = mapping->dtype;
        for (auto d : dims)
            t.info.shape.push_back(static_cast<std::int64_t>(d));
        t.info.byteOrder = mapping->fileOrder;
        t.info.location = describeLayout(dataset, objectPath);
        t.data = directSource(dataset, type.get(), mapping->memoryType.get(), t.info);
        if (!t.data)
            t.data = std::make_shared<Hdf5TensorSource>(file, Handle(H5Dopen2(file->get(), ("/" + objectPath).c_str(), H5P_DEFAULT)),
                                                        std::move(mapping->memoryType), t.info.dtype, t.info.shape, path);
        tensorByPath[objectPath] = ckpt.tensors.size();
        ckpt.tensors.push_back(std::move(t));
        addAttributes(dataset, objectPath, native);
    }

    static std::string describeLayout(hid_t dataset, const std::string& objectPath)
    {
        std::string where = "dataset /" + objectPath;
        Handle plist(H5Dget_create_plist(dataset));
        if (!plist)
            return where;
        const H5D_layout_t layout = H5Pget_layout(plist.get());
        if (layout == H5D_CHUNKED) {
            where += ", chunked";
            const int filters = H5Pget_nfilters(plist.get());
            for (int i = 0; i < filters; ++i) {
                unsigned flags = 0;
                size_t nelmts = 0;
                char name[64] = {};
                const H5Z_filter_t f = H5Pget_filter2(plist.get(), static_cast<unsigned>(i), &flags, &nelmts, nullptr, sizeof name, name, nullptr);
                where += f == H5Z_FILTER_DEFLATE ? ", gzip" : f == H5Z_FILTER_SHUFFLE ? ", shuffle" : std::string(", ") + name;
            }
        } else if (layout == H5D_COMPACT) {
            where += ", compact";
        } else {
            haddr_t addr = H5Dget_offset(dataset);
            if (addr != HADDR_UNDEF)
                where += ", contiguous at offset " + std::to_string(addr);
        }
        return where;
    }

    void visitGroup(hid_t group, const std::string& groupPath, int depth)
    {
        if (depth > 64)
            throw CheckpointError(path, "groups nested more than 64 levels deep");
        addAttributes(group, groupPath, false);
        for (const auto& name : linkNames(group)) {
            const std::string childPath = join(groupPath, name);
            H5L_info_t link;
            if (H5Lget_info(group, name.c_str(), &link, H5P_DEFAULT) < 0)
                continue;
            if (link.type == H5L_TYPE_SOFT || link.type == H5L_TYPE_EXTERNAL) {
                // Links are listed, never followed: a soft link may form a cycle and an
                // external one points at a file the user did not ask to open.
                std::vector<char> target(link.u.val_size + 1, '\0');
                H5Lget_val(group, name.c_str(), target.data(), target.size(), H5P_DEFAULT);
                std::string text = target.data();
                if (link.type == H5L_TYPE_EXTERNAL) {
                    const char* file = nullptr;
                    const char* obj = nullptr;
                    unsigned flags = 0;
                    if (H5Lunpack_elink_val(target.data(), target.size(), &flags, &file, &obj) >= 0)
                        text = std::string(file ? file : "") + ":" + (obj ? obj : "");
                }
                ckpt.metadata[childPath] = (link.type == H5L_TYPE_SOFT ? "<soft link to " : "<external link to ") + text + ">";
                continue;
            }
            Handle obj(H5Oopen(group, name.c_str(), H5P_DEFAULT));
            if (!obj)
                continue;
            H5O_info_t info;
            if (H5Oget_info2(obj.get(), &info, H5O_INFO_BASIC) < 0)
                continue;
            if (!visited.insert({info.fileno, info.addr}).second)
                continue; // a hard link to something already seen
            if (info.type == H5O_TYPE_GROUP)
                visitGroup(obj.get(), childPath, depth + 1);
            else if (info.type == H5O_TYPE_DATASET)
                visitDataset(obj.get(), childPath);
        }
    }

    static std::vector<std::string> linkNames(hid_t group)
    {
        std::vector<std::string> names;
        // Creation order when the file tracks it, else name order (h5py's default).
        Handle gcpl(H5Gget_create_plist(group));
        unsigned flags = 0;
        H5_index_t index = H5_INDEX_NAME;
        if (gcpl && H5Pget_link_creation_order(gcpl.get(), &flags) >= 0 && (flags & H5P_CRT_ORDER_TRACKED))
            index = H5_INDEX_CRT_ORDER;
        H5Literate(group, index, H5_ITER_INC, nullptr,
                    [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
                        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
                        return 0;
                    },
                    &names);
        return names;
    }
};

// Keras save_weights / model.save: tensors in layer_names order, then weight_names order.
bool applyKerasOrder(hid_t file, Checkpoint& ckpt, const std::map<std::string, std::size_t>& tensorByPath)
{
    for (const std::string base : {"", "model_weights"}) {
        Handle root;
        if (base.empty())
            root = Handle(H5Gopen2(file, "/", H5P_DEFAULT));
        else if (H5Lexists(file, base.c_str(), H5P_DEFAULT) > 0)
            root = Handle(H5Gopen2(file, base.c_str(), H5P_DEFAULT));
        if (!root)
            continue;
        bool found = false;
        const auto layers = readStringListAttribute(root.get(), "layer_names", found);
        if (!found)
            continue;
        std::vector<Tensor> ordered;
        std::vector<bool> taken(ckpt.tensors.size(), false);
        const std::string prefix = base.empty() ? "" : base + "/";
        for (const auto& layer : layers) {
            const std::string layerPath = prefix + layer;
            if (H5Lexists(file, layerPath.c_str(), H5P_DEFAULT) <= 0)
                continue;
            Handle group(H5Gopen2(file, layerPath.c_str(), H5P_DEFAULT));
            if (!group)
                continue;
            bool hasNames = false;
            for (const auto& weight : readStringListAttribute(group.get(), "weight_names", hasNames)) {
                auto it = tensorByPath.find(layerPath + "/" + weight);
                if (it != tensorByPath.end() && !taken[it->second]) {
                    taken[it->second] = true;
                    ordered.push_back(ckpt.tensors[it->second]);
                }
            }
        }
        for (std::size_t i = 0; i < ckpt.tensors.size(); ++i)
            if (!taken[i])
                ordered.push_back(ckpt.tensors[i]);
        ckpt.tensors = std::move(ordered);
        return true;
    }
    return false;
}

} // namespace

Checkpoint Hdf5Reader::open(const FileProbe& probe) const
{
    return openHdf5File(probe.path, probe.path, nullptr, nullptr);
}

// Everything libhdf5 does when a file is opened: the structure, every attribute, the Keras order.
static Checkpoint readStructure(const std::string& path, const std::string& displayPath, const std::vector<std::byte>* image,
                         const nlohmann::json* kerasConfig)
{
    quietErrors();
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
    // Close the file only when every object in it is closed (tensor sources keep datasets open).
    H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_WEAK);
    if (image) {
        // An in-memory file: the core driver serves it from a copy of the image, never from disk.
        H5Pset_fapl_core(fapl.get(), 1 << 16, false);
        H5Pset_file_image(fapl.get(), const_cast<std::byte*>(image->data()), image->size());
    }
    auto file = std::make_shared<Handle>(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()));
    if (!*file) {
        const std::string why = lastError();
        throw CheckpointError(displayPath, "not a readable HDF5 file (truncated or corrupt)" + (why.empty() ? std::string() : ": " + why));
    }
    Checkpoint ckpt;
    ckpt.path = displayPath;
    ckpt.format = "HDF5";
    Handle root(H5Gopen2(file->get(), "/", H5P_DEFAULT));
    if (!root)
        throw CheckpointError(displayPath, "cannot open the root group: " + lastError());
    Walker walker{displayPath, file, readStringAttribute(root.get(), kFormatAttr) == kFormatValue, ckpt, {}, {},
                  image ? std::string() : path, nullptr};
    try {
        walker.visitGroup(root.get(), "", 0);
    } catch (const CheckpointError&) {
        throw;
    } catch (const std::exception& e) {
        throw CheckpointError(displayPath, e.what());
    }
    if (walker.native)
        ckpt.format = "HDF5 (ckptview)";
    else if (applyKerasOrder(file->get(), ckpt, walker.tensorByPath))
        ckpt.format = "Keras HDF5";
    else if (applyKeras3Names(ckpt, kerasConfig))
        ckpt.format = "Keras 3 weights (HDF5)";
    H5Eclear2(H5E_DEFAULT);
    return ckpt;
}

// What the structure walk of a well-formed file can need: a margin plus twice the file, which
// bounds the attribute strings it holds. A corrupt variable-length string length makes libhdf5
// allocate and fill gigabytes.
static std::uint64_t structureMemoryBudget(const std::string& path, const std::vector<std::byte>* image)
{
    std::error_code error;
    const std::uint64_t size = image ? image->size() : std::filesystem::file_size(path, error);
    return (std::uint64_t(512) << 20) + 2 * (error ? 0 : size);
}

Checkpoint openHdf5File(const std::string& path, const std::string& displayPath, const std::vector<std::byte>* image,
                       const nlohmann::json* kerasConfig)
{
    std::lock_guard lock(hdf5::mutex());
    // libhdf5 1.10 can crash, loop or exhaust memory on corrupt structures (a bad global heap, a
    // cyclic B-tree, a huge string length): the same walk runs first in a child process, and only
    // a walk that succeeds there runs here.
    const auto outcome = runInForkedChild(
        [&]() -> std::string {
            hdf5::renewMutexInForkedChild();
            try {
                (void)readStructure(path, displayPath, image, kerasConfig);
            } catch (const CheckpointError& e) {
                return e.reason();
            }
            return {};
        },
        {forkGuardDeadline(), structureMemoryBudget(path, image)});
    if (outcome.failure)
        throw CheckpointError(displayPath, "the file is corrupt: libhdf5 " + *outcome.failure + " reading its structure");
    if (!outcome.report.empty())
        throw CheckpointError(displayPath, outcome.report);
    return readStructure(path, displayPath, image, kerasConfig);
}

} // namespace ckpt
