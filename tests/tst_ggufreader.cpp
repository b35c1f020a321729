// The GGUF reader on the real llama.cpp file (tests/data/real/gguf, see SOURCES.md: names, ggml
// types, dims, metadata; values checked against numpy reading the same bytes) and on byte-level
// fixtures (tests/data/gguf/make_gguf_fixtures.py): every plain type, every metadata value type,
// versions 1-3, custom alignment, big-endian, and block-quantized tensors whose dequantized values
// were computed by numpy (quantized_expected.npz) and must match exactly.
#include "base/CheckpointError.h"
#include "numerics/Convert.h"
#include "numerics/Stats.h"
#include "open/ReaderRegistry.h"
#include "tensor/CheckpointTree.h"
#include "tensor/TensorData.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <filesystem>

using namespace ckpt;

namespace {
std::vector<double> valuesOf(const TensorData& d)
{
    std::vector<double> v(std::size_t(d.numel()));
    convertToDouble(d.dtype, d.bytes.data(), d.numel(), v.data());
    return v;
}
std::vector<double> valuesOf(const Tensor& t)
{
    return valuesOf(readTensor(t));
}
double sumOf(const Tensor& t)
{
    double s = 0;
    for (double v : valuesOf(t))
        s += v;
    return s;
}
std::string real(const char* name)
{
    return std::string(CKPT_REAL_FIXTURES "/gguf/") + name;
}
std::string fixture(const std::string& name)
{
    return std::string(CKPT_TEST_DATA "/gguf/") + name;
}

const Tensor& tensorNamed(const Checkpoint& c, const std::string& name)
{
    const Tensor* t = c.find(name);
    if (!t)
        throw std::runtime_error("no tensor " + name);
    return *t;
}

std::vector<double> range(int n, double scale, double offset)
{
    std::vector<double> v;
    for (int i = 0; i < n; ++i)
        v.push_back((i + offset) * scale);
    return v;
}
} // namespace

class TestGgufReader : public QObject {
    Q_OBJECT

private slots:
    void realFileTensors()
    {
        const Checkpoint c = openCheckpoint(real("llama-2-tiny-random.gguf"));
        QCOMPARE(c.format, std::string("GGUF"));
        const std::vector<std::tuple<std::string, std::string, Shape>> expected = {
            { "token_embd.weight", "float16", { 32000, 8 } },
            { "blk.0.attn_q.weight", "float16", { 8, 8 } },
            { "blk.0.attn_k.weight", "float16", { 8, 8 } },
            { "blk.0.attn_v.weight", "float16", { 8, 8 } },
            { "blk.0.attn_output.weight", "float16", { 8, 8 } },
            { "blk.0.ffn_gate.weight", "float16", { 32, 8 } }, // ggml dims [8, 32], reversed
            { "blk.0.ffn_up.weight", "float16", { 32, 8 } },
            { "blk.0.ffn_down.weight", "float16", { 8, 32 } },
            { "blk.0.attn_norm.weight", "float32", { 8 } },
            { "blk.0.ffn_norm.weight", "float32", { 8 } },
            { "output_norm.weight", "float32", { 8 } },
            { "output.weight", "float16", { 32000, 8 } },
        };
        QCOMPARE(c.tensors.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const auto& [name, dtype, shape] = expected[i];
            QCOMPARE(c.tensors[i].info.name, name);
            QCOMPARE(std::string(dtypeName(c.tensors[i].info.dtype)), dtype);
            QCOMPARE(c.tensors[i].info.shape, shape);
            QVERIFY(c.tensors[i].info.encoding.empty());
        }
        QVERIFY(c.tensors.front().info.location.find("offset 724416") != std::string::npos);
        QVERIFY(c.tensors.back().info.location.find("data offset 514144") != std::string::npos);
    }

