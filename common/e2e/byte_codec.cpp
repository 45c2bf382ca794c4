#include "e2e/byte_codec_p.h"

#include <QtEndian>

namespace tidings::e2e {

using namespace Qt::StringLiterals;

ByteWriter::ByteWriter(EncodingKind kind, quint8 version)
{
    u8(static_cast<quint8>(kind));
    u8(version);
}

void ByteWriter::u8(quint8 value)
{
    m_out.append(static_cast<char>(value));
}

void ByteWriter::u16(quint16 value)
{
    char buffer[2];
    qToBigEndian(value, buffer);
    m_out.append(buffer, 2);
}

void ByteWriter::u32(quint32 value)
{
    char buffer[4];
    qToBigEndian(value, buffer);
    m_out.append(buffer, 4);
}

void ByteWriter::u64(quint64 value)
{
    char buffer[8];
    qToBigEndian(value, buffer);
    m_out.append(buffer, 8);
}

void ByteWriter::bytes(QByteArrayView bytes)
{
    m_out.append(bytes.data(), bytes.size());
}

void ByteWriter::blob16(QByteArrayView bytes)
{
    Q_ASSERT(bytes.size() <= 0xffff);
    u16(static_cast<quint16>(bytes.size()));
    this->bytes(bytes);
}

QByteArrayView ByteReader::take(qsizetype count)
{
    if (m_failed || count < 0 || m_data.size() - m_position < count) {
        m_failed = true;
        return {};
    }
    const QByteArrayView view = m_data.sliced(m_position, count);
    m_position += count;
    return view;
}

quint8 ByteReader::u8()
{
    const QByteArrayView view = take(1);
    return view.isEmpty() ? 0 : static_cast<quint8>(view.at(0));
}

quint16 ByteReader::u16()
{
    const QByteArrayView view = take(2);
    return view.isEmpty() ? 0 : qFromBigEndian<quint16>(view.data());
}

quint32 ByteReader::u32()
{
    const QByteArrayView view = take(4);
    return view.isEmpty() ? 0 : qFromBigEndian<quint32>(view.data());
}

quint64 ByteReader::u64()
{
    const QByteArrayView view = take(8);
    return view.isEmpty() ? 0 : qFromBigEndian<quint64>(view.data());
}

QByteArray ByteReader::bytes(qsizetype count)
{
    return take(count).toByteArray();
}

QByteArray ByteReader::blob16()
{
    const quint16 size = u16();
    return bytes(size);
}

QByteArray ByteReader::rest()
{
    return bytes(m_failed ? 0 : m_data.size() - m_position);
}

Result<void> readPreamble(ByteReader &reader, EncodingKind kind, quint8 version,
                          const QString &what)
{
    const quint8 readKind = reader.u8();
    const quint8 readVersion = reader.u8();
    if (reader.failed())
        return Error{ErrorCode::Corrupt, u"a truncated "_s % what};
    if (readKind != static_cast<quint8>(kind))
        return Error{ErrorCode::Corrupt, u"not a "_s % what % u" (kind %1)"_s.arg(readKind)};
    if (readVersion != version)
        return Error{ErrorCode::Incompatible,
                     what
                         % u" format version %1 is not supported (this "
                           u"build reads version %2)"_s.arg(readVersion)
                               .arg(version)};
    return {};
}

Result<void> finishReading(const ByteReader &reader, const QString &what)
{
    if (reader.failed())
        return Error{ErrorCode::Corrupt, u"a truncated "_s % what};
    if (!reader.atEnd())
        return Error{ErrorCode::Corrupt, u"unexpected bytes after a "_s % what};
    return {};
}

Error corrupt(const QString &what)
{
    return Error{ErrorCode::Corrupt, u"a malformed "_s % what};
}

} // namespace tidings::e2e
