#include "MainWindow.h"

#include "AllTensorsPanel.h"
#include "ArchitectureView.h"
#include "CheckpointSession.h"
#include "CheckpointTreeModel.h"
#include "DiffPanel.h"
#include "ExportDialog.h"
#include "FindingsPanel.h"
#include "HelpDialogs.h"
#include "HistogramView.h"
#include "MetadataView.h"
#include "NumberText.h"
#include "OverlayPlot.h"
#include "RunSession.h"
#include "ShownText.h"
#include "TensorPanel.h"
#include "Theme.h"
#include "TimelinePanel.h"
#include "TreeFilterProxy.h"
#include "VerifyPanel.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

// The resources live in the static ckpt_ui library: they must be registered explicitly.
static void initResources()
{
    Q_INIT_RESOURCE(ckptview);
}

namespace {
constexpr int kMaxRecent = 10;
constexpr int kMinTreeWidth = 240;
constexpr int kMaxProgressLabelWidth = 320;
} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , model_(new CheckpointTreeModel(this))
    , proxy_(new TreeFilterProxy(this))
    , tree_(new QTreeView(this))
    , filter_(new QLineEdit(this))
    , splitter_(new QSplitter(this))
    , tabs_(new QTabWidget(this))
    , panel_(new TensorPanel(this))
    , overlay_(new OverlayPlot(this))
    , metadata_(new MetadataView(this))
    , architecture_(new ArchitectureView(this))
    , verify_(new VerifyPanel(this))
    , diff_(new DiffPanel(this))
    , findings_(new FindingsPanel(this))
    , allTensors_(new AllTensorsPanel(this))
    , timeline_(new TimelinePanel(this))
    , jobs_(new JobTracker(this))
    , status_(new QLabel(this))
    , unsafeBanner_(new QLabel(this))
    , progress_(new QProgressBar(this))
    , progressLabel_(new QLabel(this))
    , cancel_(new QPushButton(tr("Cancel"), this))
{
    initResources();
    setWindowTitle(tr("ckptview"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/ckptview.svg")));
    setAcceptDrops(true);
    splitter_->addWidget(buildTreePane());
    splitter_->addWidget(buildTabs());
    splitter_->setStretchFactor(0, 2);
    splitter_->setStretchFactor(1, 3);
    // Neither pane collapses: the tree keeps room for names even in a small window.
    splitter_->setChildrenCollapsible(false);
    splitter_->widget(0)->setMinimumWidth(kMinTreeWidth);
    setCentralWidget(buildCentral());
    buildStatusBar();
    buildMenus();
    connectViews();
    restoreWindowState();
    errorReporter_
        = [this](const QString& title, const QString& message) { QMessageBox::warning(this, title, message); };
    confirmer_ = [this](const QString& title, const QString& text) {
        return QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
            == QMessageBox::Yes;
    };
    showSession(nullptr);
}

QWidget* MainWindow::buildTreePane()
{
    proxy_->setSourceModel(model_);
    tree_->setModel(proxy_);
    tree_->setSortingEnabled(true);
    tree_->sortByColumn(-1, Qt::AscendingOrder); // file order until the user sorts
    tree_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    tree_->setUniformRowHeights(true);
    tree_->setAlternatingRowColors(true);
    // Where the keys go must show: the selection looks the same whether or not the tree has the
    // focus, so the tree is framed in the highlight colour while it has it.
    tree_->setStyleSheet(QStringLiteral(
        "QTreeView { border: 2px solid transparent; } QTreeView:focus { border: 2px solid palette(highlight); }"));
    tree_->header()->setStretchLastSection(false);
    tree_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    tree_->header()->setSectionResizeMode(CheckpointTreeModel::Name, QHeaderView::Stretch);
    tree_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(tree_, &QTreeView::customContextMenuRequested, this, &MainWindow::showTreeMenu);
    filter_->setPlaceholderText(tr("Filter by name (Ctrl+F)"));
    filter_->setToolTip(tr("Show only tensors whose full name contains this text"));
    filter_->setClearButtonEnabled(true);
    auto* left = new QWidget(this);
    auto* layout = new QVBoxLayout(left);
    layout->setContentsMargins(4, 4, 0, 4);
    layout->addWidget(filter_);
    layout->addWidget(tree_, 1);
    return left;
}

QWidget* MainWindow::buildTabs()
{
    tabs_->addTab(panel_, tr("Tensor"));
    tabs_->addTab(overlay_, tr("Overlay"));
    tabs_->addTab(metadata_, tr("Metadata"));
    tabs_->addTab(architecture_, tr("Architecture"));
    connect(architecture_, &ArchitectureView::tensorsChosen, this, &MainWindow::selectTensors);
    tabs_->addTab(verify_, tr("Verify"));
    tabs_->addTab(diff_, tr("Compare"));
    tabs_->addTab(findings_, tr("Findings"));
    connect(findings_, &FindingsPanel::tensorChosen, this, [this](const QString& name) {
        if (selectTensor(name))
            tabs_->setCurrentWidget(panel_);
    });
    tabs_->addTab(allTensors_, tr("All tensors"));
    connect(allTensors_, &AllTensorsPanel::tensorSelected, this, &MainWindow::selectTensor);
    connect(allTensors_, &AllTensorsPanel::tensorChosen, this, [this](const QString& name) {
        if (selectTensor(name))
            tabs_->setCurrentWidget(panel_);
    });
    tabs_->addTab(timeline_, tr("Timeline"));
    // A step clicked in the run opens its checkpoint as File ▸ Open does (errors alike).
    connect(timeline_, &TimelinePanel::checkpointChosen, this, &MainWindow::openFile);
    connect(timeline_, &TimelinePanel::orderChosen, this, [this](ckpt::StepOrder order) {
        if (run_)
            openRun(run_->paths(), order); // read again in that order; the run shown stays until then
    });
    return tabs_;
}

// The unsafe-content banner above the tree and the tabs.
QWidget* MainWindow::buildCentral()
{
    unsafeBanner_->setObjectName(QStringLiteral("unsafeBanner"));
    unsafeBanner_->setWordWrap(true);
    unsafeBanner_->setTextFormat(Qt::PlainText);
    unsafeBanner_->setStyleSheet(
        QStringLiteral("QLabel { background: #b3261e; color: white; padding: 6px; font-weight: bold; }"));
    unsafeBanner_->setVisible(false);
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(unsafeBanner_);
    layout->addWidget(splitter_, 1);
    return central;
}

void MainWindow::buildStatusBar()
{
    progress_->setMaximumWidth(160);
    progress_->setRange(0, 1000);
    progress_->setFormat(QStringLiteral("%p%"));
    progress_->setVisible(false);
    progressLabel_->setVisible(false);
    cancel_->setVisible(false);
    cancel_->setToolTip(tr("Stop the work in progress (a file being opened leaves the one before open)"));
    statusBar()->addWidget(status_, 1);
    statusBar()->addPermanentWidget(progressLabel_);
    statusBar()->addPermanentWidget(progress_);
    statusBar()->addPermanentWidget(cancel_);
}

void MainWindow::connectViews()
{
    connect(filter_, &QLineEdit::textChanged, this, [this](const QString& text) {
        proxy_->setNameFilter(text);
        if (!text.isEmpty())
            tree_->expandAll();
    });
    connect(tree_->selectionModel(), &QItemSelectionModel::currentChanged, this, &MainWindow::onCurrentChanged);
    // Filtering can hide the current row without moving the current index: queued, so that the
    // selection model has settled.
    for (auto signal : { &QAbstractItemModel::rowsRemoved, &QAbstractItemModel::rowsInserted })
        connect(proxy_, signal, this, &MainWindow::followCurrentRow, Qt::QueuedConnection);
    connect(proxy_, &QAbstractItemModel::modelReset, this, &MainWindow::followCurrentRow, Qt::QueuedConnection);
    connect(tree_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::onSelectionChanged);
    connect(jobs_, &JobTracker::progress, this, &MainWindow::onProgress);
    connect(diff_, &DiffPanel::failed, this,
        [this](const QString& message) { reportError(tr("Cannot compare"), message); });
    connect(cancel_, &QPushButton::clicked, jobs_, [this] { jobs_->cancelAll(); });
    connect(overlay_, &OverlayPlot::binsChanged, this, [this](int bins) {
        overlayBins_ = bins;
        if (session_ && !overlayTensors_.empty())
            session_->requestOverlay(overlayTensors_, overlayBins_);
    });
    connect(panel_, &TensorPanel::binsChanged, this, [this](int bins) {
        if (session_ && panel_->tensorIndex() >= 0)
            session_->requestStats(panel_->tensorIndex(), bins);
    });
}

void MainWindow::restoreWindowState()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1280, 800);
    if (!splitter_->restoreState(settings.value(QStringLiteral("window/splitter")).toByteArray()))
        splitter_->setSizes({ 480, 800 });
}