    void realFileValues()
    {
        const Checkpoint c = openCheckpoint(real("llama-2-tiny-random.gguf"));
        // Reference values: numpy reading the same bytes as '<f2' / '<f4'.
        const auto& embd = tensorNamed(c, "token_embd.weight");
        QVERIFY(std::abs(sumOf(embd) - -6.394698202610016) < 1e-9);
        const TensorData lastRow = readBox(embd, { 31999, 0 }, { 1, 8 });
        QCOMPARE(valuesOf(lastRow),
            (std::vector<double> { 0.0030269622802734375, -0.0377197265625, 0.007541656494140625, 0.00885772705078125,
                0.0103912353515625, -0.0017147064208984375, -0.034515380859375, 0.00333404541015625 }));
        const auto out = valuesOf(tensorNamed(c, "output.weight"));
        QCOMPARE(out[0], 0.0132598876953125);
        QCOMPARE(out[1], 0.03363037109375);
        QCOMPARE(out[2], -0.01611328125);
        QVERIFY(std::abs(sumOf(tensorNamed(c, "output.weight")) - -0.9195126891136169) < 1e-9);
        QCOMPARE(valuesOf(tensorNamed(c, "output_norm.weight")), std::vector<double>(8, 1.0));
        const auto down = valuesOf(tensorNamed(c, "blk.0.ffn_down.weight"));
        QCOMPARE(down[0], 0.0207366943359375);
        QCOMPARE(down[1], -0.007080078125);
        QVERIFY(std::abs(sumOf(tensorNamed(c, "blk.0.ffn_down.weight")) - 0.18627119064331055) < 1e-9);
    }

    // A second real file, from llama.cpp's other writer (convert-llama2c-to-ggml, C++ through
    // the gguf API; the first came from its Python converter): karpathy's stories260K, 48 float32
    // tensors with grouped-query attention (8 heads, 4 key/value heads). Reference values: numpy
    // reading the same bytes as '<f4' at the offsets the header gives (tests/data/real/SOURCES.md).
    void secondRealFileFromTheCWriter()
    {
        const Checkpoint c = openCheckpoint(real("stories260K.gguf"));
        QCOMPARE(c.format, std::string("GGUF"));
        QCOMPARE(c.tensors.size(), std::size_t(48));
        QCOMPARE(c.metadata.at("llama.attention.head_count").get<std::int64_t>(), 8);
        QCOMPARE(c.metadata.at("llama.attention.head_count_kv").get<std::int64_t>(), 4);
        QCOMPARE(tensorNamed(c, "blk.0.attn_q.weight").info.shape, (Shape { 64, 64 }));
        QCOMPARE(tensorNamed(c, "blk.4.attn_k.weight").info.shape, (Shape { 32, 64 }));
        QCOMPARE(tensorNamed(c, "blk.2.ffn_down.weight").info.shape, (Shape { 64, 172 }));
        QCOMPARE(tensorNamed(c, "token_embd.weight").info.shape, (Shape { 512, 64 }));
        QVERIFY(std::abs(sumOf(tensorNamed(c, "token_embd.weight")) - -752.3677446640068) < 1e-9);
        QVERIFY(std::abs(sumOf(tensorNamed(c, "blk.4.attn_k.weight")) - 2.2722628523088133) < 1e-9);
        QVERIFY(std::abs(sumOf(tensorNamed(c, "blk.3.ffn_norm.weight")) - 59.73118448257446) < 1e-9);
        const auto down = valuesOf(tensorNamed(c, "blk.2.ffn_down.weight"));
        QCOMPARE(down[0], -0.004114390816539526);
        QCOMPARE(down[1], 0.1464894413948059);
        QCOMPARE(down[2], -0.11403746902942657);
        const auto norm = valuesOf(tensorNamed(c, "output_norm.weight"));
        QCOMPARE(norm[0], 2.4583089351654053);
        QCOMPARE(*std::max_element(norm.begin(), norm.end()), 4.425094127655029);
    }

