#include "hostile_input_fixture.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>

using namespace Qt::StringLiterals;

namespace tidings::test {

namespace {

/// The field `name` of /proc/<pid>/status, a size in KiB (0 when it cannot be read).
qint64 statusKiB(qint64 pid, QByteArrayView name)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.size() > name.size() && line.startsWith(name) && line.at(name.size()) == ':')
            return line.sliced(name.size() + 1).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

} // namespace

QByteArray readUntil(QTcpSocket &socket, const std::function<bool(const QByteArray &)> &enough,
                     int timeoutMs)
{
    QByteArray received;
    QElapsedTimer timer;
    timer.start();
    while (!enough(received) && timer.elapsed() < timeoutMs) {
        if (socket.bytesAvailable() == 0 && !socket.waitForReadyRead(100)
            && socket.state() != QAbstractSocket::ConnectedState)
            break;
        received += socket.readAll();
    }
    return received + socket.readAll();
}

bool connectSocket(QTcpSocket &socket, quint16 port, const QString &source)
{
    if (!source.isEmpty() && !socket.bind(QHostAddress(source)))
        return false;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(5000);
}

qint64 residentKiB(qint64 pid)
{
    return statusKiB(pid, "VmRSS");
}

qint64 peakResidentKiB(qint64 pid)
{
    return statusKiB(pid, "VmHWM");
}

} // namespace tidings::test
