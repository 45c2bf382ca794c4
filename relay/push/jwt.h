#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>

namespace tidings::relay {

/// JSON Web Tokens as push providers want them: RS256 (FCM's OAuth2 service-account
/// assertion) and ES256 (APNs provider tokens), signed with OpenSSL.
enum class JwtAlgorithm { RS256, ES256 };

/// A private key read once from PEM (PKCS#8, as Google's service-account files and Apple's
/// .p8 files carry it). Movable, not copyable.
class JwtSigner
{
public:
    /// Fails with a message that never contains the key.
    static Result<JwtSigner> fromPem(JwtAlgorithm algorithm, const QByteArray &pem);

    JwtSigner(JwtSigner &&other) noexcept;
    JwtSigner &operator=(JwtSigner &&other) noexcept;
    ~JwtSigner();

    /// header.claims.signature, each part base64url without padding; `header` gets "alg"
    /// (and "typ") added.
    Result<QByteArray> sign(QJsonObject header, const QJsonObject &claims) const;

private:
    JwtSigner(JwtAlgorithm algorithm, void *key) : m_algorithm(algorithm), m_key(key) { }
    JwtAlgorithm m_algorithm;
    void *m_key = nullptr; ///< EVP_PKEY
};

QByteArray base64Url(const QByteArray &data);

} // namespace tidings::relay
