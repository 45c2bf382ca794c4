#pragma once

#include <QDialog>

class QFormLayout;
class QSettings;

namespace tidings::app {

class ChatClient;
class E2eStatus;

/// Theme, font size, language, notifications, privacy and encryption, the account's
/// devices, downloaded files; signing out.
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
    /// Encrypt end to end, and what this device's encryption is doing.
    void addEncryption(QFormLayout *form);
    /// The account's devices, removing one, linking a new one (after addEncryption).
    void addDevices(QFormLayout *form);
    void addStorage(QFormLayout *form);

    ChatClient &m_client;
    QSettings &m_settings;
    E2eStatus *m_e2e = nullptr;
};

} // namespace tidings::app
