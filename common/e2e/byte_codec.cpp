#include "e2e/byte_codec_p.h"

#include <QtEndian>

#include <algorithm>

namespace tidings::e2e {

using namespace Qt::StringLiterals;

ByteWriter::ByteWriter(EncodingKind kind, quint8 version)
{
    u8(static_cast<quint8>(kind));
    u8(version);
}

void ByteWriter::append(const char *data, qsizetype size)
{
    const qsizetype needed = m_out.size() + size;
    if (needed > m_out.capacity()) {
        QByteArray grown;
        grown.reserve(std::max({needed, 2 * m_out.capacity(), qsizetype(64)}));
        grown.append(m_out.constData(), m_out.size());
        wipe(m_out);
        m_out = std::move(grown);
    }
    m_out.append(data, size);
}

void ByteWriter::u8(quint8 value)
{
    const char byte = static_cast<char>(value);
    append(&byte, 1);
}

void ByteWriter::u16(quint16 value)
{
    char buffer[2];
    qToBigEndian(value, buffer);
    append(buffer, 2);
}

void ByteWriter::u32(quint32 value)
{
    char buffer[4];
    qToBigEndian(value, buffer);
    append(buffer, 4);
}

void ByteWriter::u64(quint64 value)
{
    char buffer[8];
    qToBigEndian(value, buffer);
    append(buffer, 8);
}

void ByteWriter::bytes(QByteArrayView bytes)
{
    append(bytes.data(), bytes.size());
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
