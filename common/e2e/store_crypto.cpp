#include "e2e/store_crypto.h"

#include "crypto/sodium.h"
#include "e2e/byte_codec_p.h"
#include "e2e/hkdf.h"

#include <QSet>
#include <QString>
#include <QtEndian>

#include <sodium.h>

#include <algorithm>
#include <array>

namespace tidings::e2e {

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kNonceBytes = 24;
constexpr qsizetype kTagBytes = 16;
constexpr qsizetype kCacheNonceStartBytes = kCacheHeaderBytes - 1;

static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kStoreKeyBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kNonceBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kTagBytes);
static_assert(kStoreValueOverheadBytes == 1 + kNonceBytes + kTagBytes);
static_assert(kCacheChunkOverheadBytes == kTagBytes);
static_assert(kCacheNonceStartBytes + 8 == kNonceBytes);

QByteArrayView subkeyInfo(StoreSubkey which)
{
    switch (which) {
    case StoreSubkey::Columns:
        return "Tidings store columns v1";
    case StoreSubkey::Search:
        return "Tidings store search v1";
    case StoreSubkey::Cache:
        return "Tidings store cache v1";
    }
    Q_UNREACHABLE();
}

// --- column values

bool holdsSeparator(QByteArrayView name)
{
    return std::find(name.begin(), name.end(), '\0') != name.end();
}

/// table ‖ 0x00 ‖ column ‖ 0x00 ‖ primary key; the names must not hold 0x00 themselves.
Result<QByteArray> valuePlace(QByteArrayView table, QByteArrayView column,
                              QByteArrayView primaryKey)
{
    if (holdsSeparator(table) || holdsSeparator(column))
        return Error{ErrorCode::BadRequest, u"a store table or column name holds a 0x00 byte"_s};
    QByteArray place;
    place.reserve(table.size() + column.size() + primaryKey.size() + 2);
    place.append(table).append('\0').append(column).append('\0').append(primaryKey);
    return place;
}

// --- search tokens

/// NFKC, then Qt's case folding: the one form words are compared and tokenised in.
QString normalised(QStringView text)
{
    return text.toString().normalized(QString::NormalizationForm_KC).toCaseFolded();
}

void wipeText(QString &text)
{
    if (!text.isEmpty())
        std::fill(text.begin(), text.end(), QChar());
    text.clear();
}

bool isWordCharacter(char32_t codePoint)
{
    switch (QChar::category(codePoint)) {
    case QChar::Letter_Uppercase:
    case QChar::Letter_Lowercase:
    case QChar::Letter_Titlecase:
    case QChar::Letter_Modifier:
    case QChar::Letter_Other:
    case QChar::Mark_NonSpacing:
    case QChar::Mark_SpacingCombining:
    case QChar::Mark_Enclosing:
    case QChar::Number_DecimalDigit:
    case QChar::Number_Letter:
    case QChar::Number_Other:
        return true;
    default:
        return false;
    }
}

/// The words of already normalised text: maximal runs of word characters.
QList<QStringView> splitWords(QStringView text)
{
    QList<QStringView> words;
    qsizetype start = -1;
    qsizetype at = 0;
    while (at < text.size()) {
        char32_t codePoint = text[at].unicode();
        qsizetype width = 1;
        if (QChar::isHighSurrogate(codePoint) && at + 1 < text.size()
            && text[at + 1].isLowSurrogate()) {
            codePoint = QChar::surrogateToUcs4(text[at], text[at + 1]);
            width = 2;
        }
        if (isWordCharacter(codePoint)) {
            if (start < 0)
                start = at;
        } else if (start >= 0) {
            words.append(text.sliced(start, at - start));
            start = -1;
        }
        at += width;
    }
    if (start >= 0)
        words.append(text.sliced(start));
    return words;
}

/// The UTF-16 length of the first `count` characters (code points) of `word`, and how
/// many characters it has when fewer.
struct Characters
{
    qsizetype units = 0;
    qsizetype count = 0;
};

Characters firstCharacters(QStringView word, qsizetype count)
{
    Characters taken;
    while (taken.units < word.size() && taken.count < count) {
        const bool pair = word[taken.units].isHighSurrogate() && taken.units + 1 < word.size()
            && word[taken.units + 1].isLowSurrogate();
        taken.units += pair ? 2 : 1;
        ++taken.count;
    }
    return taken;
}

