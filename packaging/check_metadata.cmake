cmake_minimum_required(VERSION 3.25)
# The packaging_metadata test: desktop-file-validate on the desktop entry, appstreamcli
# validate on the AppStream metadata (offline; its pedantic notes are not failures). A missing
# validator fails the test, saying which: a check that cannot run has not passed.
foreach(tool IN ITEMS DESKTOP_FILE_VALIDATE APPSTREAMCLI)
    if(NOT ${tool} OR NOT EXISTS "${${tool}}")
        message(FATAL_ERROR "${tool} not found: run tools/deps.sh test")
    endif()
endforeach()

execute_process(COMMAND "${DESKTOP_FILE_VALIDATE}" "${DESKTOP_FILE}"
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0 OR NOT output STREQUAL "")
    message(FATAL_ERROR "desktop-file-validate ${DESKTOP_FILE}:\n${output}")
endif()

execute_process(COMMAND "${APPSTREAMCLI}" validate --no-net "${METAINFO_FILE}"
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "appstreamcli validate ${METAINFO_FILE}:\n${output}")
endif()
message(STATUS "desktop entry and AppStream metadata valid")
