// A training run read after the fact (core/timeline): a folder of checkpoints written by torch
// and numpy in three spellings is put in step order by the numbers in the names (epoch_2 before
// epoch_10), a file that is not a checkpoint is skipped and said, tensors are lined up across the
// "module." and "model_state_dict." wrappers, and every metric matches numpy's (expected.json,
// made by tests/data/timeline/make_timeline_fixtures.py).
#include "base/Cancelled.h"
#include "base/CheckpointError.h"
#include "export/Export.h"
#include "open/ReaderRegistry.h"
#include "tensor/FlatTensorSource.h"
#include "timeline/StepDistribution.h"
#include "timeline/Timeline.h"
#include "timeline/TimelineReport.h"
#include "timeline/TimelineSweep.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

using namespace ckpt;

namespace {
const std::string run = CKPT_TEST_DATA "/timeline/run";

nlohmann::json expected()
{
    std::ifstream in(CKPT_TEST_DATA "/timeline/expected.json");
    return nlohmann::json::parse(in);
}

bool near(double actual, const nlohmann::json& want)
{
    if (want.is_null())
        return std::isnan(actual);
    const double w = want.get<double>();
    return std::abs(actual - w) <= 1e-12 + 1e-9 * std::abs(w);
}

// Every metric of every tensor at every step, in order (NaN where absent), to compare runs bit for bit.
std::vector<double> allMetrics(const RunTimeline& t)
{
    std::vector<double> all;
    for (const TensorTimeline& line : t.tensors)
        for (const StepMetrics& m : line.steps)
            all.insert(all.end(),
                { double(m.present), double(m.count), m.l2, m.mean, m.std, m.min, m.max, m.maxAbs, m.zeroFraction,
                    double(m.nan), double(m.inf), m.changePrevious, m.changeFirst, m.cosinePrevious, m.cosineFirst });
    return all;
}

// The metrics that expected.json holds for a tensor at a step: a description of the first mismatch, or empty.
std::string mismatch(const StepMetrics& m, const nlohmann::json& r)
{
    if (m.count != r["count"].get<std::int64_t>() || m.nan != r["nan"].get<std::int64_t>()
        || m.inf != r["inf"].get<std::int64_t>())
        return "counts";
    for (auto [value, key] : { std::pair { m.l2, "l2" }, { m.mean, "mean" }, { m.std, "std" }, { m.min, "min" },
             { m.max, "max" }, { m.zeroFraction, "zero_fraction" }, { m.changePrevious, "change_previous" },
             { m.changeFirst, "change_first" }, { m.cosinePrevious, "cosine_previous" },
             { m.cosineFirst, "cosine_first" } })
        if (!near(value, r[key]))
            return std::string(key) + ": " + std::to_string(value) + " against " + r[key].dump();
    return {};
}

// Values held in memory, served by readFlat (or, when `mapped`, in place as a mapped file's are).
class MemorySource : public FlatTensorSource {
public:
    template <typename T>
    MemorySource(const std::vector<T>& values, DType dtype, bool mapped)
        : FlatTensorSource(dtype, { std::int64_t(values.size()) })
        , bytes_(values.size() * sizeof(T))
        , mapped_(mapped)
    {
        std::memcpy(bytes_.data(), values.data(), bytes_.size());
    }
    void readFlat(std::int64_t first, std::int64_t count, std::byte* out) const override
    {
        const std::size_t elem = bytes_.size() / std::size_t(shape()[0]);
        std::memcpy(out, bytes_.data() + std::size_t(first) * elem, std::size_t(count) * elem);
    }
    const std::byte* mappedElements() const override { return mapped_ ? bytes_.data() : nullptr; }

private:
    std::vector<std::byte> bytes_;
    bool mapped_;
};

template <typename T> Tensor memoryTensor(const std::vector<T>& values, DType dtype, bool mapped)
{
    Tensor t;
    t.info.name = "w";
    t.info.dtype = dtype;
    t.info.shape = { std::int64_t(values.size()) };
    t.data = std::make_shared<MemorySource>(values, dtype, mapped);
    return t;
}

bool close(double actual, long double want)
{
    return std::abs(actual - double(want)) <= 1e-12 * std::max(1.0L, std::abs(want));
}
// The whole timeline as CSV, plus its events and NaN summary: what a cached run must reproduce.
std::string everything(const RunTimeline& t)
{
    std::ostringstream csv;
    writeTimelineCsv(t, csv);
    auto json = timelineJson(t);
    json.erase("steps_from_cache");
    return csv.str() + json["events"].dump() + json["summary"].dump();
}

// A copy of the fixture run in a folder the test may change.
QString copyOfRun(const QTemporaryDir& dir, const QStringList& files)
{
    for (const QString& f : files)
        QFile::copy(QString::fromStdString(run) + "/" + f, dir.filePath(f));
    return dir.path();
}

} // namespace

