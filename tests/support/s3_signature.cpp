#include "support/s3_signature.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QTimeZone>

#include <algorithm>
#include <cstdlib>

namespace tidings::test {

using namespace Qt::StringLiterals;

namespace {

bool unreserved(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
        || c == '_' || c == '.' || c == '~';
}

QByteArray encode(const QByteArray &bytes, bool keepSlash)
{
    QByteArray out;
    for (const char c : bytes) {
        if (unreserved(c) || (keepSlash && c == '/'))
            out += c;
        else
            out += '%'
                + QByteArray::number(static_cast<unsigned char>(c), 16)
                      .rightJustified(2, '0')
                      .toUpper();
    }
    return out;
}

QByteArray hmacSha256(const QByteArray &key, const QByteArray &message)
{
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256);
}

QByteArray sha256Hex(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

bool isLowerHex(const QByteArray &text, qsizetype length)
{
    return text.size() == length && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

S3Verdict refuse(int status, const QByteArray &code, const QString &message)
{
    S3Verdict verdict;
    verdict.status = status;
    verdict.code = code;
    verdict.message = message;
    return verdict;
}

QDateTime parseAmzDate(const QByteArray &text)
{
    if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z')
        return {};
    QDateTime parsed = QDateTime::fromString(QString::fromLatin1(text), u"yyyyMMdd'T'HHmmss'Z'"_s);
    parsed.setTimeZone(QTimeZone::utc());
    return parsed;
}

} // namespace

QByteArray S3HttpRequest::header(const QByteArray &lowerCaseName) const
{
    QByteArray joined;
    bool found = false;
    for (const auto &[name, value] : headers) {
        if (name != lowerCaseName)
            continue;
        if (found)
            joined += ',';
        joined += value;
        found = true;
    }
    return joined;
}

bool S3HttpRequest::hasHeader(const QByteArray &lowerCaseName) const
{
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto &header) { return header.first == lowerCaseName; });
}

void S3HttpRequest::setHeader(const QByteArray &lowerCaseName, const QByteArray &value)
{
    headers.removeIf([&](const auto &header) { return header.first == lowerCaseName; });
    headers.append({lowerCaseName, value});
}

QByteArray sigV4CanonicalUri(const QByteArray &rawPath)
{
    const QByteArray path = rawPath.isEmpty() ? QByteArray("/") : rawPath;
    return encode(QByteArray::fromPercentEncoding(path), true);
}

QByteArray sigV4CanonicalQuery(const QByteArray &rawQuery)
{
    QList<std::pair<QByteArray, QByteArray>> parameters;
    for (const QByteArray &part : rawQuery.split('&')) {
        if (part.isEmpty())
            continue;
        const qsizetype equals = part.indexOf('=');
        const QByteArray name = equals < 0 ? part : part.left(equals);
        const QByteArray value = equals < 0 ? QByteArray() : part.mid(equals + 1);
        parameters.append({encode(QByteArray::fromPercentEncoding(name), false),
                           encode(QByteArray::fromPercentEncoding(value), false)});
    }
    std::sort(parameters.begin(), parameters.end());
    QByteArray canonical;
    for (const auto &[name, value] : parameters) {
        if (!canonical.isEmpty())
            canonical += '&';
        canonical += name + '=' + value;
    }
    return canonical;
}

QByteArray sigV4CanonicalRequest(const S3HttpRequest &request,
                                 const QList<QByteArray> &signedHeaders,
                                 const QByteArray &payloadHash)
{
    QByteArray headers;
    for (const QByteArray &name : signedHeaders) {
        // Each value trimmed and its runs of spaces made one; repeated headers joined by ','.
        QByteArray values;
        bool first = true;
        for (const auto &[header, value] : request.headers) {
            if (header != name)
                continue;
            if (!first)
                values += ',';
            values += value.simplified();
            first = false;
        }
        headers += name + ':' + values + '\n';
    }
    return request.method + '\n' + sigV4CanonicalUri(request.path) + '\n'
        + sigV4CanonicalQuery(request.query) + '\n' + headers + '\n' + signedHeaders.join(';')
        + '\n' + payloadHash;
}

