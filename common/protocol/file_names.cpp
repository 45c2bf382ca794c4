#include "protocol/file_names.h"

#include <QSet>
#include <QStringView>

namespace tidings::protocol {

using namespace Qt::StringLiterals;

QString cleanFileName(const QString &name, qsizetype maxLength)
{
    QString clean = name.section(u'/', -1).section(u'\\', -1);
    clean.removeIf([](QChar c) {
        return c.unicode() < 0x20 || c.unicode() == 0x7f || c.category() == QChar::Other_Format
            || c.category() == QChar::Separator_Line || c.category() == QChar::Separator_Paragraph
            || QStringView(u"<>:\"|?*").contains(c);
    });
    clean = clean.trimmed();
    // Dots and spaces can take turns (". .x"): neither may lead.
    while (clean.startsWith(u'.'))
        clean = clean.sliced(1).trimmed();
    clean = clean.left(maxLength).trimmed();
    return clean.isEmpty() ? u"file"_s : clean;
}

bool mayRunPrograms(const QString &name)
{
    // Windows runs these by double-click; macOS and Linux desktops run or install the
    // rest. Kept wide on purpose: a warning too many costs a click.
    static const QSet<QString> kRunnable{
        u"exe"_s,     u"com"_s,     u"scr"_s,      u"pif"_s,  u"bat"_s,  u"cmd"_s,        u"msi"_s,
        u"msp"_s,     u"msix"_s,    u"appx"_s,     u"ps1"_s,  u"psm1"_s, u"vbs"_s,        u"vbe"_s,
        u"js"_s,      u"jse"_s,     u"wsf"_s,      u"wsh"_s,  u"hta"_s,  u"cpl"_s,        u"lnk"_s,
        u"url"_s,     u"reg"_s,     u"jar"_s,      u"dll"_s,  u"sys"_s,  u"inf"_s,        u"chm"_s,
        u"iso"_s,     u"img"_s,     u"vhd"_s,      u"vhdx"_s, u"app"_s,  u"pkg"_s,        u"dmg"_s,
        u"command"_s, u"tool"_s,    u"workflow"_s, u"sh"_s,   u"bash"_s, u"zsh"_s,        u"run"_s,
        u"bin"_s,     u"desktop"_s, u"appimage"_s, u"deb"_s,  u"rpm"_s,  u"flatpakref"_s, u"py"_s,
        u"pl"_s,      u"rb"_s,      u"apk"_s,      u"docm"_s, u"xlsm"_s, u"pptm"_s};
    const qsizetype dot = name.lastIndexOf(u'.');
    return dot >= 0 && kRunnable.contains(name.sliced(dot + 1).trimmed().toLower());
}

} // namespace tidings::protocol
