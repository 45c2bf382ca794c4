#include "store/media_queries.h"

#include "store/sql_helpers.h"

#include <QJsonObject>
#include <QSet>

namespace tidings::relay::sql {

using namespace Qt::StringLiterals;

namespace {

const QString kColumns
    = u"id, owner_id, size, type, sha256, name, state, created_at, completed_at"_s;

MediaRecord readMedia(const QSqlQuery &query)
{
    MediaRecord record;
    record.id = query.value(0).toString();
    record.ownerId = query.value(1).toLongLong();
    record.size = query.value(2).toLongLong();
    record.type = query.value(3).toString();
    record.sha256 = query.value(4).toString();
    record.name = query.value(5).toString();
    const QString state = query.value(6).toString();
    record.state = state == u"complete"_s ? MediaState::Complete
        : state == u"deleting"_s          ? MediaState::Deleting
                                          : MediaState::Uploading;
    record.createdAt = query.value(7).toLongLong();
    record.completedAt = query.value(8).toLongLong();
    return record;
}

/// The first column of every row of `statement`, as text (the query is finished after).
Result<QStringList> textColumn(QSqlDatabase &db, const QString &statement,
                               const QVariantList &values)
{
    auto query = run(db, statement, values);
    if (!query)
        return query.error();
    QStringList texts;
    while (query->next())
        texts.append(query->value(0).toString());
    query->finish();
    return texts;
}

Error noSuchMedia()
{
    return Error{ErrorCode::NotFound, u"no such media"_s};
}

} // namespace

Result<MediaRecord> createUpload(QSqlDatabase &db, const NewUpload &upload,
                                 const MediaLimits &limits)
{
    if (limits.maxUnfinished > 0) {
        auto unfinished
            = run(db, u"SELECT count(*) FROM media WHERE owner_id = ? AND state = 'uploading'"_s,
                  {upload.ownerId});
        if (!unfinished)
            return unfinished.error();
        unfinished->next();
        if (unfinished->value(0).toLongLong() >= limits.maxUnfinished)
            return Error{ErrorCode::RateLimited,
                         u"finish or cancel an upload first: at most %1 at once"_s.arg(
                             limits.maxUnfinished)};
    }
    if (limits.totalBytes > 0) {
        auto used = run(db, u"SELECT COALESCE(SUM(size), 0) FROM media"_s);
        if (!used)
            return used.error();
        used->next();
        if (used->value(0).toLongLong() + upload.size > limits.totalBytes)
            return Error{ErrorCode::Unavailable, u"the relay has no room for more files now"_s};
    }
    const qint64 quotaBytes = limits.quotaBytes;
    if (quotaBytes > 0) {
        auto used = run(db, u"SELECT COALESCE(SUM(size), 0) FROM media WHERE owner_id = ?"_s,
                        {upload.ownerId});
        if (!used)
            return used.error();
        used->next();
        if (used->value(0).toLongLong() + upload.size > quotaBytes)
            return Error{
                ErrorCode::TooLarge,
                u"this upload would pass your storage quota of %1 bytes"_s.arg(quotaBytes)};
    }
    const qint64 at = now();
    if (auto inserted = run(
            db,
            u"INSERT INTO media (id, owner_id, size, type, sha256, name, state,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, 'uploading', ?)"_s,
            {upload.id, upload.ownerId, upload.size, upload.type, upload.sha256, upload.name, at});
        !inserted) {
        return inserted.error();
    }
    return MediaRecord{upload.id,
                       upload.ownerId,
                       upload.size,
                       upload.type,
                       upload.sha256,
                       upload.name,
                       MediaState::Uploading,
                       at,
                       0};
}

Result<MediaRecord> mediaById(QSqlDatabase &db, const QString &id)
{
    auto query = run(
        db, u"SELECT "_s + kColumns + u" FROM media WHERE id = ? AND state != 'deleting'"_s, {id});
    if (!query)
        return query.error();
    if (!query->next())
        return noSuchMedia();
    return readMedia(*query);
}

Result<MediaRecord> readableMedia(QSqlDatabase &db, UserId user, const QString &id)
{
    auto query
        = run(db,
              u"SELECT "_s + kColumns
                  + u" FROM media m WHERE m.id = ? AND m.state != 'deleting' AND (m.owner_id = ? OR"
                    " EXISTS (SELECT 1 FROM media_refs r JOIN members mb"
                    " ON mb.conversation_id = r.conversation_id AND mb.user_id = ?"
                    " WHERE r.media_id = m.id AND r.seq >= mb.joined_seq"
                    " AND (mb.left_seq IS NULL OR r.seq <= mb.left_seq)))"_s,
              {id, user, user});
    if (!query)
        return query.error();
    if (!query->next())
        return noSuchMedia();
    return readMedia(*query);
}

Result<MediaRecord> completeUpload(QSqlDatabase &db, const QString &id, const QString &type)
{
    auto record = mediaById(db, id);
    if (!record)
        return record.error();
    if (record->state != MediaState::Uploading)
        return *record; // completed already: the same answer again
    record->state = MediaState::Complete;
    record->type = type;
    record->completedAt = now();
    if (auto updated = run(db,
                           u"UPDATE media SET state = 'complete', type = ?, completed_at = ?"
                           " WHERE id = ?"_s,
                           {type, record->completedAt, id});
        !updated) {
        return updated.error();
    }
    return record;
}

Result<void> cancelUpload(QSqlDatabase &db, UserId owner, const QString &id)
{
    auto record = mediaById(db, id);
    if (!record || record->ownerId != owner)
        return noSuchMedia();
    auto updated
        = run(db, u"UPDATE media SET state = 'deleting' WHERE id = ? AND refs = 0"_s, {id});
    if (!updated)
        return updated.error();
    if (updated->numRowsAffected() == 0)
        return Error{ErrorCode::Conflict, u"a message refers to this media: delete the message"_s};
    return {};
}

Result<QJsonArray> checkAttachments(QSqlDatabase &db, UserId sender, const QJsonArray &attachments)
{
    QJsonArray checked;
    for (const QJsonValue &item : attachments) {
        QJsonObject attachment = item.toObject();
        const QString id = attachment.value(u"media"_s).toString();
        auto record = readableMedia(db, sender, id);
        if (!record)
            return record.error();
        if (record->state != MediaState::Complete)
            return Error{ErrorCode::Conflict, u"the upload of media %1 is not complete"_s.arg(id)};
        attachment.insert(u"size"_s, record->size);
        attachment.insert(u"type"_s, record->type);
        attachment.insert(u"sha256"_s, record->sha256);
        if (!attachment.contains(u"name"_s))
            attachment.insert(u"name"_s, record->name);
        checked.append(attachment);
    }
    return checked;
}

Result<void> referMedia(QSqlDatabase &db, ConversationId conversation, Seq seq,
                        const QJsonArray &attachments)
{
    QSet<QString> seen;
    for (const QJsonValue &item : attachments) {
        const QString id = item.toObject().value(u"media"_s).toString();
        if (seen.contains(id))
            continue;
        seen.insert(id);
        if (auto inserted = run(db,
                                u"INSERT INTO media_refs (media_id, conversation_id, seq)"
                                " VALUES (?, ?, ?)"_s,
                                {id, conversation, seq});
            !inserted) {
            return inserted.error();
        }
        if (auto counted
            = run(db, u"UPDATE media SET refs = refs + 1, sent = 1 WHERE id = ?"_s, {id});
            !counted) {
            return counted.error();
        }
    }
    return {};
}

Result<void> releaseMedia(QSqlDatabase &db, ConversationId conversation, Seq seq)
{
    const auto ids
        = textColumn(db, u"SELECT media_id FROM media_refs WHERE conversation_id = ? AND seq = ?"_s,
                     {conversation, seq});
    if (!ids)
        return ids.error();
    for (const QString &id : *ids) {
        if (auto removed = run(db,
                               u"DELETE FROM media_refs WHERE media_id = ? AND conversation_id = ?"
                               " AND seq = ?"_s,
                               {id, conversation, seq});
            !removed) {
            return removed.error();
        }
        if (auto counted = run(db, u"UPDATE media SET refs = refs - 1 WHERE id = ?"_s, {id});
            !counted) {
            return counted.error();
        }
    }
    return {};
}

Result<QStringList> collectMedia(QSqlDatabase &db, qint64 nowMs, qint64 unsentExpiryMs, int limit)
{
    const auto ids = textColumn(db,
                                u"SELECT id FROM media WHERE refs = 0 AND state != 'deleting'"
                                " AND (sent = 1 OR created_at < ?) ORDER BY created_at LIMIT ?"_s,
                                {nowMs - unsentExpiryMs, limit});
    if (!ids)
        return ids.error();
    for (const QString &id : *ids) {
        if (auto marked = run(db, u"UPDATE media SET state = 'deleting' WHERE id = ?"_s, {id});
            !marked) {
            return marked.error();
        }
    }
    return ids;
}

Result<void> forgetMedia(QSqlDatabase &db, const QStringList &ids)
{
    for (const QString &id : ids) {
        if (auto removed
            = run(db, u"DELETE FROM media WHERE id = ? AND state = 'deleting'"_s, {id});
            !removed) {
            return removed.error();
        }
    }
    return {};
}

Result<QByteArray> mediaLinkKey(QSqlDatabase &db, const QByteArray &fresh)
{
    if (auto stored = run(db,
                          u"INSERT INTO relay_meta (key, value) VALUES ('media_link_key', ?)"
                          " ON CONFLICT (key) DO NOTHING"_s,
                          {QString::fromLatin1(fresh.toHex())});
        !stored) {
        return stored.error();
    }
    auto query = run(db, u"SELECT value FROM relay_meta WHERE key = 'media_link_key'"_s);
    if (!query)
        return query.error();
    if (!query->next())
        return Error{ErrorCode::Internal, u"no media link key"_s};
    return QByteArray::fromHex(query->value(0).toString().toLatin1());
}

Result<QStringList> mediaBeingDeleted(QSqlDatabase &db, int limit)
{
    return textColumn(db, u"SELECT id FROM media WHERE state = 'deleting' LIMIT ?"_s, {limit});
}

} // namespace tidings::relay::sql
