#include "ExportDialog.h"

#include "NumberText.h"
#include "ShownText.h"
#include "numerics/Stats.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace {
constexpr int kPreviewRows = 6;

const QString kFilters = QStringLiteral("HDF5 (*.h5 *.hdf5);;safetensors (*.safetensors);;NumPy npz (*.npz)");

// The longest prefix of every name that ends at a '.' or '/' (what "strip prefix" would usually take).
QString commonGroupPrefix(const std::vector<std::string>& names)
{
    if (names.empty())
        return {};
    std::string prefix = names.front();
    for (const auto& n : names) {
        std::size_t i = 0;
        while (i < prefix.size() && i < n.size() && prefix[i] == n[i])
            ++i;
        prefix.resize(i);
    }
    const auto cut = prefix.find_last_of("./");
    return cut == std::string::npos ? QString() : QString::fromStdString(prefix.substr(0, cut + 1));
}
} // namespace

ExportDialog::ExportDialog(CheckpointSession* session, const std::vector<int>& tensors, QWidget* parent)
    : QDialog(parent)
    , session_(session)
    , checkpoint_(session->checkpoint())
    , path_(new QLineEdit(this))
    , format_(new QLabel(this))
    , strip_(new QLineEdit(this))
    , add_(new QLineEdit(this))
    , preview_(new QListWidget(this))
    , compress_(new QCheckBox(tr("Compress (HDF5 gzip + shuffle, npz deflate)"), this))
    , cast_(new QCheckBox(tr("Cast dtypes the format cannot hold (bfloat16, float8, …) to float32"), this))
    , architecture_(new QCheckBox(tr("With architecture (HDF5: the rebuilt MLP's layers and activations)"), this))
    , message_(new QLabel(this))
    , progress_(new QProgressBar(this))
    , buttons_(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    qint64 bytes = 0;
    for (int t : tensors) {
        const auto& info = checkpoint_->tensors[std::size_t(t)].info;
        names_.push_back(info.name);
        bytes = ckpt::saturatingAdd(bytes, info.nbytes());
    }
    setWindowTitle(tr("Export selected tensors"));
    setMinimumWidth(560);
    exportButton_ = buttons_->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    exportButton_->setDefault(true);

    auto* browse = new QPushButton(tr("Browse…"), this);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(path_, 1);
    pathRow->addWidget(browse);
    strip_->setPlaceholderText(
        commonGroupPrefix(names_).isEmpty() ? tr("nothing") : tr("e.g. %1").arg(commonGroupPrefix(names_)));
    add_->setPlaceholderText(tr("nothing"));
    preview_->setSelectionMode(QAbstractItemView::NoSelection);
    preview_->setFixedHeight(preview_->fontMetrics().height() * (kPreviewRows + 2) + 8);
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    progress_->setRange(0, 1000);
    progress_->setVisible(false);

    auto* form = new QFormLayout;
    form->addRow(new QLabel(
        tr("<b>%1</b> checked, %2").arg(countOf(qint64(names_.size()), tr("tensor"), tr("tensors")), sizeText(bytes)),
        this));
    form->addRow(tr("Output file:"), pathRow);
    form->addRow(tr("Format:"), format_);
    form->addRow(tr("Strip prefix:"), strip_);
    form->addRow(tr("Add prefix:"), add_);
    form->addRow(tr("Output names:"), preview_);
    form->addRow(QString(), compress_);
    form->addRow(QString(), architecture_);
    architecture_->setToolTip(tr("Store the network rebuilt from these parameters as the file's architecture "
                                 "attribute, as `ckpt export --with-architecture` does"));
    form->addRow(QString(), cast_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(message_);
    layout->addWidget(progress_);
    layout->addWidget(buttons_);
    inputs_ = { path_, browse, strip_, add_, compress_, cast_, architecture_, exportButton_ };

    confirmer_ = [this](const QString& title, const QString& text) {
        return QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
            == QMessageBox::Yes;
    };
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(path_, &QLineEdit::textChanged, this, &ExportDialog::updateFormat);
    connect(strip_, &QLineEdit::textChanged, this, &ExportDialog::updatePreview);
    connect(add_, &QLineEdit::textChanged, this, &ExportDialog::updatePreview);
    connect(exportButton_, &QPushButton::clicked, this, &ExportDialog::startExport);
    connect(buttons_, &QDialogButtonBox::rejected, this, &ExportDialog::reject);
    connect(session, &CheckpointSession::exported, this, &ExportDialog::onExported);
    // Another file was opened meanwhile: the export (cancelled with its session) cannot finish.
    connect(session, &QObject::destroyed, this, [this] {
        running_.clear();
        setRunning(false);
        showMessage(tr("The checkpoint was closed; nothing was exported."), true);
        exportButton_->setEnabled(false);
    });
    connect(session, &CheckpointSession::exportFailed, this, &ExportDialog::onFailed);
    connect(session->jobs(), &JobTracker::progress, this, [this](const QString&, double fraction) {
        if (isRunning() && fraction >= 0)
            progress_->setValue(int(fraction * 1000));
    });

    const QFileInfo source(QString::fromStdString(checkpoint_->path));
    const QString dir = source.dir().exists() && source.isFile() ? source.absolutePath() : QDir::homePath();
    setOutputPath(QDir(dir).filePath(source.completeBaseName() + QStringLiteral("-selected.safetensors")));
    updatePreview();
}

ExportDialog::~ExportDialog()
{
    cancelExport(); // the core removes what it had begun to write
}

void ExportDialog::setConfirmer(std::function<bool(const QString&, const QString&)> confirmer)
{
    confirmer_ = std::move(confirmer);
}

void ExportDialog::setOutputPath(const QString& path)
{
    path_->setText(path);
}
QString ExportDialog::outputPath() const
{
    return path_->text().trimmed();
}
void ExportDialog::setStripPrefix(const QString& prefix)
{
    strip_->setText(prefix);
}
void ExportDialog::setAddPrefix(const QString& prefix)
{
    add_->setText(prefix);
}
void ExportDialog::setCompress(bool compress)
{
    compress_->setChecked(compress);
}
void ExportDialog::setWithArchitecture(bool with)
{
    architecture_->setChecked(with);
}

bool ExportDialog::withArchitectureAvailable() const
{
    return architecture_->isEnabled();
}

void ExportDialog::setCastToFloat32(bool cast)
{
    cast_->setChecked(cast);
}
QString ExportDialog::formatText() const
{
    return format_->text();
}
QString ExportDialog::messageText() const
{
    return message_->text();
}
bool ExportDialog::isRunning() const
{
    return !running_.isEmpty();
}

QStringList ExportDialog::previewNames() const
{
    QStringList names;
    for (int r = 0; r < preview_->count(); ++r)
        if (const QVariant v = preview_->item(r)->data(Qt::UserRole); v.isValid())
            names << v.toString();
    return names;
}

ckpt::ExportOptions ExportDialog::options() const
{
    ckpt::ExportOptions o;
    o.selection.names = names_;
    o.selection.stripPrefix = strip_->text().toStdString();
    o.selection.addPrefix = add_->text().toStdString();
    o.compress = compress_->isChecked() && compress_->isEnabled();
    o.withArchitecture = architecture_->isChecked() && architecture_->isEnabled();
    o.castToFloat32 = cast_->isChecked();
    return o;
}

void ExportDialog::browse()
{
    QString filter;
    const QString current = outputPath();
    if (current.endsWith(QStringLiteral(".npz"), Qt::CaseInsensitive))
        filter = QStringLiteral("NumPy npz (*.npz)");
    else if (current.endsWith(QStringLiteral(".h5"), Qt::CaseInsensitive)
        || current.endsWith(QStringLiteral(".hdf5"), Qt::CaseInsensitive))
        filter = QStringLiteral("HDF5 (*.h5 *.hdf5)");
    else
        filter = QStringLiteral("safetensors (*.safetensors)");
    // The dialog asks about replacing files itself, once the export really starts.
    QString path = QFileDialog::getSaveFileName(
        this, tr("Export to"), current, kFilters, &filter, QFileDialog::DontConfirmOverwrite);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty()) { // the chosen filter gives the extension
        if (filter.startsWith(QStringLiteral("HDF5")))
            path += QStringLiteral(".h5");
        else if (filter.startsWith(QStringLiteral("NumPy")))
            path += QStringLiteral(".npz");
        else
            path += QStringLiteral(".safetensors");
    }
    setOutputPath(path);
}