QByteArray sigV4Signature(const QByteArray &canonicalRequest, const QByteArray &amzDate,
                          const S3Credentials &keys)
{
    const QByteArray day = amzDate.left(8);
    const QByteArray scope = day + '/' + keys.region + "/s3/aws4_request";
    const QByteArray stringToSign
        = "AWS4-HMAC-SHA256\n" + amzDate + '\n' + scope + '\n' + sha256Hex(canonicalRequest);
    QByteArray key = hmacSha256("AWS4" + keys.secretKey, day);
    key = hmacSha256(key, keys.region);
    key = hmacSha256(key, "s3");
    key = hmacSha256(key, "aws4_request");
    return hmacSha256(key, stringToSign).toHex();
}

void signS3Request(S3HttpRequest &request, const S3Credentials &keys, const QDateTime &when)
{
    const QByteArray amzDate = when.toUTC().toString(u"yyyyMMdd'T'HHmmss'Z'"_s).toLatin1();
    request.setHeader("x-amz-date", amzDate);
    request.setHeader("x-amz-content-sha256", sha256Hex(request.body));
    request.headers.removeIf([](const auto &header) { return header.first == "authorization"; });
    QList<QByteArray> names;
    for (const auto &[name, value] : request.headers) {
        if (!names.contains(name))
            names.append(name);
    }
    std::sort(names.begin(), names.end());
    const QByteArray signature = sigV4Signature(
        sigV4CanonicalRequest(request, names, request.header("x-amz-content-sha256")), amzDate,
        keys);
    request.headers.append(
        {"authorization",
         "AWS4-HMAC-SHA256 Credential=" + keys.accessKey + '/' + amzDate.left(8) + '/' + keys.region
             + "/s3/aws4_request, SignedHeaders=" + names.join(';') + ", Signature=" + signature});
}

