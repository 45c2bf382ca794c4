# tidings_add_test(<name> LABEL <unit|integration|ui|fault|cluster> SOURCES ... [LIBS ...]
#                  [NEEDS_RELAY] [NEEDS_APP] [NEEDS_BENCH] [TIMEOUT seconds]
#                  [ENVIRONMENT VAR=value ...] [WRAPPER command ...] [ARGS ...]
#                  [EXECUTABLE existing-test])
#
# WRAPPER: run the test through that command (e.g. a script that gives it a private D-Bus
# session). ARGS: arguments to the test executable (e.g. one test function).
# EXECUTABLE: register another run of an executable an earlier call made, under `name`.
#
# NEEDS_RELAY / NEEDS_APP / NEEDS_BENCH: the test drives that real binary of this build
# (tidings-relay, tidings, tidings-bench); its path comes in TIDINGS_RELAY_BINARY,
# TIDINGS_APP_BINARY or TIDINGS_BENCH_BINARY, and building the test builds the binary.
#
# One QtTest executable registered with CTest under one label. Tests get the paths of the
# binaries they drive through the environment, so a test always runs the very binary that
# ships from this build tree.

set(TIDINGS_TEST_OUTPUT_DIR "${CMAKE_BINARY_DIR}/test-output")
set(TIDINGS_SANITIZER_ENVIRONMENT
    "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
    "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/support/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")

# Qt Test for our tests and their support code, without the macros Qt6::Test gives each
# target: QT_TESTCASE_BUILDDIR and QT_TESTCASE_SOURCEDIR name the target's own directories, which
# would take a precompiled Qt Test header per test directory (TidingsPrecompiled.cmake). They
# serve QFINDTESTDATA, which no test uses; test data is found through test_paths.h.
add_library(tidings_qt_test INTERFACE)
add_library(tidings::qt_test ALIAS tidings_qt_test)
target_link_libraries(tidings_qt_test INTERFACE $<LINK_ONLY:Qt6::Test> Qt6::Core)
target_include_directories(tidings_qt_test SYSTEM INTERFACE
    $<TARGET_PROPERTY:Qt6::Test,INTERFACE_INCLUDE_DIRECTORIES>)
target_compile_definitions(tidings_qt_test INTERFACE
    QT_TESTLIB_LIB QT_TESTCASE_BUILDDIR="${CMAKE_BINARY_DIR}")

function(tidings_add_test name)
    cmake_parse_arguments(ARG "NEEDS_RELAY;NEEDS_APP;NEEDS_BENCH" "LABEL;TIMEOUT"
        "SOURCES;LIBS;ENVIRONMENT;WRAPPER;ARGS;EXECUTABLE" ${ARGN})
    if(NOT ARG_LABEL MATCHES "^(unit|integration|ui|fault|cluster)$")
        message(FATAL_ERROR "tidings_add_test(${name}): LABEL must be unit, integration, ui, fault or cluster")
    endif()
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 120)
    endif()

    if(ARG_EXECUTABLE)
        set(executable ${ARG_EXECUTABLE})
    else()
        set(executable ${name})
        add_executable(${name} ${ARG_SOURCES})
        target_link_libraries(${name} PRIVATE tidings::build_settings tidings::qt_test ${ARG_LIBS})
        tidings_register_precompiled(${name})
        # A test includes its own moc output, so AUTOMOC's file is empty: compiled with the
        # precompiled header it would take seconds (loading the header), without it none.
        set_source_files_properties("${CMAKE_CURRENT_BINARY_DIR}/${name}_autogen/mocs_compilation.cpp"
            TARGET_DIRECTORY ${name} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
    add_test(NAME ${name} COMMAND ${ARG_WRAPPER} $<TARGET_FILE:${executable}> ${ARG_ARGS})

    set(environment
        "TIDINGS_TEST_OUTPUT_DIR=${TIDINGS_TEST_OUTPUT_DIR}/${name}"
        "QT_QPA_PLATFORM=offscreen"
        "QT_FORCE_STDERR_LOGGING=1"
        "QT_LOGGING_RULES=tidings.app.*.info=false"
        ${ARG_ENVIRONMENT})
    foreach(binary IN ITEMS RELAY:tidings-relay APP:tidings BENCH:tidings-bench)
        string(REPLACE ":" ";" binary "${binary}")
        list(GET binary 0 key)
        list(GET binary 1 target)
        if(ARG_NEEDS_${key})
            add_dependencies(${executable} ${target})
            list(APPEND environment "TIDINGS_${key}_BINARY=$<TARGET_FILE:${target}>")
        endif()
    endforeach()
    if(TIDINGS_SANITIZE)
        list(APPEND environment ${TIDINGS_SANITIZER_ENVIRONMENT})
    endif()
    set_tests_properties(${name} PROPERTIES
        LABELS ${ARG_LABEL}
        TIMEOUT ${ARG_TIMEOUT}
        ENVIRONMENT "${environment}")
endfunction()
