// The ONNX reader on the real torch.onnx.export file (tests/data/real/onnx/xor.onnx, values in
// SOURCES.md) and on byte-level fixtures (tests/data/onnx/make_onnx_fixtures.py): raw_data read
// in place, every typed field (float16 bits in int32_data, negative varints, packed and unpacked),
// external data beside the model, unsupported types listed with a read error, and the seed MLP
// exported as Gemm nodes that `ckpt verify` rebuilds.
#include "base/CheckpointError.h"
#include "formats/onnx/OnnxProto.h"
#include "formats/onnx/OnnxReader.h"
#include "io/ByteSource.h"
#include "model/DenseLayerFinder.h"
#include "model/MlpBuilder.h"
#include "numerics/Convert.h"
#include "open/ReaderRegistry.h"
#include "tensor/CheckpointTree.h"
#include "tensor/StridedTensorSource.h"
#include "tensor/TensorData.h"
#include "verify/Verify.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

using namespace ckpt;

namespace {
std::vector<double> valuesOf(const Tensor& t)
{
    const TensorData d = readTensor(t);
    std::vector<double> v(std::size_t(d.numel()));
    convertToDouble(d.dtype, d.bytes.data(), d.numel(), v.data());
    return v;
}
QList<double> listOf(const std::vector<double>& v)
{
    return QList<double>(v.begin(), v.end());
}
std::string fixture(const QString& name)
{
    return (QStringLiteral(CKPT_TEST_DATA "/onnx/") + name).toStdString();
}
std::string realXor()
{
    return CKPT_REAL_FIXTURES "/onnx/xor.onnx";
}

const Tensor& tensorNamed(const Checkpoint& c, const std::string& name)
{
    const Tensor* t = c.find(name);
    if (!t)
        throw std::runtime_error("no tensor " + name);
    return *t;
}

QStringList namesOf(const Checkpoint& c)
{
    QStringList names;
    for (const auto& t : c.tensors)
        names << QString::fromStdString(t.info.name);
    return names;
}

QString readError(const Tensor& t)
{
    try {
        readTensor(t);
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}
} // namespace

class TestOnnxReader : public QObject {
    Q_OBJECT

private slots:
    void realXorFile_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("shape");
        QTest::addColumn<QList<double>>("values"); // SOURCES.md, rounded to 5 places
        QTest::addColumn<QStringList>("consumers");
        QTest::newRow("lin1.weight") << "lin1.weight"
                                     << "(2, 2)" << QList<double> { 0.82489, -4.84442, -3.64527, -6.0857 }
                                     << QStringList { "Gemm_0" };
        QTest::newRow("lin1.bias") << "lin1.bias"
                                   << "(2)" << QList<double> { -1.54894, -0.96853 } << QStringList { "Gemm_0" };
        QTest::newRow("lin2.weight") << "lin2.weight"
                                     << "(1, 2)" << QList<double> { 1.88456, -2.64659 } << QStringList { "Gemm_2" };
        QTest::newRow("lin2.bias") << "lin2.bias"
                                   << "(1)" << QList<double> { 0.26636 } << QStringList { "Gemm_2" };
    }

    void realXorFile()
    {
        QFETCH(QString, name);
        QFETCH(QString, shape);
        QFETCH(QList<double>, values);
        QFETCH(QStringList, consumers);
        const Checkpoint c = openCheckpoint(realXor());
        QCOMPARE(c.format, std::string("ONNX"));
        QCOMPARE(namesOf(c), (QStringList { "lin1.weight", "lin1.bias", "lin2.weight", "lin2.bias" }));
        const Tensor& t = tensorNamed(c, name.toStdString());
        QCOMPARE(t.info.dtype, DType::Float32);
        QCOMPARE(QString::fromStdString(shapeToString(t.info.shape)), shape);
        const auto v = valuesOf(t);
        QCOMPARE(qsizetype(v.size()), values.size());
        for (qsizetype i = 0; i < values.size(); ++i)
            QVERIFY2(std::abs(v[std::size_t(i)] - values[i]) < 5e-6, qPrintable(QString::number(v[std::size_t(i)])));
        std::vector<std::string> want;
        for (const auto& s : consumers)
            want.push_back(s.toStdString());
        QCOMPARE(c.metadata.at(name.toStdString() + "/consumers").get<std::vector<std::string>>(), want);
    }

