#include "ui/notifier.h"

#include "models/conversation_list_model.h"
#include "ui/settings_keys.h"
#include "ui/theme.h"

#include <QApplication>
#include <QDateTime>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QSettings>
#include <QSystemTrayIcon>
#include <QWidget>

namespace tidings::app {

using namespace Qt::StringLiterals;

namespace {

constexpr int kMaxShownKept = 200;
constexpr qsizetype kMaxNotificationChars = 200;

} // namespace

QString Notifier::notificationText(const QString &text)
{
    QString line;
    line.reserve(std::min(text.size(), kMaxNotificationChars + 1));
    for (const QChar c : text) {
        if (line.size() > kMaxNotificationChars)
            break;
        if (c == u'\n' || c == u'\t' || c == u'\r')
            line.append(u' ');
        else if (c.category() != QChar::Other_Control && c.category() != QChar::Other_Format)
            line.append(c);
    }
    if (line.size() > kMaxNotificationChars) {
        line.truncate(kMaxNotificationChars - 1);
        if (!line.isEmpty() && line.back().isHighSurrogate())
            line.chop(1);
        line.append(u'…');
    }
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    return line.toHtmlEscaped();
#else
    return line;
#endif
}

QIcon Notifier::icon(int unread)
{
    QIcon result;
    for (const int size : {16, 22, 32, 48, 64, 128}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(0x3a, 0x8e, 0xd0));
        painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1));
        // A speech bubble's tail and a wave: the mark of Tidings.
        painter.setPen(QPen(Qt::white, std::max(1.5, size / 14.0), Qt::SolidLine, Qt::RoundCap));
        QPainterPath wave;
        wave.moveTo(size * 0.25, size * 0.55);
        wave.cubicTo(size * 0.38, size * 0.35, size * 0.5, size * 0.75, size * 0.62, size * 0.5);
        wave.cubicTo(size * 0.68, size * 0.4, size * 0.72, size * 0.42, size * 0.77, size * 0.48);
        painter.drawPath(wave);
        if (unread > 0) {
            const qreal badge = size * 0.5;
            const QRectF rect(size - badge, 0, badge, badge);
            painter.setPen(Qt::NoPen);
            painter.setBrush(theme::danger());
            painter.drawEllipse(rect);
            if (size >= 22) {
                QFont font = painter.font();
                font.setPixelSize(int(badge * 0.62));
                font.setBold(true);
                painter.setFont(font);
                painter.setPen(Qt::white);
                painter.drawText(rect, Qt::AlignCenter,
                                 unread > 99 ? u"99"_s : QString::number(unread));
            }
        }
        painter.end();
        result.addPixmap(pixmap);
    }
    return result;
}

Notifier::Notifier(ConversationListModel &conversations, QSettings &settings, QWidget *window)
    : QObject(window), m_conversations(conversations), m_settings(settings), m_window(window)
{
    m_tray = new QSystemTrayIcon(icon(0), this);
    m_tray->setToolTip(tr("Tidings"));
    auto *menu = new QMenu(window);
    menu->addAction(tr("Show Tidings"), this, [this] {
        m_window->showNormal();
        m_window->raise();
        m_window->activateWindow();
    });
    menu->addAction(tr("Quit"), qApp, &QApplication::quit);
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason why) {
                if (why == QSystemTrayIcon::Trigger) {
                    m_window->showNormal();
                    m_window->raise();
                    m_window->activateWindow();
                }
            });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
        m_window->showNormal();
        m_window->raise();
        m_window->activateWindow();
        if (m_lastClicked != 0)
            Q_EMIT conversationClicked(m_lastClicked);
    });
    if (QSystemTrayIcon::isSystemTrayAvailable())
        m_tray->show();
    connect(&m_conversations, &ConversationListModel::refreshed, this, &Notifier::onRefreshed);
}

Notifier::~Notifier() = default;

QSet<qint64> Notifier::muted() const
{
    QSet<qint64> result;
    const QVariantList list = m_settings.value(settings::kMuted).toList();
    for (const QVariant &id : list)
        result.insert(id.toLongLong());
    return result;
}

bool Notifier::isMuted(qint64 conversation) const
{
    return muted().contains(conversation);
}

void Notifier::setMuted(qint64 conversation, bool mute)
{
    QSet<qint64> set = muted();
    if (mute)
        set.insert(conversation);
    else
        set.remove(conversation);
    QVariantList list;
    for (const qint64 id : std::as_const(set))
        list.append(id);
    m_settings.setValue(settings::kMuted, list);
    Q_EMIT mutedChanged();
    onRefreshed();
}

void Notifier::onRefreshed()
{
    const QSet<qint64> quiet = muted();
    int total = 0;
    const bool focused = m_window->isActiveWindow();
    const bool enabled = m_settings.value(settings::kNotify, true).toBool();
    for (int row = 0; row < m_conversations.rowCount(); ++row) {
        const QModelIndex index = m_conversations.index(row);
        const qint64 id = index.data(ConversationListModel::IdRole).toLongLong();
        const int unread = index.data(ConversationListModel::UnreadRole).toInt();
        const QDateTime activity = index.data(ConversationListModel::LastActivityRole).toDateTime();
        const qint64 at = activity.isValid() ? activity.toMSecsSinceEpoch() : 0;
        if (!quiet.contains(id))
            total += unread;
        const auto before = m_known.value(id, {0, 0});
        m_known.insert(id, {at, unread});
        // Only what is new since the app started, with more unread than before, counts.
        const bool fresh = m_primed && unread > before.second && at > before.first;
        if (!fresh || quiet.contains(id) || !enabled || (focused && m_open && id == m_open()))
            continue;
        Shown shown{id, notificationText(index.data(ConversationListModel::TitleRole).toString()),
                    notificationText(index.data(ConversationListModel::PreviewRole).toString())};
        m_shown.append(shown);
        if (m_shown.size() > kMaxShownKept)
            m_shown.removeFirst();
        m_lastClicked = id;
        if (m_tray->isVisible())
            m_tray->showMessage(shown.title, shown.body, icon(0), 5000);
        if (m_settings.value(settings::kSound, true).toBool())
            QApplication::beep();
    }
    m_primed = true;
    if (total != m_unreadTotal) {
        m_unreadTotal = total;
        m_tray->setIcon(icon(total));
        m_window->setWindowIcon(icon(total));
        m_tray->setToolTip(total > 0 ? tr("Tidings — %n unread", nullptr, total) : tr("Tidings"));
        m_window->setWindowTitle(total > 0 ? tr("Tidings (%1)").arg(total) : tr("Tidings"));
    }
}

} // namespace tidings::app
