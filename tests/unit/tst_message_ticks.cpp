// An own message's ticks as the chat draws them, in both themes: "read" must be unmistakable
// from "delivered" (in the light theme both were once the same green), never the colour of
// the message's time, and each state keeps its shape (one tick, two ticks).
#include "models/message_list_model.h"
#include "ui/message_delegate.h"
#include "ui/theme.h"

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QPalette>
#include <QtTest>

#include <cmath>

using namespace tidings::app;
using namespace Qt::StringLiterals;
using State = MessageListModel::State;

namespace {

/// Distance between two colours in RGB (0 to ~441).
double distance(const QColor &a, const QColor &b)
{
    const double r = a.red() - b.red();
    const double g = a.green() - b.green();
    const double bl = a.blue() - b.blue();
    return std::sqrt(r * r + g * g + bl * bl);
}

/// The ticks of `state` painted at 4× on an own bubble.
struct Painted
{
    QColor ink; ///< the pixel farthest from the bubble: the stroke's own colour
    int inked = 0; ///< pixels the ticks touched
    int columns = 0; ///< columns the ticks touched
};

Painted paint(State state)
{
    QImage image(18 * 4, 16 * 4, QImage::Format_ARGB32_Premultiplied);
    const QColor bubble = theme::ownBubble();
    image.fill(bubble);
    {
        QPainter painter(&image);
        painter.scale(4, 4);
        MessageDelegate::paintTicks(&painter, QRectF(0, 3, 16, 13), int(state),
                                    theme::ownMetaText());
    }
    Painted painted;
    double farthest = 0;
    QList<bool> column(image.width(), false);
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor pixel = image.pixelColor(x, y);
            const double d = distance(pixel, bubble);
            if (d > 30) {
                ++painted.inked;
                column[x] = true;
            }
            if (d > farthest) {
                farthest = d;
                painted.ink = pixel;
            }
        }
    }
    painted.columns = int(column.count(true));
    return painted;
}

void usePalette(bool dark)
{
    QPalette palette = QApplication::style()->standardPalette();
    if (dark) {
        palette.setColor(QPalette::Window, QColor(0x17, 0x21, 0x2b));
        palette.setColor(QPalette::WindowText, Qt::white);
        palette.setColor(QPalette::Base, QColor(0x0e, 0x16, 0x21));
        palette.setColor(QPalette::Text, Qt::white);
    }
    QApplication::setPalette(palette);
}

} // namespace

class TestMessageTicks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readIsUnmistakable_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }
    void readIsUnmistakable()
    {
        QFETCH(bool, dark);
        usePalette(dark);
        QCOMPARE(theme::isDark(), dark);

        const Painted sent = paint(State::Sent);
        const Painted delivered = paint(State::Delivered);
        const Painted read = paint(State::Read);
        QVERIFY(sent.inked > 0 && delivered.inked > 0 && read.inked > 0);

        // Colour: read is far from delivered and from the time beside it.
        QVERIFY2(distance(read.ink, delivered.ink) > 90,
                 qPrintable(u"read %1, delivered %2"_s.arg(read.ink.name(), delivered.ink.name())));
        QVERIFY2(distance(read.ink, theme::ownMetaText()) > 90, qPrintable(read.ink.name()));
        // Delivered is drawn in the time's colour, as sent is.
        QVERIFY(distance(delivered.ink, theme::ownMetaText()) < 40);
        QVERIFY(distance(sent.ink, delivered.ink) < 40);

        // Shape: two ticks are wider than one, and read is bolder than delivered.
        QVERIFY2(delivered.columns > sent.columns,
                 qPrintable(u"%1 / %2"_s.arg(delivered.columns).arg(sent.columns)));
        QVERIFY2(read.inked > delivered.inked,
                 qPrintable(u"%1 / %2"_s.arg(read.inked).arg(delivered.inked)));
    }
};

QTEST_MAIN(TestMessageTicks)
#include "tst_message_ticks.moc"
