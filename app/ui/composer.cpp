#include "ui/composer.h"

#include <QFileInfo>
#include <QImage>
#include <QKeyEvent>
#include <QMimeData>
#include <QUrl>

#include <algorithm>

namespace tidings::app {

QSize Composer::sizeHint() const
{
    const int lines = std::clamp(int(document()->size().height()), 1, 6);
    return {200, fontMetrics().lineSpacing() * lines + 16};
}

bool Composer::event(QEvent *event)
{
    // Ctrl+K is "delete to the end of the line" in Qt's text editing on some platforms; here
    // it is the window's quick switcher, as in the chat apps people know.
    if (event->type() == QEvent::ShortcutOverride) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_K && key->modifiers() == Qt::ControlModifier) {
            event->ignore();
            return true;
        }
    }
    return QPlainTextEdit::event(event);
}

QStringList Composer::localFiles(const QMimeData *data)
{
    QStringList paths;
    if (!data || !data->hasUrls())
        return paths;
    const QList<QUrl> urls = data->urls();
    for (const QUrl &url : urls) {
        if (url.isLocalFile() && QFileInfo(url.toLocalFile()).isFile())
            paths.append(url.toLocalFile());
    }
    return paths;
}

bool Composer::canInsertFromMimeData(const QMimeData *source) const
{
    return source->hasImage() || !localFiles(source).isEmpty()
        || QPlainTextEdit::canInsertFromMimeData(source);
}

void Composer::insertFromMimeData(const QMimeData *source)
{
    if (const QStringList files = localFiles(source); !files.isEmpty()) {
        Q_EMIT filesGiven(files);
        return;
    }
    if (source->hasImage()) {
        Q_EMIT imagePasted(qvariant_cast<QImage>(source->imageData()));
        return;
    }
    QPlainTextEdit::insertFromMimeData(source);
}

void Composer::keyPressEvent(QKeyEvent *event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && !(event->modifiers() & Qt::ShiftModifier)) {
        Q_EMIT submitted();
        return;
    }
    if (event->key() == Qt::Key_Up && event->modifiers() == Qt::NoModifier
        && toPlainText().isEmpty()) {
        Q_EMIT editLastRequested();
        return;
    }
    if (event->key() == Qt::Key_Escape) {
        Q_EMIT cancelRequested();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

} // namespace tidings::app
