#pragma once

// The local store at rest (docs/encryption.md, section 8): the account's store key K_store
// and its three subkeys, sealed column values, keyed search tokens and the chunked media
// cache cipher. Pure cryptography: no SQL, no files, no keychain; the app's store calls it.
//   K_x      = HKDF(salt = 32 zero bytes, IKM = K_store, "Tidings store <x> v1", 32)
//   value    = 1 ‖ nonce (24, random) ‖ XChaCha20-Poly1305(K_columns, plaintext,
//              AD = table ‖ 0x00 ‖ column ‖ 0x00 ‖ primary key)
//   token    = base32(HMAC-SHA256(K_search, "w" ‖ word | "p" ‖ prefix)), first 16 characters
//   cache    = 1 ‖ 16 random bytes, then 64 KiB chunks, each XChaCha20-Poly1305(file key,
//              nonce = the 16 bytes ‖ index (u64 BE), AD = index (u64 BE) ‖ final flag)

#include "e2e/secret.h"
#include "util/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QStringList>
#include <QStringView>

namespace tidings::e2e {

inline constexpr qsizetype kStoreKeyBytes = 32;

/// Which key HKDF derives from K_store: one per use, so none is ever used for two things.
enum class StoreSubkey {
    Columns, ///< info "Tidings store columns v1": sealed column values
    Search, ///< info "Tidings store search v1": search tokens
    Cache, ///< info "Tidings store cache v1"
};

/// K_store: 32 random bytes per account database, kept outside it (keychain, passphrase-
/// wrapped file or plain file: the app's choice). The subkeys below come from it.
class StoreKey
{
public:
    /// A new random key, for a new store.
    static StoreKey generate();
    /// The key kept earlier (view()); Corrupt unless it has exactly kStoreKeyBytes.
    static Result<StoreKey> fromBytes(QByteArrayView bytes);

    /// The key's bytes, to keep; whoever copies them wipes the copy.
    QByteArrayView view() const { return m_key.view(); }
    /// HKDF(salt = 32 zero bytes, IKM = K_store, info of `which`, L = 32).
    SecretKey derive(StoreSubkey which) const;

    friend bool operator==(const StoreKey &a, const StoreKey &b) { return a.m_key == b.m_key; }

private:
    explicit StoreKey(const SecretKey &key) : m_key(key) { }

    SecretKey m_key;
};

inline constexpr quint8 kStoreValueVersion = 1;
/// What sealing adds to a value: the version byte, the nonce and the tag.
inline constexpr qsizetype kStoreValueOverheadBytes = 1 + 24 + 16;

/// Seals and opens column values under K_columns. The associated data binds each value to
/// its place (table, column, primary key), so a value copied to another row or column does
/// not open there.
class StoreValueCipher
{
public:
    explicit StoreValueCipher(const StoreKey &storeKey);

    /// `table` and `column` are the SQL names, in UTF-8 (BadRequest if one holds a 0x00
    /// byte: the separator). `primaryKey` is the row's key as bytes, encoded by the caller
    /// so that two rows never share it: e.g. the decimal text of a row id
    /// (QByteArray::number(id)), or the fields of a composite key each length-prefixed.
    /// Sealing the same value twice gives different bytes (the nonce is random).
    Result<QByteArray> seal(QByteArrayView table, QByteArrayView column, QByteArrayView primaryKey,
                            QByteArrayView plaintext) const;
    /// The plaintext of a value seal() made for this same place. Refuses a value of another
    /// version (Incompatible), one too short to be a value (Corrupt), and one that does not
    /// authenticate (Corrupt): altered, sealed for another table, column or row, or under
    /// another store key.
    Result<QByteArray> open(QByteArrayView table, QByteArrayView column, QByteArrayView primaryKey,
                            QByteArrayView value) const;

private:
    SecretKey m_key;
};

/// The shortest and longest prefixes that get a token, in characters (code points).
inline constexpr qsizetype kSearchPrefixMinimum = 3;
inline constexpr qsizetype kSearchPrefixMaximum = 10;
inline constexpr qsizetype kSearchTokenCharacters = 16;

/// The keyed tokens a contentless FTS5 table indexes instead of words. Text is normalised
/// (NFKC, then Qt's case folding) and split into words: maximal runs of letters, combining
/// marks and digits (Unicode categories L, M and N); anything else separates. A token is
/// base32 (RFC 4648, lower case, no padding) of HMAC-SHA256(K_search, "w" ‖ UTF-8 word), or
/// of "p" ‖ UTF-8 prefix for a prefix token, cut to 16 characters ([a-z2-7] only, so FTS5's
/// tokenizers keep each whole).
class StoreSearchTokenizer
{
public:
    explicit StoreSearchTokenizer(const StoreKey &storeKey);

