// A GGUF file against the Hugging Face checkpoint llama.cpp made it from: tensors paired by
// llama.cpp's names, LLaMA's Q/K rows un-permuted, and the SQNR, cosine similarity and max abs
// error of the dequantized weights checked against numpy (tests/data/quantpair/make_quantpair.py).
#include "compare/Diff.h"
#include "compare/LlamaCppNames.h"
#include "open/ReaderRegistry.h"

#include <QFile>
#include <QProcess>
#include <QTest>

#include <nlohmann/json.hpp>

#include <cmath>

using namespace ckpt;

namespace {

std::string data(const char* relative)
{
    return std::string(CKPT_TEST_DATA "/quantpair/") + relative;
}

nlohmann::json expected()
{
    QFile f(QString::fromStdString(data("expected.json")));
    if (!f.open(QIODevice::ReadOnly))
        throw std::runtime_error("expected.json missing");
    return nlohmann::json::parse(f.readAll().toStdString());
}

const TensorDiff* byName(const DiffReport& r, const std::string& name)
{
    for (const auto& d : r.tensors)
        if (d.name == name)
            return &d;
    return nullptr;
}

bool near(double got, double want, double relative)
{
    return std::abs(got - want) <= relative * std::max(1.0, std::abs(want));
}

} // namespace

class TestQuantDiff : public QObject {
    Q_OBJECT

private slots:
    void rowPermutationMatchesTheConverter()
    {
        // numpy: permute(arange(8), n_head=2) -> [0, 2, 1, 3, 4, 6, 5, 7] (llama.cpp's LlamaModel.permute)
        const std::int64_t gguf[] = { 0, 2, 1, 3, 4, 6, 5, 7 };
        for (std::int64_t row = 0; row < 8; ++row) {
            QCOMPARE(hfRowOfGgufRow(row, 8, 2), gguf[row]);
            QCOMPARE(ggufRowOfHfRow(hfRowOfGgufRow(row, 8, 2), 8, 2), row);
        }
        for (std::int64_t row = 0; row < 4096; ++row)
            QCOMPARE(hfRowOfGgufRow(ggufRowOfHfRow(row, 4096, 32), 4096, 32), row);
    }

    void namesOfTheCommonArchitectures()
    {
        const auto q = ggufCounterparts("blk.12.attn_q.weight");
        QVERIFY(!q.empty());
        QCOMPARE(q.front().name, std::string("model.layers.12.self_attn.q_proj.weight"));
        QVERIFY(q.front().ropePermuted);
        bool meta = false, gpt2 = false;
        for (const auto& c : q)
            meta = meta || (c.name == "layers.12.attention.wq.weight" && !c.ropePermuted);
        for (const auto& c : ggufCounterparts("blk.0.attn_qkv.weight"))
            gpt2 = gpt2 || (c.name == "transformer.h.0.attn.c_attn.weight" && c.transposed);
        QVERIFY(meta);
        QVERIFY(gpt2);
        QCOMPARE(ggufCounterparts("output.weight").front().name, std::string("lm_head.weight"));
        QCOMPARE(
            ggufCounterparts("blk.3.ffn_down.bias").front().name, std::string("model.layers.3.mlp.down_proj.bias"));
        QVERIFY(ggufCounterparts("blk.x.attn_q.weight").empty());
        QVERIFY(ggufCounterparts("blk.1.unknown.weight").empty());
        QVERIFY(ggufCounterparts("token_embd").empty());
    }

    // Both directions: every tensor paired, the numbers as numpy computes them.
    void qualityAgainstNumpy_data()
    {
        QTest::addColumn<bool>("ggufFirst");
        QTest::newRow("gguf against hf") << true;
        QTest::newRow("hf against gguf") << false;
    }

    void qualityAgainstNumpy()
    {
        QFETCH(bool, ggufFirst);
        const Checkpoint hf = openCheckpoint(data("pytorch_model.bin"));
        const Checkpoint gguf = openCheckpoint(data("model-q8.gguf"));
        const DiffReport r = ggufFirst ? diffCheckpoints(gguf, hf) : diffCheckpoints(hf, gguf);
        QCOMPARE(r.tensors.size(), hf.tensors.size());
        const auto want = expected();
        QCOMPARE(want.size(), hf.tensors.size());
        for (const auto& [hfName, e] : want.items()) {
            const std::string ggufName = e["gguf"].get<std::string>();
            const TensorDiff* d = byName(r, ggufFirst ? ggufName : hfName);
            QVERIFY2(d && d->a && d->b, hfName.c_str());
            QCOMPARE(d->b->info.name, ggufFirst ? hfName : ggufName);
            QCOMPARE(int(d->pairedBy), int(DiffPairing::LlamaCppName));
            QCOMPARE(d->layout.ropeHeads, e["unpermuted_heads"].get<std::int64_t>());
            QCOMPARE(d->layout.ggufIsA, ggufFirst);
            QCOMPARE(d->referenceIsA, !ggufFirst);
            if (e["sqnr_db"].is_null()) // stored exactly (the float32 norms): no noise at all
                QVERIFY2(std::isinf(d->sqnrDb) && d->sqnrDb > 0, hfName.c_str());
            else
                QVERIFY2(near(d->sqnrDb, e["sqnr_db"].get<double>(), 1e-9), hfName.c_str());
            QVERIFY2(near(d->cosine, e["cosine"].get<double>(), 1e-12), hfName.c_str());
            QVERIFY2(near(d->maxAbsDiff, e["max_abs_error"].get<double>(), 1e-12), hfName.c_str());
            const std::string type = e["type"].get<std::string>();
            const DiffStatus status = type == "F32" ? DiffStatus::Identical
                : type == "F16"                     ? DiffStatus::DtypeChanged
                                                    : DiffStatus::Changed;
            QCOMPARE(int(d->status), int(status));
        }
        // Q8_0 keeps about 45 dB; un-permuting is what makes Q and K agree at all.
        QVERIFY(byName(r, ggufFirst ? "blk.1.attn_q.weight" : "model.layers.1.self_attn.q_proj.weight")->sqnrDb > 40);
    }

