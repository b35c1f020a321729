// ckpt diff: pairing by name (and by layer position across libraries), per-tensor numbers,
// statuses, tolerances, and the command's JSON and exit codes.
#include "base/CheckpointError.h"
#include "compare/Diff.h"
#include "compare/PairHistograms.h"
#include "formats/hdf5/Hdf5Writer.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <cmath>

using namespace ckpt;

namespace {

std::string data(const char* relative)
{
    return std::string(CKPT_TEST_DATA "/") + relative;
}

const TensorDiff& entry(const DiffReport& r, const std::string& name)
{
    for (const auto& d : r.tensors)
        if (d.name == name)
            return d;
    throw std::runtime_error("no diff entry " + name);
}

// A copy of mlp.params with hidden.weight[3][4] += 1e-3, output.bias scaled by (1 + 1e-9),
// output.weight dropped, and an extra tensor.
void writePerturbedCopy(const std::string& path)
{
    const Checkpoint src = openCheckpoint(data("verify/mlp.params"));
    Hdf5Writer w(path);
    for (const auto& t : src.tensors) {
        if (t.info.name == "output.weight")
            continue;
        TensorData d = readTensor(t);
        auto* f = reinterpret_cast<float*>(d.bytes.data());
        if (t.info.name == "hidden.weight")
            f[3 * 20 + 4] += 1e-3f;
        if (t.info.name == "output.bias")
            for (std::int64_t i = 0; i < d.numel(); ++i)
                f[i] = std::nextafter(f[i], 1e9f);
        w.addTensor(makeMemoryTensor(t.info.name, std::move(d)));
    }
    w.addTensor(makeMemoryTensor("extra", makeTensorData(DType::Float32, { 2 }, std::vector<float> { 1, 2 })));
    w.addTensor(
        makeMemoryTensor("hidden.bias.reshaped", makeTensorData(DType::Float32, { 1 }, std::vector<float> { 0 })));
    w.commit();
}

} // namespace

