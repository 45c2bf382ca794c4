#include "crypto/message_auth.h"

#include "crypto/sodium.h"

#include <sodium.h>

namespace tidings::crypto {

QByteArray newMessageAuthKey()
{
    ensureSodium();
    QByteArray key(crypto_auth_KEYBYTES, Qt::Uninitialized);
    crypto_auth_keygen(reinterpret_cast<unsigned char *>(key.data()));
    return key;
}

QByteArray messageTag(const QByteArray &key, const QByteArray &message)
{
    ensureSodium();
    Q_ASSERT(key.size() == crypto_auth_KEYBYTES);
    QByteArray tag(crypto_auth_BYTES, Qt::Uninitialized);
    crypto_auth(reinterpret_cast<unsigned char *>(tag.data()),
                reinterpret_cast<const unsigned char *>(message.constData()),
                static_cast<unsigned long long>(message.size()),
                reinterpret_cast<const unsigned char *>(key.constData()));
    return tag.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

bool verifyMessageTag(const QByteArray &key, const QByteArray &message, const QByteArray &tag)
{
    ensureSodium();
    const auto decoded = QByteArray::fromBase64Encoding(
        tag, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != crypto_auth_BYTES
        || key.size() != crypto_auth_KEYBYTES)
        return false;
    return crypto_auth_verify(reinterpret_cast<const unsigned char *>(decoded.decoded.constData()),
                              reinterpret_cast<const unsigned char *>(message.constData()),
                              static_cast<unsigned long long>(message.size()),
                              reinterpret_cast<const unsigned char *>(key.constData()))
        == 0;
}

} // namespace tidings::crypto
