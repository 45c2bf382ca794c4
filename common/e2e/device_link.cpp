#include "e2e/device_link.h"

#include "crypto/sodium.h"
#include "e2e/byte_codec_p.h"
#include "e2e/file_crypto.h"
#include "e2e/hkdf.h"

#include <QScopeGuard>
#include <QStringDecoder>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <limits>

namespace tidings::e2e {

using namespace Qt::StringLiterals;

namespace {

constexpr quint8 kLinkAnswerVersion = 1;
constexpr quint8 kLinkCompletionVersion = 1;

/// Crockford's base32: the digits and the letters without I, L, O and U.
constexpr char kCrockfordAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr qsizetype kCodeBytes = kLinkSecretBytes + kLinkKeyHashBytes;
constexpr qsizetype kCodeGroupCharacters = 4;
constexpr qsizetype kLinkNonceBytes = 24;
constexpr qsizetype kLinkTagBytes = 16;
constexpr qsizetype kLinkKeyBytes = 32;
constexpr qsizetype kMaxDeviceNameBytes = 128;
constexpr qsizetype kSha256HexDigits = 64;

static_assert(sizeof kCrockfordAlphabet == 32 + 1);
static_assert(kCodeBytes * 8 == kLinkCodeCharacters * 5);
static_assert(kLinkCodeCharacters % kCodeGroupCharacters == 0);
static_assert(crypto_generichash_BYTES == 32 && kLinkKeyHashBytes <= 32);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kLinkKeyBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kLinkNonceBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kLinkTagBytes);
static_assert(kLinkBoxOverheadBytes == kLinkNonceBytes + kLinkTagBytes);

/// The HKDF info's prefix and the boxes' associated data's, ASCII without a terminator.
constexpr QByteArrayView kKeyInfo = "Tidings link v1";
constexpr QByteArrayView kBoxContext = "tidings-link-v1";

/// The first kLinkKeyHashBytes of BLAKE2b-256 (unkeyed) of E_O.
QByteArray keyHashOf(QByteArrayView offeringKey)
{
    crypto::ensureSodium();
    std::array<unsigned char, crypto_generichash_BYTES> hash{};
    crypto_generichash(hash.data(), hash.size(), uchars(offeringKey),
                       static_cast<unsigned long long>(offeringKey.size()), nullptr, 0);
    return QByteArray(reinterpret_cast<const char *>(hash.data()), kLinkKeyHashBytes);
}

/// The value (0–31) a typed character stands for, or -1. Only ASCII counts: QChar's case
/// mapping would read a Turkish dotless ı as I.
int crockfordValue(QChar typed)
{
    if (typed.unicode() >= 0x80)
        return -1;
    char character = static_cast<char>(typed.unicode());
    if (character >= 'a' && character <= 'z')
        character = static_cast<char>(character - 'a' + 'A');
    if (character == 'I' || character == 'L')
        character = '1';
    else if (character == 'O')
        character = '0';
    const char *end = kCrockfordAlphabet + 32;
    const char *found = std::find(kCrockfordAlphabet, end, character);
    return found == end ? -1 : static_cast<int>(found - kCrockfordAlphabet);
}

bool isHexDigits(QByteArrayView text)
{
    return std::all_of(text.begin(), text.end(), [](char character) {
        return (character >= '0' && character <= '9') || (character >= 'a' && character <= 'f')
            || (character >= 'A' && character <= 'F');
    });
}

/// "tidings-link-v1" ‖ offer id ‖ E_O ‖ E_N. The offer id is the relay's 32 hex digits, so
/// its UTF-8 is its ASCII; E_O and E_N have a fixed size, so the parts cannot run together.
QByteArray boxAssociatedData(const QString &offerId, QByteArrayView offeringKey,
                             QByteArrayView newKey)
{
    const QByteArray offer = offerId.toUtf8();
    QByteArray associatedData;
    associatedData.reserve(kBoxContext.size() + offer.size() + offeringKey.size() + newKey.size());
    associatedData.append(kBoxContext).append(offer).append(offeringKey).append(newKey);
    return associatedData;
}

} // namespace

// --- LinkCode

LinkCode LinkCode::generate(QByteArrayView offeringKey)
{
    crypto::ensureSodium();
    LinkCode code{QByteArray(kLinkSecretBytes, Qt::Uninitialized), keyHashOf(offeringKey)};
    randombytes_buf(uchars(code.secret), static_cast<std::size_t>(kLinkSecretBytes));
    return code;
}

QString LinkCode::text() const
{
    if (secret.size() != kLinkSecretBytes || keyHash.size() != kLinkKeyHashBytes)
        return {};
    QString text;
    text.reserve(kLinkCodeCharacters + kLinkCodeCharacters / kCodeGroupCharacters - 1);
    quint32 bits = 0;
    int bitCount = 0;
    qsizetype written = 0;
    const auto put = [&](char byte) {
        bits = (bits << 8) | static_cast<quint8>(byte);
        bitCount += 8;
        while (bitCount >= 5) {
            bitCount -= 5;
            if (written > 0 && written % kCodeGroupCharacters == 0)
                text.append(u'-');
            text.append(QLatin1Char(kCrockfordAlphabet[(bits >> bitCount) & 0x1f]));
            ++written;
        }
    };
    for (const char byte : secret)
        put(byte);
    for (const char byte : keyHash)
        put(byte);
    Q_ASSERT(written == kLinkCodeCharacters && bitCount == 0);
    return text;
}

