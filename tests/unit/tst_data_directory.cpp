#include "server/data_directory.h"

#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace tidings;
using namespace tidings::relay;
using namespace Qt::StringLiterals;

class TestDataDirectory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createsMissingDirectories()
    {
        QTemporaryDir root;
        const QString path = root.filePath(u"a/b/c"_s);
        const auto directory = DataDirectory::open(path);
        QVERIFY(directory.ok());
        QVERIFY(QFileInfo(path).isDir());
        QCOMPARE(directory->filePath(u"tidings.db"_s), path + u"/tidings.db"_s);
    }

    void onlyTheRelaysUserMayLookInside()
    {
        QTemporaryDir root;
        const QString path = root.filePath(u"data"_s);
        QVERIFY(QDir().mkpath(path));
        QFile::setPermissions(path,
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner
                                  | QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther
                                  | QFile::ExeOther);
        QFile database(path + u"/tidings.db"_s);
        QVERIFY(database.open(QIODevice::WriteOnly));
        database.close();
        QFile::setPermissions(database.fileName(),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup
                                  | QFile::ReadOther);
        const auto directory = DataDirectory::open(path);
        QVERIFY(directory.ok());
        const auto others = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup
            | QFile::ReadOther | QFile::WriteOther | QFile::ExeOther;
        QCOMPARE(QFileInfo(path).permissions() & others, QFile::Permissions());
        QCOMPARE(QFileInfo(database.fileName()).permissions() & others, QFile::Permissions());
        QVERIFY(QFileInfo(database.fileName()).permissions() & QFile::WriteOwner);
    }

    void secondOpenIsRefusedWhileTheFirstHoldsIt()
    {
        QTemporaryDir root;
        {
            const auto first = DataDirectory::open(root.path());
            QVERIFY(first.ok());
            const auto second = DataDirectory::open(root.path());
            QVERIFY(!second.ok());
            QCOMPARE(second.error().code, ErrorCode::Conflict);
            QVERIFY(second.error().message.contains(u"in use"_s));
        }
        // Released with the first: open again.
        QVERIFY(DataDirectory::open(root.path()).ok());
    }

    void pathUnderAFileIsAClearError()
    {
        QTemporaryDir root;
        QFile file(root.filePath(u"plain-file"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        const auto directory = DataDirectory::open(root.filePath(u"plain-file/data"_s));
        QVERIFY(!directory.ok());
        QCOMPARE(directory.error().code, ErrorCode::Io);
        QVERIFY(directory.error().message.contains(u"cannot create data directory"_s));
    }

    void readOnlyDirectoryIsAClearError()
    {
        if (::geteuid() == 0)
            QSKIP("root writes through permissions; pathUnderAFileIsAClearError covers it");
        QTemporaryDir root;
        QVERIFY(QFile::setPermissions(root.path(), QFile::ReadOwner | QFile::ExeOwner));
        const auto directory = DataDirectory::open(root.path());
        QFile::setPermissions(root.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QVERIFY(!directory.ok());
        QVERIFY(directory.error().message.contains(u"not writable"_s));
    }
};

QTEST_GUILESS_MAIN(TestDataDirectory)
#include "tst_data_directory.moc"