qsizetype characterCount(QStringView word)
{
    return firstCharacters(word, word.size()).count;
}

enum class TokenKind : char { Word = 'w', Prefix = 'p' };

/// base32 (RFC 4648, lower case, no padding) of HMAC-SHA256(key, kind ‖ UTF-8 text), cut
/// to 16 characters: exactly the first 10 bytes of the tag, 5 bits a character.
QString searchToken(const SecretKey &key, TokenKind kind, QStringView text)
{
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    static_assert(kSearchTokenCharacters * 5 == 10 * 8);
    QByteArray utf8 = text.toUtf8();
    const auto kindByte = static_cast<unsigned char>(kind);
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> tag{};
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, key.data(), key.size());
    crypto_auth_hmacsha256_update(&state, &kindByte, 1);
    crypto_auth_hmacsha256_update(&state, uchars(utf8),
                                  static_cast<unsigned long long>(utf8.size()));
    crypto_auth_hmacsha256_final(&state, tag.data());
    sodium_memzero(&state, sizeof state);
    e2e::wipe(utf8);

    QString token(kSearchTokenCharacters, Qt::Uninitialized);
    quint64 bits = 0;
    int bitCount = 0;
    qsizetype written = 0;
    for (std::size_t i = 0; i < 10; ++i) {
        bits = (bits << 8) | tag[i];
        bitCount += 8;
        while (bitCount >= 5) {
            bitCount -= 5;
            token[written++] = QLatin1Char(kAlphabet[(bits >> bitCount) & 0x1f]);
        }
    }
    Q_ASSERT(written == kSearchTokenCharacters && bitCount == 0);
    return token;
}

/// The characters of a query word that its token covers: all of a short word, the first
/// kSearchPrefixMaximum of a long one.
QStringView queryPrefix(QStringView word)
{
    return word.first(firstCharacters(word, kSearchPrefixMaximum).units);
}

// --- media cache

/// nonce = the header's 16 random bytes ‖ chunk index (u64 BE).
std::array<unsigned char, kNonceBytes> chunkNonce(QByteArrayView nonceStart, qint64 chunkIndex)
{
    std::array<unsigned char, kNonceBytes> nonce{};
    std::copy_n(uchars(nonceStart), kCacheNonceStartBytes, nonce.begin());
    qToBigEndian(static_cast<quint64>(chunkIndex), nonce.data() + kCacheNonceStartBytes);
    return nonce;
}

/// AD = chunk index (u64 BE) ‖ final flag (1 on the last chunk, else 0).
std::array<unsigned char, 9> chunkAssociatedData(qint64 chunkIndex, bool final)
{
    std::array<unsigned char, 9> associatedData{};
    qToBigEndian(static_cast<quint64>(chunkIndex), associatedData.data());
    associatedData[8] = final ? 1 : 0;
    return associatedData;
}

} // namespace

// --- StoreKey

StoreKey StoreKey::generate()
{
    return StoreKey(SecretKey::random());
}

Result<StoreKey> StoreKey::fromBytes(QByteArrayView bytes)
{
    const auto key = SecretKey::fromBytes(bytes);
    if (!key)
        return Error{ErrorCode::Corrupt,
                     u"a store key has %1 bytes, not %2"_s.arg(kStoreKeyBytes).arg(bytes.size())};
    return StoreKey(*key);
}

SecretKey StoreKey::derive(StoreSubkey which) const
{
    static const QByteArray kZeroSalt(32, '\0');
    SecretKey subkey;
    // 32 bytes is far below HKDF's limit: this cannot fail.
    auto derived = hkdf(kZeroSalt, m_key.view(), subkeyInfo(which), subkey.span());
    Q_ASSERT(derived.ok());
    Q_UNUSED(derived);
    return subkey;
}

// --- StoreValueCipher

StoreValueCipher::StoreValueCipher(const StoreKey &storeKey)
    : m_key(storeKey.derive(StoreSubkey::Columns))
{ }