    // Without the permutation (an architecture llama.cpp does not permute) Q's rows disagree.
    void otherArchitecturesAreNotUnpermuted()
    {
        const Checkpoint hf = openCheckpoint(data("pytorch_model.bin"));
        Checkpoint gguf = openCheckpoint(data("model-q8.gguf"));
        gguf.metadata["general.architecture"] = "qwen2";
        const DiffReport r = diffCheckpoints(gguf, hf);
        const TensorDiff* q = byName(r, "blk.0.attn_q.weight");
        QVERIFY(q);
        QCOMPARE(q->layout.ropeHeads, std::int64_t(0));
        QVERIFY(q->sqnrDb < 3);
        QVERIFY(byName(r, "blk.0.attn_v.weight")->sqnrDb > 40); // not a rotary projection
    }

    // Head counts a file declares are not trusted: zero, negative, huge, not dividing the rows,
    // of the wrong type or too short an array leave the rows as they are (no crash, no division
    // by zero); any integer type and a per-layer array are followed.
    void hostileHeadCounts_data()
    {
        QTest::addColumn<QString>("headCount"); // JSON
        QTest::addColumn<qint64>("heads"); // what blk.1.attn_q.weight is un-permuted with
        QTest::newRow("unsigned") << "4" << qint64(4);
        QTest::newRow("signed") << "4" << qint64(4);
        QTest::newRow("zero") << "0" << qint64(0);
        QTest::newRow("negative") << "-4" << qint64(0);
        QTest::newRow("huge") << "18446744073709551615" << qint64(0);
        QTest::newRow("2^40") << "1099511627776" << qint64(0);
        QTest::newRow("not dividing the rows") << "3" << qint64(0);
        QTest::newRow("more heads than rows") << "65536" << qint64(0);
        QTest::newRow("float") << "4.0" << qint64(0);
        QTest::newRow("string") << "\"4\"" << qint64(0);
        QTest::newRow("null") << "null" << qint64(0);
        QTest::newRow("object") << R"({"count": 100, "type": "u32", "first": [4]})" << qint64(0);
        QTest::newRow("per layer") << "[2, 4]" << qint64(4);
        QTest::newRow("per layer, too short") << "[4]" << qint64(0);
        QTest::newRow("per layer, wrong type") << R"([4, "4"])" << qint64(0);
    }

    void hostileHeadCounts()
    {
        QFETCH(QString, headCount);
        QFETCH(qint64, heads);
        const Checkpoint hf = openCheckpoint(data("pytorch_model.bin"));
        Checkpoint gguf = openCheckpoint(data("model-q8.gguf"));
        auto value = nlohmann::json::parse(headCount.toStdString());
        if (QByteArray(QTest::currentDataTag()) == "signed")
            value = nlohmann::json(std::int32_t(4));
        gguf.metadata["llama.attention.head_count"] = value;
        gguf.metadata.erase("llama.attention.head_count_kv");
        const DiffReport r = diffCheckpoints(gguf, hf);
        const TensorDiff* q = byName(r, "blk.1.attn_q.weight");
        QVERIFY(q);
        QCOMPARE(q->layout.ropeHeads, std::int64_t(heads));
        QCOMPARE(q->sqnrDb > 40, heads == 4);
        QCOMPARE(r.tensors.size(), diffCheckpoints(openCheckpoint(data("model-q8.gguf")), hf).tensors.size());
    }

    void cliReportsThePairing()
    {
        QProcess p;
        p.start(CKPT_BINARY_DIR "/app/ckpt",
            { "diff", "--json", QString::fromStdString(data("model-q8.gguf")),
                QString::fromStdString(data("pytorch_model.bin")) });
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        const auto j = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        const auto want = expected();
        int checked = 0;
        for (const auto& t : j["tensors"]) {
            QCOMPARE(t["paired_by"].get<std::string>(), std::string("llama.cpp name"));
            const auto& e = want[t["name_b"].get<std::string>()];
            QCOMPARE(t["name"].get<std::string>(), e["gguf"].get<std::string>());
            if (e["sqnr_db"].is_null())
                QVERIFY(!t["sqnr_db"].is_number()); // infinite: said in words, not as a number
            else
                QVERIFY(near(t["sqnr_db"].get<double>(), e["sqnr_db"].get<double>(), 1e-9));
            QCOMPARE(t["sqnr_reference"].get<std::string>(), std::string("b"));
            QCOMPARE(t.value("unpermuted_heads", 0), e["unpermuted_heads"].get<int>());
            ++checked;
        }
        QCOMPARE(checked, int(want.size()));

        p.start(CKPT_BINARY_DIR "/app/ckpt",
            { "diff", QString::fromStdString(data("model-q8.gguf")),
                QString::fromStdString(data("pytorch_model.bin")) });
        QVERIFY(p.waitForFinished(60000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(
            out.contains("blk.0.attn_k.weight  <- model.layers.0.self_attn.k_proj.weight (rows un-permuted, 2 heads)"),
            qPrintable(out));
        QVERIFY2(out.contains(" dB  cos 0.99"), qPrintable(out));
    }
};

QTEST_GUILESS_MAIN(TestQuantDiff)
#include "tst_quantdiff.moc"
