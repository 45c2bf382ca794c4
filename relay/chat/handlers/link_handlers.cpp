// Linking a new device: link.offer, link.find, link.answer, link.complete, link.cancel
// (docs/protocol.md, "End-to-end encryption: linking a device"; the design in
// docs/encryption.md, section 3). The relay keeps one offer per user and passes two X25519
// keys and two boxes between the offering device and the new one; it opens neither box and
// never sees the code the user types, so it cannot take the identity the boxes carry.
#include "chat/chat_core.h"
#include "chat/handlers/handlers.h"
#include "chat/password_hasher.h"
#include "chat/request.h"
#include "chat/session.h"
#include "gateway/websocket_connection.h"
#include "protocol/messages/device_link.h"
#include "protocol/messages/events.h"
#include "store/account_queries.h"
#include "store/device_link_queries.h"
#include "store/sql_helpers.h"
#include "store/store.h"

#include <QJsonDocument>

namespace tidings::relay {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

template<typename Event> void tell(ChatCore &core, qint64 session, const Event &event)
{
    if (session != 0)
        core.sendToSession(
            session, QJsonDocument(messages::eventFrame(event)).toJson(QJsonDocument::Compact));
}

/// What a session without a device may do: find and answer its user's offer.
void withoutDevice(const Request &request, std::function<void()> then)
{
    withSessionDevice(request, [request, then = std::move(then)](quint32 device) {
        if (device != 0)
            return request.fail(
                Error{ErrorCode::Forbidden,
                      u"this session is a registered device already: a link offer is for a "
                      "new one"_s});
        then();
    });
}

void offerLink(const Request &request, const messages::OfferLink &asked)
{
    // The password is a guess like a login's: the same Argon2id work and the same budget
    // per address, and one per account of its own.
    const double perMinute = request.core().options().signInsPerMinute;
    const QString peer = request.session()->socket().peerAddress().toString();
    if (request.throttled(u"signin:"_s + peer, perMinute / 60.0, perMinute)
        || request.throttled(u"link-offer:"_s + QString::number(request.session()->userId()),
                             perMinute / 60.0, perMinute))
        return;
    withDevice(request, [request, asked](quint32 device) {
        const QString name = request.session()->user().username;
        request.core()
            .store()
            .read<Credentials>(
                [name](QSqlDatabase &db) { return sql::credentialsByUsername(db, name); })
            .then(
                &request.core(), [request, asked, device](const Result<Credentials> &credentials) {
                    if (!credentials)
                        return request.fail(credentials.error());
                    request.core()
                        .passwordHasher()
                        .verify(credentials->passwordHash, asked.password)
                        .then(
                            &request.core(), [request, asked, device](const Result<bool> &matches) {
                                if (!matches)
                                    return request.fail(matches.error());
                                if (!*matches)
                                    return request.fail(
                                        {ErrorCode::Unauthorized, u"the password is wrong"_s});
                                if (!request.session())
                                    return;
                                const UserId user = request.session()->userId();
                                const qint64 session = request.session()->sessionId();
                                request.core()
                                    .store()
                                    .write<sql::PutOffer>(
                                        [user, session, device,
                                         ephemeral = asked.ephemeral](QSqlDatabase &db) {
                                            return sql::putLinkOffer(db, user, session, device,
                                                                     ephemeral, sql::now());
                                        })
                                    .then(&request.core(),
                                          [request](const Result<sql::PutOffer> &put) {
                                              if (!put)
                                                  return request.fail(put.error());
                                              // Both sides of a replaced offer hear it
                                              // is over (but this session, which knows).
                                              if (const auto &old = put->replaced) {
                                                  const messages::CancelLink over{old->id};
                                                  tell(request.core(), old->answerSession, over);
                                                  if (request.session()
                                                      && old->offerSession
                                                          != request.session()->sessionId())
                                                      tell(request.core(), old->offerSession, over);
                                              }
                                              request.reply(messages::LinkOffered{
                                                  put->offer.id, put->offer.expiresAt}
                                                                .encode());
                                          });
                            });
                });
    });
}

void findLink(const Request &request, const messages::FindLink &)
{
    withoutDevice(request, [request] {
        const UserId user = request.session()->userId();
        request.core()
            .store()
            .read<std::optional<sql::LinkOfferRecord>>(
                [user](QSqlDatabase &db) { return sql::findLinkOffer(db, user, sql::now()); })
            .then(&request.core(),
                  [request](const Result<std::optional<sql::LinkOfferRecord>> &offer) {
                      if (!offer)
                          return request.fail(offer.error());
                      if (!*offer)
                          return request.fail(
                              {ErrorCode::NotFound,
                               u"no device of this account offers to link one now"_s});
                      const sql::LinkOfferRecord &found = **offer;
                      request.reply(messages::LinkFound{found.id, found.ephemeral,
                                                        found.offerDevice, found.expiresAt}
                                        .encode());
                  });
    });
}

void answerLink(const Request &request, const messages::AnswerLink &asked)
{
    withoutDevice(request, [request, asked] {
        const UserId user = request.session()->userId();
        const qint64 session = request.session()->sessionId();
        request.core()
            .store()
            .write<sql::LinkOfferRecord>([user, session, id = asked.offer](QSqlDatabase &db) {
                return sql::answerLinkOffer(db, user, id, session, sql::now());
            })
            .then(&request.core(), [request, asked](const Result<sql::LinkOfferRecord> &offer) {
                if (!offer)
                    return request.fail(offer.error());
                tell(request.core(), offer->offerSession, asked);
                request.reply();
            });
    });
}

void completeLink(const Request &request, const messages::CompleteLink &asked)
{
    const UserId user = request.session()->userId();
    const qint64 session = request.session()->sessionId();
    request.core()
        .store()
        .write<sql::LinkOfferRecord>([user, session, id = asked.offer](QSqlDatabase &db) {
            return sql::completeLinkOffer(db, user, id, session, sql::now());
        })
        .then(&request.core(), [request, asked](const Result<sql::LinkOfferRecord> &offer) {
            if (!offer)
                return request.fail(offer.error());
            tell(request.core(), offer->answerSession, asked);
            request.reply();
        });
}

void cancelLink(const Request &request, const messages::CancelLink &asked)
{
    const UserId user = request.session()->userId();
    const qint64 session = request.session()->sessionId();
    request.core()
        .store()
        .write<sql::LinkOfferRecord>([user, session, id = asked.offer](QSqlDatabase &db) {
            return sql::cancelLinkOffer(db, user, id, session, sql::now());
        })
        .then(&request.core(),
              [request, asked, session](const Result<sql::LinkOfferRecord> &offer) {
                  if (!offer)
                      return request.fail(offer.error());
                  // The other side hears of it.
                  tell(request.core(),
                       offer->offerSession == session ? offer->answerSession : offer->offerSession,
                       asked);
                  request.reply();
              });
}

} // namespace

void registerLinkHandlers(HandlerTable &table)
{
    add<messages::OfferLink, offerLink, refuseWithoutE2e>(table, Access::SignedIn);
    add<messages::FindLink, findLink, refuseWithoutE2e>(table, Access::SignedIn);
    add<messages::AnswerLink, answerLink, refuseWithoutE2e>(table, Access::SignedIn);
    add<messages::CompleteLink, completeLink, refuseWithoutE2e>(table, Access::SignedIn);
    add<messages::CancelLink, cancelLink, refuseWithoutE2e>(table, Access::SignedIn);
}

} // namespace tidings::relay