MainWindow::~MainWindow()
{
    // Every session (the shown one, one being opened, one failing to open) goes before the
    // tracker that runs their jobs.
    qDeleteAll(findChildren<CheckpointSession*>(Qt::FindDirectChildrenOnly));
    qDeleteAll(findChildren<RunSession*>(Qt::FindDirectChildrenOnly));
    if (!demoPath_.isEmpty())
        QFile::remove(demoPath_);
}

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* open = file->addAction(tr("&Open…"), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    auto* openFolder = file->addAction(tr("Open &folder…"), this, &MainWindow::openFolderDialog);
    openFolder->setToolTip(
        tr("A model folder (Hugging Face, TensorFlow SavedModel) or a folder holding one checkpoint"));
    auto* openRunFolder = file->addAction(tr("Open &run…"), this, &MainWindow::openRunFolderDialog);
    openRunFolder->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    openRunFolder->setToolTip(tr("A training run: a folder of checkpoints, shown step by step in the Timeline tab"));
    file->addAction(tr("Open run from f&iles…"), this, &MainWindow::openRunFilesDialog)
        ->setToolTip(tr("A training run made of the checkpoint files you choose (any formats, mixed)"));
    file->addAction(tr("Compare with r&un…"), this, &MainWindow::compareRunDialog)
        ->setToolTip(tr("Another training run (a folder of checkpoints) drawn beside the run shown, on the same axes"));
    file->addAction(tr("Open the &demo"), this, [this] { openDemo(); });
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    auto* compare = file->addAction(tr("&Compare with…"), this, &MainWindow::compareDialog);
    compare->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    compare->setToolTip(tr("Compare the open checkpoint with another, tensor by tensor"));
    file->addSeparator();
    exportAction_ = file->addAction(tr("&Export selected…"), this, [this] { openExportDialog(); });
    exportAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction_->setToolTip(tr("Write the checked tensors to .h5, .safetensors or .npz"));
    exportAction_->setEnabled(false);
    connect(model_, &CheckpointTreeModel::checkedChanged, exportAction_, [this](int checked) {
        exportAction_->setEnabled(checked > 0);
        exportAction_->setText(checked > 0 ? tr("&Export %n selected…", nullptr, checked) : tr("&Export selected…"));
    });
    file->addSeparator();
    auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    auto* edit = menuBar()->addMenu(tr("&Edit"));
    auto* find = edit->addAction(tr("&Find layer…"), this, [this] {
        filter_->setFocus();
        filter_->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    auto* view = menuBar()->addMenu(tr("&View"));
    view->setToolTipsVisible(true);
    view->addAction(tr("&Expand all"), tree_, &QTreeView::expandAll);
    view->addAction(tr("&Collapse all"), tree_, &QTreeView::collapseAll);
    buildThemeMenu(view->addMenu(tr("&Theme")));
    view->addSeparator();
    auto* keepBins = view->addAction(
        tr("Use these histogram &settings for every file"), this, [this] { panel_->histogram()->saveAsDefaults(); });
    keepBins->setToolTip(tr("The current number of bins and log counts become the defaults every file opens with"));
    view->addAction(tr("&Reset histogram settings"), this, [this] {
        HistogramView::forgetDefaults();
        panel_->histogram()->resetSettings();
        panel_->histogram()->setBins(panel_->histogram()->bins()); // recompute with the default bins
    });
    auto* help = menuBar()->addMenu(tr("&Help"));
    auto* guide = help->addAction(tr("&Quick guide"), this, [this] { showQuickGuide(this); });
    guide->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About ckptview"), this, [this] { showAbout(this); });
    buildToolBar(open, compare);
    buildKeyboard();
}

// View ▸ Theme: System (the default), Light or Dark, remembered for the next start.
void MainWindow::buildThemeMenu(QMenu* menu)
{
    auto* group = new QActionGroup(menu);
    const Theme current = savedTheme();
    for (Theme theme : { Theme::System, Theme::Light, Theme::Dark }) {
        auto* action = menu->addAction(theme == Theme::System ? tr("Follow the system") : themeName(theme));
        action->setCheckable(true);
        action->setChecked(theme == current);
        action->setObjectName(QStringLiteral("theme") + themeName(theme));
        group->addAction(action);
        connect(action, &QAction::triggered, this, [theme] {
            applyTheme(theme);
            saveTheme(theme);
        });
    }
    if (current != Theme::System)
        applyTheme(current);
}

void MainWindow::buildToolBar(QAction* open, QAction* compare)
{
    auto* bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    open->setIcon(style()->standardIcon(QStyle::SP_DialogOpenButton));
    open->setToolTip(tr("Open a checkpoint file (Ctrl+O); any format, recognised by content"));
    compare->setIcon(style()->standardIcon(QStyle::SP_FileDialogContentsView));
    exportAction_->setIcon(style()->standardIcon(QStyle::SP_DialogSaveButton));
    bar->addAction(open);
    bar->addAction(compare);
    bar->addAction(exportAction_);
}

// Ctrl+Tab / Ctrl+Shift+Tab switch tabs wherever the focus is; Ctrl+C in the tree copies the
// selected names (not the size column the view would copy).
void MainWindow::buildKeyboard()
{
    auto step
        = [this](int by) { tabs_->setCurrentIndex((tabs_->currentIndex() + by + tabs_->count()) % tabs_->count()); };
    auto* next = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Tab), this);
    connect(next, &QShortcut::activated, this, [step] { step(1); });
    auto* previous = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Backtab), this);
    connect(previous, &QShortcut::activated, this, [step] { step(-1); });
    auto* copy = new QAction(tr("Copy names"), tree_);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    tree_->addAction(copy);
    connect(copy, &QAction::triggered, this, &MainWindow::copySelectedNames);
    setTabOrder(filter_, tree_);
    setTabOrder(tree_, tabs_);
}

