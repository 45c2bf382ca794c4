#include "protocol/account_rules.h"

namespace tidings::protocol {

using namespace Qt::StringLiterals;

namespace {

bool isUsernameCharacter(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'.' || c == u'_'
        || c == u'-';
}

} // namespace

Result<QString> canonicalUsername(const QString &input)
{
    const QString name = input.toLower();
    if (name.size() < kMinUsernameLength || name.size() > kMaxUsernameLength)
        return Error{ErrorCode::BadRequest, u"a username has 3 to 32 characters"_s};
    for (const QChar c : name) {
        if (!isUsernameCharacter(c))
            return Error{ErrorCode::BadRequest,
                         u"a username may only use a-z, 0-9, '.', '_' and '-'"_s};
    }
    if (!name.front().isLetterOrNumber())
        return Error{ErrorCode::BadRequest, u"a username starts with a letter or a digit"_s};
    return name;
}

namespace {

Result<QString> validName(const QString &input, qsizetype maxLength, const QString &what)
{
    const QString name = input.trimmed();
    if (name.isEmpty() || name.size() > maxLength)
        return Error{ErrorCode::BadRequest,
                     u"a %1 has 1 to %2 characters"_s.arg(what).arg(maxLength)};
    for (const QChar c : name) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format
            || c == QChar::LineSeparator || c == QChar::ParagraphSeparator) {
            return Error{ErrorCode::BadRequest,
                         u"a %1 cannot contain control characters"_s.arg(what)};
        }
    }
    return name;
}

} // namespace

Result<QString> validDisplayName(const QString &input)
{
    return validName(input, kMaxDisplayNameLength, u"display name"_s);
}

Result<QString> validTitle(const QString &input)
{
    return validName(input, kMaxTitleLength, u"group title"_s);
}

Result<void> checkPassword(const QString &password, const QString &username)
{
    const qsizetype bytes = password.toUtf8().size();
    if (bytes < kMinPasswordBytes)
        return Error{ErrorCode::BadRequest, u"a password has at least 8 characters"_s};
    if (bytes > kMaxPasswordBytes)
        return Error{ErrorCode::BadRequest, u"a password has at most 1024 bytes"_s};
    if (password.compare(username, Qt::CaseInsensitive) == 0)
        return Error{ErrorCode::BadRequest, u"a password cannot be the username"_s};
    return {};
}

} // namespace tidings::protocol
