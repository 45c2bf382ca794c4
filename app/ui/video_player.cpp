#include "ui/video_player.h"

#include <QAudioOutput>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMediaPlayer>
#include <QPainter>
#include <QSlider>
#include <QStyle>
#include <QTime>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QVideoFrame>
#include <QVideoSink>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

QString clock(qint64 ms)
{
    const QTime time = QTime(0, 0).addMSecs(int(std::max<qint64>(0, ms)));
    return time.toString(ms >= 3600 * 1000 ? u"h:mm:ss"_s : u"m:ss"_s);
}

} // namespace

void probeVideo(const QString &path, QObject *context, std::function<void(const VideoFacts &)> done)
{
    struct Probe
    {
        VideoFacts facts;
        std::function<void(const VideoFacts &)> done;
        bool finished = false;
    };
    auto probe = std::make_shared<Probe>();
    probe->done = std::move(done);
    auto *player = new QMediaPlayer(context);
    auto *sink = new QVideoSink(player);
    const auto finish = [player, probe] {
        if (probe->finished)
            return;
        probe->finished = true;
        player->stop();
        player->deleteLater();
        probe->done(probe->facts);
    };
    player->setVideoOutput(sink);
    // Done when both the first frame and the length are known (in either order).
    QObject::connect(player, &QMediaPlayer::durationChanged, player,
                     [probe, finish](qint64 duration) {
                         probe->facts.durationMs = duration;
                         if (duration > 0 && !probe->facts.poster.isNull())
                             finish();
                     });
    QObject::connect(sink, &QVideoSink::videoFrameChanged, player,
                     [player, probe, finish](const QVideoFrame &frame) {
                         if (!probe->facts.poster.isNull())
                             return;
                         const QImage image = frame.toImage();
                         if (image.isNull())
                             return;
                         probe->facts.poster = image;
                         probe->facts.size = image.size();
                         player->pause();
                         if (probe->facts.durationMs > 0)
                             finish();
                     });
    QObject::connect(player, &QMediaPlayer::errorOccurred, player, finish);
    QTimer::singleShot(5000, player, finish);
    player->setSource(QUrl::fromLocalFile(path));
    player->play();
}

VideoSurface::VideoSurface(QWidget *parent) : QWidget(parent), m_sink(new QVideoSink(this))
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    connect(m_sink, &QVideoSink::videoFrameChanged, this, [this](const QVideoFrame &frame) {
        const QImage image = frame.toImage();
        if (image.isNull())
            return;
        m_frame = image;
        ++m_frames;
        update();
    });
}

void VideoSurface::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), Qt::black);
    if (m_frame.isNull())
        return;
    const QSize size = m_frame.size().scaled(this->size(), Qt::KeepAspectRatio);
    const QRect target(QPoint((width() - size.width()) / 2, (height() - size.height()) / 2), size);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(target, m_frame);
}

VideoPlayer::VideoPlayer(const QUrl &source, const QString &name, QWidget *parent) : QDialog(parent)
{
    setObjectName(u"videoPlayer"_s);
    setWindowTitle(name);
    setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 6);
    m_video = new VideoSurface(this);
    m_video->setObjectName(u"videoWidget"_s);
    m_video->setMinimumSize(320, 180);
    layout->addWidget(m_video, 1);
    m_error = new QLabel(this);
    m_error->setObjectName(u"videoError"_s);
    m_error->setWordWrap(true);
    m_error->hide();
    layout->addWidget(m_error);

    auto *controls = new QHBoxLayout;
    controls->setContentsMargins(8, 0, 8, 0);
    m_play = new QToolButton(this);
    m_play->setObjectName(u"playButton"_s);
    m_play->setAutoRaise(true);
    controls->addWidget(m_play);
    m_position = new QSlider(Qt::Horizontal, this);
    m_position->setObjectName(u"positionSlider"_s);
    m_position->setAccessibleName(tr("Position"));
    controls->addWidget(m_position, 1);
    m_time = new QLabel(u"0:00 / 0:00"_s, this);
    m_time->setObjectName(u"timeLabel"_s);
    controls->addWidget(m_time);
    m_volume = new QSlider(Qt::Horizontal, this);
    m_volume->setObjectName(u"volumeSlider"_s);
    m_volume->setAccessibleName(tr("Volume"));
    m_volume->setToolTip(tr("Volume"));
    m_volume->setRange(0, 100);
    m_volume->setValue(80);
    m_volume->setFixedWidth(90);
    controls->addWidget(m_volume);
    layout->addLayout(controls);

    m_player = new QMediaPlayer(this);
    m_audio = new QAudioOutput(this);
    m_audio->setVolume(0.8f);
    m_player->setAudioOutput(m_audio);
    m_player->setVideoOutput(m_video->sink());
    connect(m_play, &QToolButton::clicked, this, &VideoPlayer::togglePlaying);
    connect(m_volume, &QSlider::valueChanged, this,
            [this](int value) { m_audio->setVolume(float(value) / 100.0f); });
    connect(m_position, &QSlider::sliderMoved, m_player, &QMediaPlayer::setPosition);
    connect(m_player, &QMediaPlayer::durationChanged, this, [this](qint64 duration) {
        m_position->setRange(0, int(duration));
        updateTime();
    });
    connect(m_player, &QMediaPlayer::positionChanged, this, [this](qint64 position) {
        if (!m_position->isSliderDown())
            m_position->setValue(int(position));
        updateTime();
    });
    connect(m_player, &QMediaPlayer::playbackStateChanged, this, [this] {
        const bool playing = m_player->playbackState() == QMediaPlayer::PlayingState;
        m_play->setIcon(
            style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
        m_play->setToolTip(playing ? tr("Pause") : tr("Play"));
        m_play->setAccessibleName(playing ? tr("Pause") : tr("Play"));
    });
    connect(m_player, &QMediaPlayer::errorOccurred, this,
            [this](QMediaPlayer::Error, const QString &message) {
                m_error->setText(tr("The video cannot be played: %1").arg(message));
                m_error->show();
            });
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_play->setToolTip(tr("Play"));
    m_play->setAccessibleName(tr("Play"));
    resize(720, 480);
    m_player->setSource(source);
    m_player->play();
}

VideoPlayer::~VideoPlayer()
{
    m_player->stop();
}

void VideoPlayer::togglePlaying()
{
    if (m_player->playbackState() == QMediaPlayer::PlayingState)
        m_player->pause();
    else
        m_player->play();
}

void VideoPlayer::updateTime()
{
    m_time->setText(u"%1 / %2"_s.arg(clock(m_player->position()), clock(m_player->duration())));
}

void VideoPlayer::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space) {
        togglePlaying();
        return;
    }
    QDialog::keyPressEvent(event);
}

} // namespace tidings::app
