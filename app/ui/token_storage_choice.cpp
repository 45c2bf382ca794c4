#include "ui/token_storage_choice.h"

#include <QAbstractButton>
#include <QCoreApplication>
#include <QDir>
#include <QMessageBox>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace tidings::app {

QMessageBox *TokenStorageChoice::ask(QWidget *parent, const QString &reason,
                                     const QString &filePath,
                                     std::function<void(TokenStore::Backend)> chosen)
{
    auto *box = new QMessageBox(parent);
    box->setObjectName(u"tokenStorageChoice"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    box->setIcon(QMessageBox::Warning);
    box->setWindowTitle(tr("No keychain"));
    box->setText(tr("Tidings cannot keep you signed in safely on this computer."));
    box->setInformativeText(
        reason + u"\n\n"_s
        + tr("You can sign in each time you start Tidings, or keep your session in a file "
             "that is not encrypted. Only your user account can read it, but anyone with "
             "access to your files could use it to read and send your messages:")
        + u"\n"_s + QDir::toNativeSeparators(filePath));
    QPushButton *everyTime = box->addButton(tr("Sign In Each Time"), QMessageBox::RejectRole);
    everyTime->setObjectName(u"signInEachTimeButton"_s);
    everyTime->setAccessibleName(tr("Sign in each time, keep nothing on disk"));
    QPushButton *file = box->addButton(tr("Keep Me Signed In (File)"), QMessageBox::AcceptRole);
    file->setObjectName(u"plainFileButton"_s);
    file->setAccessibleName(tr("Keep the session in an unencrypted file"));
    box->setDefaultButton(everyTime);
    box->setEscapeButton(everyTime);
    QObject::connect(box, &QMessageBox::finished, box, [box, file, chosen = std::move(chosen)] {
        chosen(box->clickedButton() == file ? TokenStore::Backend::PlainFile
                                            : TokenStore::Backend::Memory);
    });
    box->open();
    return box;
}

} // namespace tidings::app
