#pragma once

#include "util/result.h"

#include <QDateTime>
#include <QFuture>
#include <QList>
#include <QObject>
#include <QString>

namespace tidings::app {

class ChatClient;

/// Whether this device encrypts, for the widgets: ChatClient's E2eEngine, whose header
/// app/ui does not include (tests/unit/layering_check.cmake), read and watched here. Also
/// the account's devices and linking a new one (docs/encryption.md, section 3), as plain
/// values.
class E2eStatus : public QObject
{
    Q_OBJECT

public:
    /// E2eEngine::State, value for value.
    enum class State { Off, SettingUp, Ready, NeedsLink, Failed };
    Q_ENUM(State)

    /// One of the account's devices, as the relay lists it.
    struct Device
    {
        quint32 id = 0;
        QString name;
        QDateTime added;
        QDateTime lastSeen; ///< invalid when never seen
        bool current = false; ///< this device
    };

    explicit E2eStatus(ChatClient &client, QObject *parent = nullptr);

    State state() const;
    /// Why it failed (State::Failed), in a sentence; empty otherwise.
    QString problem() const;
    /// This device was asked to encrypt (ChatClient::setEndToEnd), whatever its state.
    bool isEnabled() const;
    /// The relay requires encryption: this device encrypts whatever the setting says.
    bool isRequired() const;

    /// The account's devices: this one first, then the others as they were added.
    QFuture<Result<QList<Device>>> devices();
    /// Removes another device of this account (this device must be Ready).
    QFuture<Result<void>> removeDevice(quint32 id);

    /// On a Ready device: checks the account's password and resolves to the link code to
    /// show. linkRequested() follows when a new device types it.
    QFuture<Result<QString>> offerLink(const QString &password);
    /// The user's answer to linkRequested(); linkFinished() follows.
    void answerLinkRequest(bool approve);
    /// Ends this device's offer, if it has one.
    void cancelLink();
    /// On a device that needs linking: links it with the code typed from the other device.
    /// Resolves once it is Ready, or with why not.
    QFuture<Result<void>> linkWithCode(const QString &code);

Q_SIGNALS:
    void changed();
    /// A device called `name` typed this device's code: ask, then answerLinkRequest().
    void linkRequested(const QString &name);
    /// This device's offer ended: linked or not, and a sentence saying so.
    void linkFinished(bool linked, const QString &message);

private:
    ChatClient &m_client;
};

} // namespace tidings::app
