#include "protocol/messages/device_link.h"

#include "protocol/account_rules.h"
#include "protocol/fields.h"
#include "protocol/messages/key_directory.h"
#include "protocol/messages/key_directory_p.h"

namespace tidings::protocol::messages {

using namespace Qt::StringLiterals;

namespace {

using keyfields::base64;

/// As login's password (account_requests.cpp), but never empty: every account has one.
constexpr fields::StringRule kPassword{1, kMaxPasswordBytes};

/// Field `offer`: a link offer id, required.
Result<QString> offerId(const QJsonObject &fields)
{
    const QJsonValue value = fields.value(u"offer"_s);
    if (value.isUndefined() || value.isNull())
        return Error{ErrorCode::BadRequest, u"field 'offer' is required"_s};
    if (!value.isString() || !isLinkOfferId(value.toString()))
        return Error{ErrorCode::BadRequest,
                     u"field 'offer' must be a link offer id (32 lower-case hex digits)"_s};
    return value.toString();
}

/// Field `ephemeral`: an X25519 public key.
Result<QByteArray> ephemeralKey(const QJsonObject &fields)
{
    return keyfields::fixedBytes(fields, u"ephemeral"_s, keys::kPublicKeyBytes);
}

/// Field `box`: base64 of 1 to `maxBytes` bytes. A longer one is TooLarge, told from the
/// string's length before anything is decoded (as an inbox body), so a huge box costs no
/// decoding.
Result<QByteArray> boxField(const QJsonObject &fields, qsizetype maxBytes)
{
    const QJsonValue value = fields.value(u"box"_s);
    if (value.isString()) {
        const QString text = value.toString();
        // 4 characters spell 3 bytes; padding takes back one byte per '=' of the last group.
        const qsizetype padding = text.endsWith(u"=="_s) ? 2 : text.endsWith(u'=') ? 1 : 0;
        if (text.size() / 4 * 3 - padding > maxBytes)
            return Error{ErrorCode::TooLarge,
                         u"field 'box' must be base64 of 1 to %1 bytes"_s.arg(maxBytes)};
    }
    return keyfields::bytesUpTo(fields, u"box"_s, maxBytes);
}

} // namespace

bool isLinkOfferId(QStringView id)
{
    if (id.size() != 32)
        return false;
    for (const QChar c : id) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    }
    return true;
}

Result<OfferLink> OfferLink::decode(const QJsonObject &fields, const Limits &)
{
    auto password = fields::string(fields, u"password"_s, kPassword);
    if (!password)
        return password.error();
    auto ephemeral = ephemeralKey(fields);
    if (!ephemeral)
        return ephemeral.error();
    return OfferLink{std::move(password).value(), std::move(ephemeral).value()};
}

QJsonObject OfferLink::encode() const
{
    return {{u"password"_s, password}, {u"ephemeral"_s, base64(ephemeral)}};
}

Result<LinkOffered> LinkOffered::decode(const QJsonObject &fields)
{
    auto offer = offerId(fields);
    if (!offer)
        return offer.error();
    const auto expiresAt = fields::integer(fields, u"expires_at"_s, 0);
    if (!expiresAt)
        return expiresAt.error();
    return LinkOffered{std::move(offer).value(), *expiresAt};
}

QJsonObject LinkOffered::encode() const
{
    return {{u"offer"_s, offer}, {u"expires_at"_s, expiresAt}};
}

Result<FindLink> FindLink::decode(const QJsonObject &, const Limits &)
{
    return FindLink{};
}

Result<LinkFound> LinkFound::decode(const QJsonObject &fields)
{
    auto offer = offerId(fields);
    if (!offer)
        return offer.error();
    auto ephemeral = ephemeralKey(fields);
    if (!ephemeral)
        return ephemeral.error();
    const auto device = keyfields::u32(fields, u"device"_s, 1);
    if (!device)
        return device.error();
    const auto expiresAt = fields::integer(fields, u"expires_at"_s, 0);
    if (!expiresAt)
        return expiresAt.error();
    return LinkFound{std::move(offer).value(), std::move(ephemeral).value(), *device, *expiresAt};
}

QJsonObject LinkFound::encode() const
{
    return {{u"offer"_s, offer},
            {u"ephemeral"_s, base64(ephemeral)},
            {u"device"_s, qint64(device)},
            {u"expires_at"_s, expiresAt}};
}

Result<AnswerLink> AnswerLink::decode(const QJsonObject &fields, const Limits &)
{
    auto offer = offerId(fields);
    if (!offer)
        return offer.error();
    auto ephemeral = ephemeralKey(fields);
    if (!ephemeral)
        return ephemeral.error();
    auto sealed = boxField(fields, kMaxBoxBytes);
    if (!sealed)
        return sealed.error();
    return AnswerLink{std::move(offer).value(), std::move(ephemeral).value(),
                      std::move(sealed).value()};
}

QJsonObject AnswerLink::encode() const
{
    return {{u"offer"_s, offer}, {u"ephemeral"_s, base64(ephemeral)}, {u"box"_s, base64(box)}};
}

Result<CompleteLink> CompleteLink::decode(const QJsonObject &fields, const Limits &)
{
    auto offer = offerId(fields);
    if (!offer)
        return offer.error();
    auto sealed = boxField(fields, kMaxBoxBytes);
    if (!sealed)
        return sealed.error();
    return CompleteLink{std::move(offer).value(), std::move(sealed).value()};
}

QJsonObject CompleteLink::encode() const
{
    return {{u"offer"_s, offer}, {u"box"_s, base64(box)}};
}

Result<CancelLink> CancelLink::decode(const QJsonObject &fields, const Limits &)
{
    auto offer = offerId(fields);
    if (!offer)
        return offer.error();
    return CancelLink{std::move(offer).value()};
}

QJsonObject CancelLink::encode() const
{
    return {{u"offer"_s, offer}};
}

} // namespace tidings::protocol::messages
