#pragma once

// What the local_*_queries.cpp files share: how a message row and a body are read and
// written, and how a change applies to a body. Internal to app/core.

#include "core/local_queries.h"

#include <QJsonObject>
#include <QSqlQuery>
#include <QString>

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
/// The columns readMessage() reads, in its order.
const QString &messageColumns();
Message readMessage(const QSqlQuery &query);
/// The message (kind "message") at `seq`: its row id and body.
Result<std::optional<std::pair<qint64, QJsonObject>>> messageBySeq(QSqlDatabase &db,
                                                                   qint64 conversation, Seq seq);
Result<void> storeBody(QSqlDatabase &db, qint64 id, const QJsonObject &body);

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
/// The change a relay's entry makes.
Change changeOf(const protocol::messages::LogEntry &entry);
/// `body` with `change` applied by the protocol's rules (common/protocol/messages/
/// message_rules.h). A change that does not apply (a reaction that is so already: the
/// optimistic copy of the relay's event) leaves the body as it is. `fromRelay`: the relay
/// accepted it, so no limit holds it back (this copy may count reactions of its own the
/// relay refused).
QJsonObject changed(QJsonObject body, const Change &change, qint64 sender, qint64 time,
                    bool fromRelay);

} // namespace tidings::app::local::detail