Result<LinkCode> LinkCode::parse(const QString &typed)
{
    std::array<quint8, kLinkCodeCharacters> values{};
    qsizetype count = 0;
    for (const QChar character : typed) {
        if (character == u'-' || character.isSpace())
            continue;
        const int value = crockfordValue(character);
        if (value < 0)
            return Error{ErrorCode::BadRequest,
                         u"“%1” cannot be in a link code: it has only digits and the letters "
                         u"A to Z without U."_s.arg(character)};
        if (count < kLinkCodeCharacters)
            values[static_cast<std::size_t>(count)] = static_cast<quint8>(value);
        ++count;
    }
    if (count != kLinkCodeCharacters)
        return Error{
            ErrorCode::BadRequest,
            u"A link code has %1 letters and digits; this one has %2."_s.arg(kLinkCodeCharacters)
                .arg(count)};

    QByteArray bytes(kCodeBytes, Qt::Uninitialized);
    quint32 bits = 0;
    int bitCount = 0;
    qsizetype filled = 0;
    for (const quint8 value : values) {
        bits = (bits << 5) | value;
        bitCount += 5;
        if (bitCount >= 8) {
            bitCount -= 8;
            bytes[filled++] = static_cast<char>((bits >> bitCount) & 0xff);
        }
    }
    Q_ASSERT(filled == kCodeBytes && bitCount == 0);
    return LinkCode{bytes.first(kLinkSecretBytes), bytes.sliced(kLinkSecretBytes)};
}

bool LinkCode::matches(QByteArrayView offeringKey) const
{
    if (keyHash.size() != kLinkKeyHashBytes)
        return false;
    const QByteArray hash = keyHashOf(offeringKey);
    return sodium_memcmp(hash.constData(), keyHash.constData(),
                         static_cast<std::size_t>(kLinkKeyHashBytes))
        == 0;
}

// --- LinkKeys

Result<LinkKeys> LinkKeys::derive(const LinkCode &code, const DhKeyPair &ours,
                                  QByteArrayView theirs, QByteArrayView offeringKey,
                                  QByteArrayView newKey)
{
    if (code.secret.size() != kLinkSecretBytes)
        return Error{ErrorCode::BadRequest,
                     u"a link code's secret has %1 bytes"_s.arg(kLinkSecretBytes)};
    if (offeringKey.size() != kPublicKeyBytes || newKey.size() != kPublicKeyBytes)
        return Error{ErrorCode::BadRequest, u"an X25519 public key has 32 bytes"_s};
    const auto shared = diffieHellman(ours.secretKey, theirs);
    if (!shared)
        return shared.error();
    QByteArray info;
    info.reserve(kKeyInfo.size() + offeringKey.size() + newKey.size());
    info.append(kKeyInfo).append(offeringKey).append(newKey);
    Secret<2 * kLinkKeyBytes> both;
    if (auto derived = hkdf(code.secret, shared->view(), info, both.span()); !derived)
        return derived.error();
    LinkKeys keys;
    std::copy_n(both.data(), kLinkKeyBytes, keys.answer.data());
    std::copy_n(both.data() + kLinkKeyBytes, kLinkKeyBytes, keys.complete.data());
    return keys;
}

// --- boxes

QByteArray sealLinkBox(const SecretKey &key, const QString &offerId, QByteArrayView offeringKey,
                       QByteArrayView newKey, QByteArrayView plaintext)
{
    Q_ASSERT(offeringKey.size() == kPublicKeyBytes && newKey.size() == kPublicKeyBytes);
    crypto::ensureSodium();
    const QByteArray associatedData = boxAssociatedData(offerId, offeringKey, newKey);
    QByteArray box(kLinkBoxOverheadBytes + plaintext.size(), Qt::Uninitialized);
    auto *out = uchars(box);
    randombytes_buf(out, kLinkNonceBytes);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out + kLinkNonceBytes, &written, uchars(plaintext),
        static_cast<unsigned long long>(plaintext.size()), uchars(associatedData),
        static_cast<unsigned long long>(associatedData.size()), nullptr, out, key.data());
    Q_ASSERT(written == static_cast<unsigned long long>(plaintext.size() + kLinkTagBytes));
    return box;
}

