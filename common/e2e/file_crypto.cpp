#include "e2e/file_crypto.h"

#include "crypto/sodium.h"
#include "e2e/byte_codec_p.h"

#include <QIODevice>
#include <QScopeGuard>

#include <sodium.h>

namespace tidings::e2e {

using namespace Qt::StringLiterals;

namespace {

constexpr quint8 kFileKeyVersion = 1;
constexpr qsizetype kCipherChunkBytes = kFileChunkBytes + kFileChunkOverheadBytes;

static_assert(crypto_secretstream_xchacha20poly1305_ABYTES == kFileChunkOverheadBytes);
static_assert(crypto_secretstream_xchacha20poly1305_HEADERBYTES == kFileStreamHeaderBytes);
static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES == 32);

/// Reads up to `size` bytes into `buffer` (resized to what came): less only at the end.
/// What did not come is zeroed first, so a short read leaves no earlier chunk's plaintext
/// behind the new end, where wipe() would not reach it.
Result<void> readUpTo(QIODevice &device, QByteArray &buffer, qsizetype size)
{
    buffer.resize(size);
    qsizetype filled = 0;
    while (filled < size) {
        const qint64 count = device.read(buffer.data() + filled, size - filled);
        if (count < 0)
            return Error{ErrorCode::Io, u"could not read: "_s % device.errorString()};
        if (count == 0)
            break;
        filled += count;
    }
    detail::wipe(buffer.data() + filled, static_cast<std::size_t>(size - filled));
    buffer.resize(filled);
    return {};
}

Result<void> writeAll(QIODevice &device, QByteArrayView bytes)
{
    if (device.write(bytes.data(), bytes.size()) != bytes.size())
        return Error{ErrorCode::Io, u"could not write: "_s % device.errorString()};
    return {};
}

/// Zeroes the state when the function using it returns, however it returns.
struct StreamState
{
    crypto_secretstream_xchacha20poly1305_state state;
    ~StreamState() { sodium_memzero(&state, sizeof state); }
};

} // namespace

QByteArray FileKey::encode() const
{
    ByteWriter writer(EncodingKind::FileKey, kFileKeyVersion);
    writer.secret(key);
    writer.bytes(streamHeader);
    return writer.take();
}

Result<FileKey> FileKey::decode(QByteArrayView data)
{
    const QString what = u"file key"_s;
    ByteReader reader(data);
    if (auto preamble = readPreamble(reader, EncodingKind::FileKey, kFileKeyVersion, what);
        !preamble)
        return preamble.error();
    FileKey fileKey;
    fileKey.key = reader.secret<32>();
    fileKey.streamHeader = reader.bytes(kFileStreamHeaderBytes);
    if (auto finished = finishReading(reader, what); !finished)
        return finished.error();
    return fileKey;
}

qint64 encryptedFileSize(qint64 plaintextSize)
{
    const qint64 chunks = qMax<qint64>(1, (plaintextSize + kFileChunkBytes - 1) / kFileChunkBytes);
    return plaintextSize + chunks * kFileChunkOverheadBytes;
}

Result<FileKey> encryptFile(QIODevice &plaintext, QIODevice &ciphertext)
{
    crypto::ensureSodium();
    FileKey fileKey{SecretKey::random(), QByteArray(kFileStreamHeaderBytes, Qt::Uninitialized)};
    StreamState stream;
    crypto_secretstream_xchacha20poly1305_init_push(&stream.state, uchars(fileKey.streamHeader),
                                                    fileKey.key.data());
    // Read one chunk ahead: a chunk is FINAL when nothing follows it, so a file of exactly
    // n × 64 KiB has n chunks and an empty file one empty chunk.
    QByteArray current;
    QByteArray following;
    const auto wipeBuffers = qScopeGuard([&] {
        wipe(current);
        wipe(following);
    });
    if (auto read = readUpTo(plaintext, current, kFileChunkBytes); !read)
        return read.error();
    QByteArray sealed(kCipherChunkBytes, Qt::Uninitialized);
    for (;;) {
        if (auto read = readUpTo(plaintext, following, kFileChunkBytes); !read)
            return read.error();
        const bool last = following.isEmpty();
        unsigned long long sealedSize = 0;
        crypto_secretstream_xchacha20poly1305_push(
            &stream.state, uchars(sealed), &sealedSize, uchars(current),
            static_cast<unsigned long long>(current.size()), nullptr, 0,
            last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
        if (auto written = writeAll(
                ciphertext, QByteArrayView(sealed).first(static_cast<qsizetype>(sealedSize)));
            !written)
            return written.error();
        if (last)
            break;
        current.swap(following);
    }
    return fileKey;
}

Result<void> decryptFile(QIODevice &ciphertext, QIODevice &plaintext, const FileKey &key)
{
    crypto::ensureSodium();
    if (key.streamHeader.size() != kFileStreamHeaderBytes)
        return Error{ErrorCode::BadRequest, u"a file's stream header has 24 bytes"_s};
    StreamState stream;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&stream.state, uchars(key.streamHeader),
                                                        key.key.data())
        != 0)
        return Error{ErrorCode::Corrupt, u"the file's stream header is not valid"_s};
    QByteArray sealed;
    QByteArray opened(kFileChunkBytes, Qt::Uninitialized);
    const auto wipeOpened = qScopeGuard([&] { wipe(opened); });
    for (qint64 chunk = 0;; ++chunk) {
        if (auto read = readUpTo(ciphertext, sealed, kCipherChunkBytes); !read)
            return read.error();
        if (sealed.size() < kFileChunkOverheadBytes)
            return Error{ErrorCode::Corrupt,
                         u"the file is truncated: it ends before its last "
                         u"chunk"_s};
        unsigned long long openedSize = 0;
        unsigned char tag = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(
                &stream.state, uchars(opened), &openedSize, &tag, uchars(sealed),
                static_cast<unsigned long long>(sealed.size()), nullptr, 0)
            != 0)
            return Error{ErrorCode::Corrupt,
                         u"chunk %1 of the file does not decrypt: the file "
                         u"was altered or reordered, or the key is wrong"_s.arg(chunk)};
        if (auto written
            = writeAll(plaintext, QByteArrayView(opened).first(static_cast<qsizetype>(openedSize)));
            !written)
            return written.error();
        if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
            char extra = 0;
            if (ciphertext.read(&extra, 1) > 0)
                return Error{ErrorCode::Corrupt, u"the file has bytes after its last chunk"_s};
            return {};
        }
        if (tag != 0)
            return Error{ErrorCode::Corrupt,
                         u"chunk %1 of the file has an unknown tag"_s.arg(chunk)};
        if (sealed.size() < kCipherChunkBytes)
            return Error{ErrorCode::Corrupt,
                         u"the file is truncated: it ends before its last "
                         u"chunk"_s};
    }
}

} // namespace tidings::e2e
