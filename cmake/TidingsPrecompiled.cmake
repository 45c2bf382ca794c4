# Precompiled headers: most of a Tidings translation unit's compile time is Qt's headers
# (a test includes <QtTest>, which includes all of QtCore). A few shared precompiled headers
# are built once and reused by every target the tidings_add_* helpers made
# (target_precompile_headers REUSE_FROM): one for code that uses Qt but not Qt GUI, one for
# code that uses Qt Widgets, and the same two with Qt Test for the tests. Which one a target
# gets follows from what it links.
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
# links Qt Core (and the modules named after LINK, whose QT_<MODULE>_LIB macros its header
# reads) and takes the other modules' include directories only.
function(_tidings_add_precompiled_host name header)
    cmake_parse_arguments(ARG "" "" "LINK;INCLUDE" ${ARGN})
    set(source "${CMAKE_BINARY_DIR}/precompiled/${name}.cpp")
    file(CONFIGURE OUTPUT "${source}" CONTENT "// Builds the precompiled header ${header}.\n")
    add_library(${name} STATIC EXCLUDE_FROM_ALL "${source}")
    set_target_properties(${name} PROPERTIES AUTOMOC OFF AUTOUIC OFF AUTORCC OFF)
    target_link_libraries(${name} PRIVATE tidings::build_settings Qt6::Core ${ARG_LINK})
    foreach(module IN LISTS ARG_INCLUDE)
        target_include_directories(${name} SYSTEM PRIVATE
            $<TARGET_PROPERTY:${module},INTERFACE_INCLUDE_DIRECTORIES>)
    endforeach()
    target_precompile_headers(${name} PRIVATE "${CMAKE_SOURCE_DIR}/cmake/pch/${header}")
endfunction()

# The host for <target>, made the first time a target needs it. Code that is not a test gets
# one of two; a test (it links tidings::qt_test) gets Qt Test's headers too, which read
# QT_NETWORK_LIB, QT_GUI_LIB and QT_WIDGETS_LIB, so there is one host per combination of them
# the tests use (two, in practice: tests of the app's widgets and the rest).
function(_tidings_precompiled_host_for target out)
    _tidings_links(${target} tidings_qt_test test)
    set(widgets FALSE)
    if(TARGET Qt6::Widgets)
        _tidings_links(${target} Qt6::Widgets widgets)
    endif()
    if(NOT test)
        if(widgets)
            set(host tidings_precompiled_gui)
            set(header tidings_pch_gui.h)
            set(includes Qt6::Network Qt6::Sql Qt6::Gui Qt6::Widgets)
        else()
            set(host tidings_precompiled_core)
            set(header tidings_pch_core.h)
            set(includes Qt6::Network Qt6::Sql)
        endif()
        if(NOT TARGET ${host})
            _tidings_add_precompiled_host(${host} ${header} INCLUDE ${includes})
        endif()
        set(${out} ${host} PARENT_SCOPE)
        return()
    endif()
    set(host tidings_precompiled_test)
    set(header tidings_pch_test.h)
    set(links tidings::qt_test)
    set(includes Qt6::Network Qt6::Sql)
    foreach(module IN ITEMS Network Gui Widgets)
        set(uses FALSE)
        if(TARGET Qt6::${module})
            _tidings_links(${target} Qt6::${module} uses)
        endif()
        if(uses)
            string(TOLOWER ${module} suffix)
            string(APPEND host _${suffix})
            list(APPEND links Qt6::${module})
        endif()
    endforeach()
    if(widgets)
        set(header tidings_pch_test_gui.h)
        list(APPEND includes Qt6::Gui Qt6::Widgets)
    endif()
    if(NOT TARGET ${host})
        _tidings_add_precompiled_host(${host} ${header} LINK ${links} INCLUDE ${includes})
        # Compiled as the tests are (TidingsCompilerSettings.cmake), or GCC would refuse it.
        set_target_properties(${host} PROPERTIES TIDINGS_TEST_CODE ON)
    endif()
    set(${out} ${host} PARENT_SCOPE)
endfunction()

function(tidings_apply_precompiled)
    get_property(targets GLOBAL PROPERTY TIDINGS_PRECOMPILED_TARGETS)
    # Test code is whatever links Qt Test (tests, their support libraries, tools built on
    # them): compiled as TidingsCompilerSettings.cmake says for TIDINGS_TEST_CODE.
    if(TARGET tidings_qt_test)
        foreach(target IN LISTS targets)
            _tidings_links(${target} tidings_qt_test test)
            if(test)
                set_target_properties(${target} PROPERTIES TIDINGS_TEST_CODE ON)
            endif()
        endforeach()
    endif()
    if(NOT TIDINGS_PCH)
        return()
    endif()
    foreach(target IN LISTS targets)
        _tidings_links(${target} Qt6::Core uses_qt)
        if(NOT uses_qt)
            continue()
        endif()
        _tidings_precompiled_host_for(${target} host)
        target_precompile_headers(${target} REUSE_FROM ${host})
    endforeach()
endfunction()
