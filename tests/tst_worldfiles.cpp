// Files written by other libraries, compared with what the reference library reads from them.
// tests/data/world/made/: written by Debian's h5py, hdf5plugin, numpy and torch
// (make_made_fixtures.py); tests/data/world/fetched/: copied byte for byte from other projects'
// test suites (SOURCES.md); tests/data/world/dcp/: a PyTorch Distributed Checkpoint rebuilt from
// torch's documented layout, since no public test data exists and Debian's torch has no
// torch.distributed (make_dcp_fixture.py; its expected values are the tensors saved). Each folder's expected.json was
// computed by reading the files back with h5py, numpy or torch, never from what we meant to write:
//   {"file": {"tensors": {"name": {"dtype", "shape", "count", "sum", "first": [...]}},
//             "metadata": {"key": "substring of its value"}, "error": "substring",
//             "dtype_ours": {"name": "dtype"}}}
// A tensor entry with an "error" (a filter no Debian package provides) must fail with it; a file
// with an "error" must fail to open or read with it.
// "dtype_ours" names where our dtype rightly differs from numpy's (h5py has no bfloat16 and reads
// an HDF5 bfloat16 as float32; we keep bfloat16 with the same values). NaN and infinities are the
// strings "nan", "inf" and "-inf".
#include "base/CheckpointError.h"
#include "numerics/Convert.h"
#include "open/ReaderRegistry.h"
#include "tensor/TensorData.h"

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

using namespace ckpt;

namespace {

const char* const kFolders[] = { "made", "fetched", "dcp" };

nlohmann::json expectedIn(const std::string& folder)
{
    std::ifstream in(std::string(CKPT_TEST_DATA) + "/world/" + folder + "/expected.json");
    return in ? nlohmann::json::parse(in) : nlohmann::json::object();
}

double number(const nlohmann::json& j)
{
    if (j.is_boolean())
        return j.get<bool>() ? 1 : 0;
    if (j.is_string()) {
        const auto s = j.get<std::string>();
        if (s == "nan")
            return std::numeric_limits<double>::quiet_NaN();
        return s == "-inf" ? -HUGE_VAL : HUGE_VAL;
    }
    return j.get<double>();
}

bool same(double got, double want, double scale)
{
    if (std::isnan(want))
        return std::isnan(got);
    if (std::isinf(want))
        return got == want;
    return std::abs(got - want) <= 1e-6 * std::max(1.0, scale);
}

// Real numbers as they are; complex ones as re, im, re, im, ...
std::vector<double> valuesOf(const Tensor& t)
{
    const TensorData d = readTensor(t);
    if (d.dtype == DType::Complex64 || d.dtype == DType::Complex128) {
        std::vector<double> v(static_cast<std::size_t>(2 * d.numel()));
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (d.dtype == DType::Complex64) {
                float x;
                std::memcpy(&x, d.bytes.data() + 4 * i, 4);
                v[i] = x;
            } else {
                std::memcpy(&v[i], d.bytes.data() + 8 * i, 8);
            }
        }
        return v;
    }
    std::vector<double> v(static_cast<std::size_t>(d.numel()));
    convertToDouble(d.dtype, d.bytes.data(), d.numel(), v.data());
    return v;
}

std::string metadataText(const nlohmann::ordered_json& value)
{
    return value.is_string() ? value.get<std::string>() : value.dump();
}

// Some metadata key equal to `key`, or below it ("key/...", "key.<...>"), holds `text`.
bool hasMetadata(const Checkpoint& c, const std::string& key, const std::string& text)
{
    for (const auto& [k, v] : c.metadata.items())
        if ((k == key || k.rfind(key + "/", 0) == 0 || k.rfind(key + ".", 0) == 0)
            && metadataText(v).find(text) != std::string::npos)
            return true;
    return false;
}