class TestTimeline : public QObject {
    Q_OBJECT
private slots:
    void stepsFromNames()
    {
        QCOMPARE(stepInName("epoch_12.pt").value(), 12.0);
        QCOMPARE(stepInName("step-3000.safetensors").value(), 3000.0);
        QCOMPARE(stepInName("checkpoint-500").value(), 500.0);
        QCOMPARE(stepInName("model.ckpt-1000.index").value(), 1000.0);
        QVERIFY(!stepInName("final.pt").has_value());
    }

    void wrappersAreRemoved()
    {
        QCOMPARE(unwrappedName("module.0.weight"), std::string("0.weight"));
        QCOMPARE(unwrappedName("model_state_dict.module._orig_mod.fc.bias"), std::string("fc.bias"));
        QCOMPARE(unwrappedName("state_dict.model.layers.0.w"), std::string("layers.0.w"));
        QCOMPARE(
            unwrappedName("optimizer_state_dict.state.0.exp_avg"), std::string("optimizer_state_dict.state.0.exp_avg"));
        QCOMPARE(unwrappedName("module."), std::string("module.")); // nothing would be left
    }

    void folderInStepOrderWithSkippedEntries()
    {
        const RunPlan plan = planRun({ run });
        QCOMPARE(plan.order, StepOrder::Name);
        const auto want = expected();
        QCOMPARE(plan.members.size(), want["files"].size());
        for (std::size_t i = 0; i < plan.members.size(); ++i) {
            QCOMPARE(plan.members[i].label, want["files"][i].get<std::string>());
            QCOMPARE(plan.members[i].step, want["steps"][i].get<double>());
        }
        QCOMPARE(plan.skipped.size(), std::size_t(1));
        QVERIFY(plan.skipped[0].first.ends_with("notes.txt"));
        QVERIFY(plan.skipped[0].second.find("not a recognised checkpoint format") != std::string::npos);
        // Asked for an order the files cannot give (the .npz records no epoch): said, not guessed.
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, planRun({ run }, StepOrder::Meta));
        // A file given by name that is not a checkpoint is an error naming it.
        QVERIFY_THROWS_EXCEPTION(CheckpointError, planRun({ run + "/epoch_1.pt", run + "/notes.txt" }));
    }

    void metricsMatchNumpy()
    {
        const RunTimeline t = computeTimeline(planRun({ run }));
        const auto want = expected()["tensors"];
        QCOMPARE(t.tensors.size(), want.size());
        for (const TensorTimeline& line : t.tensors) {
            QVERIFY2(want.contains(line.name), line.name.c_str());
            const auto& rows = want[line.name];
            for (std::size_t s = 0; s < line.steps.size(); ++s) {
                const StepMetrics& m = line.steps[s];
                const std::string where = line.name + " at step " + std::to_string(s);
                QVERIFY2(m.present == !rows[s].is_null(), where.c_str());
                if (!m.present)
                    continue;
                const auto& r = rows[s];
                QCOMPARE(m.count, r["count"].get<std::int64_t>());
                QCOMPARE(m.nan, r["nan"].get<std::int64_t>());
                QCOMPARE(m.inf, r["inf"].get<std::int64_t>());
                for (auto [value, key] : { std::pair { m.l2, "l2" }, { m.mean, "mean" }, { m.std, "std" },
                         { m.min, "min" }, { m.max, "max" }, { m.zeroFraction, "zero_fraction" },
                         { m.changePrevious, "change_previous" }, { m.changeFirst, "change_first" },
                         { m.cosinePrevious, "cosine_previous" }, { m.cosineFirst, "cosine_first" } })
                    QVERIFY2(near(value, r[key]),
                        (where + " " + key + ": " + std::to_string(value) + " against " + r[key].dump()).c_str());
            }
        }
        // The run's story: the NaN at epoch 10, the tensor that appeared, the frozen layer last.
        QCOMPARE(t.firstNonFiniteStep.value(), std::size_t(2));
        QCOMPARE(t.nonFiniteTensors, std::vector<std::string> { "0.weight" });
        QCOMPARE(t.events.size(), std::size_t(1));
        QCOMPARE(t.events[0].tensor, std::string("extra"));
        QCOMPARE(t.events[0].what, std::string("appears"));
        const auto order = tensorsByChange(t);
        QCOMPARE(order.front().first, std::string("extra"));
        QCOMPARE(order.back().second, 0.0); // layer 2, frozen after epoch 1
    }

    // Chunks far smaller than the tensors, so that every sum is merged across chunk boundaries
    // (and the all-finite blocks' vector loops and their tails both run): still numpy's numbers,
    // and the same bits on one thread as on several.
    void chunkedSweepOnAnyThreads()
    {
        const RunPlan plan = planRun({ run });
        const auto want = expected()["tensors"];
        for (std::int64_t chunk : { 1, 3, 5, 1 << 16 }) {
            std::vector<double> single;
            for (int threads : { 1, 2, 3 }) {
                TimelineOptions options;
                options.chunkElements = chunk;
                options.threads = threads;
                const RunTimeline t = computeTimeline(plan, options);
                for (const TensorTimeline& line : t.tensors)
                    for (std::size_t s = 0; s < line.steps.size(); ++s)
                        if (line.steps[s].present) {
                            const std::string what = mismatch(line.steps[s], want[line.name][s]);
                            const std::string where = line.name + " at step " + std::to_string(s) + " in chunks of "
                                + std::to_string(chunk) + ": " + what;
                            QVERIFY2(what.empty(), where.c_str());
                        }
                const std::vector<double> all = allMetrics(t);
                if (threads == 1)
                    single = all;
                QCOMPARE(all.size(), single.size());
                QVERIFY(std::memcmp(all.data(), single.data(), all.size() * sizeof(double)) == 0);
            }
        }
    }

    // Tensors of several blocks (float32 as stored, float64 converted; in place and read), with a
    // NaN and an inf in one block: the sweep's sums against plain long double sums, in chunks
    // that split blocks and chunks of many blocks, the same bits on one thread as on two.
    void sweepMatchesPlainSums()
    {
        const std::size_t n = 5003;
        std::vector<float> current(n), first(n);
        std::vector<double> previous(n);
        for (std::size_t i = 0; i < n; ++i) {
            current[i] = float(std::sin(double(i)) * 3 + 0.5);
            previous[i] = double(current[i]) - 0.01 * std::cos(double(i) * 0.7);
            first[i] = float(std::cos(double(i) * 1.3));
        }
        current[17] = 0;
        current[4000] = std::numeric_limits<float>::quiet_NaN();
        first[4500] = std::numeric_limits<float>::infinity();
        long double sum = 0, squares = 0, dp = 0, pp = 0, ccp = 0, cp = 0, df = 0, ff = 0, ccf = 0, cf = 0;
        std::int64_t finite = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const long double c = current[i], p = previous[i], f = first[i];
            if (std::isnan(double(c)))
                continue;
            ++finite;
            sum += c;
            squares += c * c;
            dp += (c - p) * (c - p), pp += p * p, ccp += c * c, cp += c * p;
            if (std::isfinite(double(f)))
                df += (c - f) * (c - f), ff += f * f, ccf += c * c, cf += c * f;
        }
        const long double mean = sum / finite;
        long double m2 = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (!std::isnan(current[i]))
                m2 += (current[i] - mean) * (current[i] - mean);
        for (bool mapped : { true, false }) {
            const Tensor c = memoryTensor(current, DType::Float32, mapped),
                         p = memoryTensor(previous, DType::Float64, mapped),
                         f = memoryTensor(first, DType::Float32, mapped);
            const SweepJob job { "w", { &c, &p, &f }, { "c", "p", "f" } };
            for (std::int64_t chunk : { 7, 1000, 4096, 1 << 16 }) {
                std::vector<double> single;
                for (int threads : { 1, 2 }) {
                    const SweepSums s = sweepTensors({ job }, SweepOptions { chunk, threads, nullptr })[0];
                    QCOMPARE(s.values.count, std::int64_t(n));
                    QCOMPARE(s.values.finite, finite);
                    QCOMPARE(s.values.nan, std::int64_t(1));
                    QCOMPARE(s.values.zeros, std::int64_t(1));
                    QVERIFY(close(s.values.mean, mean));
                    QVERIFY(close(s.values.m2, m2));
                    QVERIFY(close(s.values.sumSquares, squares));
                    QVERIFY(close(s.previous.differenceSquares, dp) && close(s.previous.bSquares, pp));
                    QVERIFY(close(s.previous.aSquares, ccp) && close(s.previous.dot, cp));
                    QVERIFY(close(s.first.differenceSquares, df) && close(s.first.bSquares, ff));
                    QVERIFY(close(s.first.aSquares, ccf) && close(s.first.dot, cf));
                    const std::vector<double> all { s.values.mean, s.values.m2, s.values.sumSquares, s.values.min,
                        s.values.max, s.previous.differenceSquares, s.previous.dot, s.first.differenceSquares,
                        s.first.dot };
                    if (threads == 1)
                        single = all;
                    QVERIFY(all == single);
                }
            }
        }
    }

    void cancelStopsTheSweep()
    {
        std::atomic<bool> cancel { false };
        TimelineOptions options;
        options.cancel = &cancel;
        std::vector<std::size_t> reported;
        options.progress = [&](std::size_t step, std::size_t) {
            reported.push_back(step);
            if (step == 1)
                cancel = true;
        };
        QVERIFY_THROWS_EXCEPTION(Cancelled, computeTimeline(planRun({ run }), options));
        QCOMPARE(reported, (std::vector<std::size_t> { 0, 1 }));
    }

    // Every step's values on bins shared by all steps: numpy.histogram's edges and counts exactly,
    // the NaN counted apart, an absent step empty.
    void distributionOverStepsMatchesNumpy()
    {
        const RunTimeline t = computeTimeline(planRun({ run }));
        const auto want = expected()["distributions"];
        QCOMPARE(want.size(), t.tensors.size());
        for (const auto& [name, e] : want.items()) {
            StepDistributionOptions options;
            options.bins = e["bins"].get<int>();
            std::vector<std::size_t> reported;
            options.progress = [&](std::size_t step, std::size_t) { reported.push_back(step); };
            const StepDistribution d = stepDistribution(t, name, options);
            QCOMPARE(d.tensor, name);
            QCOMPARE(d.edges, e["edges"].get<std::vector<double>>()); // to the last bit
            QCOMPARE(d.counts.size(), std::size_t(3));
            for (std::size_t s = 0; s < 3; ++s) {
                const auto& c = e["counts"][s];
                if (c.is_null())
                    QVERIFY2(d.counts[s].empty(), name.c_str());
                else
                    QCOMPARE(d.counts[s], c.get<std::vector<std::int64_t>>());
            }
            QCOMPARE(reported, (std::vector<std::size_t> { 0, 1, 2 }));
            QCOMPARE(d.nonFinite[2], std::int64_t(name == "0.weight" ? 1 : 0));
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, stepDistribution(t, "no.such.tensor"));
        std::atomic<bool> cancel { true };
        StepDistributionOptions cancelled;
        cancelled.cancel = &cancel;
        QVERIFY_THROWS_EXCEPTION(Cancelled, stepDistribution(t, "0.weight", cancelled));
    }

    // A checkpoint replaced after the run was read is named, not read as if it had not changed.
    void distributionOfAChangedRunNamesTheFile()
    {
        QTemporaryDir dir;
        for (const char* f : { "epoch_1.pt", "epoch_2.pt" })
            QVERIFY(QFile::copy(QString::fromStdString(run + "/" + f), dir.filePath(f)));
        const RunTimeline t = computeTimeline(planRun({ dir.path().toStdString() }));
        QVERIFY(QFile::remove(dir.filePath("epoch_2.pt")));
        QVERIFY(QFile::copy(QString::fromStdString(run + "/epoch_1.pt"), dir.filePath("epoch_2.pt"))); // no "extra"
        try {
            stepDistribution(t, "extra");
            QFAIL("no error");
        } catch (const CheckpointError& e) {
            QVERIFY2(QString::fromStdString(e.file()).endsWith("/epoch_2.pt"), e.what());
            QVERIFY2(e.reason().find("changed since") != std::string::npos, e.what());
        }
    }

    void selectionAndReports()
    {
        TimelineOptions options;
        options.select = { "0.*" };
        const RunTimeline t = computeTimeline(planRun({ run }), options);
        QCOMPARE(t.tensors.size(), std::size_t(2));
        std::ostringstream csv;
        writeTimelineCsv(t, csv);
        const std::string text = csv.str();
        QCOMPARE(std::count(text.begin(), text.end(), '\n'), std::ptrdiff_t(1 + 2 * 3)); // header, 2 tensors x 3 steps
        QVERIFY(text.find("\"(3, 4)\"") != std::string::npos); // a shape with a comma is quoted
        const auto json = timelineJson(t);
        QCOMPARE(json["order"].get<std::string>(), std::string("name"));
        QVERIFY(json["tensors"][0]["steps"][0]["change_previous"].is_null());
        QCOMPARE(json["summary"]["first_nonfinite_step_index"].get<int>(), 2);
    }
    // A second look at the same run takes every step from the cache, with the same numbers.
    void cacheHit()
    {
        QTemporaryDir cache;
        TimelineOptions options;
        options.cacheFolder = cache.path().toStdString();
        const std::string fresh = everything(computeTimeline(planRun({ run })));
        const RunTimeline first = computeTimeline(planRun({ run }), options);
        QCOMPARE(first.stepsFromCache, std::size_t(0));
        const RunTimeline second = computeTimeline(planRun({ run }), options);
        QCOMPARE(second.stepsFromCache, std::size_t(3));
        QCOMPARE(everything(first), fresh);
        QCOMPARE(everything(second), fresh);
    }

    // A changed file is measured again, and so is every step after it (their previous or first
    // step changed); the steps before it still come from the cache.
    void cacheInvalidatedByAChange()
    {
        QTemporaryDir cache, folder;
        const QString dir = copyOfRun(folder, { "epoch_1.pt", "epoch_2.pt", "epoch_10.npz" });
        TimelineOptions options;
        options.cacheFolder = cache.path().toStdString();
        computeTimeline(planRun({ dir.toStdString() }), options);
        QFile file(dir + "/epoch_2.pt");
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.setFileTime(QDateTime::currentDateTime().addSecs(60), QFileDevice::FileModificationTime));
        file.close();
        const RunTimeline again = computeTimeline(planRun({ dir.toStdString() }), options);
        QCOMPARE(again.stepsFromCache, std::size_t(1));
        QCOMPARE(everything(again), everything(computeTimeline(planRun({ dir.toStdString() }))));
    }

    // A checkpoint appended to a run (training went on): the earlier steps come from the cache,
    // the new one is measured against checkpoints the cached steps never opened.
    void cacheKeepsEarlierStepsOfAGrowingRun()
    {
        QTemporaryDir cache, folder;
        const QString dir = copyOfRun(folder, { "epoch_1.pt", "epoch_2.pt" });
        TimelineOptions options;
        options.cacheFolder = cache.path().toStdString();
        computeTimeline(planRun({ dir.toStdString() }), options);
        copyOfRun(folder, { "epoch_10.npz" });
        const RunTimeline grown = computeTimeline(planRun({ dir.toStdString() }), options);
        QCOMPARE(grown.stepsFromCache, std::size_t(2));
        QCOMPARE(everything(grown), everything(computeTimeline(planRun({ dir.toStdString() }))));
    }

    // A run folder as an attacker (or a messy disk) makes it: symbolic links to itself, to each
    // other and to devices, a FIFO (opening it would wait for a writer forever), an empty file
    // with a terminal escape in its name, a folder linking back up. Planning finishes, the three
    // checkpoints are the members, every other entry is skipped with its reason.
    void hostileRunFolderIsPlannedWithoutHanging()
    {
        QTemporaryDir folder;
        const QString dir = copyOfRun(folder, { "epoch_1.pt", "epoch_2.pt", "epoch_10.npz", "notes.txt" });
        const std::string d = dir.toStdString();
        QCOMPARE(::symlink(".", (d + "/loop").c_str()), 0);
        QCOMPARE(::symlink("self", (d + "/self").c_str()), 0);
        QCOMPARE(::symlink("ping", (d + "/pong").c_str()), 0);
        QCOMPARE(::symlink("pong", (d + "/ping").c_str()), 0);
        QCOMPARE(::symlink("/dev/zero", (d + "/zero_3.pt").c_str()), 0);
        QCOMPARE(::mkfifo((d + "/pipe_4.pt").c_str(), 0600), 0);
        std::ofstream(d + "/bad\x1b[31mname_5.pt");
        QVERIFY(QDir(dir).mkpath(QStringLiteral("sub/deeper")));
        QCOMPARE(::symlink("../..", (d + "/sub/deeper/up").c_str()), 0);
        const RunPlan plan = planRun({ d });
        QCOMPARE(plan.members.size(), std::size_t(3));
        QCOMPARE(plan.members[2].label, std::string("epoch_10.npz"));
        std::map<std::string, std::string> skipped;
        for (const auto& [path, why] : plan.skipped)
            skipped[path.substr(d.size() + 1)] = why;
        QCOMPARE(skipped.size(), std::size_t(9));
        QCOMPARE(skipped["pipe_4.pt"], std::string("not a regular file"));
        QCOMPARE(skipped["zero_3.pt"], std::string("not a regular file"));
        QCOMPARE(skipped["bad\x1b[31mname_5.pt"], std::string("file is empty"));
        for (const char* cycle : { "self", "ping", "pong" })
            QVERIFY2(skipped[cycle].find("symbolic links") != std::string::npos, skipped[cycle].c_str());
        QVERIFY2(skipped["loop"].find("checkpoint files") != std::string::npos, skipped["loop"].c_str());
        QVERIFY(skipped.count("sub") && skipped.count("notes.txt"));
        QCOMPARE(computeTimeline(plan).plan.members.size(), std::size_t(3));
    }

    // Formats mixed in one run, safetensors among them: epoch 10 written as safetensors (by the
    // exporter, whose files safetensors' own reader loads) reads exactly as the .npz did.
    void safetensorsStepInAMixedRun()
    {
        QTemporaryDir folder;
        const QString dir = copyOfRun(folder, { "epoch_1.pt", "epoch_2.pt" });
        exportCheckpoint(openCheckpoint(run + "/epoch_10.npz"), (dir + "/epoch_10.safetensors").toStdString(), {});
        const RunTimeline mixed = computeTimeline(planRun({ dir.toStdString() }));
        QCOMPARE(mixed.plan.members.size(), std::size_t(3));
        QCOMPARE(mixed.plan.members[2].label, std::string("epoch_10.safetensors"));
        const std::vector<double> got = allMetrics(mixed), want = allMetrics(computeTimeline(planRun({ run })));
        QCOMPARE(got.size(), want.size());
        QVERIFY(std::memcmp(got.data(), want.data(), got.size() * sizeof(double)) == 0); // bit for bit, NaN too
        QCOMPARE(*mixed.firstNonFiniteStep, std::size_t(2));
    }

    // Thousands of entries: 2000 that are not checkpoints and 300 that are, planned and read.
    void runFolderWithThousandsOfEntries()
    {
        QTemporaryDir folder;
        const std::string d = folder.path().toStdString();
        for (int i = 0; i < 2000; ++i)
            std::ofstream(d + "/log_" + std::to_string(i) + ".txt") << "loss " << i << "\n";
        std::ifstream in(run + "/epoch_10.npz", std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (int i = 0; i < 300; ++i)
            std::ofstream(d + "/ckpt_" + std::to_string(i) + ".npz", std::ios::binary) << bytes;
        const RunPlan plan = planRun({ d });
        QCOMPARE(plan.members.size(), std::size_t(300));
        QCOMPARE(plan.skipped.size(), std::size_t(2000));
        QCOMPARE(plan.members[299].step, 299.0);
        const RunTimeline t = computeTimeline(plan);
        QCOMPARE(t.tensors.front().steps.size(), std::size_t(300));
        QCOMPARE(t.tensors.front().steps[299].changePrevious, 0.0); // the same file 300 times
    }

    // A checkpoint removed after the run was listed (a training run keeping its last few) leaves
    // the run when its turn comes, said in the skipped entries; the rest reads as if it had never
    // been listed.
    void checkpointRemovedWhileTheRunIsRead()
    {
        QTemporaryDir folder;
        const QString dir = copyOfRun(folder, { "epoch_1.pt", "epoch_2.pt", "epoch_10.npz" });
        QVERIFY(QFile::copy(dir + "/epoch_2.pt", dir + "/epoch_5.pt"));
        const RunPlan plan = planRun({ dir.toStdString() });
        QCOMPARE(plan.members.size(), std::size_t(4));
        TimelineOptions options;
        options.stepRead = [&](const RunTimeline&, std::size_t read) {
            if (read == 1)
                QFile::remove(dir + "/epoch_5.pt");
        };
        const RunTimeline t = computeTimeline(plan, options);
        QCOMPARE(t.plan.members.size(), std::size_t(3));
        QCOMPARE(t.plan.skipped.back().first, (dir + "/epoch_5.pt").toStdString());
        QVERIFY(t.plan.skipped.back().second.starts_with("could not be read when its turn came"));
        QCOMPARE(everything(t), everything(computeTimeline(planRun({ dir.toStdString() }))));
        // Nothing of the run left to read: the error names the checkpoint.
        const RunPlan lone = planRun({ (dir + "/epoch_1.pt").toStdString() });
        QFile::remove(dir + "/epoch_1.pt");
        QVERIFY_THROWS_EXCEPTION(CheckpointError, computeTimeline(lone));
    }

    // A cached step whose file has gone by the time a later step needs it as its previous: that
    // step's change from the previous is unknown (NaN), the change from the first still measured.
    void cachedPreviousStepRemovedWhileTheRunIsRead()
    {
        QTemporaryDir cache, folder;
        const QString dir = copyOfRun(folder, { "epoch_1.pt", "epoch_2.pt", "epoch_10.npz" });
        TimelineOptions options;
        options.cacheFolder = cache.path().toStdString();
        const RunTimeline full = computeTimeline(planRun({ dir.toStdString() }), options);
        QFile last(dir + "/epoch_10.npz");
        QVERIFY(last.open(QIODevice::ReadWrite));
        QVERIFY(last.setFileTime(QDateTime::currentDateTime().addSecs(60), QFileDevice::FileModificationTime));
        last.close();
        options.stepRead = [&](const RunTimeline&, std::size_t read) {
            if (read == 2)
                QFile::remove(dir + "/epoch_2.pt");
        };
        const RunTimeline t = computeTimeline(planRun({ dir.toStdString() }), options);
        QCOMPARE(t.stepsFromCache, std::size_t(2));
        for (std::size_t i = 0; i < t.tensors.size(); ++i) {
            const StepMetrics& m = t.tensors[i].steps[2];
            if (!m.present)
                continue;
            QVERIFY(std::isnan(m.changePrevious));
            QCOMPARE(m.l2, full.tensors[i].steps[2].l2);
            if (t.tensors[i].steps[0].present) // first seen in a file still there
                QCOMPARE(m.changeFirst, full.tensors[i].steps[2].changeFirst);
        }
    }

    // Damaged entries are misses, never errors.
    void damagedCacheIsAMiss()
    {
        QTemporaryDir cache;
        TimelineOptions options;
        options.cacheFolder = cache.path().toStdString();
        const std::string fresh = everything(computeTimeline(planRun({ run }), options));
        const QDir entries(cache.filePath(QStringLiteral("timeline")));
        const QStringList names = entries.entryList(QDir::Files);
        QCOMPARE(names.size(), 3);
        const QByteArray garbage[] = { "", "{\"lines\": [[\"x\", [2], [1, 2]]]}", QByteArray(100000, '[') };
        for (int i = 0; i < names.size(); ++i) {
            QFile f(entries.filePath(names[i]));
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(garbage[i]);
        }
        const RunTimeline again = computeTimeline(planRun({ run }), options);
        QCOMPARE(again.stepsFromCache, std::size_t(0));
        QCOMPARE(everything(again), fresh);
    }
};

QTEST_MAIN(TestTimeline)
#include "tst_timeline.moc"
