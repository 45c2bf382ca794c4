#pragma once

#include "protocol/fields.h"
#include "store/records.h"
#include "util/result.h"

#include <QJsonArray>
#include <QSqlDatabase>
#include <QStringList>

/// Media: uploads, the messages that refer to them, and who may download them. The bytes
/// live in a BlobStore (relay/media); these rows say what they are and whose.
namespace tidings::relay::sql {

using protocol::fields::isMediaId;

enum class MediaState { Uploading, Complete, Deleting };

struct MediaRecord
{
    QString id; ///< relay-made: 32 lower-case hex digits
    UserId ownerId = 0;
    qint64 size = 0; ///< declared at creation; checked at completion
    QString type; ///< declared MIME type; the sniffed one once complete
    QString sha256; ///< declared, lower-case hex; checked at completion
    QString name; ///< the file name the uploader gave (display only, never a path)
    MediaState state = MediaState::Uploading;
    qint64 createdAt = 0;
    qint64 completedAt = 0;
};

struct NewUpload
{
    QString id;
    UserId ownerId = 0;
    qint64 size = 0;
    QString type;
    QString sha256;
    QString name;
};

/// Records a new upload. TooLarge (with "quota" in the message) when the owner's stored and
/// unfinished media would pass `quotaBytes` (0: no quota).
/// What createUpload() holds new uploads to.
struct MediaLimits
{
    qint64 quotaBytes = 0; ///< the owner's media, this one included; 0: none
    qint64 totalBytes = 0; ///< everyone's media, this one included; 0: none
    int maxUnfinished = 0; ///< the owner's uploads not complete yet; 0: none
};
Result<MediaRecord> createUpload(QSqlDatabase &db, const NewUpload &upload,
                                 const MediaLimits &limits);

/// NotFound when there is no such media (or it is being deleted).
Result<MediaRecord> mediaById(QSqlDatabase &db, const QString &id);

/// The media if `user` may download it: its owner, or a member who may see a message that
/// refers to it. NotFound otherwise — the same answer as for media that does not exist, so
/// that ids cannot be probed.
Result<MediaRecord> readableMedia(QSqlDatabase &db, UserId user, const QString &id);

/// Marks an upload complete with its verified type.
Result<MediaRecord> completeUpload(QSqlDatabase &db, const QString &id, const QString &type);

/// The owner gives up an upload no message refers to: it is marked for deletion.
Result<void> cancelUpload(QSqlDatabase &db, UserId owner, const QString &id);

/// For message.send (whose handler has checked the fields' shapes): checks each
/// attachment's "media" (complete, and readable by `sender`) and returns the attachments
/// with the relay's own size, type and sha256 in them.
Result<QJsonArray> checkAttachments(QSqlDatabase &db, UserId sender, const QJsonArray &attachments);
/// Records that the message at (`conversation`, `seq`) refers to its attachments' media.
Result<void> referMedia(QSqlDatabase &db, ConversationId conversation, Seq seq,
                        const QJsonArray &attachments);
/// The message at (`conversation`, `seq`) no longer refers to anything (deleted, expired).
Result<void> releaseMedia(QSqlDatabase &db, ConversationId conversation, Seq seq);

/// Marks for deletion, at most `limit` at a time, media no message refers to any more and
/// media never sent within `unsentExpiryMs` of its creation; returns their ids. Their
/// blobs are then removed and forgetMedia() drops the rows.
Result<QStringList> collectMedia(QSqlDatabase &db, qint64 nowMs, qint64 unsentExpiryMs, int limit);
Result<void> forgetMedia(QSqlDatabase &db, const QStringList &ids);

/// The key media links are signed with: made once per store (from `fresh`), then kept.
Result<QByteArray> mediaLinkKey(QSqlDatabase &db, const QByteArray &fresh);

/// Media marked for deletion whose blobs may remain (after a crash between the steps).
Result<QStringList> mediaBeingDeleted(QSqlDatabase &db, int limit);

} // namespace tidings::relay::sql
