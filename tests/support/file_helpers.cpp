#include "support/file_helpers.h"

#include <QCryptographicHash>
#include <QDir>

namespace tidings::test {

QByteArray directoryFingerprint(const QString &path)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const QDir directory(path);
    const auto entries = directory.entryList(QDir::Files | QDir::Hidden, QDir::Name);
    for (const QString &name : entries) {
        QFile file(directory.filePath(name));
        if (!file.open(QIODevice::ReadOnly))
            qFatal("cannot read %s", qPrintable(file.fileName()));
        hash.addData(name.toUtf8());
        hash.addData(file.readAll());
    }
    return hash.result().toHex();
}

} // namespace tidings::test
