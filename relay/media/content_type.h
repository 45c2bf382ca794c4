#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace tidings::relay::media {

/// A declared MIME type in canonical form ("Image/PNG; x=y" → "image/png"), or BadRequest
/// when it is not type/subtype.
Result<QString> canonicalType(const QString &declared);

/// Whether `type` matches one of `patterns` ("*", "image/*", "application/pdf").
bool typeAllowed(const QString &type, const QStringList &patterns);

/// Checks a declared type against the file's first bytes. Pictures, videos and audio must
/// be what they claim (they are shown inline); any other file must not look like something
/// else that is known. Returns the type to store and serve, or Unsupported naming both.
Result<QString> verifyType(const QString &declared, const QByteArray &head);

/// Whether a type is served for showing in place (Content-Disposition: inline): pictures
/// that browsers and Qt render safely, videos and audio. Everything else is an attachment.
bool servedInline(const QString &type);

/// How many first bytes verifyType() wants.
inline constexpr qsizetype kSniffBytes = 4096;

} // namespace tidings::relay::media
