// Fuzzes how the app reads a picture someone sent (app/ui/media_files.cpp):
// media::readPicture() on a QIODevice — the format guessed from the bytes, the size read
// from the header and checked, then decoded within the allocation limit and scaled down —
// as attachments and thumbnails are read. Qt's image handlers (PNG, BMP, PPM, XBM, XPM
// built in; GIF, ICO, JPEG plugins) do the decoding.
//
// Input: the bytes of a file.
#include "fuzz_check.h"

#include "ui/media_files.h"

#include <QBuffer>
#include <QCoreApplication>

#include <cstdint>

using namespace tidings;
using namespace tidings::app;

namespace {

constexpr std::size_t kMaxInputBytes = 256 * 1024;
/// The size attachments are shown at (a thumbnail's is smaller).
constexpr QSize kFit(256, 256);

void ensureApplication()
{
    // Image format plugins are found through the application object.
    static int argc = 1;
    static char name[] = "image_header";
    static char *argv[] = {name, nullptr};
    static const QCoreApplication *application = new QCoreApplication(argc, argv);
    Q_UNUSED(application);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    ensureApplication();
    QByteArray bytes(reinterpret_cast<const char *>(data),
                     qsizetype(std::min(size, kMaxInputBytes)));
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    const Result<QImage> picture = media::readPicture(&buffer, kFit);
    if (!picture) {
        FUZZ_CHECK(!picture.error().message.isEmpty());
        FUZZ_CHECK(picture.error().code == ErrorCode::Unsupported
                   || picture.error().code == ErrorCode::TooLarge);
        return 0;
    }
    FUZZ_CHECK(!picture->isNull());
    // Scaled down to fit, whatever size the header claimed.
    FUZZ_CHECK(picture->width() <= kFit.width() && picture->height() <= kFit.height());
    return 0;
}
