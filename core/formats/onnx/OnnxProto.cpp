#include "formats/onnx/OnnxProto.h"

#include "base/CheckpointError.h"
#include "codec/ProtoWire.h"

#include <cstdio>
#include <cstring>
#include <set>
#include <string_view>

namespace ckpt {

namespace {

using WireType = ProtoWire::WireType;
constexpr std::size_t kMaxDims = 64;

void expect(const ProtoWire::Field& f, WireType type, const char* what)
{
    if (f.type != type)
        throw FormatError(std::string(what) + " (field " + std::to_string(f.number) + ") has wire type "
            + std::to_string(int(f.type)) + ", expected " + std::to_string(int(type)));
}

std::string text(const ProtoWire::Field& f, const char* what)
{
    expect(f, WireType::Bytes, what);
    return std::string(f.text());
}

std::int64_t varint(const ProtoWire::Field& f, const char* what)
{
    expect(f, WireType::Varint, what);
    return f.asInt64();
}

void appendDims(const ProtoWire::Field& f, Shape& dims, const std::string& tensor)
{
    auto add = [&](std::int64_t d) {
        if (dims.size() == kMaxDims)
            throw FormatError("tensor '" + tensor + "' has more than " + std::to_string(kMaxDims) + " dims");
        if (d < 0)
            throw FormatError("tensor '" + tensor + "' has dimension " + std::to_string(d));
        dims.push_back(d);
    };
    if (f.type == WireType::Varint) {
        add(f.asInt64());
        return;
    }
    expect(f, WireType::Bytes, "TensorProto.dims");
    std::size_t pos = 0;
    while (pos < f.bytes.size())
        add(std::int64_t(ProtoWire::readVarint(f.bytes, pos)));
}

std::pair<std::string, std::string> stringEntry(std::span<const std::uint8_t> bytes, const char* what)
{
    std::pair<std::string, std::string> entry;
    ProtoWire w(bytes);
    while (auto f = w.next()) {
        if (f->number == 1)
            entry.first = text(*f, what);
        else if (f->number == 2)
            entry.second = text(*f, what);
    }
    return entry;
}

OnnxTensor parseTensor(std::span<const std::uint8_t> bytes)
{
    OnnxTensor t;
    Shape dims;
    std::vector<ProtoWire::Field> dimFields;
    ProtoWire w(bytes);
    while (auto f = w.next()) {
        switch (f->number) {
        case 1:
            dimFields.push_back(*f);
            break; // decoded once the name is known
        case 2: {
            const auto v = varint(*f, "TensorProto.data_type");
            if (v < 0 || v > INT32_MAX)
                throw FormatError("TensorProto.data_type " + std::to_string(v) + " is out of range");
            t.dataType = std::int32_t(v);
            break;
        }
        case 3:
            t.segmented = true;
            break;
        case 4:
        case 5:
        case 6:
        case 7:
        case 10:
        case 11: {
            if (t.typedField != 0 && t.typedField != f->number)
                t.mixedTypedFields = true;
            t.typedField = f->number;
            OnnxTypedRun run;
            const bool fixed32 = f->number == 4, fixed64 = f->number == 10;
            if (f->number == 6) {
                expect(*f, WireType::Bytes, "TensorProto.string_data");
                run.packed = f->bytes; // one string per field; only counted
                run.isPacked = false;
            } else if (f->type == WireType::Bytes) {
                run.packed = f->bytes;
                run.isPacked = true;
            } else {
                expect(*f,
                    fixed32       ? WireType::Fixed32
                        : fixed64 ? WireType::Fixed64
                                  : WireType::Varint,
                    "TensorProto typed data");
                run.value = f->value;
            }
            t.typed.push_back(run);
            break;
        }
        case 8:
            t.name = text(*f, "TensorProto.name");
            break;
        case 9:
            expect(*f, WireType::Bytes, "TensorProto.raw_data");
            t.rawData = f->bytes;
            break;
        case 13:
            expect(*f, WireType::Bytes, "TensorProto.external_data");
            t.externalData.push_back(stringEntry(f->bytes, "external_data"));
            break;
        case 14:
            t.external = varint(*f, "TensorProto.data_location") == 1;
            break;
        default:
            break;
        }
    }
    for (const auto& f : dimFields)
        appendDims(f, t.dims, t.name);
    return t;
}

// A hostile file cannot make the attribute text grow past these.
constexpr std::size_t kMaxAttributes = 32;
constexpr std::size_t kMaxAttributeText = 80;

// A float attribute as short text: "1", "0.5", "1e-05".
std::string floatText(std::uint64_t bits)
{
    const auto u = static_cast<std::uint32_t>(bits);
    float v;
    std::memcpy(&v, &u, sizeof v);
    char text[32];
    std::snprintf(text, sizeof text, "%g", double(v));
    return text;
}

void appendValue(std::string& out, const std::string& value)
{
    if (out.size() >= kMaxAttributeText)
        return;
    out += (out.empty() ? "" : ",") + value;
    if (out.size() >= kMaxAttributeText)
        out = out.substr(0, kMaxAttributeText) + "…";
}

// AttributeProto: name 1, f 2, i 3, s 4, floats 7, ints 8. Packed lists are decoded element-wise.
std::pair<std::string, std::string> parseAttribute(std::span<const std::uint8_t> bytes)
{
    std::pair<std::string, std::string> a;
    ProtoWire w(bytes);
    while (auto f = w.next()) {
        if (f->number == 1)
            a.first = text(*f, "AttributeProto.name");
        else if (f->number == 2 && f->type == WireType::Fixed32)
            appendValue(a.second, floatText(f->value));
        else if ((f->number == 3 || f->number == 8) && f->type == WireType::Varint)
            appendValue(a.second, std::to_string(f->asInt64()));
        else if (f->number == 8 && f->type == WireType::Bytes)
            for (std::size_t pos = 0; pos < f->bytes.size() && a.second.size() < kMaxAttributeText;)
                appendValue(a.second, std::to_string(std::int64_t(ProtoWire::readVarint(f->bytes, pos))));
        else if (f->number == 4 && f->type == WireType::Bytes)
            appendValue(a.second, std::string(f->text().substr(0, kMaxAttributeText)));
    }
    return a;
}

// A node with its first kMaxOnnxEdges inputs and outputs; `read` gets the initializers (of
// `initializers`) among all its inputs, each once.
OnnxNode parseNode(std::span<const std::uint8_t> bytes, const std::set<std::string_view>& initializers,
    std::set<std::string_view>& read)
{
    OnnxNode n;
    read.clear();
    ProtoWire w(bytes);
    while (auto f = w.next()) {
        if (f->number == 1) {
            expect(*f, WireType::Bytes, "NodeProto.input");
            const auto input = f->text();
            if (n.inputs.size() < kMaxOnnxEdges)
                n.inputs.emplace_back(input);
            if (const auto it = initializers.find(input); it != initializers.end())
                read.insert(*it);
        } else if (f->number == 2) {
            expect(*f, WireType::Bytes, "NodeProto.output");
            if (n.outputs.size() < kMaxOnnxEdges)
                n.outputs.emplace_back(f->text());
        } else if (f->number == 5 && f->type == WireType::Bytes && n.attributes.size() < kMaxAttributes)
            n.attributes.push_back(parseAttribute(f->bytes));
        else if (f->number == 3)
            n.name = text(*f, "NodeProto.name");
        else if (f->number == 4)
            n.opType = text(*f, "NodeProto.op_type");
    }
    return n;
}

OnnxSparseInitializer parseSparse(std::span<const std::uint8_t> bytes)
{
    OnnxSparseInitializer s;
    ProtoWire w(bytes);
    while (auto f = w.next()) {
        if (f->number == 1) {
            expect(*f, WireType::Bytes, "SparseTensorProto.values");
            const OnnxTensor values = parseTensor(f->bytes);
            s.name = values.name;
            s.dataType = values.dataType;
        } else if (f->number == 3) {
            appendDims(*f, s.dims, "sparse initializer");
        }
    }
    return s;
}

void parseGraph(std::span<const std::uint8_t> bytes, OnnxModel& m)
{
    ProtoWire w(bytes);
    while (auto f = w.next()) {
        switch (f->number) {
        case 2:
            m.graphName = text(*f, "GraphProto.name");
            break;
        case 5:
            expect(*f, WireType::Bytes, "GraphProto.initializer");
            m.initializers.push_back(parseTensor(f->bytes));
            break;
        case 15:
            expect(*f, WireType::Bytes, "GraphProto.sparse_initializer");
            m.sparseInitializers.push_back(parseSparse(f->bytes));
            break;
        default:
            break;
        }
    }
    // The nodes once the initializers are known (they may come in any order).
    std::set<std::string_view> initializers;
    for (const auto& init : m.initializers)
        initializers.insert(init.name);
    std::set<std::string_view> read;
    ProtoWire nodes(bytes);
    while (auto f = nodes.next()) {
        if (f->number != 1)
            continue;
        expect(*f, WireType::Bytes, "GraphProto.node");
        OnnxNode node = parseNode(f->bytes, initializers, read);
        const std::string label = node.name.empty() ? node.opType + "#" + std::to_string(m.nodeCount) : node.name;
        for (const auto name : read) {
            auto& list = m.consumers[std::string(name)];
            if (list.size() < kMaxOnnxNodes && (list.empty() || list.back() != label))
                list.push_back(label);
        }
        if (m.nodes.size() < kMaxOnnxNodes)
            m.nodes.push_back(std::move(node));
        ++m.nodeCount;
    }
}

} // namespace

OnnxModel parseOnnxModel(std::span<const std::uint8_t> bytes)
{
    OnnxModel m;
    ProtoWire w(bytes);
    while (auto f = w.next()) {
        switch (f->number) {
        case 1:
            m.irVersion = varint(*f, "ModelProto.ir_version");
            break;
        case 2:
            m.producerName = text(*f, "ModelProto.producer_name");
            break;
        case 3:
            m.producerVersion = text(*f, "ModelProto.producer_version");
            break;
        case 4:
            m.domain = text(*f, "ModelProto.domain");
            break;
        case 5:
            m.modelVersion = varint(*f, "ModelProto.model_version");
            break;
        case 6:
            m.docString = text(*f, "ModelProto.doc_string");
            break;
        case 7:
            expect(*f, WireType::Bytes, "ModelProto.graph");
            m.hasGraph = true;
            parseGraph(f->bytes, m);
            break;
        case 8: {
            expect(*f, WireType::Bytes, "ModelProto.opset_import");
            std::pair<std::string, std::int64_t> opset;
            ProtoWire o(f->bytes);
            while (auto g = o.next()) {
                if (g->number == 1)
                    opset.first = text(*g, "OperatorSetIdProto.domain");
                else if (g->number == 2)
                    opset.second = varint(*g, "OperatorSetIdProto.version");
            }
            m.opsets.push_back(opset);
            break;
        }
        case 14:
            expect(*f, WireType::Bytes, "ModelProto.metadata_props");
            m.metadataProps.push_back(stringEntry(f->bytes, "metadata_props"));
            break;
        default:
            break;
        }
    }
    return m;
}

bool looksLikeOnnxModel(std::span<const std::uint8_t> head, std::uint64_t fileSize)
{
    if (head.size() < 2 || head[0] != 0x08)
        return false;
    std::size_t pos = 0;
    bool first = true;
    try {
        while (pos < head.size()) {
            const std::uint64_t key = ProtoWire::readVarint(head, pos);
            const std::uint64_t number = key >> 3;
            const unsigned type = unsigned(key & 7);
            if (first) {
                if (key != 0x08)
                    return false;
                const std::uint64_t ir = ProtoWire::readVarint(head, pos);
                if (ir < 1 || ir > 20)
                    return false;
                first = false;
                continue;
            }
            const bool varintField = number == 5;
            const bool bytesField = number == 2 || number == 3 || number == 4 || number == 6 || number == 7
                || number == 8 || number == 14 || number == 20 || number == 25;
            if (varintField && type == 0) {
                ProtoWire::readVarint(head, pos);
                continue;
            }
            if (!bytesField || type != 2)
                return false;
            const std::uint64_t length = ProtoWire::readVarint(head, pos);
            if (length > fileSize - pos)
                return false;
            if (number == 7)
                return true;
            if (length > head.size() - pos)
                return false; // a large field before the graph: too unusual to claim the file
            pos += std::size_t(length);
        }
    } catch (const FormatError&) {
        return false;
    }
    return false;
}

std::optional<DType> dtypeFromOnnx(std::int32_t dataType)
{
    switch (dataType) {
    case 1:
        return DType::Float32;
    case 2:
        return DType::UInt8;
    case 3:
        return DType::Int8;
    case 4:
        return DType::UInt16;
    case 5:
        return DType::Int16;
    case 6:
        return DType::Int32;
    case 7:
        return DType::Int64;
    case 9:
        return DType::Bool;
    case 10:
        return DType::Float16;
    case 11:
        return DType::Float64;
    case 12:
        return DType::UInt32;
    case 13:
        return DType::UInt64;
    case 14:
        return DType::Complex64;
    case 15:
        return DType::Complex128;
    case 16:
        return DType::BFloat16;
    case 17:
        return DType::Float8E4M3FN;
    case 19:
        return DType::Float8E5M2;
    default:
        return std::nullopt;
    }
}

std::string onnxTypeName(std::int32_t dataType)
{
    static const char* const names[] = { "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
        "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16",
        "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1" };
    if (dataType >= 0 && dataType < std::int32_t(std::size(names)))
        return names[dataType];
    return "data type " + std::to_string(dataType);
}

} // namespace ckpt