void ExportDialog::updateFormat()
{
    try {
        const auto& writer = ckpt::writerFor(outputPath().toStdString());
        format_->setText(QString::fromLatin1(writer.name().data(), qsizetype(writer.name().size())));
        compress_->setEnabled(writer.compresses());
        architecture_->setEnabled(writer.holdsArchitecture());
        exportButton_->setEnabled(!isRunning());
    } catch (const std::invalid_argument&) {
        format_->setText(tr("unknown: the file name must end in .h5, .hdf5, .safetensors or .npz"));
        exportButton_->setEnabled(false);
    }
}

void ExportDialog::updatePreview()
{
    preview_->clear();
    try {
        const auto tensors = ckpt::selectTensors(*checkpoint_, options().selection);
        for (std::size_t i = 0; i < tensors.size() && int(i) < kPreviewRows; ++i) {
            // selectTensors keeps the checkpoint's order, as names_ does.
            const QString from = shownText(names_[i]);
            const QString to = shownText(tensors[i].info.name);
            auto* item = new QListWidgetItem(from == to ? to : from + QStringLiteral("  →  ") + to, preview_);
            item->setData(Qt::UserRole, QString::fromStdString(tensors[i].info.name));
        }
        if (int(tensors.size()) > kPreviewRows)
            new QListWidgetItem(tr("… and %n more", nullptr, int(tensors.size()) - kPreviewRows), preview_);
        if (!isRunning())
            showMessage(QString(), false);
        updateFormat();
    } catch (const std::invalid_argument& e) {
        showMessage(shownText(e.what()), true);
        exportButton_->setEnabled(false);
    }
}