    void realFileMetadata()
    {
        const Checkpoint c = openCheckpoint(real("llama-2-tiny-random.gguf"));
        const auto& m = c.metadata;
        QCOMPARE(m.at("general.architecture").get<std::string>(), std::string("llama"));
        QCOMPARE(m.at("general.name").get<std::string>(), std::string("LLaMA v2"));
        QCOMPARE(m.at("llama.context_length").get<std::int64_t>(), 4096);
        QCOMPARE(m.at("llama.embedding_length").get<std::int64_t>(), 8);
        QCOMPARE(m.at("llama.block_count").get<std::int64_t>(), 1);
        QCOMPARE(m.at("llama.feed_forward_length").get<std::int64_t>(), 32);
        QCOMPARE(m.at("llama.rope.dimension_count").get<std::int64_t>(), 4);
        QCOMPARE(m.at("llama.attention.head_count").get<std::int64_t>(), 2);
        QCOMPARE(m.at("llama.attention.head_count_kv").get<std::int64_t>(), 2);
        QCOMPARE(m.at("llama.attention.layer_norm_rms_epsilon").get<double>(), 1e-5);
        QCOMPARE(m.at("general.file_type").get<std::int64_t>(), 1);
        QCOMPARE(m.at("tokenizer.ggml.model").get<std::string>(), std::string("llama"));
        const auto& tokens = m.at("tokenizer.ggml.tokens");
        QCOMPARE(tokens.at("count").get<std::int64_t>(), 32000);
        QCOMPARE(tokens.at("type").get<std::string>(), std::string("string"));
        QCOMPARE(tokens.at("first").size(), std::size_t(8));
        QCOMPARE(tokens.at("first")[0].get<std::string>(), std::string("<unk>"));
        QCOMPARE(tokens.at("first")[1].get<std::string>(), std::string("<s>"));
        QCOMPARE(tokens.at("first")[2].get<std::string>(), std::string("</s>"));
        QCOMPARE(m.at("tokenizer.ggml.scores").at("count").get<std::int64_t>(), 32000);
        QCOMPARE(m.at("tokenizer.ggml.scores").at("type").get<std::string>(), std::string("f32"));
        QCOMPARE(m.at("tokenizer.ggml.token_type").at("count").get<std::int64_t>(), 32000);
        QCOMPARE(m.at("tokenizer.ggml.token_type").at("first")[0].get<std::int64_t>(), 2);
        QCOMPARE(m.at("tokenizer.ggml.bos_token_id").get<std::int64_t>(), 1);
        QCOMPARE(m.at("tokenizer.ggml.eos_token_id").get<std::int64_t>(), 2);
        QCOMPARE(m.at("tokenizer.ggml.unknown_token_id").get<std::int64_t>(), 0);
        QCOMPARE(m.at("__gguf__/version").get<int>(), 3);
        QCOMPARE(m.at("__gguf__/alignment").get<int>(), 32);
        QCOMPARE(m.at("__gguf__/data_offset").get<std::int64_t>(), 724416);
        QCOMPARE(m.size(), std::size_t(18 + 3));
    }

    void realFileTree()
    {
        const Checkpoint c = openCheckpoint(real("llama-2-tiny-random.gguf"));
        const CheckpointTree tree(c);
        const auto* attnQ = tree.find("blk.0.attn_q.weight");
        QVERIFY(attnQ);
        QVERIFY(tree.find("blk.0"));
    }

