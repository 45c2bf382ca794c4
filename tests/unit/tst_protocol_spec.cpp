// docs/protocol.md documents exactly the frame types the relay accepts and sends.
#include "chat/handlers/handlers.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

using namespace tidings::relay;
using namespace Qt::StringLiterals;

namespace {

/// The "### `name`" headings between the heading starting with `section` and the next "## ".
QSet<QString> documentedTypes(const QString &spec, const QString &section)
{
    const qsizetype start = spec.indexOf(u"\n## "_s + section);
    if (start < 0)
        return {};
    qsizetype end = spec.indexOf(u"\n## "_s, start + 1);
    if (end < 0)
        end = spec.size();
    const QString part = spec.mid(start, end - start);
    QSet<QString> types;
    static const QRegularExpression heading(u"\\n### `([a-z0-9_.]+)`"_s);
    auto matches = heading.globalMatch(part);
    while (matches.hasNext())
        types.insert(matches.next().captured(1));
    return types;
}

QString describe(const QSet<QString> &set)
{
    QStringList list(set.begin(), set.end());
    list.sort();
    return list.join(u", "_s);
}

} // namespace

class TestProtocolSpec : public QObject
{
    Q_OBJECT

    QString m_spec;

private Q_SLOTS:
    void initTestCase()
    {
        QFile file(qEnvironmentVariable("TIDINGS_SOURCE_DIR") + u"/docs/protocol.md"_s);
        QVERIFY(file.open(QIODevice::ReadOnly));
        m_spec = QString::fromUtf8(file.readAll());
    }

    void everyRequestIsDocumented()
    {
        const auto handlers = allHandlers();
        const QSet<QString> code(handlers.keyBegin(), handlers.keyEnd());
        const QSet<QString> spec = documentedTypes(m_spec, u"4. Requests"_s);
        QVERIFY(!code.isEmpty());
        QVERIFY2(code - spec == QSet<QString>(),
                 qPrintable(u"accepted but not documented: "_s + describe(code - spec)));
        QVERIFY2(spec - code == QSet<QString>(),
                 qPrintable(u"documented but not accepted: "_s + describe(spec - code)));
    }

    void everyEventIsDocumented()
    {
        const QStringList events = eventTypes();
        const QSet<QString> code(events.begin(), events.end());
        const QSet<QString> spec = documentedTypes(m_spec, u"5. Events"_s);
        QVERIFY2(code - spec == QSet<QString>(),
                 qPrintable(u"sent but not documented: "_s + describe(code - spec)));
        QVERIFY2(spec - code == QSet<QString>(),
                 qPrintable(u"documented but not sent: "_s + describe(spec - code)));
    }

    void repliesAreDocumented()
    {
        QVERIFY(m_spec.contains(u"{\"type\": \"result\""_s));
        QVERIFY(m_spec.contains(u"{\"type\": \"error\""_s));
    }
};

QTEST_GUILESS_MAIN(TestProtocolSpec)
#include "tst_protocol_spec.moc"
