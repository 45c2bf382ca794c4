#pragma once

#include "core/token_store.h"

#include <QCoreApplication>

#include <functional>

class QMessageBox;
class QWidget;

namespace tidings::app {

/// When there is no keychain, asks the user where their session token may live: says why
/// (`reason`, the TokenStore's sentence), then offers to sign in every time (the default,
/// also on Escape) or to keep the token in the plain file at `filePath`, named as what it
/// is. Window-modal and non-blocking: `chosen` runs once with Memory or PlainFile. Returns
/// the open box (it deletes itself when closed).
class TokenStorageChoice
{
    Q_DECLARE_TR_FUNCTIONS(TokenStorageChoice)

public:
    static QMessageBox *ask(QWidget *parent, const QString &reason, const QString &filePath,
                            std::function<void(TokenStore::Backend)> chosen);
};

} // namespace tidings::app
