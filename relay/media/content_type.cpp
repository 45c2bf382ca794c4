#include "media/content_type.h"

#include <QMimeDatabase>
#include <QRegularExpression>

namespace tidings::relay::media {

using namespace Qt::StringLiterals;

namespace {

bool shownInPlace(const QString &type)
{
    return type.startsWith(u"image/"_s) || type.startsWith(u"video/"_s)
        || type.startsWith(u"audio/"_s);
}

bool related(const QMimeType &a, const QMimeType &b)
{
    return a == b || a.inherits(b.name()) || b.inherits(a.name());
}

} // namespace

Result<QString> canonicalType(const QString &declared)
{
    static const QRegularExpression pattern(
        u"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$"_s);
    const QString type = declared.section(u';', 0, 0).trimmed().toLower();
    if (!pattern.match(type).hasMatch())
        return Error{ErrorCode::BadRequest, u"'%1' is not a MIME type"_s.arg(declared.left(64))};
    return type;
}

bool typeAllowed(const QString &type, const QStringList &patterns)
{
    for (const QString &pattern : patterns) {
        if (pattern == u"*"_s || pattern == type)
            return true;
        if (pattern.endsWith(u"/*"_s) && type.startsWith(pattern.chopped(1)))
            return true;
    }
    return false;
}

Result<QString> verifyType(const QString &declared, const QByteArray &head)
{
    if (declared == u"application/octet-stream"_s)
        return declared; // "some bytes": served as an attachment, never shown
    const QMimeDatabase database;
    const QMimeType sniffed = database.mimeTypeForData(head);
    const bool unknown = !sniffed.isValid() || sniffed.isDefault()
        || sniffed.name() == u"application/x-zerosize"_s;
    if (unknown) {
        if (shownInPlace(declared))
            return Error{ErrorCode::Unsupported, u"the file's content is not %1"_s.arg(declared)};
        return declared;
    }
    const QMimeType claimed = database.mimeTypeForName(declared);
    if (claimed.isValid() && related(claimed, sniffed))
        return claimed.name() == declared ? declared : claimed.name();
    // A type the database does not know: only a plain text file may claim it.
    if (!claimed.isValid() && !shownInPlace(declared) && sniffed.name() == u"text/plain"_s)
        return declared;
    return Error{ErrorCode::Unsupported,
                 u"the file's content is %1, not %2"_s.arg(sniffed.name(), declared)};
}

bool servedInline(const QString &type)
{
    static const QStringList pictures{u"image/png"_s, u"image/jpeg"_s, u"image/gif"_s,
                                      u"image/webp"_s, u"image/bmp"_s};
    return pictures.contains(type) || type.startsWith(u"video/"_s) || type.startsWith(u"audio/"_s);
}

} // namespace tidings::relay::media
