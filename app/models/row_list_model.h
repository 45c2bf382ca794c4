#pragma once

#include <QAbstractListModel>
#include <QHash>
#include <QList>

namespace tidings::app {

/// A list model whose rows are replaced by a fresh read from the LocalStore: the change is
/// told to views as removes, moves, inserts and dataChanged of single rows — never a reset
/// — so selection, scroll position and the current item survive every update.
class RowListModel : public QAbstractListModel
{
public:
    using QAbstractListModel::QAbstractListModel;

protected:
    /// Makes `rows` equal to `next`, signalling each step. Rows are identified by `key`
    /// (unique in each list); `same` says whether a row's content is unchanged.
    template<typename Row, typename Key, typename Same>
    void replaceRows(QList<Row> &rows, const QList<Row> &next, Key key, Same same)
    {
        QHash<qint64, int> wanted;
        for (int i = 0; i < next.size(); ++i)
            wanted.insert(key(next.at(i)), i);
        for (int row = int(rows.size()) - 1; row >= 0; --row) {
            if (!wanted.contains(key(rows.at(row)))) {
                beginRemoveRows({}, row, row);
                rows.removeAt(row);
                endRemoveRows();
            }
        }
        QHash<qint64, bool> present;
        for (const Row &row : rows)
            present.insert(key(row), true);
        for (int i = 0; i < next.size(); ++i) {
            const qint64 id = key(next.at(i));
            if (!present.contains(id)) {
                // A run of new rows goes in with one signal (a page, a burst of messages).
                int end = i;
                while (end + 1 < next.size() && !present.contains(key(next.at(end + 1))))
                    ++end;
                beginInsertRows({}, i, end);
                for (int j = i; j <= end; ++j) {
                    rows.insert(j, next.at(j));
                    present.insert(key(next.at(j)), true);
                }
                endInsertRows();
                i = end;
                continue;
            }
            int from = i;
            while (key(rows.at(from)) != id)
                ++from;
            if (from != i) {
                beginMoveRows({}, from, from, {}, i);
                rows.move(from, i);
                endMoveRows();
            }
            if (!same(rows.at(i), next.at(i))) {
                rows[i] = next.at(i);
                Q_EMIT dataChanged(index(i), index(i));
            }
        }
    }
};

} // namespace tidings::app