void MainWindow::copySelectedNames() const
{
    QStringList names;
    for (const QModelIndex& row : tree_->selectionModel()->selectedRows()) {
        if (const auto* node = model_->node(proxy_->mapToSource(row)))
            names << QString::fromStdString(node->path);
    }
    if (!names.isEmpty())
        QApplication::clipboard()->setText(names.join(QLatin1Char('\n')));
}

void MainWindow::setErrorReporter(std::function<void(const QString&, const QString&)> reporter)
{
    errorReporter_ = std::move(reporter);
}

void MainWindow::reportError(const QString& title, const QString& message)
{
    if (errorReporter_)
        errorReporter_(title, message);
}

void MainWindow::setConfirmer(std::function<bool(const QString&, const QString&)> confirmer)
{
    confirmer_ = std::move(confirmer);
}

bool MainWindow::confirm(const QString& title, const QString& text)
{
    return confirmer_ && confirmer_(title, text);
}

ExportDialog* MainWindow::openExportDialog()
{
    const std::vector<int> checked = model_->checkedTensors();
    if (!session_ || checked.empty())
        return nullptr;
    auto* dialog = new ExportDialog(session_, checked, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setConfirmer([this](const QString& title, const QString& text) { return confirm(title, text); });
    connect(dialog, &ExportDialog::failed, this,
        [this](const QString& message) { reportError(tr("Export failed"), message); });
    connect(dialog, &ExportDialog::exported, this, [this](const QString& path, int count, qint64 bytes) {
        statusBar()->showMessage(
            tr("Exported %1, %2, to %3").arg(countOf(count, tr("tensor"), tr("tensors")), sizeText(bytes), path),
            15000);
        // After the dialog has closed: offer to look at what was written.
        QTimer::singleShot(0, this, [this, path] {
            if (confirm(tr("Export finished"), tr("Exported to %1.\nOpen it now?").arg(path)))
                openFile(path);
        });
    });
    dialog->open();
    return dialog;
}

void MainWindow::showTreeMenu(const QPoint& position)
{
    QMenu menu(this);
    menu.addAction(exportAction_);
    menu.addSeparator();
    const QModelIndex at = proxy_->mapToSource(tree_->indexAt(position));
    if (at.isValid()) {
        const QString path = at.data(CheckpointTreeModel::PathRole).toString();
        const bool checked = at.siblingAtColumn(0).data(Qt::CheckStateRole).value<Qt::CheckState>() == Qt::Checked;
        menu.addAction(checked ? tr("Uncheck “%1”").arg(path) : tr("Check “%1”").arg(path), this,
            [this, path, checked] { model_->setChecked(path, !checked); });
    }
    menu.addAction(tr("Check all"), this, [this] { model_->setAllChecked(true); });
    menu.addAction(tr("Uncheck all"), this, [this] { model_->setAllChecked(false); });
    menu.exec(tree_->viewport()->mapToGlobal(position));
}

const OpenedCheckpoint& MainWindow::opened() const
{
    return model_->opened();
}

// A file that would run code if loaded in Python (torch.load, pickle.load, Keras with
// safe_mode=False) says so above everything, naming the calls.
void MainWindow::showUnsafeBanner(const QString& calls)
{
    unsafeBanner_->setVisible(!calls.isEmpty());
    unsafeBanner_->setText(
        tr("⚠ Loading this file in Python would run code: %1. ckptview read it without running anything; "
           "`ckpt scan` lists every import and call.")
            .arg(calls));
    unsafeBanner_->setToolTip(calls);
}

bool MainWindow::openFile(const QString& path)
{
    if (opening_)
        return false;
    statusBar()->showMessage(tr("Opening %1…").arg(path));
    const QString name = path == demoPath_ ? tr("demo: a small MLP (20 → 256 → 10)") : QFileInfo(path).fileName();
    opening_ = new CheckpointSession(jobs_, path, name, this);
    connect(opening_, &CheckpointSession::opened, this, [this, path] {
        statusBar()->clearMessage();
        CheckpointSession* previous = session_;
        session_ = std::exchange(opening_, nullptr);
        showSession(session_);
        delete previous; // after the views have let go of it
        if (path != demoPath_)
            addRecentFile(QFileInfo(path).absoluteFilePath());
        emit checkpointShown(path);
    });
    connect(opening_, &CheckpointSession::openFailed, this, [this](const QString& message) {
        statusBar()->clearMessage();
        opening_->deleteLater(); // what was open stays open
        opening_ = nullptr;
        reportError(tr("Cannot open file"), message);
        emit openFailed(message);
    });
    opening_->open();
    return true;
}

bool MainWindow::openDemo()
{
    if (demoPath_.isEmpty()) {
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::TempLocation);
        demoPath_ = QDir(dir).filePath(QStringLiteral("ckptview-demo-%1.h5").arg(QApplication::applicationPid()));
        QFile::remove(demoPath_);
        if (!QFile::copy(QStringLiteral(":/demo/mlp-demo.h5"), demoPath_)) {
            reportError(tr("Cannot open the demo"), tr("%1: cannot write the embedded demo file").arg(demoPath_));
            demoPath_.clear();
            return false;
        }
    }
    return openFile(demoPath_);
}

