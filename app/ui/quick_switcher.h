#pragma once

#include <QDialog>

class QLineEdit;
class QListView;
class QSortFilterProxyModel;

namespace tidings::app {

class ConversationListModel;

/// Ctrl+K: type a few letters of a chat's name, Enter opens it.
class QuickSwitcher : public QDialog
{
    Q_OBJECT

public:
    QuickSwitcher(ConversationListModel &conversations, QWidget *parent = nullptr);

Q_SIGNALS:
    void conversationChosen(qint64 conversation);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void choose();

    QLineEdit *m_query = nullptr;
    QListView *m_list = nullptr;
    QSortFilterProxyModel *m_filtered = nullptr;
};

} // namespace tidings::app
