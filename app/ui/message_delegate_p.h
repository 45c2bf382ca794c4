#pragma once

// What the files of MessageDelegate share: the layout of one row, and how text is measured.
// message_delegate.cpp lays out and paints a row; message_delegate_attachments.cpp its
// pictures, videos and file cards; message_delegate_note.cpp the line about a refused change.

#include "ui/attachment_media.h"
#include "ui/message_delegate.h"

#include <QList>
#include <QPair>
#include <QRect>
#include <QSizeF>
#include <QString>

class QFont;
class QTextLayout;

namespace tidings::app {

namespace message_painting {

inline constexpr int kSide = 12; ///< space between a bubble and the view's edge

struct TextSize
{
    QSizeF size;
    qreal lastLineWidth = 0;
};

/// Lays out `text` in lines of at most `width` (into `out`, when given, to draw it).
TextSize measure(const QString &text, const QFont &font, qreal width, QTextLayout *out = nullptr);

} // namespace message_painting

struct MessageDelegate::Layout
{
    int height = 0;
    QString dayText;
    QRect day;
    QRect divider;
    QRect encryptedFrom; ///< "Messages above were not end-to-end encrypted. …"
    QString encryptedFromText;
    bool system = false;
    QString systemText;
    QRect systemRect;
    /// A contact's safety number changed: the link under the line, to compare the new one.
    QRect verify;
    QString verifyText;
    bool own = false;
    QRect bubble;
    QRect name;
    QRect quote;
    QRect text;
    QString body;
    bool deleted = false;
    /// An encrypted message whose key has not come or that did not decrypt: `body` says so.
    bool unreadable = false;
    QRect meta;
    QString metaText;
    struct Piece
    {
        QRect rect;
        int index = 0;
        AttachmentMedia::Kind kind = AttachmentMedia::Kind::File;
    };
    QList<Piece> pieces; ///< attachments, in order, above the text
    QList<QPair<QRect, QString>> chips;
    /// A refused change of mine: what happened (in the error colour), and its two links.
    QString noteText;
    int noteRoom = 0; ///< the width the note's lines wrap at
    QRect note;
    QRect retry;
    QRect discard;
};

} // namespace tidings::app