void MainWindow::showSession(CheckpointSession* session)
{
    static const OpenedCheckpoint nothing;
    const OpenedCheckpoint& opened = session ? session->openedCheckpoint() : nothing;
    if (session) {
        connect(session, &CheckpointSession::statsReady, this, &MainWindow::onStatsReady);
        connect(session, &CheckpointSession::statsFailed, this, [this](int tensorIndex, const QString& message) {
            if (tensorIndex == panel_->tensorIndex())
                panel_->showStatsError(message);
            statusBar()->showMessage(message, 8000);
        });
        connect(session, &CheckpointSession::overlayFailed, this, [this](const QString& message) {
            overlayTensors_.clear(); // selecting them again computes them again
            overlay_->clear(message);
        });
    }
    overlayTensors_.clear();
    panel_->setTensor(nullptr, nullptr, -1);
    panel_->histogram()->resetSettings(); // a file's bins and log scale do not carry over to the next
    overlay_->clear(tr("Select several tensors or a group in the tree to overlay their distributions."));
    model_->setCheckpoint(opened);
    metadata_->show(opened.checkpoint.get());
    architecture_->show(opened.architecture.get());
    verify_->setSession(session);
    diff_->setSession(session);
    findings_->setSession(session);
    allTensors_->setSession(session);
    showUnsafeBanner(opened.unsafeContent);
    updateTreePane();
    if (!opened.checkpoint) {
        setWindowTitle(tr("ckptview"));
        status_->setText(tr("Open a checkpoint with Ctrl+O, or drop a file here."));
        return;
    }
    const auto& c = *opened.checkpoint;
    setWindowTitle(tr("%1 — ckptview").arg(opened.displayName));
    status_->setText(tr("%1 · %2 tensors · %3 parameters · %4")
                         .arg(QString::fromStdString(c.format), groupedCount(qint64(c.tensors.size())),
                             groupedCount(c.parameterCount()), sizeText(opened.fileSize)));
    if (model_->rowCount() <= 12)
        tree_->expandToDepth(1);
    // Start on the first tensor, so a first look shows something real.
    for (std::size_t i = 0; i < c.tensors.size(); ++i) {
        if (selectTensor(QString::fromStdString(c.tensors[i].info.name)))
            break;
    }
}

