#pragma once

// What the local_*_queries.cpp files share: how a message row and a body are read and
// written, and how a change applies to a body. Internal to app/core.

#include "core/local_queries.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <optional>
#include <utility>

namespace tidings::protocol::messages {
struct LogEntry;
}

namespace tidings::app::local::detail {

QString toText(const QJsonObject &object);
QJsonObject fromText(const QString &text);
/// What search indexes: the text of a message that still has one.
QString searchableText(const QString &kind, const QJsonObject &body);
/// What messages.text holds for `body`: searchableText(), as keyed tokens when the store
/// has a key (store_cipher.h).
QString searchColumn(const QSqlDatabase &db, const QString &kind, const QJsonObject &body);

/// The user's content as the store keeps it (docs/encryption.md, section 8): sealed with
/// the store key when the connection has one, bound to its table, column and row; as JSON
/// text otherwise. Opening fails with Corrupt for a value that is not this row's.
/// A message's "body" or "confirmed_body", in row `id`.
Result<QVariant> keepBody(const QSqlDatabase &db, QByteArrayView column, qint64 id,
                          const QJsonObject &body);
Result<QJsonObject> openBody(const QSqlDatabase &db, QByteArrayView column, qint64 id,
                             const QVariant &stored);
/// An outbox item's payload, bound to the item's key (unique, and known before it is
/// inserted or upserted).
Result<QVariant> keepPayload(const QSqlDatabase &db, const QString &key,
                             const QJsonObject &payload);
Result<QJsonObject> openPayload(const QSqlDatabase &db, const QString &key, const QVariant &stored);
/// The id a new message row gets. A sealed body is bound to its row's id, so the id is
/// chosen before the insert, in the same transaction (the store has one writer).
Result<qint64> nextMessageId(QSqlDatabase &db);

/// The columns readMessage() reads, in its order.
const QString &messageColumns();
/// The message in `query`'s current row, its body opened.
Result<Message> readMessage(const QSqlDatabase &db, const QSqlQuery &query);
/// A message row as changes see it.
struct StoredMessage
{
    qint64 id = 0;
    QJsonObject body; ///< what shows: confirmed, with my waiting changes applied
    QJsonObject confirmed; ///< what the relay last confirmed
};
/// The message (kind "message") at `seq`.
Result<std::optional<StoredMessage>> messageBySeq(QSqlDatabase &db, qint64 conversation, Seq seq);
/// Stores `confirmed` as what the relay says of message row `id` (at `seq`) and shows it
/// with my changes that still wait in the outbox (pending, not failed) applied on top.
Result<void> settle(QSqlDatabase &db, qint64 id, qint64 conversation, Seq seq,
                    const QJsonObject &confirmed);

/// A change to a message (edit, delete, reaction) as both the relay's entry and the user's
/// request carry it.
struct Change
{
    QString kind; ///< edit, delete or reaction; anything else changes nothing
    QString text; ///< edit
    bool textGone = true; ///< an edit whose text went with a later delete
    QString emoji; ///< reaction
    bool on = true; ///< reaction
};
/// The change a request of mine makes (message.edit, message.delete, message.react), as
/// the outbox holds it; a kind of "" for anything else.
Change changeOfRequest(const QString &type, const QJsonObject &payload);
/// The change a relay's entry makes.
Change changeOf(const protocol::messages::LogEntry &entry);
/// `body` with `change` applied by the protocol's rules (common/protocol/messages/
/// message_rules.h). A change that does not apply (a reaction that is so already: the
/// optimistic copy of the relay's event) leaves the body as it is. `fromRelay`: the relay
/// accepted it, so no limit holds it back (this copy may count reactions of its own the
/// relay refused).
QJsonObject changed(QJsonObject body, const Change &change, qint64 sender, qint64 time,
                    bool fromRelay);

/// `user`'s safety number changed: every conversation this user is in with them gets a
/// local entry saying so (kinds::kKeyChanged), right after the last entry it has now (its
/// last seq), at `time`. Nothing of it is sent. Returns those conversations.
Result<QList<qint64>> noteKeyChange(QSqlDatabase &db, qint64 user, qint64 time);

/// An encrypted entry that waited for its key, opened (e2e_queries.h): stored as the
/// message it is, or its edit or reaction applied to its target, wherever the
/// conversation's cursor stands (the entry counted when it first came).
Result<void> applyOpened(QSqlDatabase &db, const protocol::messages::LogEntry &entry, qint64 me);

} // namespace tidings::app::local::detail
