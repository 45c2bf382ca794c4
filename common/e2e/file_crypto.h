#pragma once

// Files and thumbnails, end to end: each gets a random 32-byte key and is encrypted with
// libsodium's crypto_secretstream_xchacha20poly1305 in 64 KiB chunks, the last tagged
// FINAL. The key and the 24-byte stream header travel inside the (encrypted) message; the
// relay stores only the ciphertext. A truncated, reordered, altered or extended file
// fails to open.

#include "e2e/secret.h"
#include "util/result.h"

#include <QByteArray>

class QIODevice;

namespace tidings::e2e {

inline constexpr qsizetype kFileChunkBytes = 64 * 1024;
/// What each chunk adds: crypto_secretstream_xchacha20poly1305_ABYTES.
inline constexpr qsizetype kFileChunkOverheadBytes = 17;
inline constexpr qsizetype kFileStreamHeaderBytes = 24;

/// What opens one encrypted file: its key and the stream header.
struct FileKey
{
    SecretKey key;
    QByteArray streamHeader; ///< kFileStreamHeaderBytes

    /// A versioned encoding, for the message that carries the file.
    QByteArray encode() const;
    static Result<FileKey> decode(QByteArrayView data);
};

/// The size of the ciphertext of a `plaintextSize`-byte file: one chunk at least.
qint64 encryptedFileSize(qint64 plaintextSize);

/// Reads `plaintext` to its end and writes the ciphertext to `ciphertext`, under a new
/// random key. Both devices must be open; reads and writes are synchronous (files,
/// buffers). Io when a read or write fails.
Result<FileKey> encryptFile(QIODevice &plaintext, QIODevice &ciphertext);

/// Reads `ciphertext` to its end and writes the plaintext to `plaintext`. Refuses (Corrupt)
/// a chunk that does not authenticate — wrong key, altered or reordered chunks — a file
/// that ends before its FINAL chunk (truncated) and bytes after it. Plaintext is written
/// chunk by chunk as it is verified: on an error, discard what was written.
Result<void> decryptFile(QIODevice &ciphertext, QIODevice &plaintext, const FileKey &key);

} // namespace tidings::e2e
