#include "core/e2e_engine.h"

#include "core/connection.h"
#include "core/core_logging.h"
#include "core/e2e_queries.h"
#include "core/local_store.h"
#include "core/outbox.h"
#include "e2e/device_link.h"
#include "e2e/key_pairs.h"
#include "protocol/frame.h"
#include "protocol/messages/device_inbox.h"
#include "protocol/messages/device_link.h"
#include "protocol/messages/key_directory.h"
#include "protocol/messages/key_directory_replies.h"
#include "protocol/messages/replies.h"
#include "util/futures.h"

#include <QDateTime>
#include <QJsonArray>
#include <QPromise>
#include <QSysInfo>
#include <QTimer>

#include <sodium.h>

namespace tidings::app {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

/// Inbox messages asked for at once.
constexpr int kInboxPage = 100;
/// Rounds of looking devices up before sealing gives up for now (a list that keeps
/// changing); the next flush tries again.
constexpr int kSealRounds = 3;
/// Devices per prekeys.claim (the relay's limit).
constexpr qsizetype kClaimBatch = 256;

QJsonArray idsOf(const QList<qint64> &users)
{
    QJsonArray ids;
    for (const qint64 user : users)
        ids.append(user);
    return ids;
}

} // namespace

struct E2eEngine::Offer
{
    QString id;
    tidings::e2e::DhKeyPair ephemeral; ///< e_O, E_O
    tidings::e2e::LinkCode code;
    QByteArray newKey; ///< E_N, once answered
    std::optional<tidings::e2e::LinkKeys> keys;
    std::optional<tidings::e2e::LinkAnswer> answer;
};

struct E2eEngine::Join
{
    QString offer;
    QByteArray offeringKey; ///< E_O
    tidings::e2e::DhKeyPair ephemeral; ///< e_N, E_N
    tidings::e2e::SigningKeyPair deviceKey;
    tidings::e2e::LinkKeys keys;
    std::shared_ptr<QPromise<Result<void>>> promise;
    QTimer *deadline = nullptr;
};

E2eEngine::E2eEngine(Connection &connection, LocalStore &store, Outbox &outbox, QObject *parent)
    : QObject(parent), m_connection(connection), m_store(store), m_outbox(outbox),
      m_deviceName(u"Tidings on %1"_s.arg(QSysInfo::machineHostName()))
{
    connect(&connection, &Connection::signedIn, this, &E2eEngine::onSignedIn);
    connect(&connection, &Connection::eventReceived, this, &E2eEngine::onFrame);
    connect(&connection, &Connection::stateChanged, this, [this](Connection::State state) {
        if (state != Connection::State::Connected) {
            ++m_generation; // what is in flight will not be answered
            m_sealing.clear();
            m_draining = false;
            m_drainAgain = false;
        }
    });
    connect(&outbox, &Outbox::needsSealing, this, [this](const QString &key) { seal(key); });
    m_prekeyCheck = new QTimer(this);
    m_prekeyCheck->setInterval(std::chrono::hours(12));
    connect(m_prekeyCheck, &QTimer::timeout, this, [this] {
        if (m_state == State::Ready)
            topUpPreKeys();
    });
    m_prekeyCheck->start();
}

E2eEngine::~E2eEngine()
{
    if (m_join && m_join->promise) {
        m_join->promise->addResult(Result<void>(Error{ErrorCode::Unavailable, u"closed"_s}));
        m_join->promise->finish();
    }
}

void E2eEngine::setEnabled(bool on)
{
    m_enabled = on;
    m_outbox.setEncrypting(isEnabled());
}