Result<QByteArray> StoreValueCipher::seal(QByteArrayView table, QByteArrayView column,
                                          QByteArrayView primaryKey, QByteArrayView plaintext) const
{
    const auto place = valuePlace(table, column, primaryKey);
    if (!place)
        return place.error();
    crypto::ensureSodium();
    QByteArray value(kStoreValueOverheadBytes + plaintext.size(), Qt::Uninitialized);
    auto *out = uchars(value);
    out[0] = kStoreValueVersion;
    randombytes_buf(out + 1, kNonceBytes);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out + 1 + kNonceBytes, &written, uchars(plaintext),
        static_cast<unsigned long long>(plaintext.size()), uchars(*place),
        static_cast<unsigned long long>(place->size()), nullptr, out + 1, m_key.data());
    Q_ASSERT(written == static_cast<unsigned long long>(plaintext.size() + kTagBytes));
    return value;
}

Result<QByteArray> StoreValueCipher::open(QByteArrayView table, QByteArrayView column,
                                          QByteArrayView primaryKey, QByteArrayView value) const
{
    const auto place = valuePlace(table, column, primaryKey);
    if (!place)
        return place.error();
    if (value.isEmpty())
        return Error{ErrorCode::Corrupt, u"an encrypted store value is empty"_s};
    const auto version = static_cast<quint8>(value.at(0));
    if (version != kStoreValueVersion)
        return Error{ErrorCode::Incompatible,
                     u"encrypted store value version %1 is not supported (this build reads "
                     u"version %2)"_s.arg(version)
                         .arg(kStoreValueVersion)};
    if (value.size() < kStoreValueOverheadBytes)
        return Error{
            ErrorCode::Corrupt,
            u"an encrypted store value of %1 bytes is too short (at least %2)"_s.arg(value.size())
                .arg(kStoreValueOverheadBytes)};
    crypto::ensureSodium();
    const QByteArrayView nonce = value.sliced(1, kNonceBytes);
    const QByteArrayView ciphertext = value.sliced(1 + kNonceBytes);
    QByteArray plaintext(ciphertext.size() - kTagBytes, Qt::Uninitialized);
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            uchars(plaintext), &written, nullptr, uchars(ciphertext),
            static_cast<unsigned long long>(ciphertext.size()), uchars(*place),
            static_cast<unsigned long long>(place->size()), uchars(nonce), m_key.data())
        != 0)
        return Error{ErrorCode::Corrupt,
                     u"the encrypted value of %1.%2 does not authenticate: altered, moved "
                     u"from another table, column or row, or under another store key"_s.arg(
                         QString::fromUtf8(table), QString::fromUtf8(column))};
    return plaintext;
}

// --- StoreSearchTokenizer

StoreSearchTokenizer::StoreSearchTokenizer(const StoreKey &storeKey)
    : m_key(storeKey.derive(StoreSubkey::Search))
{ }

QStringList StoreSearchTokenizer::documentTokens(QStringView text) const
{
    crypto::ensureSodium();
    QString normalisedText = normalised(text);
    QStringList tokens;
    QSet<QString> seen;
    const auto add = [&](const QString &token) {
        if (seen.contains(token))
            return false;
        seen.insert(token);
        tokens.append(token);
        return true;
    };
    for (const QStringView word : splitWords(normalisedText)) {
        // A repeated word adds nothing: its prefixes are in already.
        if (!add(searchToken(m_key, TokenKind::Word, word)))
            continue;
        for (qsizetype length = kSearchPrefixMinimum; length <= kSearchPrefixMaximum; ++length) {
            const Characters prefix = firstCharacters(word, length);
            if (prefix.count < length)
                break;
            add(searchToken(m_key, TokenKind::Prefix, word.first(prefix.units)));
        }
    }
    wipeText(normalisedText);
    return tokens;
}

QStringList StoreSearchTokenizer::queryTokens(QStringView query) const
{
    crypto::ensureSodium();
    QString normalisedQuery = normalised(query);
    QStringList tokens;
    for (const QStringView word : splitWords(normalisedQuery)) {
        const QString token = characterCount(word) < kSearchPrefixMinimum
            ? searchToken(m_key, TokenKind::Word, word)
            : searchToken(m_key, TokenKind::Prefix, queryPrefix(word));
        if (!tokens.contains(token))
            tokens.append(token);
    }
    wipeText(normalisedQuery);
    return tokens;
}

bool StoreSearchTokenizer::matches(QStringView text, QStringView query)
{
    QString normalisedText = normalised(text);
    QString normalisedQuery = normalised(query);
    const QList<QStringView> textWords = splitWords(normalisedText);
    const QList<QStringView> queryWords = splitWords(normalisedQuery);
    const bool found = !queryWords.isEmpty()
        && std::all_of(queryWords.begin(), queryWords.end(), [&](QStringView queryWord) {
               const bool whole = characterCount(queryWord) < kSearchPrefixMinimum;
               return std::any_of(textWords.begin(), textWords.end(), [&](QStringView word) {
                   return whole ? word == queryWord : word.startsWith(queryWord);
               });
           });
    wipeText(normalisedText);
    wipeText(normalisedQuery);
    return found;
}

