// The Timeline tab, driven as a user would (offscreen): tests/data/timeline/run opened as a
// training run lists its tensors, draws a chosen metric per step with the numbers the core
// computes (computeTimeline on the same folder), fills the layers × steps heatmap, names the
// first NaN in its summary; clicking a step opens that checkpoint in the other tabs, and a
// folder that is no run gives one line of error and leaves what was open.
#include "CheckpointSession.h"
#include "CheckpointTreeModel.h"
#include "JobTracker.h"
#include "MainWindow.h"
#include "RunSession.h"
#include "StepMetricFields.h"
#include "TimelineCurves.h"
#include "TimelineDistribution.h"
#include "TimelineHeatmap.h"
#include "TimelinePanel.h"

#include "UiTestSupport.h"
#include "timeline/StepDistribution.h"
#include "timeline/Timeline.h"
#include <QSplitter>

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSemaphore>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cmath>
#include <optional>

namespace {
const QString runDir = QStringLiteral(CKPT_TEST_DATA "/timeline/run");

// True when the run is shown; false when it failed (the error was reported).
bool openRunAndWait(MainWindow& w, const QStringList& paths)
{
    QSignalSpy shown(&w, &MainWindow::runShown);
    QSignalSpy failed(&w, &MainWindow::runFailed);
    if (!w.openRun(paths))
        return false;
    return QTest::qWaitFor([&] { return shown.count() + failed.count() > 0; }, 60000) && shown.count() == 1;
}

int metricIndex(const char* key)
{
    const auto& fields = stepMetricFields();
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (QString::fromLatin1(fields[i].key) == QLatin1String(key))
            return int(i);
    return -1;
}

bool same(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

// Selects exactly the list rows of these tensors, by name.
void selectTensors(QListWidget* list, const QStringList& names)
{
    list->clearSelection();
    for (int row = 0; row < list->count(); ++row)
        if (names.contains(list->item(row)->text()))
            list->item(row)->setSelected(true);
}
} // namespace

class TestUiTimeline : public QObject {
    Q_OBJECT
    ckpt::RunTimeline reference_; // what the core computes for the same folder

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // the run's cache goes to Qt's test folder
        reference_ = ckpt::computeTimeline(ckpt::planRun({ runDir.toStdString() }));
    }

    void listsTheRunsTensors()
    {
        MainWindow w;
        QStringList errors;
        collectErrors(w, errors);
        QVERIFY(openRunAndWait(w, { runDir }));
        QListWidget* list = w.timelinePanel()->tensorList();
        QCOMPARE(list->count(), int(reference_.tensors.size()));
        QVERIFY(list->count() >= 2);
        for (std::size_t t = 0; t < reference_.tensors.size(); ++t)
            QCOMPARE(list->item(int(t))->text(), QString::fromStdString(reference_.tensors[t].name));
        // The filter hides what does not match and keeps what does.
        const QString name = list->item(1)->text();
        w.timelinePanel()->filter()->setText(name);
        QVERIFY(!list->item(1)->isHidden());
        for (int row = 0; row < list->count(); ++row)
            QCOMPARE(list->item(row)->isHidden(), !list->item(row)->text().contains(name));
        QVERIFY(errors.isEmpty());
    }

    void curvesHoldTheCoresNumbers_data()
    {
        QTest::addColumn<QString>("metric");
        for (const char* key : { "l2", "mean", "std", "max_abs", "nan", "change_previous", "cosine_first" })
            QTest::newRow(key) << QString::fromLatin1(key);
    }

