#include "formats/hdf5/Hdf5Reader.h"

#include "base/CheckpointError.h"
#include "formats/hdf5/Hdf5ChunkedSource.h"
#include "formats/hdf5/Hdf5ExternalSources.h"
#include "formats/hdf5/Hdf5FilterPlugins.h"
#include "formats/hdf5/Hdf5Handle.h"
#include "formats/hdf5/Hdf5NativeFormat.h"
#include "formats/hdf5/Hdf5TensorSource.h"
#include "formats/hdf5/Hdf5Types.h"
#include "formats/hdf5/Hdf5Values.h"
#include "formats/hdf5/Keras3Names.h"
#include "io/ByteSource.h"
#include "sandbox/ForkGuard.h"
#include "tensor/RefusedTensorSource.h"
#include "tensor/StridedTensorSource.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include <cstring>
#include <sys/mman.h>

namespace ckpt {

using namespace hdf5;

bool Hdf5Reader::matches(const FileProbe& probe) const
{
    static const std::string_view signature("\x89HDF\r\n\x1a\n", 8);
    for (std::size_t offset : { 0, 512, 1024, 2048 }) // a user block moves the signature
        if (probe.startsWith(signature, offset))
            return true;
    return false;
}

namespace {

// What the guarded child learns about chunk indexes: a chunk index that crashes or hangs libhdf5
// when walked (a B-tree node that is its own child) marks its dataset unreadable.
struct ChunkIndexCheck {
    // In the child: the dataset whose index is being walked, in memory shared with the parent, so
    // that the parent knows which one to blame when the child dies. nullptr in the parent.
    char* walking = nullptr;
    std::size_t walkingSize = 0;
    // Datasets already found corrupt, by HDF5 path, with the reason; the child skips them.
    std::map<std::string, std::string> corrupt;
};

// Thrown in the child when libhdf5 reports an error walking a chunk index.
struct UnwalkableChunkIndex {
    std::string reason;
};
constexpr std::string_view kUnwalkableMarker = "\x01unwalkable chunk index: ";

struct Walker {
    const std::string& path;
    std::shared_ptr<Handle> file;
    bool native = false;
    Checkpoint& ckpt;
    const ChunkIndexCheck& indexCheck;
    std::set<std::pair<unsigned long, haddr_t>> visited;
    std::map<std::string, std::size_t> tensorByPath; // HDF5 path -> index in ckpt.tensors
    // The file on disk (empty for an in-memory image), mapped once its first plain dataset is seen.
    std::string filePath;
    std::uint64_t fileSize = 0;
    std::shared_ptr<const ByteSource> fileBytes;
    // External files and virtual-dataset sources resolve from the checkpoint's folder.
    Handle datasetAccess { datasetAccessFor(filePath.empty() ? path : filePath) };

    // A contiguous, unfiltered dataset whose stored bits are already the host's is read like a
    // .npy: in place from the file's mapping, by both statistics threads at once, without
    // libhdf5 (whose calls are serialised). Anything else goes through hyperslab reads.
    std::shared_ptr<TensorDataSource> directSource(
        hid_t dataset, hid_t fileType, hid_t memoryType, const TensorInfo& info)
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
            return std::make_shared<StridedTensorSource>(
                fileBytes, info.dtype, info.shape, StridedLayout::rowMajor(info.shape, offset, hostByteOrder()));
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
        const bool hasElements = rank >= 0 && H5Sget_simple_extent_type(space.get()) != H5S_NULL;
        if (!mapping && hasElements && H5Tget_class(type.get()) == H5T_COMPOUND) {
            addRecordFields(dataset, objectPath, type.get(), space.get());
            addAttributes(dataset, objectPath, false);
            return;
        }
        if (!mapping || !hasElements) {
            // Not a tensor: small string datasets become metadata, other kinds are described.
            if (type && H5Tget_class(type.get()) == H5T_STRING)
                ckpt.metadata[objectPath] = readDatasetValue(dataset);
            else
                ckpt.metadata[objectPath]
                    = "<unsupported: " + (reason.empty() ? std::string("empty dataset") : reason) + ">";
            addAttributes(dataset, objectPath, false);
            return;
        }
        std::string name = objectPath;
        if (native) {
            const std::string original = readStringAttribute(dataset, kTensorNameAttr);
            if (!original.empty())
                name = original;
        }
        if (!mapping->note.empty())
            ckpt.metadata[join(objectPath, "hdf5_type")] = mapping->note;
        addTensor(dataset, objectPath, name, type.get(), space.get(), std::move(*mapping));
        addAttributes(dataset, objectPath, native);
    }

