#pragma once

#include <QDialog>

class QFormLayout;
class QSettings;

namespace tidings::app {

class ChatClient;

/// Theme, font size, language, notifications, privacy, downloaded files; signing out.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    SettingsDialog(ChatClient &client, QSettings &settings, QWidget *parent = nullptr);

Q_SIGNALS:
    /// Theme or font size changed: apply them.
    void appearanceChanged();
    void notificationsChanged();
    void signOutRequested();

private:
    void addAppearance(QFormLayout *form);
    void addNotifications(QFormLayout *form);
    void addPrivacy(QFormLayout *form);
    void addStorage(QFormLayout *form);

    ChatClient &m_client;
    QSettings &m_settings;
};

} // namespace tidings::app
