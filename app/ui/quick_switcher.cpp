#include "ui/quick_switcher.h"

#include "models/conversation_list_model.h"
#include "ui/conversation_delegate.h"

#include <QKeyEvent>
#include <QLineEdit>
#include <QListView>
#include <QSortFilterProxyModel>
#include <QVBoxLayout>

#include <algorithm>

namespace tidings::app {

using namespace Qt::StringLiterals;

QuickSwitcher::QuickSwitcher(ConversationListModel &conversations, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"quickSwitcher"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Go to Chat"));
    auto *layout = new QVBoxLayout(this);
    m_query = new QLineEdit(this);
    m_query->setObjectName(u"quickSwitcherEdit"_s);
    m_query->setAccessibleName(tr("Chat name"));
    m_query->setPlaceholderText(tr("Go to chat…"));
    layout->addWidget(m_query);
    m_filtered = new QSortFilterProxyModel(this);
    m_filtered->setSourceModel(&conversations);
    m_filtered->setFilterRole(ConversationListModel::TitleRole);
    m_filtered->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_list = new QListView(this);
    m_list->setObjectName(u"quickSwitcherList"_s);
    m_list->setAccessibleName(tr("Chats"));
    m_list->setModel(m_filtered);
    m_list->setItemDelegate(new ConversationDelegate(m_list));
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(m_list, 1);
    connect(m_query, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_filtered->setFilterFixedString(text);
        m_list->setCurrentIndex(m_filtered->index(0, 0));
    });
    connect(m_query, &QLineEdit::returnPressed, this, &QuickSwitcher::choose);
    connect(m_list, &QListView::activated, this, &QuickSwitcher::choose);
    m_query->installEventFilter(this);
    m_list->setCurrentIndex(m_filtered->index(0, 0));
    resize(420, 420);
}

bool QuickSwitcher::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_query && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Down || key == Qt::Key_Up) {
            const int rows = m_filtered->rowCount();
            if (rows > 0) {
                const int row = std::clamp(
                    m_list->currentIndex().row() + (key == Qt::Key_Down ? 1 : -1), 0, rows - 1);
                m_list->setCurrentIndex(m_filtered->index(row, 0));
            }
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void QuickSwitcher::choose()
{
    const QModelIndex index = m_list->currentIndex();
    if (!index.isValid())
        return;
    Q_EMIT conversationChosen(index.data(ConversationListModel::IdRole).toLongLong());
    accept();
}

} // namespace tidings::app
