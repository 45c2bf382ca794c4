#pragma once

// What the hostile-input tests of the HTTP side share (tst_hostile_input_heads,
// tst_hostile_input_http): reading a QTcpSocket until enough has come, connecting from a
// chosen loopback address, and the relay's resident memory. Clients that must survive the
// relay's reset are RawTcpClient (tests/support).

#include <QByteArray>
#include <QString>
#include <QTcpSocket>

#include <functional>

namespace tidings::test {

/// Reads from `socket` until `enough` says so or the peer closes; returns what came.
QByteArray readUntil(QTcpSocket &socket, const std::function<bool(const QByteArray &)> &enough,
                     int timeoutMs = 10000);

/// For readUntil(): read until the peer closes; until a response head has come.
inline const auto closed = [](const QByteArray &) { return false; };
inline const auto answered = [](const QByteArray &bytes) { return bytes.contains("\r\n\r\n"); };

/// Connects `socket` to the relay on `port` (from `source` when given).
bool connectSocket(QTcpSocket &socket, quint16 port, const QString &source = {});

/// The resident memory of process `pid` (VmRSS), in KiB (0 when it cannot be read).
qint64 residentKiB(qint64 pid);
/// The most resident memory process `pid` has had so far (VmHWM), in KiB (0 when it cannot be
/// read): what a moment's buffering shows in, though it was freed again.
qint64 peakResidentKiB(qint64 pid);

} // namespace tidings::test