    // A compound (record) dataset: each member of a number type is a tensor "path.member" (nested
    // records "path.outer.inner"), read by libhdf5 into a compound of that member alone; an array
    // member {v: float32[3]} is the tensor (dataset shape..., 3), as h5py reads it. The other
    // members (strings, arrays of those) are described.
    void addRecordFields(hid_t dataset, const std::string& objectPath, hid_t fileType, hid_t space,
        hid_t record = H5I_INVALID_HID, std::vector<std::string> outer = {})
    {
        if (record == H5I_INVALID_HID)
            record = fileType;
        const int members = H5Tget_nmembers(record);
        for (int i = 0; i < members && i < 4096; ++i) {
            std::vector<std::string> names = outer;
            names.push_back(memberName(record, static_cast<unsigned>(i)));
            std::string name = objectPath;
            for (const auto& n : names)
                name += "." + n;
            Handle memberType(H5Tget_member_type(record, static_cast<unsigned>(i)));
            std::string reason;
            auto mapping = !memberType                        ? std::nullopt
                : H5Tget_class(memberType.get()) == H5T_ARRAY ? mapArrayType(memberType.get(), reason)
                                                              : mapFileType(memberType.get(), "", reason);
            if (!mapping && memberType && H5Tget_class(memberType.get()) == H5T_COMPOUND && names.size() < 8) {
                addRecordFields(dataset, objectPath, fileType, space, memberType.get(), names);
                continue;
            }
            if (!mapping || names.back().empty()) {
                ckpt.metadata[name]
                    = "<unsupported member: " + (reason.empty() ? std::string("unnamed") : reason) + ">";
                continue;
            }
            const bool neverRead = !mapping->memoryType; // an array member with a 0 dim
            if (!neverRead) {
                mapping->memoryType = recordOf(std::move(mapping->memoryType), names);
                if (!mapping->memoryType) {
                    ckpt.metadata[name] = "<unsupported member: cannot describe it to libhdf5>";
                    continue;
                }
            }
            if (!mapping->note.empty())
                ckpt.metadata[join(name, "hdf5_type")] = mapping->note;
            addTensor(dataset, objectPath, name, fileType, space, std::move(*mapping));
        }
    }

    // The memory type that reads one member out of a record: {outer: {inner: member}}, or an
    // invalid handle.
    static Handle recordOf(Handle member, const std::vector<std::string>& names)
    {
        for (auto n = names.rbegin(); n != names.rend() && member; ++n) {
            Handle wrapped(H5Tcreate(H5T_COMPOUND, H5Tget_size(member.get())));
            if (!wrapped || H5Tinsert(wrapped.get(), n->c_str(), 0, member.get()) < 0)
                wrapped = Handle();
            member = std::move(wrapped);
        }
        return member;
    }

    // Appends an array member's dims to the dataset's shape (h5py's shape of record["v"]), or
    // says why its values are refused.
    static std::string addElementAxes(TensorInfo& info, const TypeMapping& mapping, const std::string& objectPath)
    {
        if (!mapping.unreadable.empty())
            return "dataset /" + objectPath + ": " + mapping.unreadable;
        std::int64_t values = shapeNumel(info.shape);
        for (auto d : mapping.elementShape)
            values = saturatingMul(values, d);
        if (values == std::numeric_limits<std::int64_t>::max())
            return "dataset /" + objectPath + ": its records times the values of an array member "
                + shapeToString(mapping.elementShape) + " make 2^63 values or more";
        info.shape.insert(info.shape.end(), mapping.elementShape.begin(), mapping.elementShape.end());
        return {};
    }

