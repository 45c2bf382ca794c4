#include "ui/report_reason.h"

#include <QInputDialog>

namespace tidings::app {

void askReportReason(QWidget *parent, const QString &objectName, const QString &title,
                     const QString &label, std::function<void(const QString &)> reported)
{
    auto *dialog = new QInputDialog(parent);
    dialog->setObjectName(objectName);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    dialog->setLabelText(label);
    dialog->setInputMode(QInputDialog::TextInput);
    QObject::connect(dialog, &QInputDialog::textValueSelected, parent,
                     [reported = std::move(reported)](const QString &reason) {
                         if (!reason.trimmed().isEmpty())
                             reported(reason.trimmed());
                     });
    dialog->open();
}

} // namespace tidings::app
