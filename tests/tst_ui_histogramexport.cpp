// The histogram's exports: PNG, SVG and PDF images and the counts as CSV, written atomically.
#include "HistogramView.h"
#include "numerics/Stats.h"
#include "tensor/TensorData.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <qcustomplot.h>

#include <vector>

class TestUiHistogramExport : public QObject {
    Q_OBJECT
private:
    ckpt::TensorStats stats_ = [] {
        std::vector<double> values;
        for (int i = 0; i < 1000; ++i)
            values.push_back(double(i % 37) - 18.0);
        return ckpt::computeStats(values.data(), std::int64_t(values.size()), 32);
    }();

private slots:
    void images_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("start");
        QTest::newRow("png") << "h.png" << QByteArray("\x89PNG");
        QTest::newRow("svg") << "h.svg" << QByteArray("<?xml");
        QTest::newRow("pdf") << "h.pdf" << QByteArray("%PDF");
    }
    void images()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, start);
        QTemporaryDir dir;
        HistogramView view;
        view.resize(800, 500);
        view.setHistogram(QStringLiteral("layer.weight"), stats_);
        const QString path = dir.filePath(file);
        QVERIFY(view.exportImage(path));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY2(bytes.startsWith(start), bytes.left(16).constData());
        if (file.endsWith(QStringLiteral(".svg"))) {
            QVERIFY(bytes.contains("<svg"));
            QVERIFY(bytes.contains("layer.weight")); // the title
        }
        if (file.endsWith(QStringLiteral(".png")))
            QVERIFY(!QImage(path).isNull());
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList { file }); // no .part left behind
    }

    void csvHoldsEveryBin()
    {
        QTemporaryDir dir;
        HistogramView view;
        view.setHistogram(QStringLiteral("t"), stats_);
        const QString path = dir.filePath(QStringLiteral("h.csv"));
        QVERIFY(view.exportCsv(path));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines.first(), QStringLiteral("bin_start,bin_end,count"));
        QCOMPARE(lines.size(), 33);
        qint64 total = 0;
        for (int i = 1; i < lines.size(); ++i)
            total += lines[i].section(QLatin1Char(','), 2).toLongLong();
        QCOMPARE(total, qint64(1000));
        QCOMPARE(lines[1].section(QLatin1Char(','), 0, 0).toDouble(), -18.0);
    }

    void plotsFollowTheTheme()
    {
        HistogramView view;
        view.setHistogram(QStringLiteral("t"), stats_);
        QPalette dark;
        dark.setColor(QPalette::Base, QColor(30, 30, 30));
        dark.setColor(QPalette::Window, QColor(45, 45, 45));
        dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
        view.setPalette(dark);
        QCOMPARE(view.plot()->xAxis->tickLabelColor(), QColor(230, 230, 230));
        QCOMPARE(view.plot()->yAxis->labelColor(), QColor(230, 230, 230));
        const QImage image = view.plot()->toPixmap(400, 300).toImage();
        QCOMPARE(image.pixelColor(2, 2), QColor(30, 30, 30)); // the background is the palette's base
    }

    void unwritablePathFailsCleanly()
    {
        HistogramView view;
        view.setHistogram(QStringLiteral("t"), stats_);
        QVERIFY(!view.exportImage(QStringLiteral("/nonexistent-dir/h.svg")));
        QVERIFY(!view.exportCsv(QStringLiteral("/nonexistent-dir/h.csv")));
    }
};

QTEST_MAIN(TestUiHistogramExport)
#include "tst_ui_histogramexport.moc"
