#pragma once

#include <QDialog>
#include <QSize>

#include <functional>
#include <QImage>
#include <QUrl>

class QAudioOutput;
class QLabel;
class QMediaPlayer;
class QSlider;
class QToolButton;
class QVideoSink;

namespace tidings::app {

/// Where the frames go: the newest one, scaled to fit and centred on black. (Not
/// QVideoWidget: its native child window does not show in screenshots, and in Qt 6.4 it
/// outlives the player.)
class VideoSurface : public QWidget
{
    Q_OBJECT

public:
    explicit VideoSurface(QWidget *parent = nullptr);
    QVideoSink *sink() const { return m_sink; }
    /// Frames shown so far (for tests and diagnostics).
    int framesShown() const { return m_frames; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QVideoSink *m_sink = nullptr;
    QImage m_frame;
    int m_frames = 0;
};

/// What a video file is, read by playing its start silently: its first frame (the
/// poster), its size in pixels and its length. `done` gets what could be found within a
/// few seconds (a null poster and zeros for a file that does not play).
struct VideoFacts
{
    QImage poster;
    QSize size;
    qint64 durationMs = 0;
};
void probeVideo(const QString &path, QObject *context,
                std::function<void(const VideoFacts &)> done);

/// Plays a video (Qt Multimedia): play/pause (also Space), a position slider to seek, the
/// time, and the volume. The source is the downloaded file, or a signed link to the relay,
/// which the player streams with Range requests while it plays.
class VideoPlayer : public QDialog
{
    Q_OBJECT

public:
    VideoPlayer(const QUrl &source, const QString &name, QWidget *parent = nullptr);
    ~VideoPlayer() override;

    QMediaPlayer *player() const { return m_player; }
    VideoSurface *surface() const { return m_video; }

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void togglePlaying();
    void updateTime();

    QMediaPlayer *m_player = nullptr;
    QAudioOutput *m_audio = nullptr;
    VideoSurface *m_video = nullptr;
    QToolButton *m_play = nullptr;
    QSlider *m_position = nullptr;
    QSlider *m_volume = nullptr;
    QLabel *m_time = nullptr;
    QLabel *m_error = nullptr;
};

} // namespace tidings::app
