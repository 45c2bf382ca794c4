#pragma once

#include <QByteArrayView>
#include <QImage>

namespace tidings::app {

/// The quiet zone around a QR code, in modules: the width the QR standard asks for, so a
/// scanner finds the code whatever surrounds it.
inline constexpr int kSafetyQrQuietZone = 4;

/// Whether this build can draw QR codes (it found libqrencode). Without it the safety
/// number dialog shows the digits only.
bool safetyQrAvailable();

/// `payload` (a safety number's QR payload, docs/encryption.md section 7) as a QR code:
/// binary mode, error correction M, the smallest version that holds it. Black modules on
/// white, a white quiet zone of kSafetyQrQuietZone modules around them, each module
/// `modulePixels` pixels square, so it stays crisp. A null image for an empty payload, one
/// too long for any QR version, a module size below one, or a build without libqrencode.
QImage safetyQrImage(QByteArrayView payload, int modulePixels);

} // namespace tidings::app
