cmake_minimum_required(VERSION 3.25)
# The packaging_debs test: CPack makes the two Debian packages from this build, each holds
# what it must (binaries, unit, conffile, man page, desktop entry, metadata, icon, copyright),
# dpkg-shlibdeps found their libraries, and lintian reports neither an error nor a warning
# (but for initial-upload-closes-no-bugs, which concerns uploads to Debian's archive).
foreach(tool IN ITEMS CPACK DPKG_DEB LINTIAN)
    if(NOT ${tool} OR NOT EXISTS "${${tool}}")
        message(FATAL_ERROR "${tool} not found: run tools/deps.sh test")
    endif()
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(COMMAND "${CPACK}" -G DEB --config "${BUILD_DIR}/CPackConfig.cmake" -B "${WORK_DIR}"
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "cpack failed:\n${output}")
endif()

function(check_package package)
    cmake_parse_arguments(ARG "" "" "FILES;DEPENDS" ${ARGN})
    file(GLOB deb "${WORK_DIR}/${package}_*.deb")
    if(NOT deb)
        message(FATAL_ERROR "no ${package} package in ${WORK_DIR}")
    endif()
    execute_process(COMMAND "${DPKG_DEB}" -c "${deb}" OUTPUT_VARIABLE listing
        COMMAND_ERROR_IS_FATAL ANY)
    foreach(path IN LISTS ARG_FILES)
        string(FIND "${listing}" " ./${path}\n" at)
        if(at EQUAL -1)
            message(FATAL_ERROR "${package} lacks /${path}:\n${listing}")
        endif()
    endforeach()
    execute_process(COMMAND "${DPKG_DEB}" -f "${deb}" Depends OUTPUT_VARIABLE depends
        COMMAND_ERROR_IS_FATAL ANY)
    foreach(dependency IN LISTS ARG_DEPENDS)
        if(NOT depends MATCHES "(^|, )${dependency}( |,|$)")
            message(FATAL_ERROR "${package} does not depend on ${dependency}: ${depends}")
        endif()
    endforeach()
    set(${package}_deb "${deb}" PARENT_SCOPE)
endfunction()

check_package(tidings-relay
    FILES usr/bin/tidings-relay usr/lib/systemd/system/tidings-relay.service
          etc/tidings/relay.conf usr/share/man/man1/tidings-relay.1.gz
          usr/share/doc/tidings-relay/copyright usr/share/doc/tidings-relay/changelog.Debian.gz
    DEPENDS libqt6core6 libqt6network6 libsodium23 libqt6sql6-sqlite libqt6sql6-psql)
check_package(tidings
    FILES usr/bin/tidings usr/libexec/tidings/tidings-relay
          usr/share/applications/org.tidings.Tidings.desktop
          usr/share/metainfo/org.tidings.Tidings.metainfo.xml
          usr/share/icons/hicolor/scalable/apps/org.tidings.Tidings.svg
          usr/share/man/man1/tidings.1.gz usr/share/doc/tidings/copyright
    DEPENDS libqt6widgets6 libqt6core6 qt6-qpa-plugins libqt6sql6-sqlite)

# The relay's settings survive upgrades: relay.conf is a conffile.
file(REMOVE_RECURSE "${WORK_DIR}/control")
execute_process(COMMAND "${DPKG_DEB}" -e "${tidings-relay_deb}" "${WORK_DIR}/control"
    COMMAND_ERROR_IS_FATAL ANY)
file(READ "${WORK_DIR}/control/conffiles" conffiles)
if(NOT conffiles STREQUAL "/etc/tidings/relay.conf\n")
    message(FATAL_ERROR "conffiles: ${conffiles}")
endif()

execute_process(COMMAND "${LINTIAN}" --fail-on error,warning
        --suppress-tags initial-upload-closes-no-bugs "${tidings-relay_deb}" "${tidings_deb}"
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "lintian:\n${output}")
endif()
message(STATUS "packages: ${tidings-relay_deb} ${tidings_deb}")
