#pragma once

// Linking a new device (docs/protocol.md, section 4, "End-to-end encryption: linking a
// device"; the design in docs/encryption.md, section 3): the requests link.offer, link.find,
// link.answer, link.complete and link.cancel, their results, and the events link.answer,
// link.complete and link.cancel, as plain values in the style of key_directory.h: decode()
// checks a frame's fields and names the bad one, encode() gives the fields to send (without
// "type" and "id"). The relay passes two X25519 keys and two boxes between the devices; it
// opens neither box.

#include "protocol/messages/limits.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace tidings::protocol::messages {

/// An offer's id as the relay makes them: 32 lower-case hex digits (as a media id).
bool isLinkOfferId(QStringView id);

/// link.offer: a device the user has offers to link a new one. The account's password, so
/// that a session left open cannot hand the identity away; `ephemeral` is the offering
/// device's fresh X25519 key E_O (32 bytes).
struct OfferLink
{
    static constexpr char kType[] = "link.offer";
    QString password; ///< 1 to 1024 UTF-8 bytes: login's bound, but never empty
    QByteArray ephemeral;

    static Result<OfferLink> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const OfferLink &, const OfferLink &) = default;
};

/// The result of link.offer: the offer, open until `expiresAt` (ms since the epoch).
struct LinkOffered
{
    QString offer;
    qint64 expiresAt = 0;

    static Result<LinkOffered> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const LinkOffered &, const LinkOffered &) = default;
};

/// link.find: no fields. The user's open offer, for a session that has no device yet.
struct FindLink
{
    static constexpr char kType[] = "link.find";

    static Result<FindLink> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const { return {}; }
    friend bool operator==(const FindLink &, const FindLink &) = default;
};

/// The result of link.find: the offer, the offering device's ephemeral key and id.
struct LinkFound
{
    QString offer;
    QByteArray ephemeral; ///< E_O, 32 bytes
    quint32 device = 0; ///< the offering device, never 0
    qint64 expiresAt = 0;

    static Result<LinkFound> decode(const QJsonObject &fields);
    QJsonObject encode() const;
    friend bool operator==(const LinkFound &, const LinkFound &) = default;
};

/// link.answer: the new device's ephemeral key E_N and its box for the offering device.
/// Also the `link.answer` event the offering session receives, with the same fields.
struct AnswerLink
{
    static constexpr char kType[] = "link.answer";
    static constexpr qsizetype kMaxBoxBytes = 4 * 1024; ///< decoded; more: TooLarge
    QString offer;
    QByteArray ephemeral; ///< 32 bytes
    QByteArray box; ///< 1 to kMaxBoxBytes bytes

    static Result<AnswerLink> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const AnswerLink &, const AnswerLink &) = default;
};

/// link.complete: the offering device's box for the new one (the identity, its certificate,
/// the list, the trust store, the history bundle's key). Also the `link.complete` event the
/// answering session receives.
struct CompleteLink
{
    static constexpr char kType[] = "link.complete";
    static constexpr qsizetype kMaxBoxBytes = 64 * 1024; ///< decoded; more: TooLarge
    QString offer;
    QByteArray box;

    static Result<CompleteLink> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const CompleteLink &, const CompleteLink &) = default;
};

/// link.cancel: either side ends the offer. Also the `link.cancel` event the offer's other
/// session receives (and the answering session of an offer a new link.offer replaced).
struct CancelLink
{
    static constexpr char kType[] = "link.cancel";
    QString offer;

    static Result<CancelLink> decode(const QJsonObject &fields, const Limits &limits = {});
    QJsonObject encode() const;
    friend bool operator==(const CancelLink &, const CancelLink &) = default;
};

} // namespace tidings::protocol::messages
