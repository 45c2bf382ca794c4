#pragma once

#include "core/cached_file.h"
#include "core/chat_client.h"

#include <QDialog>
#include <QImage>

class QLabel;
class QLineEdit;
class QScrollArea;

namespace tidings::app {

/// Before files go: what will be sent (pictures as thumbnails, files with their size) and
/// a caption. Send or cancel; nothing leaves before Send.
class SendFilesDialog : public QDialog
{
    Q_OBJECT

public:
    SendFilesDialog(QList<ChatClient::OutgoingFile> files, const QString &caption,
                    QWidget *parent = nullptr);

    QList<ChatClient::OutgoingFile> files() const { return m_files; }
    QString caption() const;

private:
    QList<ChatClient::OutgoingFile> m_files;
    QLineEdit *m_caption = nullptr;
};

/// A picture at full size: zoom with Ctrl+wheel, +/−, or the buttons; 0 fits it to the
/// window; Save As keeps a copy. A sealed file of the cache is decoded from memory.
class ImageViewer : public QDialog
{
    Q_OBJECT

public:
    ImageViewer(const CachedFile &file, const QString &name, QWidget *parent = nullptr);

    double zoom() const { return m_zoom; }
    void setZoom(double zoom);
    void fit();
    bool isLoaded() const { return !m_image.isNull(); }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void saveAs();

    CachedFile m_file;
    QString m_name;
    QImage m_image;
    double m_zoom = 1.0;
    QScrollArea *m_area = nullptr;
    QLabel *m_picture = nullptr;
    QLabel *m_status = nullptr;
};

/// Copies `file` (its plaintext) to a place the user picks (off the UI thread); tells of a
/// failure.
void saveCopyAs(QWidget *parent, const CachedFile &file, const QString &name);

} // namespace tidings::app