void ExportDialog::showMessage(const QString& text, bool error)
{
    message_->setText(text);
    QPalette p = palette();
    if (error) // readable in light and dark themes alike
        p.setColor(QPalette::WindowText,
            p.color(QPalette::Link).lightness() > 128 ? QColor(255, 120, 110) : QColor(190, 0, 0));
    message_->setPalette(p);
}

bool ExportDialog::startExport()
{
    if (isRunning() || !session_)
        return false;
    const QString path = outputPath();
    ckpt::ExportOptions o = options();
    try {
        ckpt::writerFor(path.toStdString());
        ckpt::selectTensors(*checkpoint_, o.selection);
    } catch (const std::exception& e) {
        showMessage(shownText(e.what()), true);
        return false;
    }
    if (QFileInfo::exists(path)) {
        if (!confirmer_ || !confirmer_(tr("Replace file?"), tr("%1 already exists. Replace it?").arg(path))) {
            showMessage(tr("Not exported: %1 already exists.").arg(path), true);
            return false;
        }
        o.overwrite = true;
    }
    running_ = path;
    setRunning(true);
    showMessage(tr("Exporting to %1…").arg(path), false);
    session_->exportTo(path, o);
    return true;
}

void ExportDialog::cancelExport()
{
    if (isRunning() && session_)
        session_->cancel(QStringLiteral("export"));
}

void ExportDialog::setRunning(bool running)
{
    for (QWidget* w : inputs_)
        w->setEnabled(!running);
    progress_->setValue(0);
    progress_->setVisible(running);
    if (!running)
        updateFormat();
}

void ExportDialog::onExported(const QString& path, int tensors, qint64 bytes)
{
    if (path != running_)
        return;
    running_.clear();
    setRunning(false);
    showMessage(tr("Exported %1 to %2.").arg(countOf(tensors, tr("tensor"), tr("tensors")), path), false);
    emit exported(path, tensors, bytes);
    accept();
}

void ExportDialog::onFailed(const QString& path, const JobFailure& why)
{
    if (path != running_)
        return;
    running_.clear();
    setRunning(false);
    if (why.cancelled) {
        showMessage(tr("Cancelled: nothing was written to %1.").arg(path), false);
        emit cancelled();
    } else {
        showMessage(why.message, true);
        emit failed(why.message);
    }
}

void ExportDialog::reject()
{
    // Cancel stops a running export first; the dialog closes once nothing is being written.
    if (isRunning()) {
        cancelExport();
        return;
    }
    QDialog::reject();
}
