// Ephemeral state and abuse: typing, presence.query, report.
#include "chat/chat_core.h"
#include "chat/cluster_link.h"
#include "chat/handlers/handlers.h"
#include "chat/member_cache.h"
#include "chat/presence.h"
#include "chat/request.h"
#include "chat/session.h"
#include "chat/typing_tracker.h"
#include "protocol/fields.h"
#include "protocol/messages/message_requests.h"
#include "protocol/messages/replies.h"
#include "store/account_queries.h"
#include "store/conversation_queries.h"
#include "store/report_queries.h"
#include "store/store.h"

#include <QJsonArray>

namespace tidings::relay {

using namespace Qt::StringLiterals;
namespace fields = protocol::fields;
namespace messages = protocol::messages;

namespace {

/// The conversation's members and whether ephemeral frames pass in it, from the cache or
/// (on a miss) the store; then `then` runs on the network thread.
void withMembers(const Request &request, ConversationId conversation,
                 std::function<void(const MemberCache::Entry &)> then)
{
    if (const auto cached = request.core().memberCache().find(conversation))
        return then(*cached);
    request.core()
        .store()
        .read<MemberCache::Entry>([conversation](QSqlDatabase &db) -> Result<MemberCache::Entry> {
            auto record = sql::conversationById(db, conversation);
            if (!record)
                return record.error();
            auto members = sql::currentMemberIds(db, conversation);
            if (!members)
                return members.error();
            MemberCache::Entry entry{*members, true};
            if (!record->isGroup && members->size() == 2) {
                auto blocked = sql::blockedEitherWay(db, members->at(0), members->at(1));
                if (!blocked)
                    return blocked.error();
                entry.openBothWays = !*blocked;
            }
            return entry;
        })
        .then(&request.core(),
              [request, conversation, then](const Result<MemberCache::Entry> &entry) {
                  if (!entry)
                      return request.fail(
                          entry.error().code == ErrorCode::NotFound
                              ? Error{ErrorCode::NotFound, u"no such conversation"_s}
                              : entry.error());
                  request.core().memberCache().put(conversation, *entry);
                  then(*entry);
              });
}

void typing(const Request &request, const messages::Typing &typing)
{
    const UserId user = request.session()->userId();
    if (request.throttledPerUserAndAddress(u"typing"_s, request.core().options().typingPerSecond))
        return;

    const ConversationId id = typing.conversation;
    const bool isTyping = typing.typing;
    withMembers(request, id, [request, user, id, isTyping](const MemberCache::Entry &entry) {
        // Same answer for a stranger as for a conversation that does not exist.
        if (!entry.members.contains(user))
            return request.fail({ErrorCode::NotFound, u"no such conversation"_s});
        if (entry.openBothWays)
            request.core().typing().update(user, id, isTyping, entry.members);
        request.reply();
    });
}

void answerPresence(const Request &request, const QList<UserRecord> &users,
                    const QSet<UserId> &onlineElsewhere);

void queryPresence(const Request &request, const messages::PresenceQuery &query)
{
    const UserId me = request.session()->userId();
    const QList<UserId> asked = query.users;
    request.core()
        .store()
        .read<QList<UserRecord>>([me, asked](QSqlDatabase &db) -> Result<QList<UserRecord>> {
            auto contacts = sql::contactsOf(db, me);
            if (!contacts)
                return contacts.error();
            QList<UserId> visible;
            for (const UserId id : asked) {
                if (contacts->contains(id))
                    visible.append(id);
            }
            return sql::usersByIds(db, visible);
        })
        .then(&request.core(), [request](const Result<QList<UserRecord>> &visible) {
            if (!visible)
                return request.fail(visible.error());
            ClusterLink *cluster = request.core().clusterLink();
            QList<UserId> offlineHere;
            for (const UserRecord &user : *visible) {
                if (!request.core().presence().isOnline(user.id))
                    offlineHere.append(user.id);
            }
            if (!cluster || offlineHere.isEmpty())
                return answerPresence(request, *visible, {});
            cluster->onlineElsewhere(offlineHere,
                                     [request, users = *visible](const QSet<UserId> &elsewhere) {
                                         answerPresence(request, users, elsewhere);
                                     });
        });
}

void answerPresence(const Request &request, const QList<UserRecord> &users,
                    const QSet<UserId> &onlineElsewhere)
{
    messages::PresenceList list;
    list.presence.reserve(users.size());
    for (const UserRecord &user : users) {
        const Presence &presence = request.core().presence();
        const bool online = presence.isOnline(user.id) || onlineElsewhere.contains(user.id);
        messages::PresenceEvent entry{user.id, online, std::nullopt};
        // Just gone: the time is known before it is written.
        const qint64 lastSeen = presence.lastSeen(user.id, user.lastSeenAt);
        if (!online && !user.hideLastSeen && lastSeen > 0)
            entry.lastSeen = lastSeen;
        list.presence.append(entry);
    }
    request.reply(list.encode());
}

void report(const Request &request, const protocol::messages::Report &asked)
{
    const UserId reporter = request.session()->userId();
    if (request.throttled(u"report:%1"_s.arg(reporter), 0.2, 10))
        return;

    const UserId about = asked.user;
    const ConversationId where = asked.conversation;
    const Seq message = asked.seq;
    const QString why = asked.reason;
    request.core()
        .store()
        .write<sql::ReportRecord>([reporter, about, where, message, why](QSqlDatabase &db) {
            return sql::fileReport(db, reporter, about, where, message, why);
        })
        .then(&request.core(), [request](const Result<sql::ReportRecord> &filed) {
            if (!filed)
                return request.fail(filed.error());
            request.reply(protocol::messages::ReportFiled{filed->id}.encode());
        });
}

} // namespace

void registerLiveHandlers(HandlerTable &table)
{
    add<protocol::messages::Typing, typing>(table, Access::SignedIn);
    add<protocol::messages::PresenceQuery, queryPresence>(table, Access::SignedIn);
    add<protocol::messages::Report, report>(table, Access::SignedIn);
}

} // namespace tidings::relay