    void addTensor(hid_t dataset, const std::string& objectPath, const std::string& name, hid_t fileType, hid_t space,
        TypeMapping mapping)
    {
        const int rank = H5Sget_simple_extent_ndims(space);
        std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
        H5Sget_simple_extent_dims(space, dims.data(), nullptr);
        Tensor t;
        t.info.name = name;
        t.info.dtype = mapping.dtype;
        for (auto d : dims)
            t.info.shape.push_back(static_cast<std::int64_t>(d));
        t.info.byteOrder = mapping.fileOrder;
        t.info.location = describeLayout(dataset, objectPath);
        t.info.unreadable = whyUnreadable(
            dataset, objectPath, shapeNumel(t.info.shape), hasVariableLength(fileType) ? 0 : H5Tget_size(fileType));
        if (std::string refused = addElementAxes(t.info, mapping, objectPath); t.info.unreadable.empty())
            t.info.unreadable = std::move(refused);
        if (!t.info.unreadable.empty())
            t.data = std::make_shared<RefusedTensorSource>(t.info.dtype, t.info.shape, path, t.info.unreadable);
        else if (indexCheck.walking) {
            // The guarded child only checks that the walk succeeds: it keeps no dataset open.
        } else {
            try {
                t.data = dataSource(
                    dataset, objectPath, fileType, std::move(mapping.memoryType), t.info, mapping.elementShape.size());
            } catch (const CheckpointError& e) {
                t.info.unreadable = e.reason();
                t.data = std::make_shared<RefusedTensorSource>(t.info.dtype, t.info.shape, path, t.info.unreadable);
            }
        }
        tensorByPath[name] = ckpt.tensors.size();
        ckpt.tensors.push_back(std::move(t));
    }

    // Why the dataset's data must not be read, or "": its bytes are in files outside the
    // checkpoint's folder, its chunk index crashed libhdf5 in the guarded child, or its stored
    // size does not match its shape (`elements` of `storedElementSize` bytes; 0: variable).
    std::string whyUnreadable(
        hid_t dataset, const std::string& objectPath, std::int64_t elements, std::size_t storedElementSize)
    {
        Handle dcpl(H5Dget_create_plist(dataset));
        if (!dcpl)
            return "dataset /" + objectPath + ": cannot read its storage properties";
        if (auto refused = refusedSources(dcpl.get(), filePath, filePath.empty(), "/" + objectPath); !refused.empty())
            return refused;
        const H5D_layout_t layout = H5Pget_layout(dcpl.get());
        if (layout == H5D_CHUNKED)
            return checkChunkIndex(dataset, objectPath);
        if (layout == H5D_VIRTUAL)
            return checkVirtualSources(dcpl.get(), objectPath);
        const hsize_t stored = H5Dget_storage_size(dataset);
        const auto needed = static_cast<hsize_t>(saturatingMul(elements, static_cast<std::int64_t>(storedElementSize)));
        // A contiguous dataset may store nothing yet (libhdf5 allocates it late); a compact one is
        // written with its header, and libhdf5 copies from a null buffer when it stores nothing
        // (found by fuzz_keras).
        const bool mayBeUnwritten = layout == H5D_CONTIGUOUS && stored == 0;
        if ((layout == H5D_COMPACT || (layout == H5D_CONTIGUOUS && H5Pget_external_count(dcpl.get()) == 0))
            && !mayBeUnwritten && storedElementSize != 0 && stored != needed)
            return "dataset /" + objectPath + " stores " + std::to_string(stored) + " bytes but its shape needs "
                + std::to_string(needed);
        return {};
    }

