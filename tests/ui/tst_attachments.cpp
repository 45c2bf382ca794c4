// Pictures and files in the chat window, offscreen, against the real relay: Alice sends a
// picture and a file through the send preview; Bob's window shows the picture inline (it
// downloads by itself) and the file as a card that downloads when clicked.
#include "core/cached_file.h"
#include "core/chat_client.h"
#include "models/conversation_list_model.h"
#include "models/message_list_model.h"
#include "support/chat_scene.h"
#include "support/file_helpers.h"
#include "support/screenshot.h"
#include "ui/attachment_media.h"
#include "ui/chat_page.h"
#include "ui/conversation_view.h"
#include "ui/media_dialogs.h"
#include "ui/media_files.h"
#include "ui/message_delegate.h"
#include "ui/settings_dialog.h"
#include "ui/video_player.h"

#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMediaPlayer>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QtTest>

using namespace tidings;
using namespace tidings::app;
using namespace tidings::test;
using namespace Qt::StringLiterals;
using Model = MessageListModel;

namespace {

/// The attachments the message of `row` shows.
QList<MessageAttachment> attachmentsAt(const MessageListModel *model, int row)
{
    return model->index(row).data(Model::AttachmentsRole).value<QList<MessageAttachment>>();
}

/// The row of the newest message with attachments, or -1.
int rowWithFiles(const MessageListModel *model)
{
    for (int row = model ? model->rowCount() - 1 : -1; row >= 0; --row) {
        if (!attachmentsAt(model, row).isEmpty())
            return row;
    }
    return -1;
}

/// A point inside attachment `which` of `row`, found the way a user finds it: by looking.
std::optional<QPoint> attachmentPoint(ConversationView &view, int row, int which)
{
    auto *list = view.findChild<QListView *>(u"messageList"_s);
    const QModelIndex index = list->model()->index(row, 0);
    list->scrollTo(index);
    QStyleOptionViewItem option;
    option.initFrom(list);
    option.rect = list->visualRect(index);
    option.font = list->font();
    option.widget = list;
    auto *delegate = qobject_cast<MessageDelegate *>(list->itemDelegate());
    for (int y = option.rect.top(); y < option.rect.bottom(); y += 3) {
        for (int x = option.rect.left(); x < option.rect.right(); x += 6) {
            if (delegate->attachmentAt(option, index, {x, y}) == which)
                return QPoint(x + 20, y + 10);
        }
    }
    return std::nullopt;
}

/// Stands in for the desktop's "open this file": records what the app asked to open.
class OpenedFiles : public QObject
{
    Q_OBJECT

public:
    QList<QUrl> urls;

public Q_SLOTS:
    void open(const QUrl &url) { urls.append(url); }
};

} // namespace

