// WebSocket conformance of the real relay, Autobahn|Testsuite section 6: UTF-8 in text
// messages, valid and invalid, whole and in fragments. websocket_conformance.h says how a case is
// run and judged.
#include "websocket_conformance.h"

#include <QtTest>

using namespace tidings::test;
using namespace tidings::test::websocket;
using namespace Qt::StringLiterals;

class TestWebSocketUtf8 : public QObject, public ConformanceRelay
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { start(); }
    void cleanup() { checkRunning(); }
    void cleanupTestCase() { stop(); }

    void utf8_data();
    void utf8() { run(); }
};

void TestWebSocketUtf8::utf8_data()
{
    QTest::addColumn<ConformanceCase>("testCase");
    accepted("6.1.1 text, empty payload", atOnce({text({})}), 1);
    accepted("6.1.2 text in 3 empty fragments",
             atOnce({text({}, false), continuation({}, false), continuation({}, true)}), 1);
    accepted("6.1.3 text in 3 fragments, the first and last empty",
             atOnce({text({}, false), continuation("middle frame payload", false),
                     continuation({}, true)}),
             1);
    const QByteArray hello
        = "Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!";
    const QByteArray kosme = hex("cebae1bdb9cf83cebcceb5");
    accepted("6.2.1 valid UTF-8 text in one frame", atOnce({text(hello)}), 1);
    accepted("6.2.2 valid UTF-8 text in 2 fragments split on a code point boundary",
             atOnce({text(hello.left(15), false), continuation(hello.mid(15), true)}), 1);
    accepted("6.2.3 valid UTF-8 text in one-byte fragments", atOnce(fragments(1, hello, 1)), 1);
    accepted("6.2.4 valid UTF-8 text (kosme) in one-byte fragments", atOnce(fragments(1, kosme, 1)),
             1);
    const QByteArray invalid = kosme + hex("eda080") + "edited";
    closes("6.3.1 invalid UTF-8 (a surrogate) in one frame", atOnce({text(invalid)}), 1007);
    closes("6.3.2 invalid UTF-8 (a surrogate) in one-byte fragments",
           atOnce(fragments(1, invalid, 1)), 1007);
    // 6.4: the invalid part comes in the second of three parts. Failing at once is not
    // required (RFC 6455 8.1 speaks of the message), so all three go out.
    const QByteArrayList parts641 = {kosme, hex("f4908080"), "edited"};
    const QByteArrayList parts642 = {kosme + hex("f4"), hex("90"), hex("8080") + "edited"};
    for (const auto &[number, parts] : {std::pair{1, parts641}, std::pair{2, parts642}}) {
        closes("6.4." + QByteArray::number(number)
                   + " invalid UTF-8 (past U+10FFFF) in 3 fragments, the second one invalid",
               oneByOne({text(parts[0], false), continuation(parts[1], false),
                         continuation(parts[2], true)}),
               1007);
        const QByteArray whole = parts.join();
        closes("6.4." + QByteArray::number(number + 2) + " as 6.4." + QByteArray::number(number)
                   + " in 3 chops of one frame",
               cutFrame(text(whole), whole.size(),
                        {parts[0].size(), parts[0].size() + parts[1].size()}),
               1007);
    }

    // 6.5–6.23: Markus Kuhn's UTF-8 decoder test, each sequence a message of one frame.
    struct Group
    {
        const char *title;
        QList<std::pair<bool, QByteArray>> sequences;
    };
    QList<Group> groups;
    groups.append({"valid UTF-8",
                   {{true, "hello$world"},
                    {true, "hello" + hex("c2a2") + "world"},
                    {true, "hello" + hex("e282ac") + "world"},
                    {true, "hello" + hex("f0a4ada2") + "world"},
                    {true, kosme}}});
    Group prefixes{"prefix of valid UTF-8", {}};
    for (qsizetype i = 1; i <= kosme.size(); ++i)
        prefixes.sequences.append({QUtf8StringView(kosme.left(i)).isValidUtf8(), kosme.left(i)});
    groups.append(prefixes);
    groups.append({"first sequence of a length",
                   {{true, QByteArray(1, '\0')},
                    {true, hex("c280")},
                    {true, hex("e0a080")},
                    {true, hex("f0908080")}}});
    groups.append({"first sequence of 5 or 6 bytes",
                   {{false, hex("f888808080")}, {false, hex("fc8480808080")}}});
    groups.append(
        {"last sequence of a length",
         {{true, hex("7f")}, {true, hex("dfbf")}, {true, hex("efbfbf")}, {true, hex("f48fbfbf")}}});
    groups.append(
        {"last sequence of 4 to 6 bytes, past U+10FFFF",
         {{false, hex("f7bfbfbf")}, {false, hex("fbbfbfbfbf")}, {false, hex("fdbfbfbfbfbf")}}});
    groups.append({"boundary",
                   {{true, hex("ed9fbf")},
                    {true, hex("ee8080")},
                    {true, hex("efbfbd")},
                    {true, hex("f48fbfbf")},
                    {false, hex("f4908080")}}});
    QByteArray continuations;
    for (int byte = 0x80; byte < 0xbf; ++byte)
        continuations.append(char(byte));
    groups.append({"unexpected continuation bytes",
                   {{false, hex("80")},
                    {false, hex("bf")},
                    {false, hex("80bf")},
                    {false, hex("80bf80")},
                    {false, hex("80bf80bf")},
                    {false, hex("80bf80bf80")},
                    {false, hex("80bf80bf80bf")},
                    {false, continuations}}});
    Group lonely{"lonely start bytes", {}};
    for (const auto &[from, to] :
         {std::pair{0xc0, 0xdf}, std::pair{0xe0, 0xef}, std::pair{0xf0, 0xf7},
          std::pair{0xf8, 0xfb}, std::pair{0xfc, 0xfd}}) {
        QByteArray bytes;
        for (int byte = from; byte < to; ++byte)
            bytes.append(char(byte)).append(' ');
        lonely.sequences.append({false, bytes});
    }
    groups.append(lonely);
    const QByteArrayList incomplete
        = {hex("c0"), hex("e080"), hex("f08080"), hex("f8808080"), hex("fc80808080"),
           hex("df"), hex("efbf"), hex("f7bfbf"), hex("fbbfbfbf"), hex("fdbfbfbfbf")};
    Group missing{"last continuation byte missing", {}};
    for (const QByteArray &bytes : incomplete)
        missing.sequences.append({false, bytes});
    groups.append(missing);
    groups.append({"incomplete sequences concatenated", {{false, incomplete.join()}}});
    groups.append(
        {"impossible bytes", {{false, hex("fe")}, {false, hex("ff")}, {false, hex("fefeffff")}}});
    groups.append({"overlong slash",
                   {{false, hex("c0af")},
                    {false, hex("e080af")},
                    {false, hex("f08080af")},
                    {false, hex("f8808080af")},
                    {false, hex("fc80808080af")}}});
    groups.append({"longest overlong",
                   {{false, hex("c1bf")},
                    {false, hex("e09fbf")},
                    {false, hex("f08fbfbf")},
                    {false, hex("f887bfbfbf")},
                    {false, hex("fc83bfbfbfbf")}}});
    groups.append({"overlong NUL",
                   {{false, hex("c080")},
                    {false, hex("e08080")},
                    {false, hex("f0808080")},
                    {false, hex("f880808080")},
                    {false, hex("fc8080808080")}}});
    groups.append({"single UTF-16 surrogate",
                   {{false, hex("eda080")},
                    {false, hex("edadbf")},
                    {false, hex("edae80")},
                    {false, hex("edafbf")},
                    {false, hex("edb080")},
                    {false, hex("edbe80")},
                    {false, hex("edbfbf")}}});
    Group paired{"paired UTF-16 surrogates", {}};
    for (const char *high : {"eda080", "edadbf", "edae80", "edafbf"})
        for (const char *low : {"edb080", "edbfbf"})
            paired.sequences.append({false, hex(high) + hex(low)});
    groups.append(paired);
    Group nonCharacters{"non-character (valid UTF-8)",
                        {{true, hex("efbfbe")}, {true, hex("efbfbf")}}};
    for (const char lead : {'\xf0', '\xf1', '\xf2', '\xf3', '\xf4'}) {
        for (const char second : {'\x8f', '\x9f', '\xaf', '\xbf'}) {
            if (lead == '\xf4' && second != '\x8f')
                continue; // past U+10FFFF
            if (lead == '\xf0' && second == '\x8f')
                continue; // overlong
            for (const char last : {'\xbe', '\xbf'})
                nonCharacters.sequences.append(
                    {true, QByteArray(1, lead) + second + '\xbf' + last});
        }
    }
    groups.append(nonCharacters);
    Group specials{"Unicode special (valid UTF-8)", {}};
    for (const char last : {'\xb9', '\xba', '\xbb', '\xbc', '\xbd', '\xbe', '\xbf'})
        specials.sequences.append({true, hex("efbf") + last});
    groups.append(specials);

    int section = 5;
    for (const Group &group : std::as_const(groups)) {
        int number = 1;
        for (const auto &[valid, bytes] : group.sequences) {
            const QByteArray name = "6." + QByteArray::number(section) + '.'
                + QByteArray::number(number++) + ' ' + group.title + ": "
                + bytes.left(24).toHex(' ') + (bytes.size() > 24 ? " ..." : "");
            if (valid)
                accepted(name, atOnce({text(bytes)}), 1);
            else
                closes(name, atOnce({text(bytes)}), 1007);
        }
        ++section;
    }
}

QTEST_GUILESS_MAIN(TestWebSocketUtf8)
#include "tst_websocket_conformance_utf8.moc"
