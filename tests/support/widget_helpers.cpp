#include "support/widget_helpers.h"

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>
#include <QtTest>

namespace tidings::test {

void pickFromNextMenu(QObject *context, const QStringList &path)
{
    // Waits for the menu rather than assuming it is up at the next turn of the event loop.
    auto *picking = new QTimer(context);
    QObject::connect(picking, &QTimer::timeout, context, [picking, path] {
        if (path.isEmpty()) {
            picking->deleteLater();
            return;
        }
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        picking->stop();
        picking->deleteLater();
        QMenu *current = menu;
        for (const QString &name : path) {
            QAction *found = nullptr;
            for (QAction *action : current->actions()) {
                if (action->text().remove(u'&') == name)
                    found = action;
            }
            QVERIFY2(found, qPrintable(name));
            if (found->menu()) {
                current = found->menu();
                continue;
            }
            menu->close();
            found->trigger();
        }
    });
    picking->start(10);
    QTimer::singleShot(5000, picking, &QObject::deleteLater);
    auto *answering = new QTimer(context);
    QObject::connect(answering, &QTimer::timeout, context, [answering] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            box->button(QMessageBox::Yes)->click();
            answering->deleteLater();
        }
    });
    answering->start(20);
    QTimer::singleShot(3000, answering, &QObject::deleteLater);
}

} // namespace tidings::test