    void curvesHoldTheCoresNumbers()
    {
        QFETCH(QString, metric);
        MainWindow w;
        QVERIFY(!w.timelinePanel()->curves()->plot()->legend->visible()); // no run, no curves: no empty box
        QVERIFY(openRunAndWait(w, { runDir }));
        TimelinePanel* panel = w.timelinePanel();
        const int m = metricIndex(metric.toLatin1().constData());
        QVERIFY(m >= 0);
        panel->metric()->setCurrentIndex(m);
        QStringList names;
        for (const auto& line : reference_.tensors)
            names << QString::fromStdString(line.name);
        selectTensors(panel->tensorList(), names); // every tensor, overlaid
        QCustomPlot* plot = panel->curves()->plot();
        QCOMPARE(plot->graphCount(), int(reference_.tensors.size()));
        QVERIFY(plot->legend->visible());
        const StepMetricField& field = stepMetricFields()[std::size_t(m)];
        for (int g = 0; g < plot->graphCount(); ++g) {
            const ckpt::TensorTimeline& line = reference_.tensors[std::size_t(g)];
            QCOMPARE(plot->graph(g)->name(), QString::fromStdString(line.name));
            const auto data = plot->graph(g)->data();
            int point = 0;
            for (std::size_t s = 0; s < line.steps.size(); ++s) {
                if (!line.steps[s].present)
                    continue;
                QVERIFY2(point < data->size(), qPrintable(QString::fromStdString(line.name)));
                const auto it = data->at(point++);
                QCOMPARE(it->key, double(s));
                QVERIFY2(same(it->value, field.value(line.steps[s])),
                    qPrintable(QStringLiteral("%1 at step %2: %3")
                                   .arg(QString::fromStdString(line.name))
                                   .arg(s)
                                   .arg(it->value)));
            }
            QCOMPARE(data->size(), point); // one point per step the tensor is in, no more
        }
    }