class TestAttachments : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void aPictureAndAFileTravelAndShow()
    {
        ChatScene scene;
        QVERIFY2(scene.start({.windows = {u"alice"_s, u"bob"_s}, .chatWith = u"bob"_s}),
                 qPrintable(scene.error()));
        AppWindow &alice = scene.window(u"alice"_s);
        AppWindow &bob = scene.window(u"bob"_s);
        const qint64 conversation = scene.conversation();

        // A picture with something recognisable in it, and a plain file.
        QTemporaryDir files;
        const QString picturePath = files.filePath(u"harbour.png"_s);
        QImage picture(800, 600, QImage::Format_RGB32);
        picture.fill(QColor(0x20, 0x60, 0xa0));
        QPainter(&picture).fillRect(QRect(300, 200, 200, 200), QColor(0xe0, 0x30, 0x30));
        QVERIFY(picture.save(picturePath));
        const QString notesPath = files.filePath(u"packing list.txt"_s);
        {
            QFile notes(notesPath);
            QVERIFY(notes.open(QIODevice::WriteOnly));
            notes.write("towel\nsunscreen\nbook\n");
        }

        // The send preview shows both; the caption goes with them.
        alice.view().attachFiles({picturePath, notesPath});
        SendFilesDialog *preview = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (preview = alice.window->findChild<SendFilesDialog *>(u"sendFilesDialog"_s)), 10000);
        QTRY_VERIFY(preview->isVisible());
        QCOMPARE(preview->findChild<QListWidget *>(u"fileList"_s)->count(), 2);
        QCOMPARE(preview->files().first().width, 800);
        QVERIFY(!preview->files().first().thumbnail.isEmpty());
        QCOMPARE(preview->files().last().type, u"text/plain"_s);
        auto *caption = preview->findChild<QLineEdit *>(u"captionEdit"_s);
        QTest::keyClicks(caption, u"Holiday"_s);
        QVERIFY(!alice.shot(u"send-preview"_s).isEmpty());
        preview->findChild<QPushButton *>(u"sendFilesButton"_s)->click();

        // Alice sees it at once from her own files, then ✓ once both are up.
        MessageListModel *sent = alice.messages();
        QTRY_VERIFY_WITH_TIMEOUT(rowWithFiles(sent) >= 0, 10000);
        const auto stateOfFiles = [sent] {
            return sent->index(rowWithFiles(sent)).data(Model::StateRole).value<Model::State>();
        };
        // ✓ at least (Bob's app may have ✓✓'d it already).
        QTRY_VERIFY_WITH_TIMEOUT(stateOfFiles() == Model::State::Sent
                                     || stateOfFiles() == Model::State::Delivered
                                     || stateOfFiles() == Model::State::Read,
                                 30000);
        QCOMPARE(sent->index(rowWithFiles(sent)).data(Model::TextRole).toString(), u"Holiday"_s);
        QVERIFY(!alice.shot(u"alice-sent-picture-and-file"_s).isEmpty());

        // Bob: the picture shows by itself, the file waits for a click.
        QTRY_VERIFY_WITH_TIMEOUT(bob.chat()->conversations().rowOf(conversation) >= 0, 10000);
        bob.chat()->openConversation(conversation);
        MessageListModel *received = bob.messages();
        QTRY_VERIFY_WITH_TIMEOUT(rowWithFiles(received) >= 0, 10000);
        const int row = rowWithFiles(received);
        const QList<MessageAttachment> attachments = attachmentsAt(received, row);
        QCOMPARE(attachments.size(), 2);
        const MessageAttachment shownPicture = attachments.at(0);
        const MessageAttachment shownFile = attachments.at(1);
        QCOMPARE(AttachmentMedia::kindOf(shownPicture), AttachmentMedia::Kind::Picture);
        QCOMPARE(AttachmentMedia::kindOf(shownFile), AttachmentMedia::Kind::File);
        AttachmentMedia *media = bob.view().media();
        // Bob's store has a key, so his cache keeps the files sealed: what they open to.
        QVERIFY(bob.session->client()->transfers().isCacheSealed());
        const auto plaintextSha256 = [media](const MessageAttachment &attachment) {
            const auto read = readCachedFile(
                media->fileAt(attachment, media->status(attachment).path), 1 << 26);
            return read ? sha256Hex(*read) : QString();
        };
        QTRY_VERIFY_WITH_TIMEOUT(!media->status(shownPicture).path.isEmpty(), 20000);
        QCOMPARE(plaintextSha256(shownPicture), fileSha256(picturePath));
        // What is drawn is the picture itself (not the little thumbnail): the red square.
        QImage drawn;
        QTRY_VERIFY_WITH_TIMEOUT(
            (drawn = media->picture(shownPicture, QSize(320, 240))).width() >= 320, 10000);
        QCOMPARE(QColor(drawn.pixel(drawn.width() / 2, drawn.height() / 2)).red() > 200, true);
        QVERIFY(media->status(shownFile).path.isEmpty());
        QVERIFY(!bob.shot(u"bob-sees-picture-and-file"_s).isEmpty());

        // A click on the card downloads the file.
        auto *list = bob.view().findChild<QListView *>(u"messageList"_s);
        const auto card = attachmentPoint(bob.view(), row, 1);
        QVERIFY(card);
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, *card);
        QTRY_VERIFY_WITH_TIMEOUT(!media->status(shownFile).path.isEmpty(), 20000);
        QCOMPARE(plaintextSha256(shownFile), fileSha256(notesPath));
        QVERIFY(!bob.shot(u"bob-downloaded-the-file"_s).isEmpty());

        // A click on the picture opens it in the viewer, fitted to the window.
        const auto inlinePicture = attachmentPoint(bob.view(), row, 0);
        QVERIFY(inlinePicture);
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, *inlinePicture);
        ImageViewer *viewer = nullptr;
        QTRY_VERIFY((viewer = bob.window->findChild<ImageViewer *>(u"imageViewer"_s)));
        QTRY_VERIFY_WITH_TIMEOUT(viewer->isLoaded(), 10000);
        const double fitted = viewer->zoom();
        viewer->setZoom(fitted * 2);
        QCOMPARE(viewer->zoom(), fitted * 2);
        const QPointer<ImageViewer> viewed = viewer;
        viewer->close();
        QTRY_VERIFY(!viewed); // closing it deletes it
    }

    void aReceivedProgramAsksBeforeItOpens()
    {
        ChatScene scene;
        QVERIFY2(scene.start({.windows = {u"alice"_s, u"bob"_s}, .chatWith = u"bob"_s}),
                 qPrintable(scene.error()));
        AppWindow &alice = scene.window(u"alice"_s);
        QTemporaryDir files;
        const QString scriptPath = files.filePath(u"update.sh"_s);
        const QString notesPath = files.filePath(u"notes.txt"_s);
        for (const QString &path : {scriptPath, notesPath}) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("#!/bin/sh\necho hello\n");
        }
        OpenedFiles opened;
        QDesktopServices::setUrlHandler(u"file"_s, &opened, "open");
        const auto restore = qScopeGuard([] { QDesktopServices::unsetUrlHandler(u"file"_s); });

        alice.view().attachFiles({scriptPath, notesPath});
        SendFilesDialog *preview = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (preview = alice.window->findChild<SendFilesDialog *>(u"sendFilesDialog"_s)), 10000);
        preview->findChild<QPushButton *>(u"sendFilesButton"_s)->click();

        AppWindow &bob = scene.window(u"bob"_s);
        QTRY_VERIFY_WITH_TIMEOUT(bob.chat()->conversations().rowOf(scene.conversation()) >= 0,
                                 10000);
        bob.chat()->openConversation(scene.conversation());
        MessageListModel *received = bob.messages();
        QTRY_VERIFY_WITH_TIMEOUT(rowWithFiles(received) >= 0, 20000);
        const int row = rowWithFiles(received);
        const QList<MessageAttachment> attachments = attachmentsAt(received, row);
        QCOMPARE(attachments.size(), 2);
        AttachmentMedia *media = bob.view().media();
        auto *list = bob.view().findChild<QListView *>(u"messageList"_s);
        const auto click = [&](int which) {
            const auto point = attachmentPoint(bob.view(), row, which);
            QVERIFY(point);
            QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, *point);
        };
        // The first click downloads; the next one opens — a program only after a warning.
        click(0);
        QTRY_VERIFY_WITH_TIMEOUT(!media->status(attachments.at(0)).path.isEmpty(), 20000);
        click(0);
        QMessageBox *warning = nullptr;
        QTRY_VERIFY((warning = bob.window->findChild<QMessageBox *>(u"runnableFileWarning"_s)));
        QTRY_VERIFY(warning->isVisible());
        QVERIFY(warning->text().contains(u"update.sh"_s));
        QVERIFY(opened.urls.isEmpty());
        QVERIFY(!saveScreenshot(warning, u"runnable-file-warning"_s).isEmpty());
        const QPointer<QMessageBox> first = warning;
        warning->button(QMessageBox::Cancel)->click();
        QTRY_VERIFY(!first);
        QVERIFY(opened.urls.isEmpty());

        click(0);
        QTRY_VERIFY((warning = bob.window->findChild<QMessageBox *>(u"runnableFileWarning"_s)));
        warning->findChild<QPushButton *>(u"openAnywayButton"_s)->click();
        QTRY_COMPARE(opened.urls.size(), 1);
        // A plaintext copy of Bob's sealed file, under its name, outside the cache.
        const QString openedPath = opened.urls.first().toLocalFile();
        QCOMPARE(QFileInfo(openedPath).fileName(), u"update.sh"_s);
        QVERIFY(openedPath.startsWith(bob.session->client()->transfers().openedDirectory() + u'/'));
        QCOMPARE(fileSha256(openedPath), fileSha256(scriptPath));

        // A text file opens without asking.
        click(1);
        QTRY_VERIFY_WITH_TIMEOUT(!media->status(attachments.at(1)).path.isEmpty(), 20000);
        click(1);
        QTRY_COMPARE(opened.urls.size(), 2);
        QVERIFY(!bob.window->findChild<QMessageBox *>(u"runnableFileWarning"_s));
    }

    void dropPasteCancelAndStorage()
    {
        ChatScene scene;
        QVERIFY2(
            scene.start({.windows = {u"alice"_s}, .clients = {u"bob"_s}, .chatWith = u"bob"_s}),
            qPrintable(scene.error()));
        RelayProcess &relay = scene.relay();
        AppWindow &alice = scene.window(u"alice"_s);
        MessageListModel *messages = alice.messages();

        // Three files dropped on the conversation: one preview for all of them; Cancel
        // sends nothing.
        QTemporaryDir files;
        QList<QUrl> urls;
        for (const QString &name : {u"a.txt"_s, u"b.txt"_s, u"c.txt"_s}) {
            QFile file(files.filePath(name));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(name.toUtf8());
            urls.append(QUrl::fromLocalFile(file.fileName()));
        }
        QMimeData dropped;
        dropped.setUrls(urls);
        ConversationView &view = alice.view();
        const QPoint middle = view.rect().center();
        QDragEnterEvent enter(middle, Qt::CopyAction, &dropped, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&view, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(middle), Qt::CopyAction, &dropped, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&view, &drop);
        SendFilesDialog *preview = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (preview = alice.window->findChild<SendFilesDialog *>(u"sendFilesDialog"_s)), 10000);
        QCOMPARE(preview->files().size(), 3);
        QPointer<SendFilesDialog> cancelled = preview;
        preview->reject();
        QTRY_VERIFY(!cancelled);
        QTest::qWait(200);
        QCOMPARE(rowWithFiles(messages), -1);

        // A pasted picture: kept as a PNG with the account's files, offered, sent.
        QImage screenshot(300, 200, QImage::Format_RGB32);
        screenshot.fill(Qt::darkGreen);
        QApplication::clipboard()->setImage(screenshot);
        view.composer()->setFocus();
        view.composer()->paste();
        QTRY_VERIFY_WITH_TIMEOUT(
            (preview = alice.window->findChild<SendFilesDialog *>(u"sendFilesDialog"_s)), 10000);
        QCOMPARE(preview->files().size(), 1);
        QVERIFY(preview->files().first().name.startsWith(u"pasted-"_s));
        QCOMPARE(preview->files().first().width, 300);
        preview->findChild<QPushButton *>(u"sendFilesButton"_s)->click();
        QTRY_VERIFY_WITH_TIMEOUT(rowWithFiles(messages) >= 0, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            messages->index(rowWithFiles(messages)).data(Model::StateRole).value<Model::State>()
                != Model::State::Queued,
            30000);
        QVERIFY(messages->index(rowWithFiles(messages)).data(Model::StateRole).value<Model::State>()
                != Model::State::Failed);
        const int sentRows = messages->rowCount();

        // While the relay is away an upload waits; a click on it takes the message back.
        QCOMPARE(relay.stop(), 0);
        view.attachFiles({files.filePath(u"a.txt"_s)});
        QTRY_VERIFY_WITH_TIMEOUT(
            (preview = alice.window->findChild<SendFilesDialog *>(u"sendFilesDialog"_s)), 10000);
        preview->findChild<QPushButton *>(u"sendFilesButton"_s)->click();
        QTRY_COMPARE_WITH_TIMEOUT(messages->rowCount(), sentRows + 1, 10000);
        const int waiting = messages->rowCount() - 1;
        const MessageAttachment upload = attachmentsAt(messages, waiting).first();
        QVERIFY(view.media()->status(upload).progress >= 0); // shown as on its way
        auto *list = view.findChild<QListView *>(u"messageList"_s);
        const auto point = attachmentPoint(view, waiting, 0);
        QVERIFY(point);
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, *point);
        QTRY_COMPARE_WITH_TIMEOUT(messages->rowCount(), sentRows, 10000);
        QCOMPARE(alice.session->client()->transfers().state(upload.upload),
                 TransferManager::State::Cancelled);

        // Settings show what downloads take and clear them.
        alice.window->showSettings();
        auto *settings = alice.window->findChild<SettingsDialog *>();
        QVERIFY(settings);
        auto *size = settings->findChild<QLabel *>(u"cacheSizeLabel"_s);
        QTRY_VERIFY(size->text().contains(u"of downloaded files"_s));
        QVERIFY(settings->findChild<QSpinBox *>(u"cacheLimitSpin"_s)->value() > 0);
        settings->findChild<QPushButton *>(u"clearCacheButton"_s)->click();
        QTRY_VERIFY(size->text().startsWith(u"0"_s));
        QVERIFY(!saveScreenshot(settings, u"settings-storage"_s).isEmpty());
        settings->close();
    }

    void aVideoStreamsAndPlays()
    {
        // Ten seconds of GStreamer's test picture, VP8 in WebM (tools/deps.sh installs it).
        QTemporaryDir files;
        const QString videoPath = files.filePath(u"clip.webm"_s);
        QProcess make;
        make.start(u"gst-launch-1.0"_s,
                   {u"-q"_s, u"videotestsrc"_s, u"num-buffers=250"_s, u"!"_s,
                    u"video/x-raw,width=320,height=240,framerate=25/1"_s, u"!"_s, u"vp8enc"_s,
                    u"!"_s, u"webmmux"_s, u"!"_s, u"filesink"_s, u"location="_s + videoPath});
        QVERIFY2(make.waitForFinished(60000) && make.exitCode() == 0,
                 make.readAllStandardError().constData());

        ChatScene scene;
        QVERIFY2(scene.start({.windows = {u"alice"_s, u"bob"_s}, .chatWith = u"bob"_s}),
                 qPrintable(scene.error()));
        AppWindow &alice = scene.window(u"alice"_s);
        AppWindow &bob = scene.window(u"bob"_s);
        const qint64 conversation = scene.conversation();

        alice.view().attachFiles({videoPath});
        SendFilesDialog *preview = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (preview = alice.window->findChild<SendFilesDialog *>(u"sendFilesDialog"_s)), 10000);
        const ChatClient::OutgoingFile clip = preview->files().first();
        QCOMPARE(clip.type, u"video/webm"_s);
        QCOMPARE(QSize(clip.width, clip.height), QSize(320, 240)); // from its first frame
        QVERIFY2(clip.durationMs >= 9900, qPrintable(QString::number(clip.durationMs)));
        QVERIFY(!clip.thumbnail.isEmpty()); // the poster
        QVERIFY(!media::thumbnailImage(clip.thumbnail).isNull());
        preview->findChild<QPushButton *>(u"sendFilesButton"_s)->click();

        QTRY_VERIFY_WITH_TIMEOUT(bob.chat()->conversations().rowOf(conversation) >= 0, 15000);
        bob.chat()->openConversation(conversation);
        MessageListModel *received = bob.messages();
        QTRY_VERIFY_WITH_TIMEOUT(rowWithFiles(received) >= 0, 15000);
        const int row = rowWithFiles(received);
        const MessageAttachment video = attachmentsAt(received, row).first();
        QCOMPARE(AttachmentMedia::kindOf(video), AttachmentMedia::Kind::Video);
        QVERIFY(!bob.shot(u"bob-sees-a-video"_s).isEmpty());

        // A click plays it, streamed from the relay (nothing was downloaded before).
        QVERIFY(bob.view().media()->status(video).path.isEmpty());
        auto *list = bob.view().findChild<QListView *>(u"messageList"_s);
        const auto point = attachmentPoint(bob.view(), row, 0);
        QVERIFY(point);
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, *point);
        VideoPlayer *player = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((player = bob.window->findChild<VideoPlayer *>(u"videoPlayer"_s)),
                                 15000);
        QTRY_VERIFY_WITH_TIMEOUT(player->player()->position() > 300, 20000);
        QVERIFY(player->player()->duration() >= 9900);
        QVERIFY(player->player()->source().scheme().startsWith(u"http"_s));
        QVERIFY(player->surface()->framesShown() > 0);
        QVERIFY(!saveScreenshot(player, u"video-player"_s).isEmpty());
        // Pause holds the position.
        player->findChild<QToolButton *>(u"playButton"_s)->click();
        QTRY_COMPARE(player->player()->playbackState(), QMediaPlayer::PausedState);
        const qint64 paused = player->player()->position();
        QTest::qWait(300);
        QVERIFY(player->player()->position() - paused < 100);
        const QPointer<VideoPlayer> streamed = player;
        player->close();
        QTRY_VERIFY(!streamed); // closing it deletes it

        // Downloaded, it plays from the file, and a seek jumps far ahead (further than
        // playing could in the time allowed). Seeking a stream is up to the platform's
        // player; Qt 6.4 with GStreamer does not seek HTTP sources.
        bob.view().media()->download(video);
        QTRY_VERIFY_WITH_TIMEOUT(!bob.view().media()->status(video).path.isEmpty(), 20000);
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, *point);
        QTRY_VERIFY_WITH_TIMEOUT((player = bob.window->findChild<VideoPlayer *>(u"videoPlayer"_s)),
                                 15000);
        QVERIFY(player->player()->source().isLocalFile());
        // Bob's cache is sealed: it plays through a device that decrypts as it is read.
        QVERIFY(player->player()->sourceDevice() != nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(player->player()->position() > 300, 20000);
        QVERIFY(!player->findChild<QLabel *>(u"videoError"_s)->isVisible());
        player->findChild<QToolButton *>(u"playButton"_s)->click();
        QTRY_COMPARE(player->player()->playbackState(), QMediaPlayer::PausedState);
        player->player()->setPosition(7000);
        player->findChild<QToolButton *>(u"playButton"_s)->click();
        QTRY_VERIFY_WITH_TIMEOUT(player->player()->position() >= 7000, 3000);
        const QPointer<VideoPlayer> played = player;
        player->close();
        QTRY_VERIFY(!played);
    }
};

QTEST_MAIN(TestAttachments)
#include "tst_attachments.moc"
