// End-to-end encrypted messages on the wire (docs/protocol.md, "End-to-end encryption:
// messages"): message.send, message.edit and message.react with `ciphertext` decode what the
// spec allows and refuse the rest with the code and the field named; hello's limits and the
// conversation object carry the new fields; the relay's rules for encrypted edits and
// reactions; and the entries of kinds encrypted, encrypted_edit and encrypted_reaction, live,
// deleted and expired.
//
// JSON here is written with QJsonObject initialisers or ordinary escaped strings: moc
// misreads raw string literals that hold quotes.
#include "protocol/messages/events.h"
#include "protocol/messages/message_requests.h"
#include "protocol/messages/message_rules.h"
#include "protocol/messages/replies.h"

#include "support/protocol_values.h"

#include <QtTest>

#include <climits>

using namespace tidings;
using namespace tidings::protocol::messages;
using namespace Qt::StringLiterals;
using tidings::test::json;

namespace {

// "\x01hello": a ciphertext of version 1, and the same bytes with version 2.
const QString kCiphertext = u"AWhlbGxv"_s;
const QString kVersion2 = u"AmhlbGxv"_s;
const QByteArray kCiphertextBytes("\x01hello");
const QString kMedia = u"0123456789abcdef0123456789abcdef"_s;
const QString kOtherMedia = u"fedcba9876543210fedcba9876543210"_s;
const QString kTag = u"Ab-_0123456789abcdefgh"_s; // 22 characters of base64url

/// `base` with the members of `more` set.
QJsonObject with(QJsonObject base, const QJsonObject &more)
{
    for (auto it = more.begin(); it != more.end(); ++it)
        base.insert(it.key(), it.value());
    return base;
}

QJsonObject sendFields(const QJsonObject &more = {})
{
    return with({{u"conversation"_s, 4}, {u"client_id"_s, u"c1"_s}}, more);
}

QJsonObject changeFields(const QJsonObject &more = {})
{
    return with({{u"conversation"_s, 4}, {u"client_id"_s, u"c2"_s}, {u"seq"_s, 7}}, more);
}

/// `count` distinct media ids, or user ids from 1.
QJsonArray mediaIds(int count)
{
    QJsonArray ids;
    for (int i = 0; i < count; ++i)
        ids.append(u"%1"_s.arg(i, 32, 16, QLatin1Char('0')));
    return ids;
}

QJsonArray userIds(int count)
{
    QJsonArray ids;
    for (int i = 1; i <= count; ++i)
        ids.append(i);
    return ids;
}

std::optional<Error> decodeAndRoundTrip(const QString &type, const QJsonObject &fields,
                                        const Limits &limits)
{
    if (type == u"message.send")
        return test::roundTripError(SendMessage::decode(fields, limits), limits);
    if (type == u"message.edit")
        return test::roundTripError(EditMessage::decode(fields, limits), limits);
    if (type == u"message.react")
        return test::roundTripError(ReactToMessage::decode(fields, limits), limits);
    return Error{ErrorCode::Internal, u"no such type in this test: "_s + type};
}

/// A live encrypted message's body, as the relay stores it.
QJsonObject encryptedBody()
{
    return {{u"device"_s, 7}, {u"ciphertext"_s, kCiphertext}};
}

} // namespace