    void realXorMetadata()
    {
        const Checkpoint c = openCheckpoint(realXor());
        QCOMPARE(c.metadata.at("__onnx__/ir_version").get<int>(), 4);
        QCOMPARE(c.metadata.at("__onnx__/producer_name").get<std::string>(), std::string("pytorch"));
        QCOMPARE(c.metadata.at("__onnx__/producer_version").get<std::string>(), std::string("1.11.0"));
        QCOMPARE(c.metadata.at("__onnx__/opset_import").at("ai.onnx").get<int>(), 9);
        QCOMPARE(c.metadata.at("__onnx__/nodes").get<int>(), 3);
        const CheckpointTree tree(c);
        QVERIFY(tree.find("lin1/weight"));
        QCOMPARE(tree.root().children.size(), std::size_t(2));
    }

    // raw_data is served in place from the model file, at the offset the protobuf walk found.
    void rawDataIsReadInPlace()
    {
        const Checkpoint c = openCheckpoint(realXor());
        std::ifstream in(realXor(), std::ios::binary);
        const std::string file { std::istreambuf_iterator<char>(in), {} };
        for (const auto& t : c.tensors) {
            const auto* source = dynamic_cast<const StridedTensorSource*>(t.data.get());
            QVERIFY(source);
            QVERIFY(dynamic_cast<const FileByteSource*>(source->bytes().get()));
            const std::uint64_t at = source->layout().byteOffset;
            QCOMPARE(t.info.location, "raw_data at offset " + std::to_string(at));
            const TensorData d = readTensor(t);
            QVERIFY(at + d.bytes.size() <= file.size());
            QVERIFY(std::memcmp(file.data() + at, d.bytes.data(), d.bytes.size()) == 0);
        }
    }

