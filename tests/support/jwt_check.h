#pragma once

#include <QByteArray>
#include <QJsonObject>

namespace tidings::test {

/// A key pair made for a test, in PEM (private: PKCS#8, as Google's and Apple's key files).
struct TestKeyPair
{
    QByteArray privatePem;
    QByteArray publicPem;
};
TestKeyPair makeRsaKeyPair();
TestKeyPair makeP256KeyPair();

/// A JWT taken apart; `verified` says whether its signature checks out with the key.
struct CheckedJwt
{
    bool verified = false;
    QJsonObject header;
    QJsonObject claims;
    QString problem;
};
/// Checks an RS256 or ES256 token (by its "alg") against `publicPem` with OpenSSL.
CheckedJwt checkJwt(const QByteArray &token, const QByteArray &publicPem);

} // namespace tidings::test
