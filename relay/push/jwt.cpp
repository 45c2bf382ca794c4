#include "push/jwt.h"

#include <QJsonDocument>

#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string_view>

namespace tidings::relay {

using namespace Qt::StringLiterals;

namespace {

EVP_PKEY *pkey(void *key)
{
    return static_cast<EVP_PKEY *>(key);
}

/// ECDSA signatures come DER-encoded from OpenSSL; JWS wants r and s, 32 bytes each.
Result<QByteArray> rawEcdsaSignature(const QByteArray &der)
{
    const auto *data = reinterpret_cast<const unsigned char *>(der.constData());
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> signature(
        d2i_ECDSA_SIG(nullptr, &data, long(der.size())), &ECDSA_SIG_free);
    if (!signature)
        return Error{ErrorCode::Internal, u"cannot decode an ECDSA signature"_s};
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(signature.get(), &r, &s);
    QByteArray raw(64, '\0');
    auto *out = reinterpret_cast<unsigned char *>(raw.data());
    if (BN_bn2binpad(r, out, 32) != 32 || BN_bn2binpad(s, out + 32, 32) != 32)
        return Error{ErrorCode::Internal, u"an ECDSA signature does not fit P-256"_s};
    return raw;
}

bool isP256(EVP_PKEY *key)
{
    char group[64] = {};
    size_t length = 0;
    return EVP_PKEY_get_group_name(key, group, sizeof group, &length) == 1
        && std::string_view(group, length) == "prime256v1";
}

} // namespace

QByteArray base64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

Result<JwtSigner> JwtSigner::fromPem(JwtAlgorithm algorithm, const QByteArray &pem)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.constData(), int(pem.size())),
                                                  &BIO_free);
    // No passphrase: an encrypted key fails here instead of prompting on the terminal.
    const auto noPassphrase = [](char *, int, int, void *) { return 0; };
    EVP_PKEY *key
        = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr) : nullptr;
    if (!key)
        return Error{ErrorCode::BadRequest, u"not a PEM private key"_s};
    const int type = EVP_PKEY_base_id(key);
    const bool fits = algorithm == JwtAlgorithm::RS256 ? type == EVP_PKEY_RSA
                                                       : type == EVP_PKEY_EC && isP256(key);
    if (!fits) {
        EVP_PKEY_free(key);
        return Error{ErrorCode::BadRequest,
                     algorithm == JwtAlgorithm::RS256 ? u"the key is not an RSA key"_s
                                                      : u"the key is not a P-256 EC key"_s};
    }
    return JwtSigner(algorithm, key);
}

JwtSigner::JwtSigner(JwtSigner &&other) noexcept
    : m_algorithm(other.m_algorithm), m_key(std::exchange(other.m_key, nullptr))
{ }

JwtSigner &JwtSigner::operator=(JwtSigner &&other) noexcept
{
    std::swap(m_algorithm, other.m_algorithm);
    std::swap(m_key, other.m_key);
    return *this;
}

JwtSigner::~JwtSigner()
{
    EVP_PKEY_free(pkey(m_key));
}

Result<QByteArray> JwtSigner::sign(QJsonObject header, const QJsonObject &claims) const
{
    header.insert(u"alg"_s, m_algorithm == JwtAlgorithm::RS256 ? u"RS256"_s : u"ES256"_s);
    if (!header.contains(u"typ"_s) && m_algorithm == JwtAlgorithm::RS256)
        header.insert(u"typ"_s, u"JWT"_s);
    const QByteArray input = base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
        + base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact));

    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
    size_t length = 0;
    const auto *data = reinterpret_cast<const unsigned char *>(input.constData());
    if (!context
        || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, pkey(m_key)) != 1
        || EVP_DigestSign(context.get(), nullptr, &length, data, size_t(input.size())) != 1)
        return Error{ErrorCode::Internal, u"cannot sign a token"_s};
    QByteArray signature(qsizetype(length), '\0');
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char *>(signature.data()), &length,
                       data, size_t(input.size()))
        != 1)
        return Error{ErrorCode::Internal, u"cannot sign a token"_s};
    signature.resize(qsizetype(length));
    if (m_algorithm == JwtAlgorithm::ES256) {
        auto raw = rawEcdsaSignature(signature);
        if (!raw)
            return raw.error();
        signature = *raw;
    }
    return QByteArray(input + '.' + base64Url(signature));
}

} // namespace tidings::relay
