#pragma once

#include "util/result.h"

#include <QFuture>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>

#include <functional>
#include <memory>

QT_FORWARD_DECLARE_CLASS(QTimer)

namespace tidings::protocol {
struct Frame;
}
namespace tidings::protocol::messages {
struct DeviceInfo;
struct InboxMessage;
struct PreKeyBundleInfo;
} // namespace tidings::protocol::messages

namespace tidings::app {

class Connection;
class LocalStore;
class Outbox;

/// End-to-end encryption, the network side (docs/encryption.md): at each sign-in it sets
/// this device up on the relay (the identity and device list the first time, the device's
/// registration, prekeys topped up); it seals what the Outbox asks it to (fetching the
/// members' devices and prekey bundles first); and it drains this device's inbox (the
/// sender chains other devices hand it), acking only what is committed. The crypto and
/// the state it changes are local queries (e2e_queries.h), one transaction each.
class E2eEngine : public QObject
{
    Q_OBJECT
public:
    enum class State {
        Off, ///< not asked for, or the relay does not do it
        SettingUp,
        Ready,
        /// This account has keys on another device: this one must be linked from there.
        NeedsLink,
        Failed, ///< see problem()
    };
    Q_ENUM(State)

    E2eEngine(Connection &connection, LocalStore &store, Outbox &outbox, QObject *parent = nullptr);
    ~E2eEngine() override;

    /// Whether this client encrypts (asked before start()). A relay whose `e2e` is
    /// `required` makes it encrypt whatever was asked (isRequired()).
    void setEnabled(bool on);
    bool isEnabled() const { return m_enabled || m_required; }
    /// The relay this client signed in to last requires end-to-end encryption.
    bool isRequired() const { return m_required; }
    State state() const { return m_state; }
    QString problem() const { return m_problem; }
    /// The name this device registers under (default: "Tidings on <host>").
    void setDeviceName(const QString &name) { m_deviceName = name; }

    /// Linking a new device, on one that is Ready (docs/encryption.md, section 3): opens an
    /// offer with the account's password and resolves to the link code to show (six groups
    /// of four characters). linkRequested() follows when a device answers it.
    QFuture<Result<QString>> offerLink(const QString &password);
    /// The user's answer to linkRequested(): yes hands the new device the account's keys;
    /// no ends the offer. linkFinished() follows.
    void answerLinkRequest(bool approve);
    /// Ends an offer this device made, if there is one.
    void cancelLink();
    /// On a device in NeedsLink: links it with `code` (typed from the other device's screen).
    /// Resolves once it is Ready, or with why not.
    QFuture<Result<void>> linkWithCode(const QString &code);

    /// This account's devices as the relay lists them (`current`: this one).
    QFuture<Result<QList<protocol::messages::DeviceInfo>>> devices();
    /// "Remove this device" for another device of this account: publishes the list without
    /// it; the relay ends its session. Every chain rotates away from it before it sends.
    QFuture<Result<void>> removeDevice(quint32 device);

Q_SIGNALS:
    void stateChanged(tidings::app::E2eEngine::State state);
    /// Messages of `conversation` that waited for their key were opened.
    void opened(qint64 conversation);
    /// A message to `users` waits: their safety numbers changed, and the user has not
    /// acknowledged it yet (ChatClient::acknowledgeKeyChange).
    void blockedByKeyChange(const QList<qint64> &users);
    /// A device called `name` answered this device's offer with the right code: ask the
    /// user, then answerLinkRequest().
    void linkRequested(const QString &name);
    /// The offer this device made ended: linked (`linked`), or not, and why.
    void linkFinished(bool linked, const QString &message);

private:
    void onSignedIn();
    void onFrame(const protocol::Frame &frame);
    void setState(State state, const QString &problem = {});
    void setUp();
    void topUpPreKeys();
    void seal(const QString &key, int round = 0);
    void claimAndSeal(const QString &key, const QList<QJsonObject> &devices);
    void finishSeal(const QString &key, const QList<protocol::messages::PreKeyBundleInfo> &bundles);
    void drainInbox();
    void onLinkAnswer(const QJsonObject &fields);
    void onLinkComplete(const QJsonObject &fields);
    void finishOffer(bool linked, const QString &message);
    /// Hands the newly linked device `device` the keys to this device's history, once it
    /// has registered (tried again a few times until it has).
    void sendHistory(quint32 device, int attempt = 0);
    void failJoin(const Error &error);
    /// After a setup or a link: registers (unless `registered`), uploads, and is Ready.
    void registerAndUpload(const QJsonObject &registration, const QJsonObject &prekeys,
                           bool registered, std::function<void(const Result<void> &)> done = {});
    void applyInbox(const QList<protocol::messages::InboxMessage> &messages, bool more);

    Connection &m_connection;
    LocalStore &m_store;
    Outbox &m_outbox;
    bool m_enabled = false;
    bool m_required = false;
    State m_state = State::Off;
    QString m_problem;
    QString m_deviceName;
    /// Keys being sealed now (needsSealing comes at every flush).
    QSet<QString> m_sealing;
    bool m_draining = false;
    bool m_drainAgain = false;
    /// Bumped at every sign-in: answers to an older session's requests are dropped.
    quint64 m_generation = 0;
    /// The account's identity key as the relay publishes it, while this device needs linking.
    QByteArray m_publishedIdentity;
    struct Offer; ///< an offer this device made (e2e_engine.cpp)
    std::unique_ptr<Offer> m_offer;
    struct Join; ///< this device joining through an offer
    std::unique_ptr<Join> m_join;
    /// Prekeys are checked at each sign-in and every 12 hours, so a device that stays signed
    /// in for weeks still rotates its signed prekey.
    QTimer *m_prekeyCheck = nullptr;
};

} // namespace tidings::app
