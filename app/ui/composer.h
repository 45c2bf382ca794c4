#pragma once

#include <QPlainTextEdit>

class QMimeData;

namespace tidings::app {

/// The message box: multi-line; Enter sends, Shift+Enter starts a new line, Up in an empty
/// box edits the last own message, Escape cancels an edit or reply.
class Composer : public QPlainTextEdit
{
    Q_OBJECT

public:
    using QPlainTextEdit::QPlainTextEdit;
    QSize sizeHint() const override;

    /// The local files among dropped or pasted data: they are sent, not typed.
    static QStringList localFiles(const QMimeData *data);

Q_SIGNALS:
    void submitted();
    void editLastRequested();
    void cancelRequested();
    /// Files dropped or pasted into the box: they are to be sent, not typed.
    void filesGiven(const QStringList &paths);
    void imagePasted(const QImage &image);

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void insertFromMimeData(const QMimeData *source) override;
};

} // namespace tidings::app