Result<QByteArray> openLinkBox(const SecretKey &key, const QString &offerId,
                               QByteArrayView offeringKey, QByteArrayView newKey,
                               QByteArrayView box)
{
    if (offeringKey.size() != kPublicKeyBytes || newKey.size() != kPublicKeyBytes)
        return Error{ErrorCode::BadRequest, u"an X25519 public key has 32 bytes"_s};
    if (box.size() < kLinkBoxOverheadBytes)
        return Error{ErrorCode::BadRequest,
                     u"a link box of %1 bytes is too short (at least %2)"_s.arg(box.size())
                         .arg(kLinkBoxOverheadBytes)};
    crypto::ensureSodium();
    const QByteArray associatedData = boxAssociatedData(offerId, offeringKey, newKey);
    const QByteArrayView nonce = box.first(kLinkNonceBytes);
    const QByteArrayView ciphertext = box.sliced(kLinkNonceBytes);
    QByteArray plaintext(ciphertext.size() - kLinkTagBytes, Qt::Uninitialized);
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            uchars(plaintext), &written, nullptr, uchars(ciphertext),
            static_cast<unsigned long long>(ciphertext.size()), uchars(associatedData),
            static_cast<unsigned long long>(associatedData.size()), uchars(nonce), key.data())
        != 0) {
        wipe(plaintext);
        return Error{ErrorCode::Unauthorized,
                     u"the link box does not open: a wrong link code, or not from the other "
                     u"device of this offer"_s};
    }
    return plaintext;
}

// --- LinkAnswer

QByteArray LinkAnswer::encode() const
{
    ByteWriter writer(EncodingKind::LinkAnswer, kLinkAnswerVersion);
    writer.bytes(deviceKey);
    writer.u32(deviceId);
    writer.blob16(name.toUtf8());
    return writer.take();
}

Result<LinkAnswer> LinkAnswer::decode(QByteArrayView data)
{
    const QString what = u"link answer"_s;
    ByteReader reader(data);
    if (auto preamble = readPreamble(reader, EncodingKind::LinkAnswer, kLinkAnswerVersion, what);
        !preamble)
        return preamble.error();
    LinkAnswer answer;
    answer.deviceKey = reader.bytes(kPublicKeyBytes);
    answer.deviceId = reader.u32();
    const QByteArray name = reader.blob16();
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    answer.name = utf8(name);
    if (answer.deviceId == 0 || name.size() > kMaxDeviceNameBytes || utf8.hasError())
        return corrupt(what);
    return answer;
}

// --- LinkCompletion

QByteArray LinkCompletion::encode() const
{
    ByteWriter writer(EncodingKind::LinkCompletion, kLinkCompletionVersion);
    QByteArray identityBytes = identity.serialise();
    writer.blob16(identityBytes);
    wipe(identityBytes);
    writer.blob16(certificate.encode());
    writer.blob16(list.encode());
    writer.blob16(historyMedia.toUtf8());
    writer.u64(static_cast<quint64>(historySize));
    writer.blob16(historySha256.toUtf8());
    writer.blob16(historyKey);
    return writer.take();
}

Result<LinkCompletion> LinkCompletion::decode(QByteArrayView data)
{
    const QString what = u"link completion"_s;
    ByteReader reader(data);
    if (auto preamble
        = readPreamble(reader, EncodingKind::LinkCompletion, kLinkCompletionVersion, what);
        !preamble)
        return preamble.error();
    QByteArray identityBytes = reader.blob16();
    const QByteArray certificateBytes = reader.blob16();
    const QByteArray listBytes = reader.blob16();
    const QByteArray historyMedia = reader.blob16();
    const quint64 historySize = reader.u64();
    const QByteArray historySha256 = reader.blob16();
    QByteArray historyKey = reader.blob16();
    const auto wipeHistoryKey = qScopeGuard([&historyKey] { wipe(historyKey); });
    auto identity = SigningKeyPair::deserialise(identityBytes);
    wipe(identityBytes);
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    if (!identity)
        return identity.error();
    auto certificate = DeviceCertificate::decode(certificateBytes);
    if (!certificate)
        return certificate.error();
    auto list = DeviceList::decode(listBytes);
    if (!list)
        return list.error();

    if (auto verified = certificate->verify(identity->publicKey()); !verified)
        return verified.error();
    if (auto verified = list->verify(identity->publicKey()); !verified)
        return verified.error();
    if (list->userId != certificate->userId)
        return Error{ErrorCode::Corrupt,
                     u"the device list is another user's than the device certificate"_s};
    if (list->deviceKey(certificate->deviceId) != certificate->deviceKey)
        return Error{ErrorCode::Corrupt,
                     u"the device list does not hold the new device with its key"_s};

    if (historySize > static_cast<quint64>(std::numeric_limits<qint64>::max()))
        return corrupt(what);
    if (historyMedia.isEmpty()) {
        if (historySize != 0 || !historySha256.isEmpty() || !historyKey.isEmpty())
            return corrupt(what);
    } else if (historySha256.size() != kSha256HexDigits || !isHexDigits(historySha256)
               || !FileKey::decode(historyKey)) {
        return corrupt(what);
    }

    return LinkCompletion{std::move(identity).value(),
                          std::move(certificate).value(),
                          std::move(list).value(),
                          QString::fromUtf8(historyMedia),
                          static_cast<qint64>(historySize),
                          QString::fromUtf8(historySha256),
                          std::move(historyKey)};
}

} // namespace tidings::e2e
