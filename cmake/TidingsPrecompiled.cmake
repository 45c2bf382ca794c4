# Precompiled headers: most of a Tidings translation unit's compile time is Qt's headers
# (a test includes <QtTest>, which includes all of QtCore). Two shared precompiled headers,
# one for targets that use Qt but not Qt GUI and one for those that use Qt Widgets, are
# built once and reused by every target the tidings_add_* helpers made
# (target_precompile_headers REUSE_FROM). Which one a target gets follows from what it links.
#
# The compiler checks that a precompiled header fits the compile it is used in and falls
# back to the text otherwise; CMake adds -Winvalid-pch, so with TIDINGS_WERROR a mismatch
# fails the build instead of silently costing the time again.
#
# tidings_register_precompiled(<target>) marks a target; tidings_apply_precompiled() (called
# once, after every target exists) gives each marked target its header.

option(TIDINGS_PCH "Use precompiled Qt headers (faster builds)" ON)

function(tidings_register_precompiled target)
    set_property(GLOBAL APPEND PROPERTY TIDINGS_PRECOMPILED_TARGETS ${target})
endfunction()

# Sets <out> to TRUE when <target> links <wanted>, directly or through other targets.
function(_tidings_links target wanted out)
    set(seen "")
    set(pending ${target})
    while(pending)
        list(POP_FRONT pending current)
        if(current IN_LIST seen)
            continue()
        endif()
        list(APPEND seen ${current})
        if(current STREQUAL wanted)
            set(${out} TRUE PARENT_SCOPE)
            return()
        endif()
        if(NOT TARGET ${current})
            continue()
        endif()
        get_target_property(aliased ${current} ALIASED_TARGET)
        if(aliased)
            list(APPEND pending ${aliased})
            continue()
        endif()
        set(links "")
        get_target_property(imported ${current} IMPORTED)
        if(NOT imported)
            get_target_property(direct ${current} LINK_LIBRARIES)
            if(direct)
                list(APPEND links ${direct})
            endif()
        endif()
        get_target_property(interface ${current} INTERFACE_LINK_LIBRARIES)
        if(interface)
            list(APPEND links ${interface})
        endif()
        foreach(link IN LISTS links)
            string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" link "${link}")
            if(NOT link MATCHES "^\\$<")
                list(APPEND pending ${link})
            endif()
        endforeach()
    endwhile()
    set(${out} FALSE PARENT_SCOPE)
endfunction()

# GCC takes a precompiled header only where every macro defined on the command line when it
# was made is defined the same way, so the host defines no more than every user does: it
# links Qt Core and takes the other modules' include directories only, without their
# QT_<MODULE>_LIB macros (which no header in the set reads).
function(_tidings_add_precompiled_host name header)
    set(source "${CMAKE_BINARY_DIR}/precompiled/${name}.cpp")
    file(CONFIGURE OUTPUT "${source}" CONTENT "// Builds the precompiled header ${header}.\n")
    add_library(${name} STATIC EXCLUDE_FROM_ALL "${source}")
    set_target_properties(${name} PROPERTIES AUTOMOC OFF AUTOUIC OFF AUTORCC OFF)
    target_link_libraries(${name} PRIVATE tidings::build_settings Qt6::Core)
    foreach(module IN LISTS ARGN)
        target_include_directories(${name} SYSTEM PRIVATE
            $<TARGET_PROPERTY:${module},INTERFACE_INCLUDE_DIRECTORIES>)
    endforeach()
    target_precompile_headers(${name} PRIVATE "${CMAKE_SOURCE_DIR}/cmake/pch/${header}")
endfunction()

function(tidings_apply_precompiled)
    if(NOT TIDINGS_PCH)
        return()
    endif()
    get_property(targets GLOBAL PROPERTY TIDINGS_PRECOMPILED_TARGETS)
    set(hosts_made FALSE)
    foreach(target IN LISTS targets)
        _tidings_links(${target} Qt6::Core uses_qt)
        if(NOT uses_qt)
            continue()
        endif()
        if(NOT hosts_made)
            _tidings_add_precompiled_host(tidings_precompiled_core tidings_pch_core.h
                Qt6::Network Qt6::Sql)
            if(TARGET Qt6::Widgets)
                _tidings_add_precompiled_host(tidings_precompiled_gui tidings_pch_gui.h
                    Qt6::Network Qt6::Sql Qt6::Gui Qt6::Widgets)
            endif()
            set(hosts_made TRUE)
        endif()
        set(host tidings_precompiled_core)
        if(TARGET Qt6::Widgets)
            _tidings_links(${target} Qt6::Widgets uses_widgets)
            if(uses_widgets)
                set(host tidings_precompiled_gui)
            endif()
        endif()
        target_precompile_headers(${target} REUSE_FROM ${host})
    endforeach()
endfunction()
