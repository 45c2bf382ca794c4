// Conversations: conversations.list, conversation.get, direct.open, group.create, group.add,
// group.remove, group.leave, group.rename, group.set_role; blocks: user.block,
// user.unblock, blocks.list.
#include "chat/chat_core.h"
#include "chat/delivery.h"
#include "chat/handlers/handlers.h"
#include "chat/request.h"
#include "chat/session.h"
#include "chat/wire.h"
#include "protocol/messages/conversation_requests.h"
#include "store/conversation_queries.h"
#include "store/store.h"

#include <QJsonArray>

namespace tidings::relay {

using namespace Qt::StringLiterals;
namespace messages = protocol::messages;

namespace {

/// Conversations carry their member list up to this size; larger groups list members
/// with conversation.get.
constexpr int kMemberListLimit = 256;

struct Listing
{
    QList<sql::ConversationSummary> conversations;
    QList<UserRecord> users;
};

/// The summaries plus the users they mention, read in one store job.
Result<Listing> withUsers(QSqlDatabase &db, Result<QList<sql::ConversationSummary>> summaries)
{
    if (!summaries)
        return summaries.error();
    QList<UserId> ids;
    for (const auto &summary : *summaries)
        ids += wire::usersMentioned(summary);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    auto users = sql::usersByIds(db, ids);
    if (!users)
        return users.error();
    return Listing{*summaries, *users};
}

QJsonArray userArray(const QList<UserRecord> &users)
{
    QJsonArray array;
    for (const UserRecord &user : users)
        array.append(wire::publicUser(user));
    return array;
}

/// Replies {"conversation": …, "users": […]} with `conversation` as `user` sees it now.
void replyWithConversation(const Request &request, ConversationId conversation)
{
    const UserId user = request.session()->userId();
    request.core()
        .store()
        .read<Listing>([user, conversation](QSqlDatabase &db) -> Result<Listing> {
            auto summary = sql::conversationFor(db, user, conversation);
            if (!summary)
                return summary.error();
            return withUsers(db, QList<sql::ConversationSummary>{*summary});
        })
        .then(&request.core(), [request](const Result<Listing> &listing) {
            if (!listing)
                return request.fail(listing.error());
            request.reply({{u"conversation"_s, wire::conversation(listing->conversations.first())},
                           {u"users"_s, userArray(listing->users)}});
        });
}

/// Runs a membership change and answers with its event; everyone concerned gets it.
void changeMembership(const Request &request,
                      std::function<Result<Appended>(QSqlDatabase &)> change)
{
    request.core()
        .store()
        .write<Appended>(std::move(change))
        .then(&request.core(), [request](const Result<Appended> &done) {
            if (!done)
                return request.fail(done.error());
            deliverEvent(request.core(), *done, request.session());
            request.reply({{u"event"_s, wire::event(done->event)}});
        });
}

void listConversations(const Request &request, const messages::ListConversations &asked)
{
    std::optional<sql::ListPosition> after;
    if (asked.after)
        after = sql::ListPosition{asked.after->at, asked.after->id};
    const UserId user = request.session()->userId();
    const int count = asked.limit.value_or(request.core().options().maxPageSize);
    struct Page
    {
        Listing listing;
        bool more = false;
    };
    request.core()
        .store()
        .read<Page>([user, count, after](QSqlDatabase &db) -> Result<Page> {
            auto page = sql::conversationsOf(db, user, kMemberListLimit, count, after);
            if (!page)
                return page.error();
            auto listing = withUsers(db, page->summaries);
            if (!listing)
                return listing.error();
            return Page{*listing, page->more};
        })
        .then(&request.core(), [request](const Result<Page> &page) {
            if (!page)
                return request.fail(page.error());
            QJsonArray conversations;
            for (const auto &summary : page->listing.conversations)
                conversations.append(wire::conversation(summary));
            QJsonObject reply{{u"conversations"_s, conversations},
                              {u"users"_s, userArray(page->listing.users)},
                              {u"more"_s, page->more}};
            if (page->more) {
                const sql::ListPosition last
                    = sql::positionOf(page->listing.conversations.constLast());
                reply.insert(u"next"_s, QJsonObject{{u"at"_s, last.activeAt}, {u"id"_s, last.id}});
            }
            request.reply(reply);
        });
}

void getConversation(const Request &request, const messages::GetConversation &asked)
{
    replyWithConversation(request, asked.conversation);
}

void openDirect(const Request &request, const messages::OpenDirect &asked)
{
    const UserId me = request.session()->userId();
    const UserId peer = asked.user;
    request.core()
        .store()
        .write<sql::OpenedDirect>(
            [me, peer](QSqlDatabase &db) { return sql::openDirect(db, me, peer); })
        .then(&request.core(), [request](const Result<sql::OpenedDirect> &opened) {
            if (!opened)
                return request.fail(opened.error());
            if (opened->created)
                deliverEvent(request.core(), *opened->created, request.session());
            if (request.session())
                replyWithConversation(request, opened->conversation.id);
        });
}

/// Refuses (and says so) when the user changes groups faster than group-rate allows. A
/// gate (see Gate): a malformed change counts against the budget too, and once over it the
/// answer is rate_limited whatever the fields.
bool groupChangeThrottled(const Request &request)
{
    const double perMinute = request.core().options().groupChangesPerMinute;
    return request.throttled(u"groups:"_s + QString::number(request.session()->userId()),
                             perMinute / 60.0, perMinute);
}

void createGroup(const Request &request, const messages::CreateGroup &asked)
{
    const int maxMembers = request.core().options().maxGroupMembers;
    const UserId owner = request.session()->userId();
    const QString name = asked.title;
    const QList<UserId> ids = asked.members;
    request.core()
        .store()
        .write<Appended>([owner, name, ids, maxMembers](QSqlDatabase &db) {
            return sql::createGroup(db, owner, name, ids, maxMembers);
        })
        .then(&request.core(), [request](const Result<Appended> &created) {
            if (!created)
                return request.fail(created.error());
            deliverEvent(request.core(), *created, request.session());
            if (request.session())
                replyWithConversation(request, created->event.conversationId);
        });
}

void addMembers(const Request &request, const messages::AddMembers &asked)
{
    const int maxMembers = request.core().options().maxGroupMembers;
    const UserId actor = request.session()->userId();
    const ConversationId id = asked.conversation;
    const QList<UserId> ids = asked.users;
    changeMembership(request, [actor, id, ids, maxMembers](QSqlDatabase &db) {
        return sql::addMembers(db, actor, id, ids, maxMembers);
    });
}

void removeMember(const Request &request, const messages::RemoveMember &asked)
{
    const UserId actor = request.session()->userId();
    const ConversationId id = asked.conversation;
    const UserId target = asked.user;
    changeMembership(request, [actor, id, target](QSqlDatabase &db) {
        return sql::removeMember(db, actor, id, target);
    });
}

void leaveGroup(const Request &request, const messages::LeaveGroup &asked)
{
    const UserId user = request.session()->userId();
    const ConversationId id = asked.conversation;
    changeMembership(request,
                     [user, id](QSqlDatabase &db) { return sql::leaveGroup(db, user, id); });
}

void renameGroup(const Request &request, const messages::RenameGroup &asked)
{
    const UserId actor = request.session()->userId();
    const ConversationId id = asked.conversation;
    const QString name = asked.title;
    changeMembership(request, [actor, id, name](QSqlDatabase &db) {
        return sql::renameGroup(db, actor, id, name);
    });
}

void setRole(const Request &request, const messages::SetRole &asked)
{
    // decode() admits only the names roleFromName() knows; should the two ever part, the
    // request is refused as before rather than given some role.
    const auto role = roleFromName(asked.role);
    if (!role)
        return request.fail(
            {ErrorCode::BadRequest, u"field 'role' must be 'owner', 'admin' or 'member'"_s});
    const UserId actor = request.session()->userId();
    const ConversationId id = asked.conversation;
    const UserId target = asked.user;
    const Role newRole = *role;
    changeMembership(request, [actor, id, target, newRole](QSqlDatabase &db) {
        return sql::setRole(db, actor, id, target, newRole);
    });
}

void setBlocked(const Request &request, UserId other, bool blocking)
{
    const UserId me = request.session()->userId();
    request.core()
        .store()
        .write<bool>([me, other, blocking](QSqlDatabase &db) -> Result<bool> {
            auto done = blocking ? sql::block(db, me, other) : sql::unblock(db, me, other);
            if (!done)
                return done.error();
            return true;
        })
        .then(&request.core(), [request, me, other, blocking](const Result<bool> &done) {
            if (!done)
                return request.fail(done.error());
            Q_EMIT request.core().blockChanged(me, other, blocking);
            request.reply();
        });
}

void blockUser(const Request &request, const messages::BlockUser &asked)
{
    setBlocked(request, asked.user, true);
}

void unblockUser(const Request &request, const messages::UnblockUser &asked)
{
    setBlocked(request, asked.user, false);
}

void listBlocks(const Request &request, const messages::ListBlocks &)
{
    const UserId me = request.session()->userId();
    request.core()
        .store()
        .read<QList<UserRecord>>([me](QSqlDatabase &db) -> Result<QList<UserRecord>> {
            auto ids = sql::blockedBy(db, me);
            if (!ids)
                return ids.error();
            return sql::usersByIds(db, *ids);
        })
        .then(&request.core(), [request](const Result<QList<UserRecord>> &users) {
            if (!users)
                return request.fail(users.error());
            request.reply({{u"users"_s, userArray(*users)}});
        });
}

} // namespace

void registerConversationHandlers(HandlerTable &table)
{
    add<messages::ListConversations, listConversations>(table, Access::SignedIn);
    add<messages::GetConversation, getConversation>(table, Access::SignedIn);
    add<messages::OpenDirect, openDirect>(table, Access::SignedIn);
    add<messages::CreateGroup, createGroup, groupChangeThrottled>(table, Access::SignedIn);
    add<messages::AddMembers, addMembers, groupChangeThrottled>(table, Access::SignedIn);
    add<messages::RemoveMember, removeMember>(table, Access::SignedIn);
    add<messages::LeaveGroup, leaveGroup>(table, Access::SignedIn);
    add<messages::RenameGroup, renameGroup>(table, Access::SignedIn);
    add<messages::SetRole, setRole>(table, Access::SignedIn);
    add<messages::BlockUser, blockUser>(table, Access::SignedIn);
    add<messages::UnblockUser, unblockUser>(table, Access::SignedIn);
    add<messages::ListBlocks, listBlocks>(table, Access::SignedIn);
}

} // namespace tidings::relay