    /// What to index for a document: for each word its whole-word token and a prefix token
    /// for each of its prefixes of 3 to 10 characters (the whole word too when it has 3 to
    /// 10), each token once, in order of first appearance.
    QStringList documentTokens(QStringView text) const;
    /// What to search for, every token required: per query word, read as the start of a
    /// word, its prefix token (3 to 10 characters), the prefix token of its first 10
    /// characters (longer words: the index narrows, matches() decides), or its whole-word
    /// token (1 or 2 characters: too short for a prefix). Empty when the query has no word.
    QStringList queryTokens(QStringView query) const;

    /// Whether `text` holds every word of `query` as queryTokens() reads it: what confirms
    /// a row the index found, on its decrypted text.
    static bool matches(QStringView text, QStringView query);
    /// The words of `text`, normalised, as tokens are made from them.
    static QStringList words(QStringView text);

private:
    SecretKey m_key;
};

inline constexpr quint8 kCacheFileVersion = 1;
/// The version byte and 16 random bytes, the first half of every chunk's nonce.
inline constexpr qsizetype kCacheHeaderBytes = 1 + 16;
inline constexpr qsizetype kCacheChunkBytes = 64 * 1024;
inline constexpr qsizetype kCacheChunkOverheadBytes = 16;
inline constexpr qsizetype kCacheSealedChunkBytes = kCacheChunkBytes + kCacheChunkOverheadBytes;

/// The size of the cached file for `plaintextSize` bytes: one chunk at least.
qint64 cacheFileSize(qint64 plaintextSize);
/// The chunk that holds plaintext byte `plaintextOffset` (0 or more).
qint64 cacheChunkIndex(qint64 plaintextOffset);
/// Where chunk `chunkIndex` starts in the cached file; it runs kCacheSealedChunkBytes, or
/// to the end of the file for the last chunk.
qint64 cacheChunkOffset(qint64 chunkIndex);

/// Encrypts a file for the media cache as it arrives, under a new random per-file key
/// (fileKey(), to keep in the store as a sealed value). write() and finish() return the
/// cached file's bytes, in order; append them as they come. A chunk is sealed only once
/// the byte after it arrives (or at finish()), so the last one carries the final flag.
class CacheFileWriter
{
public:
    CacheFileWriter();
    CacheFileWriter(const CacheFileWriter &) = delete;
    CacheFileWriter &operator=(const CacheFileWriter &) = delete;
    CacheFileWriter(CacheFileWriter &&) = default;
    CacheFileWriter &operator=(CacheFileWriter &&) = default;
    ~CacheFileWriter();

    const SecretKey &fileKey() const { return m_key; }

    /// The next plaintext, any size; returns the bytes ready (perhaps none).
    QByteArray write(QByteArrayView plaintext);
    /// Seals the last chunk (empty for an empty file) and returns what is left. Nothing
    /// may be written after.
    QByteArray finish();

private:
    QByteArray sealBuffered(bool final);

    SecretKey m_key;
    QByteArray m_header;
    QByteArray m_buffer; ///< plaintext of the chunk being filled, at most kCacheChunkBytes
    qint64 m_nextChunk = 0;
    bool m_headerWritten = false;
    bool m_finished = false;
};

/// Reads a cached file at any chunk, so a player can seek. The file's size says which
/// chunk is the last: that one must carry the final flag, the others must not, so a file
/// cut at a chunk boundary is refused when its (new) last chunk is read.
class CacheFileReader
{
public:
    /// For a cached file of `fileSize` bytes whose first kCacheHeaderBytes are `header`.
    /// Incompatible for another version; Corrupt for a header or a size no writer makes.
    static Result<CacheFileReader> open(const SecretKey &fileKey, QByteArrayView header,
                                        qint64 fileSize);

    qint64 chunkCount() const { return m_chunkCount; }
    /// The plaintext size the file's size implies; confirmed once the last chunk opens.
    qint64 plaintextSize() const;
    /// The exact size of chunk `chunkIndex`'s bytes in the file.
    qint64 sealedChunkSize(qint64 chunkIndex) const;

    /// The plaintext of chunk `chunkIndex`, from its bytes in the file (cacheChunkOffset(),
    /// sealedChunkSize() long). BadRequest for an index past the end; Corrupt for bytes of
    /// the wrong length or that do not authenticate: altered, another chunk's (moved), a
    /// last chunk not sealed as last (truncated), another file's or key's.
    Result<QByteArray> openChunk(qint64 chunkIndex, QByteArrayView sealed) const;

    /// A whole cached file's plaintext (pictures, tests): every chunk opened in turn.
    static Result<QByteArray> openAll(const SecretKey &fileKey, QByteArrayView file);

private:
    CacheFileReader() = default;
    Result<void> openChunkInto(qint64 chunkIndex, QByteArrayView sealed, char *plaintext) const;

    SecretKey m_key;
    QByteArray m_nonceStart; ///< the header's 16 random bytes
    qint64 m_fileSize = 0;
    qint64 m_chunkCount = 0;
};

} // namespace tidings::e2e
