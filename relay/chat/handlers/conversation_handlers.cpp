// Conversations: conversations.list, conversation.get, direct.open, group.create, group.add,
// group.remove, group.leave, group.rename, group.set_role; blocks: user.block,
// user.unblock, blocks.list.
#include "chat/chat_core.h"
#include "chat/delivery.h"
#include "chat/handlers/handlers.h"
#include "chat/request.h"
#include "chat/session.h"
#include "chat/wire.h"
#include "protocol/account_rules.h"
#include "protocol/fields.h"
#include "store/conversation_queries.h"
#include "store/store.h"

#include <QJsonArray>

namespace tidings::relay {

using namespace Qt::StringLiterals;
namespace fields = protocol::fields;

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

Result<ConversationId> conversationField(const Request &request)
{
    return fields::integer(request.fields(), u"conversation"_s, 1);
}

void listConversations(const Request &request)
{
    const int maximum = request.core().options().maxPageSize;
    const auto limit = fields::optionalInteger(request.fields(), u"limit"_s, 1, maximum);
    if (!limit)
        return request.fail(limit.error());
    std::optional<sql::ListPosition> after;
    if (const QJsonValue value = request.fields().value(u"after"_s); !value.isUndefined()) {
        const QJsonObject object = value.toObject();
        const auto at = fields::integer(object, u"at"_s, 0);
        const auto id = fields::integer(object, u"id"_s, 1);
        if (!value.isObject() || !at || !id)
            return request.fail(
                {ErrorCode::BadRequest, u"field 'after' must be the 'next' of an earlier page"_s});
        after = sql::ListPosition{*at, *id};
    }
    const UserId user = request.session()->userId();
    const int count = static_cast<int>(limit->value_or(maximum));
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

void getConversation(const Request &request)
{
    const auto conversation = conversationField(request);
    if (!conversation)
        return request.fail(conversation.error());
    replyWithConversation(request, *conversation);
}

void openDirect(const Request &request)
{
    const auto other = fields::integer(request.fields(), u"user"_s, 1);
    if (!other)
        return request.fail(other.error());
    const UserId me = request.session()->userId();
    const UserId peer = *other;
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

/// Refuses (and says so) when the user changes groups faster than group-rate allows.
bool groupChangeThrottled(const Request &request)
{
    const double perMinute = request.core().options().groupChangesPerMinute;
    return request.throttled(u"groups:"_s + QString::number(request.session()->userId()),
                             perMinute / 60.0, perMinute);
}

void createGroup(const Request &request)
{
    if (groupChangeThrottled(request))
        return;
    const auto titleField = fields::string(request.fields(), u"title"_s, {1, 512});
    if (!titleField)
        return request.fail(titleField.error());
    const auto title = protocol::validTitle(*titleField);
    if (!title)
        return request.fail(title.error());
    const int maxMembers = request.core().options().maxGroupMembers;
    const auto members = fields::integerList(request.fields(), u"members"_s, maxMembers, 1);
    if (!members)
        return request.fail(members.error());

    const UserId owner = request.session()->userId();
    const QString name = *title;
    const QList<UserId> ids = *members;
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

void addMembers(const Request &request)
{
    if (groupChangeThrottled(request))
        return;
    const auto conversation = conversationField(request);
    if (!conversation)
        return request.fail(conversation.error());
    const int maxMembers = request.core().options().maxGroupMembers;
    const auto users = fields::integerList(request.fields(), u"users"_s, maxMembers, 1);
    if (!users)
        return request.fail(users.error());
    if (users->isEmpty())
        return request.fail(
            {ErrorCode::BadRequest, u"field 'users' must name at least one user"_s});
    const UserId actor = request.session()->userId();
    const ConversationId id = *conversation;
    const QList<UserId> ids = *users;
    changeMembership(request, [actor, id, ids, maxMembers](QSqlDatabase &db) {
        return sql::addMembers(db, actor, id, ids, maxMembers);
    });
}

void removeMember(const Request &request)
{
    const auto conversation = conversationField(request);
    if (!conversation)
        return request.fail(conversation.error());
    const auto user = fields::integer(request.fields(), u"user"_s, 1);
    if (!user)
        return request.fail(user.error());
    const UserId actor = request.session()->userId();
    const ConversationId id = *conversation;
    const UserId target = *user;
    changeMembership(request, [actor, id, target](QSqlDatabase &db) {
        return sql::removeMember(db, actor, id, target);
    });
}

void leaveGroup(const Request &request)
{
    const auto conversation = conversationField(request);
    if (!conversation)
        return request.fail(conversation.error());
    const UserId user = request.session()->userId();
    const ConversationId id = *conversation;
    changeMembership(request,
                     [user, id](QSqlDatabase &db) { return sql::leaveGroup(db, user, id); });
}

void renameGroup(const Request &request)
{
    const auto conversation = conversationField(request);
    if (!conversation)
        return request.fail(conversation.error());
    const auto titleField = fields::string(request.fields(), u"title"_s, {1, 512});
    if (!titleField)
        return request.fail(titleField.error());
    const auto title = protocol::validTitle(*titleField);
    if (!title)
        return request.fail(title.error());
    const UserId actor = request.session()->userId();
    const ConversationId id = *conversation;
    const QString name = *title;
    changeMembership(request, [actor, id, name](QSqlDatabase &db) {
        return sql::renameGroup(db, actor, id, name);
    });
}

void setRole(const Request &request)
{
    const auto conversation = conversationField(request);
    if (!conversation)
        return request.fail(conversation.error());
    const auto user = fields::integer(request.fields(), u"user"_s, 1);
    if (!user)
        return request.fail(user.error());
    const auto roleField = fields::string(request.fields(), u"role"_s, {1, 16});
    if (!roleField)
        return request.fail(roleField.error());
    const auto role = roleFromName(*roleField);
    if (!role)
        return request.fail(
            {ErrorCode::BadRequest, u"field 'role' must be 'owner', 'admin' or 'member'"_s});
    const UserId actor = request.session()->userId();
    const ConversationId id = *conversation;
    const UserId target = *user;
    const Role newRole = *role;
    changeMembership(request, [actor, id, target, newRole](QSqlDatabase &db) {
        return sql::setRole(db, actor, id, target, newRole);
    });
}

void blockUser(const Request &request, bool blocking)
{
    const auto user = fields::integer(request.fields(), u"user"_s, 1);
    if (!user)
        return request.fail(user.error());
    const UserId me = request.session()->userId();
    const UserId other = *user;
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

void listBlocks(const Request &request)
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
    table.insert(u"conversations.list"_s, {Access::SignedIn, listConversations});
    table.insert(u"conversation.get"_s, {Access::SignedIn, getConversation});
    table.insert(u"direct.open"_s, {Access::SignedIn, openDirect});
    table.insert(u"group.create"_s, {Access::SignedIn, createGroup});
    table.insert(u"group.add"_s, {Access::SignedIn, addMembers});
    table.insert(u"group.remove"_s, {Access::SignedIn, removeMember});
    table.insert(u"group.leave"_s, {Access::SignedIn, leaveGroup});
    table.insert(u"group.rename"_s, {Access::SignedIn, renameGroup});
    table.insert(u"group.set_role"_s, {Access::SignedIn, setRole});
    table.insert(u"user.block"_s,
                 {Access::SignedIn, [](const Request &request) { blockUser(request, true); }});
    table.insert(u"user.unblock"_s,
                 {Access::SignedIn, [](const Request &request) { blockUser(request, false); }});
    table.insert(u"blocks.list"_s, {Access::SignedIn, listBlocks});
}

} // namespace tidings::relay
