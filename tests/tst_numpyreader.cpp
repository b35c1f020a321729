// The NumPy readers on files written by numpy itself (tests/data/numpy/make_numpy_fixtures.py):
// .npy versions 1-3, every numeric descr, big-endian, Fortran order, 0-d, empty, pickled object
// arrays (np.save of a dict or a ragged list), and .npz stored or deflated. Values are exact.
#include "base/CheckpointError.h"
#include "numerics/Convert.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"

#include <QDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <complex>
#include <cstring>
#include <fstream>

using namespace ckpt;

namespace {
const std::string dir = CKPT_TEST_DATA "/numpy/";

const nlohmann::json& expected()
{
    static const nlohmann::json e = [] {
        std::ifstream in(dir + "expected.json");
        return nlohmann::json::parse(in);
    }();
    return e;
}

nlohmann::json valuesOf(const Tensor& t)
{
    const TensorData d = readTensor(t);
    nlohmann::json out = nlohmann::json::array();
    if (d.dtype == DType::Complex64 || d.dtype == DType::Complex128) {
        for (std::int64_t i = 0; i < d.numel(); ++i) {
            if (d.dtype == DType::Complex64) {
                std::complex<float> z;
                std::memcpy(&z, d.bytes.data() + i * 8, 8);
                out.push_back({ double(z.real()), double(z.imag()) });
            } else {
                std::complex<double> z;
                std::memcpy(&z, d.bytes.data() + i * 16, 16);
                out.push_back({ z.real(), z.imag() });
            }
        }
        return out;
    }
    std::vector<double> v(std::size_t(d.numel()));
    convertToDouble(d.dtype, d.bytes.data(), d.numel(), v.data());
    for (double x : v)
        out.push_back(x);
    return out;
}
} // namespace

class TestNumpyReader : public QObject {
    Q_OBJECT

private slots:
    void everyFileIsExact_data()
    {
        QTest::addColumn<QString>("file");
        for (const auto& [name, _] : expected().items())
            QTest::newRow(name.c_str()) << QString::fromStdString(name);
    }

    void everyFileIsExact()
    {
        QFETCH(QString, file);
        const auto& want = expected().at(file.toStdString());
        const Checkpoint c = openCheckpoint(dir + file.toStdString());
        QCOMPARE(c.format, want["format"].get<std::string>());
        QCOMPARE(c.tensors.size(), want["tensors"].size());
        for (std::size_t i = 0; i < c.tensors.size(); ++i) {
            const auto& t = c.tensors[i];
            const auto& w = want["tensors"][i];
            QCOMPARE(t.info.name, w["name"].get<std::string>());
            QCOMPARE(std::string(dtypeName(t.info.dtype)), w["dtype"].get<std::string>());
            QCOMPARE(t.info.shape, w["shape"].get<Shape>());
            QCOMPARE(valuesOf(t).dump(), w["values"].dump());
        }
    }

    void layoutIsReported()
    {
        const Checkpoint f = openCheckpoint(dir + "fortran.npy");
        QVERIFY(f.tensors[0].info.columnMajor);
        const Checkpoint b = openCheckpoint(dir + "big_endian_f4.npy");
        QCOMPARE(int(b.tensors[0].info.byteOrder), int(ByteOrder::Big));
        const Checkpoint z = openCheckpoint(dir + "stored.npz");
        QVERIFY2(
            z.tensors[0].info.location.find("weight.npy") != std::string::npos, z.tensors[0].info.location.c_str());
    }

    void windowOfALargeArrayReadsOnlyThatWindow()
    {
        // A 2-D box of a stored array comes from positioned reads of just those rows.
        const Checkpoint c = openCheckpoint(dir + "fortran.npy");
        const TensorData box = readBox(c.tensors[0], { 1, 2 }, { 2, 2 });
        std::vector<double> v(4);
        convertToDouble(box.dtype, box.bytes.data(), 4, v.data());
        QCOMPARE(v, (std::vector<double> { 6, 7, 10, 11 }));
    }
};

QTEST_GUILESS_MAIN(TestNumpyReader)
#include "tst_numpyreader.moc"
