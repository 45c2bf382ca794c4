# The app's layers hold: app/core ← app/models ← app/ui (docs/architecture.md). The target
# links keep the libraries apart; this keeps the code from reaching past ChatClient, which
# the links cannot see. CTest runs it (layering_check, label unit):
#   cmake -DSOURCE_DIR=<source tree> -P tests/unit/layering_check.cmake
# It fails, naming the file and the line, when
#   - a file in app/ui includes a header of app/core other than the ones the widgets use
#     (kUiMayInclude: ChatClient's typed API and its value types, the Outbox and the
#     TransferManager for their typed actions, the Session, the TokenStore, a cached file
#     and the device that reads a sealed one, which the TransferManager hands out), or anything
#     of SQL;
#   - a file in app/ui calls ChatClient's parts (store(), connection(), sync()). For the
#     store and the sync engine the compiler says so too (core/chat_client.h); the
#     Connection is visible there (its Options and State are ChatClient's API), so this
#     is where its use is caught;
#   - a file in app/models calls store() or connection(): the models read through
#     ChatClient::reader() and hear of changes from the SyncEngine and the Outbox;
#   - a file in app/core or app/models includes a ui/ header, or one in app/core a models/
#     one.

cmake_minimum_required(VERSION 3.25)

if(NOT SOURCE_DIR)
    message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<source tree> -P layering_check.cmake")
endif()

set(kUiMayInclude
    core/cached_file.h
    core/cached_file_device.h
    core/chat_client.h
    core/message_attachment.h
    core/outbox.h
    core/server_address.h
    core/session.h
    core/token_store.h
    core/transfer_manager.h)

set(problems "")

# The lines of the files in `directory` that match `pattern`, as "file:number: line"
# entries of the list named by `out`.
function(matching_lines directory pattern out)
    file(GLOB_RECURSE files RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/${directory}/*.h"
        "${SOURCE_DIR}/${directory}/*.cpp")
    list(SORT files)
    set(found "")
    foreach(file IN LISTS files)
        file(READ "${SOURCE_DIR}/${file}" text)
        # One list element per line: what CMake lists treat specially is put aside first.
        string(REPLACE ";" "@semicolon@" text "${text}")
        string(REPLACE "[" "@open@" text "${text}")
        string(REPLACE "]" "@close@" text "${text}")
        string(REPLACE "\n" ";" lines "${text}")
        set(number 0)
        foreach(line IN LISTS lines)
            math(EXPR number "${number} + 1")
            if(line MATCHES "${pattern}")
                string(STRIP "${line}" line)
                string(REPLACE "@semicolon@" "" line "${line}") # shown without
                string(REPLACE "@open@" "[" line "${line}")
                string(REPLACE "@close@" "]" line "${line}")
                list(APPEND found "${file}:${number}: ${line}")
            endif()
        endforeach()
    endforeach()
    set(${out} "${found}" PARENT_SCOPE)
endfunction()

set(include_prefix "^[ \t]*#[ \t]*include[ \t]*[<\"]")

matching_lines(app/ui "${include_prefix}core/" ui_core_includes)
foreach(entry IN LISTS ui_core_includes)
    string(REGEX MATCH "core/[A-Za-z0-9_./]+" header "${entry}")
    if(NOT header IN_LIST kUiMayInclude)
        list(APPEND problems "${entry}  (app/ui uses ChatClient, not ${header})")
    endif()
endforeach()

matching_lines(app/ui "${include_prefix}(sql/|QSql|QtSql)" ui_sql_includes)
foreach(entry IN LISTS ui_sql_includes)
    list(APPEND problems "${entry}  (app/ui touches no SQL)")
endforeach()

matching_lines(app/ui "(\\.|->)(store|connection|sync)\\(\\)" ui_part_calls)
foreach(entry IN LISTS ui_part_calls)
    list(APPEND problems "${entry}  (app/ui uses ChatClient's typed API, not its parts)")
endforeach()

matching_lines(app/models "(\\.|->)(store|connection)\\(\\)" model_part_calls)
foreach(entry IN LISTS model_part_calls)
    list(APPEND problems "${entry}  (app/models reads through ChatClient::reader())")
endforeach()

foreach(directory IN ITEMS app/core app/models)
    matching_lines(${directory} "${include_prefix}ui/" upward)
    foreach(entry IN LISTS upward)
        list(APPEND problems "${entry}  (${directory} knows nothing of the widgets)")
    endforeach()
endforeach()
matching_lines(app/core "${include_prefix}models/" upward)
foreach(entry IN LISTS upward)
    list(APPEND problems "${entry}  (app/core knows nothing of the models)")
endforeach()

list(LENGTH problems count)
if(count GREATER 0)
    list(JOIN problems "\n  " listed)
    message(FATAL_ERROR "The layers do not hold (${count}):\n  ${listed}")
endif()
message(STATUS "The layers hold: app/ui reaches the client through ChatClient only.")