    void logScaleLeavesOutValuesNotAboveZero()
    {
        MainWindow w;
        QVERIFY(openRunAndWait(w, { runDir }));
        TimelinePanel* panel = w.timelinePanel();
        panel->metric()->setCurrentIndex(metricIndex("nan"));
        selectTensors(panel->tensorList(), { QString::fromStdString(reference_.nonFiniteTensors.front()) });
        panel->logScale()->setChecked(true);
        QCOMPARE(panel->curves()->plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        // The NaN count is 0 before the NaN step: those points are gaps, and the hint says so.
        QVERIFY2(
            panel->curves()->hintText().contains(QStringLiteral("left out")), qPrintable(panel->curves()->hintText()));
        const auto data = panel->curves()->plot()->graph(0)->data();
        const std::size_t nanStep = *reference_.firstNonFiniteStep;
        for (auto it = data->constBegin(); it != data->constEnd(); ++it)
            QCOMPARE(std::isnan(it->value), it->key != double(nanStep));
    }

    void heatmapHasATensorByStepCell()
    {
        MainWindow w;
        QVERIFY(openRunAndWait(w, { runDir }));
        QCPColorMap* map = w.timelinePanel()->heatmap()->colorMap();
        const std::size_t steps = reference_.plan.members.size();
        QCOMPARE(map->data()->keySize(), int(steps));
        QCOMPARE(map->data()->valueSize(), int(reference_.tensors.size()));
        for (std::size_t t = 0; t < reference_.tensors.size(); ++t)
            for (std::size_t s = 0; s < steps; ++s) {
                const ckpt::StepMetrics& m = reference_.tensors[t].steps[s];
                double want = m.present ? m.changePrevious : std::nan("");
                const QCPRange range = map->dataRange();
                if (w.timelinePanel()->heatmap()->logColours() && want < range.lower)
                    want = range.lower; // the lowest colour: a frozen layer's 0
                QVERIFY(same(map->data()->cell(int(s), int(t)), want));
            }
        // Hovering a cell names its tensor, step and value.
        w.resize(1400, 900);
        w.show();
        w.tabs()->setCurrentWidget(w.timelinePanel());
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.timelinePanel()->heatmap()->plot()->replot();
        TimelineHeatmap* heatmap = w.timelinePanel()->heatmap();
        const QString hover = heatmap->hoverText(heatmap->cellCentre(0, 1));
        QVERIFY2(hover.contains(QString::fromStdString(reference_.tensors[0].name)), qPrintable(hover));
        QVERIFY2(hover.contains(QString::fromStdString(reference_.plan.members[1].label)), qPrintable(hover));
    }

    // The distribution tab reads the selected tensor at every step (in the background) and shows
    // the core's counts, empty bins blank; hovering says the count; clicking opens the step.
    void distributionOverStepsOfTheSelectedTensor()
    {
        MainWindow w;
        QStringList errors;
        collectErrors(w, errors);
        QVERIFY(openRunAndWait(w, { runDir }));
        TimelinePanel* panel = w.timelinePanel();
        TimelineDistribution* view = panel->distribution();
        selectTensors(panel->tensorList(), { QStringLiteral("0.weight") });
        QVERIFY(!view->distribution()); // nothing is read while its tab is not shown
        QSignalSpy ready(w.runSession(), &RunSession::distributionReady);
        panel->lowerTabs()->setCurrentWidget(view);
        QVERIFY(ready.wait(60000));
        QTRY_VERIFY(view->distribution());
        const ckpt::StepDistribution want = ckpt::stepDistribution(reference_, "0.weight", { .bins = 64 });
        QCOMPARE(view->distribution()->counts, want.counts);
        QCPColorMap* map = view->colorMap();
        QCOMPARE(map->data()->keySize(), int(reference_.plan.members.size()));
        QCOMPARE(map->data()->valueSize(), 64);
        for (int s = 0; s < map->data()->keySize(); ++s)
            for (int b = 0; b < 64; ++b) {
                const std::int64_t n = want.counts[std::size_t(s)][std::size_t(b)];
                QVERIFY(same(map->data()->cell(s, b), n > 0 ? double(n) : std::nan("")));
            }
        w.resize(1400, 900);
        w.show();
        w.tabs()->setCurrentWidget(panel);
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        view->plot()->replot();
        int full = 0;
        while (want.counts[0][std::size_t(full)] == 0)
            ++full;
        const QString hover = view->hoverText(view->cellCentre(0, full));
        QVERIFY2(hover.contains(QString::fromStdString(reference_.plan.members[0].label)), qPrintable(hover));
        QVERIFY2(
            hover.contains(QStringLiteral(" %1 element").arg(want.counts[0][std::size_t(full)])), qPrintable(hover));
        const int nanStep = int(*reference_.firstNonFiniteStep); // 0.weight holds one NaN there
        const QString atNan = view->hoverText(view->cellCentre(nanStep, full));
        QVERIFY2(atNan.contains(QStringLiteral("1 NaN/Inf not shown")), qPrintable(atNan));
        // Another tensor: read again; clicking a column opens that checkpoint.
        selectTensors(panel->tensorList(), { QStringLiteral("2.bias") });
        QVERIFY(ready.wait(60000));
        QTRY_COMPARE(view->distribution()->tensor, std::string("2.bias"));
        QSignalSpy shown(&w, &MainWindow::checkpointShown);
        QTest::mouseClick(view->plot(), Qt::LeftButton, {}, view->cellCentre(1, 0).toPoint());
        QVERIFY(QTest::qWaitFor([&] { return shown.count() > 0; }, 60000));
        QCOMPARE(w.opened().path, QString::fromStdString(reference_.plan.members[1].path));
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    }

    // Changes spanning decades get logarithmic colours (a frozen layer's 0 the lowest colour);
    // changes of one order of magnitude keep linear ones from 0.
    void heatmapColoursFollowTheSpread()
    {
        auto run = std::make_shared<ckpt::RunTimeline>();
        run->plan.members.resize(3);
        for (const char* name : { "moving", "frozen" }) {
            ckpt::TensorTimeline line;
            line.name = name;
            line.shapes.assign(3, ckpt::Shape { 2 });
            line.steps.resize(3);
            for (auto& m : line.steps)
                m.present = true;
            run->tensors.push_back(line);
        }
        run->tensors[0].steps[1].changePrevious = 1.0;
        run->tensors[0].steps[2].changePrevious = 1e-4;
        run->tensors[1].steps[1].changePrevious = 0.0;
        run->tensors[1].steps[2].changePrevious = 0.0;
        TimelineHeatmap heatmap;
        heatmap.setRun(run);
        QVERIFY(heatmap.logColours());
        QCOMPARE(heatmap.colorMap()->dataRange(), QCPRange(1e-4, 1.0));
        QCOMPARE(heatmap.colorMap()->data()->cell(2, 1), 1e-4); // frozen: the lowest colour, not blank
        QVERIFY(std::isnan(heatmap.colorMap()->data()->cell(0, 0))); // no change at the first step
        run->tensors[0].steps[2].changePrevious = 0.5;
        heatmap.setRun(run);
        QVERIFY(!heatmap.logColours());
        QCOMPARE(heatmap.colorMap()->dataRange(), QCPRange(0, 1.0));
        QCOMPARE(heatmap.colorMap()->data()->cell(2, 1), 0.0);
        QVERIFY(!heatmap.clamped());
        // A blow-up at one step of a long run: the scale ends at the 99th percentile; the
        // outlier keeps its value (the top colour) and the scale says it is clamped.
        auto longRun = std::make_shared<ckpt::RunTimeline>();
        longRun->plan.members.resize(201);
        ckpt::TensorTimeline line;
        line.name = "w";
        line.shapes.assign(201, ckpt::Shape { 2 });
        line.steps.resize(201);
        for (std::size_t s = 0; s < 201; ++s) {
            line.steps[s].present = true;
            line.steps[s].changePrevious = s == 0 ? std::nan("") : 0.01 * double(s);
        }
        line.steps[150].changePrevious = 1e13;
        longRun->tensors.push_back(line);
        heatmap.setRun(longRun);
        QVERIFY(heatmap.clamped());
        QVERIFY(heatmap.logColours()); // 0.01 to about 2: more than two decades
        QVERIFY(heatmap.colorMap()->dataRange().upper < 3);
        QCOMPARE(heatmap.colorMap()->data()->cell(150, 0), 1e13);
        const QString said = heatmap.findChild<QLabel*>()->text();
        QVERIFY2(said.contains(QStringLiteral("Top colour: beyond the scale")), qPrintable(said));
    }

    // A second run drawn on the same axes: its steps placed by their step numbers among the
    // first run's (epoch 5 between epochs 2 and 10 in proportion), with the core's numbers.
    void comparingTwoRuns()
    {
        QTemporaryDir other;
        QVERIFY(QFile::copy(runDir + "/epoch_1.pt", other.filePath("epoch_1.pt")));
        QVERIFY(QFile::copy(runDir + "/epoch_2.pt", other.filePath("epoch_5.pt")));
        QVERIFY(QFile::copy(runDir + "/epoch_10.npz", other.filePath("epoch_12.npz")));
        MainWindow w;
        QStringList errors;
        collectErrors(w, errors);
        QVERIFY(openRunAndWait(w, { runDir }));
        QSignalSpy compared(&w, &MainWindow::comparisonShown);
        QVERIFY(w.compareRun({ other.path() }));
        QVERIFY(compared.wait(60000));
        TimelinePanel* panel = w.timelinePanel();
        QVERIFY2(panel->summary()->text().contains(QStringLiteral("compared with B:")),
            qPrintable(panel->summary()->text()));
        selectTensors(panel->tensorList(), { QStringLiteral("0.bias") });
        const QCustomPlot* plot = panel->curves()->plot();
        QCOMPARE(plot->graphCount(), 2);
        QCOMPARE(plot->graph(1)->name(), QStringLiteral("B: 0.bias"));
        QCOMPARE(plot->graph(1)->pen().style(), Qt::DashLine);
        const ckpt::RunTimeline b = ckpt::computeTimeline(ckpt::planRun({ other.path().toStdString() }));
        const auto& line = *std::find_if(
            b.tensors.begin(), b.tensors.end(), [](const ckpt::TensorTimeline& t) { return t.name == "0.bias"; });
        const StepMetricField& field = stepMetricFields().at(std::size_t(panel->metric()->currentIndex()));
        const double positions[] = { 0.0, 1.0 + (5.0 - 2.0) / (10.0 - 2.0), 2.0 + (12.0 - 10.0) / (10.0 - 2.0) };
        auto data = plot->graph(1)->data();
        QCOMPARE(data->size(), 3);
        for (int s = 0; s < 3; ++s) {
            QCOMPARE(data->at(s)->key, positions[s]);
            QVERIFY(same(data->at(s)->value, field.value(line.steps[std::size_t(s)])));
        }
        QVERIFY(plot->xAxis->range().upper >= positions[2]); // B reaches beyond A's last step
        w.stopComparingRuns();
        selectTensors(panel->tensorList(), { QStringLiteral("0.bias"), QStringLiteral("2.bias") });
        QCOMPARE(plot->graphCount(), 2);
        QVERIFY(!w.comparisonRun());
        // A folder that is no run: one line of error, no comparison.
        QTemporaryDir empty;
        QSignalSpy failed(&w, &MainWindow::comparisonFailed);
        QVERIFY(w.compareRun({ empty.path() }));
        QVERIFY(failed.wait(60000));
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors.first().contains(empty.path()), qPrintable(errors.first()));
    }