    // libhdf5 reads a virtual dataset's sources itself: in the guarded child each source is
    // opened and its chunk index walked under the virtual dataset's name, so a source that
    // crashes libhdf5 marks the virtual dataset unreadable; in the parent, reports what it found.
    std::string checkVirtualSources(hid_t dcpl, const std::string& objectPath)
    {
        if (auto it = indexCheck.corrupt.find(objectPath); it != indexCheck.corrupt.end())
            return "dataset /" + objectPath + ": a chunk index of its virtual sources is corrupt (libhdf5 " + it->second
                + ")";
        std::size_t count = 0;
        if (!indexCheck.walking || filePath.empty() || H5Pget_virtual_count(dcpl, &count) < 0)
            return {};
        nameWalkingSlot(objectPath);
        const std::filesystem::path folder = std::filesystem::path(filePath).parent_path(); // "" for the current one
        for (std::size_t i = 0; i < count; ++i) {
            const std::string fileName = virtualText(H5Pget_virtual_filename, dcpl, i);
            const std::string datasetName = virtualText(H5Pget_virtual_dsetname, dcpl, i);
            if (fileName.empty() || datasetName.empty() || fileName.find('%') != std::string::npos)
                continue; // printf-style source names are expanded by libhdf5 per block: not walked
            Handle other;
            if (fileName != ".")
                other = Handle(H5Fopen((folder / fileName).c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
            Handle source(H5Dopen2(fileName == "." ? file->get() : other.get(), datasetName.c_str(), H5P_DEFAULT));
            Handle sourceDcpl(source ? H5Dget_create_plist(source.get()) : H5I_INVALID_HID);
            if (!sourceDcpl || H5Pget_layout(sourceDcpl.get()) != H5D_CHUNKED)
                continue; // a source libhdf5 cannot open reads as the fill value
            hsize_t chunks = 0;
            Handle space(H5Dget_space(source.get()));
            if (!space || H5Dget_num_chunks(source.get(), space.get(), &chunks) < 0)
                throw UnwalkableChunkIndex { lastError() }; // the slot still names the virtual dataset
        }
        indexCheck.walking[0] = '\0';
        return {};
    }

    static std::string virtualText(ssize_t (*get)(hid_t, size_t, char*, size_t), hid_t dcpl, std::size_t i)
    {
        const ssize_t n = get(dcpl, i, nullptr, 0);
        if (n <= 0 || n > 65536)
            return {};
        std::string text(static_cast<std::size_t>(n) + 1, '\0');
        get(dcpl, i, text.data(), text.size());
        text.resize(static_cast<std::size_t>(n));
        return text;
    }

    void nameWalkingSlot(const std::string& objectPath) const
    {
        const std::size_t n = std::min(objectPath.size(), indexCheck.walkingSize - 1);
        std::memcpy(indexCheck.walking, objectPath.data(), n);
        indexCheck.walking[n] = '\0';
    }

    // In the guarded child, walks the dataset's whole chunk index (a cyclic one crashes libhdf5
    // here, where it is harmless); in the parent, reports what the child found.
    std::string checkChunkIndex(hid_t dataset, const std::string& objectPath)
    {
        if (auto it = indexCheck.corrupt.find(objectPath); it != indexCheck.corrupt.end())
            return "dataset /" + objectPath + ": its chunk index is corrupt (libhdf5 " + it->second + ")";
        if (!indexCheck.walking)
            return {};
        nameWalkingSlot(objectPath);
        hsize_t chunks = 0;
        Handle space(H5Dget_space(dataset));
        if (!space || H5Dget_num_chunks(dataset, space.get(), &chunks) < 0)
            throw UnwalkableChunkIndex { lastError() }; // the slot still names the dataset
        indexCheck.walking[0] = '\0';
        return {};
    }

    // `elementAxes`: the shape's trailing axes that each dataset element holds (an array member's).
    std::shared_ptr<TensorDataSource> dataSource(hid_t dataset, const std::string& objectPath, hid_t fileType,
        Handle memoryType, const TensorInfo& info, std::size_t elementAxes)
    {
        if (!memoryType) // an array member with a 0 dim: an empty tensor
            return makeMemorySource(info.dtype, info.shape, {});
        if (auto direct = directSource(dataset, fileType, memoryType.get(), info))
            return direct;
        hdf5::DatasetRef ref { file, "/" + objectPath, filePath.empty() ? path : filePath };
        Handle dcpl(H5Dget_create_plist(dataset));
        if (dcpl && H5Pget_layout(dcpl.get()) == H5D_CHUNKED)
            return std::make_shared<Hdf5ChunkedSource>(
                std::move(ref), std::move(memoryType), info.dtype, info.shape, path, fileSize, elementAxes);
        return std::make_shared<Hdf5TensorSource>(
            std::move(ref), std::move(memoryType), info.dtype, info.shape, path, elementAxes);
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
                const H5Z_filter_t f = H5Pget_filter2(
                    plist.get(), static_cast<unsigned>(i), &flags, &nelmts, nullptr, sizeof name, name, nullptr);
                where += f == H5Z_FILTER_DEFLATE ? ", gzip"
                    : f == H5Z_FILTER_SHUFFLE    ? ", shuffle"
                                                 : std::string(", ") + name;
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
        for (const auto& name : linkNames(group, groupPath)) {
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
                ckpt.metadata[childPath]
                    = (link.type == H5L_TYPE_SOFT ? "<soft link to " : "<external link to ") + text + ">";
                continue;
            }
            Handle obj(H5Oopen(group, name.c_str(), H5P_DEFAULT));
            if (!obj)
                continue;
            H5O_info_t info;
            if (H5Oget_info2(obj.get(), &info, H5O_INFO_BASIC) < 0)
                continue;
            if (!visited.insert({ info.fileno, info.addr }).second)
                continue; // a hard link to something already seen
            if (info.type == H5O_TYPE_GROUP)
                visitGroup(obj.get(), childPath, depth + 1);
            else if (info.type == H5O_TYPE_DATASET) {
                // Reopened with the access list its data sources use: libhdf5 refuses to open a
                // dataset again with other external-file prefixes while it is open.
                obj.reset();
                Handle dataset(H5Dopen2(group, name.c_str(), datasetAccess.get()));
                if (dataset)
                    visitDataset(dataset.get(), childPath);
            }
        }
    }

    // The names in a group, or an error when its index cannot be walked to the end (a corrupt
    // symbol table would otherwise look like an empty group).
    std::vector<std::string> linkNames(hid_t group, const std::string& groupPath) const
    {
        std::vector<std::string> names;
        // Creation order when the file tracks it, else name order (h5py's default).
        Handle gcpl(H5Gget_create_plist(group));
        unsigned flags = 0;
        H5_index_t index = H5_INDEX_NAME;
        if (gcpl && H5Pget_link_creation_order(gcpl.get(), &flags) >= 0 && (flags & H5P_CRT_ORDER_TRACKED))
            index = H5_INDEX_CRT_ORDER;
        const herr_t walked = H5Literate(
            group, index, H5_ITER_INC, nullptr,
            [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
                static_cast<std::vector<std::string>*>(data)->emplace_back(name);
                return 0;
            },
            &names);
        if (walked < 0) {
            const std::string why = lastError();
            throw CheckpointError(path,
                "group /" + groupPath + " cannot be listed, its index is corrupt"
                    + (why.empty() ? std::string() : ": " + why));
        }
        return names;
    }
};

// Keras save_weights / model.save: tensors in layer_names order, then weight_names order.
bool applyKerasOrder(hid_t file, Checkpoint& ckpt, const std::map<std::string, std::size_t>& tensorByPath)
{
    for (const std::string base : { "", "model_weights" }) {
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

void Hdf5Reader::read(const FileProbe& probe, Checkpoint& c) const
{
    c = openHdf5File(probe.path, probe.path, nullptr, nullptr);
}

// A file whose superblock still says "open for write" (a writer that crashed, or one still
// writing in SWMR mode) is refused by libhdf5 unless the status flags are ignored, which is what
// h5clear's private file-access property does. Opened read-only, nothing is written back: the
// flags stay as they are in the file.
static hid_t openReadOnly(const std::string& path, hid_t fapl, bool& leftOpenForWrite, std::string& error)
{
    disableLibhdf5Plugins();
    hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
    if (file >= 0)
        return file;
    error = lastError();
    if (error.find("already open for write") == std::string::npos)
        return file;
    Handle ignoring(H5Pcopy(fapl));
    hbool_t ignore = true;
    if (!ignoring || H5Pset(ignoring.get(), "clear_status_flags", &ignore) < 0)
        return file;
    file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, ignoring.get());
    leftOpenForWrite = file >= 0;
    if (file < 0)
        error = lastError();
    return file;
}

// Everything libhdf5 does when a file is opened: the structure, every attribute, the Keras order.
static Checkpoint readStructure(const std::string& path, const std::string& displayPath,
    const std::vector<std::byte>* image, const nlohmann::json* kerasConfig, const ChunkIndexCheck& indexCheck)
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
    bool leftOpenForWrite = false;
    std::string why;
    auto file = std::make_shared<Handle>(openReadOnly(path, fapl.get(), leftOpenForWrite, why));
    if (!*file) {
        throw CheckpointError(displayPath,
            "not a readable HDF5 file (truncated or corrupt)" + (why.empty() ? std::string() : ": " + why));
    }
    Checkpoint ckpt;
    if (leftOpenForWrite)
        ckpt.metadata["hdf5.not_closed_cleanly"]
            = "the file still says it is open for writing: its writer crashed, is still running, or wrote it "
              "in SWMR mode; it was read as it is";
    ckpt.path = displayPath;
    ckpt.format = "HDF5";
    Handle root(H5Gopen2(file->get(), "/", H5P_DEFAULT));
    if (!root)
        throw CheckpointError(displayPath, "cannot open the root group: " + lastError());
    hsize_t fileSize = 0;
    H5Fget_filesize(file->get(), &fileSize);
    Walker walker { displayPath, file, readStringAttribute(root.get(), kFormatAttr) == kFormatValue, ckpt, indexCheck,
        {}, {}, image ? std::string() : path, image ? image->size() : fileSize, nullptr };
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
// allocate and fill gigabytes. With the process's own pages, the child stays within the goal
// of 256 MiB plus twice the file.
static std::uint64_t structureMemoryBudget(const std::string& path, const std::vector<std::byte>* image)
{
    std::error_code error;
    const std::uint64_t size = image ? image->size() : std::filesystem::file_size(path, error);
    return (std::uint64_t(192) << 20) + 2 * (error ? 0 : size);
}

namespace {

// A page shared with the forked child, where it writes which chunk index it is walking.
class SharedSlot {
public:
    static constexpr std::size_t kSize = 4096;
    SharedSlot()
        : page_(static_cast<char*>(mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)))
    {
        if (page_ == MAP_FAILED)
            page_ = nullptr;
        else
            page_[0] = '\0';
    }
    ~SharedSlot()
    {
        if (page_)
            munmap(page_, kSize);
    }
    SharedSlot(const SharedSlot&) = delete;
    SharedSlot& operator=(const SharedSlot&) = delete;
    char* get() const { return page_; }
    std::string text() const { return page_ ? std::string(page_, strnlen(page_, kSize)) : std::string(); }

private:
    char* page_;
};

// How many corrupt chunk indexes one file may have before the whole file is refused: each costs
// another guarded walk.
constexpr int kMaxCorruptIndexes = 8;

} // namespace

Checkpoint openHdf5File(const std::string& path, const std::string& displayPath, const std::vector<std::byte>* image,
    const nlohmann::json* kerasConfig)
{
    std::lock_guard lock(hdf5::mutex());
    // libhdf5 1.10 can crash, loop or exhaust memory on corrupt structures (a bad global heap, a
    // cyclic B-tree, a huge string length): the same walk, and a walk of every chunk index, runs
    // first in a child process, and only a walk that succeeds there runs here. A child that dies
    // walking a chunk index marks that dataset unreadable, and the walk is tried again without it.
    SharedSlot walking;
    ChunkIndexCheck check { walking.get(), SharedSlot::kSize, {} };
    for (int attempt = 0;; ++attempt) {
        if (walking.get())
            walking.get()[0] = '\0';
        const auto outcome = runInForkedChild(
            [&]() -> std::string {
                hdf5::renewMutexInForkedChild();
                try {
                    (void)readStructure(path, displayPath, image, kerasConfig, check);
                } catch (const CheckpointError& e) {
                    return e.reason();
                } catch (const UnwalkableChunkIndex& e) {
                    return std::string(kUnwalkableMarker) + (e.reason.empty() ? "no reason given" : e.reason);
                }
                return {};
            },
            { forkGuardDeadline(), structureMemoryBudget(path, image) });
        const std::string dataset = walking.text();
        const bool unwalkable = outcome.report.rfind(kUnwalkableMarker, 0) == 0;
        // A crash costs milliseconds and is worth another walk without that dataset; a hang cost
        // the whole deadline, and another could follow: the file is refused instead.
        const bool hung = outcome.failure && outcome.failure->rfind("did not finish", 0) == 0;
        if ((outcome.failure || unwalkable) && !hung && !dataset.empty() && attempt < kMaxCorruptIndexes
            && !check.corrupt.count(dataset)) {
            check.corrupt[dataset] = outcome.failure
                ? *outcome.failure + " walking it"
                : "could not walk it: " + outcome.report.substr(kUnwalkableMarker.size());
            continue;
        }
        if (outcome.failure)
            throw CheckpointError(
                displayPath, "the file is corrupt: libhdf5 " + *outcome.failure + " reading its structure");
        if (!outcome.report.empty())
            throw CheckpointError(displayPath, outcome.report);
        break;
    }
    return readStructure(path, displayPath, image, kerasConfig, ChunkIndexCheck { nullptr, 0, check.corrupt });
}

} // namespace ckpt
