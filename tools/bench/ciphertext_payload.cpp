#include "bench/ciphertext_payload.h"

#include <QRandomGenerator>

namespace tidings::bench {

namespace {

constexpr int kTails = 64;
constexpr char kVersion = 1;

/// The 6-bit value of one base64 character (RFC 4648's alphabet), or -1.
int sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

} // namespace

CiphertextPayloads::CiphertextPayloads()
{
    m_tails.reserve(kTails);
    for (int i = 0; i < kTails; ++i) {
        QByteArray tail(kBytes - kHeaderBytes, Qt::Uninitialized);
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(tail.data()),
                                              tail.size() / qsizetype(sizeof(quint32)));
        m_tails.append(tail.toBase64());
    }
}

QString CiphertextPayloads::make(qint64 sentAt, qint64 index) const
{
    char header[kHeaderBytes];
    header[0] = kVersion;
    for (int i = 0; i < 8; ++i)
        header[1 + i] = char(quint64(sentAt) >> (56 - 8 * i));
    const QByteArray &tail = m_tails.at(index % kTails);
    QString out;
    out.reserve(kHeaderBase64 + tail.size());
    out.append(QLatin1StringView(QByteArray::fromRawData(header, kHeaderBytes).toBase64()));
    out.append(QLatin1StringView(tail));
    return out;
}

std::optional<qint64> sentAtOfCiphertext(QByteArrayView base64)
{
    if (base64.size() < CiphertextPayloads::kHeaderBase64)
        return std::nullopt;
    unsigned char header[CiphertextPayloads::kHeaderBytes];
    for (qsizetype group = 0; group < CiphertextPayloads::kHeaderBase64 / 4; ++group) {
        quint32 bits = 0;
        for (qsizetype i = 0; i < 4; ++i) {
            const int value = sextet(base64[group * 4 + i]);
            if (value < 0)
                return std::nullopt;
            bits = (bits << 6) | quint32(value);
        }
        header[group * 3] = uchar(bits >> 16);
        header[group * 3 + 1] = uchar(bits >> 8);
        header[group * 3 + 2] = uchar(bits);
    }
    if (header[0] != kVersion)
        return std::nullopt;
    quint64 sentAt = 0;
    for (int i = 1; i < CiphertextPayloads::kHeaderBytes; ++i)
        sentAt = (sentAt << 8) | header[i];
    if (qint64(sentAt) <= 0)
        return std::nullopt;
    return qint64(sentAt);
}

} // namespace tidings::bench
