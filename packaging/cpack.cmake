# Packages: `cmake --build build/release --target package` (CPack). On Debian and Ubuntu,
# two .debs (decision 65):
# - tidings-relay: the server, its systemd unit, /etc/tidings/relay.conf, its man page;
# - tidings: the app, its desktop entry, icon, AppStream metadata, man page, and a private
#   copy of the relay (/usr/libexec/tidings/tidings-relay) for hosting a server itself.
# Library dependencies come from dpkg-shlibdeps; the Qt plugins, which nothing links, are
# listed by hand.
set(TIDINGS_PACKAGE_MAINTAINER "The Tidings developers <packaging@tidings.example>"
    CACHE STRING "Maintainer field of the packages (name <address>)")

set(CPACK_PACKAGE_NAME tidings)
set(CPACK_PACKAGE_VENDOR "The Tidings developers")
set(CPACK_PACKAGE_CONTACT "${TIDINGS_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
# Each package's own description starts with its synopsis; CPackDeb puts a package-wide
# summary above it unless the summary is CPack's default, so it is that.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/packages")
set(CPACK_COMPONENTS_ALL app relay)
set(CPACK_STRIP_FILES ON)

set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${TIDINGS_PACKAGE_MAINTAINER}")

set(CPACK_DEBIAN_RELAY_PACKAGE_NAME tidings-relay)
set(CPACK_DEBIAN_RELAY_PACKAGE_SECTION net)
set(CPACK_DEBIAN_RELAY_DESCRIPTION "chat server of Tidings, durable and self-hosted
The relay routes, stores and delivers the messages of the Tidings chat app.
A message is acknowledged only once it is stored durably, so nothing
acknowledged is lost when the relay or the machine crashes. One relay keeps
everything in SQLite; several share PostgreSQL, Redis and S3-compatible
storage.")
# The SQL drivers are plugins: SQLite for one relay, PostgreSQL for a cluster.
set(CPACK_DEBIAN_RELAY_PACKAGE_DEPENDS "libqt6sql6-sqlite, libqt6sql6-psql")
set(CPACK_DEBIAN_RELAY_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_SOURCE_DIR}/debian/relay/conffiles;${CMAKE_CURRENT_SOURCE_DIR}/debian/relay/postinst;${CMAKE_CURRENT_SOURCE_DIR}/debian/relay/prerm;${CMAKE_CURRENT_SOURCE_DIR}/debian/relay/postrm")
set(CPACK_DEBIAN_RELAY_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_APP_PACKAGE_NAME tidings)
set(CPACK_DEBIAN_APP_PACKAGE_SECTION net)
set(CPACK_DEBIAN_APP_DESCRIPTION "chat that is never lost: the Tidings desktop app
Tidings is a fast, native chat app for one-to-one and group conversations,
with end-to-end encryption, delivered and read ticks, typing, pictures, videos
and files, and the full history, searchable also offline. It talks to a
Tidings relay, which it can also host on this computer.")
# Plugins nothing links: the platform (xcb, offscreen), SQLite, images, the keyring
# backend's service, GStreamer's decoders for videos.
set(CPACK_DEBIAN_APP_PACKAGE_DEPENDS
    "qt6-qpa-plugins, libqt6sql6-sqlite, qt6-image-formats-plugins, libqt6svg6, gstreamer1.0-plugins-good, gstreamer1.0-plugins-base")
set(CPACK_DEBIAN_APP_PACKAGE_RECOMMENDS "gnome-keyring | kwalletmanager, fonts-noto-color-emoji")

include(CPack)