void E2eEngine::setState(State state, const QString &problem)
{
    m_problem = problem;
    if (state == m_state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void E2eEngine::onSignedIn()
{
    ++m_generation;
    m_sealing.clear();
    const auto mode = m_connection.terms().e2e;
    m_required = mode && *mode == u"required";
    m_outbox.setEncrypting(isEnabled());
    if (!isEnabled())
        return setState(State::Off);
    if (!mode || *mode == u"off")
        return setState(State::Failed, tr("This server does not support end-to-end encryption."));
    setUp();
}

void E2eEngine::setUp()
{
    setState(State::SettingUp);
    const quint64 generation = m_generation;
    const qint64 me = m_connection.userId();
    whenReady(
        m_connection.request(QString::fromLatin1(messages::GetDevices::kType),
                             messages::GetDevices{{me}}.encode()),
        this, [this, generation, me](const Result<QJsonObject> &answer) {
            if (generation != m_generation)
                return;
            if (!answer)
                return setState(State::Failed, answer.error().message);
            auto directory = messages::DeviceDirectory::decode(*answer);
            if (!directory)
                return setState(State::Failed, directory.error().message);
            std::optional<messages::UserDevices> published;
            for (const messages::UserDevices &user : directory->users) {
                if (user.user == me)
                    published = user;
            }
            m_store
                .write<local::e2e::Setup>([me, published, name = m_deviceName](QSqlDatabase &db) {
                    return local::e2e::setUp(db, me, published, name);
                })
                .then(this, [this, generation, published](const Result<local::e2e::Setup> &setup) {
                    if (generation != m_generation)
                        return;
                    if (!setup) {
                        if (published)
                            m_publishedIdentity = published->identityKey;
                        return setState(setup.error().code == ErrorCode::Forbidden
                                            ? State::NeedsLink
                                            : State::Failed,
                                        setup.error().message);
                    }
                    bool registered = false;
                    if (published) {
                        for (const messages::DeviceInfo &device : published->devices)
                            registered = registered
                                || (device.current && device.id == setup->registration.device);
                    }
                    // Publish (only where nothing is), register, upload: one after the other.
                    QFuture<Result<QJsonObject>> step = published
                        ? readyFuture(Result<QJsonObject>(QJsonObject()))
                        : m_connection.request(QString::fromLatin1(messages::PublishDevices::kType),
                                               messages::PublishDevices{setup->identityKey,
                                                                        setup->listVersion,
                                                                        setup->list, false}
                                                   .encode());
                    whenReady(step, this,
                              [this, generation, setup = *setup,
                               registered](const Result<QJsonObject> &publishedNow) {
                                  if (generation != m_generation)
                                      return;
                                  if (!publishedNow)
                                      return setState(State::Failed, publishedNow.error().message);
                                  registerAndUpload(setup.registration.encode(),
                                                    setup.prekeys ? setup.prekeys->encode()
                                                                  : QJsonObject(),
                                                    registered);
                              });
                });
        });
}

void E2eEngine::registerAndUpload(const QJsonObject &registration, const QJsonObject &prekeys,
                                  bool registered, std::function<void(const Result<void> &)> done)
{
    const quint64 generation = m_generation;
    QFuture<Result<QJsonObject>> registering = registered
        ? readyFuture(Result<QJsonObject>(QJsonObject()))
        : m_connection.request(QString::fromLatin1(messages::RegisterDevice::kType), registration);
    whenReady(
        registering, this, [this, generation, prekeys, done](const Result<QJsonObject> &answer) {
            const auto finish = [&done](const Result<void> &result) {
                if (done)
                    done(result);
            };
            if (generation != m_generation)
                return finish(Error{ErrorCode::Unavailable, tr("The connection dropped.")});
            if (!answer && answer.error().code != ErrorCode::Conflict) {
                setState(State::Failed, answer.error().message);
                return finish(answer.error());
            }
            if (!prekeys.isEmpty())
                m_connection.request(QString::fromLatin1(messages::UploadPreKeys::kType), prekeys);
            else
                topUpPreKeys();
            setState(State::Ready);
            drainInbox();
            m_outbox.flush();
            finish({});
        });
}

void E2eEngine::topUpPreKeys()
{
    const quint64 generation = m_generation;
    whenReady(
        m_connection.request(QString::fromLatin1(messages::CountPreKeys::kType)), this,
        [this, generation](const Result<QJsonObject> &answer) {
            if (generation != m_generation || !answer)
                return;
            const auto count = messages::PreKeyCount::decode(*answer);
            if (!count)
                return;
            m_store
                .write<std::optional<messages::UploadPreKeys>>(
                    [count = *count, at = QDateTime::currentMSecsSinceEpoch()](QSqlDatabase &db) {
                        return local::e2e::prekeysToUpload(db, count, at);
                    })
                .then(this,
                      [this,
                       generation](const Result<std::optional<messages::UploadPreKeys>> &upload) {
                          if (generation != m_generation || !upload || !*upload)
                              return;
                          m_connection.request(QString::fromLatin1(messages::UploadPreKeys::kType),
                                               (*upload)->encode());
                      });
        });
}

void E2eEngine::onFrame(const protocol::Frame &frame)
{
    if (frame.type == QLatin1StringView(messages::AnswerLink::kType))
        return onLinkAnswer(frame.fields);
    if (frame.type == QLatin1StringView(messages::CompleteLink::kType))
        return onLinkComplete(frame.fields);
    if (frame.type == QLatin1StringView(messages::CancelLink::kType)) {
        const QString offer = frame.fields.value(u"offer").toString();
        if (m_offer && m_offer->id == offer)
            finishOffer(false, tr("The other device stopped linking."));
        // After this device answered, a cancel most often means the code was wrong.
        if (m_join && m_join->offer == offer)
            failJoin({ErrorCode::Conflict,
                      tr("The other device stopped linking: the code may have been wrong. "
                         "Start again on the other device.")});
        return;
    }
    if (m_state != State::Ready)
        return;
    if (frame.type == QLatin1StringView(messages::InboxMessage::kType)) {
        drainInbox();
    } else if (frame.type == QLatin1StringView(messages::DevicesEvent::kType)) {
        const auto event = messages::DevicesEvent::decode(frame.fields);
        if (!event)
            return;
        m_store.write<bool>([user = event->user](QSqlDatabase &db) -> Result<bool> {
            if (auto marked = local::e2e::devicesChanged(db, user); !marked)
                return marked.error();
            return true;
        });
    } else if (frame.type == u"prekeys.low") {
        topUpPreKeys();
    }
}

void E2eEngine::seal(const QString &key, int round)
{
    if (m_state != State::Ready || (round == 0 && m_sealing.contains(key)))
        return;
    m_sealing.insert(key);
    const quint64 generation = m_generation;
    const qint64 me = m_connection.userId();
    m_store
        .read<local::e2e::SealNeeds>(
            [key, me](QSqlDatabase &db) { return local::e2e::sealNeeds(db, key, me); })
        .then(this, [this, key, round, generation, me](const Result<local::e2e::SealNeeds> &needs) {
            if (generation != m_generation)
                return;
            if (!needs) {
                m_sealing.remove(key);
                return;
            }
            if (!needs->changed.isEmpty()) {
                // A member's safety number changed: nothing goes until it is acknowledged.
                m_sealing.remove(key);
                Q_EMIT blockedByKeyChange(needs->changed);
                return;
            }
            if (!needs->lookUp.isEmpty()) {
                if (round >= kSealRounds) {
                    m_sealing.remove(key);
                    return;
                }
                whenReady(
                    m_connection.request(QString::fromLatin1(messages::GetDevices::kType),
                                         QJsonObject{{u"users"_s, idsOf(needs->lookUp)}}),
                    this, [this, key, round, generation, me](const Result<QJsonObject> &answer) {
                        if (generation != m_generation)
                            return;
                        auto directory = answer ? messages::DeviceDirectory::decode(*answer)
                                                : Result<messages::DeviceDirectory>(answer.error());
                        if (!directory) {
                            m_sealing.remove(key);
                            return;
                        }
                        m_store
                            .write<QList<qint64>>([me, users = directory->users](QSqlDatabase &db) {
                                return local::e2e::storeDevices(db, me, users);
                            })
                            .then(this,
                                  [this, key, round,
                                   generation](const Result<QList<qint64>> &stored) {
                                      if (generation != m_generation)
                                          return;
                                      if (!stored) {
                                          m_sealing.remove(key);
                                          return;
                                      }
                                      seal(key, round + 1);
                                  });
                    });
                return;
            }
            QList<QJsonObject> devices;
            for (const messages::DeviceAddress &device : needs->claim)
                devices.append(
                    QJsonObject{{u"user"_s, device.user}, {u"device"_s, qint64(device.device)}});
            claimAndSeal(key, devices);
        });
}

void E2eEngine::claimAndSeal(const QString &key, const QList<QJsonObject> &devices)
{
    if (devices.isEmpty())
        return finishSeal(key, {});
    const quint64 generation = m_generation;
    // One claim of up to kClaimBatch devices per seal; more wait for the next.
    QJsonArray batch;
    for (qsizetype i = 0; i < devices.size() && i < kClaimBatch; ++i)
        batch.append(devices[i]);
    whenReady(m_connection.request(QString::fromLatin1(messages::ClaimPreKeys::kType),
                                   QJsonObject{{u"devices"_s, batch}}),
              this, [this, key, generation](const Result<QJsonObject> &answer) {
                  if (generation != m_generation)
                      return;
                  auto claimed = answer ? messages::ClaimedPreKeys::decode(*answer)
                                        : Result<messages::ClaimedPreKeys>(answer.error());
                  if (!claimed) {
                      m_sealing.remove(key);
                      return;
                  }
                  finishSeal(key, claimed->bundles);
              });
}

void E2eEngine::finishSeal(const QString &key, const QList<messages::PreKeyBundleInfo> &bundles)
{
    const quint64 generation = m_generation;
    const qint64 me = m_connection.userId();
    m_store
        .write<bool>(
            [key, me, bundles](QSqlDatabase &db) { return local::e2e::seal(db, key, me, bundles); })
        .then(this, [this, key, generation](const Result<bool> &sealed) {
            m_sealing.remove(key);
            if (generation != m_generation)
                return;
            if (!sealed) {
                qCWarning(lcOutbox) << "could not seal" << key << sealed.error().message;
                if (sealed.error().code != ErrorCode::Unavailable)
                    m_outbox.sealFailed(key, 0, sealed.error().message);
                return;
            }
            m_outbox.flush();
        });
}

void E2eEngine::drainInbox()
{
    if (m_state != State::Ready)
        return;
    if (m_draining) {
        m_drainAgain = true;
        return;
    }
    m_draining = true;
    m_drainAgain = false;
    const quint64 generation = m_generation;
    m_store.read<qint64>([](QSqlDatabase &db) { return local::e2e::inboxCursor(db); })
        .then(this, [this, generation](const Result<qint64> &cursor) {
            if (generation != m_generation)
                return;
            if (!cursor) {
                m_draining = false;
                return;
            }
            whenReady(m_connection.request(QString::fromLatin1(messages::FetchInbox::kType),
                                           messages::FetchInbox{*cursor, kInboxPage}.encode()),
                      this, [this, generation](const Result<QJsonObject> &answer) {
                          if (generation != m_generation)
                              return;
                          auto page = answer ? messages::InboxPage::decode(*answer)
                                             : Result<messages::InboxPage>(answer.error());
                          if (!page) {
                              m_draining = false;
                              return;
                          }
                          applyInbox(page->messages, page->more);
                      });
        });
}

void E2eEngine::applyInbox(const QList<messages::InboxMessage> &inbox, bool more)
{
    const quint64 generation = m_generation;
    const qint64 me = m_connection.userId();
    auto finish = [this, generation, more](qint64 upTo) {
        if (generation != m_generation)
            return;
        if (upTo > 0)
            m_connection.request(QString::fromLatin1(messages::AckInbox::kType),
                                 messages::AckInbox{upTo}.encode());
        m_draining = false;
        if (more || m_drainAgain)
            drainInbox();
    };
    if (inbox.isEmpty())
        return finish(0);
    // The senders' devices first, so their messages can be checked.
    m_store
        .read<QList<qint64>>(
            [inbox](QSqlDatabase &db) { return local::e2e::unknownSenders(db, inbox); })
        .then(this, [this, generation, me, inbox, finish](const Result<QList<qint64>> &unknown) {
            if (generation != m_generation)
                return;
            QFuture<Result<QJsonObject>> lookUp = unknown && !unknown->isEmpty()
                ? m_connection.request(QString::fromLatin1(messages::GetDevices::kType),
                                       QJsonObject{{u"users"_s, idsOf(*unknown)}})
                : readyFuture(Result<QJsonObject>(QJsonObject{{u"users"_s, QJsonArray()}}));
            whenReady(
                lookUp, this,
                [this, generation, me, inbox, finish](const Result<QJsonObject> &answer) {
                    if (generation != m_generation)
                        return;
                    if (!answer) {
                        m_draining = false; // the link dropped: again at the next sign-in
                        return;
                    }
                    const auto directory = messages::DeviceDirectory::decode(*answer);
                    const QList<messages::UserDevices> users
                        = directory ? directory->users : QList<messages::UserDevices>();
                    // Users whose identity changed: written by the job, read once it is done.
                    auto changed = std::make_shared<QList<qint64>>();
                    m_store
                        .write<QList<qint64>>(
                            [me, inbox, users, changed](QSqlDatabase &db) -> Result<QList<qint64>> {
                                if (!users.isEmpty()) {
                                    auto stored = local::e2e::storeDevices(db, me, users);
                                    if (!stored)
                                        return stored.error();
                                    *changed = *stored;
                                }
                                QList<qint64> conversations;
                                for (const messages::InboxMessage &message : inbox) {
                                    auto received = local::e2e::receive(db, message, me);
                                    if (!received)
                                        return received.error();
                                    for (const qint64 conversation : received->conversations) {
                                        if (!conversations.contains(conversation))
                                            conversations.append(conversation);
                                    }
                                }
                                return conversations;
                            })
                        .then(this,
                              [this, inbox, finish, changed](const Result<QList<qint64>> &opened) {
                                  if (!changed->isEmpty())
                                      Q_EMIT blockedByKeyChange(
                                          *changed); // their chats show it now
                                  if (!opened) {
                                      qCWarning(lcOutbox)
                                          << "could not apply the inbox:" << opened.error().message;
                                      m_draining = false;
                                      return;
                                  }
                                  for (const qint64 conversation : *opened)
                                      Q_EMIT this->opened(conversation);
                                  finish(inbox.last().seq);
                              });
                });
        });
}

} // namespace tidings::app

namespace tidings::app {

QFuture<Result<QString>> E2eEngine::offerLink(const QString &password)
{
    if (m_state != State::Ready)
        return readyFuture(Result<QString>(
            Error{ErrorCode::Forbidden, tr("This device is not set up for encryption yet.")}));
    auto offer
        = std::make_unique<Offer>(Offer{{}, tidings::e2e::DhKeyPair::generate(), {}, {}, {}, {}});
    const QByteArray ephemeral = offer->ephemeral.publicKey;
    const quint64 generation = m_generation;
    return whenReady(
        m_connection.request(QString::fromLatin1(messages::OfferLink::kType),
                             messages::OfferLink{password, ephemeral}.encode()),
        this,
        [this, generation, offer = std::shared_ptr<Offer>(std::move(offer))](
            const Result<QJsonObject> &answer) mutable -> Result<QString> {
            if (!answer)
                return answer.error();
            if (generation != m_generation)
                return Error{ErrorCode::Unavailable, tr("The connection dropped; try again.")};
            auto offered = messages::LinkOffered::decode(*answer);
            if (!offered)
                return offered.error();
            offer->id = offered->offer;
            offer->code = tidings::e2e::LinkCode::generate(offer->ephemeral.publicKey);
            m_offer = std::make_unique<Offer>(*offer);
            return m_offer->code.text();
        });
}

void E2eEngine::onLinkAnswer(const QJsonObject &fields)
{
    const auto answer = messages::AnswerLink::decode(fields);
    if (!answer || !m_offer || m_offer->id != answer->offer || m_offer->answer)
        return;
    auto keys = tidings::e2e::LinkKeys::derive(m_offer->code, m_offer->ephemeral, answer->ephemeral,
                                               m_offer->ephemeral.publicKey, answer->ephemeral);
    auto opened = keys
        ? tidings::e2e::openLinkBox(keys->answer, m_offer->id, m_offer->ephemeral.publicKey,
                                    answer->ephemeral, answer->box)
        : Result<QByteArray>(keys.error());
    auto decoded = opened ? tidings::e2e::LinkAnswer::decode(*opened)
                          : Result<tidings::e2e::LinkAnswer>(opened.error());
    if (!decoded) {
        // A wrong code, or someone guessing: the offer is burnt.
        m_connection.request(QString::fromLatin1(messages::CancelLink::kType),
                             messages::CancelLink{m_offer->id}.encode());
        finishOffer(false, tr("The code was wrong; linking stopped."));
        return;
    }
    m_offer->newKey = answer->ephemeral;
    m_offer->keys = *keys;
    m_offer->answer = *decoded;
    Q_EMIT linkRequested(decoded->name);
}

void E2eEngine::answerLinkRequest(bool approve)
{
    if (!m_offer || !m_offer->answer)
        return;
    if (!approve) {
        cancelLink();
        return;
    }
    const qint64 me = m_connection.userId();
    const quint64 generation = m_generation;
    whenReady(
        m_connection.request(QString::fromLatin1(messages::GetDevices::kType),
                             messages::GetDevices{{me}}.encode()),
        this, [this, me, generation](const Result<QJsonObject> &answer) {
            if (generation != m_generation || !m_offer)
                return;
            auto directory = answer ? messages::DeviceDirectory::decode(*answer)
                                    : Result<messages::DeviceDirectory>(answer.error());
            if (!directory)
                return finishOffer(false, directory.error().message);
            std::optional<messages::UserDevices> published;
            for (const messages::UserDevices &user : directory->users) {
                if (user.user == me)
                    published = user;
            }
            m_store
                .write<local::e2e::LinkGrant>([me, published, key = m_offer->answer->deviceKey,
                                               id = m_offer->answer->deviceId](QSqlDatabase &db) {
                    return local::e2e::grantLink(db, me, published, key, id);
                })
                .then(this, [this, generation](const Result<local::e2e::LinkGrant> &grant) {
                    if (generation != m_generation || !m_offer)
                        return;
                    if (!grant)
                        return finishOffer(false, grant.error().message);
                    // The new list first, so the new device registers into it.
                    whenReady(
                        m_connection.request(QString::fromLatin1(messages::PublishDevices::kType),
                                             messages::PublishDevices{grant->identityKey,
                                                                      grant->listVersion,
                                                                      grant->list, false}
                                                 .encode()),
                        this,
                        [this, generation,
                         completion = grant->completion](const Result<QJsonObject> &listed) {
                            if (generation != m_generation || !m_offer)
                                return;
                            if (!listed)
                                return finishOffer(false, listed.error().message);
                            const QByteArray box = tidings::e2e::sealLinkBox(
                                m_offer->keys->complete, m_offer->id, m_offer->ephemeral.publicKey,
                                m_offer->newKey, completion);
                            const QString name = m_offer->answer->name;
                            const quint32 newDevice = m_offer->answer->deviceId;
                            whenReady(m_connection.request(
                                          QString::fromLatin1(messages::CompleteLink::kType),
                                          messages::CompleteLink{m_offer->id, box}.encode()),
                                      this,
                                      [this, name, newDevice](const Result<QJsonObject> &done) {
                                          if (!done)
                                              return finishOffer(false, done.error().message);
                                          finishOffer(true, tr("%1 is linked.").arg(name));
                                          sendHistory(newDevice);
                                      });
                        });
                });
        });
}

void E2eEngine::sendHistory(quint32 device, int attempt)
{
    // The new device registers and uploads its prekeys right after the completion; until
    // then there is nothing to claim.
    constexpr int kAttempts = 30;
    constexpr int kRetryMs = 1000;
    if (attempt >= kAttempts || m_state != State::Ready)
        return;
    const qint64 me = m_connection.userId();
    const quint64 generation = m_generation;
    const auto again = [this, device, attempt] {
        QTimer::singleShot(kRetryMs, this,
                           [this, device, attempt] { sendHistory(device, attempt + 1); });
    };
    whenReady(
        m_connection.request(QString::fromLatin1(messages::GetDevices::kType),
                             messages::GetDevices{{me}}.encode()),
        this, [this, me, device, generation, again](const Result<QJsonObject> &answer) {
            if (generation != m_generation)
                return;
            auto directory = answer ? messages::DeviceDirectory::decode(*answer)
                                    : Result<messages::DeviceDirectory>(answer.error());
            if (!directory)
                return again();
            m_store
                .write<QList<qint64>>([me, users = directory->users](QSqlDatabase &db) {
                    return local::e2e::storeDevices(db, me, users);
                })
                .then(this, [this, me, device, generation, again](const Result<QList<qint64>> &) {
                    if (generation != m_generation)
                        return;
                    const QJsonObject address{{u"user"_s, me}, {u"device"_s, qint64(device)}};
                    whenReady(
                        m_connection.request(QString::fromLatin1(messages::ClaimPreKeys::kType),
                                             QJsonObject{{u"devices"_s, QJsonArray{address}}}),
                        this, [this, me, generation, again](const Result<QJsonObject> &claimed) {
                            if (generation != m_generation)
                                return;
                            auto bundles = claimed
                                ? messages::ClaimedPreKeys::decode(*claimed)
                                : Result<messages::ClaimedPreKeys>(claimed.error());
                            if (!bundles || bundles->bundles.isEmpty())
                                return again();
                            m_store
                                .write<bool>(
                                    [me, bundle = bundles->bundles.first()](QSqlDatabase &db) {
                                        return local::e2e::sealHistory(db, me, bundle);
                                    })
                                .then(this, [this, again](const Result<bool> &sealed) {
                                    if (!sealed) {
                                        qCWarning(lcOutbox)
                                            << "could not give the linked device its history:"
                                            << sealed.error().message;
                                        return again();
                                    }
                                    m_outbox.flush();
                                });
                        });
                });
        });
}

void E2eEngine::cancelLink()
{
    if (!m_offer)
        return;
    m_connection.request(QString::fromLatin1(messages::CancelLink::kType),
                         messages::CancelLink{m_offer->id}.encode());
    finishOffer(false, tr("Linking was cancelled."));
}

void E2eEngine::finishOffer(bool linked, const QString &message)
{
    m_offer.reset();
    Q_EMIT linkFinished(linked, message);
}

QFuture<Result<void>> E2eEngine::linkWithCode(const QString &typed)
{
    if (m_state != State::NeedsLink)
        return readyFuture(
            Result<void>(Error{ErrorCode::Conflict, tr("This device does not need linking.")}));
    if (m_join)
        return readyFuture(
            Result<void>(Error{ErrorCode::Conflict, tr("This device is linking already.")}));
    const auto code = tidings::e2e::LinkCode::parse(typed);
    if (!code)
        return readyFuture(Result<void>(code.error()));
    auto promise = std::make_shared<QPromise<Result<void>>>();
    promise->start();
    QFuture<Result<void>> future = promise->future();
    whenReady(
        m_connection.request(QString::fromLatin1(messages::FindLink::kType)), this,
        [this, code = *code, promise](const Result<QJsonObject> &answer) {
            auto found = answer ? messages::LinkFound::decode(*answer)
                                : Result<messages::LinkFound>(answer.error());
            const auto fail = [promise](const Error &error) {
                promise->addResult(Result<void>(error));
                promise->finish();
            };
            if (!found) {
                return fail(found.error().code == ErrorCode::NotFound
                                ? Error{ErrorCode::NotFound,
                                        tr("No device is offering to link. On the other "
                                           "device, choose Link a new device first.")}
                                : found.error());
            }
            if (!code.matches(found->ephemeral))
                return fail({ErrorCode::BadRequest, tr("This code is for another device.")});
            const tidings::e2e::DhKeyPair ephemeral = tidings::e2e::DhKeyPair::generate();
            auto keys = tidings::e2e::LinkKeys::derive(code, ephemeral, found->ephemeral,
                                                       found->ephemeral, ephemeral.publicKey);
            if (!keys)
                return fail(keys.error());
            tidings::e2e::SigningKeyPair deviceKey = tidings::e2e::SigningKeyPair::generate();
            quint32 deviceId = 0;
            while (deviceId == 0)
                deviceId = randombytes_random();
            const tidings::e2e::LinkAnswer linkAnswer{deviceKey.publicKey(), deviceId,
                                                      m_deviceName.left(100)};
            const QByteArray box
                = tidings::e2e::sealLinkBox(keys->answer, found->offer, found->ephemeral,
                                            ephemeral.publicKey, linkAnswer.encode());
            m_join = std::make_unique<Join>(Join{found->offer, found->ephemeral, ephemeral,
                                                 deviceKey, *keys, promise, nullptr});
            // The offer ends at its expiry at the latest.
            m_join->deadline = new QTimer(this);
            m_join->deadline->setSingleShot(true);
            connect(m_join->deadline, &QTimer::timeout, this, [this] {
                failJoin({ErrorCode::Unavailable, tr("The link code expired. Start again.")});
            });
            m_join->deadline->start(int(std::clamp<qint64>(
                found->expiresAt - QDateTime::currentMSecsSinceEpoch(), 1000, 15 * 60 * 1000)));
            whenReady(m_connection.request(
                          QString::fromLatin1(messages::AnswerLink::kType),
                          messages::AnswerLink{found->offer, ephemeral.publicKey, box}.encode()),
                      this, [this](const Result<QJsonObject> &answered) {
                          if (!answered)
                              failJoin(answered.error());
                      });
        });
    return future;
}

void E2eEngine::failJoin(const Error &error)
{
    if (!m_join)
        return;
    const std::unique_ptr<Join> join = std::move(m_join);
    if (join->deadline)
        join->deadline->deleteLater();
    join->promise->addResult(Result<void>(error));
    join->promise->finish();
}

void E2eEngine::onLinkComplete(const QJsonObject &fields)
{
    const auto completed = messages::CompleteLink::decode(fields);
    if (!completed || !m_join || m_join->offer != completed->offer)
        return;
    auto opened
        = tidings::e2e::openLinkBox(m_join->keys.complete, m_join->offer, m_join->offeringKey,
                                    m_join->ephemeral.publicKey, completed->box);
    if (!opened)
        return failJoin(opened.error());
    const qint64 me = m_connection.userId();
    m_store
        .write<local::e2e::Setup>([me, completion = *opened,
                                   keyPair = m_join->deviceKey.serialise(), name = m_deviceName,
                                   identity = m_publishedIdentity](QSqlDatabase &db) mutable {
            auto setup = local::e2e::adoptLink(db, me, completion, keyPair, name, identity);
            tidings::e2e::wipe(completion);
            tidings::e2e::wipe(keyPair);
            return setup;
        })
        .then(this, [this](const Result<local::e2e::Setup> &setup) {
            if (!setup)
                return failJoin(setup.error());
            if (!m_join)
                return;
            // The offer is done either way: what is left is this device's own registration.
            const std::unique_ptr<Join> join = std::move(m_join);
            if (join->deadline)
                join->deadline->deleteLater();
            registerAndUpload(setup->registration.encode(),
                              setup->prekeys ? setup->prekeys->encode() : QJsonObject(), false,
                              [promise = join->promise](const Result<void> &registered) {
                                  promise->addResult(registered);
                                  promise->finish();
                              });
        });
}

QFuture<Result<QList<messages::DeviceInfo>>> E2eEngine::devices()
{
    const qint64 me = m_connection.userId();
    return whenReady(
        m_connection.request(QString::fromLatin1(messages::GetDevices::kType),
                             messages::GetDevices{{me}}.encode()),
        this, [me](const Result<QJsonObject> &answer) -> Result<QList<messages::DeviceInfo>> {
            if (!answer)
                return answer.error();
            auto directory = messages::DeviceDirectory::decode(*answer);
            if (!directory)
                return directory.error();
            for (const messages::UserDevices &user : directory->users) {
                if (user.user == me)
                    return user.devices;
            }
            return QList<messages::DeviceInfo>();
        });
}

QFuture<Result<void>> E2eEngine::removeDevice(quint32 device)
{
    if (m_state != State::Ready)
        return readyFuture(Result<void>(
            Error{ErrorCode::Forbidden, tr("This device is not set up for encryption yet.")}));
    const qint64 me = m_connection.userId();
    auto promise = std::make_shared<QPromise<Result<void>>>();
    promise->start();
    QFuture<Result<void>> future = promise->future();
    const auto finish = [promise](const Result<void> &result) {
        promise->addResult(result);
        promise->finish();
    };
    whenReady(m_connection.request(QString::fromLatin1(messages::GetDevices::kType),
                                   messages::GetDevices{{me}}.encode()),
              this, [this, me, device, finish](const Result<QJsonObject> &answer) {
                  auto directory = answer ? messages::DeviceDirectory::decode(*answer)
                                          : Result<messages::DeviceDirectory>(answer.error());
                  if (!directory)
                      return finish(directory.error());
                  std::optional<messages::UserDevices> published;
                  for (const messages::UserDevices &user : directory->users) {
                      if (user.user == me)
                          published = user;
                  }
                  if (!published)
                      return finish(Error{ErrorCode::NotFound, tr("This account has no devices.")});
                  m_store
                      .write<QByteArray>([me, published = *published, device](QSqlDatabase &db) {
                          return local::e2e::listWithout(db, me, published, device);
                      })
                      .then(this, [this, device, finish](const Result<QByteArray> &list) {
                          if (!list)
                              return finish(list.error());
                          whenReady(m_connection.request(
                                        QString::fromLatin1(messages::RemoveDevice::kType),
                                        messages::RemoveDevice{device, *list}.encode()),
                                    this, [finish](const Result<QJsonObject> &removed) {
                                        if (!removed)
                                            return finish(removed.error());
                                        finish({});
                                    });
                      });
              });
    return future;
}

} // namespace tidings::app
