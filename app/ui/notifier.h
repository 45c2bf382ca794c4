#pragma once

#include <QHash>
#include <QIcon>
#include <QObject>
#include <QSet>

#include <functional>

class QSettings;
class QSystemTrayIcon;
class QWidget;

namespace tidings::app {

class ConversationListModel;

/// The tray icon with the unread count, and a desktop notification for each new message
/// while the window is not focused (or shows another conversation): sender, preview; a
/// click opens the conversation. Muted conversations stay quiet; the sound can be turned
/// off (settings).
class Notifier : public QObject
{
    Q_OBJECT

public:
    Notifier(ConversationListModel &conversations, QSettings &settings, QWidget *window);
    ~Notifier() override;

    struct Shown
    {
        qint64 conversation = 0;
        QString title;
        QString body;
    };
    /// Someone else's words made safe for the system's notification: one line, at most 200
    /// characters, no control or invisible formatting characters (bidi overrides), and —
    /// where notification servers read markup (freedesktop) — `<` and `&` escaped, so a
    /// message cannot style itself, link or load an image.
    static QString notificationText(const QString &text);

    /// The notifications shown so far (the newest last), as handed to the system.
    const QList<Shown> &shown() const { return m_shown; }
    int unreadTotal() const { return m_unreadTotal; }
    QSystemTrayIcon *tray() const { return m_tray; }

    QSet<qint64> muted() const;
    bool isMuted(qint64 conversation) const;
    void setMuted(qint64 conversation, bool muted);
    /// The conversation the user looks at now (no notification for it while focused).
    void setOpenConversation(std::function<qint64()> open) { m_open = std::move(open); }

    /// The app's icon, with `unread` as a badge when above 0.
    static QIcon icon(int unread);

Q_SIGNALS:
    void conversationClicked(qint64 conversation);
    void mutedChanged();

private:
    void onRefreshed();

    ConversationListModel &m_conversations;
    QSettings &m_settings;
    QWidget *m_window;
    QSystemTrayIcon *m_tray = nullptr;
    /// conversation → (last activity, unread) as last seen here.
    QHash<qint64, QPair<qint64, int>> m_known;
    bool m_primed = false;
    int m_unreadTotal = -1;
    std::function<qint64()> m_open;
    qint64 m_lastClicked = 0;
    QList<Shown> m_shown;
};

} // namespace tidings::app
