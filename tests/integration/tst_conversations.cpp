// Direct conversations, groups, membership, blocks and who may see what — against the
// real relay.
#include "support/protocol_client.h"
#include "support/protocol_replies.h"
#include "support/relay_process.h"

#include <QJsonArray>
#include <QtTest>

using namespace tidings::test;
using namespace Qt::StringLiterals;

namespace {

qint64 conversationId(const QJsonObject &reply)
{
    return reply.value(u"conversation"_s).toObject().value(u"id"_s).toInteger();
}

QList<qint64> memberIds(const QJsonObject &conversation)
{
    QList<qint64> ids;
    const QJsonArray members = conversation.value(u"members"_s).toArray();
    for (const QJsonValue &member : members)
        ids.append(member.toObject().value(u"user"_s).toInteger());
    std::sort(ids.begin(), ids.end());
    return ids;
}

} // namespace

class TestConversations : public QObject
{
    Q_OBJECT

    RelayProcess m_relay;
    int m_users = 0;

    QString nextName(const QString &base) { return u"%1%2"_s.arg(base).arg(++m_users); }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_relay.start(), qPrintable(m_relay.lastError())); }
    void cleanupTestCase() { QCOMPARE(m_relay.stop(), 0); }

    void directConversationIsOnePerPair()
    {
        ProtocolClient alice, bob;
        const qint64 aliceId = alice.signUp(m_relay.webSocketUrl(), nextName(u"alice"_s));
        const qint64 bobId = bob.signUp(m_relay.webSocketUrl(), nextName(u"bob"_s));
        QVERIFY(aliceId && bobId);

        const QJsonObject opened = alice.request(u"direct.open"_s, {{u"user"_s, bobId}});
        QVERIFY2(ok(opened), qPrintable(opened.value(u"message"_s).toString()));
        const QJsonObject conversation = opened.value(u"conversation"_s).toObject();
        QCOMPARE(conversation.value(u"kind"_s).toString(), u"direct"_s);
        QCOMPARE(memberIds(conversation), (QList<qint64>{aliceId, bobId}));
        QCOMPARE(conversation.value(u"last_seq"_s).toInteger(), 1);
        QCOMPARE(opened.value(u"users"_s).toArray().size(), 2); // names to show

        // Bob hears of it at once.
        const QJsonObject created = bob.next(u"event"_s);
        QCOMPARE(created.value(u"kind"_s).toString(), u"created"_s);
        QCOMPARE(created.value(u"conversation"_s).toInteger(),
                 conversation.value(u"id"_s).toInteger());
        QCOMPARE(created.value(u"seq"_s).toInteger(), 1);

        // Either side opening again gets the same conversation.
        QCOMPARE(conversationId(bob.request(u"direct.open"_s, {{u"user"_s, aliceId}})),
                 conversation.value(u"id"_s).toInteger());
        QCOMPARE(conversationId(alice.request(u"direct.open"_s, {{u"user"_s, bobId}})),
                 conversation.value(u"id"_s).toInteger());
        QVERIFY(!bob.receives(u"event"_s, 300)); // and nothing new is made

        QCOMPARE(code(alice.request(u"direct.open"_s, {{u"user"_s, 999999}})), u"not_found"_s);
        QCOMPARE(code(alice.request(u"direct.open"_s, {{u"user"_s, u"bob"_s}})), u"bad_request"_s);
        // Notes to self.
        const QJsonObject self = alice.request(u"direct.open"_s, {{u"user"_s, aliceId}});
        QVERIFY(ok(self));
        QCOMPARE(memberIds(self.value(u"conversation"_s).toObject()), QList<qint64>{aliceId});
    }

    void conversationListShowsLastMessageAndUnread()
    {
        ProtocolClient alice, bob;
        const qint64 aliceId = alice.signUp(m_relay.webSocketUrl(), nextName(u"alice"_s));
        const qint64 bobId = bob.signUp(m_relay.webSocketUrl(), nextName(u"bob"_s));
        const qint64 direct = alice.openDirect(bobId);
        for (int i = 1; i <= 3; ++i)
            QVERIFY(ok(alice.sendMessage(direct, u"m%1"_s.arg(i), u"hello %1"_s.arg(i))));

        const QJsonObject listed = bob.request(u"conversations.list"_s);
        QVERIFY(ok(listed));
        const QJsonArray conversations = listed.value(u"conversations"_s).toArray();
        QCOMPARE(conversations.size(), 1);
        const QJsonObject entry = conversations.first().toObject();
        QCOMPARE(entry.value(u"unread"_s).toInt(), 3);
        QCOMPARE(entry.value(u"last_message"_s).toObject().value(u"text"_s).toString(),
                 u"hello 3"_s);
        QCOMPARE(entry.value(u"last_message"_s).toObject().value(u"sender"_s).toInteger(), aliceId);
        QCOMPARE(entry.value(u"me"_s).toObject().value(u"read_seq"_s).toInteger(), 0);
        // The sender has nothing unread of their own.
        QCOMPARE(alice.request(u"conversations.list"_s)
                     .value(u"conversations"_s)
                     .toArray()
                     .first()
                     .toObject()
                     .value(u"unread"_s)
                     .toInt(),
                 0);

        QVERIFY(ok(bob.request(u"receipt"_s, {{u"conversation"_s, direct}, {u"read_seq"_s, 3}})));
        QCOMPARE(bob.request(u"conversations.list"_s)
                     .value(u"conversations"_s)
                     .toArray()
                     .first()
                     .toObject()
                     .value(u"unread"_s)
                     .toInt(),
                 1);
    }

    void theListComesInPages()
    {
        // Most recent activity first, in pages of `limit` joined by `next`: every
        // conversation once, in the same order as one big page.
        ProtocolClient hub, spoke;
        hub.signUp(m_relay.webSocketUrl(), nextName(u"hub"_s));
        const qint64 spokeId = spoke.signUp(m_relay.webSocketUrl(), nextName(u"spoke"_s));
        QList<qint64> made;
        for (int i = 0; i < 7; ++i) {
            const QJsonObject created
                = hub.request(u"group.create"_s,
                              {{u"title"_s, u"P%1"_s.arg(i)}, {u"members"_s, QJsonArray{spokeId}}});
            QVERIFY2(ok(created), QJsonDocument(created).toJson().constData());
            made.append(conversationId(created));
        }
        const QJsonObject bumped = hub.sendMessage(made.at(2), u"p2"_s, u"bump"_s);
        QVERIFY2(ok(bumped), QJsonDocument(bumped).toJson().constData()); // the most recent now
        const auto idsOf = [](const QJsonObject &page) {
            QList<qint64> ids;
            for (const QJsonValue &value : page.value(u"conversations"_s).toArray())
                ids.append(value.toObject().value(u"id"_s).toInteger());
            return ids;
        };
        const QJsonObject whole = hub.request(u"conversations.list"_s);
        QCOMPARE(whole.value(u"more"_s).toBool(), false);
        const QList<qint64> all = idsOf(whole);
        QCOMPARE(all.size(), 7);
        QCOMPARE(all.first(), made.at(2));
        QList<qint64> paged;
        QJsonObject fields{{u"limit"_s, 3}};
        for (int pages = 0;; ++pages) {
            QVERIFY(pages < 5);
            const QJsonObject page = hub.request(u"conversations.list"_s, fields);
            QVERIFY(ok(page));
            QVERIFY(idsOf(page).size() <= 3);
            paged += idsOf(page);
            if (!page.value(u"more"_s).toBool())
                break;
            fields.insert(u"after"_s, page.value(u"next"_s));
        }
        QCOMPARE(paged, all);
        QCOMPARE(code(hub.request(u"conversations.list"_s, {{u"after"_s, u"x"_s}})),
                 u"bad_request"_s);
        QCOMPARE(code(hub.request(u"conversations.list"_s, {{u"limit"_s, 0}})), u"bad_request"_s);
    }

    void groupsAndRoles()
    {
        ProtocolClient owner, admin, member, outsider;
        const qint64 ownerId = owner.signUp(m_relay.webSocketUrl(), nextName(u"olga"_s));
        const qint64 adminId = admin.signUp(m_relay.webSocketUrl(), nextName(u"adam"_s));
        const qint64 memberId = member.signUp(m_relay.webSocketUrl(), nextName(u"mia"_s));
        const qint64 outsiderId = outsider.signUp(m_relay.webSocketUrl(), nextName(u"otto"_s));

        const QJsonObject created = owner.request(
            u"group.create"_s,
            {{u"title"_s, u"  Book club "_s}, {u"members"_s, QJsonArray{adminId, memberId}}});
        QVERIFY2(ok(created), qPrintable(created.value(u"message"_s).toString()));
        const QJsonObject group = created.value(u"conversation"_s).toObject();
        const qint64 id = group.value(u"id"_s).toInteger();
        QCOMPARE(group.value(u"title"_s).toString(), u"Book club"_s);
        QCOMPARE(group.value(u"kind"_s).toString(), u"group"_s);
        QCOMPARE(group.value(u"member_count"_s).toInt(), 3);
        QCOMPARE(group.value(u"me"_s).toObject().value(u"role"_s).toString(), u"owner"_s);
        QCOMPARE(member.next(u"event"_s).value(u"kind"_s).toString(), u"created"_s);
        QCOMPARE(admin.next(u"event"_s).value(u"title"_s).toString(), u"Book club"_s);

        // Only the owner hands out roles.
        QCOMPARE(code(member.request(
                     u"group.set_role"_s,
                     {{u"conversation"_s, id}, {u"user"_s, memberId}, {u"role"_s, u"admin"_s}})),
                 u"forbidden"_s);
        QCOMPARE(code(owner.request(
                     u"group.set_role"_s,
                     {{u"conversation"_s, id}, {u"user"_s, adminId}, {u"role"_s, u"king"_s}})),
                 u"bad_request"_s);
        QVERIFY(ok(owner.request(
            u"group.set_role"_s,
            {{u"conversation"_s, id}, {u"user"_s, adminId}, {u"role"_s, u"admin"_s}})));
        QCOMPARE(member.next(u"event"_s).value(u"kind"_s).toString(), u"role_changed"_s);
        admin.takeEvents();

        // Members do not add or rename; admins do.
        QCOMPARE(
            code(member.request(u"group.add"_s,
                                {{u"conversation"_s, id}, {u"users"_s, QJsonArray{outsiderId}}})),
            u"forbidden"_s);
        QCOMPARE(code(member.request(u"group.rename"_s,
                                     {{u"conversation"_s, id}, {u"title"_s, u"Mine"_s}})),
                 u"forbidden"_s);
        const QJsonObject renamed = admin.request(
            u"group.rename"_s, {{u"conversation"_s, id}, {u"title"_s, u"Readers"_s}});
        QVERIFY(ok(renamed));
        QCOMPARE(renamed.value(u"event"_s).toObject().value(u"kind"_s).toString(), u"renamed"_s);
        QCOMPARE(member.next(u"event"_s).value(u"title"_s).toString(), u"Readers"_s);

        const QJsonObject added = admin.request(
            u"group.add"_s, {{u"conversation"_s, id}, {u"users"_s, QJsonArray{outsiderId}}});
        QVERIFY(ok(added));
        const qint64 addedAt = added.value(u"event"_s).toObject().value(u"seq"_s).toInteger();
        QCOMPARE(outsider.next(u"event"_s).value(u"kind"_s).toString(), u"member_added"_s);
        QCOMPARE(
            code(admin.request(u"group.add"_s,
                               {{u"conversation"_s, id}, {u"users"_s, QJsonArray{outsiderId}}})),
            u"conflict"_s);
        // A newcomer sees the group from the moment they were added, not before.
        const QJsonArray seen = outsider.request(u"history"_s, {{u"conversation"_s, id}})
                                    .value(u"events"_s)
                                    .toArray();
        QCOMPARE(seen.size(), 1);
        QCOMPARE(seen.first().toObject().value(u"seq"_s).toInteger(), addedAt);

        // An admin may not remove the owner; the owner may remove anyone.
        QCOMPARE(
            code(admin.request(u"group.remove"_s, {{u"conversation"_s, id}, {u"user"_s, ownerId}})),
            u"forbidden"_s);
        QVERIFY(ok(
            admin.request(u"group.remove"_s, {{u"conversation"_s, id}, {u"user"_s, outsiderId}})));
        const QJsonObject removal = outsider.next(u"event"_s);
        QCOMPARE(removal.value(u"kind"_s).toString(), u"member_removed"_s);
        QCOMPARE(removal.value(u"user"_s).toInteger(), outsiderId);

        // Removed: hears nothing more, cannot write, keeps what was visible until then.
        QVERIFY(ok(owner.sendMessage(id, u"after-removal"_s, u"you will not see this"_s)));
        QVERIFY(!outsider.receives(u"event"_s, 500));
        QCOMPARE(code(outsider.sendMessage(id, u"o1"_s, u"let me back"_s)), u"forbidden"_s);
        const QJsonArray kept = outsider.request(u"history"_s, {{u"conversation"_s, id}})
                                    .value(u"events"_s)
                                    .toArray();
        QCOMPARE(kept.last().toObject().value(u"kind"_s).toString(), u"member_removed"_s);

        // The owner leaves: the admin inherits the group.
        member.takeEvents();
        const QJsonObject left = owner.request(u"group.leave"_s, {{u"conversation"_s, id}});
        QVERIFY(ok(left));
        QCOMPARE(left.value(u"event"_s).toObject().value(u"new_owner"_s).toInteger(), adminId);
        QCOMPARE(member.next(u"event"_s).value(u"kind"_s).toString(), u"member_left"_s);
        const QJsonObject after = admin.request(u"conversation.get"_s, {{u"conversation"_s, id}})
                                      .value(u"conversation"_s)
                                      .toObject();
        QCOMPARE(after.value(u"me"_s).toObject().value(u"role"_s).toString(), u"owner"_s);
        QCOMPARE(after.value(u"member_count"_s).toInt(), 2);
        QCOMPARE(code(owner.request(u"group.leave"_s, {{u"conversation"_s, id}})), u"forbidden"_s);
    }

    void groupChangesAreRateLimited()
    {
        // Nobody is put in a hundred groups in a second: group-rate (30 a minute, in
        // bursts of 30) counts creations and additions together, per user.
        ProtocolClient spammer, target, other;
        spammer.signUp(m_relay.webSocketUrl(), nextName(u"spammer"_s));
        const qint64 targetId = target.signUp(m_relay.webSocketUrl(), nextName(u"target"_s));
        other.signUp(m_relay.webSocketUrl(), nextName(u"other"_s));
        // Creations and additions, in turns: the budget runs out for both together.
        qint64 last = 0;
        int done = 0;
        QJsonObject refused;
        for (int i = 0; i < 40 && refused.isEmpty(); ++i) {
            const QJsonObject reply = (i % 2 == 0 || last == 0)
                ? spammer.request(
                    u"group.create"_s,
                    {{u"title"_s, u"Spam %1"_s.arg(i)}, {u"members"_s, QJsonArray{targetId}}})
                : spammer.request(
                    u"group.add"_s,
                    {{u"conversation"_s, last}, {u"users"_s, QJsonArray{other.userId()}}});
            if (!ok(reply)) {
                refused = reply;
            } else {
                ++done;
                if (i % 2 == 0)
                    last = conversationId(reply);
            }
        }
        // 30 at once, and one more for every 2 s the loop took (a busy machine).
        QVERIFY2(done >= 30 && done < 40, qPrintable(QString::number(done)));
        QCOMPARE(code(refused), u"rate_limited"_s);
        QVERIFY(refused.value(u"retry_after_ms"_s).toInteger() > 0);
        // Someone else is not held back.
        QVERIFY(ok(other.request(u"group.create"_s,
                                 {{u"title"_s, u"Mine"_s}, {u"members"_s, QJsonArray{targetId}}})));
    }

    void ownershipChangesHands()
    {
        ProtocolClient owner, heir;
        QVERIFY(owner.signUp(m_relay.webSocketUrl(), nextName(u"king"_s)));
        const qint64 heirId = heir.signUp(m_relay.webSocketUrl(), nextName(u"prince"_s));
        const qint64 id = conversationId(owner.request(
            u"group.create"_s, {{u"title"_s, u"Realm"_s}, {u"members"_s, QJsonArray{heirId}}}));
        QCOMPARE(
            code(owner.request(
                u"group.set_role"_s,
                {{u"conversation"_s, id}, {u"user"_s, owner.userId()}, {u"role"_s, u"member"_s}})),
            u"bad_request"_s);
        QVERIFY(ok(owner.request(
            u"group.set_role"_s,
            {{u"conversation"_s, id}, {u"user"_s, heirId}, {u"role"_s, u"owner"_s}})));
        const QJsonObject mine = owner.request(u"conversation.get"_s, {{u"conversation"_s, id}})
                                     .value(u"conversation"_s)
                                     .toObject();
        QCOMPARE(mine.value(u"me"_s).toObject().value(u"role"_s).toString(), u"admin"_s);
        const QJsonObject theirs = heir.request(u"conversation.get"_s, {{u"conversation"_s, id}})
                                       .value(u"conversation"_s)
                                       .toObject();
        QCOMPARE(theirs.value(u"me"_s).toObject().value(u"role"_s).toString(), u"owner"_s);
        // The old owner is an admin now: no more role changes.
        QCOMPARE(code(owner.request(
                     u"group.set_role"_s,
                     {{u"conversation"_s, id}, {u"user"_s, heirId}, {u"role"_s, u"member"_s}})),
                 u"forbidden"_s);
    }

    void groupLimits()
    {
        RelayProcess small;
        QVERIFY2(small.start({u"--max-group-members"_s, u"3"_s}), qPrintable(small.lastError()));
        ProtocolClient a, b, c, d;
        const qint64 bId = b.signUp(small.webSocketUrl(), u"bee"_s);
        const qint64 cId = c.signUp(small.webSocketUrl(), u"cee"_s);
        const qint64 dId = d.signUp(small.webSocketUrl(), u"dee"_s);
        QVERIFY(a.signUp(small.webSocketUrl(), u"ayy"_s));
        QCOMPARE(
            code(a.request(u"group.create"_s,
                           {{u"title"_s, u"Four"_s}, {u"members"_s, QJsonArray{bId, cId, dId}}})),
            u"too_large"_s);
        const QJsonObject three = a.request(
            u"group.create"_s, {{u"title"_s, u"Three"_s}, {u"members"_s, QJsonArray{bId, cId}}});
        QVERIFY(ok(three));
        QCOMPARE(code(a.request(
                     u"group.add"_s,
                     {{u"conversation"_s, conversationId(three)}, {u"users"_s, QJsonArray{dId}}})),
                 u"too_large"_s);
        QCOMPARE(code(a.request(u"group.create"_s,
                                {{u"title"_s, u""_s}, {u"members"_s, QJsonArray{bId}}})),
                 u"bad_request"_s);
        QCOMPARE(code(a.request(u"group.create"_s,
                                {{u"title"_s, u"Ghosts"_s}, {u"members"_s, QJsonArray{424242}}})),
                 u"not_found"_s);
        QCOMPARE(small.stop(), 0);
    }

    void groupsNeedConsentWhenAsked()
    {
        // Carol takes groups only from people who have written to her: a stranger cannot
        // put her in one, someone she wrote to can.
        ProtocolClient carol, stranger, friendly;
        const qint64 carolId = carol.signUp(m_relay.webSocketUrl(), nextName(u"carol"_s));
        QVERIFY(stranger.signUp(m_relay.webSocketUrl(), nextName(u"stranger"_s)));
        const qint64 friendId = friendly.signUp(m_relay.webSocketUrl(), nextName(u"friend"_s));
        QCOMPARE(code(carol.request(u"profile.update"_s, {{u"group_adds"_s, u"nobody"_s}})),
                 u"bad_request"_s);
        const QJsonObject updated
            = carol.request(u"profile.update"_s, {{u"group_adds"_s, u"contacts"_s}});
        QVERIFY(ok(updated));
        QCOMPARE(updated.value(u"user"_s).toObject().value(u"group_adds"_s).toString(),
                 u"contacts"_s);

        const auto create = [carolId](ProtocolClient &who) {
            return who.request(u"group.create"_s,
                               {{u"title"_s, u"Party"_s}, {u"members"_s, QJsonArray{carolId}}});
        };
        QCOMPARE(code(create(stranger)), u"forbidden"_s);
        // Writing to her is not enough: she must have written to them.
        const QJsonObject direct = stranger.request(u"direct.open"_s, {{u"user"_s, carolId}});
        QVERIFY(ok(direct));
        QVERIFY(ok(stranger.sendMessage(conversationId(direct), u"s1"_s, u"add me?"_s)));
        QCOMPARE(code(create(stranger)), u"forbidden"_s);
        const QJsonObject empty = stranger.request(
            u"group.create"_s, {{u"title"_s, u"Mine"_s}, {u"members"_s, QJsonArray{}}});
        QVERIFY(ok(empty));
        QCOMPARE(code(stranger.request(u"group.add"_s,
                                       {{u"conversation"_s, conversationId(empty)},
                                        {u"users"_s, QJsonArray{carolId}}})),
                 u"forbidden"_s);

        const QJsonObject ours = carol.request(u"direct.open"_s, {{u"user"_s, friendId}});
        QVERIFY(ok(ours));
        QVERIFY(ok(carol.sendMessage(conversationId(ours), u"c1"_s, u"hi friend"_s)));
        const QJsonObject party = create(friendly);
        QVERIFY2(ok(party), qPrintable(code(party)));
        QCOMPARE(memberIds(party.value(u"conversation"_s).toObject()),
                 (QList<qint64>{std::min(carolId, friendId), std::max(carolId, friendId)}));

        // Back to everyone: the stranger may add her again.
        QVERIFY(ok(carol.request(u"profile.update"_s, {{u"group_adds"_s, u"everyone"_s}})));
        QVERIFY(ok(create(stranger)));
    }

    void strangersLearnNothing()
    {
        ProtocolClient alice, bob, mallory;
        alice.signUp(m_relay.webSocketUrl(), nextName(u"alice"_s));
        const qint64 bobId = bob.signUp(m_relay.webSocketUrl(), nextName(u"bob"_s));
        const qint64 malloryId = mallory.signUp(m_relay.webSocketUrl(), nextName(u"mallory"_s));
        const qint64 secret = conversationId(alice.request(
            u"group.create"_s, {{u"title"_s, u"Secret"_s}, {u"members"_s, QJsonArray{bobId}}}));
        QVERIFY(ok(alice.sendMessage(secret, u"s1"_s, u"the plan"_s)));

        // Every way in answers exactly as for a conversation that does not exist.
        const qint64 missing = 987654;
        const QList<std::pair<QString, QJsonObject>> probes = {
            {u"conversation.get"_s, {}},
            {u"history"_s, {}},
            {u"message.send"_s, {{u"client_id"_s, u"x"_s}, {u"text"_s, u"hi"_s}}},
            {u"message.edit"_s, {{u"client_id"_s, u"x2"_s}, {u"seq"_s, 2}, {u"text"_s, u"hi"_s}}},
            {u"message.delete"_s, {{u"client_id"_s, u"x3"_s}, {u"seq"_s, 2}}},
            {u"message.react"_s, {{u"client_id"_s, u"x4"_s}, {u"seq"_s, 2}, {u"emoji"_s, u"👍"_s}}},
            {u"receipt"_s, {{u"read_seq"_s, 2}}},
            {u"group.add"_s, {{u"users"_s, QJsonArray{malloryId}}}},
            {u"group.remove"_s, {{u"user"_s, bobId}}},
            {u"group.rename"_s, {{u"title"_s, u"Mine"_s}}},
            {u"group.leave"_s, {}},
            {u"group.set_role"_s, {{u"user"_s, malloryId}, {u"role"_s, u"owner"_s}}},
        };
        for (const auto &[type, fields] : probes) {
            QJsonObject real = fields;
            real.insert(u"conversation"_s, secret);
            QJsonObject fake = fields;
            fake.insert(u"conversation"_s, missing);
            const QJsonObject intruding = mallory.request(type, real);
            const QJsonObject guessing = mallory.request(type, fake);
            QCOMPARE(code(intruding), u"not_found"_s);
            QCOMPARE(intruding.value(u"message"_s), guessing.value(u"message"_s));
        }
        // Sync and the list show nothing of it.
        QVERIFY(mallory.request(u"sync"_s).value(u"events"_s).toArray().isEmpty());
        QVERIFY(
            mallory.request(u"conversations.list"_s).value(u"conversations"_s).toArray().isEmpty());
        QVERIFY(!mallory.receives(u"event"_s, 300));
    }

    void messagesFollowMembershipAtOnce()
    {
        // The relay answers who may write and who receives from its memory: each change of
        // membership must show in the very next message.
        ProtocolClient owner, member, late;
        owner.signUp(m_relay.webSocketUrl(), nextName(u"owner"_s));
        const qint64 memberId = member.signUp(m_relay.webSocketUrl(), nextName(u"member"_s));
        const qint64 lateId = late.signUp(m_relay.webSocketUrl(), nextName(u"late"_s));
        const qint64 id = conversationId(owner.request(
            u"group.create"_s, {{u"title"_s, u"Moving"_s}, {u"members"_s, QJsonArray{memberId}}}));
        QVERIFY(id > 0);
        QVERIFY(ok(member.sendMessage(id, u"f1"_s, u"first"_s)));
        QVERIFY(ok(owner.sendMessage(id, u"f2"_s, u"second"_s)));
        member.takeEvents();

        QVERIFY(ok(owner.request(u"group.add"_s,
                                 {{u"conversation"_s, id}, {u"users"_s, QJsonArray{lateId}}})));
        QCOMPARE(late.next(u"event"_s).value(u"kind"_s).toString(), u"member_added"_s);
        QVERIFY(ok(owner.sendMessage(id, u"f3"_s, u"welcome"_s)));
        QCOMPARE(late.next(u"event"_s).value(u"text"_s).toString(), u"welcome"_s);
        QVERIFY(ok(late.sendMessage(id, u"f4"_s, u"thanks"_s)));

        QVERIFY(
            ok(owner.request(u"group.remove"_s, {{u"conversation"_s, id}, {u"user"_s, memberId}})));
        for (QString kind; kind != u"member_removed"_s;) { // what came before the removal
            const QJsonObject event = member.next(u"event"_s);
            QVERIFY(!event.isEmpty());
            kind = event.value(u"kind"_s).toString();
        }
        QCOMPARE(code(member.sendMessage(id, u"f5"_s, u"still here?"_s)), u"forbidden"_s);
        QVERIFY(ok(owner.sendMessage(id, u"f6"_s, u"gone"_s)));
        QCOMPARE(late.next(u"event"_s).value(u"kind"_s).toString(), u"member_removed"_s);
        QCOMPARE(late.next(u"event"_s).value(u"text"_s).toString(), u"gone"_s);
        QVERIFY(!member.receives(u"event"_s, 300));
    }

    void formerMembersSeeTheGroupAsTheyLeftIt()
    {
        ProtocolClient owner, leaver, later;
        owner.signUp(m_relay.webSocketUrl(), nextName(u"owner"_s));
        const qint64 leaverId = leaver.signUp(m_relay.webSocketUrl(), nextName(u"leaver"_s));
        const qint64 laterId = later.signUp(m_relay.webSocketUrl(), nextName(u"later"_s));
        const qint64 id = conversationId(owner.request(
            u"group.create"_s, {{u"title"_s, u"Before"_s}, {u"members"_s, QJsonArray{leaverId}}}));
        QVERIFY(ok(owner.sendMessage(id, u"b1"_s, u"hello"_s)));
        QVERIFY(ok(leaver.request(u"group.leave"_s, {{u"conversation"_s, id}})));
        const qint64 leftAt = leaver.request(u"conversation.get"_s, {{u"conversation"_s, id}})
                                  .value(u"conversation"_s)
                                  .toObject()
                                  .value(u"last_seq"_s)
                                  .toInteger();
        QVERIFY(leftAt >= 3);

        // Afterwards: renamed, someone added, more said.
        QVERIFY(ok(
            owner.request(u"group.rename"_s, {{u"conversation"_s, id}, {u"title"_s, u"After"_s}})));
        QVERIFY(ok(owner.request(u"group.add"_s,
                                 {{u"conversation"_s, id}, {u"users"_s, QJsonArray{laterId}}})));
        QVERIFY(ok(owner.sendMessage(id, u"b2"_s, u"after you left"_s)));
        QVERIFY(ok(
            owner.request(u"receipt"_s, {{u"conversation"_s, id}, {u"read_seq"_s, leftAt + 3}})));

        const auto check = [&](const QJsonObject &seen) {
            QCOMPARE(seen.value(u"title"_s).toString(), u"Before"_s);
            QCOMPARE(seen.value(u"last_seq"_s).toInteger(), leftAt);
            QCOMPARE(seen.value(u"member_count"_s).toInteger(), 1);
            const QJsonArray members = seen.value(u"members"_s).toArray();
            QCOMPARE(members.size(), 1);
            QVERIFY(members.first().toObject().value(u"read_seq"_s).toInteger() <= leftAt);
            QVERIFY(members.first().toObject().value(u"user"_s).toInteger() != laterId);
            QCOMPARE(seen.value(u"last_message"_s).toObject().value(u"text"_s).toString(),
                     u"hello"_s);
        };
        const QJsonObject got = leaver.request(u"conversation.get"_s, {{u"conversation"_s, id}});
        check(got.value(u"conversation"_s).toObject());
        QVERIFY(!QJsonDocument(got).toJson().contains("\"later"));
        const QJsonObject listed = leaver.request(u"conversations.list"_s);
        bool found = false;
        for (const QJsonValue &value : listed.value(u"conversations"_s).toArray()) {
            if (value.toObject().value(u"id"_s).toInteger() == id) {
                check(value.toObject());
                found = true;
            }
        }
        QVERIFY(found);
        QVERIFY(!QJsonDocument(listed).toJson().contains("\"later"));
        // Members still see it as it is.
        const QJsonObject current = owner.request(u"conversation.get"_s, {{u"conversation"_s, id}})
                                        .value(u"conversation"_s)
                                        .toObject();
        QCOMPARE(current.value(u"title"_s).toString(), u"After"_s);
        QCOMPARE(current.value(u"member_count"_s).toInteger(), 2);
    }

    void theLastSeqCountsEveryKindOfEvent()
    {
        // Messages leave their conversation's row alone (the log has their seq); every
        // other kind of event bumps it. Whatever the mix, seqs follow one another and the
        // conversation, its listing and sync all say the same last seq.
        ProtocolClient owner, member, late;
        owner.signUp(m_relay.webSocketUrl(), nextName(u"owner"_s));
        const qint64 memberId = member.signUp(m_relay.webSocketUrl(), nextName(u"member"_s));
        const qint64 lateId = late.signUp(m_relay.webSocketUrl(), nextName(u"late"_s));
        const qint64 id = conversationId(
            owner.request(u"group.create"_s,
                          {{u"title"_s, u"Counting"_s}, {u"members"_s, QJsonArray{memberId}}}));
        QVERIFY(id > 0);
        QList<qint64> seqs;
        const auto seqOf = [](const QJsonObject &reply) {
            return reply.value(u"event"_s).toObject().value(u"seq"_s).toInteger();
        };
        seqs << seqOf(owner.sendMessage(id, u"n1"_s, u"one"_s))
             << seqOf(member.sendMessage(id, u"n2"_s, u"two"_s));
        const QJsonObject edited = owner.request(u"message.edit"_s,
                                                 {{u"conversation"_s, id},
                                                  {u"seq"_s, seqs.first()},
                                                  {u"client_id"_s, u"n3"_s},
                                                  {u"text"_s, u"one, edited"_s}});
        QVERIFY(ok(edited));
        seqs << seqOf(edited) << seqOf(owner.sendMessage(id, u"n4"_s, u"four"_s));
        QVERIFY(ok(owner.request(u"group.add"_s,
                                 {{u"conversation"_s, id}, {u"users"_s, QJsonArray{lateId}}})));
        seqs << seqOf(late.sendMessage(id, u"n5"_s, u"five"_s))
             << seqOf(member.sendMessage(id, u"n6"_s, u"six"_s));
        QCOMPARE(seqs.size(), 6);
        for (qsizetype i = 1; i < seqs.size(); ++i)
            QVERIFY2(seqs[i] > seqs[i - 1], "seqs grow");
        QCOMPARE(seqs[3] - seqs[2], 1); // edit, then a message: one apart
        QCOMPARE(seqs[5] - seqs[4], 1);
        QCOMPARE(seqs[4] - seqs[3], 2); // the member_added event between
        const qint64 last = seqs.last();

        qint64 listed = -1;
        for (const QJsonValue &value :
             member.request(u"conversations.list"_s).value(u"conversations"_s).toArray()) {
            if (value.toObject().value(u"id"_s).toInteger() == id)
                listed = value.toObject().value(u"last_seq"_s).toInteger();
        }
        QCOMPARE(listed, last);
        const QJsonArray events
            = late.request(u"sync"_s, {{u"cursors"_s, QJsonArray{}}}).value(u"events"_s).toArray();
        QVERIFY(!events.isEmpty());
        QCOMPARE(events.last().toObject().value(u"seq"_s).toInteger(), last);
        for (qsizetype i = 1; i < events.size(); ++i)
            QCOMPARE(events[i].toObject().value(u"seq"_s).toInteger(),
                     events[i - 1].toObject().value(u"seq"_s).toInteger() + 1);
    }

    void blocking()
    {
        ProtocolClient alice, bob;
        const qint64 aliceId = alice.signUp(m_relay.webSocketUrl(), nextName(u"alice"_s));
        const qint64 bobId = bob.signUp(m_relay.webSocketUrl(), nextName(u"bob"_s));
        const qint64 direct = alice.openDirect(bobId);
        QVERIFY(ok(alice.sendMessage(direct, u"b1"_s, u"hi bob"_s)));

        QVERIFY(ok(bob.request(u"user.block"_s, {{u"user"_s, aliceId}})));
        QCOMPARE(bob.request(u"blocks.list"_s)
                     .value(u"users"_s)
                     .toArray()
                     .first()
                     .toObject()
                     .value(u"id"_s)
                     .toInteger(),
                 aliceId);
        QCOMPARE(code(alice.sendMessage(direct, u"b2"_s, u"hello?"_s)), u"forbidden"_s);
        QCOMPARE(code(bob.sendMessage(direct, u"b3"_s, u"bye"_s)), u"forbidden"_s); // either way
        QCOMPARE(code(alice.request(u"direct.open"_s, {{u"user"_s, bobId}})), u"forbidden"_s);
        QCOMPARE(code(alice.request(u"group.create"_s,
                                    {{u"title"_s, u"Trap"_s}, {u"members"_s, QJsonArray{bobId}}})),
                 u"forbidden"_s);
        QCOMPARE(code(bob.request(u"user.block"_s, {{u"user"_s, bobId}})), u"bad_request"_s);

        QVERIFY(ok(bob.request(u"user.unblock"_s, {{u"user"_s, aliceId}})));
        QVERIFY(ok(alice.sendMessage(direct, u"b4"_s, u"friends again"_s)));
        QVERIFY(bob.request(u"blocks.list"_s).value(u"users"_s).toArray().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestConversations)
#include "tst_conversations.moc"
