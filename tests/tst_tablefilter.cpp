// The tensor table's filter expressions (issue 20): what each operator and column means, the
// precedence of and/or/not, missing values, and the one-line errors a user sees for a bad filter.
// Rows come from tensorTableRow over tensors whose metrics are easy to state.
#include "report/TableFilter.h"
#include "tensor/TensorData.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace ckpt;

namespace {

TensorTableRow rowOf(const std::string& name, const std::vector<float>& values, Shape shape = {},
    TableMetrics metrics = TableMetrics::Basic)
{
    if (shape.empty())
        shape = { std::int64_t(values.size()) };
    return tensorTableRow(makeMemoryTensor(name, makeTensorData(DType::Float32, shape, values)), metrics);
}

bool matches(const char* filter, const TensorTableRow& row)
{
    return TableFilter::parse(filter).matches(row);
}

QString errorOf(const char* filter)
{
    try {
        (void)TableFilter::parse(filter);
    } catch (const TableFilterError& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

class TestTableFilter : public QObject {
    Q_OBJECT
private slots:
    void numbersAndOperators()
    {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const auto row = rowOf("blocks.0.attn.qkv.weight", { 1, 2, 3, nan, 0 });
        QVERIFY(matches("nan > 0", row));
        QVERIFY(matches("nan == 1", row));
        QVERIFY(matches("nan = 1", row));
        QVERIFY(!matches("nan != 1", row));
        QVERIFY(matches("count >= 5 and count <= 5", row));
        QVERIFY(matches("max_abs == 3", row));
        QVERIFY(matches("zero_fraction == 0.2", row));
        QVERIFY(matches("min < 1e-6", row));
        QVERIFY(matches("inf == 0 and posinf == 0 and neginf == 0", row));
        QVERIFY(matches("l2 < inf", row));
        QVERIFY(matches("ndim == 1", row));
    }

    void textColumns()
    {
        const auto row = rowOf("blocks.0.Attn.qkv.weight", { 1, 2 });
        QVERIFY(matches("name ~ \"attn\"", row)); // contains, ignoring case
        QVERIFY(matches("name ~ attn", row)); // one bare word
        QVERIFY(matches("name !~ 'mlp'", row));
        QVERIFY(!matches("name ~ mlp", row));
        QVERIFY(matches("name == \"blocks.0.Attn.qkv.weight\"", row));
        QVERIFY(matches("dtype == float32", row));
        QVERIFY(matches("shape == \"(2)\"", row));
        QVERIFY(matches("name ~ \"say \\\"hi\\\"\" or count == 2", row));
    }

    void precedenceAndParentheses()
    {
        const auto row = rowOf("fc.bias", { 1, 2 });
        // and binds tighter than or; not tighter than and.
        QVERIFY(matches("count == 2 or count == 9 and nan > 0", row));
        QVERIFY(!matches("(count == 2 or count == 9) and nan > 0", row));
        QVERIFY(matches("not nan > 0 and count == 2", row));
        QVERIFY(!matches("not (nan == 0 and count == 2)", row));
        QVERIFY(matches("!(nan > 0) && count == 2 || name ~ x", row));
        QVERIFY(TableFilter::parse("  ").matchesEverything());
        QVERIFY(matches("", row));
    }

    // A missing value satisfies no comparison: a vector has no spectral norm, a tensor without
    // finite values no mean.
    void missingValuesMatchNothing()
    {
        const auto vector = rowOf("v", { 1, 2, 3 }, {}, TableMetrics::All);
        QVERIFY(!matches("spectral_norm < 1e9", vector));
        QVERIFY(!matches("spectral_norm >= 0", vector));
        QVERIFY(matches("not spectral_norm >= 0", vector));
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const auto allNan = rowOf("n", { nan, nan });
        QVERIFY(!matches("mean < 0 or mean >= 0", allNan));
        QVERIFY(matches("nan == 2", allNan));
    }

    void spectralColumns()
    {
        // diag(3, 1): spectral norm 3, stable rank (9 + 1) / 9.
        const auto m = rowOf("w", { 3, 0, 0, 1 }, { 2, 2 }, TableMetrics::All);
        QVERIFY(matches("spectral_norm > 2.999 and spectral_norm < 3.001", m));
        QVERIFY(matches("stable_rank < 1.2 and effective_rank > 1", m));
        QVERIFY(!matches("alpha > 0 or alpha <= 0", m)); // two eigenvalues: no power-law fit
        // diag(1, ..., 12): twelve eigenvalues, enough for a fit.
        std::vector<float> diagonal(144, 0.0f);
        for (int i = 0; i < 12; ++i)
            diagonal[std::size_t(i) * 13] = float(i + 1);
        const auto twelve = rowOf("d", diagonal, { 12, 12 }, TableMetrics::All);
        QVERIFY(matches("alpha > 1 and alpha_ks > 0 and alpha_ks < 1", twelve));
        QVERIFY(TableFilter::parse("alpha < 2").needsSpectral());
        QVERIFY(TableFilter::parse("stable_rank < 5").needsSpectral());
        QVERIFY(!TableFilter::parse("std < 1e-6 and name ~ attn").needsSpectral());
    }

    void errorsSayWhatAndWhere_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("error");
        QTest::newRow("unknown column") << "nans > 0"
                                        << "unknown column 'nans' (columns: count, ndim, min,";
        QTest::newRow("no value") << "nan >"
                                  << "'nan' is a number: expected a number at 6";
        QTest::newRow("text for a number") << "std < small"
                                           << "'std' is a number: expected a number at 7";
        QTest::newRow("~ on a number") << "std ~ 1"
                                       << "~ compares text; 'std' is a number";
        QTest::newRow("< on text") << "name < 3"
                                   << "'name' is text: use ==, !=, ~ or !~";
        QTest::newRow("no operator") << "nan 0"
                                     << "expected <, <=, >, >=, ==, !=, ~ or !~ after 'nan' at 5";
        QTest::newRow("open quote") << "name ~ \"attn"
                                    << "the text starting at 8 has no closing \"";
        QTest::newRow("unclosed") << "(nan > 0"
                                  << "a ')' is missing at 9";
        QTest::newRow("dangling and") << "nan > 0 and"
                                      << "a column name is missing at the end";
        QTest::newRow("extra") << "nan > 0 )"
                               << "unexpected ')' at 9";
        QTest::newRow("stray character") << "nan > 0 and |"
                                         << "unexpected '|' at 13";
    }

    void errorsSayWhatAndWhere()
    {
        QFETCH(QString, filter);
        QFETCH(QString, error);
        const QString got = errorOf(filter.toUtf8().constData());
        QVERIFY2(got.startsWith(error), qPrintable(got));
    }

    // What a file or a user cannot make the parser do: run for ever or overflow its stack.
    void hostileFiltersAreBounded()
    {
        QVERIFY(errorOf(std::string(5000, '(').c_str()).contains("longer than 4096"));
        const std::string deep = std::string(2000, '(') + "nan > 0" + std::string(2000, ')');
        QVERIFY(matches(deep.c_str(), rowOf("a", { std::numeric_limits<float>::quiet_NaN() })));
        std::string nots;
        for (int i = 0; i < 1000; ++i)
            nots += "not ";
        QVERIFY(matches((nots + "nan > 0").c_str(), rowOf("a", { 1 })) == false);
    }
};

QTEST_GUILESS_MAIN(TestTableFilter)
#include "tst_tablefilter.moc"