QStringList StoreSearchTokenizer::words(QStringView text)
{
    const QString normalisedText = normalised(text);
    QStringList list;
    for (const QStringView word : splitWords(normalisedText))
        list.append(word.toString());
    return list;
}

// --- media cache layout

qint64 cacheFileSize(qint64 plaintextSize)
{
    const qint64 chunks
        = qMax<qint64>(1, (plaintextSize + kCacheChunkBytes - 1) / kCacheChunkBytes);
    return kCacheHeaderBytes + plaintextSize + chunks * kCacheChunkOverheadBytes;
}

qint64 cacheChunkIndex(qint64 plaintextOffset)
{
    Q_ASSERT(plaintextOffset >= 0);
    return plaintextOffset / kCacheChunkBytes;
}

qint64 cacheChunkOffset(qint64 chunkIndex)
{
    Q_ASSERT(chunkIndex >= 0);
    return kCacheHeaderBytes + chunkIndex * kCacheSealedChunkBytes;
}

// --- CacheFileWriter

CacheFileWriter::CacheFileWriter() : m_key(SecretKey::random())
{
    m_header.resize(kCacheHeaderBytes);
    m_header[0] = static_cast<char>(kCacheFileVersion);
    detail::fillRandom(m_header.data() + 1, kCacheNonceStartBytes);
    // Room for a whole chunk up front: appending never reallocates, which would leave
    // plaintext behind in freed memory.
    m_buffer.reserve(kCacheChunkBytes);
}

CacheFileWriter::~CacheFileWriter()
{
    wipe(m_buffer);
}

QByteArray CacheFileWriter::write(QByteArrayView plaintext)
{
    Q_ASSERT_X(!m_finished, "CacheFileWriter::write", "written after finish()");
    if (m_finished)
        return {};
    QByteArray out;
    if (!m_headerWritten) {
        out = m_header;
        m_headerWritten = true;
    }
    while (!plaintext.isEmpty()) {
        // A full chunk is sealed only now that more follows it: it is not the last.
        if (m_buffer.size() == kCacheChunkBytes)
            out.append(sealBuffered(false));
        const qsizetype count = qMin(kCacheChunkBytes - m_buffer.size(), plaintext.size());
        m_buffer.append(plaintext.first(count));
        plaintext = plaintext.sliced(count);
    }
    return out;
}

QByteArray CacheFileWriter::finish()
{
    Q_ASSERT_X(!m_finished, "CacheFileWriter::finish", "finished twice");
    if (m_finished)
        return {};
    QByteArray out;
    if (!m_headerWritten) {
        out = m_header;
        m_headerWritten = true;
    }
    out.append(sealBuffered(true));
    m_finished = true;
    return out;
}

QByteArray CacheFileWriter::sealBuffered(bool final)
{
    crypto::ensureSodium();
    const auto nonce = chunkNonce(QByteArrayView(m_header).sliced(1), m_nextChunk);
    const auto associatedData = chunkAssociatedData(m_nextChunk, final);
    QByteArray sealed(m_buffer.size() + kTagBytes, Qt::Uninitialized);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(uchars(sealed), &written, uchars(m_buffer),
                                               static_cast<unsigned long long>(m_buffer.size()),
                                               associatedData.data(), associatedData.size(),
                                               nullptr, nonce.data(), m_key.data());
    Q_ASSERT(written == static_cast<unsigned long long>(sealed.size()));
    // Zeroed in place and kept: the capacity stays for the next chunk.
    detail::wipe(m_buffer.data(), static_cast<std::size_t>(m_buffer.size()));
    m_buffer.truncate(0);
    ++m_nextChunk;
    return sealed;
}

// --- CacheFileReader

