#pragma once

#include "core/server_address.h"

#include <QObject>
#include <QPointer>

class QNetworkAccessManager;
class QNetworkReply;

namespace tidings::app {

/// Asks a relay whether it is there and what it is (GET /healthz), without blocking.
/// One probe at a time: a new probe() abandons the one in flight.
class RelayProbe : public QObject
{
    Q_OBJECT

public:
    explicit RelayProbe(QNetworkAccessManager *network, QObject *parent = nullptr);
    ~RelayProbe() override;

    void probe(const ServerAddress &address, int timeoutMs = 10000);

Q_SIGNALS:
    /// The relay answered as a Tidings relay of `version`.
    void reachable(const QString &version);
    /// Nothing usable answered; `message` says why, in words for the user.
    void unreachable(const QString &message);

private:
    void finish(QNetworkReply *reply);

    QNetworkAccessManager *m_network;
    QPointer<QNetworkReply> m_reply;
};

} // namespace tidings::app
