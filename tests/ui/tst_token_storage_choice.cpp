// No keychain: the app says so and lets the user choose; Escape and Enter mean "sign in
// each time"; only the explicit button keeps a file. Screenshots for review.
#include "support/screenshot.h"
#include "ui/token_storage_choice.h"

#include <QMainWindow>
#include <QMessageBox>
#include <QPushButton>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;

class TestTokenStorageChoice : public QObject
{
    Q_OBJECT

    QMainWindow m_window;
    const QString m_reason = u"No keychain is available on this computer (Could not connect: "
                             "No such file or directory)."_s;
    const QString m_file = u"/home/alice/.config/Tidings/session-tokens-NOT-ENCRYPTED.json"_s;

    std::optional<TokenStore::Backend> answer(const std::function<void(QMessageBox *)> &user,
                                              const QString &screenshot = {})
    {
        std::optional<TokenStore::Backend> chosen;
        int calls = 0;
        QMessageBox *box = TokenStorageChoice::ask(&m_window, m_reason, m_file,
                                                   [&](TokenStore::Backend backend) {
                                                       chosen = backend;
                                                       ++calls;
                                                   });
        if (!QTest::qWaitForWindowExposed(box))
            return std::nullopt;
        if (!screenshot.isEmpty())
            saveScreenshot(box, screenshot);
        QPointer<QMessageBox> guard(box);
        user(box);
        if (!QTest::qWaitFor([&] { return calls > 0; }, 5000) || calls != 1)
            return std::nullopt;
        if (!QTest::qWaitFor([&] { return guard.isNull(); }, 5000))
            return std::nullopt; // the box must close and delete itself
        return chosen;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_window.resize(720, 480);
        m_window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&m_window));
    }

    void saysWhyAndNamesTheFile()
    {
        QMessageBox *box = TokenStorageChoice::ask(&m_window, m_reason, m_file, [](auto) {});
        QVERIFY(box->informativeText().contains(m_reason));
        QVERIFY(box->informativeText().contains(u"session-tokens-NOT-ENCRYPTED.json"_s));
        QVERIFY(box->informativeText().contains(u"not encrypted"_s));
        auto *eachTime = box->findChild<QPushButton *>(u"signInEachTimeButton"_s);
        auto *file = box->findChild<QPushButton *>(u"plainFileButton"_s);
        QVERIFY(eachTime && file);
        QVERIFY(!eachTime->accessibleName().isEmpty() && !file->accessibleName().isEmpty());
        QCOMPARE(box->defaultButton(), eachTime);
        QCOMPARE(box->windowModality(), Qt::WindowModal);
        box->close();
    }

    void theFileOnlyWhenChosen()
    {
        const auto file = answer(
            [](QMessageBox *box) {
                QTest::mouseClick(box->findChild<QPushButton *>(u"plainFileButton"_s),
                                  Qt::LeftButton);
            },
            u"no-keychain-choice"_s);
        QVERIFY(file == TokenStore::Backend::PlainFile);

        const auto eachTime = answer([](QMessageBox *box) {
            QTest::mouseClick(box->findChild<QPushButton *>(u"signInEachTimeButton"_s),
                              Qt::LeftButton);
        });
        QVERIFY(eachTime == TokenStore::Backend::Memory);

        const auto escaped = answer([](QMessageBox *box) { QTest::keyClick(box, Qt::Key_Escape); });
        QVERIFY(escaped == TokenStore::Backend::Memory);

        const auto entered = answer([](QMessageBox *box) { QTest::keyClick(box, Qt::Key_Return); });
        QVERIFY(entered == TokenStore::Backend::Memory);
    }
};

QTEST_MAIN(TestTokenStorageChoice)
#include "tst_token_storage_choice.moc"
