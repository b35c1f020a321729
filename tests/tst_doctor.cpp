// ckpt doctor (issue 20): every finding of tests/data/doctor/findings.pt and none in clean.pt
// (both written by torch), the counts behind them as torch/numpy computed them, and the
// reference check against PyTorch's own load_state_dict(strict=True) message (expected.json,
// from make_doctor_fixtures.py).
#include "base/Cancelled.h"
#include "doctor/Doctor.h"
#include "numerics/Stats.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

using namespace ckpt;

namespace {

nlohmann::json expected()
{
    std::ifstream in(CKPT_TEST_DATA "/doctor/expected.json");
    return nlohmann::json::parse(in);
}

Checkpoint open(const char* name)
{
    return openCheckpoint(std::string(CKPT_TEST_DATA "/doctor/") + name);
}

std::set<std::pair<std::string, std::string>> kindsAndTensors(const std::vector<Finding>& findings)
{
    std::set<std::pair<std::string, std::string>> out;
    for (const Finding& f : findings)
        out.emplace(f.kind, f.tensor);
    return out;
}

Tensor floats(const std::string& name, const std::vector<float>& values)
{
    return makeMemoryTensor(name, makeTensorData(DType::Float32, { std::int64_t(values.size()) }, values));
}

std::string joined(const std::vector<std::string>& lines, const std::string& separator)
{
    std::string s;
    for (const auto& l : lines)
        s += (s.empty() ? "" : separator) + l;
    return s;
}

} // namespace

class TestDoctor : public QObject {
    Q_OBJECT
private slots:
    void everyFindingOfTheFindingsFile()
    {
        const auto report = diagnose(open("findings.pt"));
        std::set<std::pair<std::string, std::string>> want;
        const auto file = expected();
        for (const auto& pair : file["findings.pt"])
            want.emplace(pair[0].get<std::string>(), pair[1].get<std::string>());
        const auto got = kindsAndTensors(report.findings);
        QVERIFY2(got == want, nlohmann::json(got).dump().c_str());
        QCOMPARE(report.tensorsChecked, 12);
    }

    void countsMatchTorch()
    {
        const auto c = open("findings.pt");
        const auto counts = expected()["counts"];
        QCOMPARE(computeStats(*c.find("bad.nan")).nan, counts["bad.nan"].get<std::int64_t>());
        const auto inf = computeStats(*c.find("bad.inf"));
        QCOMPARE(inf.posInf + inf.negInf, counts["bad.inf"].get<std::int64_t>());
        QCOMPARE(computeStats(*c.find("big.weight")).beyondHalf, counts["big.weight"].get<std::int64_t>());
        QCOMPARE(computeStats(*c.find("tiny.weight")).denormals, counts["tiny.weight"].get<std::int64_t>());
        const auto var = computeStats(*c.find("bn.running_var"));
        QCOMPARE(var.min, -0.25);
        QCOMPARE(var.zeros, std::int64_t(1));
    }

    void aTrainedNetworkIsClean()
    {
        const auto report = diagnose(open("clean.pt"));
        QVERIFY2(report.findings.empty(), report.findings.empty() ? "" : report.findings[0].evidence.c_str());
        QCOMPARE(report.tensorsChecked, 9);
    }

    void againstTheReferenceAsPyTorchSaysIt()
    {
        const auto target = open("target.pt");
        const auto reference = open("reference.pt");
        DoctorOptions options;
        options.reference = &reference;
        const auto report = diagnose(target, options);
        QVERIFY(report.againstReference);
        const std::string torch = expected()["load_state_dict"];
        const std::string body = torch.substr(torch.find(":\n\t") + 3);
        QCOMPARE(joined(report.againstReference->loadErrors, "\n\t"), body);

        std::set<std::string> same, wantSame;
        for (const Finding& f : report.findings)
            if (f.kind == "same-as-reference")
                same.insert(f.tensor);
        const auto want = expected();
        for (const auto& name : want["same_as_reference"])
            wantSame.insert(name.get<std::string>());
        QVERIFY(same == wantSame);
        const auto got = kindsAndTensors(report.againstReference->findings);
        QVERIFY(got.count({ "missing-key", "fc2.bias" }));
        QVERIFY(got.count({ "unexpected-key", "head.weight" }));
        QVERIFY(got.count({ "size-mismatch", "fc2.weight" }));
    }

    // DataParallel's "module." on one side: stripped with the prefix option, the same message.
    void prefixesAreStripped()
    {
        auto target = open("target.pt");
        for (Tensor& t : target.tensors)
            t.info.name = "module." + t.info.name;
        const auto reference = open("reference.pt");
        StateDictCheckOptions options;
        const auto unprefixed = checkAgainstReference(target, reference, options);
        QCOMPARE(unprefixed.findings.size(), reference.tensors.size() + target.tensors.size());
        options.prefix = "module.";
        const auto check = checkAgainstReference(target, reference, options);
        const std::string torch = expected()["load_state_dict"];
        QCOMPARE(joined(check.loadErrors, "\n\t"), torch.substr(torch.find(":\n\t") + 3));
    }

