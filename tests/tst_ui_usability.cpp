// The app as a new user finds it (issue 18): help, the toolbar, the keyboard, panels that stay
// in step with the tree, and histogram bars that do not mislead on a log axis.
#include "CheckpointTreeModel.h"
#include "DiffPanel.h"
#include "DiffTableModel.h"
#include "HeatmapView.h"
#include "HistogramView.h"
#include "MainWindow.h"
#include "MetadataView.h"
#include "OverlayPlot.h"
#include "TensorPanel.h"
#include "Theme.h"
#include "ThemedPlot.h"
#include "ToleranceEdit.h"
#include "TreeFilterProxy.h"
#include "UiTestSupport.h"
#include "VerifyPanel.h"
#include "verify/Verify.h"

#include <qcustomplot.h>

#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QToolBar>
#include <QTreeView>

namespace {

QAction* menuAction(MainWindow& w, const QString& menu, const QString& action)
{
    for (QAction* m : w.menuBar()->actions()) {
        if (m->text().remove(QLatin1Char('&')) != menu || !m->menu())
            continue;
        for (QAction* a : m->menu()->actions())
            if (a->text().remove(QLatin1Char('&')) == action)
                return a;
    }
    return nullptr;
}

// Waits until the shown tensor's histogram has arrived.
bool waitForHistogram(MainWindow& w)
{
    return QTest::qWaitFor([&] { return w.tensorPanel()->histogram()->bars()->data()->size() > 0; }, 30000);
}

struct Run {
    int exitCode = -1;
    QString out;
};

Run run(const QString& program, const QStringList& arguments)
{
    QProcess p;
    p.setProcessEnvironment([] {
        auto env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY")); // --help and --version need no display
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        return env;
    }());
    p.start(program, arguments);
    if (!p.waitForFinished(30000))
        return {};
    return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()) };
}

} // namespace

