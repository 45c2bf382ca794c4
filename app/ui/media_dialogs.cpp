#include "ui/media_dialogs.h"

#include "ui/media_files.h"
#include "util/futures.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QStandardPaths>
#include <QtConcurrent/QtConcurrentRun>
#include <QToolButton>
#include <QVBoxLayout>

namespace tidings::app {

using namespace Qt::StringLiterals;

SendFilesDialog::SendFilesDialog(QList<ChatClient::OutgoingFile> files, const QString &caption,
                                 QWidget *parent)
    : QDialog(parent), m_files(std::move(files))
{
    setObjectName(u"sendFilesDialog"_s);
    const bool pictures = std::all_of(m_files.cbegin(), m_files.cend(),
                                      [](const auto &file) { return !file.thumbnail.isEmpty(); });
    setWindowTitle(pictures ? tr("Send %n picture(s)", nullptr, int(m_files.size()))
                            : tr("Send %n file(s)", nullptr, int(m_files.size())));
    auto *layout = new QVBoxLayout(this);
    auto *list = new QListWidget(this);
    list->setObjectName(u"fileList"_s);
    list->setIconSize(QSize(56, 56));
    list->setSelectionMode(QAbstractItemView::NoSelection);
    for (const auto &file : std::as_const(m_files)) {
        auto *item = new QListWidgetItem(u"%1\n%2"_s.arg(file.name,
                                                         file.width > 0
                                                             ? tr("%1 × %2, %3")
                                                                   .arg(file.width)
                                                                   .arg(file.height)
                                                                   .arg(media::sizeText(file.size))
                                                             : media::sizeText(file.size)),
                                         list);
        const QImage thumbnail = media::thumbnailImage(file.thumbnail);
        item->setIcon(thumbnail.isNull() ? style()->standardIcon(QStyle::SP_FileIcon)
                                         : QIcon(QPixmap::fromImage(thumbnail)));
    }
    layout->addWidget(list);
    m_caption = new QLineEdit(caption, this);
    m_caption->setObjectName(u"captionEdit"_s);
    m_caption->setPlaceholderText(tr("Add a caption…"));
    m_caption->setAccessibleName(tr("Caption"));
    layout->addWidget(m_caption);
    auto *buttons = new QDialogButtonBox(this);
    auto *send = buttons->addButton(tr("Send"), QDialogButtonBox::AcceptRole);
    send->setObjectName(u"sendFilesButton"_s);
    send->setDefault(true);
    buttons->addButton(QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    m_caption->setFocus();
    resize(420, 200 + 60 * std::min<qsizetype>(m_files.size(), 5));
}

QString SendFilesDialog::caption() const
{
    return m_caption->text().trimmed();
}

ImageViewer::ImageViewer(const CachedFile &file, const QString &name, QWidget *parent)
    : QDialog(parent), m_file(file), m_name(name)
{
    setObjectName(u"imageViewer"_s);
    setWindowTitle(name);
    setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(8, 6, 8, 0);
    const auto button = [this, bar](const QString &objectName, const QString &text,
                                    const QString &tip, auto slot) {
        auto *tool = new QToolButton(this);
        tool->setObjectName(objectName);
        tool->setText(text);
        tool->setToolTip(tip);
        tool->setAccessibleName(tip);
        connect(tool, &QToolButton::clicked, this, slot);
        bar->addWidget(tool);
    };
    button(u"zoomOut"_s, u"−"_s, tr("Zoom out (−)"), [this] { setZoom(m_zoom / 1.25); });
    button(u"zoomIn"_s, u"+"_s, tr("Zoom in (+)"), [this] { setZoom(m_zoom * 1.25); });
    button(u"zoomFit"_s, tr("Fit"), tr("Fit to window (0)"), [this] { fit(); });
    button(u"zoomActual"_s, u"1:1"_s, tr("Actual size (1)"), [this] { setZoom(1.0); });
    bar->addStretch();
    button(u"saveAs"_s, tr("Save As…"), tr("Save a copy"), [this] { saveAs(); });
    layout->addLayout(bar);
    m_area = new QScrollArea(this);
    m_area->setAlignment(Qt::AlignCenter);
    m_area->setBackgroundRole(QPalette::Dark);
    m_area->viewport()->installEventFilter(this);
    m_picture = new QLabel(m_area);
    m_picture->setObjectName(u"picture"_s);
    m_area->setWidget(m_picture);
    layout->addWidget(m_area, 1);
    m_status = new QLabel(tr("Loading…"), this);
    m_status->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_status);
    resize(900, 680);

    // Bounded like every picture from the network; the largest size worth showing.
    whenReady(QtConcurrent::run([file] {
                  return media::readPicture(file, {8192, 8192});
              }),
              this, [this](const Result<QImage> &image) {
                  if (!image) {
                      m_status->setText(image.error().message);
                      return;
                  }
                  m_image = *image;
                  m_status->setText(tr("%1 × %2").arg(m_image.width()).arg(m_image.height()));
                  fit();
              });
}

void ImageViewer::setZoom(double zoom)
{
    m_zoom = std::clamp(zoom, 0.05, 16.0);
    if (m_image.isNull())
        return;
    const QSize size = (QSizeF(m_image.size()) * m_zoom).toSize().expandedTo({1, 1});
    m_picture->setPixmap(
        QPixmap::fromImage(m_image.scaled(size, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
    m_picture->resize(size);
}

void ImageViewer::fit()
{
    if (m_image.isNull())
        return;
    const QSize room = m_area->viewport()->size() - QSize(4, 4);
    setZoom(std::min(
        {1.0, double(room.width()) / m_image.width(), double(room.height()) / m_image.height()}));
}

bool ImageViewer::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_area->viewport() && event->type() == QEvent::Wheel) {
        const auto *wheel = static_cast<QWheelEvent *>(event);
        if (wheel->modifiers() & Qt::ControlModifier) {
            setZoom(wheel->angleDelta().y() > 0 ? m_zoom * 1.15 : m_zoom / 1.15);
            return true;
        }
    }
    if (event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Plus || key->key() == Qt::Key_Equal)
            setZoom(m_zoom * 1.25);
        else if (key->key() == Qt::Key_Minus)
            setZoom(m_zoom / 1.25);
        else if (key->key() == Qt::Key_0)
            fit();
        else if (key->key() == Qt::Key_1)
            setZoom(1.0);
        else
            return QDialog::eventFilter(watched, event);
        return true;
    }
    return QDialog::eventFilter(watched, event);
}

void ImageViewer::saveAs()
{
    saveCopyAs(this, m_file, m_name);
}

void saveCopyAs(QWidget *parent, const CachedFile &file, const QString &name)
{
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    const QString target = QFileDialog::getSaveFileName(parent, QObject::tr("Save As"),
                                                        folder + u'/' + QFileInfo(name).fileName());
    if (target.isEmpty())
        return;
    QPointer<QWidget> owner(parent);
    whenReady(QtConcurrent::run([file, target] { return saveCachedFile(file, target).ok(); }),
              parent, [owner, target](bool copied) {
                  if (!copied && owner)
                      QMessageBox::warning(owner, QObject::tr("Save As"),
                                           QObject::tr("Could not save %1.").arg(target));
              });
}

} // namespace tidings::app