    // PyTorch reports unexpected keys module by module (the root first), not in file order; the
    // expected line is what torch 1.13 printed for this layout.
    void unexpectedKeysInPyTorchsOrder()
    {
        Checkpoint reference, target;
        for (const char* name : { "fc1.weight", "block.0.weight", "fc2.weight" })
            reference.tensors.push_back(floats(name, { 1, 2 }));
        for (const char* name : { "fc2.extra", "fc1.weight", "block.0.extra", "stray", "block.0.weight", "fc2.weight" })
            target.tensors.push_back(floats(name, { 1, 3 }));
        const auto check = checkAgainstReference(target, reference);
        QCOMPARE(check.loadErrors.size(), std::size_t(1));
        QCOMPARE(check.loadErrors[0],
            std::string("Unexpected key(s) in state_dict: \"stray\", \"block.0.extra\", \"fc2.extra\". "));
    }

    // A real model whose output layer shares the token embedding (llama2.c ties them; llama.cpp's
    // converter wrote both): one duplicate, named after the second, and nothing else.
    void tiedEmbeddingOfARealModel()
    {
        const auto report = diagnose(openCheckpoint(CKPT_TEST_DATA "/real/gguf/stories260K.gguf"));
        QCOMPARE(report.tensorsChecked, 48);
        const auto got = kindsAndTensors(report.findings);
        QVERIFY2(got == (std::set<std::pair<std::string, std::string>> { { "duplicate", "output.weight" } }),
            nlohmann::json(got).dump().c_str());
        QVERIFY2(report.findings[0].evidence.find("token_embd.weight") != std::string::npos,
            report.findings[0].evidence.c_str());
    }

    // Equal statistics are not enough: -0 and 0 differ in their bytes.
    void duplicatesAreConfirmedByteForByte()
    {
        Checkpoint c;
        c.tensors.push_back(floats("a", { 1.0f, -0.0f, 2.0f }));
        c.tensors.push_back(floats("b", { 1.0f, 0.0f, 2.0f }));
        c.tensors.push_back(floats("c", { 1.0f, -0.0f, 2.0f }));
        const auto got = kindsAndTensors(diagnose(c).findings);
        QVERIFY(got == (std::set<std::pair<std::string, std::string>> { { "duplicate", "c" } }));
    }

    // Files that declare far more elements than they store (fill values, an unwritten dataset, a
    // 1 TiB virtual dataset, a stride-0 view of 2^60 elements): the doctor's work follows what is
    // stored, as the statistics' does. A watchdog cancels after two minutes, so a regression fails
    // instead of hanging; the work itself is a few stored values.
    void declaredButNotStoredIsQuick_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("kinds");
        QTest::newRow("contiguous, never written") << "hdf5_contiguous_unwritten.h5"
                                                   << "constant";
        QTest::newRow("fill values only") << "hdf5_fill_only.h5"
                                          << "constant";
        QTest::newRow("2^62 elements") << "hdf5_huge_dataset.h5"
                                       << "";
        QTest::newRow("1 TiB virtual dataset") << "hdf5_virtual_1tib.h5"
                                               << "same-as-reference"; // the small tensor beside it
        QTest::newRow("stride 0, 2^60 elements") << "torch_stride_zero_2p60.pt"
                                                 << "constant";
    }

    void declaredButNotStoredIsQuick()
    {
        QFETCH(QString, file);
        QFETCH(QString, kinds);
        const Checkpoint c = openCheckpoint(CKPT_TEST_DATA "/bad/" + file.toStdString());
        std::atomic<bool> cancel { false };
        std::mutex mutex;
        std::condition_variable finished;
        bool done = false;
        std::thread watchdog([&] {
            std::unique_lock lock(mutex);
            if (!finished.wait_for(lock, std::chrono::minutes(2), [&] { return done; }))
                cancel = true;
        });
        DoctorOptions options;
        options.cancel = &cancel;
        options.reference = &c; // against itself too: every tensor compared with its twin
        std::optional<DoctorReport> report;
        try {
            report = diagnose(c, options);
        } catch (const Cancelled&) {
        }
        {
            std::lock_guard lock(mutex);
            done = true;
        }
        finished.notify_one();
        watchdog.join();
        QVERIFY2(report, "still reading after two minutes");
        QStringList got;
        for (const Finding& f : report->findings)
            got << QString::fromStdString(f.kind);
        got.removeDuplicates();
        QCOMPARE(got.join(','), kinds);
    }

    void anUnreadableTensorIsAFindingNotAnError()
    {
        Checkpoint c;
        c.tensors.push_back(floats("fine", { 1, 2 }));
        c.tensors.push_back(floats("refused", { 1, 2 }));
        c.tensors.back().info.unreadable = "its data lies outside the checkpoint's folder";
        const auto report = diagnose(c);
        QCOMPARE(report.findings.size(), std::size_t(1));
        QCOMPARE(report.findings[0].kind, std::string("unreadable"));
        QCOMPARE(report.findings[0].evidence, c.tensors[1].info.unreadable);
        QCOMPARE(report.tensorsChecked, 1);
    }
};

QTEST_GUILESS_MAIN(TestDoctor)
#include "tst_doctor.moc"
