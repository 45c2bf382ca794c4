#pragma once

// What the WebSocket conformance tests (tst_websocket_conformance_framing, _utf8 and
// _closing) share: the cases as data, the frames they are made of, and the relay that runs
// them, each case on a connection of its own.
//
// WebSocket conformance of the real relay, case by case after the Autobahn|Testsuite
// (sections 1–7, 9 and 10; each row is named by its case number). The relay is no echo
// server: a message it takes is answered with an `error` (`bad_request`, as it is no request),
// which shows the frame was accepted. A case RFC 6455 lets pass must leave the connection
// usable; a case it fails must end with the close code the RFC requires (1002 protocol
// error, 1007 invalid payload, 1009 too big) and the TCP connection with it. Rows named
// "RFC …" are what the Autobahn client cannot send (unmasked frames), or rules past its
// case list; Autobahn's sizes beyond the relay's message limit are scaled to that limit.

#include "support/raw_websocket.h"
#include "support/relay_process.h"

#include <QByteArray>
#include <QByteArrayList>
#include <QList>
#include <QMetaType>

namespace tidings::test::websocket {

inline constexpr int kTimeoutMs = 10000;
/// docs/operations.md: `max-frame-bytes` (its default, which the relay runs with here), and
/// the limit until a connection signs in.
inline constexpr qsizetype kMaxMessageBytes = 262144;
inline constexpr qsizetype kSignedOutMessageBytes = 16 * 1024;

enum class Stage { Connected, SaidHello, SignedIn };

/// Bytes a case writes: at once, or in pieces of `chop` bytes, each a write of its own.
struct Write
{
    QByteArray bytes;
    int chop = 0;
    int pongsFirst = 0; ///< before writing, wait until this many pongs have come
};

struct ConformanceCase
{
    Stage stage = Stage::SignedIn;
    QList<Write> writes;
    /// What the relay must answer: pongs (their payloads, in order) and messages (each with
    /// an `error` without an id). When the case ends in a close, messages sent before it may
    /// go unanswered (the relay may fail the connection, or answer a close, before it has
    /// answered them: RFC 6455 5.5.1, 7.1.7), so `answers` is then a maximum.
    QByteArrayList pongs;
    int answers = 0;
    /// 0: the connection must stay usable; else the code of the relay's close frame.
    int closeCode = 0;
};

QByteArray frame(int opcode, const QByteArray &payload, bool final = true, int reservedBits = 0);
QByteArray text(const QByteArray &payload, bool final = true);
QByteArray binary(const QByteArray &payload, bool final = true);
QByteArray continuation(const QByteArray &payload, bool final);
QByteArray ping(const QByteArray &payload = {});
QByteArray pong(const QByteArray &payload = {});
QByteArray closePayload(int code, const QByteArray &reason = {});
QByteArray closeFrame(int code, const QByteArray &reason = {});
QByteArray hex(const char *digits);

/// `payload` as one message of `opcode` in frames of at most `size` bytes.
QByteArrayList fragments(int opcode, const QByteArray &payload, qsizetype size);

// How a case's frames go out (Autobahn's "in one chop", "frame by frame", "in chops").
QList<Write> atOnce(const QByteArrayList &frames);
QList<Write> oneByOne(const QByteArrayList &frames);
QList<Write> chopped(const QByteArrayList &frames, int size);
/// One frame in writes cut at `cuts` (offsets into its payload).
QList<Write> cutFrame(const QByteArray &frame, qsizetype payloadSize, QList<qsizetype> cuts);

/// A case RFC 6455 lets pass: `answers` messages answered, `pongs` sent, and the connection
/// still usable after it.
void accepted(const QByteArray &name, const QList<Write> &writes, int answers,
              const QByteArrayList &pongs = {}, Stage stage = Stage::SignedIn);

/// A case that ends with the relay's close frame with `code`: a failure, or the closing
/// handshake the client began. The pings before the end must be answered, nothing after it.
void closes(const QByteArray &name, const QList<Write> &writes, int code, int answersAtMost = 0,
            const QByteArrayList &pongs = {}, Stage stage = Stage::SignedIn);

/// The relay the cases run against, shared by every case of a test class: start() in
/// initTestCase(), run() for each row of a column "testCase", stop() in cleanupTestCase().
class ConformanceRelay
{
protected:
    /// Starts the relay and registers the user the cases sign in as.
    void start();
    /// Fails the running test unless the relay still runs.
    void checkRunning();
    /// Stops the relay; it must exit cleanly.
    void stop();
    /// Runs the case of the current data row.
    void run();

private:
    /// Says hello and signs in as far as `stage`.
    bool reach(RawWebSocket &socket, Stage stage);

    RelayProcess m_relay;
    QByteArray m_token;
};

} // namespace tidings::test::websocket

Q_DECLARE_METATYPE(tidings::test::websocket::ConformanceCase)
