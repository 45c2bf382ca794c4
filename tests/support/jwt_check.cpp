#include "support/jwt_check.h"

#include <QJsonDocument>

#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

namespace tidings::test {

using namespace Qt::StringLiterals;

namespace {

QByteArray bioText(BIO *bio)
{
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return QByteArray(data, qsizetype(length));
}

TestKeyPair pemOf(EVP_PKEY *key)
{
    TestKeyPair pair;
    std::unique_ptr<BIO, decltype(&BIO_free)> privateBio(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_PrivateKey(privateBio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    pair.privatePem = bioText(privateBio.get());
    std::unique_ptr<BIO, decltype(&BIO_free)> publicBio(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_PUBKEY(publicBio.get(), key);
    pair.publicPem = bioText(publicBio.get());
    EVP_PKEY_free(key);
    return pair;
}

QByteArray fromBase64Url(const QByteArray &text)
{
    return QByteArray::fromBase64(text, QByteArray::Base64UrlEncoding);
}

} // namespace

TestKeyPair makeRsaKeyPair()
{
    return pemOf(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(2048)));
}

TestKeyPair makeP256KeyPair()
{
    return pemOf(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

CheckedJwt checkJwt(const QByteArray &token, const QByteArray &publicPem)
{
    CheckedJwt checked;
    const QList<QByteArray> parts = token.split('.');
    if (parts.size() != 3) {
        checked.problem = u"not three parts"_s;
        return checked;
    }
    checked.header = QJsonDocument::fromJson(fromBase64Url(parts[0])).object();
    checked.claims = QJsonDocument::fromJson(fromBase64Url(parts[1])).object();
    QByteArray signature = fromBase64Url(parts[2]);
    const QString alg = checked.header.value(u"alg"_s).toString();
    if (alg == u"ES256") {
        // JWS carries r || s; OpenSSL verifies DER.
        if (signature.size() != 64) {
            checked.problem = u"an ES256 signature has 64 bytes"_s;
            return checked;
        }
        ECDSA_SIG *sig = ECDSA_SIG_new();
        ECDSA_SIG_set0(
            sig,
            BN_bin2bn(reinterpret_cast<const unsigned char *>(signature.constData()), 32, nullptr),
            BN_bin2bn(reinterpret_cast<const unsigned char *>(signature.constData()) + 32, 32,
                      nullptr));
        unsigned char *der = nullptr;
        const int length = i2d_ECDSA_SIG(sig, &der);
        signature = QByteArray(reinterpret_cast<const char *>(der), length);
        OPENSSL_free(der);
        ECDSA_SIG_free(sig);
    } else if (alg != u"RS256") {
        checked.problem = u"unexpected alg "_s + alg;
        return checked;
    }
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(publicPem.constData(), int(publicPem.size())), &BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
    const QByteArray input = parts[0] + '.' + parts[1];
    checked.verified = key
        && EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1
        && EVP_DigestVerify(
               context.get(), reinterpret_cast<const unsigned char *>(signature.constData()),
               size_t(signature.size()), reinterpret_cast<const unsigned char *>(input.constData()),
               size_t(input.size()))
            == 1;
    if (!checked.verified)
        checked.problem = u"the signature does not verify"_s;
    return checked;
}

} // namespace tidings::test
