#include "ui/safety_qr.h"

#ifdef TIDINGS_HAVE_QRENCODE
#include <qrencode.h>

#include <memory>
#endif

#include <cstring>

namespace tidings::app {

bool safetyQrAvailable()
{
#ifdef TIDINGS_HAVE_QRENCODE
    return true;
#else
    return false;
#endif
}

QImage safetyQrImage(QByteArrayView payload, int modulePixels)
{
#ifdef TIDINGS_HAVE_QRENCODE
    if (payload.isEmpty() || modulePixels < 1)
        return {};
    // Binary mode: the payload is raw bytes (hash prefixes), not text. Version 0 lets the
    // library pick the smallest version that holds it.
    const std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeData(int(payload.size()),
                          reinterpret_cast<const unsigned char *>(payload.data()), 0, QR_ECLEVEL_M),
        &QRcode_free);
    if (!code)
        return {};
    const int modules = code->width;
    const int side = (modules + 2 * kSafetyQrQuietZone) * modulePixels;
    QImage image(side, side, QImage::Format_Grayscale8);
    image.fill(Qt::white);
    for (int y = 0; y < modules; ++y) {
        const unsigned char *row = code->data + qsizetype(y) * modules;
        for (int x = 0; x < modules; ++x) {
            // Bit 0 of each byte is the module's colour (1 = dark); the others say what
            // part of the symbol it belongs to.
            if (!(row[x] & 1))
                continue;
            const int left = (x + kSafetyQrQuietZone) * modulePixels;
            const int top = (y + kSafetyQrQuietZone) * modulePixels;
            for (int line = top; line < top + modulePixels; ++line)
                std::memset(image.scanLine(line) + left, 0, std::size_t(modulePixels));
        }
    }
    return image;
#else
    Q_UNUSED(payload)
    Q_UNUSED(modulePixels)
    return {};
#endif
}

} // namespace tidings::app
