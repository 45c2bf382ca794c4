#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringView>

/// Compact JSON written straight to bytes. QJsonDocument::toJson converts every object to
/// its CBOR form and back before writing; on the relay's message path that was a sixth of
/// the network thread (docs/benchmarks.md, issue 15). The output is what toJson(Compact)
/// means, member for member: strings escaped as RFC 8259 requires and UTF-8, integers
/// exact, other numbers shortest round-trip, infinities and NaN as null (as Qt writes them).
/// One difference: U+FEFF is escaped, because Qt's parser drops it raw at the start of a
/// string (found by fuzz/protocol_frame).
namespace tidings::protocol::json {

void appendString(QByteArray &out, QStringView text);
void appendValue(QByteArray &out, const QJsonValue &value);
/// `"key":value` for each member, comma-separated, no braces; `skip` says which keys to
/// leave out (the caller writes them itself).
void appendMembers(QByteArray &out, const QJsonObject &object,
                   bool (*skip)(QStringView key) = nullptr);
QByteArray encode(const QJsonObject &object);

} // namespace tidings::protocol::json