    void everyStorage_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<QString>("shape");
        QTest::addColumn<QString>("location");
        QTest::addColumn<QList<double>>("values");
        QTest::newRow("raw float32") << "raw.float32"
                                     << "float32"
                                     << "(2, 3)"
                                     << "raw_data" << QList<double> { -1, -0.5, 0, 0.5, 1, 1.5 };
        QTest::newRow("packed float_data") << "typed.float_packed"
                                           << "float32"
                                           << "(4)"
                                           << "float_data" << QList<double> { 1.5, -2.25, 3.0, double(1e-3f) };
        QTest::newRow("unpacked float_data") << "typed.float_unpacked"
                                             << "float32"
                                             << "(2)"
                                             << "float_data" << QList<double> { 7, -0.5 };
        QTest::newRow("packed int64_data") << "typed.int64"
                                           << "int64"
                                           << "(2, 2)"
                                           << "int64_data" << QList<double> { -3, 0, 1099511627776.0, 7 };
        QTest::newRow("unpacked int64_data and dims") << "typed.int64_unpacked"
                                                      << "int64"
                                                      << "(3)"
                                                      << "int64_data" << QList<double> { -1, 2, -9 };
        QTest::newRow("float16 bits in int32_data")
            << "typed.float16"
            << "float16"
            << "(2, 2)"
            << "int32_data" << QList<double> { 1.0, -2.5, 0.0999755859375, 65504 };
        QTest::newRow("bfloat16 bits in int32_data") << "typed.bfloat16"
                                                     << "bfloat16"
                                                     << "(2)"
                                                     << "int32_data" << QList<double> { 1.0, -3.0 };
        QTest::newRow("int8 in int32_data") << "typed.int8"
                                            << "int8"
                                            << "(3)"
                                            << "int32_data" << QList<double> { -128, -1, 127 };
        QTest::newRow("uint8 in int32_data") << "typed.uint8"
                                             << "uint8"
                                             << "(2)"
                                             << "int32_data" << QList<double> { 0, 255 };
        QTest::newRow("int16 in int32_data") << "typed.int16"
                                             << "int16"
                                             << "(2)"
                                             << "int32_data" << QList<double> { -32768, 1234 };
        QTest::newRow("uint16 in int32_data") << "typed.uint16"
                                              << "uint16"
                                              << "(1)"
                                              << "int32_data" << QList<double> { 65535 };
        QTest::newRow("bool in int32_data") << "typed.bool"
                                            << "bool"
                                            << "(3)"
                                            << "int32_data" << QList<double> { 1, 0, 1 };
        QTest::newRow("int32_data") << "typed.int32"
                                    << "int32"
                                    << "(2)"
                                    << "int32_data" << QList<double> { -70000, 70000 };
        QTest::newRow("float8 bits in int32_data") << "typed.float8e4m3fn"
                                                   << "float8_e4m3fn"
                                                   << "(2)"
                                                   << "int32_data" << QList<double> { 1, -2 };
        QTest::newRow("double_data") << "typed.double"
                                     << "float64"
                                     << "(2)"
                                     << "double_data" << QList<double> { 3.141592653589793, -1e300 };
        QTest::newRow("uint32 in uint64_data") << "typed.uint32"
                                               << "uint32"
                                               << "(2)"
                                               << "uint64_data" << QList<double> { 4294967295.0, 1 };
        QTest::newRow("uint64_data") << "typed.uint64"
                                     << "uint64"
                                     << "(1)"
                                     << "uint64_data" << QList<double> { 18446744073709551615.0 };
        QTest::newRow("raw int16") << "raw.int16"
                                   << "int16"
                                   << "(2)"
                                   << "raw_data" << QList<double> { -2, 300 };
        QTest::newRow("raw bool") << "raw.bool"
                                  << "bool"
                                  << "(2)"
                                  << "raw_data" << QList<double> { 1, 0 };
        QTest::newRow("raw bfloat16") << "raw.bfloat16"
                                      << "bfloat16"
                                      << "(2)"
                                      << "raw_data" << QList<double> { 3.140625, -1 };
        QTest::newRow("raw float16") << "raw.float16"
                                     << "float16"
                                     << "(1, 2)"
                                     << "raw_data" << QList<double> { 0.25, -1024 };
        QTest::newRow("no elements") << "empty"
                                     << "float32"
                                     << "(0, 3)"
                                     << "empty" << QList<double> {};
    }

    void everyStorage()
    {
        QFETCH(QString, name);
        QFETCH(QString, dtype);
        QFETCH(QString, shape);
        QFETCH(QString, location);
        QFETCH(QList<double>, values);
        const Checkpoint c = openCheckpoint(fixture("dtypes.onnx"));
        const Tensor& t = tensorNamed(c, name.toStdString());
        QCOMPARE(QString::fromStdString(std::string(dtypeName(t.info.dtype))), dtype);
        QCOMPARE(QString::fromStdString(shapeToString(t.info.shape)), shape);
        QVERIFY2(QString::fromStdString(t.info.location).startsWith(location), t.info.location.c_str());
        QCOMPARE(listOf(valuesOf(t)), values);
        // A window reads the same values as the whole.
        if (values.size() > 1) {
            std::vector<std::byte> one(dtypeSize(t.info.dtype));
            t.data->readFlat(values.size() - 1, 1, one.data());
            QCOMPARE(elementToDouble(t.info.dtype, one.data()), values.back());
        }
    }

    void complexValues_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QList<double>>("parts"); // real, imaginary, ...
        QTest::newRow("complex64 in float_data") << "typed.complex64" << QList<double> { 1.0, -2.0, 0.5, 4.0 };
        QTest::newRow("raw complex128") << "raw.complex128" << QList<double> { 2.5, -0.125 };
    }

    void complexValues()
    {
        QFETCH(QString, name);
        QFETCH(QList<double>, parts);
        const Checkpoint c = openCheckpoint(fixture("dtypes.onnx"));
        const TensorData d = readTensor(tensorNamed(c, name.toStdString()));
        QList<double> found;
        for (std::int64_t i = 0; i < 2 * d.numel(); ++i)
            found << (d.dtype == DType::Complex64 ? double(d.as<float>()[i]) : d.as<double>()[i]);
        QCOMPARE(found, parts);
    }

    void unsupportedTypesAreListedWithAReadError_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("type");
        QTest::newRow("STRING") << "text"
                                << "STRING";
        QTest::newRow("FLOAT8E4M3FNUZ") << "fnuz"
                                        << "FLOAT8E4M3FNUZ";
    }

    void unsupportedTypesAreListedWithAReadError()
    {
        QFETCH(QString, name);
        QFETCH(QString, type);
        const Checkpoint c = openCheckpoint(fixture("dtypes.onnx"));
        const Tensor& t = tensorNamed(c, name.toStdString());
        QCOMPARE(QString::fromStdString(t.info.encoding), type);
        QCOMPARE(readError(t), QString("'%1': ONNX %2 tensors cannot be read (unsupported data type)").arg(name, type));
    }

    void fixtureMetadata()
    {
        const Checkpoint c = openCheckpoint(fixture("dtypes.onnx"));
        QCOMPARE(c.tensors.size(), std::size_t(26));
        const auto& m = c.metadata;
        QCOMPARE(m.at("__onnx__/ir_version").get<int>(), 8);
        QCOMPARE(m.at("__onnx__/doc_string").get<std::string>(), std::string("every way to store an initializer"));
        QCOMPARE(m.at("__onnx__/opset_import").dump(), std::string(R"({"ai.onnx":13,"com.microsoft":1})"));
        QCOMPARE(m.at("__onnx__/metadata_props/author").get<std::string>(), std::string("ckptview"));
        QCOMPARE(m.at("__onnx__/graph_name").get<std::string>(), std::string("dtypes"));
        QCOMPARE(m.at("raw.float32/consumers").dump(), std::string(R"(["Add_0","Mul_2"])"));
        QCOMPARE(m.at("typed.int64/consumers").dump(), std::string(R"(["Identity#1"])")); // unnamed node
        QVERIFY(!m.contains("typed.int8/consumers"));
        QCOMPARE(m.at("sparse.w").get<std::string>(),
            std::string("<sparse initializer, FLOAT (3, 3): sparse initializers are not supported>"));
    }

    void externalData_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("location");
        QTest::addColumn<QList<double>>("values");
        QTest::newRow("offset 0 with length") << "ext.a"
                                              << "external.bin, offset 0" << QList<double> { 1, 2, 3, 4 };
        QTest::newRow("offset, no length") << "ext.b"
                                           << "external.bin, offset 16" << QList<double> { -5, 6, 1125899906842624.0 };
        QTest::newRow("subdirectory") << "ext.c"
                                      << "weights/more.bin, offset 8" << QList<double> { 0.5, -0.75 };
        QTest::newRow("inline beside external") << "inline"
                                                << "raw_data at offset" << QList<double> { 42 };
    }

    void externalData()
    {
        QFETCH(QString, name);
        QFETCH(QString, location);
        QFETCH(QList<double>, values);
        const Checkpoint c = openCheckpoint(fixture("external.onnx"));
        const Tensor& t = tensorNamed(c, name.toStdString());
        QVERIFY2(QString::fromStdString(t.info.location).startsWith(location), t.info.location.c_str());
        QCOMPARE(listOf(valuesOf(t)), values);
    }

    // Opened from another working directory, external files are still found beside the model.
    void externalDataRelativeToTheModel()
    {
        QProcess p;
        p.setWorkingDirectory("/");
        p.start(CKPT_BINARY_DIR "/app/ckpt", { "values", QString::fromStdString(fixture("external.onnx")), "ext.c" });
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(out.contains("0.5") && out.contains("-0.75"), qPrintable(out));
    }

    // A link beside the model may point to another file beside it, never out of the directory.
    void externalDataThroughLinks_data()
    {
        QTest::addColumn<bool>("inside");
        QTest::newRow("link to a file in the directory") << true;
        QTest::newRow("link out of the directory") << false;
    }

    void externalDataThroughLinks()
    {
        QFETCH(bool, inside);
        QTemporaryDir dir;
        const std::filesystem::path d = dir.path().toStdString();
        std::filesystem::copy_file(CKPT_TEST_DATA "/bad/onnx_external_missing.onnx", d / "m.onnx"); // wants no-such.bin
        const std::filesystem::path outside = fixture("external.bin");
        if (inside) {
            std::filesystem::copy_file(outside, d / "data.bin");
            std::filesystem::create_symlink("data.bin", d / "no-such.bin");
            const Checkpoint c = openCheckpoint((d / "m.onnx").string());
            QCOMPARE(listOf(valuesOf(tensorNamed(c, "w"))), (QList<double> { 1, 2, 3, 4 }));
        } else {
            std::filesystem::create_symlink(outside, d / "no-such.bin");
            try {
                openCheckpoint((d / "m.onnx").string());
                QFAIL("opened data outside the model's directory");
            } catch (const CheckpointError& e) {
                QCOMPARE(QString::fromStdString(e.reason()),
                    QString("initializer 'w': external data location 'no-such.bin' leaves the checkpoint's folder "
                            "through a link"));
            }
        }
    }

    void mlpIsRecognisedAndVerifies()
    {
        const Checkpoint c = openCheckpoint(fixture("mlp.onnx"));
        const auto refs = findDenseLayers(c);
        QCOMPARE(refs.size(), std::size_t(2));
        QCOMPARE(refs[0].weight, std::string("fc1.weight"));
        QCOMPARE(refs[0].bias, std::string("fc1.bias"));
        QVERIFY(!refs[0].kernel); // Gemm transB=1: (out, in) like PyTorch
        QCOMPARE(refs[0].inputs, std::int64_t(20));
        QCOMPARE(refs[0].outputs, std::int64_t(256));
        QCOMPARE(refs[1].weight, std::string("fc2.weight"));
        QCOMPARE(refs[1].outputs, std::int64_t(10));
        QCOMPARE(c.metadata.at("fc2.weight/consumers").dump(), std::string(R"(["/fc2/Gemm"])"));

        // The same values as the seed network the fixture was written from.
        const Checkpoint seed = openCheckpoint(CKPT_TEST_DATA "/verify/mlp.npz");
        QCOMPARE(valuesOf(tensorNamed(c, "fc1.weight")), valuesOf(tensorNamed(seed, "hidden.weight")));
        QCOMPARE(valuesOf(tensorNamed(c, "fc2.bias")), valuesOf(tensorNamed(seed, "output.bias")));

        const Checkpoint xy = openCheckpoint(CKPT_TEST_DATA "/verify/mlp-io.h5");
        const auto r = verifyAgainstOutputs(
            buildMlp(c, MlpBuildOptions {}), readMatrix(xy, "X"), readMatrix(xy, "Y"), VerifyOptions {});
        QVERIFY(r.comparison.compared > 0);
        QVERIFY(r.comparison.match);
        MlpBuildOptions tanh;
        tanh.hidden = Activation::Tanh;
        QVERIFY(!verifyAgainstOutputs(buildMlp(c, tanh), readMatrix(xy, "X"), readMatrix(xy, "Y"), VerifyOptions {})
                     .comparison.match);

        QProcess p;
        p.setWorkingDirectory(CKPT_TEST_DATA "/onnx");
        p.start(CKPT_BINARY_DIR "/app/ckpt", { "verify", "mlp.onnx", "--io", "../verify/mlp-io.h5" });
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(QString::fromUtf8(p.readAllStandardOutput()).trimmed().endsWith("match"));
    }

    // ONNX has no magic number: the sniff must claim ONNX models and nothing else in the test data.
    // Empty nodes and empty inputs take 2 bytes each: parsed whole, a 20 MB graph of them took
    // 2.2 GB. The model keeps the first 4096 nodes and 64 inputs of each, counts them all and
    // finds the initializers' consumers (at most 4096 each) as it reads the nodes.
    void hugeGraphsAreKeptBounded()
    {
        const auto bytesField = [](int number, const std::vector<std::uint8_t>& payload) {
            std::vector<std::uint8_t> out { std::uint8_t(number << 3 | 2) };
            for (std::size_t n = payload.size();; n >>= 7) {
                out.push_back(std::uint8_t((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
                if (n < 0x80)
                    break;
            }
            out.insert(out.end(), payload.begin(), payload.end());
            return out;
        };
        const auto append = [](std::vector<std::uint8_t>& to, const std::vector<std::uint8_t>& bytes) {
            to.insert(to.end(), bytes.begin(), bytes.end());
        };
        std::vector<std::uint8_t> manyInputs;
        for (int i = 0; i < 1000000; ++i)
            manyInputs.insert(manyInputs.end(), { 0x0a, 0x00 }); // input ""
        std::vector<std::uint8_t> graph = bytesField(1, manyInputs);
        for (int i = 0; i < 1000000; ++i)
            graph.insert(graph.end(), { 0x0a, 0x00 }); // an empty node
        const std::vector<std::uint8_t> reading { 0x0a, 0x01, 'w', 0x22, 0x01, 'R' }; // input "w", op type "R"
        for (int i = 0; i < 5000; ++i)
            append(graph, bytesField(1, reading));
        append(graph, bytesField(5, bytesField(8, { 'w' }))); // initializer "w", after the nodes
        std::vector<std::uint8_t> model { 0x08, 0x08 };
        append(model, bytesField(7, graph));

        const OnnxModel m = parseOnnxModel(model);
        QCOMPARE(m.nodeCount, std::size_t(1005001));
        QCOMPARE(m.nodes.size(), std::size_t(4096));
        QCOMPARE(m.nodes[0].inputs.size(), std::size_t(64));
        QCOMPARE(m.consumers.size(), std::size_t(1));
        const auto& consumers = m.consumers.at("w");
        QCOMPARE(consumers.size(), std::size_t(4096));
        QCOMPARE(consumers.front(), std::string("R#1000001"));
    }

    void sniffClaimsOnlyOnnxModels()
    {
        const OnnxReader reader;
        int claimed = 0;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(CKPT_TEST_DATA)) {
            if (!entry.is_regular_file() || entry.file_size() == 0)
                continue;
            const std::string path = entry.path().string();
            const bool onnxModel = entry.path().extension() == ".onnx" && path.find("/bad/") == std::string::npos;
            const FileProbe probe = FileProbe::read(path);
            if (onnxModel) {
                QVERIFY2(reader.matches(probe), path.c_str());
                ++claimed;
            } else if (entry.path().extension() != ".onnx") {
                QVERIFY2(!reader.matches(probe), path.c_str());
            }
        }
        QCOMPARE(claimed, 4);
    }
};

QTEST_GUILESS_MAIN(TestOnnxReader)
#include "tst_onnxreader.moc"
