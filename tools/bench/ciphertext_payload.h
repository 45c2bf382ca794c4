#pragma once

#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>

namespace tidings::bench {

/// Ciphertext-shaped message bodies for `throughput --ciphertext`: what the app would send
/// for a ~50-byte chat text (docs/encryption.md, section 5) — the JSON payload padded to 128
/// bytes, a 9-byte header (version 1, chain id, iteration), the 16-byte AEAD tag and the
/// 64-byte signature, 217 bytes, 292 base64 characters. The relay reads none of it; the
/// loader carries its send time where the chain id and iteration go (bytes 1–8, big-endian),
/// and the rest is random. Nothing here encrypts: it measures the relay, not the app.
class CiphertextPayloads
{
public:
    static constexpr qsizetype kBytes = 128 + 9 + 16 + 64;
    static constexpr qsizetype kHeaderBytes = 9;
    /// The header's base64 (a multiple of 3 bytes, so it ends where the rest begins).
    static constexpr qsizetype kHeaderBase64 = kHeaderBytes / 3 * 4;

    /// A few random bodies, so that messages do not all carry the same bytes.
    CiphertextPayloads();

    /// The base64 ciphertext of message number `index`, carrying `sentAt` (> 0).
    QString make(qint64 sentAt, qint64 index) const;

private:
    QList<QByteArray> m_tails; ///< base64 of the bytes after the header
};

/// The send time a ciphertext made by CiphertextPayloads carries, read from the first
/// kHeaderBase64 characters of its base64 alone (no allocation); nullopt when they are not
/// base64, the version byte is not 1 or the time is not positive.
std::optional<qint64> sentAtOfCiphertext(QByteArrayView base64);

} // namespace tidings::bench