class TestUiUsability : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // Settings of these tests stay apart from a user's.
        QCoreApplication::setOrganizationName(QStringLiteral("ckptview-tests"));
        QSettings().clear();
    }

    void cleanupTestCase() { QSettings().clear(); }

    // View ▸ Theme: dark colours for the widgets and the plots, remembered for the next window.
    void darkThemeIsChosenAndRemembered()
    {
        {
            MainWindow w;
            QCOMPARE(savedTheme(), Theme::System);
            auto* dark = w.findChild<QAction*>(QStringLiteral("themeDark"));
            QVERIFY(dark);
            dark->trigger();
            QVERIFY(QApplication::palette().color(QPalette::Base).lightness() < 100);
            QCOMPARE(savedTheme(), Theme::Dark);
            QTRY_VERIFY(
                w.tensorPanel()->histogram()->plot()->xAxis->basePen().color().lightness() > 150); // light on dark
        }
        MainWindow again; // starts dark
        QVERIFY(again.findChild<QAction*>(QStringLiteral("themeDark"))->isChecked());
        QVERIFY(QApplication::palette().color(QPalette::Base).lightness() < 100);
        again.findChild<QAction*>(QStringLiteral("themeLight"))->trigger();
        QVERIFY(QApplication::palette().color(QPalette::Base).lightness() > 200);
        again.findChild<QAction*>(QStringLiteral("themeSystem"))->trigger();
        QCOMPARE(savedTheme(), Theme::System);
    }

    void helpMenuHasAGuideAndAbout()
    {
        MainWindow w;
        QAction* guide = menuAction(w, QStringLiteral("Help"), QStringLiteral("Quick guide"));
        QVERIFY(guide);
        QCOMPARE(guide->shortcut(), QKeySequence(QKeySequence::HelpContents));
        QVERIFY(menuAction(w, QStringLiteral("Help"), QStringLiteral("About ckptview")));
        guide->trigger();
        auto* dialog = w.findChild<QDialog*>(QStringLiteral("quickGuide"));
        QVERIFY(dialog);
        const QString text = dialog->findChild<QTextBrowser*>()->toPlainText();
        for (const char* topic : { "Tensor", "Overlay", "Verify", "Compare", "mean", "safe", "GGUF" })
            QVERIFY2(text.contains(QLatin1String(topic)), topic);
        guide->trigger(); // a second time raises the same dialog
        QCOMPARE(w.findChildren<QDialog*>(QStringLiteral("quickGuide")).size(), 1);
    }

    void toolBarOpensComparesAndExports()
    {
        MainWindow w;
        auto* bar = w.findChild<QToolBar*>(QStringLiteral("mainToolBar"));
        QVERIFY(bar);
        QStringList texts;
        for (QAction* a : bar->actions())
            texts << a->text().remove(QLatin1Char('&'));
        QCOMPARE(texts.size(), 3);
        QVERIFY(texts[0].startsWith(QStringLiteral("Open")));
        QVERIFY(texts[1].startsWith(QStringLiteral("Compare")));
        QCOMPARE(bar->actions()[2], w.exportAction());
        for (QAction* a : bar->actions())
            QVERIFY2(!a->toolTip().isEmpty() && a->toolTip() != a->text(), qPrintable(a->text()));
    }

    // A legend never sits on the curves when a corner is free of them: curves along the top (a
    // run's norms levelled off) send it to the bottom right; a curve along the bottom and one high
    // on the right only, to the top left.
    void legendGoesWhereTheCurvesAreNot()
    {
        ThemedPlot plot;
        plot.resize(600, 300);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        plot.legend->setVisible(true);
        auto curve = [&](const QString& name, auto value) {
            auto* graph = plot.addGraph();
            graph->setName(name);
            for (int x = 0; x <= 60; ++x)
                graph->addData(x, value(x));
        };
        auto placed = [&] {
            plot.xAxis->setRange(-1, 61);
            plot.yAxis->setRange(-0.25, 5.25); // padded as the timeline's curves are
            plot.replot(); // lays the axis rect out
            plot.placeLegendAwayFromData();
            return plot.axisRect()->insetLayout()->insetAlignment(0);
        };
        curve(QStringLiteral("A"), [](int) { return 5.0; });
        curve(QStringLiteral("B"), [](int) { return 4.9; });
        QCOMPARE(placed(), Qt::AlignBottom | Qt::AlignRight);
        plot.clearGraphs();
        curve(QStringLiteral("low"), [](int) { return 0.0; });
        curve(QStringLiteral("late rise"), [](int x) { return x < 30 ? 0.0 : 5.0; });
        QCOMPARE(placed(), Qt::AlignTop | Qt::AlignLeft);
        plot.clearGraphs();
        QCOMPARE(placed(), Qt::AlignTop | Qt::AlignRight); // nothing drawn: where legends usually are
    }

    void windowTitleNamesTheFile()
    {
        MainWindow w;
        QVERIFY(openAndWait(w, QStringLiteral(CKPT_TEST_DATA "/verify/mlp.params")));
        QCOMPARE(w.windowTitle(), QStringLiteral("mlp.params — ckptview"));
    }

    void keyboardTabsCopyAndTick()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(openDemoAndWait(w));
        // Ctrl+Tab and Ctrl+Shift+Tab switch tabs wherever the focus is.
        w.treeView()->setFocus();
        QCOMPARE(w.tabs()->currentIndex(), 0);
        QTest::keyClick(&w, Qt::Key_Tab, Qt::ControlModifier);
        QCOMPARE(w.tabs()->currentIndex(), 1);
        QTest::keyClick(&w, Qt::Key_Backtab, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(w.tabs()->currentIndex(), 0);
        QTest::keyClick(&w, Qt::Key_Backtab, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(w.tabs()->currentIndex(), w.tabs()->count() - 1);
        // Ctrl+C in the tree copies the selected tensor's full name, not its size.
        QVERIFY(w.selectTensor(QStringLiteral("hidden.weight")));
        w.treeView()->setFocus();
        QApplication::clipboard()->clear();
        QTest::keyClick(w.treeView(), Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("hidden.weight"));
        // Space ticks the current row's box, and again unticks it.
        const QModelIndex current = w.treeProxy()->mapToSource(w.treeView()->currentIndex());
        QCOMPARE(current.column(), int(CheckpointTreeModel::Name));
        QCOMPARE(current.data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
        QTest::keyClick(w.treeView(), Qt::Key_Space);
        QCOMPARE(current.data(Qt::CheckStateRole).toInt(), int(Qt::Checked));
        QVERIFY(w.exportAction()->isEnabled());
        QTest::keyClick(w.treeView(), Qt::Key_Space);
        QCOMPARE(current.data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
    }

    // The tree shows when it has the keyboard focus: framed in the highlight colour, not otherwise.
    void treeShowsItsFocus()
    {
        MainWindow w;
        w.resize(800, 550);
        w.show();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QVERIFY(openDemoAndWait(w));
        QTreeView* tree = w.treeView();
        const QColor highlight = tree->palette().color(QPalette::Active, QPalette::Highlight);
        const auto edge = [&] { // the middle of the left edge, where no row is drawn
            return tree->grab().toImage().pixelColor(0, tree->height() / 2);
        };
        tree->setFocus();
        QTRY_VERIFY(tree->hasFocus());
        QCOMPARE(edge(), highlight);
        w.findChild<QLineEdit*>()->setFocus();
        QTRY_VERIFY(!tree->hasFocus());
        QVERIFY(edge() != highlight);
    }

    // At the smallest size the Verify tab's labels and choices show whole (nothing pushed off
    // the right edge), and a long path shows whole in the field's tooltip.
    void verifyFitsTheSmallestWindow()
    {
        MainWindow w;
        w.resize(800, 550);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(openDemoAndWait(w));
        w.tabs()->setCurrentWidget(w.verifyPanel());
        QTest::qWait(50);
        VerifyPanel* panel = w.verifyPanel();
        QVERIFY(panel->width() <= w.width());
        for (auto* label : panel->findChildren<QLabel*>())
            if (label->isVisible() && !label->wordWrap() && !label->text().isEmpty())
                QVERIFY2(label->width() >= label->minimumSizeHint().width(), qPrintable(label->text()));
        for (auto* combo : panel->findChildren<QComboBox*>())
            if (combo->isVisible()) {
                QVERIFY2(combo->width() >= combo->minimumSizeHint().width(), qPrintable(combo->currentText()));
                QVERIFY(combo->geometry().right() < panel->width());
            }
        auto* path = panel->findChild<QLineEdit*>(QString(), Qt::FindChildrenRecursively);
        QVERIFY(path);
        for (auto* edit : panel->findChildren<QLineEdit*>())
            if (edit->placeholderText().startsWith(QStringLiteral("file with")))
                path = edit;
        const QString longPath
            = QStringLiteral("/a/very/long/folder/name/that/does/not/fit/in/the/field/at/all/x.params");
        path->setText(longPath);
        QCOMPARE(path->toolTip(), longPath);
    }

    // Every button, box and field of the window says what it does when hovered (the tab bar's
    // and the fields' own small buttons apart).
    void everyControlHasATooltip()
    {
        MainWindow w;
        w.show();
        QVERIFY(openDemoAndWait(w));
        QStringList missing;
        for (auto* c : w.findChildren<QAbstractButton*>())
            if (!c->text().isEmpty() && c->toolTip().isEmpty())
                missing << c->text();
        for (auto* c : w.findChildren<QComboBox*>())
            if (c->toolTip().isEmpty())
                missing << c->currentText();
        for (auto* c : w.findChildren<QAbstractSpinBox*>())
            if (c->toolTip().isEmpty())
                missing << c->text();
        for (auto* c : w.findChildren<QLineEdit*>())
            if (!qobject_cast<QAbstractSpinBox*>(c->parent()) && c->toolTip().isEmpty())
                missing << c->placeholderText();
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QStringLiteral(", "))));
    }

    // A convolution kernel's Values page at the smallest size: nothing pushed off the right edge,
    // and the heatmap gets more room than the table.
    void valuesPageFitsTheSmallestWindow()
    {
        MainWindow w;
        w.resize(800, 550);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(openAndWait(w, QStringLiteral(CKPT_TEST_DATA "/keras3/convnet.keras")));
        QVERIFY(w.selectTensor(QStringLiteral("conv/kernel")));
        auto* panel = w.tensorPanel();
        panel->showValues();
        QTRY_VERIFY(panel->heatmap()->heatmap());
        QVERIFY2(panel->minimumSizeHint().width() <= panel->width(),
            qPrintable(QStringLiteral("%1 > %2").arg(panel->minimumSizeHint().width()).arg(panel->width())));
        QVERIFY(panel->heatmap()->width() > panel->table()->width());
    }

    void aGroupOrAFilterClearsTheTensorTab()
    {
        MainWindow w;
        QVERIFY(openDemoAndWait(w));
        QVERIFY(w.selectTensor(QStringLiteral("hidden.weight")));
        QVERIFY(w.tensorPanel()->tensorIndex() >= 0);
        // Selecting the group "hidden" leaves no single tensor shown.
        const QModelIndex group = w.treeProxy()->mapFromSource(w.treeModel()->indexForPath(QStringLiteral("hidden")));
        QVERIFY(group.isValid());
        w.treeView()->setCurrentIndex(group);
        QCOMPARE(w.tensorPanel()->tensorIndex(), -1);
        // Filtering away the shown tensor clears the tab too.
        QVERIFY(w.selectTensor(QStringLiteral("hidden.weight")));
        QVERIFY(w.tensorPanel()->tensorIndex() >= 0);
        w.treeProxy()->setNameFilter(QStringLiteral("output"));
        QTRY_COMPARE(w.tensorPanel()->tensorIndex() == -1
                || w.opened().checkpoint->tensors[std::size_t(w.tensorPanel()->tensorIndex())].info.name.find("output")
                    != std::string::npos,
            true);
    }

    void logCountBarsEndAtTheirCount()
    {
        MainWindow w;
        QVERIFY(openDemoAndWait(w));
        QVERIFY(w.selectTensor(QStringLiteral("hidden.bias")));
        QVERIFY(waitForHistogram(w));
        auto* h = w.tensorPanel()->histogram();
        const auto* bars = h->bars();
        std::vector<double> counts;
        for (int i = 0; i < bars->data()->size(); ++i)
            counts.push_back(h->barTop(i));
        QCOMPARE(bars->baseValue(), 0.0);
        h->findChild<QCheckBox*>()->setChecked(true); // Log counts
        QCOMPARE(h->plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        bool sawOne = false;
        for (int i = 0; i < bars->data()->size(); ++i) {
            QCOMPARE(h->barTop(i), std::max(counts[std::size_t(i)], bars->baseValue()));
            sawOne = sawOne || counts[std::size_t(i)] == 1;
        }
        QVERIFY2(sawOne, "no bin with a count of 1 to check");
        // Zoomed in, Fit shows every bar again from the bottom of the axis.
        h->plot()->xAxis->setRange(0, 1e-9);
        h->plot()->yAxis->setRange(10, 20);
        h->fit();
        QCOMPARE(h->plot()->yAxis->range().lower, bars->baseValue());
        QVERIFY(h->plot()->xAxis->range().size() > 1e-6);
    }

    // A new file starts afresh: no comparison against the last file's B, default bins, linear counts.
    void aNewFileCarriesNothingOver()
    {
        MainWindow w;
        w.setErrorReporter([](const QString&, const QString& message) { qWarning("%s", qPrintable(message)); });
        QVERIFY(openAndWait(w, QStringLiteral(CKPT_TEST_DATA "/verify/mlp.params")));
        QSignalSpy compared(w.diffPanel(), &DiffPanel::compared);
        w.compareWith(QStringLiteral(CKPT_TEST_DATA "/verify/mlp.params"));
        QVERIFY(compared.wait(30000));
        QVERIFY(w.diffPanel()->model()->rowCount() > 0);
        auto* h = w.tensorPanel()->histogram();
        h->setBins(16);
        h->findChild<QCheckBox*>()->setChecked(true);
        QVERIFY(openDemoAndWait(w));
        QCOMPARE(h->bins(), HistogramView::kDefaultBins);
        QVERIFY(!h->findChild<QCheckBox*>()->isChecked());
        QTest::qWait(200); // a comparison would have started by now
        QVERIFY(!w.diffPanel()->busy());
        QCOMPARE(compared.count(), 1);
        QCOMPARE(w.diffPanel()->model()->rowCount(), 0);
    }

    // Bins and log counts become the defaults only when asked (View menu), and are remembered
    // for the next window (QSettings); "Reset" brings back the built-in ones.
    void histogramDefaultsOnlyWhenAsked()
    {
        const auto action = [](MainWindow& w, const QString& text) {
            for (QAction* a : w.findChildren<QAction*>())
                if (a->text().remove(QLatin1Char('&')) == text)
                    return a;
            return static_cast<QAction*>(nullptr);
        };
        HistogramView::forgetDefaults();
        {
            MainWindow w;
            QVERIFY(openDemoAndWait(w));
            auto* h = w.tensorPanel()->histogram();
            h->setBins(16);
            h->findChild<QCheckBox*>()->setChecked(true);
            QAction* keep = action(w, QStringLiteral("Use these histogram settings for every file"));
            QVERIFY(keep);
            keep->trigger();
        }
        MainWindow w; // a new window, as at the next start
        QVERIFY(openDemoAndWait(w));
        auto* h = w.tensorPanel()->histogram();
        QCOMPARE(h->bins(), 16);
        QVERIFY(h->logCounts());
        QVERIFY(w.selectTensor(QStringLiteral("hidden.weight")));
        QTRY_COMPARE(int(h->bars()->data()->size()), 16); // the statistics were computed with them
        h->setBins(40); // chosen for this file only
        QVERIFY(openDemoAndWait(w));
        QCOMPARE(h->bins(), 16);
        QAction* reset = action(w, QStringLiteral("Reset histogram settings"));
        QVERIFY(reset);
        reset->trigger();
        QCOMPARE(h->bins(), HistogramView::kDefaultBins);
        QVERIFY(!h->logCounts());
        QVERIFY(openDemoAndWait(w));
        QCOMPARE(h->bins(), HistogramView::kDefaultBins);
    }

    // More tensors than the overlay draws: the cap is said, every curve looks different, and
    // tensors of a single element (scalars, counters) are named instead of drawn as spikes.
    void overlaySaysItsCapAndKeepsCurvesApart()
    {
        MainWindow w;
        QVERIFY(openAndWait(w, QStringLiteral(CKPT_TEST_DATA "/tfcheckpoint/deep.index")));
        auto* overlay = w.overlay();
        QVERIFY(!overlay->plot()->xAxis->visible()); // nothing to draw, no made-up axes
        w.treeView()->selectAll();
        QTRY_VERIFY_WITH_TIMEOUT(overlay->hintText().contains(QStringLiteral("Showing the first 24 of")), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(overlay->curveCount() > 10, 30000);
        QVERIFY(overlay->plot()->xAxis->visible());
        QVERIFY(overlay->curveCount() <= OverlayPlot::kMaxSeries);
        QSet<QString> looks;
        for (int i = 0; i < overlay->curveCount(); ++i) {
            const QPen pen = overlay->plot()->graph(i)->pen();
            looks.insert(pen.color().name() + QString::number(int(pen.style())));
        }
        QCOMPARE(looks.size(), overlay->curveCount());
        // A scalar selected with two matrices is named, not drawn.
        auto* selection = w.treeView()->selectionModel();
        selection->clearSelection();
        for (const char* name :
            { "optimizer/learning_rate", "layer_with_weights-0/kernel", "layer_with_weights-1/kernel" })
            selection->select(w.treeProxy()->mapFromSource(w.treeModel()->indexForPath(QString::fromLatin1(name))),
                QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QTRY_VERIFY_WITH_TIMEOUT(overlay->hintText().contains(QStringLiteral("learning_rate")), 30000);
        QVERIFY2(overlay->hintText().contains(QStringLiteral("Left out, holding a single element")),
            qPrintable(overlay->hintText()));
        QCOMPARE(overlay->curveCount(), 2);
        // Counts instead of densities, and a log axis that starts where the counts do.
        overlay->setNormalised(false);
        QCOMPARE(overlay->plot()->yAxis->label(), QStringLiteral("count"));
        QCOMPARE(overlay->plot()->yAxis->range().lower, 0.0);
        overlay->setLogScale(true);
        QCOMPARE(overlay->plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(overlay->plot()->yAxis->range().lower > 0);
        QTemporaryDir dir;
        QVERIFY(overlay->exportImage(dir.filePath(QStringLiteral("overlay.svg"))));
        QVERIFY(QFileInfo(dir.filePath(QStringLiteral("overlay.svg"))).size() > 1000);
    }

    // A JSON config held in a string unfolds as a tree; a value copies as JSON.
    void metadataUnfoldsJson()
    {
        MainWindow w;
        QVERIFY(openAndWait(w, QStringLiteral(CKPT_TEST_DATA "/keras3/mlp.keras")));
        auto* view = w.metadata();
        QTreeWidgetItem* config = nullptr;
        for (int r = 0; r < view->rowCount(); ++r)
            if (view->text(r, 0) == QStringLiteral("config.json"))
                config = view->topLevelItem(r);
        QVERIFY(config);
        QCOMPARE(config->text(1), QStringLiteral("{3 keys}"));
        QTreeWidgetItem* layers = nullptr;
        for (int i = 0; i < config->childCount(); ++i)
            if (config->child(i)->text(0) == QStringLiteral("config"))
                for (int j = 0; j < config->child(i)->childCount(); ++j)
                    if (config->child(i)->child(j)->text(0) == QStringLiteral("layers"))
                        layers = config->child(i)->child(j);
        QVERIFY(layers);
        QCOMPARE(layers->text(1), QStringLiteral("[2 items]"));
        QCOMPARE(layers->child(1)->text(0), QStringLiteral("[1]"));
        const QString json = view->jsonOf(layers->child(1));
        QVERIFY2(json.contains(QStringLiteral("\"units\": 3")), qPrintable(json));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.tabs()->setCurrentWidget(view);
        view->clearSelection();
        layers->child(0)->setSelected(true);
        view->setFocus();
        QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
        QVERIFY2(QApplication::clipboard()->text().startsWith(QStringLiteral("[0]: {")),
            qPrintable(QApplication::clipboard()->text()));
    }

    // Hostile JSON in metadata (tests/data/bad/make_round4_files.py): a config 100000 deep stays a
    // string that copies as it is; a config holding a 1.5 MB string unfolds with the cell cut.
    void metadataHostileJson()
    {
        const auto row = [](MetadataView* view, const QString& key) -> QTreeWidgetItem* {
            for (int r = 0; r < view->rowCount(); ++r)
                if (view->text(r, 0) == key)
                    return view->topLevelItem(r);
            return nullptr;
        };
        MainWindow w;
        QVERIFY(openAndWait(w, QStringLiteral(CKPT_TEST_DATA "/bad/safetensors_metadata_deep_json.safetensors")));
        auto* deep = row(w.metadata(), QStringLiteral("__metadata__/config"));
        QVERIFY(deep);
        QCOMPARE(deep->childCount(), 0);
        QVERIFY(deep->text(1).startsWith(QStringLiteral("[[[[")));
        QCOMPARE(w.metadata()->jsonOf(deep).size(), 200000);

        QVERIFY(openAndWait(w, QStringLiteral(CKPT_TEST_DATA "/bad/safetensors_metadata_long_string.safetensors")));
        auto* config = row(w.metadata(), QStringLiteral("__metadata__/config"));
        QVERIFY(config);
        QCOMPARE(config->text(1), QStringLiteral("{1 key}"));
        QCOMPARE(config->child(0)->text(1).size(), 2001); // 2000 characters and "…"
        QCOMPARE(w.metadata()->jsonOf(config).size(), 1500000 + 13); // {\n  "a": "…"\n}
    }

    // Verify has the CLI's rtol and atol; a bad one is refused, a change clears the verdict.
    void verifyTakesTolerances()
    {
        MainWindow w;
        QVERIFY(openDemoAndWait(w));
        auto* verify = w.verifyPanel();
        const auto fields = verify->findChildren<ToleranceEdit*>();
        QCOMPARE(fields.size(), 2);
        ToleranceEdit* atol = fields[1];
        QCOMPARE(atol->value().value_or(-1), ckpt::VerifyOptions {}.atol);
        atol->setText(QStringLiteral("-1"));
        QVERIFY(QTest::qWaitFor([&] { return !verify->verdictText().contains(QStringLiteral("Rebuilding")); }, 30000));
        QVERIFY(!verify->run());
        QVERIFY2(
            verify->verdictText().contains(QStringLiteral("atol must be a number")), qPrintable(verify->verdictText()));
        atol->setText(QStringLiteral("1e-3"));
        QSignalSpy verified(verify, &VerifyPanel::verified);
        QVERIFY(verify->run());
        QVERIFY(verified.wait(30000));
        QVERIFY2(verify->verdictText().contains(QStringLiteral("0.001")), qPrintable(verify->verdictText()));
        atol->setText(QStringLiteral("1e-4"));
        QVERIFY(!verify->verdictText().contains(QStringLiteral("0.001")));
    }

    // Value cells and axis choices show their whole text: no number loses digits to "…".
    void numbersAreNotCut()
    {
        MainWindow w;
        w.resize(800, 550);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(openDemoAndWait(w));
        QVERIFY(w.selectTensor(QStringLiteral("hidden.weight")));
        auto* panel = w.tensorPanel();
        panel->showValues();
        auto* table = panel->table();
        QTRY_VERIFY_WITH_TIMEOUT(table->model()->index(0, 0).data().toString() != QStringLiteral("…"), 30000);
        const QFontMetrics metrics(table->font());
        int checked = 0;
        for (int r = 0; r < 20; ++r)
            for (int c = 0; c < 20; ++c) {
                const QString text = table->model()->index(r, c).data().toString();
                QVERIFY2(metrics.horizontalAdvance(text) + 6 <= table->columnWidth(c), qPrintable(text));
                ++checked;
            }
        QCOMPARE(checked, 400);
        for (auto* combo : panel->findChildren<QComboBox*>())
            for (int i = 0; i < combo->count(); ++i)
                QVERIFY2(combo->fontMetrics().horizontalAdvance(combo->itemText(i)) < combo->width(),
                    qPrintable(combo->itemText(i)));
    }

    void versionAndHelpOpenNoWindow_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addRow("ckpt") << QStringLiteral(CKPT_BINARY_DIR "/app/ckpt");
        QTest::addRow("ckptview") << QStringLiteral(CKPT_BINARY_DIR "/app/ckptview");
    }

    void versionAndHelpOpenNoWindow()
    {
        QFETCH(QString, program);
        const Run version = run(program, { QStringLiteral("--version") });
        QCOMPARE(version.exitCode, 0);
        QVERIFY2(
            version.out.startsWith(QFileInfo(program).fileName() + QStringLiteral(" 0.")), qPrintable(version.out));
        QVERIFY2(version.out.contains(QStringLiteral("HDF5 1.")), qPrintable(version.out));
        const Run help = run(program, { QStringLiteral("--help") });
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(help.out.contains(QStringLiteral("Usage")), qPrintable(help.out));
    }
};

QTEST_MAIN(TestUiUsability)
#include "tst_ui_usability.moc"