    void plainFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("version");
        QTest::addColumn<int>("alignment");
        QTest::newRow("v3") << "plain_v3.gguf" << 3 << 32;
        QTest::newRow("v2") << "plain_v2.gguf" << 2 << 32;
        QTest::newRow("v1 (32-bit counts)") << "plain_v1.gguf" << 1 << 32;
        QTest::newRow("alignment 64") << "align64.gguf" << 3 << 64;
    }

    void plainFiles()
    {
        QFETCH(QString, file);
        QFETCH(int, version);
        QFETCH(int, alignment);
        const Checkpoint c = openCheckpoint(fixture(file.toStdString()));
        const std::vector<std::tuple<std::string, std::string, Shape>> expected = {
            { "blk.0.weight_f32", "float32", { 2, 3, 4 } },
            { "blk.0.weight_f16", "float16", { 2, 3 } },
            { "blk.0.weight_bf16", "bfloat16", { 6 } },
            { "blk.1.weight_f64", "float64", { 4 } },
            { "blk.1.ids_i8", "int8", { 2, 3 } },
            { "blk.1.ids_i16", "int16", { 4 } },
            { "blk.1.ids_i32", "int32", { 3, 4 } },
            { "blk.1.ids_i64", "int64", { 3 } },
            { "four_d", "float32", { 1, 2, 3, 20 } },
            { "scale", "float32", { 1 } },
        };
        QCOMPARE(c.tensors.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const auto& [name, dtype, shape] = expected[i];
            QCOMPARE(c.tensors[i].info.name, name);
            QCOMPARE(std::string(dtypeName(c.tensors[i].info.dtype)), dtype);
            QCOMPARE(c.tensors[i].info.shape, shape);
        }
        QCOMPARE(valuesOf(c.tensors[0]), range(24, 0.25, -7.5));
        QCOMPARE(
            valuesOf(c.tensors[1]), (std::vector<double> { 1.0, -2.0, 0.5, 65504.0, -0.00006103515625, 3.140625 }));
        QCOMPARE(valuesOf(c.tensors[2]),
            (std::vector<double> { 1.0, -2.5, 0.15625, double(std::bit_cast<float>(0x7F610000u)),
                double(std::bit_cast<float>(0x8DA20000u)), 7.0 }));
        QCOMPARE(valuesOf(c.tensors[3]), (std::vector<double> { M_PI, -M_E, 1e300, 5e-324 }));
        QCOMPARE(valuesOf(c.tensors[4]), (std::vector<double> { -128, -1, 0, 1, 127, 42 }));
        QCOMPARE(valuesOf(c.tensors[5]), (std::vector<double> { -32768, 32767, -2, 300 }));
        QCOMPARE(valuesOf(c.tensors[6]), range(12, 1000003, -6));
        const TensorData i64 = readTensor(c.tensors[7]);
        const auto* ints = reinterpret_cast<const std::int64_t*>(i64.bytes.data());
        QCOMPARE(ints[0], std::numeric_limits<std::int64_t>::min());
        QCOMPARE(ints[1], std::numeric_limits<std::int64_t>::max());
        QCOMPARE(ints[2], std::int64_t(123456789012345));
        QCOMPARE(valuesOf(c.tensors[8]), range(120, 0.5, 0));
        QCOMPARE(
            valuesOf(readBox(c.tensors[8], { 0, 1, 2, 18 }, { 1, 1, 1, 2 })), (std::vector<double> { 59.0, 59.5 }));
        QCOMPARE(valuesOf(c.tensors[9]), std::vector<double> { 2.75 });
        QCOMPARE(c.metadata.at("__gguf__/version").get<int>(), version);
        QCOMPARE(c.metadata.at("__gguf__/alignment").get<int>(), alignment);
        QCOMPARE(c.metadata.at("__gguf__/data_offset").get<std::int64_t>() % alignment, 0);
    }

    void everyMetadataType_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("v3") << "plain_v3.gguf";
        QTest::newRow("v2") << "plain_v2.gguf";
        QTest::newRow("v1") << "plain_v1.gguf";
    }

    void everyMetadataType()
    {
        QFETCH(QString, file);
        const Checkpoint c = openCheckpoint(fixture(file.toStdString()));
        using json = nlohmann::ordered_json;
        const json expected = json::parse(R"({
            "general.architecture": "tiny",
            "general.name": "every type \u00e9\u4e2d",
            "test.u8": 255, "test.i8": -128, "test.u16": 65535, "test.i16": -32768,
            "test.u32": 4294967295, "test.i32": -2147483648, "test.f32": 0.1,
            "test.bool_true": true, "test.bool_false": false, "test.string_empty": "",
            "test.u64": 18446744073709551615, "test.i64": -9223372036854775808, "test.f64": 2.5e-300,
            "test.array_u8": [1, 2, 3], "test.array_f32": [0.5, -1.25], "test.array_string": ["a", "bc", ""],
            "test.array_empty": [], "test.array_nested": [[1, 2], [], [3]],
            "test.array_nested_strings": [["x"], ["y", "z"]], "test.array_bool": [true, false, true],
            "tokenizer.ggml.tokens": {"count": 1000, "type": "string",
                                      "first": ["tok0", "tok1", "tok2", "tok3", "tok4", "tok5", "tok6", "tok7"]},
            "tokenizer.ggml.scores": {"count": 1000, "type": "f32",
                                      "first": [0.0, -1.0, -2.0, -3.0, -4.0, -5.0, -6.0, -7.0]},
            "test.array_long_nested": {"count": 100, "type": "array",
                                       "first": [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6], [6, 7], [7, 8]]},
            "test.after_arrays": 7
        })");
        for (const auto& [key, value] : expected.items()) {
            QVERIFY2(c.metadata.contains(key), key.c_str());
            QCOMPARE(QString::fromStdString(c.metadata.at(key).dump()), QString::fromStdString(value.dump()));
        }
        // File order is kept.
        QCOMPARE(c.metadata.begin().key(), std::string("general.architecture"));
    }

    void quantized_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("encoding");
        QTest::addColumn<double>("tolerance"); // of the dequantized values vs what was quantized; < 0: random blocks
        QTest::newRow("Q4_0") << "blk.0.q4_0.weight"
                              << "Q4_0" << 0.02;
        QTest::newRow("Q4_1") << "blk.1.q4_1.weight"
                              << "Q4_1" << 0.01;
        QTest::newRow("Q5_0") << "blk.2.q5_0.weight"
                              << "Q5_0" << 0.01;
        QTest::newRow("Q5_1") << "blk.3.q5_1.weight"
                              << "Q5_1" << 0.005;
        QTest::newRow("Q8_0") << "blk.4.q8_0.weight"
                              << "Q8_0" << 0.001;
        QTest::newRow("Q8_1") << "blk.5.q8_1.weight"
                              << "Q8_1" << 0.001;
        QTest::newRow("Q2_K") << "k.0.q2_k.weight"
                              << "Q2_K" << -1.0;
        QTest::newRow("Q3_K") << "k.1.q3_k.weight"
                              << "Q3_K" << -1.0;
        QTest::newRow("Q4_K") << "k.2.q4_k.weight"
                              << "Q4_K" << -1.0;
        QTest::newRow("Q5_K") << "k.3.q5_k.weight"
                              << "Q5_K" << -1.0;
        QTest::newRow("Q6_K") << "k.4.q6_k.weight"
                              << "Q6_K" << -1.0;
        QTest::newRow("Q8_K") << "k.5.q8_k.weight"
                              << "Q8_K" << -1.0;
    }

    void quantized()
    {
        QFETCH(QString, name);
        QFETCH(QString, encoding);
        QFETCH(double, tolerance);
        const Checkpoint c = openCheckpoint(fixture("quantized.gguf"));
        const Checkpoint expected = openCheckpoint(fixture("quantized_expected.npz"));
        const Tensor& t = tensorNamed(c, name.toStdString());
        const Tensor& want = tensorNamed(expected, name.toStdString());
        QCOMPARE(t.info.dtype, DType::Float32);
        QCOMPARE(QString::fromStdString(t.info.encoding), encoding);
        QCOMPARE(QString::fromStdString(t.info.dtypeLabel()), encoding + QString::fromUtf8("\u2192float32"));
        QCOMPARE(t.info.shape, want.info.shape);
        const auto got = valuesOf(t);
        QCOMPARE(got, valuesOf(want)); // exact: same float32 operations as ggml
        // A box that starts and ends inside blocks, and a flat run across rows.
        const std::int64_t cols = t.info.shape[1];
        const TensorData box = readBox(t, { 1, 30 }, { 1, 27 });
        const auto boxValues = valuesOf(box);
        for (std::int64_t j = 0; j < 27; ++j)
            QCOMPARE(boxValues[std::size_t(j)], got[std::size_t(cols + 30 + j)]);
        std::vector<float> run(static_cast<std::size_t>(cols));
        t.data->readFlat(cols / 2 + 3, cols, reinterpret_cast<std::byte*>(run.data()));
        for (std::int64_t j = 0; j < cols; ++j)
            QCOMPARE(double(run[std::size_t(j)]), got[std::size_t(cols / 2 + 3 + j)]);
        if (tolerance > 0) {
            const auto original = valuesOf(tensorNamed(expected, "original/" + name.toStdString()));
            for (std::size_t i = 0; i < got.size(); ++i)
                QVERIFY2(std::abs(got[i] - original[i]) <= tolerance,
                    qPrintable(QString("element %1: %2 vs %3").arg(i).arg(got[i]).arg(original[i])));
        }
        const TensorStats stats = computeStats(t, StatsOptions {});
        QCOMPARE(stats.count, std::int64_t(got.size()));
    }

    void unsupportedQuantizationIsAClearError_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("type");
        QTest::newRow("IQ2_XS") << "unsupported.iq2_xs.weight"
                                << "IQ2_XS";
        QTest::newRow("TQ1_0") << "unsupported.tq1_0.weight"
                               << "TQ1_0";
    }

    void unsupportedQuantizationIsAClearError()
    {
        QFETCH(QString, name);
        QFETCH(QString, type);
        const Checkpoint c = openCheckpoint(fixture("quantized.gguf"));
        const Tensor& t = tensorNamed(c, name.toStdString());
        QCOMPARE(QString::fromStdString(t.info.encoding), type);
        QCOMPARE(t.info.dtype, DType::Float32);
        try {
            (void)readTensor(t);
            QFAIL("read an unsupported quantization");
        } catch (const FormatError& e) {
            QCOMPARE(QString::fromStdString(e.what()), "dequantization of " + type + " is not supported");
        }
    }

    void bigEndian()
    {
        const Checkpoint c = openCheckpoint(fixture("bigendian.gguf"));
        QCOMPARE(c.metadata.at("__gguf__/byte_order").get<std::string>(), std::string("big-endian"));
        QCOMPARE(c.metadata.at("test.u32").get<std::int64_t>(), 0x01020304);
        QCOMPARE(c.metadata.at("test.array_i16").dump(), std::string("[-2,258]"));
        QCOMPARE(c.tensors.size(), std::size_t(4));
        QCOMPARE(c.tensors[0].info.byteOrder, ByteOrder::Big);
        QCOMPARE(valuesOf(c.tensors[0]), range(24, 0.25, -7.5));
        QCOMPARE(
            valuesOf(c.tensors[1]), (std::vector<double> { 1.0, -2.0, 0.5, 65504.0, -0.00006103515625, 3.140625 }));
        QCOMPARE(valuesOf(c.tensors[2])[1], -2.5);
        QCOMPARE(c.tensors[3].info.encoding, std::string("Q8_0"));
        QVERIFY_THROWS_EXCEPTION(FormatError, readTensor(c.tensors[3]));
    }

    void matchedByContentNotExtension()
    {
        QTemporaryDir dir;
        const std::string renamed = dir.filePath("model.bin").toStdString();
        std::filesystem::copy_file(fixture("quantized.gguf"), renamed);
        const Checkpoint c = openCheckpoint(renamed);
        QCOMPARE(c.format, std::string("GGUF"));
        QCOMPARE(c.tensors.size(), std::size_t(14));
    }

    void cliShowsTheStorageType()
    {
        QProcess ckpt;
        ckpt.start(CKPT_BINARY_DIR "/app/ckpt", { "ls", QString::fromStdString(fixture("quantized.gguf")) });
        QVERIFY(ckpt.waitForFinished(30000));
        QCOMPARE(ckpt.exitCode(), 0);
        const QString out = QString::fromUtf8(ckpt.readAllStandardOutput());
        QVERIFY2(
            out.contains(QString::fromUtf8("blk.4.q8_0.weight          Q8_0\u2192float32   (3, 64)")), qPrintable(out));
        QVERIFY2(out.contains("general.architecture = quantized"), qPrintable(out));

        QProcess json;
        json.start(CKPT_BINARY_DIR "/app/ckpt", { "ls", "--json", QString::fromStdString(fixture("quantized.gguf")) });
        QVERIFY(json.waitForFinished(30000));
        const auto doc = nlohmann::json::parse(json.readAllStandardOutput().toStdString());
        QCOMPARE(doc.at("tensors")[0].at("encoding").get<std::string>(), std::string("Q4_0"));
        QCOMPARE(doc.at("tensors")[0].at("dtype").get<std::string>(), std::string("float32"));
        const auto plain = openCheckpoint(fixture("plain_v3.gguf"));
        QCOMPARE(plain.tensors[0].info.dtypeLabel(), std::string("float32"));
    }
};

QTEST_GUILESS_MAIN(TestGgufReader)
#include "tst_ggufreader.moc"
