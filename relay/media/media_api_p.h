#pragma once

#include "media/media_api.h"
#include "protocol/messages/http_messages.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QSet>
#include <QString>

#include <utility>

// Shared by media_api.cpp (routing, authorization, downloads, links, the sweep) and
// media_uploads.cpp (the upload requests); not part of the relay's API.
namespace tidings::relay {

namespace sql {
struct MediaRecord;
} // namespace sql

struct MediaApi::Busy
{
    QMutex mutex;
    QSet<QString> ids;
};

namespace media {

constexpr qint64 kPieceBytes = 1024 * 1024; ///< read from the socket / the disk at a time
const QByteArray kPrefix = "/v1/media";

using Headers = QList<std::pair<QByteArray, QByteArray>>;

/// Answers with the error's status and its code and message as JSON.
void fail(HttpConnection &connection, const Error &error, Headers headers = {});
void ok(HttpConnection &connection, int status, const QJsonObject &body, Headers headers = {});
/// The media object as the API describes it (docs/protocol.md, section 8).
protocol::messages::MediaObject describe(const sql::MediaRecord &record);

} // namespace media

} // namespace tidings::relay
