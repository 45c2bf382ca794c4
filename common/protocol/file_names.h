#pragma once

#include <QString>

namespace tidings::protocol {

/// A file name someone else chose, made safe to show and to save under: no folders, no
/// control or invisible formatting characters (a right-to-left override can make
/// "invoice\u202Efdp.exe" read as "invoiceexe.pdf"), none of the characters Windows
/// refuses, no leading dots (hidden files), at most `maxLength` characters; "file" when
/// nothing is left.
QString cleanFileName(const QString &name, qsizetype maxLength = 120);

/// Whether opening a file named `name` could run a program (an executable, a script, an
/// installer, a shortcut…), on any of the systems the app runs on.
bool mayRunPrograms(const QString &name);

} // namespace tidings::protocol
