// File names other people chose: what the relay keeps and the app saves and shows.
#include "protocol/file_names.h"

#include <QtTest>

using namespace tidings::protocol;
using namespace Qt::StringLiterals;

class TestFileNames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleaned_data()
    {
        QTest::addColumn<QString>("given");
        QTest::addColumn<QString>("kept");
        QTest::newRow("plain") << u"holiday notes.txt"_s << u"holiday notes.txt"_s;
        QTest::newRow("right-to-left override") << u"invoice\u202Efdp.exe"_s << u"invoicefdp.exe"_s;
        QTest::newRow("isolates and marks")
            << u"a\u2066b\u2069c\u200Ed\u200Fe\u061Cf\uFEFF.pdf"_s << u"abcdef.pdf"_s;
        QTest::newRow("zero width") << u"re\u200Bport.pdf"_s << u"report.pdf"_s;
        QTest::newRow("folders") << u"../../etc/passwd"_s << u"passwd"_s;
        QTest::newRow("windows folders") << u"C:\\Users\\x\\evil.bat"_s << u"evil.bat"_s;
        QTest::newRow("hidden") << u"...bashrc"_s << u"bashrc"_s;
        QTest::newRow("hidden behind spaces") << u". .bashrc"_s << u"bashrc"_s;
        QTest::newRow("dot behind a line break") << u". \n."_s << u"file"_s;
        QTest::newRow("reserved characters") << u"a<b>c:d\"e|f?g*h.txt"_s << u"abcdefgh.txt"_s;
        QTest::newRow("control characters") << u"line\nbreak\t.txt"_s << u"linebreak.txt"_s;
        QTest::newRow("nothing left") << u"\u202E/.."_s << u"file"_s;
        QTest::newRow("long") << QString(300, u'n') << QString(120, u'n');
    }
    void cleaned()
    {
        QFETCH(QString, given);
        QFETCH(QString, kept);
        QCOMPARE(cleanFileName(given), kept);
    }

    void runnableFilesAreKnown()
    {
        for (const QString &name :
             {u"setup.exe"_s, u"x.MSI"_s, u"run.sh"_s, u"a.b.bat"_s, u"Photo.jpg.scr"_s,
              u"link.lnk"_s, u"App.dmg"_s, u"tool.AppImage"_s, u"report.docm"_s}) {
            QVERIFY2(mayRunPrograms(name), qPrintable(name));
        }
        for (const QString &name :
             {u"photo.jpg"_s, u"notes.txt"_s, u"report.pdf"_s, u"exe"_s, u"video.mp4"_s}) {
            QVERIFY2(!mayRunPrograms(name), qPrintable(name));
        }
        // What the override hid is what counts, once cleaned.
        QVERIFY(mayRunPrograms(cleanFileName(u"invoice\u202Efdp.exe"_s)));
    }
};

QTEST_GUILESS_MAIN(TestFileNames)
#include "tst_file_names.moc"
