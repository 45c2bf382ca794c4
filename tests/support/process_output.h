#pragma once

#include <QByteArray>

#include <cstdio>

namespace tidings::test {

/// One line on stdout, flushed at once: how helper processes tell a test where they are.
inline void say(const QByteArray &line)
{
    std::fputs(line.constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

} // namespace tidings::test
