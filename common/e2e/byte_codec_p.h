#pragma once

// The binary encoding every e2e state and message uses: big-endian integers, fixed-size
// keys, u16-length-prefixed blobs. Each encoding starts with a kind byte and a version
// byte, so one thing is never read as another and old formats are recognised.

#include "e2e/secret.h"
#include "util/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <utility>

namespace tidings::e2e {

/// The first byte of every encoding. Values are stored: never reuse one.
enum class EncodingKind : quint8 {
    SigningKeyPair = 0x01,
    DeviceCertificate = 0x02,
    DeviceList = 0x03,
    DeviceKeys = 0x04,
    SignedPreKey = 0x05,
    SignedPreKeyPublic = 0x06,
    OneTimePreKey = 0x07,
    OneTimePreKeyPublic = 0x08,
    PreKeyBundle = 0x09,
    X3dhHeader = 0x0a,
    PreKeyMessage = 0x0b,
    RatchetSession = 0x10,
    SenderChain = 0x20,
    ReceivedSenderChain = 0x21,
    SenderKeyDistribution = 0x22,
    FileKey = 0x30,
    LinkAnswer = 0x40,
    LinkCompletion = 0x41,
};

inline const unsigned char *uchars(QByteArrayView bytes)
{
    // libsodium may read from the pointer even for zero bytes; never hand it null.
    static const unsigned char kNothing = 0;
    return bytes.isEmpty() ? &kNothing : reinterpret_cast<const unsigned char *>(bytes.data());
}

inline unsigned char *uchars(QByteArray &bytes)
{
    return reinterpret_cast<unsigned char *>(bytes.data());
}

/// `first` followed by `second`.
inline QByteArray concat(QByteArrayView first, QByteArrayView second)
{
    QByteArray joined;
    joined.reserve(first.size() + second.size());
    joined.append(first);
    joined.append(second);
    return joined;
}

class ByteWriter
{
public:
    ByteWriter() = default;
    ByteWriter(EncodingKind kind, quint8 version);

    void u8(quint8 value);
    void u16(quint16 value);
    void u32(quint32 value);
    void u64(quint64 value);
    void bytes(QByteArrayView bytes);
    /// A u16 length, then the bytes (at most 65,535: callers check what they accept).
    void blob16(QByteArrayView bytes);
    template<std::size_t N> void secret(const Secret<N> &secret) { bytes(secret.view()); }

    QByteArray take() { return std::move(m_out); }

private:
    /// Appends, growing the buffer by hand: a realloc would leave copies of the secrets
    /// written so far in freed memory, so the old buffer is wiped first.
    void append(const char *data, qsizetype size);

    QByteArray m_out;
};

/// Reads what ByteWriter wrote. Running past the end sets failed() and yields zeros, so a
/// decoder reads every field and checks once (finish()).
class ByteReader
{
public:
    explicit ByteReader(QByteArrayView data) : m_data(data) { }

    quint8 u8();
    quint16 u16();
    quint32 u32();
    quint64 u64();
    QByteArray bytes(qsizetype count);
    QByteArray blob16();
    template<std::size_t N> Secret<N> secret()
    {
        const QByteArrayView view = take(static_cast<qsizetype>(N));
        return Secret<N>::fromBytes(view).value_or(Secret<N>());
    }
    /// What is left, all of it.
    QByteArray rest();

    void fail() { m_failed = true; }
    bool failed() const { return m_failed; }
    bool atEnd() const { return m_position == m_data.size(); }

private:
    QByteArrayView take(qsizetype count);

    QByteArrayView m_data;
    qsizetype m_position = 0;
    bool m_failed = false;
};

/// Reads the kind and version bytes: another kind is corrupt input, another version is
/// incompatible. `what` names the thing in the error ("ratchet session").
Result<void> readPreamble(ByteReader &reader, EncodingKind kind, quint8 version,
                          const QString &what);

/// After the last field: refuses input that ended early or runs on.
Result<void> finishReading(const ByteReader &reader, const QString &what);

/// The error for a value that does not make sense once decoded.
Error corrupt(const QString &what);

} // namespace tidings::e2e