S3Verdict verifyS3Signature(const S3HttpRequest &request, const S3Credentials &keys,
                            const QDateTime &now, int maxSkewSeconds)
{
    const QByteArray authorization = request.header("authorization");
    if (authorization.isEmpty()) {
        if (request.query.contains("X-Amz-Signature"))
            return refuse(403, "AccessDenied", u"the stand-in takes no presigned URLs"_s);
        return refuse(403, "AccessDenied", u"Anonymous access is forbidden for this operation"_s);
    }
    static const QByteArray kAlgorithm = "AWS4-HMAC-SHA256 ";
    if (!authorization.startsWith(kAlgorithm))
        return refuse(400, "InvalidArgument", u"Unsupported Authorization Type"_s);
    QByteArray credential;
    QByteArray signedHeaderList;
    QByteArray signature;
    for (const QByteArray &part : authorization.mid(kAlgorithm.size()).split(',')) {
        const QByteArray item = part.trimmed();
        if (item.startsWith("Credential="))
            credential = item.mid(11);
        else if (item.startsWith("SignedHeaders="))
            signedHeaderList = item.mid(14);
        else if (item.startsWith("Signature="))
            signature = item.mid(10);
        else
            return refuse(
                400, "AuthorizationHeaderMalformed",
                u"unexpected \"%1\" in the Authorization header"_s.arg(QString::fromLatin1(item)));
    }
    const QList<QByteArray> scope = credential.split('/');
    if (scope.size() != 5 || signedHeaderList.isEmpty() || !isLowerHex(signature, 64))
        return refuse(400, "AuthorizationHeaderMalformed",
                      u"the Authorization header needs Credential=key/day/region/s3/aws4_request, "
                      "SignedHeaders and a 64-digit hex Signature"_s);
    if (scope[0] != keys.accessKey)
        return refuse(403, "InvalidAccessKeyId",
                      u"The AWS Access Key Id you provided does not exist in our records."_s);
    if (scope[2] != keys.region)
        return refuse(400, "AuthorizationHeaderMalformed",
                      u"the region '%1' is wrong; expecting '%2'"_s.arg(
                          QString::fromLatin1(scope[2]), QString::fromLatin1(keys.region)));
    if (scope[3] != "s3" || scope[4] != "aws4_request")
        return refuse(400, "AuthorizationHeaderMalformed",
                      u"the credential scope must end in /s3/aws4_request"_s);
    const QByteArray amzDate = request.header("x-amz-date");
    const QDateTime signedAt = parseAmzDate(amzDate);
    if (!signedAt.isValid())
        return refuse(
            403, "AccessDenied",
            u"AWS authentication requires a valid x-amz-date header (yyyyMMddTHHmmssZ)"_s);
    if (scope[1] != amzDate.left(8))
        return refuse(400, "AuthorizationHeaderMalformed",
                      u"Invalid credential date. Date is not the same as X-Amz-Date."_s);
    if (std::abs(signedAt.secsTo(now)) > maxSkewSeconds)
        return refuse(403, "RequestTimeTooSkewed",
                      u"The difference between the request time and the current time is too "
                      "large."_s);

    const QList<QByteArray> signedHeaders = signedHeaderList.split(';');
    for (qsizetype i = 0; i < signedHeaders.size(); ++i) {
        const QByteArray &name = signedHeaders[i];
        if (name.isEmpty() || name != name.toLower() || (i > 0 && signedHeaders[i - 1] >= name))
            return refuse(400, "AuthorizationHeaderMalformed",
                          u"SignedHeaders must be lower case, sorted and without repeats"_s);
        if (!request.hasHeader(name))
            return refuse(
                403, "AccessDenied",
                u"the signed header %1 is not in the request"_s.arg(QString::fromLatin1(name)));
    }
    for (const auto &[name, value] : request.headers) {
        const bool mustSign = name == "host" || name == "content-md5" || name.startsWith("x-amz-");
        if (mustSign && !signedHeaders.contains(name))
            return refuse(
                403, "AccessDenied",
                u"There were headers present in the request which were not signed: %1"_s.arg(
                    QString::fromLatin1(name)));
    }
    if (!signedHeaders.contains("host"))
        return refuse(403, "AccessDenied", u"the host header must be signed"_s);

    const QByteArray payloadHash = request.header("x-amz-content-sha256");
    if (payloadHash.isEmpty())
        return refuse(400, "InvalidRequest",
                      u"Missing required header for this request: x-amz-content-sha256"_s);
    if (!isLowerHex(payloadHash, 64))
        return refuse(400, "InvalidArgument",
                      u"x-amz-content-sha256 must be the body's hex SHA-256 (the stand-in takes "
                      "no UNSIGNED-PAYLOAD nor streaming signatures)"_s);

    S3Verdict verdict;
    verdict.canonicalRequest = sigV4CanonicalRequest(request, signedHeaders, payloadHash);
    verdict.stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + '\n' + scope[1] + '/' + scope[2]
        + "/s3/aws4_request\n" + sha256Hex(verdict.canonicalRequest);
    const QByteArray expected = sigV4Signature(verdict.canonicalRequest, amzDate, keys);
    unsigned char difference = 0;
    for (qsizetype i = 0; i < expected.size(); ++i)
        difference |= static_cast<unsigned char>(expected[i] ^ signature[i]);
    if (difference != 0) {
        verdict.status = 403;
        verdict.code = "SignatureDoesNotMatch";
        verdict.message = u"The request signature we calculated does not match the signature you "
                          "provided. Check your key and signing method."_s;
        return verdict;
    }
    if (sha256Hex(request.body) != payloadHash) {
        verdict.status = 400;
        verdict.code = "XAmzContentSHA256Mismatch";
        verdict.message
            = u"The provided 'x-amz-content-sha256' header does not match what was computed."_s;
        return verdict;
    }
    return verdict;
}

} // namespace tidings::test
