# Compiler settings shared by every Tidings target.
#
# Targets opt in by linking tidings::build_settings (the tidings_add_* helpers below do it),
# so nothing leaks into third-party code through global flags.

set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

find_program(TIDINGS_CCACHE ccache)
if(TIDINGS_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    # The sloppiness lets ccache cache compiles that use the precompiled headers
    # (TidingsPrecompiled.cmake); without it every such compile is a miss.
    set(CMAKE_CXX_COMPILER_LAUNCHER "${CMAKE_COMMAND}" -E env
        "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
        "${TIDINGS_CCACHE}")
endif()

option(TIDINGS_FAST_LINKER "Link with mold when the compiler supports it" ON)
# Unity builds (CMake's UNITY_BUILD) compile a library's sources a batch at a time: each
# header and each inline function or template the batch uses is compiled once per batch, not
# once per file. The ci and release presets use them (CI builds the tree twice); dev does
# not, so an edit recompiles one file and a missing include shows.
option(TIDINGS_UNITY_BUILD "Compile each library's sources in batches (faster full builds)" OFF)
set(TIDINGS_UNITY_BATCH_SIZE 8 CACHE STRING "Sources per batch in a unity build")
include(TidingsPrecompiled)

add_library(tidings_build_settings INTERFACE)
add_library(tidings::build_settings ALIAS tidings_build_settings)

target_compile_definitions(tidings_build_settings INTERFACE
    QT_NO_KEYWORDS
    QT_NO_FOREACH
    QT_USE_QSTRINGBUILDER
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_STRICT_ITERATORS
    # Everything deprecated up to the oldest Qt we support is off, both spellings.
    QT_DISABLE_DEPRECATED_BEFORE=0x060400
    QT_DISABLE_DEPRECATED_UP_TO=0x060400)
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    # 64-bit file offsets everywhere, as hiredis's pkg-config flags ask for the targets that use
    # it (and as Qt is built): one setting for all, so one precompiled header fits all.
    target_compile_definitions(tidings_build_settings INTERFACE _FILE_OFFSET_BITS=64)
endif()

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(tidings_build_settings INTERFACE
        -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
        -Woverloaded-virtual -Wimplicit-fallthrough -Wformat=2)
    if(TIDINGS_WERROR)
        target_compile_options(tidings_build_settings INTERFACE -Werror)
    endif()
    if(TIDINGS_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        # In a batch every source but the first is an included file, so GCC takes a class a
        # .cpp defines for one from a header and warns when it holds a type from the file's
        # anonymous namespace (which would break the one-definition rule in a header).
        target_compile_options(tidings_build_settings INTERFACE -Wno-subobject-linkage)
    endif()
    # mold links a test in a sixth of the time ld.bfd takes (1.2 s against 7 s for tst_models
    # in the ci build); with ~150 executables per build that is minutes. Used when the
    # compiler can drive it (GCC 12.1+, clang); the output is the same program.
    if(TIDINGS_FAST_LINKER)
        include(CheckLinkerFlag)
        check_linker_flag(CXX -fuse-ld=mold TIDINGS_HAVE_MOLD)
        if(TIDINGS_HAVE_MOLD)
            target_link_options(tidings_build_settings INTERFACE -fuse-ld=mold)
        endif()
    endif()
    # The tests' own code (targets with TIDINGS_TEST_CODE set: test executables, their support
    # libraries and their precompiled headers) is compiled for build speed, everything they
    # test as it ships: the sanitizers instrument the product's code only (they cost half of a
    # test's compile; a program may mix instrumented and plain code), and in an optimised
    # build the tests' code is not optimised (the relay, the app and every library are).
    set(test_code "$<BOOL:$<TARGET_PROPERTY:TIDINGS_TEST_CODE>>")
    if(TIDINGS_SANITIZE)
        # Tells the tests' own code (not instrumented) that the product's code is.
        target_compile_definitions(tidings_build_settings INTERFACE TIDINGS_SANITIZED)
        target_compile_options(tidings_build_settings INTERFACE -fno-omit-frame-pointer
            "$<$<NOT:${test_code}>:-fsanitize=address,undefined;-fno-sanitize-recover=undefined>")
        target_link_options(tidings_build_settings INTERFACE -fsanitize=address,undefined)
    endif()
    target_compile_options(tidings_build_settings INTERFACE
        "$<$<AND:${test_code},$<NOT:$<CONFIG:Debug>>>:-O0>")
    if(TIDINGS_FUZZ)
        # Coverage for libFuzzer in all our code; the fuzz executables add -fsanitize=fuzzer.
        target_compile_options(tidings_build_settings INTERFACE -fsanitize=fuzzer-no-link)
    endif()
elseif(MSVC)
    target_compile_options(tidings_build_settings INTERFACE /W4 /permissive- /utf-8 /Zc:__cplusplus)
    if(TIDINGS_WERROR)
        target_compile_options(tidings_build_settings INTERFACE /WX)
    endif()
    if(TIDINGS_SANITIZE)
        target_compile_options(tidings_build_settings INTERFACE /fsanitize=address)
    endif()
endif()

# tidings_add_library(<name> ALIAS <ns::name> SOURCES ... [PUBLIC_LIBS ...] [PRIVATE_LIBS ...])
# A static library with the project's settings and an alias; its directory's parent is the
# include root, so code includes "store/sqlite_store.h" relative to its component.
function(tidings_add_library name)
    cmake_parse_arguments(ARG "" "ALIAS;INCLUDE_ROOT" "SOURCES;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
    add_library(${name} STATIC ${ARG_SOURCES})
    if(TIDINGS_UNITY_BUILD)
        set_target_properties(${name} PROPERTIES
            UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${TIDINGS_UNITY_BATCH_SIZE})
    endif()
    if(ARG_ALIAS)
        add_library(${ARG_ALIAS} ALIAS ${name})
    endif()
    if(NOT ARG_INCLUDE_ROOT)
        cmake_path(GET CMAKE_CURRENT_SOURCE_DIR PARENT_PATH ARG_INCLUDE_ROOT)
    endif()
    target_include_directories(${name} PUBLIC "${ARG_INCLUDE_ROOT}")
    target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_LIBS} PRIVATE tidings::build_settings ${ARG_PRIVATE_LIBS})
    tidings_register_precompiled(${name})
endfunction()

# tidings_add_executable(<name> SOURCES ... LIBS ...)
function(tidings_add_executable name)
    cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE tidings::build_settings ${ARG_LIBS})
    tidings_register_precompiled(${name})
endfunction()