class TestDiff : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void identicalAcrossFormats_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("transposed");
        QTest::newRow("pt vs npz") << "verify/mlp.params"
                                   << "verify/mlp.npz" << false;
        QTest::newRow("pt vs keras hdf5 (by layer, kernels transposed)") << "verify/mlp.params"
                                                                         << "verify/mlp-keras.h5" << true;
        QTest::newRow("keras hdf5 vs pt") << "verify/mlp-keras.h5"
                                          << "verify/mlp.params" << true;
        QTest::newRow("same file") << "torch/dtypes.pt"
                                   << "torch/dtypes.pt" << false;
    }

    void identicalAcrossFormats()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, transposed);
        const Checkpoint ca = openCheckpoint(data(a.toUtf8().constData()));
        const Checkpoint cb = openCheckpoint(data(b.toUtf8().constData()));
        const DiffReport r = diffCheckpoints(ca, cb);
        QVERIFY(r.allEqual());
        QCOMPARE(r.tensors.size(), ca.tensors.size());
        bool anyTransposed = false;
        for (const auto& d : r.tensors) {
            QCOMPARE(int(d.status), int(DiffStatus::Identical));
            QCOMPARE(d.maxAbsDiff, 0.0);
            anyTransposed = anyTransposed || d.layout.transposed;
        }
        QCOMPARE(anyTransposed, transposed);
    }

    void perturbedCopy()
    {
        const std::string copy = dir_.filePath("perturbed.h5").toStdString();
        writePerturbedCopy(copy);
        const DiffReport r = diffCheckpoints(openCheckpoint(data("verify/mlp.params")), openCheckpoint(copy));
        QVERIFY(!r.allEqual());
        const auto& w = entry(r, "hidden.weight");
        QCOMPARE(int(w.status), int(DiffStatus::Changed));
        QCOMPARE(w.mismatched, std::int64_t(1));
        QVERIFY(std::abs(w.maxAbsDiff - 1e-3) < 1e-6);
        QVERIFY(std::abs(w.meanAbsDiff - w.maxAbsDiff / (256 * 20)) < 1e-12);
        QVERIFY(w.relativeL2 > 0 && w.relativeL2 < 1e-3);
        QVERIFY(!w.bitwiseEqual);
        QCOMPARE(int(entry(r, "hidden.bias").status), int(DiffStatus::Identical));
        const auto& ob = entry(r, "output.bias");
        QCOMPARE(int(ob.status), int(DiffStatus::WithinTolerance));
        QVERIFY(ob.maxAbsDiff > 0 && !ob.bitwiseEqual);
        QCOMPARE(int(entry(r, "output.weight").status), int(DiffStatus::OnlyInA));
        QCOMPARE(int(entry(r, "extra").status), int(DiffStatus::OnlyInB));

        // A looser tolerance accepts the perturbation.
        DiffOptions loose;
        loose.atol = 2e-3;
        QCOMPARE(int(entry(diffCheckpoints(openCheckpoint(data("verify/mlp.params")), openCheckpoint(copy), loose),
                     "hidden.weight")
                         .status),
            int(DiffStatus::WithinTolerance));
    }

    void shapeAndDtypeChanges()
    {
        const std::string a = dir_.filePath("a.h5").toStdString(), b = dir_.filePath("b.h5").toStdString();
        {
            Hdf5Writer w(a);
            w.addTensor(makeMemoryTensor(
                "x", makeTensorData(DType::Float32, { 2, 3 }, std::vector<float> { 1, 2, 3, 4, 5, 6 })));
            w.addTensor(makeMemoryTensor("y", makeTensorData(DType::Float32, { 3 }, std::vector<float> { 1, 2, 3 })));
            w.commit();
        }
        {
            Hdf5Writer w(b);
            w.addTensor(
                makeMemoryTensor("x", makeTensorData(DType::Float32, { 6 }, std::vector<float> { 1, 2, 3, 4, 5, 6 })));
            w.addTensor(makeMemoryTensor("y", makeTensorData(DType::Float64, { 3 }, std::vector<double> { 1, 2, 3 })));
            w.commit();
        }
        const DiffReport r = diffCheckpoints(openCheckpoint(a), openCheckpoint(b));
        QCOMPARE(int(entry(r, "x").status), int(DiffStatus::ShapeChanged));
        QCOMPARE(int(entry(r, "y").status), int(DiffStatus::DtypeChanged));
        QCOMPARE(entry(r, "y").maxAbsDiff, 0.0);
        QVERIFY(!r.allEqual());
    }

    void prefixes()
    {
        // The training checkpoint's model against its own first layers exported without the prefix.
        const std::string exported = dir_.filePath("model.npz").toStdString();
        QProcess p;
        p.start(CKPT_BINARY_DIR "/app/ckpt",
            { "export", QString::fromStdString(data("verify/deep-train.pth")), "-o", QString::fromStdString(exported),
                "--select", "model_state_dict.*", "--strip-prefix", "model_state_dict." });
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        DiffOptions o;
        o.prefixA = "model_state_dict.";
        const DiffReport r
            = diffCheckpoints(openCheckpoint(data("verify/deep-train.pth")), openCheckpoint(exported), o);
        QVERIFY(r.allEqual());
        QCOMPARE(r.tensors.size(), std::size_t(12));
    }

    void histogramsOfARow()
    {
        const std::string copy = dir_.filePath("perturbed-hist.h5").toStdString();
        writePerturbedCopy(copy);
        const Checkpoint ca = openCheckpoint(data("verify/mlp.params"));
        const Checkpoint cb = openCheckpoint(copy);
        const DiffReport r = diffCheckpoints(ca, cb);
        const auto sum = [](const Histogram& h) {
            std::int64_t n = 0;
            for (auto c : h.counts)
                n += c;
            return n;
        };
        // hidden.weight: one element moved by 1e-3. A and B share bins over their joint range.
        const auto w = pairHistograms(entry(r, "hidden.weight"), 64);
        QCOMPARE(w.a.edges, w.b.edges);
        QCOMPARE(w.a.counts.size(), std::size_t(64));
        QCOMPARE(sum(w.a), std::int64_t(256 * 20));
        QCOMPARE(sum(w.b), std::int64_t(256 * 20));
        const TensorStats sa = computeStats(*entry(r, "hidden.weight").a, { 1 });
        const TensorStats sb = computeStats(*entry(r, "hidden.weight").b, { 1 });
        QCOMPARE(w.a.edges.front(), std::min(sa.min, sb.min));
        QCOMPARE(w.a.edges.back(), std::max(sa.max, sb.max));
        // The difference: 5119 zeros and one 1e-3 (float32 rounding aside).
        QCOMPARE(w.difference.edges.front(), 0.0);
        QVERIFY(std::abs(w.difference.edges.back() - 1e-3) < 1e-6);
        QCOMPARE(w.difference.counts.front(), std::int64_t(256 * 20 - 1));
        QCOMPARE(w.difference.counts.back(), std::int64_t(1));
        // Only in A: A's histogram alone, no difference.
        const auto onlyA = pairHistograms(entry(r, "output.weight"), 16);
        QCOMPARE(sum(onlyA.a), std::int64_t(10 * 256));
        QVERIFY(onlyA.b.counts.empty() && onlyA.difference.counts.empty());
        // A Keras kernel against a PyTorch weight: compared transposed, so every difference is 0.
        const Checkpoint keras = openCheckpoint(data("verify/mlp-keras.h5"));
        const DiffReport rt = diffCheckpoints(ca, keras);
        const auto t = pairHistograms(entry(rt, "hidden.weight"), 32);
        QVERIFY(entry(rt, "hidden.weight").layout.transposed);
        QCOMPARE(t.a.counts, t.b.counts);
        QCOMPARE(t.difference.edges.front(), -0.5);
        QCOMPARE(t.difference.counts[16], std::int64_t(256 * 20));
        std::atomic<bool> cancel { true };
        QVERIFY_THROWS_EXCEPTION(Cancelled, pairHistograms(entry(r, "hidden.weight"), 8, &cancel));
    }

    // Comparing needs every element, which repeated parts cannot give: a tensor declaring 2^62
    // elements with one stored is refused at once, naming the file and the tensor, never read for
    // ever. The CLI says so in one line.
    void astronomicDeclaredTensorsAreRefused()
    {
        const std::string huge = data("bad/hdf5_huge_dataset.h5");
        const Checkpoint a = openCheckpoint(huge);
        try {
            (void)diffCheckpoints(a, a);
            QFAIL("compared 2^62 elements");
        } catch (const CheckpointError& e) {
            QCOMPARE(e.file(), huge);
            QVERIFY2(
                QString(e.what()).contains(": w: declares 4611686018427387904 elements but stores only 1"), e.what());
        }
        const Checkpoint broadcast = openCheckpoint(data("bad/torch_stride_zero_2p60.pt"));
        QVERIFY_THROWS_EXCEPTION(FormatError,
            pairHistograms(
                TensorDiff { "tensor", DiffStatus::Identical, &broadcast.tensors[0], &broadcast.tensors[0] }, 8));
        QProcess p;
        p.start(CKPT_BINARY_DIR "/app/ckpt", { "diff", QString::fromStdString(huge), QString::fromStdString(huge) });
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 3);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(
            err.startsWith("error: " + QString::fromStdString(huge) + ": ") && err.count('\n') == 1, qPrintable(err));
    }

    void cliContract()
    {
        const QString copy = dir_.filePath("perturbed-cli.h5");
        writePerturbedCopy(copy.toStdString());
        QProcess p;
        p.start(
            CKPT_BINARY_DIR "/app/ckpt", { "diff", "--json", QString::fromStdString(data("verify/mlp.params")), copy });
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        const auto j = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        QVERIFY(!j["equal"].get<bool>());
        QCOMPARE(j["counts"]["changed"].get<int>(), 1);
        QCOMPARE(j["counts"]["only in A"].get<int>(), 1);
        QCOMPARE(j["counts"]["only in B"].get<int>(), 2);
        const auto& first = j["tensors"][0];
        QCOMPARE(first["name"].get<std::string>(), std::string("hidden.weight"));
        QCOMPARE(first["status"].get<std::string>(), std::string("changed"));
        for (const char* key : { "max_abs_diff", "mean_abs_diff", "rel_l2", "bitwise_equal" })
            QVERIFY2(first.contains(key), key);

        p.start(CKPT_BINARY_DIR "/app/ckpt",
            { "diff", QString::fromStdString(data("verify/mlp.params")),
                QString::fromStdString(data("verify/mlp.npz")) });
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        p.start(
            CKPT_BINARY_DIR "/app/ckpt", { "diff", QString::fromStdString(data("verify/mlp.params")), "missing.pt" });
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 3);
    }
};

QTEST_GUILESS_MAIN(TestDiff)
#include "tst_diff.moc"
