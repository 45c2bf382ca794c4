#pragma once

#include <QDialog>

class QCheckBox;
class QLabel;
class QPushButton;
class QWidget;

namespace tidings::app {

class ChatClient;

namespace local::e2e {
struct Trust;
}

/// "Verify safety number" for one person (docs/encryption.md, section 7): the 60 digits
/// this device and theirs both compute, in twelve groups of five to read out or compare,
/// beside the same number as a QR code (when the build has libqrencode), what to compare,
/// and "Mark as verified". While their safety number has changed and waits for "I
/// understand", it says so, and offers that first: the digits it has are those of the key
/// they had before.
class SafetyNumberDialog : public QDialog
{
    Q_OBJECT

public:
    SafetyNumberDialog(ChatClient &client, qint64 user, const QString &name,
                       QWidget *parent = nullptr);

    qint64 user() const { return m_user; }

Q_SIGNALS:
    /// The user marked the number verified or not, or accepted a change, here.
    void trustChanged();

private:
    void reload();
    void showTrust(const local::e2e::Trust &trust);
    void setVerified(bool verified);
    void acceptChange();

    ChatClient &m_client;
    qint64 m_user;
    QString m_name;
    QLabel *m_qrCode = nullptr;
    QWidget *m_digits = nullptr;
    QList<QLabel *> m_groups;
    QLabel *m_help = nullptr;
    QLabel *m_changed = nullptr;
    QPushButton *m_accept = nullptr;
    QCheckBox *m_verified = nullptr;
    QLabel *m_state = nullptr;
};

} // namespace tidings::app