class TestProtocolEncrypted : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requests_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("fields");
        QTest::addColumn<QString>("code"); // empty: decodes
        QTest::addColumn<QString>("names"); // what the error message must name

        const auto ok = [](const char *name, const char *type, const QJsonObject &fields) {
            QTest::newRow(name) << QString::fromLatin1(type) << fields << QString() << QString();
        };
        const auto bad = [](const char *name, const char *type, const QJsonObject &fields,
                            const char *code, const char *names) {
            QTest::newRow(name) << QString::fromLatin1(type) << fields << QString::fromLatin1(code)
                                << QString::fromLatin1(names);
        };
        const char *send = "message.send";
        const char *edit = "message.edit";
        const char *react = "message.react";

        // message.send, encrypted
        ok("send", send, sendFields({{u"ciphertext"_s, kCiphertext}}));
        ok("send one byte", send, sendFields({{u"ciphertext"_s, u"AQ=="_s}}));
        ok("send media and mentions", send,
           sendFields({{u"ciphertext"_s, kCiphertext},
                       {u"media"_s, QJsonArray{kMedia, kOtherMedia}},
                       {u"mentions"_s, QJsonArray{2, 9}}}));
        ok("send empty lists", send,
           sendFields({{u"ciphertext"_s, kCiphertext},
                       {u"media"_s, QJsonArray()},
                       {u"mentions"_s, QJsonArray()}}));
        ok("send null lists", send,
           sendFields({{u"ciphertext"_s, kCiphertext},
                       {u"media"_s, QJsonValue::Null},
                       {u"mentions"_s, QJsonValue::Null}}));
        ok("send 10 media, 50 mentions", send,
           sendFields({{u"ciphertext"_s, kCiphertext},
                       {u"media"_s, mediaIds(10)},
                       {u"mentions"_s, userIds(50)}}));
        ok("send null ciphertext is plaintext", send,
           sendFields({{u"ciphertext"_s, QJsonValue::Null}, {u"text"_s, u"hi"_s}}));
        ok("send encrypted, null text", send,
           sendFields({{u"ciphertext"_s, kCiphertext}, {u"text"_s, QJsonValue::Null}}));
        bad("send with text", send,
            sendFields({{u"ciphertext"_s, kCiphertext}, {u"text"_s, u"hi"_s}}), "bad_request",
            "'text'");
        bad("send with empty text", send,
            sendFields({{u"ciphertext"_s, kCiphertext}, {u"text"_s, u""_s}}), "bad_request",
            "'text'");
        bad("send with attachments", send,
            sendFields({{u"ciphertext"_s, kCiphertext},
                        {u"attachments"_s, QJsonArray{QJsonObject{{u"media"_s, kMedia}}}}}),
            "bad_request", "'attachments'");
        bad("send with reply", send,
            sendFields({{u"ciphertext"_s, kCiphertext}, {u"reply_to"_s, 3}}), "bad_request",
            "'reply_to'");
        bad("send ciphertext empty", send, sendFields({{u"ciphertext"_s, u""_s}}), "bad_request",
            "'ciphertext'");
        bad("send ciphertext a number", send, sendFields({{u"ciphertext"_s, 5}}), "bad_request",
            "'ciphertext'");
        bad("send ciphertext not base64", send, sendFields({{u"ciphertext"_s, u"AW!lbGxv"_s}}),
            "bad_request", "'ciphertext'");
        bad("send ciphertext unpadded", send, sendFields({{u"ciphertext"_s, u"AQ"_s}}),
            "bad_request", "'ciphertext'");
        bad("send ciphertext stray bits", send, sendFields({{u"ciphertext"_s, u"AR=="_s}}),
            "bad_request", "'ciphertext'");
        bad("send ciphertext base64url", send, sendFields({{u"ciphertext"_s, u"__8="_s}}),
            "bad_request", "'ciphertext'");
        bad("send ciphertext version 2", send, sendFields({{u"ciphertext"_s, kVersion2}}),
            "bad_request", "version 1");
        bad("send ciphertext version 0", send, sendFields({{u"ciphertext"_s, u"AGhp"_s}}),
            "bad_request", "'ciphertext'");
        bad("send 11 media", send,
            sendFields({{u"ciphertext"_s, kCiphertext}, {u"media"_s, mediaIds(11)}}), "too_large",
            "'media'");
        bad("send media twice", send,
            sendFields({{u"ciphertext"_s, kCiphertext}, {u"media"_s, QJsonArray{kMedia, kMedia}}}),
            "bad_request", "'media'");
        bad("send media upper case", send,
            sendFields(
                {{u"ciphertext"_s, kCiphertext}, {u"media"_s, QJsonArray{kMedia.toUpper()}}}),
            "bad_request", "'media'");
        bad("send media short", send,
            sendFields({{u"ciphertext"_s, kCiphertext}, {u"media"_s, QJsonArray{u"0123"_s}}}),
            "bad_request", "'media'");
        bad("send media a number", send,
            sendFields({{u"ciphertext"_s, kCiphertext}, {u"media"_s, QJsonArray{1}}}),
            "bad_request", "'media'");
        bad("send media a string", send,
            sendFields({{u"ciphertext"_s, kCiphertext}, {u"media"_s, kMedia}}), "bad_request",
            "'media'");
        bad("send 51 mentions", send,
            sendFields({{u"ciphertext"_s, kCiphertext}, {u"mentions"_s, userIds(51)}}), "too_large",
            "'mentions'");
        bad("send mention twice", send,
            sendFields({{u"ciphertext"_s, kCiphertext}, {u"mentions"_s, QJsonArray{2, 2}}}),
            "bad_request", "'mentions'");
        bad("send mention 0", send,
            sendFields({{u"ciphertext"_s, kCiphertext}, {u"mentions"_s, QJsonArray{0}}}),
            "bad_request", "'mentions'");
        bad("send mention a string", send,
            sendFields({{u"ciphertext"_s, kCiphertext}, {u"mentions"_s, QJsonArray{u"2"_s}}}),
            "bad_request", "'mentions'");
        bad("send mentions a number", send,
            sendFields({{u"ciphertext"_s, kCiphertext}, {u"mentions"_s, 2}}), "bad_request",
            "'mentions'");
        bad("send encrypted, no conversation", send,
            QJsonObject{{u"client_id"_s, u"c1"_s}, {u"ciphertext"_s, kCiphertext}}, "bad_request",
            "'conversation'");
        // ... and plaintext takes none of the encrypted fields.
        bad("send plaintext with media", send,
            sendFields({{u"text"_s, u"hi"_s}, {u"media"_s, QJsonArray{kMedia}}}), "bad_request",
            "'media'");
        bad("send plaintext with mentions", send,
            sendFields({{u"text"_s, u"hi"_s}, {u"mentions"_s, QJsonArray{2}}}), "bad_request",
            "'mentions'");
        bad("send media without anything", send, sendFields({{u"media"_s, QJsonArray()}}),
            "bad_request", "'media'");

        // message.edit
        ok("edit", edit, changeFields({{u"ciphertext"_s, kCiphertext}}));
        ok("edit plaintext", edit, changeFields({{u"text"_s, u"new"_s}}));
        bad("edit both", edit,
            changeFields({{u"ciphertext"_s, kCiphertext}, {u"text"_s, u"new"_s}}), "bad_request",
            "'text'");
        bad("edit neither", edit, changeFields(), "bad_request", "'text'");
        bad("edit ciphertext version 2", edit, changeFields({{u"ciphertext"_s, kVersion2}}),
            "bad_request", "version 1");
        bad("edit ciphertext not base64", edit, changeFields({{u"ciphertext"_s, u"AW"_s}}),
            "bad_request", "'ciphertext'");
        bad("edit encrypted, no seq", edit, sendFields({{u"ciphertext"_s, kCiphertext}}),
            "bad_request", "'seq'");

        // message.react
        ok("react", react, changeFields({{u"tag"_s, kTag}, {u"ciphertext"_s, kCiphertext}}));
        ok("react off", react,
           changeFields({{u"tag"_s, kTag}, {u"ciphertext"_s, kCiphertext}, {u"on"_s, false}}));
        ok("react plaintext", react, changeFields({{u"emoji"_s, u"👍"_s}}));
        bad("react emoji and tag", react,
            changeFields({{u"emoji"_s, u"👍"_s}, {u"tag"_s, kTag}, {u"ciphertext"_s, kCiphertext}}),
            "bad_request", "'emoji'");
        bad("react emoji and ciphertext", react,
            changeFields({{u"emoji"_s, u"👍"_s}, {u"ciphertext"_s, kCiphertext}}), "bad_request",
            "'emoji'");
        bad("react emoji and tag only", react,
            changeFields({{u"emoji"_s, u"👍"_s}, {u"tag"_s, kTag}}), "bad_request", "'emoji'");
        bad("react tag without ciphertext", react, changeFields({{u"tag"_s, kTag}}), "bad_request",
            "'ciphertext'");
        bad("react ciphertext without tag", react, changeFields({{u"ciphertext"_s, kCiphertext}}),
            "bad_request", "'tag'");
        bad("react tag of 21", react,
            changeFields({{u"tag"_s, kTag.left(21)}, {u"ciphertext"_s, kCiphertext}}),
            "bad_request", "'tag'");
        bad("react tag of 23", react,
            changeFields({{u"tag"_s, QString(kTag + u'A')}, {u"ciphertext"_s, kCiphertext}}),
            "bad_request", "'tag'");
        bad("react tag with plus", react,
            changeFields(
                {{u"tag"_s, QString(kTag.left(21) + u'+')}, {u"ciphertext"_s, kCiphertext}}),
            "bad_request", "'tag'");
        bad("react tag with padding", react,
            changeFields(
                {{u"tag"_s, QString(kTag.left(21) + u'=')}, {u"ciphertext"_s, kCiphertext}}),
            "bad_request", "'tag'");
        bad("react tag a number", react,
            changeFields({{u"tag"_s, 5}, {u"ciphertext"_s, kCiphertext}}), "bad_request", "'tag'");
        bad("react ciphertext version 2", react,
            changeFields({{u"tag"_s, kTag}, {u"ciphertext"_s, kVersion2}}), "bad_request",
            "version 1");
        bad("react on a string", react,
            changeFields({{u"tag"_s, kTag}, {u"ciphertext"_s, kCiphertext}, {u"on"_s, u"no"_s}}),
            "bad_request", "'on'");
        bad("react nothing", react, changeFields(), "bad_request", "'emoji'");
    }

    void requests()
    {
        QFETCH(QString, type);
        QFETCH(QJsonObject, fields);
        QFETCH(QString, code);
        QFETCH(QString, names);
        const std::optional<Error> error = decodeAndRoundTrip(type, fields, Limits{});
        if (code.isEmpty()) {
            QVERIFY2(!error, qPrintable(error ? error->message : QString()));
            return;
        }
        QVERIFY2(error, "decoded what it must refuse");
        QCOMPARE(errorCodeName(error->code), code);
        QVERIFY2(error->message.contains(names), qPrintable(error->message));
    }

    void ciphertextHasTheRelaysLimit()
    {
        Limits small;
        small.maxCiphertextBytes = 8;
        // Eight bytes are fine; nine are too large, for all three requests.
        const QString eight = u"AQEBAQEBAQE="_s;
        const QString nine = u"AQEBAQEBAQEB"_s;
        QVERIFY(SendMessage::decode(sendFields({{u"ciphertext"_s, eight}}), small));
        QCOMPARE(SendMessage::decode(sendFields({{u"ciphertext"_s, nine}}), small).error().code,
                 ErrorCode::TooLarge);
        QVERIFY(EditMessage::decode(changeFields({{u"ciphertext"_s, eight}}), small));
        QCOMPARE(EditMessage::decode(changeFields({{u"ciphertext"_s, nine}}), small).error().code,
                 ErrorCode::TooLarge);
        QVERIFY(ReactToMessage::decode(changeFields({{u"tag"_s, kTag}, {u"ciphertext"_s, eight}}),
                                       small));
        const auto react = ReactToMessage::decode(
            changeFields({{u"tag"_s, kTag}, {u"ciphertext"_s, nine}}), small);
        QCOMPARE(react.error().code, ErrorCode::TooLarge);
        QVERIFY2(react.error().message.contains(u"'ciphertext'"_s),
                 qPrintable(react.error().message));
        // Told by the length alone: a long string that is not base64 at all is too large
        // too, and one within the length but not base64 is malformed.
        QCOMPARE(SendMessage::decode(sendFields({{u"ciphertext"_s, QString(16, u'!')}}), small)
                     .error()
                     .code,
                 ErrorCode::TooLarge);
        QCOMPARE(SendMessage::decode(sendFields({{u"ciphertext"_s, QString(8, u'!')}}), small)
                     .error()
                     .code,
                 ErrorCode::BadRequest);

        // A reaction's ciphertext names one emoji: 1 KiB at most, whatever the relay's limit
        // for messages (the relay keeps a tag's first in the message).
        QByteArray emoji(ReactToMessage::kMaxCiphertextBytes, 'e');
        emoji[0] = 1;
        QVERIFY(ReactToMessage::decode(changeFields(
            {{u"tag"_s, kTag}, {u"ciphertext"_s, QString::fromLatin1(emoji.toBase64())}})));
        emoji.append('e');
        QCOMPARE(ReactToMessage::decode(
                     changeFields({{u"tag"_s, kTag},
                                   {u"ciphertext"_s, QString::fromLatin1(emoji.toBase64())}}))
                     .error()
                     .code,
                 ErrorCode::TooLarge);

        // The default: 160 KiB, decoded.
        QCOMPARE(Limits{}.maxCiphertextBytes, 160 * 1024);
        QByteArray largest(Limits{}.maxCiphertextBytes, 'x');
        largest[0] = 1;
        QVERIFY(SendMessage::decode(
            sendFields({{u"ciphertext"_s, QString::fromLatin1(largest.toBase64())}})));
        largest.append('x');
        QCOMPARE(SendMessage::decode(
                     sendFields({{u"ciphertext"_s, QString::fromLatin1(largest.toBase64())}}))
                     .error()
                     .code,
                 ErrorCode::TooLarge);
    }

    void decodedRequestsHoldTheBytes()
    {
        const auto send = SendMessage::decode(sendFields({{u"ciphertext"_s, kCiphertext},
                                                          {u"media"_s, QJsonArray{kMedia}},
                                                          {u"mentions"_s, QJsonArray{3, 2}}}));
        QVERIFY(send);
        QVERIFY(send->encrypted());
        QCOMPARE(send->ciphertext, kCiphertextBytes);
        QCOMPARE(send->media, QStringList{kMedia});
        QCOMPARE(send->mentions, (QList<qint64>{3, 2}));
        QVERIFY(send->text.isEmpty());
        QCOMPARE(send->replyTo, 0);
        QVERIFY(send->attachments.isEmpty());
        const auto plain = SendMessage::decode(sendFields({{u"text"_s, u"hi"_s}}));
        QVERIFY(plain);
        QVERIFY(!plain->encrypted());

        const auto edit = EditMessage::decode(changeFields({{u"ciphertext"_s, kCiphertext}}));
        QVERIFY(edit);
        QVERIFY(edit->encrypted());
        QCOMPARE(edit->ciphertext, kCiphertextBytes);
        QVERIFY(edit->text.isEmpty());

        const auto react = ReactToMessage::decode(
            changeFields({{u"tag"_s, kTag}, {u"ciphertext"_s, kCiphertext}, {u"on"_s, false}}));
        QVERIFY(react);
        QVERIFY(react->encrypted());
        QCOMPARE(react->tag, kTag);
        QCOMPARE(react->ciphertext, kCiphertextBytes);
        QVERIFY(!react->on);
        QVERIFY(react->emoji.isEmpty());
    }

    void encodingNamesWhatTheSpecNames()
    {
        // The outbox stores these as they are sent: encrypted requests carry no plaintext
        // field, not even an empty text.
        SendMessage send;
        send.conversation = 4;
        send.clientId = u"c1"_s;
        send.ciphertext = kCiphertextBytes;
        QCOMPARE(send.encode(),
                 json("{\"conversation\":4,\"client_id\":\"c1\",\"ciphertext\":\"AWhlbGxv\"}"));
        send.media = {kMedia};
        send.mentions = {2};
        QCOMPARE(send.encode(),
                 json("{\"conversation\":4,\"client_id\":\"c1\",\"ciphertext\":\"AWhlbGxv\","
                      "\"media\":[\"0123456789abcdef0123456789abcdef\"],\"mentions\":[2]}"));

        EditMessage edit;
        edit.conversation = 4;
        edit.clientId = u"c2"_s;
        edit.seq = 7;
        edit.ciphertext = kCiphertextBytes;
        QCOMPARE(edit.encode(),
                 json("{\"conversation\":4,\"client_id\":\"c2\",\"seq\":7,"
                      "\"ciphertext\":\"AWhlbGxv\"}"));

        ReactToMessage react;
        react.conversation = 4;
        react.clientId = u"c3"_s;
        react.seq = 7;
        react.tag = kTag;
        react.ciphertext = kCiphertextBytes;
        react.on = false;
        QCOMPARE(
            react.encode(),
            json("{\"conversation\":4,\"client_id\":\"c3\",\"seq\":7,"
                 "\"tag\":\"Ab-_0123456789abcdefgh\",\"ciphertext\":\"AWhlbGxv\",\"on\":false}"));
    }

    void helloReportsTheCiphertextLimit()
    {
        const auto welcome = Welcome::decode(
            json("{\"version\":1,\"limits\":{\"max_text_bytes\":65536,\"max_group_members\":1000,"
                 "\"max_page_size\":500,\"max_ciphertext_bytes\":200000}}"));
        QVERIFY(welcome);
        QCOMPARE(welcome->limits.maxCiphertextBytes, 200000);
        QVERIFY(!test::roundTripError(welcome));
        QCOMPARE(welcome->encode()
                     .value(u"limits"_s)
                     .toObject()
                     .value(u"max_ciphertext_bytes"_s)
                     .toInteger(),
                 200000);
        // An older relay does not say it: the default stands.
        const auto older
            = Welcome::decode(json("{\"version\":1,\"limits\":{\"max_text_bytes\":10}}"));
        QVERIFY(older);
        QCOMPARE(older->limits.maxCiphertextBytes, Limits{}.maxCiphertextBytes);
        for (const char *bad : {"{\"version\":1,\"limits\":{\"max_ciphertext_bytes\":0}}",
                                "{\"version\":1,\"limits\":{\"max_ciphertext_bytes\":\"9\"}}"}) {
            const auto refused = Welcome::decode(json(bad));
            QVERIFY2(!refused, bad);
            QCOMPARE(refused.error().code, ErrorCode::BadRequest);
            QVERIFY(refused.error().message.contains(u"'limits'"_s));
        }
    }

    void conversationsTellWhereEncryptionStarted()
    {
        const QJsonObject plain
            = json("{\"id\":4,\"kind\":\"direct\",\"last_seq\":20,\"me\":{\"user\":1}}");
        const auto before = ConversationInfo::decode(plain);
        QVERIFY(before);
        QVERIFY(!before->e2eSeq);
        QVERIFY(!before->encode().contains(u"e2e_seq"_s));

        const auto after = ConversationInfo::decode(with(plain, {{u"e2e_seq"_s, 18}}));
        QVERIFY(after);
        QVERIFY(after->e2eSeq);
        QCOMPARE(*after->e2eSeq, 18);
        QCOMPARE(after->encode().value(u"e2e_seq"_s).toInteger(), 18);
        QVERIFY(!test::roundTripError(after));

        for (const QJsonValue &bad : {QJsonValue(0), QJsonValue(u"18"_s), QJsonValue(1.5)}) {
            const auto refused = ConversationInfo::decode(with(plain, {{u"e2e_seq"_s, bad}}));
            QVERIFY(!refused);
            QCOMPARE(refused.error().code, ErrorCode::BadRequest);
            QVERIFY2(refused.error().message.contains(u"'e2e_seq'"_s),
                     qPrintable(refused.error().message));
        }
    }

    void encryptedEditsKeepTheLatest()
    {
        const QJsonObject body = with(encryptedBody(), {{u"media"_s, QJsonArray{kMedia}}});
        const QJsonObject edited = withEncryptedEdit(body, 20, 9,
                                                     QByteArray("\x01"
                                                                "edit"),
                                                     1000);
        QCOMPARE(edited.value(u"edit"_s).toObject(),
                 json("{\"seq\":20,\"device\":9,\"ciphertext\":\"AWVkaXQ=\"}"));
        QCOMPARE(edited.value(u"edited_at"_s).toInteger(), 1000);
        // The message's own ciphertext and the rest stay.
        QCOMPARE(edited.value(u"ciphertext"_s), body.value(u"ciphertext"_s));
        QCOMPARE(edited.value(u"device"_s), body.value(u"device"_s));
        QCOMPARE(edited.value(u"media"_s), body.value(u"media"_s));

        const QJsonObject again
            = withEncryptedEdit(edited, 25, 4294967295u, kCiphertextBytes, 2000);
        QCOMPARE(again.value(u"edit"_s).toObject(),
                 json("{\"seq\":25,\"device\":4294967295,\"ciphertext\":\"AWhlbGxv\"}"));
        QCOMPARE(again.value(u"edited_at"_s).toInteger(), 2000);

        const auto state = EncryptedMessageState::decode(again);
        QVERIFY(state);
        QVERIFY(state->edit);
        QCOMPARE(*state->edit, (EncryptedMessageState::Edit{25, 4294967295u, kCiphertextBytes}));
        QCOMPARE(state->editedAt, 2000);
    }

    void encryptedReactionsFollowOneRule()
    {
        const QJsonObject body = encryptedBody();
        const QByteArray first("\x01thumbs");
        const QByteArray second("\x01heart");

        auto added = withEncryptedReaction(body, kTag, 1, 11, first, true);
        QVERIFY(added);
        QCOMPARE(added->value(u"reactions"_s).toObject(),
                 json("{\"Ab-_0123456789abcdefgh\":{\"users\":[1],\"sender\":1,\"device\":11,"
                      "\"ciphertext\":\"AXRodW1icw==\"}}"));
        QCOMPARE(added->value(u"ciphertext"_s), body.value(u"ciphertext"_s));

        // A second user joins the tag: the first reaction's ciphertext stays.
        auto joined = withEncryptedReaction(*added, kTag, 2, 22, second, true);
        QVERIFY(joined);
        QCOMPARE(joined->value(u"reactions"_s).toObject(),
                 json("{\"Ab-_0123456789abcdefgh\":{\"users\":[1,2],\"sender\":1,\"device\":11,"
                      "\"ciphertext\":\"AXRodW1icw==\"}}"));

        // Twice the same, or taking away what is not there, is a conflict.
        QCOMPARE(withEncryptedReaction(*joined, kTag, 1, 11, first, true).error().code,
                 ErrorCode::Conflict);
        QCOMPARE(withEncryptedReaction(*joined, kTag, 3, 33, first, false).error().code,
                 ErrorCode::Conflict);
        QCOMPARE(withEncryptedReaction(body, kTag, 1, 11, first, false).error().code,
                 ErrorCode::Conflict);

        // The first reactor goes: the entry keeps who made it and its ciphertext, which
        // still names the emoji for the one who stays.
        auto firstGone = withEncryptedReaction(*joined, kTag, 1, 12, second, false);
        QVERIFY(firstGone);
        QCOMPARE(firstGone->value(u"reactions"_s).toObject(),
                 json("{\"Ab-_0123456789abcdefgh\":{\"users\":[2],\"sender\":1,\"device\":11,"
                      "\"ciphertext\":\"AXRodW1icw==\"}}"));

        // The last one goes: no empty entry, no empty object.
        auto allGone = withEncryptedReaction(*firstGone, kTag, 2, 22, second, false);
        QVERIFY(allGone);
        QCOMPARE(*allGone, body);

        // Made anew, the tag records the reaction that makes it now.
        auto anew = withEncryptedReaction(*allGone, kTag, 2, 22, second, true);
        QVERIFY(anew);
        QCOMPARE(anew->value(u"reactions"_s).toObject(),
                 json("{\"Ab-_0123456789abcdefgh\":{\"users\":[2],\"sender\":2,\"device\":22,"
                      "\"ciphertext\":\"AWhlYXJ0\"}}"));

        // At most 64 different tags; more users of one already there is fine.
        QJsonObject full = body;
        for (int i = 0; i < kMaxReactionsPerMessage; ++i) {
            auto next = withEncryptedReaction(full, u"tag%1"_s.arg(i, 19, 10, QLatin1Char('0')), 1,
                                              11, first, true);
            QVERIFY(next);
            full = *next;
        }
        QCOMPARE(full.value(u"reactions"_s).toObject().size(), kMaxReactionsPerMessage);
        const auto tooMany = withEncryptedReaction(full, kTag, 1, 11, first, true);
        QCOMPARE(tooMany.error().code, ErrorCode::TooLarge);
        QVERIFY(withEncryptedReaction(full, u"tag%1"_s.arg(0, 19, 10, QLatin1Char('0')), 2, 22,
                                      second, true));
        // A client applying what the relay accepted passes no limit.
        QVERIFY(withEncryptedReaction(full, kTag, 1, 11, first, true, INT_MAX));

        // What the rules make is what the state reads.
        const auto state = EncryptedMessageState::decode(*joined);
        QVERIFY(state);
        QCOMPARE(state->reactions.value(kTag),
                 (EncryptedMessageState::Reaction{{1, 2}, 1, 11, first}));
    }

    void encryptedStates_data()
    {
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<QString>("names"); // empty: decodes; else what the error names

        const QJsonObject live = encryptedBody();
        QTest::newRow("live") << live << QString();
        QTest::newRow("everything")
            << json("{\"device\":7,\"ciphertext\":\"AWhlbGxv\","
                    "\"media\":[\"0123456789abcdef0123456789abcdef\"],\"mentions\":[2,3],"
                    "\"edit\":{\"seq\":9,\"device\":8,\"ciphertext\":\"AWVkaXQ=\"},\"edited_at\":5,"
                    "\"reactions\":{\"Ab-_0123456789abcdefgh\":{\"users\":[2,1],\"sender\":2,"
                    "\"device\":8,\"ciphertext\":\"AXRodW1icw==\"}}}")
            << QString();
        QTest::newRow("deleted") << deletedBody(9000) << QString();
        QTest::newRow("deleted, no time") << json("{\"deleted\":true}") << QString();
        QTest::newRow("expired") << json("{\"expired\":true}") << QString();
        QTest::newRow("no device") << QJsonObject{{u"ciphertext"_s, kCiphertext}} << u"device"_s;
        QTest::newRow("device 0") << with(live, {{u"device"_s, 0}}) << u"device"_s;
        QTest::newRow("device past u32")
            << with(live, {{u"device"_s, 4294967296.0}}) << u"device"_s;
        QTest::newRow("no ciphertext") << QJsonObject{{u"device"_s, 7}} << u"ciphertext"_s;
        QTest::newRow("ciphertext not base64")
            << with(live, {{u"ciphertext"_s, u"!"_s}}) << u"ciphertext"_s;
        QTest::newRow("media a string") << with(live, {{u"media"_s, kMedia}}) << u"media"_s;
        QTest::newRow("media not an id")
            << with(live, {{u"media"_s, QJsonArray{u"x"_s}}}) << u"media"_s;
        QTest::newRow("mention 0") << with(live, {{u"mentions"_s, QJsonArray{0}}}) << u"mentions"_s;
        QTest::newRow("edit a number") << with(live, {{u"edit"_s, 5}}) << u"edit"_s;
        QTest::newRow("edit without seq")
            << with(live, {{u"edit"_s, json("{\"device\":8,\"ciphertext\":\"AWVkaXQ=\"}")}})
            << u"edit"_s;
        QTest::newRow("edit without ciphertext")
            << with(live, {{u"edit"_s, json("{\"seq\":9,\"device\":8}")}}) << u"edit"_s;
        QTest::newRow("edited at a string")
            << with(live, {{u"edited_at"_s, u"5"_s}}) << u"edited_at"_s;
        QTest::newRow("reactions an array")
            << with(live, {{u"reactions"_s, QJsonArray{1}}}) << u"reactions"_s;
        QTest::newRow("reaction plaintext-shaped")
            << with(live, {{u"reactions"_s, json("{\"x\":[1]}")}}) << u"reactions"_s;
        QTest::newRow("reaction without users") << with(live,
                                                        {{u"reactions"_s,
                                                          json("{\"x\":{\"sender\":1,\"device\":2,"
                                                               "\"ciphertext\":\"AQ==\"}}")}})
                                                << u"reactions"_s;
        QTest::newRow("reaction without sender")
            << with(live,
                    {{u"reactions"_s,
                      json("{\"x\":{\"users\":[1],\"device\":2,"
                           "\"ciphertext\":\"AQ==\"}}")}})
            << u"reactions"_s;
        QTest::newRow("reaction without ciphertext") << with(
            live, {{u"reactions"_s, json("{\"x\":{\"users\":[1],\"sender\":1,\"device\":2}}")}})
                                                     << u"reactions"_s;
        QTest::newRow("deleted a string") << json("{\"deleted\":\"yes\"}") << u"deleted"_s;
        QTest::newRow("expired a number") << json("{\"expired\":1}") << u"expired"_s;
        QTest::newRow("deleted at a string")
            << json("{\"deleted\":true,\"deleted_at\":\"x\"}") << u"deleted_at"_s;
    }

    void encryptedStates()
    {
        QFETCH(QJsonObject, body);
        QFETCH(QString, names);
        const auto state = EncryptedMessageState::decode(body);
        if (names.isEmpty()) {
            QVERIFY2(state, qPrintable(state ? QString() : state.error().message));
            QCOMPARE(EncryptedMessageState::decode(state->encode()).value(), *state);
            QCOMPARE(state->encode(), body);
            return;
        }
        QVERIFY(!state);
        QCOMPARE(state.error().code, ErrorCode::BadRequest);
        QVERIFY2(state.error().message.contains(u"'"_s + names + u"'"_s),
                 qPrintable(state.error().message));
    }

    void encryptedStatesSayWhatIsLeft()
    {
        const auto live = EncryptedMessageState::decode(
            json("{\"device\":7,\"ciphertext\":\"AWhlbGxv\","
                 "\"media\":[\"0123456789abcdef0123456789abcdef\"],\"mentions\":[2,3],"
                 "\"reactions\":{\"Ab-_0123456789abcdefgh\":{\"users\":[2,1],\"sender\":2,"
                 "\"device\":8,\"ciphertext\":\"AXRodW1icw==\"}}}"));
        QVERIFY(live);
        QCOMPARE(live->device, 7u);
        QCOMPARE(live->ciphertext, kCiphertextBytes);
        QCOMPARE(live->media, QStringList{kMedia});
        QCOMPARE(live->mentions, (QList<qint64>{2, 3}));
        QVERIFY(!live->edit);
        QCOMPARE(live->editedAt, 0);
        QCOMPARE(live->reactions.value(kTag).users, (QList<qint64>{2, 1}));
        QVERIFY(!live->isGone());

        // Deleted: what deletedBody() leaves; expired: what the relay's retention leaves.
        const auto deleted = EncryptedMessageState::decode(deletedBody(9000));
        QVERIFY(deleted);
        QVERIFY(deleted->deleted);
        QCOMPARE(deleted->deletedAt, 9000);
        QVERIFY(deleted->isGone());
        QVERIFY(deleted->ciphertext.isEmpty());
        QVERIFY(isGone(deletedBody(9000)));
        const auto expired = EncryptedMessageState::decode(json("{\"expired\":true}"));
        QVERIFY(expired);
        QVERIFY(expired->expired);
        QVERIFY(!expired->deleted);
        QVERIFY(expired->isGone());

        // An entry of kind encrypted keeps these as its body.
        const auto entry = LogEntry::decode(
            json("{\"type\":\"event\",\"conversation\":4,\"seq\":18,\"kind\":\"encrypted\","
                 "\"sender\":1,\"time\":5,\"client_id\":\"c1\",\"device\":7,"
                 "\"ciphertext\":\"AWhlbGxv\"}"));
        QVERIFY(entry);
        QCOMPARE(entry->kind, u"encrypted"_s);
        QCOMPARE(entry->body, encryptedBody());
        QCOMPARE(EncryptedMessageState::decode(entry->body).value().ciphertext, kCiphertextBytes);
    }

    void encryptedChanges()
    {
        const auto edit
            = EncryptedEditChange::decode(json("{\"device\":8,\"ciphertext\":\"AWVkaXQ=\"}"));
        QVERIFY(edit);
        QVERIFY(!edit->gone);
        QCOMPARE(edit->device, 8u);
        QCOMPARE(edit->ciphertext,
                 QByteArray("\x01"
                            "edit"));
        // Its message deleted, or past retention, an edit has nothing left.
        for (const char *gone : {"{\"deleted\":true}", "{\"expired\":true}"}) {
            const auto left = EncryptedEditChange::decode(json(gone));
            QVERIFY2(left, gone);
            QVERIFY(left->gone);
            QVERIFY(left->ciphertext.isEmpty());
        }
        QVERIFY(!EncryptedEditChange::decode(json("{\"device\":8}")));
        QVERIFY(!EncryptedEditChange::decode(json("{\"ciphertext\":\"AWVkaXQ=\"}")));
        QVERIFY(!EncryptedEditChange::decode(json("{\"device\":0,\"ciphertext\":\"AWVkaXQ=\"}")));
        QVERIFY(!EncryptedEditChange::decode(json("{\"deleted\":\"yes\"}")));

        const auto off = EncryptedReactionChange::decode(
            json("{\"device\":8,\"tag\":\"Ab-_0123456789abcdefgh\",\"on\":false,"
                 "\"ciphertext\":\"AXRodW1icw==\"}"));
        QVERIFY(off);
        QVERIFY(!off->gone);
        QVERIFY(!off->on);
        QCOMPARE(off->device, 8u);
        QCOMPARE(off->tag, kTag);
        QCOMPARE(off->ciphertext, QByteArray("\x01thumbs"));
        const auto on = EncryptedReactionChange::decode(
            json("{\"device\":8,\"tag\":\"Ab-_0123456789abcdefgh\",\"ciphertext\":\"AQ==\"}"));
        QVERIFY(on);
        QVERIFY(on->on);
        for (const char *gone : {"{\"deleted\":true}", "{\"expired\":true}"}) {
            const auto left = EncryptedReactionChange::decode(json(gone));
            QVERIFY2(left, gone);
            QVERIFY(left->gone);
            QVERIFY(left->ciphertext.isEmpty());
        }
        const auto noTag = EncryptedReactionChange::decode(
            json("{\"device\":8,\"on\":true,\"ciphertext\":\"AQ==\"}"));
        QVERIFY(!noTag);
        QVERIFY(noTag.error().message.contains(u"'tag'"_s));
        QVERIFY(!EncryptedReactionChange::decode(
            json("{\"device\":8,\"tag\":\"Ab-_0123456789abcdefgh\",\"on\":true}")));
        QVERIFY(!EncryptedReactionChange::decode(
            json("{\"device\":8,\"tag\":\"Ab-_0123456789abcdefgh\",\"on\":\"no\","
                 "\"ciphertext\":\"AQ==\"}")));
    }
};

QTEST_GUILESS_MAIN(TestProtocolEncrypted)
#include "tst_protocol_encrypted.moc"
