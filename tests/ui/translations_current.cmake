# Every string the app shows is in the German and Spanish translations, and translated:
# lupdate is run over the app's sources into copies of the .ts files, and any message it
# finds new (or left unfinished) is named. CTest runs it (translations_current):
#   cmake -DLUPDATE=<lupdate> -DSOURCE_DIR=<source tree> -DWORK_DIR=<scratch> \
#         -P tests/ui/translations_current.cmake
# The fix is `cmake --build <dir> --target update_translations`, then translating what it
# added (docs/development.md).

cmake_minimum_required(VERSION 3.25)

foreach(required LUPDATE SOURCE_DIR WORK_DIR)
    if(NOT ${required})
        message(FATAL_ERROR "usage: cmake -DLUPDATE=… -DSOURCE_DIR=… -DWORK_DIR=… -P translations_current.cmake")
    endif()
endforeach()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(copies "")
foreach(language de es)
    file(COPY "${SOURCE_DIR}/translations/tidings_${language}.ts" DESTINATION "${WORK_DIR}")
    list(APPEND copies "${WORK_DIR}/tidings_${language}.ts")
endforeach()
file(GLOB_RECURSE sources "${SOURCE_DIR}/app/*.cpp" "${SOURCE_DIR}/app/*.h")

execute_process(
    COMMAND "${LUPDATE}" -silent -no-obsolete -locations none
        -I "${SOURCE_DIR}/app" -I "${SOURCE_DIR}/common" ${sources} -ts ${copies}
    RESULT_VARIABLE status
    OUTPUT_VARIABLE output
    ERROR_VARIABLE output)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "lupdate failed (${status}):\n${output}")
endif()

set(missing "")
foreach(copy IN LISTS copies)
    file(READ "${copy}" content)
    # Entities read back as text (a ';' would split CMake's list).
    string(REPLACE "&apos;" "'" content "${content}")
    string(REPLACE "&quot;" "\"" content "${content}")
    string(REPLACE "&amp;" "&" content "${content}")
    string(REPLACE ";" "," content "${content}")
    get_filename_component(name "${copy}" NAME)
    # <source>…</source> followed by an unfinished translation: that message is missing.
    string(REGEX MATCHALL "<source>[^<]*</source>[ \t\r\n]*<translation type=\"unfinished\""
           unfinished "${content}")
    foreach(entry IN LISTS unfinished)
        string(REGEX REPLACE "<source>([^<]*)</source>.*" "\\1" text "${entry}")
        string(APPEND missing "  ${name}: ${text}\n")
    endforeach()
endforeach()
if(missing)
    message(FATAL_ERROR "Strings the app shows without a translation (run the "
                        "update_translations target, then translate them):\n${missing}")
endif()
