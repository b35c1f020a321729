#include "formats/onnx/OnnxReader.h"

#include "base/CheckpointError.h"
#include "formats/onnx/OnnxProto.h"
#include "formats/onnx/OnnxTypedSource.h"
#include "io/ContainedPath.h"
#include "tensor/FlatTensorSource.h"
#include "tensor/StridedTensorSource.h"

#include <filesystem>
#include <map>
#include <set>

namespace ckpt {

namespace {

namespace fs = std::filesystem;

// Protobuf caps a message at 2 GiB; a bigger "model" is not one.
constexpr std::uint64_t kMaxModelBytes = std::uint64_t(1) << 31;

// A tensor of a type we cannot serve: listed, and reading it says why.
class UnsupportedSource final : public FlatTensorSource {
public:
    UnsupportedSource(Shape shape, std::string reason)
        : FlatTensorSource(DType::UInt8, std::move(shape))
        , reason_(std::move(reason))
    {
    }
    void readFlat(std::int64_t, std::int64_t, std::byte*) const override { throw FormatError(reason_); }

private:
    std::string reason_;
};

// A hostile graph may have millions of nodes; the architecture view lists the first ones
// (OnnxModel keeps no more).
constexpr std::size_t kMaxListedNodes = kMaxOnnxNodes;
constexpr std::size_t kMaxListedEdges = kMaxOnnxEdges;

nlohmann::ordered_json names(const std::vector<std::string>& list)
{
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < list.size() && i < kMaxListedEdges; ++i)
        out.push_back(list[i]);
    return out;
}

// The graph's nodes in order (op type, inputs, outputs, attributes), for core/model/Architecture.
nlohmann::ordered_json nodeList(const std::vector<OnnxNode>& nodes)
{
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < nodes.size() && i < kMaxListedNodes; ++i) {
        nlohmann::ordered_json attributes = nlohmann::ordered_json::object();
        for (const auto& [key, value] : nodes[i].attributes)
            attributes[key] = value;
        out.push_back({ { "name", nodes[i].name }, { "op_type", nodes[i].opType }, { "inputs", names(nodes[i].inputs) },
            { "outputs", names(nodes[i].outputs) }, { "attributes", attributes } });
    }
    return out;
}

// The external files initializers name, under the rule of io/ContainedPath.h.
class ExternalFiles {
public:
    explicit ExternalFiles(const std::string& modelPath)
        : modelPath_(modelPath)
    {
    }

    std::shared_ptr<const FileByteSource> get(const std::string& location, const std::string& tensor)
    {
        auto& file = open_[location];
        if (file)
            return file;
        if (location.empty())
            throw FormatError("initializer '" + tensor + "' has external data without a location");
        const std::string what = "initializer '" + tensor + "': external data location '" + location + "'";
        const std::string full = containedPath(modelPath_, location, what);
        try {
            file = std::make_shared<FileByteSource>(full);
        } catch (const CheckpointError& e) {
            throw FormatError(what + ": " + e.what());
        }
        return file;
    }

private:
    std::string modelPath_;
    std::map<std::string, std::shared_ptr<const FileByteSource>> open_;
};

