// Which addresses a user-given push URL may reach (relay/push/push_http.h).
#include "push/push_http.h"

#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

using namespace Qt::StringLiterals;

namespace {

bool isPublic(const QString &text)
{
    const QByteArray address = text.toLatin1();
    sockaddr_in v4{};
    if (inet_pton(AF_INET, address.constData(), &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        return tidings::relay::isPublicAddress(reinterpret_cast<const sockaddr *>(&v4));
    }
    sockaddr_in6 v6{};
    if (inet_pton(AF_INET6, address.constData(), &v6.sin6_addr) != 1)
        qFatal("not an address: %s", address.constData());
    v6.sin6_family = AF_INET6;
    return tidings::relay::isPublicAddress(reinterpret_cast<const sockaddr *>(&v6));
}

} // namespace

class TestPublicAddress : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void judged_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("reachable");
        const auto row = [](const QString &address, bool reachable) {
            QTest::newRow(qPrintable(address)) << address << reachable;
        };
        // IPv4
        row(u"8.8.8.8"_s, true);
        row(u"93.184.216.34"_s, true);
        for (const QString &inside :
             {u"127.0.0.1"_s, u"10.1.2.3"_s, u"172.16.0.1"_s, u"192.168.1.1"_s,
              u"169.254.169.254"_s, u"100.64.0.1"_s, u"0.0.0.0"_s, u"224.0.0.1"_s,
              u"255.255.255.255"_s, u"198.18.0.1"_s, u"192.0.2.1"_s, u"198.51.100.1"_s,
              u"203.0.113.1"_s, u"192.0.0.8"_s})
            row(inside, false);
        // IPv6 that is public
        row(u"2606:4700:4700::1111"_s, true);
        row(u"2a00:1450:4001::200e"_s, true);
        row(u"2002:808:808::1"_s, true); // 6to4 of 8.8.8.8
        row(u"64:ff9b::808:808"_s, true); // NAT64 of 8.8.8.8
        // IPv6 that reaches inside, directly or through an IPv4 address it carries
        for (const QString &inside : {u"::"_s,
                                      u"::1"_s,
                                      u"::127.0.0.1"_s,
                                      u"::ffff:127.0.0.1"_s,
                                      u"::ffff:10.0.0.1"_s,
                                      u"64:ff9b::a9fe:a9fe"_s,
                                      u"64:ff9b::7f00:1"_s,
                                      u"64:ff9b:1::1"_s,
                                      u"fec0::1"_s,
                                      u"2002:7f00:1::1"_s,
                                      u"2002:a9fe:a9fe::1"_s,
                                      u"2001::1"_s,
                                      u"2001:0:4136:e378::1"_s,
                                      u"2001:db8::1"_s,
                                      u"2001:10::1"_s,
                                      u"fc00::1"_s,
                                      u"fd12:3456::1"_s,
                                      u"fe80::1"_s,
                                      u"ff02::1"_s,
                                      u"100::1"_s})
            row(inside, false);
    }

    void judged()
    {
        QFETCH(QString, address);
        QFETCH(bool, reachable);
        QCOMPARE(isPublic(address), reachable);
    }
};

QTEST_GUILESS_MAIN(TestPublicAddress)
#include "tst_public_address.moc"
