// The safetensors reader: every dtype of the format, __metadata__, sharded sets through their
// index, and the reference implementation's validation (see tests/data/bad/safetensors_*).
#include "base/CheckpointError.h"
#include "numerics/Convert.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"

#include <QTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using namespace ckpt;

namespace {
const std::string dir = CKPT_TEST_DATA "/safetensors/";

const nlohmann::json& expected()
{
    static const nlohmann::json e = [] {
        std::ifstream in(dir + "expected.json");
        return nlohmann::json::parse(in);
    }();
    return e;
}
} // namespace

class TestSafetensorsReader : public QObject {
    Q_OBJECT

private slots:
    void tensorsAreExact_data()
    {
        QTest::addColumn<QString>("file");
        for (const auto& [name, _] : expected().items())
            QTest::newRow(name.c_str()) << QString::fromStdString(name);
    }

    void tensorsAreExact()
    {
        QFETCH(QString, file);
        const auto& want = expected().at(file.toStdString());
        const Checkpoint c = openCheckpoint(dir + file.toStdString());
        QCOMPARE(c.tensors.size(), want["tensors"].size());
        for (std::size_t i = 0; i < c.tensors.size(); ++i) {
            const auto& t = c.tensors[i];
            const auto& w = want["tensors"][i];
            QCOMPARE(t.info.name, w["name"].get<std::string>());
            QCOMPARE(t.info.shape, w["shape"].get<Shape>());
            const TensorData d = readTensor(t);
            std::vector<double> v(std::size_t(d.numel()));
            convertToDouble(d.dtype, d.bytes.data(), d.numel(), v.data());
            const auto values = w["values"].get<std::vector<double>>();
            QCOMPARE(v.size(), values.size());
            for (std::size_t k = 0; k < v.size(); ++k) {
                QVERIFY2(v[k] == values[k] && std::signbit(v[k]) == std::signbit(values[k]),
                    qPrintable(QString::fromStdString(t.info.name) + "[" + QString::number(k) + "] = "
                        + QString::number(v[k], 'g', 17) + ", expected " + QString::number(values[k], 'g', 17)));
            }
        }
        for (const auto& [k, v] : want["metadata"].items())
            QCOMPARE(c.metadata.at("__metadata__/" + k).get<std::string>(), v.get<std::string>());
    }

    void dtypesAreNamedAsTorchNamesThem()
    {
        const Checkpoint c = openCheckpoint(dir + "dtypes.safetensors");
        QCOMPARE(c.format, std::string("safetensors"));
        std::vector<std::string> names;
        for (const auto& t : c.tensors)
            names.push_back(std::string(dtypeName(t.info.dtype)));
        QCOMPARE(names,
            (std::vector<std::string> { "float64", "float32", "float16", "bfloat16", "float8_e4m3fn", "float8_e5m2",
                "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8", "bool", "float32",
                "float32" }));
    }

    void shardedSetIsOneCheckpoint()
    {
        const Checkpoint c = openCheckpoint(dir + "model.safetensors.index.json");
        QCOMPARE(c.format, std::string("safetensors (sharded)"));
        QCOMPARE(c.tensors.size(), std::size_t(6));
        QCOMPARE(c.tensors[4].info.location.rfind("model-00002-of-00002.safetensors, offset", 0), std::size_t(0));
        QCOMPARE(c.metadata.at("metadata/total_size").get<std::string>(), std::string("864"));
    }

    void missingShardIsAClearError()
    {
        try {
            openCheckpoint(dir + "missing-shard.safetensors.index.json");
            QFAIL("opened");
        } catch (const CheckpointError& e) {
            QCOMPARE(e.file(), dir + "missing-shard.safetensors.index.json");
            QVERIFY2(
                std::string(e.what()).find("shard 'nowhere.safetensors' is missing") != std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestSafetensorsReader)
#include "tst_safetensorsreader.moc"