std::uint64_t externalNumber(const std::string& value, const std::string& key, const std::string& tensor)
{
    std::size_t used = 0;
    std::uint64_t v = 0;
    try {
        if (value.empty() || value[0] == '-')
            throw std::invalid_argument(value);
        v = std::stoull(value, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != value.size())
        throw FormatError("initializer '" + tensor + "': external data " + key + " '" + value + "' is not a number");
    return v;
}

struct Builder {
    std::shared_ptr<const ByteSource> model;
    const std::uint8_t* base;
    ExternalFiles external;
    Checkpoint& checkpoint;

    void add(const OnnxTensor& in)
    {
        Tensor t;
        t.info.name = in.name;
        t.info.shape = in.dims;
        const std::string what
            = "initializer '" + in.name + "' (" + onnxTypeName(in.dataType) + " " + shapeToString(in.dims) + ")";
        const auto dtype = dtypeFromOnnx(in.dataType);
        std::int64_t bytes = 0;
        try {
            bytes = checkedMul(shapeNumel(in.dims), dtype ? std::int64_t(dtypeSize(*dtype)) : 1);
        } catch (const std::exception& e) {
            throw FormatError(what + ": " + e.what());
        }
        if (in.segmented)
            throw FormatError(what + " is segmented; segmented tensors are not supported");
        if (!dtype) {
            t.info.dtype = DType::UInt8;
            t.info.encoding = onnxTypeName(in.dataType);
            t.info.location = "not readable";
            t.data = std::make_shared<UnsupportedSource>(in.dims,
                "'" + in.name + "': ONNX " + onnxTypeName(in.dataType)
                    + " tensors cannot be read (unsupported data type)");
            checkpoint.tensors.push_back(std::move(t));
            return;
        }
        t.info.dtype = *dtype;
        if (in.external) {
            std::string location;
            std::optional<std::uint64_t> offset, length;
            for (const auto& [key, value] : in.externalData) {
                if (key == "location")
                    location = value;
                else if (key == "offset")
                    offset = externalNumber(value, key, in.name);
                else if (key == "length")
                    length = externalNumber(value, key, in.name);
            }
            auto file = external.get(location, in.name);
            const std::uint64_t at = offset.value_or(0);
            if (length && *length != std::uint64_t(bytes))
                throw FormatError(what + " needs " + std::to_string(bytes) + " bytes but its external data length is "
                    + std::to_string(*length));
            if (at > file->size() || std::uint64_t(bytes) > file->size() - at)
                throw FormatError(what + ": " + std::to_string(bytes) + " bytes at offset " + std::to_string(at)
                    + " of " + location + " run past its end (" + std::to_string(file->size()) + " bytes)");
            t.info.location = location + ", offset " + std::to_string(at);
            t.data = std::make_shared<StridedTensorSource>(file, *dtype, in.dims, StridedLayout::rowMajor(in.dims, at));
        } else if (in.rawData) {
            if (std::int64_t(in.rawData->size()) != bytes)
                throw FormatError(what + " needs " + std::to_string(bytes) + " bytes but raw_data holds "
                    + std::to_string(in.rawData->size()));
            const std::uint64_t at = std::uint64_t(in.rawData->data() - base);
            t.info.location = "raw_data at offset " + std::to_string(at);
            t.data
                = std::make_shared<StridedTensorSource>(model, *dtype, in.dims, StridedLayout::rowMajor(in.dims, at));
        } else if (in.typedField != 0) {
            t.info.location = onnxTypedFieldName(in.typedField);
            t.data = std::make_shared<OnnxTypedSource>(model, in, *dtype);
        } else if (bytes == 0) {
            t.info.location = "empty";
            t.data = makeMemorySource(*dtype, in.dims, {});
        } else {
            throw FormatError(what + " has no data (no raw_data, typed field or external data)");
        }
        checkpoint.tensors.push_back(std::move(t));
    }
};

} // namespace

bool OnnxReader::matches(const FileProbe& probe) const
{
    return looksLikeOnnxModel(probe.head, probe.size);
}

void OnnxReader::read(const FileProbe& probe, Checkpoint& ckpt) const
{
    auto file = std::make_shared<FileByteSource>(probe.path);
    if (file->size() > kMaxModelBytes)
        throw FormatError(
            "a model of " + std::to_string(file->size()) + " bytes is larger than protobuf allows (2 GiB)");
    std::shared_ptr<const ByteSource> bytes = file;
    if (!file->data())
        bytes = std::make_shared<MemoryByteSource>(file->readVector(0, std::size_t(file->size())));
    const auto* base = reinterpret_cast<const std::uint8_t*>(bytes->data());
    const OnnxModel model = parseOnnxModel({ base, std::size_t(bytes->size()) });
    if (!model.hasGraph)
        throw FormatError("the model has no graph");

    auto& meta = ckpt.metadata;
    meta["__onnx__/ir_version"] = model.irVersion;
    meta["__onnx__/producer_name"] = model.producerName;
    meta["__onnx__/producer_version"] = model.producerVersion;
    if (!model.domain.empty())
        meta["__onnx__/domain"] = model.domain;
    if (model.modelVersion != 0)
        meta["__onnx__/model_version"] = model.modelVersion;
    if (!model.docString.empty())
        meta["__onnx__/doc_string"] = model.docString;
    nlohmann::ordered_json opsets = nlohmann::ordered_json::object();
    for (const auto& [domain, version] : model.opsets)
        opsets[domain.empty() ? "ai.onnx" : domain] = version;
    meta["__onnx__/opset_import"] = opsets;
    for (const auto& [key, value] : model.metadataProps)
        meta["__onnx__/metadata_props/" + key] = value;
    meta["__onnx__/graph_name"] = model.graphName;
    meta["__onnx__/nodes"] = model.nodeCount;
    meta["__onnx__/graph/nodes"] = nodeList(model.nodes);

    std::set<std::string> names;
    for (const auto& init : model.initializers)
        if (!names.insert(init.name).second)
            throw FormatError("duplicate initializer '" + init.name + "'");
    Builder builder { bytes, base, ExternalFiles(probe.path), ckpt };
    for (const auto& init : model.initializers)
        builder.add(init);

    for (const auto& init : model.initializers)
        if (auto it = model.consumers.find(init.name); it != model.consumers.end())
            meta[init.name + "/consumers"] = it->second;
    for (const auto& sparse : model.sparseInitializers)
        meta[sparse.name] = "<sparse initializer, " + onnxTypeName(sparse.dataType) + " " + shapeToString(sparse.dims)
            + ": sparse initializers are not supported>";
}

} // namespace ckpt