Result<CacheFileReader> CacheFileReader::open(const SecretKey &fileKey, QByteArrayView header,
                                              qint64 fileSize)
{
    if (header.size() != kCacheHeaderBytes || fileSize < kCacheHeaderBytes)
        return Error{ErrorCode::Corrupt,
                     u"a cached file's header has %1 bytes"_s.arg(kCacheHeaderBytes)};
    const auto version = static_cast<quint8>(header.at(0));
    if (version != kCacheFileVersion)
        return Error{
            ErrorCode::Incompatible,
            u"cached file version %1 is not supported (this build reads version %2)"_s.arg(version)
                .arg(kCacheFileVersion)};
    const qint64 body = fileSize - kCacheHeaderBytes;
    const qint64 chunks
        = qMax<qint64>(1, (body + kCacheSealedChunkBytes - 1) / kCacheSealedChunkBytes);
    const qint64 last = body - (chunks - 1) * kCacheSealedChunkBytes;
    // The last chunk holds its tag at least, and is empty only when it is the only one.
    if (last < kTagBytes || (last == kTagBytes && chunks > 1))
        return Error{
            ErrorCode::Corrupt,
            u"a cached file of %1 bytes is cut short: no writer makes that size"_s.arg(fileSize)};
    CacheFileReader reader;
    reader.m_key = fileKey;
    reader.m_nonceStart = header.sliced(1).toByteArray();
    reader.m_fileSize = fileSize;
    reader.m_chunkCount = chunks;
    return reader;
}

qint64 CacheFileReader::plaintextSize() const
{
    return m_fileSize - kCacheHeaderBytes - m_chunkCount * kTagBytes;
}

qint64 CacheFileReader::sealedChunkSize(qint64 chunkIndex) const
{
    if (chunkIndex < 0 || chunkIndex >= m_chunkCount)
        return 0;
    if (chunkIndex < m_chunkCount - 1)
        return kCacheSealedChunkBytes;
    return m_fileSize - cacheChunkOffset(chunkIndex);
}

Result<void> CacheFileReader::openChunkInto(qint64 chunkIndex, QByteArrayView sealed,
                                            char *plaintext) const
{
    if (chunkIndex < 0 || chunkIndex >= m_chunkCount)
        return Error{
            ErrorCode::BadRequest,
            u"the cached file has chunks 0 to %1, not %2"_s.arg(m_chunkCount - 1).arg(chunkIndex)};
    const qint64 expected = sealedChunkSize(chunkIndex);
    if (sealed.size() != expected)
        return Error{ErrorCode::Corrupt,
                     u"chunk %1 of the cached file has %2 bytes, not %3"_s.arg(chunkIndex)
                         .arg(sealed.size())
                         .arg(expected)};
    crypto::ensureSodium();
    const bool final = chunkIndex == m_chunkCount - 1;
    const auto nonce = chunkNonce(m_nonceStart, chunkIndex);
    const auto associatedData = chunkAssociatedData(chunkIndex, final);
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char *>(plaintext), &written, nullptr, uchars(sealed),
            static_cast<unsigned long long>(sealed.size()), associatedData.data(),
            associatedData.size(), nonce.data(), m_key.data())
        != 0)
        return Error{ErrorCode::Corrupt,
                     u"chunk %1 of the cached file does not authenticate: altered, moved, "
                     u"%2, or not this file's"_s.arg(chunkIndex)
                         .arg(final ? u"truncated"_s : u"extended"_s)};
    return {};
}

Result<QByteArray> CacheFileReader::openChunk(qint64 chunkIndex, QByteArrayView sealed) const
{
    QByteArray plaintext(qMax<qint64>(0, sealed.size() - kTagBytes), Qt::Uninitialized);
    if (auto opened = openChunkInto(chunkIndex, sealed, plaintext.data()); !opened)
        return opened.error();
    return plaintext;
}

Result<QByteArray> CacheFileReader::openAll(const SecretKey &fileKey, QByteArrayView file)
{
    auto reader = open(fileKey, file.first(qMin(file.size(), kCacheHeaderBytes)), file.size());
    if (!reader)
        return reader.error();
    QByteArray plaintext(reader->plaintextSize(), Qt::Uninitialized);
    for (qint64 chunk = 0; chunk < reader->chunkCount(); ++chunk) {
        const QByteArrayView sealed
            = file.sliced(cacheChunkOffset(chunk), reader->sealedChunkSize(chunk));
        if (auto opened
            = reader->openChunkInto(chunk, sealed, plaintext.data() + chunk * kCacheChunkBytes);
            !opened) {
            wipe(plaintext);
            return opened.error();
        }
    }
    return plaintext;
}

} // namespace tidings::e2e