bool MainWindow::selectTensors(const QStringList& fullNames)
{
    QItemSelection rows;
    QModelIndex first;
    for (const QString& name : fullNames) {
        const QModelIndex source = model_->indexForPath(name);
        const QModelIndex index = source.isValid() ? proxy_->mapFromSource(source) : QModelIndex();
        if (!index.isValid())
            continue; // filtered out of the tree
        rows.select(index, index);
        if (!first.isValid())
            first = index;
    }
    if (!first.isValid())
        return false;
    tree_->scrollTo(first);
    auto* selection = tree_->selectionModel();
    selection->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
    selection->select(rows, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    return true;
}

QString MainWindow::statusText() const
{
    return status_->text();
}

bool MainWindow::selectTensor(const QString& fullName)
{
    const QModelIndex source = model_->indexForPath(fullName);
    if (!source.isValid() || !model_->tensor(source))
        return false;
    const QModelIndex index = proxy_->mapFromSource(source);
    if (!index.isValid())
        return false;
    tree_->scrollTo(index);
    tree_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    return true;
}

void MainWindow::onCurrentChanged()
{
    const QModelIndex source = proxy_->mapToSource(tree_->currentIndex());
    const ckpt::Tensor* t = model_->tensor(source);
    const auto* node = model_->node(source);
    if (!t) { // a group, or nothing (filtered away): the Tensor tab shows no unrelated tensor
        if (panel_->tensorIndex() >= 0)
            panel_->setTensor(nullptr, nullptr, -1);
        metadata_->show(
            opened().checkpoint.get(), node && source.isValid() ? QString::fromStdString(node->path) : QString());
        return;
    }
    panel_->setTensor(session_, t, node->tensorIndex);
    if (const auto* s = session_->cachedStats(node->tensorIndex, panel_->histogram()->bins()))
        panel_->showStats(*s);
    session_->requestStats(node->tensorIndex, panel_->histogram()->bins());
}

// The Tensor tab shows the tree's current row, or nothing when that row is a group or hidden.
void MainWindow::followCurrentRow()
{
    const int shown = panel_->tensorIndex();
    const auto* node = model_->node(proxy_->mapToSource(tree_->currentIndex()));
    if (shown >= 0 && (!node || node->tensorIndex != shown || !tree_->currentIndex().isValid()))
        onCurrentChanged();
}

void MainWindow::onSelectionChanged()
{
    // Tensors of the selected rows; a group stands for every tensor below it.
    std::vector<int> tensors;
    std::function<void(const ckpt::TreeNode*)> collect = [&](const ckpt::TreeNode* n) {
        if (n->isTensor() && ckpt::isFloating(opened().checkpoint->tensors[std::size_t(n->tensorIndex)].info.dtype))
            tensors.push_back(n->tensorIndex);
        for (const auto& child : n->children)
            collect(child.get());
    };
    for (const QModelIndex& row : tree_->selectionModel()->selectedRows())
        collect(model_->node(proxy_->mapToSource(row)));
    std::sort(tensors.begin(), tensors.end());
    tensors.erase(std::unique(tensors.begin(), tensors.end()), tensors.end());
    overlaySelected_ = int(tensors.size());
    if (tensors.size() > std::size_t(OverlayPlot::kMaxSeries)) // the first ones in file order; the plot says so
        tensors.resize(std::size_t(OverlayPlot::kMaxSeries));
    if (tensors.size() < 2) {
        if (!overlayTensors_.empty())
            overlay_->clear(tr("Select several tensors or a group in the tree to overlay their distributions."));
        overlayTensors_.clear();
        return;
    }
    if (tensors == overlayTensors_)
        return;
    overlayTensors_ = tensors;
    overlay_->clear(tr("Computing %1…").arg(countOf(qint64(tensors.size()), tr("distribution"), tr("distributions"))));
    session_->requestOverlay(tensors, overlayBins_);
    if (tabs_->currentWidget() == panel_ && tree_->selectionModel()->selectedRows().size() > 1)
        tabs_->setCurrentWidget(overlay_);
}

void MainWindow::onStatsReady(int tensorIndex, int bins)
{
    const auto* s = session_ ? session_->cachedStats(tensorIndex, bins) : nullptr;
    if (!s)
        return;
    if (tensorIndex == panel_->tensorIndex() && bins == panel_->histogram()->bins())
        panel_->showStats(*s);
    if (bins == overlayBins_
        && std::find(overlayTensors_.begin(), overlayTensors_.end(), tensorIndex) != overlayTensors_.end()) {
        // Curves appear in tensor order as they become ready.
        std::vector<OverlayPlot::Series> series;
        for (int t : overlayTensors_)
            if (const auto* ts = session_->cachedStats(t, overlayBins_))
                series.push_back({ shownText(opened().checkpoint->tensors[std::size_t(t)].info.name), ts->histogram });
        overlay_->setSeries(std::move(series), overlaySelected_);
    }
}

void MainWindow::onProgress(const QString& what, double fraction)
{
    const bool busy = fraction >= 0;
    progress_->setVisible(busy);
    progressLabel_->setVisible(busy);
    cancel_->setVisible(busy);
    if (busy) {
        // The job's name beside the bar, elided with the whole of it in the tooltip.
        progress_->setValue(int(fraction * 1000));
        progressLabel_->setText(
            progressLabel_->fontMetrics().elidedText(what, Qt::ElideMiddle, kMaxProgressLabelWidth));
        progressLabel_->setToolTip(what);
        progress_->setToolTip(what);
    }
}

void MainWindow::addRecentFile(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(QStringLiteral("recentFiles"), recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    recentMenu_->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    for (const QString& path : recent)
        recentMenu_->addAction(path, this, [this, path] { openFile(path); });
    recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::openDialog()
{
    // Checkpoints are recognised by content, and many have no extension (MXNet, TF prefixes):
    // "All files" comes first.
    const QString filters = tr("All files (*);;"
                               "All checkpoints (*.pt *.pth *.bin *.params *.ckpt *.h5 *.hdf5 *.keras *.npy *.npz "
                               "*.safetensors *.json *.index *.onnx *.gguf *.msgpack);;"
                               "PyTorch (*.pt *.pth *.bin *.params *.ckpt);;HDF5 / Keras (*.h5 *.hdf5 *.keras);;"
                               "NumPy (*.npy *.npz);;safetensors (*.safetensors *.safetensors.index.json);;"
                               "MXNet (*.params *.nd);;TensorFlow checkpoint (*.index);;ONNX (*.onnx);;"
                               "GGUF (*.gguf);;Flax (*.msgpack)");
    const QString path = QFileDialog::getOpenFileName(this, tr("Open checkpoint"), QString(), filters);
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::openFolderDialog()
{
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open a model folder"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::compareDialog()
{
    if (!opened().checkpoint) {
        reportError(tr("Nothing to compare"), tr("Open a checkpoint first, then compare it with another."));
        return;
    }
    const QString path = QFileDialog::getOpenFileName(this, tr("Compare %1 with").arg(opened().displayName));
    if (!path.isEmpty())
        compareWith(path);
}

void MainWindow::compareWith(const QString& path)
{
    tabs_->setCurrentWidget(diff_);
    diff_->compareWith(path);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile())
        openFile(urls.first().toLocalFile());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    jobs_->cancelAll();
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/splitter"), splitter_->saveState());
    QMainWindow::closeEvent(event);
}

// The tree of the checkpoint open in the other tabs; hidden while only a run is open (the
// Timeline tab then has the whole width).
void MainWindow::updateTreePane()
{
    splitter_->widget(0)->setVisible(session_ != nullptr || (run_ == nullptr && runOpening_ == nullptr));
}