// The first error that opening the file or reading any of its tensors gives, or "".
std::string firstError(const std::string& path)
{
    try {
        const Checkpoint c = openCheckpoint(path);
        for (const auto& t : c.tensors)
            valuesOf(t);
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestWorldFiles : public QObject {
    Q_OBJECT

private slots:
    void readsWhatTheReferenceReads_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<QString>("file");
        for (const char* folder : kFolders) {
            const nlohmann::json expected = expectedIn(folder); // items() must not outlive it
            for (const auto& [name, _] : expected.items())
                QTest::newRow((std::string(folder) + "/" + name).c_str())
                    << QString::fromLatin1(folder) << QString::fromStdString(name);
        }
    }

    void readsWhatTheReferenceReads()
    {
        QFETCH(QString, folder);
        QFETCH(QString, file);
        const auto want = expectedIn(folder.toStdString()).at(file.toStdString());
        const std::string path
            = std::string(CKPT_TEST_DATA) + "/world/" + folder.toStdString() + "/" + file.toStdString();
        if (want.contains("error")) {
            const std::string error = firstError(path);
            QVERIFY2(error.find(want["error"].get<std::string>()) != std::string::npos, error.c_str());
            QVERIFY(error.find('\n') == std::string::npos);
            return;
        }
        Checkpoint c;
        try {
            c = openCheckpoint(path);
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        for (const auto& [key, w] : want["tensors"].items()) {
            const std::string name = key; // clang 14 lambdas cannot capture structured bindings
            const auto it = std::find_if(
                c.tensors.begin(), c.tensors.end(), [&](const Tensor& t) { return t.info.name == name; });
            QVERIFY2(it != c.tensors.end(), ("no tensor " + name).c_str());
            const std::string dtype = want.contains("dtype_ours") && want["dtype_ours"].contains(name)
                ? want["dtype_ours"][name].get<std::string>()
                : w["dtype"].get<std::string>();
            QCOMPARE(std::string(dtypeName(it->info.dtype)), dtype);
            QCOMPARE(it->info.shape, w["shape"].get<Shape>());
            std::vector<double> v;
            try {
                v = valuesOf(*it);
            } catch (const std::exception& e) {
                if (w.contains("error")
                    && std::string(e.what()).find(w["error"].get<std::string>()) != std::string::npos)
                    continue; // h5py cannot read it either: the reason is named
                QFAIL((name + ": " + e.what()).c_str());
            }
            QVERIFY2(
                !w.contains("error"), (name + " was expected to fail with " + w.value("error", std::string())).c_str());
            const bool complex = isComplex(it->info.dtype);
            const std::size_t parts = complex ? 2 : 1;
            QCOMPARE(static_cast<std::int64_t>(v.size()), w["count"].get<std::int64_t>() * std::int64_t(parts));
            const nlohmann::json wantSum = complex ? w["sum"] : nlohmann::json::array({ w["sum"] });
            for (std::size_t part = 0; part < parts; ++part) {
                double sum = 0, scale = 0;
                for (std::size_t i = part; i < v.size(); i += parts) {
                    sum += v[i];
                    scale += std::isfinite(v[i]) ? std::abs(v[i]) : 0;
                }
                QVERIFY2(same(sum, number(wantSum[part]), scale), (name + ": sum " + std::to_string(sum)).c_str());
            }
            const nlohmann::json first = w.value("first", nlohmann::json::array()).flatten();
            for (std::size_t i = 0; i < first.size(); ++i) {
                const auto& want
                    = first.at("/" + std::to_string(i / parts) + (complex ? "/" + std::to_string(i % parts) : ""));
                QVERIFY2(same(v.at(i), number(want), std::abs(number(want))),
                    (name + ": value " + std::to_string(i) + " is " + std::to_string(v.at(i))).c_str());
            }
        }
        if (want.contains("metadata"))
            for (const auto& [key, text] : want["metadata"].items())
                QVERIFY2(hasMetadata(c, key, text.get<std::string>()),
                    ("metadata " + key + " lacks " + text.get<std::string>()).c_str());
    }

    // A box across the two ranks' chunks of a row-sharded tensor comes out as one.
    void distributedChunksAssemble()
    {
        const Checkpoint c = openCheckpoint(CKPT_TEST_DATA "/world/dcp/dcp_two_ranks");
        const Tensor* w = c.find("model.w");
        QVERIFY(w);
        const std::int64_t start[] = { 1, 2 }, count[] = { 2, 3 }; // rows 1-2 straddle the two chunks
        float box[6];
        w->data->readBox(start, count, reinterpret_cast<std::byte*>(box));
        for (int r = 0; r < 2; ++r)
            for (int col = 0; col < 3; ++col)
                QCOMPARE(box[r * 3 + col], ((1 + r) * 6 + (2 + col) - 10) / 4.0f); // (arange(24) - 10) / 4
        QCOMPARE(w->info.location, std::string("2 chunks in __0_0.distcp, __1_0.distcp"));
    }

    // A folder opens the one checkpoint it holds, says which, and lists them when there are several.
    void foldersOpenTheirCheckpoint()
    {
        QTemporaryDir dir;
        const std::filesystem::path folder = dir.path().toStdString();
        const std::string npy = CKPT_TEST_DATA "/numpy/dtype_f4.npy";
        try {
            openCheckpoint(folder.string());
            QFAIL("opened an empty folder");
        } catch (const CheckpointError& e) {
            QVERIFY(e.reason().find("a folder with no checkpoint file in it") == 0);
        }
        std::filesystem::copy_file(npy, folder / "weights.npy");
        std::ofstream(folder / "notes.txt") << "not a checkpoint";
        const Checkpoint one = openCheckpoint(folder.string());
        QCOMPARE(one.metadata.value("opened_from_folder", std::string()),
            std::string("weights.npy: the only checkpoint file in the folder"));
        QCOMPARE(one.tensors.size(), std::size_t(1));
        std::filesystem::copy_file(npy, folder / "other.npy");
        try {
            openCheckpoint(folder.string());
            QFAIL("chose between two checkpoints");
        } catch (const CheckpointError& e) {
            QCOMPARE(
                e.reason(), std::string("a folder with 2 checkpoint files; open one of them: other.npy, weights.npy"));
        }
    }
};

QTEST_GUILESS_MAIN(TestWorldFiles)
#include "tst_worldfiles.moc"