    void summaryNamesTheNanStepAndTheSkippedFile()
    {
        MainWindow w;
        QVERIFY(openRunAndWait(w, { runDir }));
        QVERIFY(reference_.firstNonFiniteStep.has_value());
        const ckpt::RunMember& nan = reference_.plan.members[*reference_.firstNonFiniteStep];
        const QString summary = w.timelinePanel()->summary()->text();
        QVERIFY2(summary.contains(QStringLiteral("first NaN/Inf at step %1 (%2)")
                                      .arg(QString::number(nan.step), QString::fromStdString(nan.label))),
            qPrintable(summary));
        QVERIFY2(summary.contains(QString::fromStdString(reference_.nonFiniteTensors.front())), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("%1 checkpoints").arg(reference_.plan.members.size())),
            qPrintable(summary));
        QVERIFY(!reference_.plan.skipped.empty());
        QVERIFY2(summary.contains(QStringLiteral("%1 entry skipped").arg(reference_.plan.skipped.size())),
            qPrintable(summary));
        QVERIFY(!reference_.events.empty());
        const ckpt::TimelineEvent& event = reference_.events.front();
        QVERIFY2(summary.contains(QStringLiteral("%1 %2 at step")
                                      .arg(QString::fromStdString(event.tensor), QString::fromStdString(event.what))),
            qPrintable(summary));
        const QString details = w.timelinePanel()->summary()->toolTip();
        QVERIFY2(details.contains(QString::fromStdString(reference_.plan.skipped.front().second)), qPrintable(details));
    }

    // While a run is read, what shows says how much of it has been read; the empty tree pane is
    // hidden from the start (nothing is open beside the run), back when reading the run fails.
    void partialResultsSaySoAndTheEmptyTreeIsHidden()
    {
        MainWindow w;
        w.show();
        QWidget* treePane = w.findChild<QSplitter*>()->widget(0);
        QVERIFY(treePane->isVisible());
        QSignalSpy shown(&w, &MainWindow::runShown);
        QVERIFY(w.openRun({ runDir }));
        QVERIFY(!treePane->isVisible());
        QVERIFY(QTest::qWaitFor([&] { return shown.count() > 0; }, 60000));
        w.timelinePanel()->updateRun(std::make_shared<ckpt::RunTimeline>(ckpt::firstSteps(reference_, 1)));
        const QString summary = w.timelinePanel()->summary()->text();
        QVERIFY2(summary.startsWith(
                     QStringLiteral("1 of %1 checkpoints read so far, ordered ").arg(reference_.plan.members.size())),
            qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("no NaN or Inf so far")), qPrintable(summary));
        w.timelinePanel()->updateRun(std::make_shared<ckpt::RunTimeline>(reference_));
        QVERIFY(!w.timelinePanel()->summary()->text().contains(QStringLiteral("so far")));

        MainWindow other;
        QStringList errors;
        collectErrors(other, errors);
        other.show();
        QSignalSpy failed(&other, &MainWindow::runFailed);
        const QString notARun = QStringLiteral(CKPT_TEST_DATA "/timeline/run/notes.txt");
        other.openRun({ notARun });
        QVERIFY(QTest::qWaitFor([&] { return failed.count() > 0; }, 60000));
        QVERIFY(other.findChild<QSplitter*>()->widget(0)->isVisible());
    }

    void clickingAStepOpensItsCheckpoint()
    {
        MainWindow w;
        QStringList errors;
        collectErrors(w, errors);
        QVERIFY(openDemoAndWait(w));
        QVERIFY(openRunAndWait(w, { runDir }));
        QVERIFY(w.session()); // the run did not close the checkpoint of the other tabs
        w.resize(1400, 900);
        w.show();
        w.tabs()->setCurrentWidget(w.timelinePanel());
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        TimelineHeatmap* heatmap = w.timelinePanel()->heatmap();
        heatmap->plot()->replot();
        for (int step : { 1, 0 }) {
            QSignalSpy shown(&w, &MainWindow::checkpointShown);
            QTest::mouseClick(heatmap->plot(), Qt::LeftButton, {}, heatmap->cellCentre(0, step).toPoint());
            QVERIFY(QTest::qWaitFor([&] { return shown.count() > 0; }, 60000));
            const ckpt::RunMember& member = reference_.plan.members[std::size_t(step)];
            QCOMPARE(shown.first().first().toString(), QString::fromStdString(member.path));
            QCOMPARE(w.opened().path, QString::fromStdString(member.path));
            QVERIFY(w.treeModel()->rowCount() > 0);
        }
        // On the curves: the x of the last step.
        TimelineCurves* curves = w.timelinePanel()->curves();
        curves->plot()->replot();
        const std::size_t last = reference_.plan.members.size() - 1;
        const QPoint at(int(curves->plot()->xAxis->coordToPixel(double(last))),
            int(curves->plot()->yAxis->coordToPixel(curves->plot()->yAxis->range().center())));
        QCOMPARE(curves->stepAt(at.x()), int(last));
        QSignalSpy shown(&w, &MainWindow::checkpointShown);
        QTest::mouseClick(curves->plot(), Qt::LeftButton, {}, at);
        QVERIFY(QTest::qWaitFor([&] { return shown.count() > 0; }, 60000));
        QCOMPARE(w.opened().path, QString::fromStdString(reference_.plan.members[last].path));
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    }

    // Choosing a rule reads the run again in that order, or says why it cannot (as the core does).
    void theOrderCanBeChosen_data()
    {
        QTest::addColumn<int>("order");
        QTest::newRow("name") << int(ckpt::StepOrder::Name);
        QTest::newRow("meta") << int(ckpt::StepOrder::Meta);
    }

    void theOrderCanBeChosen()
    {
        QFETCH(int, order);
        MainWindow w;
        QStringList errors;
        collectErrors(w, errors);
        QVERIFY(openRunAndWait(w, { runDir }));
        const QString before = w.timelinePanel()->summary()->text();
        std::optional<ckpt::RunPlan> plan;
        QString why;
        try {
            plan = ckpt::planRun({ runDir.toStdString() }, ckpt::StepOrder(order));
        } catch (const std::exception& e) {
            why = QString::fromStdString(e.what());
        }
        QComboBox* choice = w.timelinePanel()->order();
        QSignalSpy shown(&w, &MainWindow::runShown);
        QSignalSpy failed(&w, &MainWindow::runFailed);
        choice->setCurrentIndex(choice->findData(order));
        emit choice->activated(choice->currentIndex()); // as a user's choice does
        QVERIFY(QTest::qWaitFor([&] { return shown.count() + failed.count() > 0; }, 60000));
        if (plan) {
            QCOMPARE(shown.count(), 1);
            QVERIFY2(w.timelinePanel()->summary()->text().contains(QString::fromStdString(plan->orderWhy)),
                qPrintable(w.timelinePanel()->summary()->text()));
            QCOMPARE(w.timelinePanel()->tensorList()->count(), int(reference_.tensors.size()));
        } else {
            QCOMPARE(errors.size(), 1);
            QVERIFY2(errors.first().endsWith(why), qPrintable(errors.first() + QStringLiteral(" / ") + why));
            QCOMPARE(w.timelinePanel()->summary()->text(), before); // the run shown stays
            QCOMPARE(choice->currentData().toInt(), int(ckpt::StepOrder::Auto));
        }
    }

    // While the run is read, the status bar names it with Cancel beside; Cancel stops it and
    // what was shown stays. The workers are held busy so that the run is still waiting for one
    // when Cancel is clicked (no race with a fast machine).
    void cancelStopsReadingAndKeepsWhatWasOpen()
    {
        MainWindow w;
        QStringList errors;
        collectErrors(w, errors);
        QVERIFY(openDemoAndWait(w));
        QVERIFY(openRunAndWait(w, { runDir }));
        RunSession* shownRun = w.runSession();
        JobTracker* jobs = w.session()->jobs();
        QObject holder;
        QSemaphore release;
        const int workers = QThread::idealThreadCount();
        for (int i = 0; i < workers; ++i)
            jobs->run(
                &holder, QString::number(i), QString(),
                [&release](JobTracker::Job&) {
                    release.acquire();
                    return 0;
                },
                [](int) {});
        QSignalSpy failed(&w, &MainWindow::runFailed);
        QVERIFY(w.openRun({ runDir }));
        QPushButton* cancel = nullptr;
        for (auto* button : w.findChildren<QPushButton*>())
            if (button->text() == QStringLiteral("Cancel") && !button->isHidden())
                cancel = button;
        QVERIFY(cancel); // shown with the progress
        bool named = false;
        for (auto* label : w.findChildren<QLabel*>())
            named = named || (!label->isHidden() && label->text().contains(QStringLiteral("Reading the run")));
        QVERIFY(named);
        QTest::mouseClick(cancel, Qt::LeftButton);
        release.release(workers);
        QVERIFY(failed.wait(60000));
        QCOMPARE(failed.first().first().toString(), QStringLiteral("cancelled"));
        QVERIFY(errors.isEmpty()); // a cancel is not an error
        QCOMPARE(w.runSession(), shownRun);
        QCOMPARE(w.timelinePanel()->tensorList()->count(), int(reference_.tensors.size()));
        QVERIFY(w.session());
    }

    void aFolderThatIsNoRunKeepsWhatWasOpen()
    {
        MainWindow w;
        QStringList errors;
        collectErrors(w, errors);
        QVERIFY(openDemoAndWait(w));
        QVERIFY(openRunAndWait(w, { runDir }));
        const QString shownPath = w.opened().path;
        RunSession* shownRun = w.runSession();
        QTemporaryDir empty;
        QVERIFY(empty.isValid());
        QVERIFY(QFile(empty.filePath(QStringLiteral("readme.txt"))).open(QIODevice::WriteOnly));
        QVERIFY(!openRunAndWait(w, { empty.path() }));
        QCOMPARE(errors.size(), 1);
        QVERIFY2(!errors.first().contains(QLatin1Char('\n')), qPrintable(errors.first()));
        QVERIFY2(errors.first().startsWith(empty.path() + QStringLiteral(": ")), qPrintable(errors.first()));
        QCOMPARE(w.opened().path, shownPath); // the checkpoint stays open
        QVERIFY(w.session());
        QCOMPARE(w.runSession(), shownRun); // and so does the run
        QCOMPARE(w.timelinePanel()->tensorList()->count(), int(reference_.tensors.size()));
    }
};

QTEST_MAIN(TestUiTimeline)
#include "tst_ui_timeline.moc"
